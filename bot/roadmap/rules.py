"""Roadmap rules: due dates typed and shown, nudge times, overdue order, who may change what.

Pure functions (no Telegram, no database), tested in ``tests/unit/test_roadmap.py``. A due
date is a date, or a date and a time typed in the author's zone (read by the one parser of typed
dates, ``bot/dates.py``); a date is the same date for every reader, a date and
time is shown in each reader's zone. Owners are nudged at 09:00 their time 7 days and 1 day
before the due date (the date as they see it), and weekly while it is overdue.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import Final, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale
from babel.dates import format_date

from bot import dates
from bot.access import Actor
from bot.digests.rules import format_when
from bot.i18n import N_
from bot.meetings.recurrence import in_gap, to_instant

Status = Literal["planned", "in_progress", "done", "blocked", "dropped"]
STATUSES: Final[tuple[Status, ...]] = ("planned", "in_progress", "done", "blocked", "dropped")
OPEN_STATUSES: Final[frozenset[str]] = frozenset({"planned", "in_progress", "blocked"})
STATUS_LABELS: Final[dict[str, str]] = {
    "planned": N_("planned"),
    "in_progress": N_("in progress"),
    "done": N_("done"),
    "blocked": N_("blocked"),
    "dropped": N_("dropped"),
}
NudgeKind = Literal["week", "day", "overdue", "list"]
NUDGE_HOUR: Final = time(9, 0)
BEFORE: Final[dict[NudgeKind, int]] = {"week": 7, "day": 1}
"""The nudges before a due date: days before it, at 09:00 in the owner's zone."""
WEEK: Final = timedelta(days=7)
TITLE_LIMIT: Final = 200
DESCRIPTION_LIMIT: Final = 1500
NOTE_LIMIT: Final = 1500
MAX_OWNERS: Final = 10


@dataclass(frozen=True)
class Refusal:
    """Why a typed value was not accepted: a message id and the values it names."""

    message: str
    values: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Due:
    """A due date (``time`` None) or a date and time, typed in ``zone``."""

    day: date
    time: time | None
    zone: str

    @property
    def at(self) -> datetime:
        """The deadline's instant (UTC): the time, or the end of the day in its zone."""
        zone = ZoneInfo(self.zone)
        if self.time is None:
            return to_instant(datetime.combine(self.day + timedelta(days=1), time()), zone)
        return to_instant(datetime.combine(self.day, self.time), zone)

    def day_in(self, zone: ZoneInfo) -> date:
        """The due date as a reader in ``zone`` sees it (a date alone is the same date)."""
        if self.time is None:
            return self.day
        return self.at.astimezone(zone).date()


@dataclass(frozen=True)
class RoadmapRow:
    """One checked row, ready to store."""

    number: int
    ref: str
    objective: str | None
    group_id: int | None
    title: str
    description: str | None
    owners: tuple[int, ...]
    due: Due
    status: str
    blocked_reason: str | None


