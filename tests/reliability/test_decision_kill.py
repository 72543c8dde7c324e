"""kill -9 while proposals' nudges and closes come due, again and again; restarted each time
against one emulator that outlives every process (the decisions' due work, covered as the
meeting reminders are in ``test_reminder_kill.py``).

Before the first start the database holds small working groups whose members started the bot
(in four languages), and two kinds of proposal to them: some close one after another from a few
seconds after the seeding (their result goes to each member's post, the proposer is asked for
the outcome), the others close a day later, so their nudge to the undecided falls due one after
another in the same seconds. Every cycle starts ``wnmrc-bot run``, waits until it delivers one
more of these messages, lets it work for a seeded random while and kills it.

From the ledger and the database: every nudge and every result reached every member, every
proposer was asked for the outcome, at most one message doubled per kill, each proposal marked
nudged or closed exactly as due, every outbox row ``sent``, ``PRAGMA integrity_check`` ok, the
token in no log line. ``WNMRC_KILL_LOOP`` sets the number of kills (2 by default),
``WNMRC_KILL_SEED`` the random moments.
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

import pytest

from bot.clock import SystemClock
from sandbox.emulator import Emulator, LedgerEntry, SimUser
from storage import Database, Repositories
from storage.decisions import NewProposal
from storage.timecodec import to_db

from ..conftest import TOKEN
from .processes import KillLoop, bot_environment, outbox_statuses

pytestmark = pytest.mark.slow

KILLS = int(os.environ.get("WNMRC_KILL_LOOP", "2"))
SEED = int(os.environ.get("WNMRC_KILL_SEED", "20261203"))
GROUPS = 8
MEMBERS = 2
SPACING = 0.5
PER_CYCLE = 4
"""Proposals closing, and proposals nudging, per kill cycle."""
LEAD_IN = 3.0
RTT = 0.02
ZONES = ("Europe/Madrid", "America/Lima", "Asia/Shanghai", "Africa/Nairobi")
LANGUAGES = ("en", "es", "fr", "zh")
TITLE = re.compile(r"Kill (C|N)(\d{4})")
ASKED = re.compile(r"/outcome (\d+)")

Key = tuple[str, int, int]
"""(what: "C" result, "N" nudge, "A" outcome asked; proposal number or id; chat)."""


async def _seed(database: Path, members: list[list[SimUser]], count: int) -> None:
    """The groups and their members; ``count`` proposals closing and ``count`` nudging."""
    now = SystemClock().now()
    stamp = to_db(now)
    db = await Database.open(database)
    try:
        await db.migrate()
        group_ids: list[int] = []
        people: list[list[int]] = []
        async with db.transaction() as conn:
            for g, users in enumerate(members):
                cursor = await conn.execute(
                    "INSERT INTO working_groups (slug, theme, timezone, created_at, updated_at)"
                    " VALUES (?, 'climate', ?, ?, ?) RETURNING id",
                    (f"kill-{g}", ZONES[g % len(ZONES)], stamp, stamp),
                )
                row = await cursor.fetchone()
                assert row is not None
                group_ids.append(int(row[0]))
                people.append([])
                for p, user in enumerate(users):
                    language = LANGUAGES[(g + p) % len(LANGUAGES)]
                    cursor = await conn.execute(
                        "INSERT INTO people (telegram_id, first_name, telegram_language,"
                        " timezone, started_at, created_at, updated_at)"
                        " VALUES (?, ?, ?, ?, ?5, ?5, ?5) RETURNING id",
                        (user.id, user.first_name, language, ZONES[p % len(ZONES)], stamp),
                    )
                    person = await cursor.fetchone()
                    assert person is not None
                    people[-1].append(int(person[0]))
                    await conn.execute(
                        "INSERT INTO group_members (group_id, person_id, joined_at)"
                        " VALUES (?, ?, ?)",
                        (group_ids[-1], int(person[0]), stamp),
                    )
        repos = Repositories.from_db(db)
        first = now + timedelta(seconds=LEAD_IN)
        for i in range(count):
            g = i % GROUPS
            due = first + timedelta(seconds=i * SPACING)
            await _proposal(repos, f"Kill C{i:04d}", group_ids[g], people[g], members[g], due, now)
            nudge_at = due + timedelta(hours=24, seconds=SPACING / 2)
            await _proposal(
                repos, f"Kill N{i:04d}", group_ids[g], people[g], members[g], nudge_at, now
            )
    finally:
        await db.close()


async def _proposal(
    repos: Repositories,
    title: str,
    group_id: int,
    people: list[int],
    users: list[SimUser],
    closes_at: datetime,
    now: datetime,
) -> None:
    """A consent proposal as /propose leaves it: its posts in the members' private chats (a
    proposal closing within a day is never nudged)."""
    proposal = await repos.decisions.create(
        NewProposal(
            title=title,
            body="Kill-loop proposal.",
            kind="consent",
            group_id=group_id,
            timezone="Europe/Madrid",
            closes_at=closes_at,
            created_by=people[0],
        ),
        now,
    )
    if closes_at - now < timedelta(hours=24):
        await repos.decisions.mark(proposal.id, "nudged_at", now)
    async with repos.db.transaction() as conn:
        for person_id, user in zip(people, users, strict=True):
            await conn.execute(
                "INSERT INTO proposal_posts (proposal_id, chat_id, person_id) VALUES (?, ?, ?)",
                (proposal.id, user.id, person_id),
            )


def _messages(
    ledger: list[LedgerEntry], closing_ids: dict[int, int]
) -> dict[Key, list[LedgerEntry]]:
    found: dict[Key, list[LedgerEntry]] = defaultdict(list)
    for entry in ledger:
        if entry.kind != "send":
            continue
        text = entry.text or ""
        title, asked = TITLE.search(text), ASKED.search(text)
        if title is not None:
            found[(title.group(1), int(title.group(2)), entry.chat_id)].append(entry)
        elif asked is not None and int(asked.group(1)) in closing_ids:
            found[("A", closing_ids[int(asked.group(1))], entry.chat_id)].append(entry)
    return found


def _marks(database: Path) -> dict[str, tuple[bool, bool]]:
    """Title -> (nudged, closed)."""
    with sqlite3.connect(database) as conn:
        rows = conn.execute("SELECT title, nudged_at, closed_at FROM proposals").fetchall()
    conn.close()
    return {title: (nudged is not None, closed is not None) for title, nudged, closed in rows}


def _closing_ids(database: Path) -> dict[int, int]:
    """Proposal id -> number of the proposals that close during the test."""
    with sqlite3.connect(database) as conn:
        rows = conn.execute("SELECT id, title FROM proposals WHERE title LIKE 'Kill C%'")
        found = {int(pid): int(title[6:]) for pid, title in rows.fetchall()}
    conn.close()
    return found


@pytest.mark.timeout(120 + 15 * KILLS)
async def test_kill_9_while_proposals_nudge_and_close_loses_none_and_doubles_at_most_one_per_kill(
    tmp_path: Path,
) -> None:
    database, log = tmp_path / "bot.sqlite3", tmp_path / "bot.log"
    count = PER_CYCLE * (KILLS + 1)
    began = time.monotonic()
    async with Emulator(TOKEN, rtt=RTT) as emulator:
        members = [
            [emulator.add_user(f"Member{g}-{p}", started=True) for p in range(MEMBERS)]
            for g in range(GROUPS)
        ]
        expected: set[Key] = set()
        for i in range(count):
            users = members[i % GROUPS]
            expected |= {(kind, i, user.id) for kind in ("C", "N") for user in users}
            expected.add(("A", i, users[0].id))
        await _seed(database, members, count)
        closing = _closing_ids(database)
        environment = bot_environment(TOKEN, emulator.api_root, database)
        loop = KillLoop(emulator, environment, log, random.Random(SEED))

        def delivered() -> int:
            return len(_messages(emulator.ledger, closing))

        for cycle in range(KILLS):
            await loop.cycle(delivered, target=len(expected))
            print(f"kill {cycle + 1}: {delivered()} of {len(expected)} messages in")
        code = await loop.drain(
            lambda: set(_messages(emulator.ledger, closing)) >= expected,
            timeout=60 + count * SPACING,
        )
        copies = _messages(list(emulator.ledger), closing)

    loop.assert_sound(code, database, TOKEN)
    per_kill = loop.assert_each_once_or_twice(copies, expected)
    marks = _marks(database)
    print(
        f"decision kill loop: seed {SEED}, {KILLS} kills, {2 * count} proposals,"
        f" {len(expected)} messages, {sum(per_kill.values())} doubled (at most"
        f" {max(per_kill.values(), default=0)} per kill), {time.monotonic() - began:.0f} s"
    )

    assert all(marks[f"Kill C{i:04d}"] == (True, True) for i in range(count))
    assert all(marks[f"Kill N{i:04d}"] == (True, False) for i in range(count))
    assert outbox_statuses(database) == Counter({"sent": len(expected)})
