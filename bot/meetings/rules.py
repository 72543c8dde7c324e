"""Meeting rules: typed dates and durations, reminder offsets and fates, who may answer.

Pure functions (no Telegram, no database), tested in ``tests/unit/test_meetings.py``:

* a typed date is read by ``bot/dates.py`` (the one parser of typed dates); then
  :func:`check_start` refuses past and non-existent (DST gap) times and flags ambiguous (DST
  fold) and far-away ones (wall times and instants: ``bot/meetings/recurrence.py``);
* reminders are due ``offset`` minutes before an occurrence's start; :func:`reminder_fates`
  decides, after downtime, which overdue reminder is still sent (late) and which is missed;
* :func:`answer_refusal` says whether a person may answer a meeting, and why not.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from typing import Final, Literal
from zoneinfo import ZoneInfo

from bot import dates, formats
from bot.access import Actor
from bot.dates import TypedZone
from bot.i18n import N_
from bot.meetings.recurrence import clock_shift, in_fold, in_gap, to_instant

DEFAULT_OFFSETS: Final = (10080, 1440, 60, 10)
"""Reminders 7 days, 1 day, 1 hour and 10 minutes before the start (minutes)."""
NUDGE_OFFSET: Final = 1440
"""The reminder at which members who have not answered are nudged."""
MAX_OFFSET: Final = 30 * 1440
MAX_OFFSETS: Final = 6
MAX_DURATION: Final = 1440
DEFAULT_DURATION: Final = 60
FAR_AHEAD: Final = timedelta(days=365)
"""A start further away than this is asked about before it is kept."""
LATE_GRACE: Final = timedelta(minutes=2)
"""A reminder sent more than this after its due time is recorded as late."""
DAY_START: Final = time(8, 0)
DAY_END: Final = time(21, 0)
TITLE_LIMIT: Final = 120
AGENDA_LIMIT: Final = 1500
LINK_LIMIT: Final = 400

Answer = Literal["going", "maybe", "no"]
ANSWERS: Final[tuple[Answer, ...]] = ("going", "maybe", "no")
ANSWER_CODES: Final[dict[str, Answer]] = {"g": "going", "m": "maybe", "n": "no"}
ANSWER_LABELS: Final[dict[Answer, str]] = {
    # Translators: an RSVP button; the glossary gives one term per language (docs/glossary.md).
    "going": N_("✅ Going"),
    # Translators: an RSVP button; the glossary gives one term per language (docs/glossary.md).
    "maybe": N_("🤔 Maybe"),
    # Translators: an RSVP button; the glossary gives one term per language (docs/glossary.md).
    "no": N_("❌ Can't go"),
}


@dataclass(frozen=True)
class Refusal:
    """Why an answer was not accepted: a message id and the values it names."""

    message: str
    values: Mapping[str, object] = field(default_factory=dict)


# --- reading and checking a typed start --------------------------------------------------


def read_when(text: str, language: str, now_local: datetime) -> datetime | None:
    """The wall time typed (naive, in ``now_local``'s zone), or None when it cannot be read.

    A shortcut to the one parser of typed dates (``bot/dates.py``) for callers that need no
    reason; ``drafts.read_start`` also checks the start and says why a text is refused.
    """
    zone = now_local.tzinfo
    if not isinstance(zone, ZoneInfo):
        return None
    read = dates.read_typed(text, language, zone, now_local.astimezone(UTC))
    if isinstance(read, dates.Unreadable):
        return None
    return read.at.astimezone(zone).replace(tzinfo=None)


@dataclass(frozen=True)
class Start:
    """A start time the organiser may keep: the wall time, its instant, and what to say."""

    local: datetime
    """Naive wall time in the meeting's zone."""
    at: datetime
    """The instant, aware UTC."""
    ambiguous: bool = False
    """The wall time happens twice (DST fold): the first one was taken."""
    far: bool = False
    """More than a year ahead: ask before keeping it."""
    typed_zone: TypedZone | None = None
    """The zone typed with the time ("15:00 CET"), to say back; None: the organiser's."""


def check_start(local: datetime, zone: ZoneInfo, now: datetime) -> Start | Refusal:
    """Refuse a past or non-existent wall time; flag an ambiguous or far-away one."""
    local = local.replace(tzinfo=None, second=0, microsecond=0)
    if in_gap(local, zone):
        return Refusal(
            # Translators: {zone} names the time zone; {shift} is how far the clocks jump, e.g. “1
            # hour”.
            N_(
                "{time} does not exist on {date} in {zone}: the clocks jump forward {shift} "
                "that night. Please type another time."
            ),
            {
                "time": f"{local:%H:%M}",
                "date": formats.Day(local.date()),
                "zone": formats.ZoneName(zone),
                "shift": formats.Length(int(clock_shift(local, zone).total_seconds() // 60)),
            },
        )
    at = to_instant(local, zone)
    if at <= now:
        return Refusal(
            N_("{when} is already past. Please type a time in the future."),
            {"when": formats.When(at, zone)},
        )
    return Start(local, at, ambiguous=in_fold(local, zone), far=at - now > FAR_AHEAD)


# --- durations and reminder offsets ------------------------------------------------------

_MINUTE_WORDS = r"(?:m|min|mins|minute|minutes|minuto|minutos|分钟|分鐘|分)"
_HOUR_WORDS = r"(?:h|hr|hrs|hour|hours|hora|horas|heure|heures|小时|小時|時間)"
_DAY_WORDS = r"(?:d|day|days|dia|dias|día|días|j|jour|jours|天|日)"
_WEEK_WORDS = r"(?:w|week|weeks|semana|semanas|semaine|semaines|周|週|星期)"
_AMOUNT = re.compile(
    rf"^(?P<sign>[-+])?\s*(?P<n>\d+(?:[.,]\d+)?)\s*"
    rf"(?P<unit>{_WEEK_WORDS}|{_DAY_WORDS}|{_HOUR_WORDS}|{_MINUTE_WORDS})?\.?$",
    re.IGNORECASE,
)
_HOURS_MINUTES = re.compile(
    rf"^(?P<h>\d+)\s*(?:{_HOUR_WORDS}|:)\s*(?P<m>\d{{1,2}})\s*{_MINUTE_WORDS}?$", re.IGNORECASE
)
_UNIT_MINUTES: Final = (
    (re.compile(rf"^{_WEEK_WORDS}$", re.IGNORECASE), 7 * 1440),
    (re.compile(rf"^{_DAY_WORDS}$", re.IGNORECASE), 1440),
    (re.compile(rf"^{_HOUR_WORDS}$", re.IGNORECASE), 60),
    (re.compile(rf"^{_MINUTE_WORDS}$", re.IGNORECASE), 1),
)


def _minutes(text: str, default_unit: int) -> int | None:
    """``90``, ``1h30``, ``1:30``, ``1.5 h``, ``7d``, ``-10min`` as signed minutes."""
    cleaned = text.strip().lower()
    both = _HOURS_MINUTES.match(cleaned)
    if both:
        return int(both["h"]) * 60 + int(both["m"])
    amount = _AMOUNT.match(cleaned)
    if amount is None:
        return None
    unit = default_unit
    if amount["unit"]:
        unit = next(m for pattern, m in _UNIT_MINUTES if pattern.match(amount["unit"]))
    value = round(float(amount["n"].replace(",", ".")) * unit)
    return -value if amount["sign"] == "-" else value


def parse_duration(text: str) -> int | Refusal:
    """A meeting's length in minutes (a bare number is minutes), 1 minute to 24 hours."""
    minutes = _minutes(text, 1)
    if minutes is None:
        return Refusal(N_("Please type the duration like 90, 1h30 or 2 h."))
    if minutes <= 0:
        return Refusal(N_("A meeting lasts at least one minute."))
    if minutes > MAX_DURATION:
        return Refusal(N_("A meeting lasts at most 24 hours. Please type a shorter duration."))
    return minutes


_OFF_WORDS: Final = frozenset(
    {"none", "no", "off", "-", "ninguno", "ninguna", "aucun", "无", "不要"}
)


def parse_offsets(text: str) -> tuple[int, ...] | Refusal:
    """Reminder offsets before the start (``7d, 1d, 1h, 10min``; ``none``), largest first."""
    cleaned = text.strip().lower()
    if cleaned in _OFF_WORDS:
        return ()
    parts = [part for part in re.split(r"[,;、，\s]+(?=[-+]?\d)", cleaned) if part.strip()]
    offsets: set[int] = set()
    for part in parts:
        minutes = _minutes(part.replace(" ", ""), 1)
        if minutes is None:
            return Refusal(
                N_("Please type the reminders like 7d, 1d, 1h, 10min (or none)."),
            )
        if minutes <= 0:
            return Refusal(
                # Translators: {offset} is a reminder as typed, e.g. “-1h”.
                N_("Reminders come before the meeting: {offset} is not."),
                {"offset": part},
            )
        if minutes > MAX_OFFSET:
            return Refusal(N_("A reminder can be at most 30 days before the meeting."))
        offsets.add(minutes)
    if len(offsets) > MAX_OFFSETS:
        return Refusal(N_("At most {n} reminders, please."), {"n": MAX_OFFSETS})
    return tuple(sorted(offsets, reverse=True))


def format_offset(minutes: int, language: str) -> str:
    """``10080`` -> ``7 days``, ``90`` -> ``1 hour 30 minutes`` (Babel, in ``language``)."""
    return formats.format_minutes(minutes, language)


def format_offsets(offsets: Sequence[int], language: str) -> str:
    """``7 days, 1 day, 1 hour and 10 minutes`` (the locale's list)."""
    return formats.format_offsets(offsets, language)


def format_duration(minutes: int, language: str) -> str:
    """``1 hour 30 minutes``, ``1小时30分钟`` (Babel, in ``language``)."""
    return formats.format_minutes(minutes, language)


def reminder_times(start: datetime, offsets: Iterable[int]) -> list[tuple[int, datetime]]:
    """Each offset with its due instant, soonest-due first."""
    return sorted(((m, start - timedelta(minutes=m)) for m in offsets), key=lambda x: x[1])


def past_offsets(start: datetime, offsets: Iterable[int], now: datetime) -> list[int]:
    """The offsets whose reminder would already be due now (they are not sent)."""
    return [m for m in offsets if start - timedelta(minutes=m) <= now]


# --- reminders after downtime ----------------------------------------------------------

Fate = Literal["wait", "send", "late", "missed"]


@dataclass(frozen=True)
class PendingReminder:
    id: int
    occurrence_id: int
    offset_minutes: int
    due_at: datetime
    starts_at: datetime


def reminder_fates(pending: Iterable[PendingReminder], now: datetime) -> dict[int, Fate]:
    """What to do with each pending reminder now.

    Not yet due: wait. Due, and the meeting has not started: sent — ``late`` when more than
    :data:`LATE_GRACE` after its time. When several reminders of one occurrence are overdue
    together (the bot was down), only the one nearest the start is sent; the others, and every
    reminder of a meeting that has started, are recorded as missed.
    """
    fates: dict[int, Fate] = {}
    due_by_occurrence: dict[int, list[PendingReminder]] = {}
    for reminder in pending:
        if reminder.due_at > now:
            fates[reminder.id] = "wait"
        elif reminder.starts_at <= now:
            fates[reminder.id] = "missed"
        else:
            due_by_occurrence.setdefault(reminder.occurrence_id, []).append(reminder)
    for due in due_by_occurrence.values():
        nearest = min(due, key=lambda r: r.offset_minutes)
        for reminder in due:
            if reminder is not nearest:
                fates[reminder.id] = "missed"
            elif now - reminder.due_at > LATE_GRACE:
                fates[reminder.id] = "late"
            else:
                fates[reminder.id] = "send"
    return fates


# --- members' local times --------------------------------------------------------------


@dataclass(frozen=True)
class Spread:
    """Members' local times at a start: the earliest and latest clock, and who is outside."""

    earliest: tuple[datetime, str] | None
    latest: tuple[datetime, str] | None
    outside: int
    unknown: int


def _minutes_of_day(moment: datetime) -> int:
    return moment.hour * 60 + moment.minute


def member_spread(start: datetime, zones: Iterable[str | None]) -> Spread:
    """Where the members' clocks stand at ``start``: the westernmost and easternmost local
    times (by UTC offset) and how many are outside 08:00–21:00; ``unknown``: no zone set."""
    locals_: list[tuple[datetime, str]] = []
    unknown = 0
    for zone_name in zones:
        zone = _zone(zone_name)
        if zone is None:
            unknown += 1
            continue
        locals_.append((start.astimezone(zone), zone.key))
    if not locals_:
        return Spread(None, None, 0, unknown)
    ordered = sorted(locals_, key=lambda item: item[0].utcoffset() or timedelta())
    day_start, day_end = _minutes_of_day_t(DAY_START), _minutes_of_day_t(DAY_END)
    outside = sum(1 for local, _ in locals_ if not day_start <= _minutes_of_day(local) <= day_end)
    return Spread(ordered[0], ordered[-1], outside, unknown)


def _minutes_of_day_t(moment: time) -> int:
    return moment.hour * 60 + moment.minute


def _zone(name: str | None) -> ZoneInfo | None:
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (ValueError, KeyError, OSError):
        return None


# --- who may answer, who may change a meeting ---------------------------------------------

MEETING_CANCELLED: Final = N_("This meeting was cancelled: no answer is needed.")
MEETING_OVER: Final = N_("This meeting is over.")
MEMBERS_ONLY: Final = N_("Only members of the meeting’s groups can answer.")


def answer_refusal(
    *,
    cancelled: bool,
    ends_at: datetime,
    now: datetime,
    own_groups: Collection[int],
    meeting_groups: Collection[int],
    secretariat: bool,
) -> str | None:
    """Why a person may not answer a meeting now (a message id), or None when they may.

    Members of one of the meeting's groups and the secretariat answer, until it is over.
    """
    if cancelled:
        return MEETING_CANCELLED
    if ends_at <= now:
        return MEETING_OVER
    if not set(own_groups) & set(meeting_groups) and not secretariat:
        return MEMBERS_ONLY
    return None


def may_change(actor: Actor | None, meeting_groups: Collection[int]) -> bool:
    """The secretariat and the coordinators of one of the meeting's groups change it."""
    if actor is None:
        return False
    return actor.secretariat or bool(set(meeting_groups) & actor.coordinated)


def may_read(
    own_groups: Collection[int],
    meeting_groups: Collection[int],
    *,
    coordinator: bool,
    here: int | None,
) -> bool:
    """Who may take a meeting into their calendar: members of its groups, coordinators and the
    secretariat, and anyone in a chat linked to one of its groups (``here``)."""
    if set(own_groups) & set(meeting_groups) or coordinator:
        return True
    return here is not None and here in meeting_groups
