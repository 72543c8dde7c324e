"""The slot finder: the best start times for a group whose members live in many time zones.

Pure functions (no Telegram, no database), tested in ``tests/unit/test_slots.py``.

* Candidates start on the hour or half hour (UTC grid) inside the window; the whole meeting
  must fit in it. The default window is the next 14 days from tomorrow in the asker's zone;
  FROM and TO are dates there (both included), at most 60 days.
* A member is **in working hours** when the whole meeting lies within 08:00–21:00 local time
  on a local weekday (Monday to Friday) and **at night** when any part of it falls within
  23:00–06:00 local time.
* Candidates rank by the most members in working hours, then the fewest at night, then the
  earliest start. Members without a time zone are not counted and are named as unknown.
* The proposals (3 to 5) are taken in rank order, skipping a candidate that overlaps one
  already taken or falls on a day that already has one — five half-hour neighbours on the
  same afternoon would make a useless poll. When that leaves fewer than three, the day rule
  is dropped. The bot counts days in UTC, so whoever taps "Post as poll" later gets the very
  proposals that were shown (they are computed again from the window in the button).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Final
from zoneinfo import ZoneInfo

from babel.dates import format_skeleton

from bot import formats
from bot.countries import local_time
from bot.i18n import N_, Translator
from bot.meetings.buttons import SlotsMeet, SlotsPoll
from bot.rendering import Html, bold, escape

WORK_START: Final = time(8, 0)
WORK_END: Final = time(21, 0)
NIGHT_START: Final = time(23, 0)
NIGHT_END: Final = time(6, 0)
GRID: Final = timedelta(minutes=30)
DEFAULT_DURATION: Final = 60
MAX_DURATION: Final = 24 * 60
DEFAULT_DAYS: Final = 14
MAX_WINDOW_DAYS: Final = 60
MAX_PROPOSALS: Final = 5
MIN_PROPOSALS: Final = 3
OUTSIDE_SHOWN: Final = 8
"""Members named as outside working hours per proposal; the rest are counted."""


# --- people and their hours ------------------------------------------------------------


@dataclass(frozen=True)
class Member:
    """A member as the slot finder sees them: a name and a zone (None: unknown)."""

    person_id: int
    name: str
    zone: ZoneInfo | None


def in_working_hours(local_start: datetime, local_end: datetime) -> bool:
    """The whole meeting within 08:00–21:00 of one local weekday."""
    if local_start.weekday() >= 5:
        return False
    day_start = datetime.combine(local_start.date(), WORK_START)
    day_end = datetime.combine(local_start.date(), WORK_END)
    start, end = local_start.replace(tzinfo=None), local_end.replace(tzinfo=None)
    return day_start <= start and end <= day_end


def at_night(local_start: datetime, local_end: datetime) -> bool:
    """Some part of the meeting within 23:00–06:00 local time."""
    start, end = local_start.replace(tzinfo=None), local_end.replace(tzinfo=None)
    day = start.date() - timedelta(days=1)
    while day <= end.date():
        night_start = datetime.combine(day, NIGHT_START)
        night_end = datetime.combine(day + timedelta(days=1), NIGHT_END)
        if start < night_end and end > night_start:
            return True
        day += timedelta(days=1)
    return False


@dataclass(frozen=True)
class Hours:
    """Where a meeting falls for people of one zone."""

    local_start: datetime
    inside: bool
    night: bool


def hours_in(zone: ZoneInfo, start: datetime, end: datetime) -> Hours:
    local_start, local_end = start.astimezone(zone), end.astimezone(zone)
    return Hours(
        local_start, in_working_hours(local_start, local_end), at_night(local_start, local_end)
    )


# --- candidates and their ranking --------------------------------------------------------


@dataclass(frozen=True)
class Outside:
    """A member outside working hours for a slot, and their local start."""

    member: Member
    local_start: datetime
    night: bool


@dataclass(frozen=True)
class Slot:
    """A candidate start with who is in working hours and who is not."""

    start: datetime
    """UTC."""
    end: datetime
    inside: int
    night: int
    outside: tuple[Outside, ...]
    known: int
    """Members with a zone (those counted)."""

    def rank_key(self) -> tuple[int, int, datetime]:
        return (-self.inside, self.night, self.start)


def candidate_starts(window_start: datetime, window_end: datetime, minutes: int) -> list[datetime]:
    """Starts on the UTC half-hour grid such that the whole meeting fits in the window."""
    first = window_start.astimezone(UTC)
    step = int(GRID.total_seconds())
    seconds = int(first.timestamp())
    aligned = datetime.fromtimestamp(-(-seconds // step) * step, UTC)
    duration = timedelta(minutes=minutes)
    starts: list[datetime] = []
    current = aligned
    while current + duration <= window_end:
        starts.append(current)
        current += GRID
    return starts


def score(members: Sequence[Member], start: datetime, minutes: int) -> Slot:
    """Who is in working hours and who is at night for a meeting starting at ``start``."""
    end = start + timedelta(minutes=minutes)
    by_zone: dict[str, Hours] = {}
    inside = night = known = 0
    outside: list[Outside] = []
    for member in members:
        if member.zone is None:
            continue
        known += 1
        hours = by_zone.get(member.zone.key)
        if hours is None:
            hours = by_zone[member.zone.key] = hours_in(member.zone, start, end)
        if hours.inside:
            inside += 1
        else:
            outside.append(Outside(member, hours.local_start, hours.night))
        night += hours.night
    ordered = sorted(
        outside, key=lambda o: (o.local_start.utcoffset() or timedelta(), o.member.name)
    )
    return Slot(start, end, inside, night, tuple(ordered), known)


def _tally(zones: Sequence[tuple[ZoneInfo, int]], start: datetime, minutes: int) -> Slot:
    """A candidate's counts from members grouped by zone (who is outside is left out)."""
    end = start + timedelta(minutes=minutes)
    inside = night = known = 0
    for zone, people in zones:
        hours = hours_in(zone, start, end)
        known += people
        inside += people * hours.inside
        night += people * hours.night
    return Slot(start, end, inside, night, (), known)


