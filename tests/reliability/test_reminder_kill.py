"""kill -9 while meeting reminders come due, again and again; restarted each time against one
emulator that outlives every process.

Before the first start the database holds meetings (as /meet leaves them, in several zones) of
small working groups whose members started the bot (in four languages); one reminder each,
falling due every ``SPACING`` seconds from a few seconds after the seeding, for as long as the
kills take. Every cycle starts ``wnmrc-bot run``, waits until it delivers a reminder message,
lets it work for a seeded random while and kills it; the due reminders are being fanned out and
sent at that moment. A last process catches up and stops with SIGTERM.

From the ledger and the database: every reminder reached every member of its meeting's group
(none was missed: the downtimes are seconds, far from the meetings' starts, so
``bot.meetings.reminder_fates`` sends each — ``late`` past its grace), at most one message
doubled per kill, every outbox row ``sent``, ``PRAGMA integrity_check`` ok, the token in no log
line. ``WNMRC_KILL_LOOP`` sets the number of kills (2 by default), ``WNMRC_KILL_SEED`` the
random moments.
"""

from __future__ import annotations

import os
import random
import re
import sqlite3
import time
from collections import Counter, defaultdict
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.clock import SystemClock
from sandbox.emulator import Emulator, LedgerEntry, SimUser
from storage import Database, Repositories
from storage.meetings import NewMeeting
from storage.timecodec import to_db

from ..conftest import TOKEN
from .processes import KillLoop, bot_environment, outbox_statuses

pytestmark = pytest.mark.slow

KILLS = int(os.environ.get("WNMRC_KILL_LOOP", "2"))
SEED = int(os.environ.get("WNMRC_KILL_SEED", "20261124"))
GROUPS = 8
MEMBERS = 2
"""Members per group: each reminder is two private messages."""
SPACING = 0.35
"""Seconds between due times: a group's reminders are ``GROUPS * SPACING`` apart (over the
one message per second a private chat takes)."""
REMINDERS_PER_CYCLE = 8
LEAD_IN = 3.0
RTT = 0.02
ZONES = ("Europe/Madrid", "America/Lima", "Asia/Shanghai", "Africa/Nairobi")
LANGUAGES = ("en", "es", "fr", "zh")
TITLE = re.compile(r"Kill R(\d{4})")
DONE = ("sent", "late")


async def _seed(database: Path, members: list[list[SimUser]], reminders: int) -> None:
    """The groups, their members and one meeting per reminder, due from ``LEAD_IN`` on."""
    now = SystemClock().now()
    stamp = to_db(now)
    db = await Database.open(database)
    try:
        await db.migrate()
        group_ids: list[int] = []
        async with db.transaction() as conn:
            for g, people in enumerate(members):
                cursor = await conn.execute(
                    "INSERT INTO working_groups (slug, theme, timezone, created_at, updated_at)"
                    " VALUES (?, 'climate', ?, ?, ?) RETURNING id",
                    (f"kill-{g}", ZONES[g % len(ZONES)], stamp, stamp),
                )
                row = await cursor.fetchone()
                assert row is not None
                group_ids.append(int(row[0]))
                for p, user in enumerate(people):
                    language = LANGUAGES[(g + p) % len(LANGUAGES)]
                    cursor = await conn.execute(
                        "INSERT INTO people (telegram_id, first_name, telegram_language,"
                        " timezone, started_at, created_at, updated_at)"
                        " VALUES (?, ?, ?, ?, ?5, ?5, ?5) RETURNING id",
                        (user.id, user.first_name, language, ZONES[p % len(ZONES)], stamp),
                    )
                    person = await cursor.fetchone()
                    assert person is not None
                    await conn.execute(
                        "INSERT INTO group_members (group_id, person_id, joined_at)"
                        " VALUES (?, ?, ?)",
                        (group_ids[-1], int(person[0]), stamp),
                    )
        repos = Repositories.from_db(db)
        first_due = now + timedelta(seconds=LEAD_IN)
        for i in range(reminders):
            await _meeting(repos, i, group_ids[i % GROUPS], first_due, now)
    finally:
        await db.close()


