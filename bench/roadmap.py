"""The roadmap at two sizes: listing 1,000 and 2,000 actions, and its digest section for 2,500
and 5,000 members; time per size and how it grows.

A real SQLite file per size, filled through the repositories in one unit of work: the network's
working groups, members spread over them, and actions (one for every 2.5 members in the digest
part) under objectives, each with one or two owners and a due date from a month before to two
months after now (so some are overdue, some due within two weeks), one in ten done this week.

* ``listing``: ``RoadmapService.page("all", …)`` (what ``/roadmap all`` runs: every action read,
  ordered overdue first then by due date, one page cut) and ``my_tasks`` for one owner;
* ``digest``: ``RoadmapProvider.section`` for the network digest (every group) and a group's.

Times are the fastest of seven runs. ``ratio_*_growth_B_vs_A`` is the time at size B over the
time at A, divided by B/A: 1.0 is linear growth, above 1 grows faster than the roadmap does.
"""

from __future__ import annotations

import contextlib
import itertools
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bench.harness import SMALLEST, TOKEN, progress
from bot.app import build_application
from bot.clock import SystemClock
from bot.digests import DigestTarget, TargetKind
from bot.digests.rules import DigestRequest
from bot.heap import freeze_startup_heap
from bot.roadmap.digest import RoadmapProvider
from bot.roadmap.rules import Due
from bot.roadmap.service import RoadmapService
from config import load_settings
from storage import Database, Repositories

ACTIONS = (50, 100) if SMALLEST else (1_000, 2_000)
MEMBERS = (50, 100) if SMALLEST else (2_500, 5_000)
MEMBERS_PER_ACTION = 2.5
REPEATS = 1 if SMALLEST else 7
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


@dataclass
class World:
    """One size's database, seeded, with what its measurements ask."""

    roadmap: RoadmapService
    repos: Repositories
    owner_id: int
    network: DigestTarget
    group: DigestTarget
    now: datetime
    figures: dict[str, float] = field(default_factory=dict)

    def request(self, target: DigestTarget) -> DigestRequest:
        tr = self.roadmap.i18n.translator(target.language)
        return DigestRequest(target, self.now - timedelta(days=7), self.now, tr)


async def _world(folder: Path, members: int, actions: int) -> World:
    roadmap, repos = await _open(folder)
    now = SystemClock().now()
    async with repos.unit() as uow:
        await seed(uow, members, actions, now)
    groups = await repos.groups.list()
    owner = await repos.people.by_telegram_id(20_000_000)
    assert owner is not None
    zone = ZoneInfo("Europe/Madrid")
    network = DigestTarget(TargetKind.NETWORK, 1, frozenset(g.id for g in groups), zone, "en")
    group = DigestTarget(TargetKind.GROUP, 2, frozenset({groups[0].id}), zone, "es")
    world = World(roadmap, repos, owner.id, network, group, now)
    page = await roadmap.page("all", owner.id, 0)
    section = await RoadmapProvider(repos).section(world.request(network))
    world.figures["actions"] = float(page.total)
    world.figures["digest_network_items"] = float(len(section.items) if section else 0)
    return world


async def _sample(world: World) -> None:
    """One run of each measurement; the figure kept is the fastest run."""
    provider = RoadmapProvider(world.repos)
    measured = {
        "listing_seconds": lambda: world.roadmap.page("all", world.owner_id, 0),
        "my_tasks_seconds": lambda: world.roadmap.my_tasks(world.owner_id),
        "digest_network_seconds": lambda: provider.section(world.request(world.network)),
        "digest_group_seconds": lambda: provider.section(world.request(world.group)),
    }
    for name, call in measured.items():
        started = time.perf_counter()
        await call()
        took = round(time.perf_counter() - started, 5)
        world.figures[name] = min(world.figures.get(name, took), took)


async def _measure(sizes: dict[str, tuple[int, int]]) -> dict[str, dict[str, float]]:
    """Every size's world side by side, measured in turns (the machine is shared: a burst of
    others' load falls on every size alike, and the fastest of ``REPEATS`` turns is kept)."""
    with contextlib.ExitStack() as stack:
        worlds = {}
        for name, (members, actions) in sizes.items():
            progress(f"roadmap: {name}: {members} members, {actions} actions")
            folder = stack.enter_context(tempfile.TemporaryDirectory(prefix="wnmrc-bench-rm-"))
            worlds[name] = await _world(Path(folder), members, actions)
        freeze_startup_heap()  # the seeding's garbage is not the roadmap's cost
        try:
            for _ in range(REPEATS):
                for world in worlds.values():
                    await _sample(world)
        finally:
            for world in worlds.values():
                await world.repos.db.close()
        return {name: world.figures for name, world in worlds.items()}


def _growth(small: float, large: float, ratio: float) -> float:
    return round((large / small) / ratio, 3) if small else 0.0


async def run() -> dict[str, object]:
    results: dict[str, object] = {
        "repeats": REPEATS,
        "actions": list(ACTIONS),
        "members": list(MEMBERS),
    }
    sizes = {f"listing_{n}": (max(50, n // 4), n) for n in ACTIONS}
    sizes |= {f"digest_{m}": (m, int(m / MEMBERS_PER_ACTION)) for m in MEMBERS}
    measured = await _measure(sizes)
    results |= measured
    listing = {n: measured[f"listing_{n}"] for n in ACTIONS}
    digest = {m: measured[f"digest_{m}"] for m in MEMBERS}
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
