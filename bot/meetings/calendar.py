"""Calendar files: meetings as iCalendar (RFC 5545) ``.ics``, written with the icalendar library.

Pure functions over :class:`storage.calendar.CalendarMeeting` (no Telegram, no database):

* one VEVENT per meeting, ``UID:meeting-<id>@wnmrc-bot``, so importing a newer file updates
  the events a calendar already has instead of doubling them; ``SEQUENCE`` grows with every
  change (seconds between creation and last change) and ``STATUS:CANCELLED`` marks a
  cancelled meeting;
* times are written in the meeting's own zone (``DTSTART;TZID=Europe/Madrid``) with a
  ``VTIMEZONE`` for it, not in UTC: a recurring meeting's RRULE is a rule about wall time
  ("Tuesdays at 15:00 in Madrid"), and only a zoned DTSTART keeps its later occurrences at
  15:00 in Madrid across daylight-saving changes, as the bot itself does. Cancelled
  occurrences of a recurring meeting are ``EXDATE``\\s;
* "Add to calendar" gets a file with one occurrence: a single meeting keeps its meeting UID
  (the same event as in ``/calendar``), an occurrence of a recurring meeting gets its own
  ``meeting-<id>-<occurrence id>@wnmrc-bot`` (a lone RECURRENCE-ID without its series is
  read badly by several calendar apps).

``wnmrc-bot export calendar GROUP FILE`` (:func:`export_calendar`) writes a group's file.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Final
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, vRecur

from config import Settings, SettingsError
from storage import WorkingGroup
from storage.calendar import CalendarMeeting, CalendarOccurrence
from storage.repositories import existing_repositories
from storage.roadmap import Action

PRODID: Final = "-//World Network of Mountain Biosphere Reserves//wnmrc-bot//EN"
UID_DOMAIN: Final = "wnmrc-bot"
MIME_TYPE: Final = "text/calendar"
LAST_ZONE_DATE: Final = date(2038, 1, 1)
"""How far the VTIMEZONE rules are written at least (the library's default horizon)."""


def meeting_uid(meeting_id: int) -> str:
    return f"meeting-{meeting_id}@{UID_DOMAIN}"


def occurrence_uid(meeting_id: int, occurrence_id: int) -> str:
    return f"meeting-{meeting_id}-{occurrence_id}@{UID_DOMAIN}"


def sequence_of(meeting: CalendarMeeting) -> int:
    """A revision number that grows with every change of the meeting (RFC 5545 SEQUENCE)."""
    return max(0, int((meeting.updated_at - meeting.created_at).total_seconds()))


def zoned(instant: datetime, zone: ZoneInfo) -> datetime:
    """The instant as wall time in ``zone`` when that wall time names it without doubt, else
    in UTC (a time the clocks go back over is ambiguous written as wall time)."""
    local = instant.astimezone(zone)
    if local.replace(fold=0).astimezone(UTC) == instant.astimezone(UTC):
        return local.replace(fold=0)
    return instant.astimezone(UTC)


def _describe(meeting: CalendarMeeting) -> str:
    return "\n\n".join(part for part in (meeting.agenda, meeting.link) if part)


def _is_web_address(text: str | None) -> bool:
    return bool(text) and str(text).lower().startswith(("https://", "http://"))


def _common(event: Event, meeting: CalendarMeeting, uid: str, now: datetime) -> None:
    """What every event of a meeting says: who, what, where, which revision."""
    event.add("uid", uid)
    event.add("dtstamp", now.astimezone(UTC))
    event.add("created", meeting.created_at.astimezone(UTC))
    event.add("last-modified", meeting.updated_at.astimezone(UTC))
    event.add("sequence", sequence_of(meeting))
    event.add("summary", meeting.title)
    description = _describe(meeting)
    if description:
        event.add("description", description)
    if meeting.link:
        event.add("location", meeting.link)
    if _is_web_address(meeting.link):
        event.add("url", meeting.link)


def _cancelled(meeting: CalendarMeeting) -> bool:
    if meeting.status == "cancelled":
        return True
    if meeting.rrule or not meeting.occurrences:
        return False
    return all(o.status == "cancelled" for o in meeting.occurrences)


def meeting_event(meeting: CalendarMeeting, now: datetime) -> Event:
    """The meeting as one VEVENT: its recurrence rule and cancelled occurrences included."""
    zone = ZoneInfo(meeting.timezone)
    event = Event()
    _common(event, meeting, meeting_uid(meeting.id), now)
    duration = timedelta(minutes=meeting.duration_minutes)
    if meeting.rrule:
        # The rule counts in wall time: DTSTART is the typed wall time (a time in a DST gap
        # is read with the offset before the gap, as RFC 5545 and the bot both do).
        start = meeting.local_start.replace(tzinfo=zone, fold=0)
        event.add("dtstart", start)
        event.add("dtend", zoned(start.astimezone(UTC) + duration, zone))
        event.add("rrule", vRecur.from_ical(meeting.rrule.removeprefix("RRULE:")))
        skipped = [o for o in meeting.occurrences if o.status == "cancelled"]
        if skipped:
            event.add("exdate", [zoned(o.starts_at, zone) for o in skipped])
    else:
        event.add("dtstart", zoned(meeting.starts_at, zone))
        event.add("dtend", zoned(meeting.starts_at + duration, zone))
    event.add("status", "CANCELLED" if _cancelled(meeting) else "CONFIRMED")
    return event


def occurrence_event(
    meeting: CalendarMeeting, occurrence: CalendarOccurrence, now: datetime
) -> Event:
    """One occurrence as a VEVENT of its own (the "Add to calendar" button)."""
    zone = ZoneInfo(meeting.timezone)
    uid = occurrence_uid(meeting.id, occurrence.id) if meeting.rrule else meeting_uid(meeting.id)
    event = Event()
    _common(event, meeting, uid, now)
    event.add("dtstart", zoned(occurrence.starts_at, zone))
    event.add("dtend", zoned(occurrence.ends_at, zone))
    cancelled = meeting.status == "cancelled" or occurrence.status == "cancelled"
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    return event


def _calendar(events: Iterable[Event], name: str, first: date) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    for event in events:
        calendar.add_component(event)
    calendar.add_missing_timezones(first_date=first, last_date=LAST_ZONE_DATE)
    content: bytes = calendar.to_ical()
    return content


def _first_day(starts: Iterable[datetime]) -> date:
    """Where the VTIMEZONE rules begin: a year before the earliest start (a short file)."""
    earliest = min(starts, default=None)
    year = (earliest.year if earliest else 2026) - 1
    return date(max(year, 1970), 1, 1)


def calendar_file(
    meetings: Iterable[CalendarMeeting],
    now: datetime,
    name: str,
    deadlines: Iterable[Action] = (),
) -> bytes:
    """An ``.ics`` with every meeting given, one VEVENT each, and the roadmap's due dates."""
    chosen = list(meetings)
    due = [action for action in deadlines if action.status != "dropped"]
    first = _first_day([*(m.starts_at for m in chosen), *(a.due_at for a in due)])
    events = [*(meeting_event(m, now) for m in chosen), *(deadline_event(a, now) for a in due)]
    return _calendar(events, name, first)


def deadline_uid(action_id: int) -> str:
    return f"roadmap-action-{action_id}@{UID_DOMAIN}"


def deadline_event(action: Action, now: datetime) -> Event:
    """An action's due date: an all-day event for a date, a timed one (in the zone it was
    typed in) for a date and time."""
    event = Event()
    event.add("uid", deadline_uid(action.id))
    event.add("dtstamp", now.astimezone(UTC))
    event.add("created", action.created_at.astimezone(UTC))
    event.add("last-modified", action.updated_at.astimezone(UTC))
    event.add("sequence", max(0, int((action.updated_at - action.created_at).total_seconds())))
    event.add("summary", f"#{action.id} {action.title}")
    event.add("categories", ["roadmap"])
    if action.description:
        event.add("description", action.description)
    if action.due_time is None:
        event.add("dtstart", action.due_date)
        event.add("dtend", action.due_date + timedelta(days=1))
    else:
        zone = ZoneInfo(action.due_zone)
        event.add("dtstart", zoned(action.due_at, zone))
        event.add("dtend", zoned(action.due_at, zone))
    event.add("status", "CONFIRMED")
    event.add("transp", "TRANSPARENT")
    return event


def occurrence_file(
    meeting: CalendarMeeting, occurrence: CalendarOccurrence, now: datetime
) -> bytes:
    """An ``.ics`` with one occurrence of one meeting."""
    first = _first_day([occurrence.starts_at])
    return _calendar([occurrence_event(meeting, occurrence, now)], meeting.title, first)


def calendar_filename(scope: str | None) -> str:
    """``meetings-climate.ics``, or ``meetings.ics`` for a person's groups."""
    return f"meetings-{scope}.ics" if scope else "meetings.ics"


def occurrence_filename(meeting: CalendarMeeting, occurrence: CalendarOccurrence) -> str:
    return f"meeting-{meeting.id}-{occurrence.starts_at.astimezone(UTC):%Y-%m-%d}.ics"


def calendar_name(group_names: Iterable[str]) -> str:
    """The name a calendar app shows for the file."""
    names = list(group_names)
    return "WNMRC — " + ", ".join(names) if names else "WNMRC"


# The CLI: wnmrc-bot export calendar GROUP FILE


async def export_calendar(settings: Settings, path: Path, *, group_slug: str, now: datetime) -> str:
    """Write the group's meetings as an ``.ics`` file; return one line saying what was written."""
    async with existing_repositories(settings) as repos:
        group = _group_of(await repos.groups.list(), group_slug)
        meetings = await repos.calendar.meetings_of_groups([group.id])
        deadlines = await repos.roadmap.actions([group.id])
    content = calendar_file(meetings, now, calendar_name([group.name("en")]), deadlines)
    await asyncio.to_thread(path.write_bytes, content)
    due_dates = f", {len(deadlines)} roadmap due dates" if deadlines else ""
    return f"{path}: {len(meetings)} meetings{due_dates} (working group {group.slug})"


def _group_of(groups: list[WorkingGroup], slug: str) -> WorkingGroup:
    for group in groups:
        if group.slug == slug.strip().lower():
            return group
    raise SettingsError("GROUP", "one of " + ", ".join(g.slug for g in groups))
