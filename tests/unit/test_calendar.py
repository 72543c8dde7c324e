"""Calendar files read back with icalendar give the very instants the bot stored."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo

import pytest
from dateutil.rrule import rrulestr
from hypothesis import given
from hypothesis import strategies as st
from icalendar import Calendar, Event

from bot.meetings.calendar import (
    calendar_file,
    calendar_name,
    meeting_uid,
    occurrence_file,
    occurrence_uid,
    sequence_of,
    zoned,
)
from storage.calendar import CalendarMeeting, CalendarOccurrence

from ..factories import ZONES

CREATED = datetime(2026, 9, 1, 8, 0, tzinfo=UTC)
NOW = datetime(2026, 10, 1, 12, 0, tzinfo=UTC)


def wall(*fields: int) -> datetime:
    """A naive wall-clock time (a time of day in some zone, not an instant)."""
    return datetime(*fields, tzinfo=UTC).replace(tzinfo=None)


def instant(local: datetime, zone: str) -> datetime:
    """How the bot turns a wall time into an instant: a gap with the offset before it."""
    return local.replace(tzinfo=ZoneInfo(zone), fold=0).astimezone(UTC)


def make_meeting(
    local_start: datetime,
    zone: str = "Europe/Madrid",
    *,
    rrule: str | None = None,
    starts: list[datetime] | None = None,
    cancelled: tuple[int, ...] = (),
    status: str = "scheduled",
    minutes: int = 90,
    title: str = "Follow-up meeting",
    updated: datetime = CREATED,
) -> CalendarMeeting:
    first = instant(local_start, zone)
    occurrences = tuple(
        CalendarOccurrence(
            id=100 + index,
            meeting_id=7,
            starts_at=start,
            ends_at=start + timedelta(minutes=minutes),
            status="cancelled" if index in cancelled else "scheduled",
        )
        for index, start in enumerate(starts or [first])
    )
    return CalendarMeeting.model_validate(
        {
            "id": 7,
            "title": title,
            "timezone": zone,
            "local_start": local_start,
            "starts_at": first,
            "duration_minutes": minutes,
            "link": "https://meet.example.org/wnmrc",
            "agenda": "1. Roadmap\n2. Experiences",
            "rrule": rrule,
            "status": status,
            "created_at": CREATED,
            "updated_at": updated,
            "cancelled_at": updated if status == "cancelled" else None,
            "group_ids": (1,),
            "occurrences": occurrences,
        }
    )


def read_back(content: bytes) -> tuple[Calendar, Event]:
    calendar = Calendar.from_ical(content)
    (event,) = calendar.events
    return calendar, event


def from_vtimezone(calendar: Calendar, aware: datetime) -> datetime:
    """The instant of a zoned time, read with the file's own VTIMEZONE rules (not zoneinfo)."""
    if aware.utcoffset() == timedelta(0) and str(aware.tzinfo) in ("UTC", "Z"):
        return aware.astimezone(UTC)
    rules: dict[str, tzinfo] = {
        str(tz["TZID"]): tz.to_tz(lookup_tzid=False) for tz in calendar.timezones
    }
    zone = rules[str(aware.tzinfo)]
    return aware.replace(tzinfo=zone).astimezone(UTC)


def test_a_single_meeting_reads_back_at_its_stored_instant() -> None:
    meeting = make_meeting(wall(2026, 10, 15, 15, 0))

    calendar, event = read_back(calendar_file([meeting], NOW, calendar_name(["Climate change"])))

    assert [str(tz["TZID"]) for tz in calendar.timezones] == ["Europe/Madrid"]
    assert str(calendar["X-WR-CALNAME"]) == "WNMRC — Climate change"
    assert from_vtimezone(calendar, event.start) == datetime(2026, 10, 15, 13, 0, tzinfo=UTC)
    assert from_vtimezone(calendar, event.end) == datetime(2026, 10, 15, 14, 30, tzinfo=UTC)
    assert event.start.hour == 15  # written as wall time in Madrid, with its VTIMEZONE
    assert str(event["UID"]) == "meeting-7@wnmrc-bot"
    assert str(event["SUMMARY"]) == "Follow-up meeting"
    assert str(event["DESCRIPTION"]) == (
        "1. Roadmap\n2. Experiences\n\nhttps://meet.example.org/wnmrc"
    )
    assert str(event["URL"]) == "https://meet.example.org/wnmrc"
    assert str(event["STATUS"]) == "CONFIRMED"
    assert event.decoded("DTSTAMP") == NOW
    assert "RRULE" not in event


@pytest.mark.parametrize(
    ("zone", "first", "changed"),
    [
        # Madrid leaves summer time on 25 October 2026; Sydney enters it on 4 October.
        ("Europe/Madrid", wall(2026, 10, 13, 15, 0), wall(2026, 10, 25)),
        ("Australia/Sydney", wall(2026, 9, 22, 18, 0), wall(2026, 10, 4)),
        ("America/Denver", wall(2026, 10, 20, 9, 0), wall(2026, 11, 1)),
    ],
)
def test_a_weekly_meeting_keeps_its_wall_time_across_a_dst_change(
    zone: str, first: datetime, changed: datetime
) -> None:
    rule = "FREQ=WEEKLY"
    locals_ = list(rrulestr(f"RRULE:{rule}", dtstart=first)[:4])
    starts = [instant(local, zone) for local in locals_]
    assert starts[0].astimezone(ZoneInfo(zone)).utcoffset() != (
        starts[-1].astimezone(ZoneInfo(zone)).utcoffset()
    ), "the example must straddle the change"
    meeting = make_meeting(first, zone, rrule=rule, starts=starts, cancelled=(1,))

    calendar, event = read_back(calendar_file([meeting], NOW, "WNMRC"))

    assert str(event["RRULE"].to_ical().decode()) == "FREQ=WEEKLY"
    dtstart = event.start
    expanded = rrulestr(event["RRULE"].to_ical().decode(), dtstart=dtstart.replace(tzinfo=None))[:4]
    instants = [
        from_vtimezone(calendar, local.replace(tzinfo=dtstart.tzinfo)) for local in expanded
    ]
    assert instants == starts
    excluded = [from_vtimezone(calendar, d) for d in event.exdates]
    assert excluded == [starts[1]]
    scheduled = [s for i, s in enumerate(starts) if i != 1]
    assert [s for s in instants if s not in excluded] == scheduled
    length = from_vtimezone(calendar, event.end) - from_vtimezone(calendar, dtstart)
    assert length == timedelta(minutes=90)
    assert starts[0] < changed.replace(tzinfo=UTC) < starts[-1]


