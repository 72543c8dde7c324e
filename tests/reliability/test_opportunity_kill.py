"""kill -9 while opportunities' deadline reminders come due, again and again; restarted each time
against one emulator that outlives every process (the opportunities' due work, covered as the
meeting reminders are in ``test_reminder_kill.py``).

Before the first start the database holds people who started the bot (in four languages), each
posting opportunities whose reminder (three days before the deadline) falls due one after
another from a few seconds after the seeding, with one interested person each. Every cycle
starts ``wnmrc-bot run``, waits until it delivers one more reminder, lets it work for a seeded
random while and kills it.

From the ledger and the database: every reminder reached the poster and the interested person,
at most one message doubled per kill (the sender keeps one send in flight, however many rows
are due at once), every opportunity marked reminded, every outbox row
``sent``, ``PRAGMA integrity_check`` ok, the token in no log line. ``WNMRC_KILL_LOOP`` sets the
number of kills (2 by default), ``WNMRC_KILL_SEED`` the random moments.
"""

from __future__ import annotations

import os
import random
import re
import sqlite3
from collections import Counter, defaultdict
from datetime import timedelta
from pathlib import Path

import pytest

from bot.clock import SystemClock
from bot.opportunities.deadlines import REMIND_BEFORE
from sandbox.emulator import Emulator, LedgerEntry, SimUser
from storage import Database, Repositories
from storage.timecodec import to_db

from ..conftest import TOKEN
from .processes import KillLoop, bot_environment, outbox_statuses

pytestmark = pytest.mark.slow

KILLS = int(os.environ.get("WNMRC_KILL_LOOP", "2"))
SEED = int(os.environ.get("WNMRC_KILL_SEED", "20261203"))
PEOPLE = 8
SPACING = 0.5
PER_CYCLE = 4
LEAD_IN = 3.0
RTT = 0.02
ZONES = ("Europe/Madrid", "America/Lima", "Asia/Shanghai", "Africa/Nairobi")
LANGUAGES = ("en", "es", "fr", "zh")
TITLE = re.compile(r"Kill O(\d{4})")

Key = tuple[int, int]
"""(opportunity number, chat)."""


async def _seed(database: Path, users: list[SimUser], count: int) -> None:
    now = SystemClock().now()
    stamp = to_db(now)
    db = await Database.open(database)
    try:
        await db.migrate()
        ids: list[int] = []
        async with db.transaction() as conn:
            for p, user in enumerate(users):
                cursor = await conn.execute(
                    "INSERT INTO people (telegram_id, first_name, telegram_language,"
                    " timezone, started_at, created_at, updated_at)"
                    " VALUES (?, ?, ?, ?, ?5, ?5, ?5) RETURNING id",
                    (user.id, user.first_name, LANGUAGES[p % 4], ZONES[p % 4], stamp),
                )
                row = await cursor.fetchone()
                assert row is not None
                ids.append(int(row[0]))
        repos = Repositories.from_db(db)
        first = now + timedelta(seconds=LEAD_IN) + REMIND_BEFORE
        for i in range(count):
            poster, other = ids[i % PEOPLE], ids[(i + 1) % PEOPLE]
            deadline = first + timedelta(seconds=i * SPACING)
            made = await repos.opportunities.create(
                poster, "funding", f"Kill O{i:04d}", "Kill-loop call.", ["climate"], [], [],
                deadline, ZONES[i % 4], None, now,
            )  # fmt: skip
            await repos.opportunities.add_interest(made.id, other, None, now)
    finally:
        await db.close()


def _messages(ledger: list[LedgerEntry]) -> dict[Key, list[LedgerEntry]]:
    found: dict[Key, list[LedgerEntry]] = defaultdict(list)
    for entry in ledger:
        title = TITLE.search(entry.text or "")
        if entry.kind == "send" and title is not None:
            found[(int(title.group(1)), entry.chat_id)].append(entry)
    return found


def _reminded(database: Path) -> int:
    with sqlite3.connect(database) as conn:
        (count,) = conn.execute(
            "SELECT count(*) FROM opportunities WHERE reminded_at IS NOT NULL"
        ).fetchone()
    conn.close()
    return int(count)


@pytest.mark.timeout(120 + 15 * KILLS)
async def test_kill_9_while_deadlines_come_due_loses_none_and_doubles_at_most_one_per_kill(
    tmp_path: Path,
) -> None:
    database, log = tmp_path / "bot.sqlite3", tmp_path / "bot.log"
    count = PER_CYCLE * (KILLS + 1)
    async with Emulator(TOKEN, rtt=RTT) as emulator:
        users = [emulator.add_user(f"Poster{p}", started=True) for p in range(PEOPLE)]
        expected = {(i, users[j % PEOPLE].id) for i in range(count) for j in (i, i + 1)}
        await _seed(database, users, count)
        environment = bot_environment(TOKEN, emulator.api_root, database)
        loop = KillLoop(emulator, environment, log, random.Random(SEED))

        def delivered() -> int:
            return len(_messages(emulator.ledger))

        for cycle in range(KILLS):
            await loop.cycle(delivered, target=len(expected))
            print(f"kill {cycle + 1}: {delivered()} of {len(expected)} reminders in")
        code = await loop.drain(
            lambda: set(_messages(emulator.ledger)) >= expected, timeout=60 + count * SPACING
        )
        copies = _messages(list(emulator.ledger))

    loop.assert_sound(code, database, TOKEN)
    per_kill = loop.assert_each_once_or_twice(copies, expected)
    print(
        f"opportunity kill loop: seed {SEED}, {KILLS} kills, {count} opportunities,"
        f" {len(expected)} reminders, {sum(per_kill.values())} doubled (at most"
        f" {max(per_kill.values(), default=0)} per kill)"
    )

    assert _reminded(database) == count
    assert outbox_statuses(database) == Counter({"sent": len(expected)})
