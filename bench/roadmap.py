"""The roadmap at two sizes: listing 1,000 and 2,000 actions, and its digest section for 2,500
and 5,000 members; time per size and how it grows.

A real SQLite file per size, filled through the repositories in one unit of work: the network's
working groups, members spread over them, and actions (one for every 2.5 members in the digest
part) under objectives, each with one or two owners and a due date from a month before to two
months after now (so some are overdue, some due within two weeks), one in ten done this week.

* ``listing``: ``RoadmapService.page("all", …)`` (what ``/roadmap all`` runs: every action read,
  ordered overdue first then by due date, one page cut) and ``my_tasks`` for one owner;
* ``digest``: ``RoadmapProvider.section`` for the network digest (every group) and a group's.

``ratio_growth_B_vs_A`` is the time at size B over the time at A, divided by B/A: 1.0 is linear
growth, above 1 grows faster than the roadmap does.
"""

from __future__ import annotations

import itertools
import statistics
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bench.harness import SMALLEST, TOKEN, progress
from bot.app import build_application
from bot.clock import SystemClock
from bot.digests import DigestTarget, TargetKind
from bot.digests.rules import DigestRequest
from bot.roadmap.digest import RoadmapProvider
from bot.roadmap.rules import Due
from bot.roadmap.service import RoadmapService
from config import load_settings
from storage import Database, Repositories

ACTIONS = (50, 100) if SMALLEST else (1_000, 2_000)
MEMBERS = (50, 100) if SMALLEST else (2_500, 5_000)
MEMBERS_PER_ACTION = 2.5
REPEATS = 1 if SMALLEST else 5
ZONES = ("Europe/Madrid", "America/Lima", "Asia/Shanghai", "Africa/Nairobi")


async def seed(repos: Repositories, members: int, actions: int, now: datetime) -> None:
    """Members in the groups, objectives, and actions with owners and due dates."""
    groups = [g.id for g in await repos.groups.list()]
    for index in range(members):
        person = await repos.people.upsert_from_telegram(
            telegram_id=20_000_000 + index,
            first_name=f"Member{index}",
            last_name=None,
            username=None,
            language_code="en",
            private=True,
            now=now - timedelta(days=60),
        )
        await repos.people.set_timezone(person.id, ZONES[index % len(ZONES)], now)
        await repos.groups.join(groups[index % len(groups)], person.id, now, "bot")
    await seed_actions(repos, actions, now)


async def seed_actions(repos: Repositories, actions: int, now: datetime) -> None:
    """Actions under objectives, owned by the people already there (one or two each)."""
    groups = [g.id for g in await repos.groups.list()]
    people = await repos.roadmap.person_ids()
    objectives = [
        await repos.roadmap.create_objective(f"Objective {i}", groups[i % len(groups)], None, now)
        for i in range(max(1, actions // 50))
    ]
    span = timedelta(days=90).total_seconds()
    for index in range(actions):
        at = now - timedelta(days=30) + timedelta(seconds=span * index / actions)
        due = Due(at.astimezone(ZoneInfo("Europe/Madrid")).date(), None, "Europe/Madrid")
        owners = [people[index % len(people)]]
        if index % 3 == 0:
            owners.append(people[(index * 7 + 1) % len(people)])
        action_id = await repos.roadmap.create_action(
            objective_id=objectives[index % len(objectives)],
            group_id=None if index % 10 == 0 else groups[index % len(groups)],
            title=f"Action {index}",
            description=None,
            due_date=due.day,
            due_time=None,
            due_zone=due.zone,
            due_at=due.at,
            owners=owners,
            created_by=None,
            now=now - timedelta(days=31),
        )
        if index % 10 == 5:
            await repos.roadmap.set_status(action_id, "done", None, now - timedelta(days=2))


async def _open(folder: Path) -> tuple[RoadmapService, Repositories]:
    settings = load_settings(
        bot_token=TOKEN, bot_api_url="http://127.0.0.1:9", database_path=folder / "bot.sqlite3"
    )
    services = build_application(settings, publish_command_menus=False).services
    db = await Database.open(settings.database_path)
    await db.migrate()
    repos = Repositories.from_db(db)
    await repos.groups.seed(services.network.groups, services.clock.now())
    services.attach(repos)
    return services.roadmap, repos


async def _median(call: object) -> float:
    times = []
    for _ in range(REPEATS):
        started = time.perf_counter()
        await call()  # type: ignore[operator]
        times.append(time.perf_counter() - started)
    return round(statistics.median(times), 5)


async def _one_size(members: int, actions: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="wnmrc-bench-roadmap-") as folder:
        roadmap, repos = await _open(Path(folder))
        try:
            now = SystemClock().now()
            async with repos.unit() as uow:
                await seed(uow, members, actions, now)
            groups = await repos.groups.list()
            owner = await repos.people.by_telegram_id(20_000_000)
            assert owner is not None
            zone = ZoneInfo("Europe/Madrid")
            tr = roadmap.i18n.translator("en")
            provider = RoadmapProvider(repos)
            network = DigestTarget(
                TargetKind.NETWORK, 1, frozenset(g.id for g in groups), zone, "en"
            )
            group = DigestTarget(TargetKind.GROUP, 2, frozenset({groups[0].id}), zone, "es")
            since = now - timedelta(days=7)
            page = await roadmap.page("all", owner.id, 0)
            section = await provider.section(DigestRequest(network, since, now, tr))
            return {
                "actions": float(page.total),
                "listing_seconds": await _median(lambda: roadmap.page("all", owner.id, 0)),
                "my_tasks_seconds": await _median(lambda: roadmap.my_tasks(owner.id)),
                "digest_network_seconds": await _median(
                    lambda: provider.section(DigestRequest(network, since, now, tr))
                ),
                "digest_group_seconds": await _median(
                    lambda: provider.section(DigestRequest(group, since, now, tr))
                ),
                "digest_network_items": float(len(section.items) if section else 0),
            }
        finally:
            await repos.db.close()


def _growth(small: float, large: float, ratio: float) -> float:
    return round((large / small) / ratio, 3) if small else 0.0


async def run() -> dict[str, object]:
    results: dict[str, object] = {
        "repeats": REPEATS,
        "actions": list(ACTIONS),
        "members": list(MEMBERS),
    }
    listing: dict[int, dict[str, float]] = {}
    for actions in ACTIONS:
        progress(f"roadmap: listing {actions} actions")
        listing[actions] = await _one_size(max(50, actions // 4), actions)
        results[f"listing_{actions}"] = listing[actions]
    digest: dict[int, dict[str, float]] = {}
    for members in MEMBERS:
        progress(f"roadmap: digest section for {members} members")
        digest[members] = await _one_size(members, int(members / MEMBERS_PER_ACTION))
        results[f"digest_{members}"] = digest[members]
    for small, large in itertools.pairwise(ACTIONS):
        results[f"ratio_listing_growth_{large}_vs_{small}"] = _growth(
            listing[small]["listing_seconds"], listing[large]["listing_seconds"], large / small
        )
    for small, large in itertools.pairwise(MEMBERS):
        results[f"ratio_digest_growth_{large}_vs_{small}"] = _growth(
            digest[small]["digest_network_seconds"],
            digest[large]["digest_network_seconds"],
            large / small,
        )
    return results