def test_a_monthly_rule_is_written_as_stored() -> None:
    rule = "FREQ=MONTHLY;BYDAY=-1TU"
    meeting = make_meeting(wall(2026, 10, 27, 16, 0), rrule=rule)

    _, event = read_back(calendar_file([meeting], NOW, "WNMRC"))

    assert event["RRULE"].to_ical().decode() == rule


def test_cancelled_meetings_say_so_and_changes_raise_the_sequence() -> None:
    before = make_meeting(wall(2026, 10, 15, 15, 0))
    after = make_meeting(
        wall(2026, 10, 15, 15, 0), status="cancelled", updated=CREATED + timedelta(hours=2)
    )

    _, event = read_back(calendar_file([after], NOW, "WNMRC"))

    assert str(event["STATUS"]) == "CANCELLED"
    assert str(event["UID"]) == meeting_uid(7)
    assert sequence_of(after) > sequence_of(before) == 0
    assert int(event["SEQUENCE"]) == sequence_of(after)


def test_one_occurrence_of_a_recurring_meeting_is_a_file_of_its_own() -> None:
    first = wall(2026, 10, 13, 15, 0)
    starts = [instant(first + timedelta(weeks=n), "Europe/Madrid") for n in range(3)]
    meeting = make_meeting(first, rrule="FREQ=WEEKLY", starts=starts)
    third = meeting.occurrences[2]

    calendar, event = read_back(occurrence_file(meeting, third, NOW))

    assert str(event["UID"]) == occurrence_uid(7, third.id) == "meeting-7-102@wnmrc-bot"
    assert "RRULE" not in event
    assert from_vtimezone(calendar, event.start) == third.starts_at
    assert from_vtimezone(calendar, event.end) == third.ends_at


def test_the_one_occurrence_of_a_single_meeting_is_the_same_event_as_in_the_calendar() -> None:
    meeting = make_meeting(wall(2026, 12, 1, 9, 30), "America/Lima")

    _, whole = read_back(calendar_file([meeting], NOW, "WNMRC"))
    _, one = read_back(occurrence_file(meeting, meeting.occurrences[0], NOW))

    assert str(one["UID"]) == str(whole["UID"]) == "meeting-7@wnmrc-bot"
    assert one.start == whole.start


def test_text_that_means_something_in_ics_survives() -> None:
    title = 'Cambio climático; agua, glaciares — "<b>" 冰川\nsecond line'
    meeting = make_meeting(wall(2026, 10, 15, 15, 0), title=title)

    _, event = read_back(calendar_file([meeting], NOW, "WNMRC"))

    assert str(event["SUMMARY"]) == title


def test_several_meetings_in_several_zones_get_one_vtimezone_each() -> None:
    meetings = [
        make_meeting(wall(2026, 10, 15, 15, 0), "Europe/Madrid"),
        make_meeting(wall(2026, 10, 16, 9, 0), "Asia/Kathmandu"),
        make_meeting(wall(2026, 10, 17, 9, 0), "Asia/Kathmandu"),
    ]

    calendar = Calendar.from_ical(calendar_file(meetings, NOW, "WNMRC"))

    assert sorted(str(tz["TZID"]) for tz in calendar.timezones) == [
        "Asia/Kathmandu",
        "Europe/Madrid",
    ]
    assert len(calendar.events) == 3
    kathmandu = calendar.events[1]
    assert from_vtimezone(calendar, kathmandu.start) == datetime(2026, 10, 16, 3, 15, tzinfo=UTC)


@given(
    zone=st.sampled_from(ZONES),
    local=st.datetimes(min_value=wall(2026, 1, 1), max_value=wall(2030, 12, 31)),
)
def test_any_start_in_any_zone_reads_back_at_its_instant(zone: str, local: datetime) -> None:
    local = local.replace(second=0, microsecond=0)
    meeting = make_meeting(local, zone)

    calendar, event = read_back(calendar_file([meeting], NOW, "WNMRC"))

    assert from_vtimezone(calendar, event.start) == meeting.starts_at
    assert from_vtimezone(calendar, event.end) == meeting.starts_at + timedelta(minutes=90)


def test_a_time_the_clocks_go_back_over_twice_is_written_in_utc() -> None:
    madrid = ZoneInfo("Europe/Madrid")
    second = datetime(2026, 10, 25, 2, 30, tzinfo=madrid, fold=1).astimezone(UTC)

    written = zoned(second, madrid)

    assert written == second
    assert written.tzinfo is UTC
    assert zoned(second - timedelta(hours=1), madrid).tzinfo is madrid