async def _meeting(
    repos: Repositories, index: int, group_id: int, first_due: datetime, now: datetime
) -> None:
    start = first_due + timedelta(seconds=index * SPACING, minutes=10)
    zone = ZoneInfo(ZONES[index % len(ZONES)])
    await repos.meetings.create(
        NewMeeting(
            title=f"Kill R{index:04d}",
            timezone=zone.key,
            local_start=start.astimezone(zone).replace(tzinfo=None),
            starts_at=start,
            duration_minutes=30,
            reminder_offsets=(10,),
            group_ids=(group_id,),
        ),
        [start],
        now,
    )


def _reminder_messages(ledger: list[LedgerEntry]) -> dict[tuple[int, int], list[LedgerEntry]]:
    """(reminder number, chat) -> the copies of that reminder in that chat."""
    found: dict[tuple[int, int], list[LedgerEntry]] = defaultdict(list)
    for entry in ledger:
        match = TITLE.search(entry.text or "") if entry.kind == "send" else None
        if match is not None:
            found[(int(match.group(1)), entry.chat_id)].append(entry)
    return found


def _statuses(database: Path) -> dict[int, str]:
    with sqlite3.connect(database) as conn:
        rows = conn.execute(
            "SELECT m.title, r.status FROM meeting_reminders AS r"
            " JOIN meeting_occurrences AS o ON o.id = r.occurrence_id"
            " JOIN meetings AS m ON m.id = o.meeting_id"
        ).fetchall()
    conn.close()
    return {int(title.split("R")[1]): status for title, status in rows}


@pytest.mark.timeout(120 + 15 * KILLS)
async def test_kill_9_while_reminders_come_due_loses_none_and_doubles_at_most_one_per_kill(
    tmp_path: Path,
) -> None:
    database, log = tmp_path / "bot.sqlite3", tmp_path / "bot.log"
    reminders = REMINDERS_PER_CYCLE * (KILLS + 1)
    began = time.monotonic()
    async with Emulator(TOKEN, rtt=RTT) as emulator:
        members = [
            [emulator.add_user(f"Member{g}-{p}", started=True) for p in range(MEMBERS)]
            for g in range(GROUPS)
        ]
        expected = {(i, user.id) for i in range(reminders) for user in members[i % GROUPS]}
        await _seed(database, members, reminders)
        environment = bot_environment(TOKEN, emulator.api_root, database)
        loop = KillLoop(emulator, environment, log, random.Random(SEED))

        def delivered() -> int:
            return len(_reminder_messages(emulator.ledger))

        for cycle in range(KILLS):
            await loop.cycle(delivered, target=len(expected))
            print(f"kill {cycle + 1}: {delivered()} of {len(expected)} reminder messages in")
        code = await loop.drain(
            lambda: set(_reminder_messages(emulator.ledger)) >= expected,
            timeout=60 + reminders * SPACING,
        )
        copies = _reminder_messages(list(emulator.ledger))
        too_many_requests = emulator.stats.too_many_requests

    loop.assert_sound(code, database, TOKEN)
    per_kill = loop.assert_each_once_or_twice(copies, expected)
    statuses = _statuses(database)
    print(
        f"reminder kill loop: seed {SEED}, {KILLS} kills, {reminders} reminders,"
        f" {len(expected)} messages, {sum(per_kill.values())} doubled (at most"
        f" {max(per_kill.values(), default=0)} per kill), statuses {Counter(statuses.values())},"
        f" {too_many_requests} 429s, {time.monotonic() - began:.0f} s"
    )

    assert len(statuses) == reminders
    assert set(statuses.values()) <= set(DONE), Counter(statuses.values())
    assert outbox_statuses(database) == Counter({"sent": len(expected)})