def rank(
    members: Sequence[Member], window_start: datetime, window_end: datetime, minutes: int
) -> list[Slot]:
    """Every candidate of the window, best first, with counts only (see :func:`score`)."""
    counts = Counter(member.zone.key for member in members if member.zone is not None)
    zones = [(ZoneInfo(key), people) for key, people in sorted(counts.items())]
    starts = candidate_starts(window_start, window_end, minutes)
    return sorted((_tally(zones, start, minutes) for start in starts), key=Slot.rank_key)


def _overlaps(slot: Slot, taken: Iterable[Slot]) -> bool:
    return any(slot.start < other.end and other.start < slot.end for other in taken)


def pick(ranked: Sequence[Slot], day_zone: ZoneInfo, count: int = MAX_PROPOSALS) -> list[Slot]:
    """The best ``count`` slots, spread over different days when the window allows it."""
    taken: list[Slot] = []
    days: set[date] = set()
    for slot in ranked:
        day = slot.start.astimezone(day_zone).date()
        if day not in days and not _overlaps(slot, taken):
            taken.append(slot)
            days.add(day)
            if len(taken) == count:
                return taken
    if len(taken) < MIN_PROPOSALS:
        for slot in ranked:
            if len(taken) >= min(count, MIN_PROPOSALS):
                break
            if slot not in taken and not _overlaps(slot, taken):
                taken.append(slot)
    return sorted(taken, key=Slot.rank_key)


def best_slots(
    members: Sequence[Member],
    window_start: datetime,
    window_end: datetime,
    minutes: int,
    day_zone: ZoneInfo,
    count: int = MAX_PROPOSALS,
) -> list[Slot]:
    """The proposals: the best 3 to 5 start times of the window, with who is outside."""
    chosen = pick(rank(members, window_start, window_end, minutes), day_zone, count)
    return [score(members, slot.start, minutes) for slot in chosen]


