"""Composing digests for 500, 5,000 and 50,000 members: time per size and how it grows.

A real SQLite file per size, filled through the repositories in one unit of work (so a
migration that breaks them breaks the smoke test): the network's working groups, the
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
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bench.harness import SMALLEST, TOKEN, progress
from bot.app import build_application
from bot.clock import SystemClock
from bot.digests import DigestTarget, TargetKind
from bot.digests.providers import section_providers
from bot.digests.service import Digest, DigestsService
from bot.heap import freeze_startup_heap
from config import load_settings
from storage import Database, Repositories
from storage.meetings import NewMeeting

SIZES = (50, 100) if SMALLEST else (500, 5_000, 50_000)
NEW_SHARE = 0.1
"""The members who joined within the digest's period."""
REPEATS = 1 if SMALLEST else 3
PERIOD = timedelta(days=7)
COUNTRIES = ("PE", "ES", "CN", "FR", "KE", "NP", "AR", "IT", "MX", "CA", "KG", "ET")


@dataclass(frozen=True)
class Scale:
    """One size: how many members, the digest's period, the working groups' ids."""

    members: int
    since: datetime
    until: datetime
    group_ids: tuple[int, ...]


async def seed_members(repos: Repositories, scale: Scale) -> None:
    """People in the working groups; ``NEW_SHARE`` of them joined within the period."""
    new_from = scale.members - int(scale.members * NEW_SHARE)
    period = (scale.until - scale.since).total_seconds()
    old = scale.since - timedelta(days=30)
    groups = scale.group_ids
    for index in range(scale.members):
        person = await repos.people.upsert_from_telegram(
            telegram_id=10_000_000 + index,
            first_name=f"Member{index}",
            last_name=f"Family{index % 997}",
            username=None,
            language_code="en",
            private=True,
            now=old,
        )
        await repos.people.update_profile(
            person.id,
            old,
            reserve=f"Reserve {index % 311}",
            country=COUNTRIES[index % len(COUNTRIES)],
        )
        joined = old
        if index >= new_from:
            offset = period * (index - new_from + 1) / (scale.members - new_from + 1)
            joined = scale.since + timedelta(seconds=offset)
        await repos.groups.join(groups[index % len(groups)], person.id, joined, "bot")
        if index % 5 == 0:
            await repos.groups.join(groups[(index + 1) % len(groups)], person.id, joined, "bot")


MEMBERS_PER_MEETING = 50
"""One meeting for every this many members (10 at 500, 1,000 at 50,000)."""
MEETING_ZONES = ("Europe/Madrid", "America/Lima", "Asia/Shanghai", "Africa/Nairobi")
REMINDER_OFFSETS = (10080, 1440, 60, 10)


async def seed_meetings(repos: Repositories, scale: Scale) -> None:
    """Meetings of the working groups from a week before the digest to four weeks after it
    (about half inside the upcoming section's two weeks), one in ten cancelled, every fourth
    weekly with four occurrences; each with its reminder rows (as /meet saves them)."""
    count = max(1, scale.members // MEMBERS_PER_MEETING)
    created = scale.since - timedelta(days=30)
    span = timedelta(days=35).total_seconds()
    for index in range(count):
        first = scale.until - timedelta(days=7) + timedelta(seconds=span * index / count)
        weekly = index % 4 == 0
        zone = ZoneInfo(MEETING_ZONES[index % len(MEETING_ZONES)])
        groups = {scale.group_ids[index % len(scale.group_ids)]}
        if index % 7 == 0:  # some are for two groups
            groups.add(scale.group_ids[(index + 1) % len(scale.group_ids)])
        meeting = await repos.meetings.create(
            NewMeeting(
                title=f"Follow-up meeting {index}",
                timezone=zone.key,
                local_start=first.astimezone(zone).replace(tzinfo=None),
                starts_at=first,
                duration_minutes=60,
                rrule="FREQ=WEEKLY" if weekly else None,
                reminder_offsets=REMINDER_OFFSETS,
                group_ids=tuple(sorted(groups)),
            ),
            [first + timedelta(weeks=week) for week in range(4 if weekly else 1)],
            created,
        )
        if index % 10 == 9:
            await repos.meetings.cancel(meeting.id, created)


MEMBERS_PER_EXPERIENCE = 25
"""One experience for every this many members (20 at 500, 2,000 at 50,000)."""


async def seed_experiences(repos: Repositories, scale: Scale) -> None:
    """Experiences of the groups' themes (every sixth of two themes), each with its history:
    half submitted within the period, the rest a month before and some of those selected
    within it (two in five of them); one in ten withdrawn (not told)."""
    by_id = {group.id: group for group in await repos.groups.list()}
    slugs = [by_id[group_id].slug for group_id in scale.group_ids]
    count = max(1, scale.members // MEMBERS_PER_EXPERIENCE)
    period = (scale.until - scale.since).total_seconds()
    before = scale.since - timedelta(days=30)
    for index in range(count):
        within = scale.since + timedelta(seconds=period * (index + 1) / (count + 1))
        themes = [slugs[index % len(slugs)]]
        if index % 6 == 0:
            themes.append(slugs[(index + 1) % len(slugs)])
        fields = {
            "title": f"Experience {index}",
            "reserve": f"Reserve {index % 311}",
            "country": COUNTRIES[index % len(COUNTRIES)],
            "themes": themes,
            "summary": "Summary.",
        }
        submitted = within if index % 2 == 0 else before
        experience = await repos.experiences.create(None, "en", fields, submitted)
        if index % 10 == 9:
            await repos.experiences.set_status(experience.id, "withdrawn", within)
        elif index % 2 == 1 and index % 5 in (1, 3):
            await repos.experiences.set_status(experience.id, "selected", within)


async def seed_opportunities(repos: Repositories, scale: Scale) -> None:
    """Open opportunities of the groups' themes, one per 50 members, posted within the period
    (every third with a deadline a month later)."""
    by_id = {group.id: group for group in await repos.groups.list()}
    slugs = [by_id[group_id].slug for group_id in scale.group_ids]
    count = max(1, scale.members // 50)
    period = (scale.until - scale.since).total_seconds()
    kinds = ("project", "funding", "internship", "exchange", "placement", "call")
    for index in range(count):
        posted = scale.since + timedelta(seconds=period * (index + 1) / (count + 1))
        deadline = posted + timedelta(days=30) if index % 3 == 0 else None
        opportunity = await repos.opportunities.create(
            1, kinds[index % len(kinds)], f"Opportunity {index}", "Text.",
            [slugs[index % len(slugs)]], [], [], deadline, None, None, posted,
        )  # fmt: skip
        assert opportunity.id > 0


async def seed_roadmap(repos: Repositories, scale: Scale) -> None:
    """Roadmap actions of the groups (one for every 25 members; bench/roadmap.py)."""
    from bench.roadmap import seed_actions

    await seed_actions(repos, scale.members // 25, scale.until)


SEEDERS: list[Callable[[Repositories, Scale], Awaitable[None]]] = [
    seed_members,
    seed_meetings,
    seed_experiences,
    seed_opportunities,
    seed_roadmap,
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


async def _fill(repos: Repositories, scale: Scale) -> None:
    """Every seeder, through the repositories, in one unit of work."""
    async with repos.unit() as uow:
        for seeder in SEEDERS:
            await seeder(uow, scale)


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
            await _fill(repos, scale)
            zone = ZoneInfo("Europe/Madrid")
            largest = groups[0]  # members are dealt round the groups from the first
            last = await repos.people.by_telegram_id(10_000_000 + members - 1)
            assert last is not None
            person_id = last.id
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
