"""Composing digests for 500, 5,000 and 50,000 members: time per size and how it grows.

A real SQLite file per size, filled straight through SQL: the network's working groups, the
members spread over them (every fifth in a second group), their reserves and countries, and a
tenth of them new within the digest's period. Then ``DigestsService.compose`` (the code the
digests' due work runs) composes, in the same process, the network digest (every group), the
digest of the largest group and a personal digest, so every provider in ``bot/digests/providers.py``
``section_providers()`` is asked for its section (their names are in ``providers``).

A feature that adds a provider adds a seeder to ``SEEDERS`` that fills its tables in proportion
to the members (``Scale``), so its section has items at every size.

``ratio_growth_B_vs_A`` is the composing time at B members over the time at A, divided by B/A:
1.0 is linear growth, above 1 grows faster than the members do.
"""

from __future__ import annotations

import itertools
import json
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bench.harness import TOKEN, progress
from bot.app import build_application
from bot.clock import SystemClock
from bot.digests import DigestTarget, TargetKind
from bot.digests.providers import section_providers
from bot.digests.service import Digest, DigestsService
from bot.heap import freeze_startup_heap
from config import load_settings
from storage import Database, Repositories
from storage.timecodec import to_db

SIZES = (500, 5_000, 50_000)
NEW_SHARE = 0.1
"""The members who joined within the digest's period."""
REPEATS = 3
PERIOD = timedelta(days=7)
COUNTRIES = ("PE", "ES", "CN", "FR", "KE", "NP", "AR", "IT", "MX", "CA", "KG", "ET")


@dataclass(frozen=True)
class Scale:
    """One size: how many members, the digest's period, the working groups' ids."""

    members: int
    since: datetime
    until: datetime
    group_ids: tuple[int, ...]


def seed_members(conn: sqlite3.Connection, scale: Scale) -> None:
    """People in the working groups; ``NEW_SHARE`` of them joined within the period."""
    new_from = scale.members - int(scale.members * NEW_SHARE)
    period = (scale.until - scale.since).total_seconds()
    old = to_db(scale.since - timedelta(days=30))
    people = [
        (
            10_000_000 + i,
            f"Member{i}",
            f"Family{i % 997}",
            f"Reserve {i % 311}",
            COUNTRIES[i % len(COUNTRIES)],
            old,
        )
        for i in range(scale.members)
    ]
    conn.executemany(
        "INSERT INTO people (telegram_id, first_name, last_name, reserve, country,"
        " started_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?6, ?6, ?6)",
        people,
    )
    ids = [row[0] for row in conn.execute("SELECT id FROM people ORDER BY id")]
    groups = scale.group_ids
    members = []
    for index, person_id in enumerate(ids):
        joined = old
        if index >= new_from:
            offset = period * (index - new_from + 1) / (scale.members - new_from + 1)
            joined = to_db(scale.since + timedelta(seconds=offset))
        members.append((groups[index % len(groups)], person_id, joined))
        if index % 5 == 0:
            members.append((groups[(index + 1) % len(groups)], person_id, joined))
    conn.executemany(
        "INSERT INTO group_members (group_id, person_id, joined_at) VALUES (?, ?, ?)", members
    )


MEMBERS_PER_MEETING = 50
"""One meeting for every this many members (10 at 500, 1,000 at 50,000)."""
MEETING_ZONES = ("Europe/Madrid", "America/Lima", "Asia/Shanghai", "Africa/Nairobi")