# --- what the coordinator types ----------------------------------------------------------


@dataclass(frozen=True)
class SlotsRequest:
    minutes: int
    first_day: date
    last_day: date
    """Both included, in the asker's zone."""

    def window(self, zone: ZoneInfo, now: datetime) -> tuple[datetime, datetime]:
        """The window as instants: from the first day's midnight (not before now) to the end
        of the last day, in ``zone``."""
        start = datetime.combine(self.first_day, time(0), zone)
        end = datetime.combine(self.last_day + timedelta(days=1), time(0), zone)
        return max(start, now).astimezone(UTC), end.astimezone(UTC)


@dataclass(frozen=True)
class SlotsRefusal:
    """Why a /slots request was refused: a message id and the values it names."""

    message: str
    values: dict[str, object]


USAGE: Final = N_(
    "Write /slots GROUP [DURATION] [FROM TO], for example /slots climate 90 {first} {last}."
)
BAD_DURATION: Final = N_(
    "“{text}” is not a duration: write minutes (90) or hours (1h30), at most 24 hours."
)
BAD_DATE: Final = N_("“{text}” is not a date: write it as YYYY-MM-DD, for example {example}.")
FROM_AFTER_TO: Final = N_("The window ends before it starts: {first} is after {last}.")
TOO_LONG: Final = N_("The window is too long: at most {days} days.")
ALL_PAST: Final = N_("The window is over: {last} is in the past.")

_DURATION = re.compile(
    r"^(?:(?P<hours>\d{1,3}(?:[.,]\d+)?)\s*h(?:ours?)?\s*(?P<rest>\d{1,2})?\s*(?:m|min)?"
    r"|(?P<minutes>\d{1,5})\s*(?:m|min|mins|minutes?)?)$",
    re.IGNORECASE,
)
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def parse_duration(text: str) -> int | None:
    """Minutes of ``90``, ``90m``, ``90min``, ``1h``, ``1h30``, ``1.5h``; None if unreadable."""
    match = _DURATION.match(text.strip())
    if match is None:
        return None
    if match["minutes"] is not None:
        minutes = int(match["minutes"])
    else:
        hours = float(match["hours"].replace(",", "."))
        minutes = round(hours * 60) + int(match["rest"] or 0)
    return minutes if 0 < minutes <= MAX_DURATION else None


def parse_day(text: str) -> date | None:
    if not _DATE.match(text.strip()):
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        return None


def usage_example(today: date) -> dict[str, object]:
    """The dates of /slots' usage example: a week from tomorrow, always to come."""
    first = today + timedelta(days=1)
    return {"first": first.isoformat(), "last": (first + timedelta(days=11)).isoformat()}


def parse_request(words: Sequence[str], today: date) -> SlotsRequest | SlotsRefusal:
    """Read ``[DURATION] [FROM TO]`` (what follows the group); ``today`` in the asker's zone."""
    if len(words) > 3:
        return SlotsRefusal(USAGE, usage_example(today))
    minutes = DEFAULT_DURATION
    if len(words) in (1, 3):
        parsed = parse_duration(words[0])
        if parsed is None:
            return SlotsRefusal(BAD_DURATION, {"text": words[0]})
        minutes = parsed
    if len(words) < 2:
        first = today + timedelta(days=1)
        return SlotsRequest(minutes, first, first + timedelta(days=DEFAULT_DAYS - 1))
    days: list[date] = []
    for word in words[-2:]:
        day = parse_day(word)
        if day is None:
            example = (today + timedelta(days=1)).isoformat()
            return SlotsRefusal(BAD_DATE, {"text": word, "example": example})
        days.append(day)
    first, last = days
    if first > last:
        return SlotsRefusal(FROM_AFTER_TO, {"first": first.isoformat(), "last": last.isoformat()})
    if (last - first).days + 1 > MAX_WINDOW_DAYS:
        return SlotsRefusal(TOO_LONG, {"days": MAX_WINDOW_DAYS})
    if last < today:
        return SlotsRefusal(ALL_PAST, {"last": last.isoformat()})
    return SlotsRequest(minutes, first, last)


