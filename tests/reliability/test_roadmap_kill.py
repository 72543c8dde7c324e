"""kill -9 while the roadmap's nudges come due, again and again; restarted each time against one
emulator that outlives every process (the roadmap's due work, covered as the meeting reminders
are in ``test_reminder_kill.py``).

Before the first start the database holds owners who started the bot (in four languages and
zones) and actions due in two days, each with its owners' 1-day nudge rows falling due one after
another from a few seconds after the seeding (as ``RoadmapService`` plans them). Every cycle
starts ``wnmrc-bot run``, waits until it delivers one more nudge, lets it work for a seeded
random while and kills it.

From the ledger and the database: every nudge reached its owner, at most one extra copy per
kill (the message in flight at it), every nudge row ``sent``, every outbox row ``sent``,
``PRAGMA integrity_check`` ok, the token in no log line. ``WNMRC_KILL_LOOP`` sets the number
of kills (2 by default), ``WNMRC_KILL_SEED`` the random moments.
"""

from __future__ import annotations

import os
import random
import re
import sqlite3
from collections import Counter, defaultdict
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.clock import SystemClock
from bot.roadmap.rules import Due
from sandbox.emulator import Emulator, LedgerEntry, SimUser
from storage import Database, Repositories

from ..conftest import TOKEN
from .processes import KillLoop, bot_environment, outbox_statuses

pytestmark = pytest.mark.slow

KILLS = int(os.environ.get("WNMRC_KILL_LOOP", "2"))
SEED = int(os.environ.get("WNMRC_KILL_SEED", "20261203"))
OWNERS = 8
SPACING = 0.4
PER_CYCLE = 5
LEAD_IN = 3.0
RTT = 0.02
ZONES = ("Europe/Madrid", "America/Lima", "Asia/Shanghai", "Africa/Nairobi")
LANGUAGES = ("en", "es", "fr", "zh")
TITLE = re.compile(r"Kill A(\d{4})")

Key = tuple[int, int]
"""(action number, chat)."""


async def _seed(database: Path, owners: list[SimUser], count: int) -> None:
    """The owners, and ``count`` actions with a nudge each, due ``SPACING`` apart."""
    now = SystemClock().now()
    db = await Database.open(database)
    try:
        await db.migrate()
        repos = Repositories.from_db(db)
        people = []
        for index, user in enumerate(owners):
            person = await repos.people.upsert_from_telegram(
                telegram_id=user.id,
                first_name=user.first_name,
                last_name=None,
                username=None,
                language_code=LANGUAGES[index % len(LANGUAGES)],
                private=True,
                now=now,
            )
            await repos.people.set_timezone(person.id, ZONES[index % len(ZONES)], now)
            people.append(person.id)
        zone = ZoneInfo("Europe/Madrid")
        due = Due((now + timedelta(days=2)).astimezone(zone).date(), None, zone.key)
        first = now + timedelta(seconds=LEAD_IN)
        async with repos.unit() as uow:
            for i in range(count):
                owner = people[i % len(people)]
                action_id = await uow.roadmap.create_action(
                    objective_id=None,
                    group_id=None,
                    title=f"Kill A{i:04d}",
                    description=None,
                    due_date=due.day,
                    due_time=None,
                    due_zone=due.zone,
                    due_at=due.at,
                    owners=[owner],
                    created_by=None,
                    now=now,
                )
                at = first + timedelta(seconds=i * SPACING)
                await uow.roadmap.plan_nudges([(action_id, owner, "day", at)])
    finally:
        await db.close()


def _messages(ledger: list[LedgerEntry]) -> dict[Key, list[LedgerEntry]]:
    found: dict[Key, list[LedgerEntry]] = defaultdict(list)
    for entry in ledger:
        title = TITLE.search(entry.text or "") if entry.kind == "send" else None
        if title is not None:
            found[(int(title.group(1)), entry.chat_id)].append(entry)
    return found


def _nudge_statuses(database: Path) -> Counter[str]:
    with sqlite3.connect(database) as conn:
        rows = conn.execute("SELECT status FROM roadmap_nudges WHERE kind = 'day'").fetchall()
    conn.close()
    return Counter(status for (status,) in rows)


@pytest.mark.timeout(120 + 15 * KILLS)
async def test_kill_9_while_roadmap_nudges_come_due_loses_none_and_doubles_at_most_one_per_kill(
    tmp_path: Path,
) -> None:
    database, log = tmp_path / "bot.sqlite3", tmp_path / "bot.log"
    count = PER_CYCLE * (KILLS + 1)
    async with Emulator(TOKEN, rtt=RTT) as emulator:
        owners = [emulator.add_user(f"Owner{i}", started=True) for i in range(OWNERS)]
        expected = {(i, owners[i % OWNERS].id) for i in range(count)}
        await _seed(database, owners, count)
        environment = bot_environment(TOKEN, emulator.api_root, database)
        loop = KillLoop(emulator, environment, log, random.Random(SEED))
        for _ in range(KILLS):
            await loop.cycle(lambda: len(_messages(emulator.ledger)), target=len(expected))
        code = await loop.drain(
            lambda: set(_messages(emulator.ledger)) >= expected, timeout=60 + count * SPACING
        )
        copies = _messages(list(emulator.ledger))

    loop.assert_sound(code, database, TOKEN)
    loop.assert_each_once_or_twice(copies, expected)
    assert _nudge_statuses(database) == Counter({"sent": count})
    assert outbox_statuses(database) == Counter({"sent": count})
