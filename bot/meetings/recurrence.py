"""Wall times, instants and recurrence: a meeting stays at its wall time in its own zone.

Pure functions (no Telegram, no database), tested in ``tests/unit/test_meetings.py``:

* a wall time is turned into an instant the way RFC 5545 does: a time in a DST gap uses the
  offset before the gap (so it lands after it), a time in a fold is the first of the two;
* recurring meetings are expanded from their RRULE in the meeting's own zone, so a weekly
  meeting at 15:00 in Madrid stays at 15:00 in Madrid across daylight saving changes;
* occurrences of a recurring meeting are kept as rows some weeks ahead
  (:func:`materialise_until`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Final, Literal
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr

from bot.i18n import N_

MATERIALISE_AHEAD: Final = timedelta(days=45)
"""Occurrences of a recurring meeting are kept as rows this far ahead (beyond any offset)."""

Recurrence = Literal["none", "weekly", "biweekly", "monthly"]
RECURRENCES: Final[tuple[Recurrence, ...]] = ("none", "weekly", "biweekly", "monthly")
RECURRENCE_LABELS: Final[dict[Recurrence, str]] = {
    "none": N_("Only once"),
    "weekly": N_("Every week"),
    "biweekly": N_("Every two weeks"),
    "monthly": N_("Monthly, same weekday"),
}


# --- wall times and instants across daylight saving ----------------------------------------


def to_instant(local: datetime, zone: ZoneInfo) -> datetime:
    """The UTC instant of a wall time: a gap uses the offset before it, a fold its first time."""
    return local.replace(tzinfo=zone, fold=0).astimezone(UTC)


def in_gap(local: datetime, zone: ZoneInfo) -> bool:
    """The wall time does not exist in ``zone`` (the clocks jump over it)."""
    there = local.replace(tzinfo=zone, fold=0)
    return there.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != local.replace(tzinfo=None)


def in_fold(local: datetime, zone: ZoneInfo) -> bool:
    """The wall time happens twice in ``zone`` (the clocks go back over it)."""
    if in_gap(local, zone):
        return False
    first = local.replace(tzinfo=zone, fold=0).utcoffset()
    second = local.replace(tzinfo=zone, fold=1).utcoffset()
    return first != second


def clock_shift(local: datetime, zone: ZoneInfo) -> timedelta:
    """How far the clocks move around this wall time (positive: forward)."""
    before = local.replace(tzinfo=zone, fold=0).utcoffset() or timedelta()
    after = local.replace(tzinfo=zone, fold=1).utcoffset() or timedelta()
    return abs(after - before)


# --- recurrence -------------------------------------------------------------------------

_WEEKDAYS: Final = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def rrule_for(recurrence: Recurrence, local_start: datetime) -> str | None:
    """The RFC 5545 RRULE of a recurrence starting at ``local_start`` (None: only once)."""
    if recurrence == "weekly":
        return "FREQ=WEEKLY"
    if recurrence == "biweekly":
        return "FREQ=WEEKLY;INTERVAL=2"
    if recurrence == "monthly":
        nth = (local_start.day - 1) // 7 + 1
        return f"FREQ=MONTHLY;BYDAY={-1 if nth == 5 else nth}{_WEEKDAYS[local_start.weekday()]}"
    return None


def recurrence_of(rrule: str | None) -> Recurrence:
    if not rrule:
        return "none"
    if "MONTHLY" in rrule:
        return "monthly"
    return "biweekly" if "INTERVAL=2" in rrule else "weekly"


def parse_recurrence(text: str) -> Recurrence | None:
    cleaned = text.strip().lower()
    return next((r for r in RECURRENCES if r == cleaned), None)


def occurrences(
    local_start: datetime,
    zone: ZoneInfo,
    rrule: str | None,
    after: datetime,
    until: datetime,
) -> list[datetime]:
    """The starts (UTC) in ``[after, until)``, expanded from the wall time in the meeting's zone."""
    first = to_instant(local_start, zone)
    if not rrule:
        return [first] if after <= first < until else []
    rule = rrulestr(f"RRULE:{rrule}", dtstart=local_start.replace(tzinfo=None))
    low = max(after, first).astimezone(zone).replace(tzinfo=None) - timedelta(days=1)
    high = until.astimezone(zone).replace(tzinfo=None) + timedelta(days=1)
    starts = (to_instant(local, zone) for local in rule.between(low, high, inc=True))
    return [start for start in starts if after <= start < until]


def next_occurrence(
    local_start: datetime, zone: ZoneInfo, rrule: str | None, after: datetime
) -> datetime | None:
    """The first start at or after ``after`` (None: a single meeting already past)."""
    first = to_instant(local_start, zone)
    if not rrule:
        return first if first >= after else None
    horizon = after + timedelta(days=40)
    found = occurrences(local_start, zone, rrule, after, horizon)
    return found[0] if found else None


def materialise_until(now: datetime, offsets: Sequence[int]) -> datetime:
    """How far ahead a recurring meeting's occurrences are kept as rows."""
    return now + max(MATERIALISE_AHEAD, timedelta(minutes=max(offsets, default=0) + 1440))