# --- what the coordinator reads ----------------------------------------------------------


def format_minutes(minutes: int, language: str) -> str:
    """``1 hour 30 minutes``, ``1小时30分钟`` (``bot/formats.py``)."""
    return formats.format_minutes(minutes, language)


def day_label(moment: datetime, language: str) -> str:
    """``Tue, Dec 1`` / ``mar, 1 dic`` / ``12月1日周二``."""
    return str(format_skeleton("MMMEd", moment, locale=language))


def span_label(slot: Slot, zone: ZoneInfo, language: str) -> str:
    """``Tue, Dec 1 15:00–16:00``, in ``zone``."""
    start, end = slot.start.astimezone(zone), slot.end.astimezone(zone)
    return f"{day_label(start, language)} {start:%H:%M}–{end:%H:%M}"


def _outside_line(_: Translator, outside: Sequence[Outside]) -> Html:
    parts = []
    for person in outside[:OUTSIDE_SHOWN]:
        zone = person.member.zone
        assert zone is not None
        when = local_time(zone.key, person.local_start, _.language)
        mark = " 🌙" if person.night else ""
        city = formats.zone_name(zone, _.language)
        parts.append(f"{escape(person.member.name)} {escape(when)} ({escape(city)}){mark}")
    more = len(outside) - OUTSIDE_SHOWN
    if more > 0:
        # Translators: ends a shortened list of names: “Ana, Li, and 3 more”.
        parts.append(str(_.plural("and {n} more", "and {n} more", more)))
    # Translators: the members for whom a proposed time falls outside working hours, each with
    # their local time.
    return _("Outside: {people}", people=Html(formats.format_parts(parts, _.language)))


def slot_lines(_: Translator, number: int, slot: Slot, zone: ZoneInfo) -> list[str]:
    """A proposal: when in the asker's zone and in UTC, how many are in hours, who is not."""
    here = span_label(slot, zone, _.language)
    utc = slot.start.astimezone(UTC)
    lines = [
        f"{bold(f'{number}. {here}')} ({escape(formats.zone_name(zone, _.language))})"
        f" · {utc:%H:%M} UTC",
        "   "
        # Translators: under one proposed time: how many members (of those whose zone is known) are
        # in working hours, and how many in the night.
        + _(
            "✅ {inside} of {known} in working hours · 🌙 {night} at night",
            inside=slot.inside,
            known=slot.known,
            night=slot.night,
        ),
    ]
    if slot.outside:
        lines.append("   " + _outside_line(_, slot.outside))
    return lines


def render_slots(
    _: Translator,
    group_name: str,
    slots: Sequence[Slot],
    minutes: int,
    request: SlotsRequest,
    zone: ZoneInfo,
    unknown: Sequence[Member],
) -> Html:
    """The /slots answer: the window, the rule, each proposal, and who could not be counted."""
    lines: list[str] = [
        # Translators: {duration} is the meeting's length (“1 h 30”); {first} and {last} are the
        # first and last dates searched.
        _(
            "<b>Best times for {group}</b> — {duration}, {first} to {last}",
            group=group_name,
            duration=format_minutes(minutes, _.language),
            first=formats.format_short_day(_day_start(request.first_day), UTC_ZONE, _.language),
            last=formats.format_short_day(_day_start(request.last_day), UTC_ZONE, _.language),
        ),
        _(
            "Working hours: 08:00–21:00 local time, Monday to Friday; night: 23:00–06:00. "
            "Times in your zone ({zone}) and in UTC.",
            zone=formats.zone_name(zone, _.language),
        ),
    ]
    if unknown:
        names = formats.format_parts(
            (escape(member.name) for member in unknown[:OUTSIDE_SHOWN]), _.language
        )
        more = len(unknown) - OUTSIDE_SHOWN
        shown = Html(names + (f" +{more}" if more > 0 else ""))
        lines.append(
            _.plural(
                "{n} member has no time zone and is not counted: {people}.",
                "{n} members have no time zone and are not counted: {people}.",
                len(unknown),
                people=shown,
            )
        )
    if not slots:
        lines += ["", _("The window is too short for a meeting that long.")]
    for number, slot in enumerate(slots, start=1):
        lines += ["", *slot_lines(_, number, slot, zone)]
    return Html("\n".join(lines))


