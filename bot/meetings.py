"""Meeting rules: typed dates and durations, recurrence, reminder times, DST, local-time spread.

Pure functions (no Telegram, no database), tested in ``tests/unit/test_meetings.py``:

* :func:`read_when` reads a typed date and time (en/es/fr/zh) in the organiser's zone with
  dateparser, after normalising forms it misreads (``demain 9h``, ``10月15日 15:00``); then
  :func:`check_start` refuses past and non-existent (DST gap) times and flags ambiguous (DST
  fold) and far-away ones;
* a wall time is turned into an instant the way RFC 5545 does: a time in a DST gap uses the
  offset before the gap (so it lands after it), a time in a fold is the first of the two;
* recurring meetings are expanded from their RRULE in the meeting's own zone, so a weekly
  meeting at 15:00 in Madrid stays at 15:00 in Madrid across daylight saving changes;
* reminders are due ``offset`` minutes before an occurrence's start; :func:`reminder_fates`
  decides, after downtime, which overdue reminder is still sent (late) and which is missed.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Final, Literal
from zoneinfo import ZoneInfo

import dateparser
from dateutil.rrule import rrulestr

from bot.countries import city_name
from bot.digests import format_when
from bot.i18n import LANGUAGES, N_, Translator
from bot.rendering import Html, bold, escape, link

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
MATERIALISE_AHEAD: Final = timedelta(days=45)
"""Occurrences of a recurring meeting are kept as rows this far ahead (beyond any offset)."""
DAY_START: Final = time(8, 0)
DAY_END: Final = time(21, 0)
TITLE_LIMIT: Final = 120
AGENDA_LIMIT: Final = 1500
LINK_LIMIT: Final = 400

Answer = Literal["going", "maybe", "no"]
ANSWERS: Final[tuple[Answer, ...]] = ("going", "maybe", "no")
ANSWER_CODES: Final[dict[str, Answer]] = {"g": "going", "m": "maybe", "n": "no"}
ANSWER_LABELS: Final[dict[Answer, str]] = {
    "going": N_("✅ Going"),
    "maybe": N_("🤔 Maybe"),
    "no": N_("❌ Can't go"),
}
Recurrence = Literal["none", "weekly", "biweekly", "monthly"]
RECURRENCES: Final[tuple[Recurrence, ...]] = ("none", "weekly", "biweekly", "monthly")
RECURRENCE_LABELS: Final[dict[Recurrence, str]] = {
    "none": N_("Only once"),
    "weekly": N_("Every week"),
    "biweekly": N_("Every two weeks"),
    "monthly": N_("Monthly, same weekday"),
}
RSVP_PREFIX: Final = "mr"
CALENDAR_PREFIX: Final = "cal"


@dataclass(frozen=True)
class Refusal:
    """Why an answer was not accepted: a message id and the values it names."""

    message: str
    values: Mapping[str, object] = field(default_factory=dict)


# --- reading a typed date and time -------------------------------------------------------

_FRENCH_HOUR = re.compile(r"\b(\d{1,2})\s*h\s*(\d{2})?\b", re.IGNORECASE)
_CHINESE_FULL_DATE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]")
_CHINESE_DATE = re.compile(r"(?<![\d年])(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]")
_CHINESE_HOUR = re.compile(
    r"(上午|早上|中午|下午|晚上)?\s*(\d{1,2})\s*[点點时時](?:\s*(\d{1,2})\s*分?|半)?"
)
_CHINESE_WORDS: Final = {
    "今天": "today",
    "明天": "tomorrow",
    "后天": "in 2 days",
    "後天": "in 2 days",
}
_CONNECTORS = re.compile(r"\b(?:at|a las|a la|à|vers|le|el|on)\b", re.IGNORECASE)
_HAS_TIME = re.compile(r"\d{1,2}:\d{2}|\d\s*(?:am|pm)\b", re.IGNORECASE)


def _chinese_hour(match: re.Match[str]) -> str:
    part, hour, minute = match.group(1), int(match.group(2)), match.group(3)
    if part in ("下午", "晚上") and hour < 12:
        hour += 12
    minutes = 30 if match.group(0).endswith("半") else int(minute or 0)
    return f" {hour}:{minutes:02d}"


def _month_day(month: int, day: int, today: date) -> str:
    """``10月15日`` without a year: this year's date, or next year's when it has passed."""
    year = today.year if (month, day) >= (today.month, today.day) else today.year + 1
    return f" {year:04d}-{month:02d}-{day:02d} "


def normalise_when(text: str, today: date) -> str:
    """Rewrite the forms dateparser misreads into forms it reads right."""
    cleaned = " ".join(text.replace("，", " ").replace(",", " ").split())
    cleaned = _CHINESE_FULL_DATE.sub(
        lambda m: f" {int(m[1]):04d}-{int(m[2]):02d}-{int(m[3]):02d} ", cleaned
    )
    cleaned = _CHINESE_DATE.sub(lambda m: _month_day(int(m[1]), int(m[2]), today), cleaned)
    cleaned = _CHINESE_HOUR.sub(_chinese_hour, cleaned)
    for word, english in _CHINESE_WORDS.items():
        cleaned = cleaned.replace(word, f" {english} ")
    cleaned = _FRENCH_HOUR.sub(lambda m: f"{int(m[1])}:{m[2] or '00'}", cleaned)
    cleaned = _CONNECTORS.sub(" ", cleaned)
    return " ".join(cleaned.split())


def read_when(text: str, language: str, now_local: datetime) -> datetime | None:
    """The wall time typed (naive, in the organiser's zone), or None when it cannot be read.

    ``now_local`` is the organiser's current wall time: relative words count from it.
    """
    base = now_local.replace(tzinfo=None, second=0, microsecond=0)
    normalised = normalise_when(text, base.date())
    if not normalised or not _HAS_TIME.search(normalised):
        return None
    settings = {
        "RELATIVE_BASE": base,
        "PREFER_DATES_FROM": "future",
        "DATE_ORDER": "DMY",
        "RETURN_AS_TIMEZONE_AWARE": False,
        "STRICT_PARSING": False,
    }
    order = [language, *(other for other in LANGUAGES if other != language)]
    for candidate in order:
        try:
            parsed = dateparser.parse(normalised, languages=[candidate], settings=settings)
        except (ValueError, OverflowError):
            parsed = None
        if isinstance(parsed, datetime):
            return parsed.replace(tzinfo=None, second=0, microsecond=0)
    return None


def has_time(text: str, today: date) -> bool:
    """Whether the typed text names a time of day (a date alone is not enough)."""
    return bool(_HAS_TIME.search(normalise_when(text, today)))


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


def check_start(local: datetime, zone: ZoneInfo, now: datetime) -> Start | Refusal:
    """Refuse a past or non-existent wall time; flag an ambiguous or far-away one."""
    local = local.replace(tzinfo=None, second=0, microsecond=0)
    if in_gap(local, zone):
        return Refusal(
            N_(
                "{time} does not exist on {date} in {zone}: the clocks jump forward {shift} "
                "that night. Please type another time."
            ),
            {
                "time": f"{local:%H:%M}",
                "date": local.date().isoformat(),
                "zone": zone.key,
                "shift": format_shift(clock_shift(local, zone)),
            },
        )
    at = to_instant(local, zone)
    if at <= now:
        return Refusal(
            N_("{when} is already past. Please type a time in the future."),
            {"when": f"{local:%Y-%m-%d %H:%M} ({zone.key})"},
        )
    return Start(local, at, ambiguous=in_fold(local, zone), far=at - now > FAR_AHEAD)


def format_shift(shift: timedelta) -> str:
    minutes = int(shift.total_seconds() // 60)
    return f"{minutes // 60}:{minutes % 60:02d}" if minutes % 60 else f"{minutes // 60} h"


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
                N_("Reminders come before the meeting: {offset} is not."), {"offset": part}
            )
        if minutes > MAX_OFFSET:
            return Refusal(N_("A reminder can be at most 30 days before the meeting."))
        offsets.add(minutes)
    if len(offsets) > MAX_OFFSETS:
        return Refusal(N_("At most {n} reminders, please."), {"n": MAX_OFFSETS})
    return tuple(sorted(offsets, reverse=True))


def format_offset(minutes: int) -> str:
    """``10080`` -> ``7d``, ``90`` -> ``1h30``, ``10`` -> ``10min``."""
    if minutes % 1440 == 0:
        return f"{minutes // 1440}d"
    if minutes >= 60:
        hours, rest = divmod(minutes, 60)
        return f"{hours}h{rest:02d}" if rest else f"{hours}h"
    return f"{minutes}min"


def format_offsets(offsets: Sequence[int]) -> str:
    return ", ".join(format_offset(m) for m in offsets)


def format_duration(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{rest} min"
    return f"{hours} h {rest:02d}" if rest else f"{hours} h"


def reminder_times(start: datetime, offsets: Iterable[int]) -> list[tuple[int, datetime]]:
    """Each offset with its due instant, soonest-due first."""
    return sorted(((m, start - timedelta(minutes=m)) for m in offsets), key=lambda x: x[1])


def past_offsets(start: datetime, offsets: Iterable[int], now: datetime) -> list[int]:
    """The offsets whose reminder would already be due now (they are not sent)."""
    return [m for m in offsets if start - timedelta(minutes=m) <= now]


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


def render_spread(tr: Translator, spread: Spread) -> Html | None:
    """``members: 06:00 in Lima … 22:00 in Shanghai; 3 people outside 08:00–21:00``."""
    if spread.earliest is None or spread.latest is None:
        return None

    def place(item: tuple[datetime, str]) -> Html:
        local, zone = item
        return tr("{time} in {city}", time=f"{local:%H:%M}", city=city_name(zone, tr.language))

    span = place(spread.earliest)
    if spread.latest[0].utcoffset() != spread.earliest[0].utcoffset():
        span = Html(f"{span} … {place(spread.latest)}")
    outside = tr.plural(
        "{n} person outside 08:00–21:00", "{n} people outside 08:00–21:00", spread.outside
    )
    return tr("Members: {span}; {outside}.", span=span, outside=outside)


# --- how a meeting reads --------------------------------------------------------------


@dataclass(frozen=True)
class MeetingView:
    """What any message about one occurrence shows (built from the stored meeting)."""

    meeting_id: int
    occurrence_id: int
    title: str
    groups: Sequence[str]
    start: datetime
    duration_minutes: int
    link: str | None
    agenda: str | None
    recurrence: Recurrence
    cancelled: bool = False


def when_lines(tr: Translator, start: datetime, zone: ZoneInfo) -> list[Html]:
    """The start in the reader's zone (zone named) and in UTC."""
    return [
        tr("🕒 {when}", when=format_when(start, zone, tr.language)),
        tr("🌐 {utc} UTC", utc=f"{start.astimezone(UTC):%Y-%m-%d %H:%M}"),
    ]


def meeting_lines(tr: Translator, view: MeetingView, zone: ZoneInfo) -> list[Html]:
    """Title, groups, time in the reader's zone and in UTC, duration, recurrence, link, agenda."""
    lines = [bold(view.title), tr("👥 {groups}", groups=", ".join(view.groups))]
    lines += when_lines(tr, view.start, zone)
    lines.append(tr("⏱ {duration}", duration=format_duration(view.duration_minutes)))
    if view.recurrence != "none":
        lines.append(tr("🔁 {recurrence}", recurrence=tr(RECURRENCE_LABELS[view.recurrence])))
    if view.link:
        lines.append(Html(f"🔗 {link(view.link, view.link)}"))
    if view.agenda:
        lines.append(tr("📋 Agenda:"))
        lines.append(escape(view.agenda))
    return lines


def counts_line(tr: Translator, counts: Mapping[str, int]) -> Html:
    return tr(
        "Going: {going} · Maybe: {maybe} · Can't go: {no}",
        going=counts.get("going", 0),
        maybe=counts.get("maybe", 0),
        no=counts.get("no", 0),
    )


def announcement_text(
    tr: Translator, view: MeetingView, zone: ZoneInfo, counts: Mapping[str, int] | None
) -> Html:
    """The announcement of a meeting, with live answer counts in a group (or its cancellation)."""
    if view.cancelled:
        head = tr("❌ Cancelled: {title}", title=view.title)
        return Html("\n".join([head, *when_lines(tr, view.start, zone)]))
    lines = [tr("📅 New meeting (#{id})", id=view.meeting_id), *meeting_lines(tr, view, zone)]
    if counts is not None:
        lines += [Html(""), counts_line(tr, counts)]
    return Html("\n".join(lines))


def your_answer_line(tr: Translator, answer: str | None) -> Html:
    for known, label in ANSWER_LABELS.items():
        if answer == known:
            return tr("Your answer: {answer}", answer=tr(label))
    return tr("You have not answered yet.")


def rsvp_keyboard(tr: Translator, occurrence_id: int, chosen: str | None = None) -> dict[str, Any]:
    """Going / Maybe / Can't go and Add to calendar, as the Bot API spells an inline keyboard."""
    answers = [
        {
            "text": ("• " if chosen == answer else "") + tr(ANSWER_LABELS[answer]),
            "callback_data": rsvp_callback(occurrence_id, answer),
        }
        for answer in ANSWERS
    ]
    calendar = {
        "text": tr("📆 Add to calendar"),
        "callback_data": f"{CALENDAR_PREFIX}:{occurrence_id}",
    }
    return {"inline_keyboard": [answers, [calendar]]}


def rsvp_callback(occurrence_id: int, answer: Answer) -> str:
    code = next(c for c, a in ANSWER_CODES.items() if a == answer)
    return f"{RSVP_PREFIX}:{occurrence_id}:{code}"


@dataclass(frozen=True)
class RsvpTap:
    occurrence_id: int
    answer: Answer


_RSVP = re.compile(rf"^{RSVP_PREFIX}:(?P<occ>[1-9]\d{{0,11}}):(?P<code>[gmn])$")


def parse_rsvp(data: str | None) -> RsvpTap | None:
    match = _RSVP.match(data or "")
    if match is None:
        return None
    return RsvpTap(int(match["occ"]), ANSWER_CODES[match["code"]])


def reminder_text(
    tr: Translator,
    view: MeetingView,
    zone: ZoneInfo,
    offset_minutes: int,
    answer: str | None,
    *,
    personal: bool,
) -> Html:
    """A reminder: how soon, when in the reader's zone and UTC, the link, their answer."""
    lines = [
        tr(
            "⏰ Reminder: {title} in {offset}",
            title=view.title,
            offset=format_offset(offset_minutes),
        ),
        *when_lines(tr, view.start, zone),
    ]
    if view.link:
        lines.append(Html(f"🔗 {link(view.link, view.link)}"))
    if personal:
        lines.append(your_answer_line(tr, answer))
        if answer is None and offset_minutes == NUDGE_OFFSET:
            lines.append(tr("Please let the coordinators know whether you come."))
    return Html("\n".join(lines))


def nudge_text(tr: Translator, view: MeetingView, zone: ZoneInfo) -> Html:
    lines = [
        tr("👋 Will you join {title}? You have not answered yet.", title=view.title),
        *when_lines(tr, view.start, zone),
    ]
    return Html("\n".join(lines))


def change_text(
    tr: Translator, view: MeetingView, zone: ZoneInfo, old_start: datetime | None
) -> Html:
    """The notice of a change: cancelled, moved (answers reset), or new link or agenda."""
    if view.cancelled:
        lines = [tr("❌ The meeting {title} is cancelled.", title=view.title)]
        lines += when_lines(tr, view.start, zone)
        return Html("\n".join(lines))
    if old_start is not None and old_start != view.start:
        was = format_when(old_start, zone, tr.language)
        lines = [tr("🔄 The meeting {title} has moved (it was {was}).", title=view.title, was=was)]
        lines += meeting_lines(tr, view, zone)[1:]
        lines.append(tr("Answers were reset: please answer again."))
        return Html("\n".join(lines))
    lines = [tr("✏️ The meeting {title} has changed.", title=view.title)]
    lines += meeting_lines(tr, view, zone)[1:]
    lines.append(tr("Your answer is kept."))
    return Html("\n".join(lines))


# --- live counts: at most one edit per message every few seconds, and per group a minute cap


class EditGate:
    """When an announcement may be edited again: every ``gap`` seconds per message and at most
    ``per_minute`` edits per chat in any 60 seconds (times are monotonic seconds)."""

    def __init__(self, gap: float = 3.0, per_minute: int = 18) -> None:
        self.gap = gap
        self.per_minute = per_minute
        self._last: dict[tuple[int, int], float] = {}
        self._chat: dict[int, deque[float]] = {}
        self._held: dict[int, float] = {}

    def next_allowed(self, chat_id: int, message_id: int, now: float) -> float:
        """The earliest time (>= now) an edit of this message may go."""
        at = now
        last = self._last.get((chat_id, message_id))
        if last is not None:
            at = max(at, last + self.gap)
        recent = self._recent(chat_id, now)
        if len(recent) >= self.per_minute:
            at = max(at, recent[-self.per_minute] + 60.0)
        return max(at, self._held.get(chat_id, at))

    def hold(self, chat_id: int, until: float) -> None:
        """Nothing goes to the chat before ``until`` (Telegram answered 429)."""
        self._held[chat_id] = max(until, self._held.get(chat_id, until))

    def record(self, chat_id: int, message_id: int, at: float) -> None:
        self._last[(chat_id, message_id)] = at
        self._recent(chat_id, at).append(at)

    def _recent(self, chat_id: int, now: float) -> deque[float]:
        times = self._chat.setdefault(chat_id, deque())
        while times and times[0] <= now - 60.0:
            times.popleft()
        return times
