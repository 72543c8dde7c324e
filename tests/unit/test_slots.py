"""The slot finder on a known roster spread over five continents, and its rules as properties."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.i18n import I18n
from bot.meetings.slots import (
    ALL_PAST,
    BAD_DATE,
    BAD_DURATION,
    FROM_AFTER_TO,
    TOO_LONG,
    USAGE,
    Member,
    SlotsRefusal,
    SlotsRequest,
    at_night,
    best_slots,
    candidate_starts,
    hours_in,
    in_working_hours,
    meet_data,
    parse_duration,
    parse_meet_data,
    parse_poll_data,
    parse_request,
    poll_data,
    poll_option,
    rank,
    render_slots,
    score,
)

from ..factories import ZONES

I18N = I18n()
MADRID = ZoneInfo("Europe/Madrid")


def wall(*fields: int) -> datetime:
    """A naive wall-clock time (a time of day in some zone, not an instant)."""
    return datetime(*fields, tzinfo=UTC).replace(tzinfo=None)


def member(number: int, name: str, zone: str | None) -> Member:
    return Member(number, name, ZoneInfo(zone) if zone else None)


ROSTER = [
    member(1, "Ana Quispe", "America/Lima"),
    member(2, "Léa Moreau", "Europe/Madrid"),
    member(3, "Wang Fang", "Asia/Shanghai"),
    member(4, "Amina Otieno", "Africa/Nairobi"),
    member(5, "Jack Wilson", "Australia/Sydney"),
]
UNKNOWN = member(6, "Nobody Knows", None)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def madrid_days(first: date, last: date) -> tuple[datetime, datetime]:
    return SlotsRequest(60, first, last).window(MADRID, utc(2026, 11, 24, 9, 0))


# The known roster


def test_the_best_week_times_for_five_continents() -> None:
    """In December: Madrid, Nairobi, Shanghai and Sydney share 07:00–10:00 UTC on weekdays;
    Lima is then at night, so four in working hours and one at night is the best there is."""
    window = madrid_days(date(2026, 12, 7), date(2026, 12, 11))

    slots = best_slots(ROSTER, *window, 60, MADRID)

    assert [slot.start for slot in slots] == [utc(2026, 12, day, 7, 0) for day in range(7, 12)]
    best = slots[0]
    assert (best.inside, best.night, best.known) == (4, 1, 5)
    (outside,) = best.outside
    assert outside.member.name == "Ana Quispe"
    assert outside.local_start == datetime(2026, 12, 7, 2, 0, tzinfo=ZoneInfo("America/Lima"))
    assert outside.night


def test_members_without_a_zone_are_not_counted() -> None:
    window = madrid_days(date(2026, 12, 7), date(2026, 12, 7))

    with_unknown = best_slots([*ROSTER, UNKNOWN], *window, 60, MADRID)
    without = best_slots(ROSTER, *window, 60, MADRID)

    assert [(s.start, s.inside, s.known) for s in with_unknown] == [
        (s.start, s.inside, s.known) for s in without
    ]


def test_ties_go_to_the_fewest_at_night_then_to_the_earliest() -> None:
    """On a Sunday nobody is in working hours: the earliest start after the night wins."""
    people = [member(1, "A", "Europe/Madrid"), member(2, "B", "Europe/Madrid")]
    window = madrid_days(date(2026, 12, 13), date(2026, 12, 13))

    ranked = rank(people, *window, 60)

    assert (ranked[0].inside, ranked[0].night) == (0, 0)
    assert ranked[0].start == utc(2026, 12, 13, 5, 0)  # 06:00 in Madrid
    assert ranked[-1].night == 2


def test_a_short_window_still_gives_three_proposals_that_do_not_overlap() -> None:
    window = madrid_days(date(2026, 12, 7), date(2026, 12, 7))

    slots = best_slots(ROSTER, *window, 90, MADRID)

    assert len(slots) == 3
    for one in slots:
        for other in slots:
            assert one is other or one.end <= other.start or other.end <= one.start


def test_working_hours_follow_daylight_saving() -> None:
    """Madrid leaves summer time on Sunday 25 October 2026: 08:00 moves from 06:00 to 07:00 UTC."""
    friday, monday = utc(2026, 10, 23, 6, 0), utc(2026, 10, 26, 6, 0)
    hour = timedelta(hours=1)

    assert hours_in(MADRID, friday, friday + hour).inside
    assert not hours_in(MADRID, monday, monday + hour).inside
    assert hours_in(MADRID, monday + hour, monday + 2 * hour).inside


def test_odd_offsets_are_measured_to_the_minute() -> None:
    """Kathmandu is UTC+5:45: a start at 02:00 UTC is 07:45 there, at 02:30 it is 08:15."""
    kathmandu = ZoneInfo("Asia/Kathmandu")
    monday = utc(2026, 12, 7, 2, 0)
    hour = timedelta(hours=1)

    assert not hours_in(kathmandu, monday, monday + hour).inside
    later = monday + timedelta(minutes=30)
    assert hours_in(kathmandu, later, later + hour).inside


@pytest.mark.parametrize(
    ("start", "end", "inside", "night"),
    [
        (wall(2026, 12, 7, 8, 0), wall(2026, 12, 7, 9, 0), True, False),
        (wall(2026, 12, 7, 20, 0), wall(2026, 12, 7, 21, 0), True, False),
        (wall(2026, 12, 7, 20, 30), wall(2026, 12, 7, 21, 30), False, False),
        (wall(2026, 12, 7, 7, 30), wall(2026, 12, 7, 8, 30), False, False),
        (wall(2026, 12, 12, 10, 0), wall(2026, 12, 12, 11, 0), False, False),
        (wall(2026, 12, 7, 22, 30), wall(2026, 12, 7, 23, 30), False, True),
        (wall(2026, 12, 7, 5, 0), wall(2026, 12, 7, 6, 0), False, True),
        (wall(2026, 12, 7, 6, 0), wall(2026, 12, 7, 7, 0), False, False),
        (wall(2026, 12, 7, 12, 0), wall(2026, 12, 8, 12, 0), False, True),
    ],
)
def test_working_hours_and_night(start: datetime, end: datetime, inside: bool, night: bool) -> None:
    assert in_working_hours(start, end) is inside
    assert at_night(start, end) is night


def test_candidates_sit_on_the_utc_half_hour_grid_inside_the_window() -> None:
    kathmandu = ZoneInfo("Asia/Kathmandu")
    window = SlotsRequest(60, date(2026, 12, 7), date(2026, 12, 7)).window(
        kathmandu, utc(2026, 11, 1)
    )

    starts = candidate_starts(*window, 60)

    assert window[0] == utc(2026, 12, 6, 18, 15)
    assert starts[0] == utc(2026, 12, 6, 18, 30)
    assert starts[-1] + timedelta(minutes=60) <= window[1] < starts[-1] + timedelta(minutes=90)
    assert all(s.minute in (0, 30) and s.second == 0 for s in starts)


# Properties over any roster and window


@given(
    zones=st.lists(st.sampled_from(ZONES), min_size=1, max_size=8),
    first=st.dates(min_value=date(2026, 1, 1), max_value=date(2028, 12, 31)),
    days=st.integers(min_value=1, max_value=10),
    minutes=st.sampled_from([30, 45, 60, 90, 120, 180]),
    asker=st.sampled_from(ZONES),
)
def test_proposals_are_the_best_spread_and_honest(
    zones: list[str], first: date, days: int, minutes: int, asker: str
) -> None:
    people = [member(n, f"P{n}", zone) for n, zone in enumerate(zones)]
    zone = ZoneInfo(asker)
    request = SlotsRequest(minutes, first, first + timedelta(days=days - 1))
    window = request.window(zone, utc(2025, 1, 1))

    ranked = rank(people, *window, minutes)
    slots = best_slots(people, *window, minutes, zone)

    assert 3 <= len(slots) <= 5
    assert slots[0].rank_key() == ranked[0].rank_key()
    assert [s.rank_key() for s in slots] == sorted(s.rank_key() for s in slots)
    for slot in slots:
        assert window[0] <= slot.start
        assert slot.end <= window[1]
        assert slot.inside + len(slot.outside) == slot.known == len(people)
        assert slot.night == sum(o.night for o in slot.outside)
        assert slot == score(people, slot.start, minutes)
    for one in slots:
        assert all(one is o or one.end <= o.start or o.end <= one.start for o in slots)


# What the coordinator types

TODAY = date(2026, 11, 24)


@pytest.mark.parametrize(
    ("text", "minutes"),
    [("90", 90), ("90m", 90), ("45min", 45), ("1h", 60), ("1h30", 90), ("1.5h", 90), ("24h", 1440)],
)
def test_durations(text: str, minutes: int) -> None:
    assert parse_duration(text) == minutes


@pytest.mark.parametrize("text", ["0", "25h", "1441", "soon", "-5", "1h99x", ""])
def test_bad_durations(text: str) -> None:
    assert parse_duration(text) is None


def test_defaults_are_an_hour_in_the_next_two_weeks_from_tomorrow() -> None:
    assert parse_request([], TODAY) == SlotsRequest(60, date(2026, 11, 25), date(2026, 12, 8))
    assert parse_request(["90"], TODAY) == SlotsRequest(90, date(2026, 11, 25), date(2026, 12, 8))
    assert parse_request(["2026-12-01", "2026-12-03"], TODAY) == SlotsRequest(
        60, date(2026, 12, 1), date(2026, 12, 3)
    )
    assert parse_request(["2h", "2026-12-01", "2026-12-01"], TODAY) == SlotsRequest(
        120, date(2026, 12, 1), date(2026, 12, 1)
    )


@pytest.mark.parametrize(
    ("words", "message"),
    [
        (["25h"], BAD_DURATION),
        (["soon"], BAD_DURATION),
        (["2026-12-01", "tomorrow"], BAD_DATE),
        (["2026-02-30", "2026-03-01"], BAD_DATE),
        (["2026-12-10", "2026-12-01"], FROM_AFTER_TO),
        (["2026-12-01", "2027-02-01"], TOO_LONG),
        (["2026-01-01", "2026-01-02"], ALL_PAST),
        (["1", "2", "3", "4"], USAGE),
    ],
)
def test_bad_requests_are_refused_with_a_reason(words: list[str], message: str) -> None:
    refused = parse_request(words, TODAY)
    assert isinstance(refused, SlotsRefusal)
    assert refused.message == message


def test_a_window_of_exactly_sixty_days_is_allowed() -> None:
    assert isinstance(parse_request(["2026-12-01", "2027-01-29"], TODAY), SlotsRequest)


# Buttons


def test_button_data_round_trips_and_stays_short() -> None:
    window = madrid_days(date(2026, 12, 7), date(2027, 2, 4))
    data = poll_data(123456789, 1440, window)
    assert len(data.encode()) < 64
    tap = parse_poll_data(data)
    assert tap is not None
    assert (tap.group_id, tap.minutes, tap.window_start, tap.window_end) == (
        123456789,
        1440,
        *window,
    )
    start = utc(2026, 12, 7, 7, 30)
    meet = parse_meet_data(meet_data(4, 90, start))
    assert meet is not None
    assert (meet.group_id, meet.minutes, meet.start) == (4, 90, start)


@pytest.mark.parametrize(
    "data",
    [
        "sp:1:60:5:4",
        "sp:1:0:1:2",
        "sp:1:60:1:999999",
        "sp:x",
        "sm:1:60:29000001",
        "sm:1:2000:0",
        "",
    ],
)
def test_forged_button_data_is_refused(data: str) -> None:
    assert parse_poll_data(data) is None
    assert parse_meet_data(data) is None


# What the coordinator reads


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_answer_names_who_is_outside_and_at_what_hour(language: str) -> None:
    _ = I18N.translator(language)
    request = SlotsRequest(60, date(2026, 12, 7), date(2026, 12, 11))
    window = request.window(MADRID, utc(2026, 11, 24))
    slots = best_slots(ROSTER, *window, 60, MADRID)

    text = render_slots(_, "Cambio <climático>", slots, 60, request, MADRID, [UNKNOWN])

    assert "Cambio &lt;climático&gt;" in text
    assert text.count("Ana Quispe") == 5
    assert "02:00" in text  # Ana's local hour in Lima
    assert "Nobody Knows" in text
    assert "08:00–09:00" in text  # the first proposal in Madrid
    assert "07:00 UTC" in text
    if language == "en":
        assert "✅ 4 of 5 in working hours · 🌙 1 at night" in text
        assert "1 member has no time zone and is not counted: Nobody Knows." in text
    else:
        assert "✅ 4 de 5 en horario laboral · 🌙 1 de noche" in text
    zones = [m.zone for m in ROSTER if m.zone is not None]
    option = poll_option(slots[0], MADRID, zones, language)
    if language == "en":
        assert option == "Mon, Dec 7 08:00–09:00 · Lima 02:00 … Sydney 18:00"
    else:
        assert option == "lun, 7 dic 08:00–09:00 · Lima 02:00 … Sídney 18:00"
    assert "/" not in option