def poll_question(_: Translator, group_name: str, minutes: int, zone: ZoneInfo) -> str:
    """The poll's question (sent with HTML parse mode: the group name is escaped)."""
    return str(
        # Translators: {zone} names the chat's zone (a city); {duration} is “1 hour”.
        _(
            "{group}: which times suit you? ({duration}, times in {zone}; "
            "members' clocks after the ·)",
            group=group_name,
            duration=format_minutes(minutes, _.language),
            zone=formats.zone_name(zone, _.language),
        )
    )


POLL_OPTION_LIMIT: Final = 100
"""Telegram's longest poll option (characters)."""


def poll_option(slot: Slot, zone: ZoneInfo, zones: Iterable[ZoneInfo], language: str) -> str:
    """``Tue, Dec 8 15:00–16:00 · Lima 09:00 … Shanghai 22:00``: the time in the chat's zone,
    then the members' earliest and latest clocks (``zones``: one per member with a zone)."""
    label = span_label(slot, zone, language)
    by_offset = sorted(
        {z.key: z for z in zones}.values(),
        key=lambda z: slot.start.astimezone(z).utcoffset() or timedelta(),
    )
    if not by_offset:
        return label[:POLL_OPTION_LIMIT]
    ends = [by_offset[0], by_offset[-1]] if len(by_offset) > 1 else by_offset[:1]
    clocks = [f"{formats.zone_name(z, language)} {formats.clock(slot.start, z)}" for z in ends]
    if len(clocks) == 2 and clocks[0].rsplit(" ", 1)[1] == clocks[1].rsplit(" ", 1)[1]:
        clocks = clocks[:1]
    option = f"{label} · {' … '.join(clocks)}"
    return option if len(option) <= POLL_OPTION_LIMIT else label[:POLL_OPTION_LIMIT]


UTC_ZONE: Final = ZoneInfo("UTC")


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time(12, 0), tzinfo=UTC)


# --- button data (bot/meetings/buttons.py) -------------------------------------------------


def poll_data(group_id: int, minutes: int, window: tuple[datetime, datetime]) -> str:
    """``sp:<group>:<minutes>:<window start>:<window end>`` (epoch minutes): the proposals are
    computed again from these, so the button carries no list."""
    return SlotsPoll.of(group_id, minutes, window).pack()


def meet_data(group_id: int, minutes: int, start: datetime) -> str:
    return SlotsMeet.of(group_id, minutes, start).pack()


@dataclass(frozen=True)
class PollTap:
    group_id: int
    minutes: int
    window_start: datetime
    window_end: datetime


@dataclass(frozen=True)
class MeetTap:
    group_id: int
    minutes: int
    start: datetime


def parse_poll_data(data: str | None) -> PollTap | None:
    """The poll button's values; None for anything forged or mangled."""
    tap = SlotsPoll.unpack_or_none(data)
    window, minutes = (tap.window(), tap.duration()) if tap else (None, None)
    if tap is None or window is None or minutes is None:
        return None
    return PollTap(tap.group_id, minutes, *window)


def parse_meet_data(data: str | None) -> MeetTap | None:
    """The schedule button's values; None for anything forged or mangled."""
    tap = SlotsMeet.unpack_or_none(data)
    start, minutes = (tap.start(), tap.duration()) if tap else (None, None)
    if tap is None or start is None or minutes is None:
        return None
    return MeetTap(tap.group_id, minutes, start)
