"""Matching one opportunity against 25,000 and 50,000 members, and a month of introductions
for 2,500 and 5,000 participants: time per size and how it grows.

Both are the pure functions the bot runs (``bot.opportunities.rules.rank_members``, with the
topics the bot knows in the four languages, and ``choose_offers``; and
``bot.opportunities.intros.pair_month`` with ``suggested_times`` for every pair), on
synthetic members spread over 12 countries and zones, 8 interests, 4 roles and the four
languages, so that many fit. The database reads around them are not timed (the
members are read once per opportunity).

Times are CPU seconds of the process (``time.process_time``, the median of three runs): the
machine is shared, and wall time measures the neighbours. A month's two suggested times per
pair (``times_seconds``) are computed once per pair of time zones (12 zones: 66 pairs, a
constant), so the growth is taken on the pairing (``seconds``).

``ratio_growth_B_vs_A`` is the time at B over the time at A, divided by B/A: 1.0 is linear.
"""

from __future__ import annotations

import gc
import random
import statistics
import time
from datetime import UTC, datetime
from typing import Any

from bench.harness import SMALLEST
from bot.i18n import I18n
from bot.opportunities import intros
from bot.opportunities.rules import Wanted, choose_offers, rank_members
from bot.opportunities.service import known_topics
from storage import Person

MEMBERS = (500, 1_000) if SMALLEST else (25_000, 50_000)
PARTICIPANTS = (100, 200) if SMALLEST else (2_500, 5_000)
REPEATS = 1 if SMALLEST else 3
NOW = datetime(2026, 3, 2, 9, tzinfo=UTC)
PLACES = (
    ("PE", "America/Lima"), ("ES", "Europe/Madrid"), ("CN", "Asia/Shanghai"),
    ("FR", "Europe/Paris"), ("KE", "Africa/Nairobi"), ("NP", "Asia/Kathmandu"),
    ("AR", "America/Argentina/Buenos_Aires"), ("IT", "Europe/Rome"),
    ("MX", "America/Mexico_City"), ("CA", "America/Toronto"), ("KG", "Asia/Bishkek"),
    ("ET", "Africa/Addis_Ababa"),
)  # fmt: skip
INTERESTS = ("climate", "biodiversity", "community", "socioeconomics", "glaciers", "water",
             "tourism", "fire")  # fmt: skip
ROLES = ("reserve_manager", "researcher", "young_researcher", "other")
LANGUAGES = ("en", "es", "zh", "fr")


def members(count: int, seed: int = 7) -> list[Person]:
    chance = random.Random(seed)
    people = []
    for pid in range(1, count + 1):
        country, zone = PLACES[pid % len(PLACES)]
        people.append(
            Person(
                id=pid,
                telegram_id=10_000 + pid,
                first_name=f"M{pid}",
                last_name=None,
                username=None,
                display_name=None,
                telegram_language="en",
                language=None,
                timezone=zone,
                started_at=NOW,
                reachable=True,
                created_at=NOW,
                updated_at=NOW,
                last_seen_at=None,
                reserve=f"Reserve {pid % 300}",
                country=country,
                role=ROLES[pid % len(ROLES)],  # type: ignore[arg-type]
                spoken_languages=tuple(chance.sample(LANGUAGES, 2)),
                interests=tuple(chance.sample(INTERESTS, 2)),
            )
        )
    return people


def _timed(work: Any) -> float:
    """Median CPU seconds of ``work``, with what exists before it frozen out of the collector's
    walks (as ``wnmrc-bot run`` freezes its start-up heap: ``bot/heap.py``)."""
    gc.collect()
    gc.freeze()
    times = []
    for _ in range(REPEATS):
        started = time.process_time()
        work()
        times.append(time.process_time() - started)
    gc.unfreeze()
    return statistics.median(times)


def matching(count: int) -> dict[str, float | int]:
    people = members(count)
    wanted = Wanted("internship", ("glaciers", "climate"), ("PE",), ("es",), poster_id=1)
    found: list[Any] = []

    topics = known_topics(I18n())  # as the bot matches: "glaciers" also asks for 冰川, glaciares

    def work() -> None:
        matches = rank_members(wanted, people, topics)
        found[:] = choose_offers(matches, {}, {}, frozenset())
        found.append(len(matches))

    seconds = _timed(work)
    return {"seconds": round(seconds, 4), "fitting": found[-1], "offered": len(found) - 1}


def introductions(count: int) -> dict[str, float | int]:
    people = [
        intros.participant(p.id, p.country or "", p.timezone or "UTC", p.interests, p.reserve)
        for p in members(count, seed=11)
    ]
    by_id = {p.person_id: p for p in people}
    day = intros.reference_day(NOW)
    result: dict[str, int] = {}

    pairs: list[intros.Pair] = []

    def pairing() -> None:
        pairs[:] = intros.pair_month(people, set(), day)

    def times() -> None:
        intros._times.cache_clear()
        with_times = sum(
            len(intros.suggested_times(by_id[p.first], by_id[p.second], NOW)) == 2 for p in pairs
        )
        result.update(pairs=len(pairs), with_two_times=with_times)

    seconds = _timed(pairing)
    slots = _timed(times)
    return {"seconds": round(seconds, 4), "times_seconds": round(slots, 4), **result}


def _growth(figures: dict[int, dict[str, Any]], small: int, large: int) -> float:
    return round((figures[large]["seconds"] / figures[small]["seconds"]) / (large / small), 2)


async def run() -> dict[str, object]:
    matched = {size: matching(size) for size in MEMBERS}
    paired = {size: introductions(size) for size in PARTICIPANTS}
    small, large = MEMBERS
    few, many = PARTICIPANTS
    return {
        "matching": {f"members_{size}": figures for size, figures in matched.items()},
        "introductions": {f"participants_{size}": figures for size, figures in paired.items()},
        f"ratio_growth_matching_{large}_vs_{small}": _growth(matched, small, large),
        f"ratio_growth_introductions_{many}_vs_{few}": _growth(paired, few, many),
        "ratio_growth_matching": _growth(matched, small, large),
        "ratio_growth_introductions": _growth(paired, few, many),
    }
