"""Introductions across countries: the monthly pairing and its two suggested times (pure).

Each participant is paired with someone from another country and another reserve who shares an
interest, whom they were never paired with and did not ask to avoid, and whose working hours
overlap theirs by an hour at least on a weekday (09:00–18:00 local unless they said otherwise).
The most constrained participants are paired first; each takes the best of a bounded number
of candidates sharing an interest (most shared interests, then the longest overlap), so a
month for 5,000 participants stays linear. Someone left without a match (an odd number, or
nobody fitting) waits for the next month.

The two suggested times come from the slot finder (``bot.meetings.slots``: its ranking and its
spreading over days), kept to those inside both people's own hours.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import cache
from typing import Final
from zoneinfo import ZoneInfo

from babel.dates import format_skeleton

from bot.meetings import slots
from bot.textfold import fold

DAY: Final = 24 * 60
MIN_OVERLAP: Final = 60
"""Minutes the two working days must share."""
CANDIDATES: Final = 48
"""Candidates weighed per participant (the rest are not looked at: linear time)."""
CALL_MINUTES: Final = 30
WINDOW: Final = timedelta(days=14)
DEFAULT_HOURS: Final = (9 * 60, 18 * 60)


@dataclass(frozen=True)
class Participant:
    person_id: int
    country: str
    zone: str
    interests: frozenset[str]
    """Folded."""
    reserve: str | None = None
    hours: tuple[int, int] = DEFAULT_HOURS
    """Local working hours in minutes from midnight."""


@dataclass(frozen=True)
class Pair:
    first: int
    second: int
    shared: tuple[str, ...]
    times: tuple[datetime, ...] = field(default=())


def key(one: int, other: int) -> frozenset[int]:
    return frozenset((one, other))


def participant(
    person_id: int,
    country: str,
    zone: str,
    interests: Iterable[str],
    reserve: str | None = None,
    hours: tuple[int, int] = DEFAULT_HOURS,
) -> Participant:
    folded = frozenset(fold(item) for item in interests if fold(item))
    return Participant(person_id, country, zone, folded, fold(reserve or "") or None, hours)


@cache
def _offset(zone: str, day: datetime) -> int:
    offset = day.astimezone(ZoneInfo(zone)).utcoffset()
    return int(offset.total_seconds() // 60) if offset is not None else 0


def overlap(one: Participant, other: Participant, day: datetime) -> int:
    """Minutes both working days share on ``day`` (a weekday, both zones' offsets then)."""
    a_start = one.hours[0] - _offset(one.zone, day)
    a_end = one.hours[1] - _offset(one.zone, day)
    b_start = other.hours[0] - _offset(other.zone, day)
    b_end = other.hours[1] - _offset(other.zone, day)
    best = 0
    for shift in (-DAY, 0, DAY):
        shared = min(a_end, b_end + shift) - max(a_start, b_start + shift)
        best = max(best, shared)
    return best


def may_pair(
    one: Participant,
    other: Participant,
    before: frozenset[frozenset[int]] | set[frozenset[int]],
    day: datetime,
) -> bool:
    return (
        one.person_id != other.person_id
        and one.country != other.country
        and (one.reserve is None or one.reserve != other.reserve)
        and bool(one.interests & other.interests)
        and key(one.person_id, other.person_id) not in before
        and overlap(one, other, day) >= MIN_OVERLAP
    )


def pair_month(
    people: Sequence[Participant],
    before: set[frozenset[int]] | frozenset[frozenset[int]],
    day: datetime,
) -> list[Pair]:
    """This month's pairs; ``before`` holds every pair made before and every exclusion."""
    by_interest: dict[str, list[Participant]] = defaultdict(list)
    for person in sorted(people, key=lambda p: p.person_id):
        for interest in sorted(person.interests):
            by_interest[interest].append(person)
    order = sorted(people, key=lambda p: (_reach(p, by_interest), p.person_id))
    paired: set[int] = set()
    pairs: list[Pair] = []
    for person in order:
        if person.person_id in paired:
            continue
        best = _best(person, by_interest, paired, before, day)
        if best is None:
            continue
        paired.update((person.person_id, best.person_id))
        shared = tuple(sorted(person.interests & best.interests))
        first, second = sorted((person.person_id, best.person_id))
        pairs.append(Pair(first, second, shared))
    return pairs


def _reach(person: Participant, by_interest: Mapping[str, list[Participant]]) -> int:
    """How many people share one of the person's interests (the fewest are paired first)."""
    return sum(len(by_interest[interest]) for interest in person.interests)


def _best(
    person: Participant,
    by_interest: dict[str, list[Participant]],
    paired: set[int],
    before: set[frozenset[int]] | frozenset[frozenset[int]],
    day: datetime,
) -> Participant | None:
    """The best partner among the first ``CANDIDATES`` fitting ones sharing an interest; a
    bucket mostly made of people already paired is compacted (so scans stay linear)."""
    best: Participant | None = None
    best_rank: tuple[int, int, int] | None = None
    weighed = 0
    seen: set[int] = set()
    for interest in sorted(person.interests):
        bucket = by_interest[interest]
        gone = 0
        for other in bucket:
            if other.person_id in paired:
                gone += 1
                continue
            if other.person_id in seen:
                continue
            seen.add(other.person_id)
            if not may_pair(person, other, before, day):
                continue
            weighed += 1
            shared = len(person.interests & other.interests)
            rank = (-shared, -overlap(person, other, day), other.person_id)
            if best_rank is None or rank < best_rank:
                best, best_rank = other, rank
            if weighed >= CANDIDATES:
                break
        if 2 * gone > len(bucket):
            bucket[:] = [other for other in bucket if other.person_id not in paired]
        if weighed >= CANDIDATES:
            return best
    return best


# --- the two suggested times ---------------------------------------------------------------


def inside_hours(person: Participant, start: datetime, minutes: int) -> bool:
    """The call lies within the person's own working hours on a local weekday."""
    local = start.astimezone(ZoneInfo(person.zone))
    begin = local.hour * 60 + local.minute
    return local.weekday() < 5 and person.hours[0] <= begin and begin + minutes <= person.hours[1]


def suggested_times(
    one: Participant, other: Participant, window_start: datetime, count: int = 2
) -> tuple[datetime, ...]:
    """Two starts from the slot finder inside both people's hours (fewer when none fit)."""
    return _times(one.zone, one.hours, other.zone, other.hours, window_start, count)


@cache
def _times(
    zone_a: str,
    hours_a: tuple[int, int],
    zone_b: str,
    hours_b: tuple[int, int],
    window_start: datetime,
    count: int,
) -> tuple[datetime, ...]:
    a = Participant(0, "", zone_a, frozenset(), None, hours_a)
    b = Participant(1, "", zone_b, frozenset(), None, hours_b)
    members = [slots.Member(0, "a", ZoneInfo(zone_a)), slots.Member(1, "b", ZoneInfo(zone_b))]
    ranked = slots.rank(members, window_start, window_start + WINDOW, CALL_MINUTES)
    fitting = [
        slot
        for slot in ranked
        if inside_hours(a, slot.start, CALL_MINUTES) and inside_hours(b, slot.start, CALL_MINUTES)
    ]
    chosen = slots.pick(fitting, ZoneInfo("UTC"), count)[:count]
    return tuple(sorted(slot.start for slot in chosen))


def month_of(moment: datetime) -> str:
    return f"{moment.astimezone(UTC):%Y-%m}"


def month_name(month: str, language: str) -> str:
    """``2026-02`` as the reader's locale names a month of a year ("février 2026")."""
    year, number = (int(part) for part in month.split("-"))
    return format_skeleton("yMMMM", date(year, number, 1), locale=language)


def month_start_of(month: str) -> datetime:
    """``2026-02`` -> its first instant (UTC)."""
    year, number = (int(part) for part in month.split("-"))
    return datetime(year, number, 1, tzinfo=UTC)


def month_start(moment: datetime) -> datetime:
    """The first instant of the moment's month (UTC)."""
    utc = moment.astimezone(UTC)
    return datetime(utc.year, utc.month, 1, tzinfo=UTC)


def next_month_start(moment: datetime) -> datetime:
    utc = moment.astimezone(UTC)
    year, month = (utc.year + 1, 1) if utc.month == 12 else (utc.year, utc.month + 1)
    return datetime(year, month, 1, tzinfo=UTC)


def reference_day(month_start: datetime) -> datetime:
    """A weekday of the month (its first Wednesday, noon UTC) to compare working hours on."""
    day = month_start.astimezone(UTC).replace(hour=12, minute=0, second=0, microsecond=0)
    while day.weekday() != 2:
        day += timedelta(days=1)
    return day


def read_hours(text: str) -> tuple[int, int] | None:
    """``9-18`` or ``08:30-17:00``: local working hours, at least an hour long."""
    parts = text.replace("–", "-").split("-")
    if len(parts) != 2:
        return None
    minutes = [_minutes(part.strip()) for part in parts]
    start, end = minutes
    if start is None or end is None or end - start < MIN_OVERLAP:
        return None
    return start, end


def _minutes(text: str) -> int | None:
    hour, _, minute = text.partition(":")
    if not hour.isdigit() or (minute and not minute.isdigit()):
        return None
    value = int(hour) * 60 + (int(minute) if minute else 0)
    return value if 0 <= value <= DAY and int(minute or 0) < 60 else None