def zone_or_utc(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name) if name else ZoneInfo("UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


# --- reading and showing a due date ------------------------------------------------------


def read_due(text: str, language: str, zone: ZoneInfo, now: datetime) -> Due | Refusal:
    """A typed due date (``2026-03-15``, ``15 mars``) or date and time (``15/3 17:00``)."""
    if not text.strip():
        return Refusal(UNREADABLE_DUE)
    read = dates.read_typed(text, language, zone, now)
    if isinstance(read, dates.Reading):
        if read.typed_zone is None and in_gap(read.local, zone):
            return Refusal(UNREADABLE_DUE)
        local = read.at.astimezone(zone)
        due = Due(local.date(), local.time().replace(tzinfo=None), zone.key)
    elif read.message == dates.NO_TIME:
        day = dates.read_day(text, language, zone, now)
        if isinstance(day, dates.Unreadable):
            return Refusal(day.message, day.values)
        due = Due(day, None, zone.key)
    else:
        return Refusal(read.message, read.values)
    if due.at <= now:
        return Refusal(PAST_DUE, {"when": due.day.isoformat()})
    return due


UNREADABLE_DUE: Final = N_(
    "I could not read that date. Type a date like 2026-03-15, or a date and time like "
    "2026-03-15 17:00."
)
PAST_DUE: Final = N_("{when} is already past. Please type a date in the future.")


def format_due(due: Due, zone: ZoneInfo, language: str) -> str:
    """A date in the locale's words; a date and time in the reader's zone, zone named."""
    if due.time is None:
        return format_day(due.day, language)
    return format_when(due.at, zone, language)


@lru_cache(maxsize=4096)
def format_day(day: date, language: str) -> str:
    """``Friday, April 3, 2026`` as the language writes it (a digest repeats the same days)."""
    return str(format_date(day, format="full", locale=Locale.parse(language)))


# --- order and overdue -------------------------------------------------------------------


def is_open(status: str) -> bool:
    return status in OPEN_STATUSES


def is_overdue(due_at: datetime, status: str, now: datetime) -> bool:
    """Still open after its deadline."""
    return is_open(status) and due_at <= now


def listing_key(
    due_at: datetime, status: str, action_id: int, now: datetime
) -> tuple[int, datetime, int]:
    """Overdue first, then by due date (closed ones last)."""
    rank = 0 if is_overdue(due_at, status, now) else (1 if is_open(status) else 2)
    return (rank, due_at, action_id)


# --- nudges ------------------------------------------------------------------------------


def at_nine(day: date, zone: ZoneInfo) -> datetime:
    """09:00 on ``day`` in ``zone``, as a UTC instant."""
    return to_instant(datetime.combine(day, NUDGE_HOUR), zone)


def nudge_plan(due: Due, owner_zone: ZoneInfo, now: datetime) -> list[tuple[NudgeKind, datetime]]:
    """The nudges still ahead for one owner: 7 and 1 days before, and the first overdue one."""
    day = due.day_in(owner_zone)
    plan: list[tuple[NudgeKind, datetime]] = [
        (kind, at_nine(day - timedelta(days=days), owner_zone)) for kind, days in BEFORE.items()
    ]
    plan.append(("overdue", first_overdue_nudge(due, owner_zone)))
    return [(kind, at) for kind, at in plan if at > now]


def first_overdue_nudge(due: Due, owner_zone: ZoneInfo) -> datetime:
    """09:00 the owner's time on the first day after the deadline."""
    deadline = due.at.astimezone(owner_zone)
    candidate = at_nine(deadline.date(), owner_zone)
    return (
        candidate
        if candidate >= due.at
        else at_nine(deadline.date() + timedelta(days=1), owner_zone)
    )


def next_weekly(after: datetime, now: datetime) -> datetime:
    """The next weekly nudge after ``after`` that is still ahead of ``now``."""
    following = after + WEEK
    while following <= now:
        following += WEEK
    return following


def next_monday_nine(zone: ZoneInfo, now: datetime) -> datetime:
    """The coordinators' weekly overdue list: the next Monday 09:00 in their zone."""
    local = now.astimezone(zone).date()
    for ahead in range(8):
        day = local + timedelta(days=ahead)
        if day.weekday() == 0 and at_nine(day, zone) > now:
            return at_nine(day, zone)
    raise AssertionError("a Monday comes within eight days")  # pragma: no cover


def nudge_missed(kind: str, due_at: datetime, day_nudge_at: datetime | None, now: datetime) -> bool:
    """A late 'before' nudge is missed once the deadline (or, for 'week', the 'day' one) came."""
    if kind == "week" and day_nudge_at is not None and day_nudge_at <= now:
        return True
    return kind in BEFORE and due_at <= now


# --- permissions -------------------------------------------------------------------------


def may_create(actor: Actor, group_id: int | None) -> bool:
    """Coordinators for their groups, the secretariat for any group and the network."""
    if actor.secretariat:
        return True
    return group_id is not None and group_id in actor.coordinated


def may_update(actor: Actor, group_id: int | None, owners: Collection[int]) -> bool:
    """Owners, the owning group's coordinators, the secretariat."""
    return actor.person_id in owners or may_create(actor, group_id)


def creatable_groups(actor: Actor, group_ids: Iterable[int]) -> list[int]:
    """The groups ``actor`` may create actions for."""
    return [gid for gid in group_ids if may_create(actor, gid)]