def seed_meetings(conn: sqlite3.Connection, scale: Scale) -> None:
    """Meetings of the working groups from a week before the digest to four weeks after it
    (about half inside the upcoming section's two weeks), one in ten cancelled, every fourth
    weekly with four occurrences; each with its reminder rows."""
    count = max(1, scale.members // MEMBERS_PER_MEETING)
    created = to_db(scale.since - timedelta(days=30))
    span = timedelta(days=35).total_seconds()
    for index in range(count):
        first = scale.until - timedelta(days=7) + timedelta(seconds=span * index / count)
        weekly = index % 4 == 0
        status = "cancelled" if index % 10 == 9 else "scheduled"
        zone = ZoneInfo(MEETING_ZONES[index % len(MEETING_ZONES)])
        meeting_id = conn.execute(
            "INSERT INTO meetings (title, timezone, local_start, starts_at, duration_minutes,"
            " rrule, status, created_at, updated_at) VALUES (?, ?, ?, ?, 60, ?, ?, ?7, ?7)"
            " RETURNING id",
            (
                f"Follow-up meeting {index}",
                zone.key,
                first.astimezone(zone).strftime("%Y-%m-%dT%H:%M"),
                to_db(first),
                "FREQ=WEEKLY" if weekly else None,
                status,
                created,
            ),
        ).fetchone()[0]
        groups = {scale.group_ids[index % len(scale.group_ids)]}
        if index % 7 == 0:  # some are for two groups
            groups.add(scale.group_ids[(index + 1) % len(scale.group_ids)])
        conn.executemany(
            "INSERT INTO meeting_groups (meeting_id, group_id) VALUES (?, ?)",
            [(meeting_id, group_id) for group_id in sorted(groups)],
        )
        for week in range(4 if weekly else 1):
            start = first + timedelta(weeks=week)
            occurrence_id = conn.execute(
                "INSERT INTO meeting_occurrences (meeting_id, starts_at, ends_at, status)"
                " VALUES (?, ?, ?, ?) RETURNING id",
                (meeting_id, to_db(start), to_db(start + timedelta(hours=1)), status),
            ).fetchone()[0]
            conn.executemany(
                "INSERT INTO meeting_reminders (occurrence_id, offset_minutes, due_at)"
                " VALUES (?, ?, ?)",
                [
                    (occurrence_id, minutes, to_db(start - timedelta(minutes=minutes)))
                    for minutes in (10080, 1440, 60, 10)
                ],
            )


MEMBERS_PER_EXPERIENCE = 25
"""One experience for every this many members (20 at 500, 2,000 at 50,000)."""


def seed_experiences(conn: sqlite3.Connection, scale: Scale) -> None:
    """Experiences of the groups' themes (every sixth of two themes), each with its history:
    half submitted within the period, the rest a month before and some of those selected
    within it (two in five of them); one in ten withdrawn (not told)."""
    slugs = [
        row[0]
        for row in conn.execute(
            f"SELECT slug FROM working_groups WHERE id IN ({','.join('?' * len(scale.group_ids))})",
            scale.group_ids,
        )
    ]
    count = max(1, scale.members // MEMBERS_PER_EXPERIENCE)
    period = (scale.until - scale.since).total_seconds()
    before = scale.since - timedelta(days=30)
    for index in range(count):
        within = scale.since + timedelta(seconds=period * (index + 1) / (count + 1))
        submitted = within if index % 2 == 0 else before
        changes = [("submitted", submitted)]
        if index % 10 == 9:
            changes.append(("withdrawn", within))
        elif index % 2 == 1 and index % 5 in (1, 3):
            changes.append(("selected", within))
        themes = [slugs[index % len(slugs)]]
        if index % 6 == 0:
            themes.append(slugs[(index + 1) % len(slugs)])
        status, last = changes[-1]
        experience_id = conn.execute(
            "INSERT INTO experiences (status, language, title, reserve, country, themes, summary,"
            " submitted_at, decided_at, created_at, updated_at)"
            " VALUES (?, 'en', ?, ?, ?, ?, 'Summary.', ?, ?, ?8, ?9) RETURNING id",
            (
                status,
                f"Experience {index}",
                f"Reserve {index % 311}",
                COUNTRIES[index % len(COUNTRIES)],
                json.dumps(themes),
                to_db(submitted),
                to_db(last) if status == "selected" else None,
                to_db(submitted),
                to_db(last),
            ),
        ).fetchone()[0]
        conn.executemany(
            "INSERT INTO experience_history (experience_id, status, changed_at) VALUES (?, ?, ?)",
            [(experience_id, change, to_db(at)) for change, at in changes],
        )


SEEDERS: list[Callable[[sqlite3.Connection, Scale], None]] = [
    seed_members,
    seed_meetings,
    seed_experiences,
]
"""What each section provider needs in the database, in proportion to the members."""


async def _open(folder: Path) -> tuple[DigestsService, Repositories]:
    settings = load_settings(
        bot_token=TOKEN, bot_api_url="http://127.0.0.1:9", database_path=folder / "bot.sqlite3"
    )
    application = build_application(settings, publish_command_menus=False)
    services = application.services
    db = await Database.open(settings.database_path)
    await db.migrate()
    repos = Repositories.from_db(db)
    await repos.groups.seed(services.network.groups, services.clock.now())
    services.attach(repos)
    freeze_startup_heap()  # as ``wnmrc-bot run`` does once the application is built
    return services.digests, repos


def _fill(path: Path, scale: Scale) -> None:
    with sqlite3.connect(path) as conn:
        for seeder in SEEDERS:
            seeder(conn, scale)
    conn.close()


async def _timed(
    digests: DigestsService, target: DigestTarget, scale: Scale
) -> tuple[float, Digest]:
    times = []
    digest = None
    for _ in range(REPEATS):
        started = time.perf_counter()
        digest = await digests.compose(target, scale.since, scale.until)
        times.append(time.perf_counter() - started)
    assert digest is not None
    return statistics.median(times), digest


async def _one_size(members: int) -> tuple[dict[str, float], list[str]]:
    with tempfile.TemporaryDirectory(prefix="wnmrc-bench-") as folder:
        digests, repos = await _open(Path(folder))
        try:
            until = SystemClock().now()
            groups = await repos.groups.list()
            scale = Scale(members, until - PERIOD, until, tuple(group.id for group in groups))
            _fill(repos.db.path, scale)
            zone = ZoneInfo("Europe/Madrid")
            largest = groups[0]  # members are dealt round the groups from the first
            person_id = int(await repos.db.fetch_value("SELECT max(id) FROM people"))
            targets = {
                "network": DigestTarget(
                    TargetKind.NETWORK, 1, frozenset(scale.group_ids), zone, "en"
                ),
                "group": DigestTarget(
                    TargetKind.GROUP, 2, frozenset({largest.id}), zone, "es", title="Clima"
                ),
                "person": DigestTarget(
                    TargetKind.PERSON,
                    3,
                    frozenset(scale.group_ids[:2]),
                    zone,
                    "fr",
                    person_id=person_id,
                ),
            }
            figures: dict[str, float] = {}
            for name, target in targets.items():
                seconds, digest = await _timed(digests, target, scale)
                figures[f"{name}_seconds"] = round(seconds, 4)
                figures[f"{name}_items"] = float(len(digest.keys))
                figures[f"{name}_messages"] = float(len(digest.messages))
            return figures, [type(p).__name__ for p in section_providers(repos)]
        finally:
            await repos.db.close()


def _growth(times: dict[int, float], small: int, large: int) -> float:
    return round((times[large] / times[small]) / (large / small), 3)


async def run() -> dict[str, object]:
    results: dict[str, object] = {
        "sizes": list(SIZES),
        "new_member_share": NEW_SHARE,
        "repeats": REPEATS,
    }
    network: dict[int, float] = {}
    for members in SIZES:
        progress(f"digest: {members} members")
        figures, providers = await _one_size(members)
        results["providers"] = providers
        results[f"members_{members}"] = figures
        network[members] = figures["network_seconds"]
    for small, large in itertools.pairwise(SIZES):
        results[f"ratio_growth_{large}_vs_{small}"] = _growth(network, small, large)
    return results


if __name__ == "__main__":
    import asyncio

    print(json.dumps(asyncio.run(run()), indent=2))
