"""Meeting rules: typed dates in four languages, durations, offsets, recurrence across DST in
both hemispheres and odd offsets, DST gaps and folds, overdue reminders, members' spread."""

# Wall times of the organiser are naive on purpose (their zone is the meeting's).
# ruff: noqa: DTZ001

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot import dates
from bot import meetings as rules
from bot.i18n import I18n
from bot.meetings import PendingReminder, Refusal, Start

from ..factories import ZONES

NOW = datetime(2026, 3, 25, 12, 0)  # a Wednesday, wall time of the organiser


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("2026-10-15 15:00", "en", datetime(2026, 10, 15, 15, 0)),
        ("15 Oct 15:00", "en", datetime(2026, 10, 15, 15, 0)),
        ("tomorrow 9:00", "en", datetime(2026, 3, 26, 9, 0)),
        ("mañana 9:00", "es", datetime(2026, 3, 26, 9, 0)),
        ("15 oct 15:00", "es", datetime(2026, 10, 15, 15, 0)),
        ("mañana a las 9:30", "es", datetime(2026, 3, 26, 9, 30)),
        ("demain 9h", "fr", datetime(2026, 3, 26, 9, 0)),
        ("15 octobre 15h30", "fr", datetime(2026, 10, 15, 15, 30)),
        ("明天 9:00", "zh", datetime(2026, 3, 26, 9, 0)),
        ("10月15日 15:00", "zh", datetime(2026, 10, 15, 15, 0)),
        ("2026年10月15日 15:00", "zh", datetime(2026, 10, 15, 15, 0)),
        ("明天 下午3点", "zh", datetime(2026, 3, 26, 15, 0)),
        ("3月1日 10:00", "zh", datetime(2027, 3, 1, 10, 0)),
    ],
)
def test_typed_dates_in_four_languages(text: str, language: str, expected: datetime) -> None:
    read = dates.read_typed(text, language, MADRID, NOW.replace(tzinfo=MADRID))
    assert isinstance(read, dates.Reading)
    assert read.local == expected


def test_the_shortcut_reads_with_the_one_parser() -> None:
    local_now = NOW.replace(tzinfo=MADRID)
    assert rules.read_when("mardi prochain 15h", "fr", local_now) == datetime(2026, 3, 31, 15, 0)
    assert rules.read_when("tomorrow 25:00", "en", local_now) is None


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("2026-02-30 10:00", dates.BAD_DAY),
        ("31 feb 10:00", dates.BAD_DAY),
        ("blah", dates.NOT_READ),
        ("15 Oct", dates.NO_TIME),
        ("", dates.NOT_READ),
    ],
)
def test_impossible_or_timeless_dates_are_not_read(text: str, reason: str) -> None:
    read = dates.read_typed(text, "en", MADRID, NOW.replace(tzinfo=MADRID))
    assert isinstance(read, dates.Unreadable)
    assert read.message == reason


MADRID = ZoneInfo("Europe/Madrid")
NOW_UTC = datetime(2026, 3, 25, 11, 0, tzinfo=UTC)


def test_past_gap_fold_and_far_starts() -> None:
    past = rules.check_start(datetime(2026, 3, 1, 10, 0), MADRID, NOW_UTC)
    assert isinstance(past, Refusal)
    tr = I18n().translator("en")
    assert tr(past.message, **past.values) == (
        "Sunday, March 1, 2026 10:00 (Madrid) is already past. Please type a time in the future."
    )
    gap = rules.check_start(datetime(2026, 3, 29, 2, 30), MADRID, NOW_UTC)
    assert isinstance(gap, Refusal)
    assert tr(gap.message, **gap.values).startswith(
        "02:30 does not exist on Sunday, March 29, 2026 in Madrid: the clocks jump forward 1 hour"
    )
    fold = rules.check_start(datetime(2026, 10, 25, 2, 30), MADRID, NOW_UTC)
    assert isinstance(fold, Start)
    assert fold.ambiguous
    assert fold.at == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # the first 02:30 (CEST)
    far = rules.check_start(datetime(2027, 5, 1, 10, 0), MADRID, NOW_UTC)
    assert isinstance(far, Start)
    assert far.far
    lord_howe = rules.check_start(
        datetime(2026, 10, 4, 2, 15), ZoneInfo("Australia/Lord_Howe"), NOW_UTC
    )
    assert isinstance(lord_howe, Refusal)
    assert "forward 30 minutes" in I18n().translator("en")(lord_howe.message, **lord_howe.values)


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        ("90", 90),
        ("1h30", 90),
        ("1:30", 90),
        ("2 h", 120),
        ("1.5h", 90),
        ("2 horas", 120),
        ("1小时", 60),
        ("45 min", 45),
        ("24h", 1440),
    ],
)
def test_durations(text: str, minutes: int) -> None:
    assert rules.parse_duration(text) == minutes


@pytest.mark.parametrize("text", ["25h", "0", "soon", "1441"])
def test_bad_durations(text: str) -> None:
    assert isinstance(rules.parse_duration(text), Refusal)


def test_reminder_offsets() -> None:
    assert rules.parse_offsets("7d, 1d, 1h, 10min") == rules.DEFAULT_OFFSETS
    assert rules.parse_offsets("none") == ()
    assert rules.parse_offsets("2 días 1 hora") == (2880, 60)
    assert rules.parse_offsets("1 semaine") == (10080,)
    after = rules.parse_offsets("-10min")
    assert isinstance(after, Refusal)
    assert after.values == {"offset": "-10min"}
    assert isinstance(rules.parse_offsets("40d"), Refusal)
    assert isinstance(rules.parse_offsets("whenever"), Refusal)
    assert rules.format_offsets(rules.DEFAULT_OFFSETS, "en") == (
        "7 days, 1 day, 1 hour, and 10 minutes"
    )
    assert rules.format_offsets(rules.DEFAULT_OFFSETS, "zh") == "7天、1天、1小时和10分钟"
    assert rules.format_offsets((90,), "fr") == "1\u00a0heure 30 minutes"
    start = datetime(2026, 4, 1, 12, tzinfo=UTC)
    assert rules.past_offsets(start, rules.DEFAULT_OFFSETS, start - timedelta(days=2)) == [10080]


def test_rrules() -> None:
    assert rules.rrule_for("none", NOW) is None
    assert rules.rrule_for("weekly", NOW) == "FREQ=WEEKLY"
    assert rules.rrule_for("biweekly", NOW) == "FREQ=WEEKLY;INTERVAL=2"
    assert rules.rrule_for("monthly", datetime(2026, 10, 15, 15)) == "FREQ=MONTHLY;BYDAY=3TH"
    assert rules.rrule_for("monthly", datetime(2026, 10, 29, 15)) == "FREQ=MONTHLY;BYDAY=-1TH"
    for recurrence in rules.RECURRENCES:
        assert rules.recurrence_of(rules.rrule_for(recurrence, NOW)) == recurrence


def test_weekly_meeting_keeps_its_wall_time_across_dst_in_both_hemispheres() -> None:
    start = datetime(2026, 3, 18, 15, 0)
    after = datetime(2026, 3, 1, tzinfo=UTC)
    until = datetime(2026, 4, 20, tzinfo=UTC)
    madrid = rules.occurrences(start, MADRID, "FREQ=WEEKLY", after, until)
    assert [s.hour for s in madrid] == [14, 14, 13, 13, 13]  # CET, then CEST from 29 March
    sydney = ZoneInfo("Australia/Sydney")
    down_under = rules.occurrences(start, sydney, "FREQ=WEEKLY", after, until)
    assert [s.astimezone(sydney).hour for s in down_under] == [15] * 5
    assert [s.hour for s in down_under] == [4, 4, 4, 5, 5]  # AEDT, then AEST from 5 April


def test_monthly_same_weekday() -> None:
    start = datetime(2026, 10, 15, 15, 0)  # the third Thursday
    rule = rules.rrule_for("monthly", start)
    found = rules.occurrences(
        start, MADRID, rule, datetime(2026, 10, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC)
    )
    assert [s.astimezone(MADRID).date() for s in found] == [
        date(2026, 10, 15),
        date(2026, 11, 19),
        date(2026, 12, 17),
    ]


local_times = st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2028, 12, 31))


@given(zone_name=st.sampled_from(ZONES), local=local_times, weeks=st.integers(1, 60))
def test_weekly_occurrences_stay_at_the_wall_time(
    zone_name: str, local: datetime, weeks: int
) -> None:
    zone = ZoneInfo(zone_name)
    local = local.replace(second=0, microsecond=0)
    after = rules.to_instant(local, zone)
    until = after + timedelta(weeks=weeks) - timedelta(days=1)  # DST moves instants by hours
    found = rules.occurrences(local, zone, "FREQ=WEEKLY", after, until)
    assert len(found) == weeks
    for n, start in enumerate(found):
        wanted = local + timedelta(weeks=n)
        if rules.in_gap(wanted, zone):
            assert start == rules.to_instant(wanted, zone)
        else:
            assert start.astimezone(zone).replace(tzinfo=None) == wanted
        assert start.tzinfo is not None


@given(zone_name=st.sampled_from(ZONES), local=local_times, offset=st.integers(1, 43200))
def test_reminders_are_exactly_their_offset_before_the_start(
    zone_name: str, local: datetime, offset: int
) -> None:
    start = rules.to_instant(local, ZoneInfo(zone_name))
    [(minutes, due)] = rules.reminder_times(start, [offset])
    assert minutes == offset
    assert start - due == timedelta(minutes=offset)


@given(zone_name=st.sampled_from(ZONES), local=local_times)
def test_gap_and_fold_are_what_the_zone_says(zone_name: str, local: datetime) -> None:
    zone = ZoneInfo(zone_name)
    local = local.replace(second=0, microsecond=0)
    instant = rules.to_instant(local, zone)
    back = instant.astimezone(zone).replace(tzinfo=None)
    assert rules.in_gap(local, zone) == (back != local)
    if rules.in_fold(local, zone):
        later = local.replace(tzinfo=zone, fold=1).astimezone(UTC)
        assert later > instant  # the first of the two is taken
    if not rules.in_gap(local, zone):
        assert back == local


@given(zone_name=st.sampled_from(ZONES), local=local_times, hours=st.integers(1, 2000))
def test_next_occurrence_is_the_first_not_before(
    zone_name: str, local: datetime, hours: int
) -> None:
    zone = ZoneInfo(zone_name)
    first = rules.to_instant(local, zone)
    after = first + timedelta(hours=hours)
    found = rules.next_occurrence(local, zone, "FREQ=WEEKLY;INTERVAL=2", after)
    assert found is not None
    assert after <= found < after + timedelta(days=15)
    assert rules.next_occurrence(local, zone, None, after) is None
    assert rules.next_occurrence(local, zone, None, first) == first


def test_odd_offsets() -> None:
    start = datetime(2026, 10, 15, 13, 0, tzinfo=UTC)
    assert start.astimezone(ZoneInfo("Asia/Kathmandu")).strftime("%H:%M") == "18:45"
    spread = rules.member_spread(start, ["Asia/Kathmandu", "Asia/Kolkata", None])
    assert spread.earliest is not None
    assert spread.latest is not None
    assert spread.earliest[0].strftime("%H:%M") == "18:30"
    assert spread.latest[0].strftime("%H:%M") == "18:45"
    assert (spread.outside, spread.unknown) == (0, 1)


def test_member_spread_reads_like_the_issue() -> None:
    start = datetime(2026, 10, 15, 11, 0, tzinfo=UTC)
    zones = ["America/Lima", "Asia/Shanghai", "Europe/Madrid", "Asia/Shanghai", "America/Denver"]
    tr = I18n().translator("en")
    line = rules.render_spread(tr, rules.member_spread(start, zones))
    assert line == ("Members: 05:00 in Denver … 19:00 in Shanghai; 2 people outside 08:00–21:00.")
    assert rules.render_spread(tr, rules.member_spread(start, [None])) is None


def test_overdue_reminders_after_downtime() -> None:
    start = datetime(2026, 4, 15, 13, tzinfo=UTC)

    def pending(
        rid: int, offset: int, occurrence: int = 1, at: datetime = start
    ) -> PendingReminder:
        return PendingReminder(rid, occurrence, offset, at - timedelta(minutes=offset), at)

    reminders = [pending(1, 10080), pending(2, 1440), pending(3, 60), pending(4, 10)]
    now = start - timedelta(minutes=30)
    assert rules.reminder_fates(reminders, now) == {1: "missed", 2: "missed", 3: "late", 4: "wait"}
    on_time = start - timedelta(minutes=10)
    assert rules.reminder_fates([pending(4, 10)], on_time) == {4: "send"}
    started = [pending(5, 10, occurrence=2, at=now - timedelta(minutes=1))]
    assert rules.reminder_fates(started, now) == {5: "missed"}


def test_rsvp_callbacks() -> None:
    data = rules.rsvp_callback(42, "maybe")
    assert data == "mr:42:m"
    tap = rules.parse_rsvp(data)
    assert tap is not None
    assert (tap.occurrence_id, tap.answer) == (42, "maybe")
    for forged in ("mr:0:g", "mr:42:x", "mr:42", "xx:42:g", None, "mr:42:g:1"):
        assert rules.parse_rsvp(forged) is None
    keyboard = rules.rsvp_keyboard(I18n().translator("fr"), 7, "going")
    rows = keyboard["inline_keyboard"]
    assert [b["callback_data"] for b in rows[0]] == ["mr:7:g", "mr:7:m", "mr:7:n"]
    assert rows[0][0]["text"].startswith("• ")
    assert rows[1][0]["callback_data"] == "cal:7"


def test_edit_gate_coalesces_per_message_and_caps_a_chat() -> None:
    gate = rules.EditGate(gap=3.0, per_minute=18)
    assert gate.next_allowed(-1, 10, 0.0) == 0.0
    gate.record(-1, 10, 0.0)
    assert gate.next_allowed(-1, 10, 1.0) == 3.0
    for n in range(17):
        gate.record(-1, 100 + n, 1.0)
    assert gate.next_allowed(-1, 500, 2.0) == 60.0
    assert gate.next_allowed(-2, 10, 2.0) == 2.0
    gate.hold(-2, 30.0)
    assert gate.next_allowed(-2, 10, 2.0) == 30.0


# who may answer, who may change


def test_answer_refusal_says_why_in_order_cancelled_over_not_a_member() -> None:
    now = datetime(2026, 4, 15, 13, tzinfo=UTC)
    later = now + timedelta(hours=1)

    def refusal(**changes: object) -> str | None:
        values: dict[str, object] = {
            "cancelled": False,
            "ends_at": later,
            "now": now,
            "own_groups": [1],
            "meeting_groups": [1, 2],
            "secretariat": False,
        }
        return rules.answer_refusal(**{**values, **changes})  # type: ignore[arg-type]

    assert refusal() is None
    assert refusal(own_groups=[], secretariat=True) is None
    assert refusal(own_groups=[3]) == "Only members of the meeting’s groups can answer."
    assert refusal(ends_at=now) == "This meeting is over."
    assert refusal(cancelled=True, ends_at=now) == (
        "This meeting was cancelled: no answer is needed."
    )


def test_may_change_is_for_the_secretariat_and_the_coordinators_of_a_meeting_group() -> None:
    from bot.access import Actor

    coordinator = Actor(1, 11, False, frozenset({2}))
    assert rules.may_change(coordinator, [1, 2])
    assert not rules.may_change(coordinator, [3])
    assert rules.may_change(Actor(2, 12, True, frozenset()), [3])
    assert not rules.may_change(None, [1])


# the /meet draft's steps


def test_typed_answers_fill_the_draft_or_say_why_not() -> None:
    from bot.meetings import drafts

    now = datetime(2026, 3, 25, 12, tzinfo=UTC)
    data = {"id": "t", "zone": "Europe/Madrid"}
    assert drafts.read_typed(drafts.TITLE, data, "Sync", "en", now) == drafts.Next(
        {**data, "title": "Sync"}
    )
    too_long = drafts.read_typed(drafts.TITLE, data, "x" * 121, "en", now)
    assert isinstance(too_long, rules.Refusal)
    when = drafts.read_typed(drafts.WHEN, data, "2026-04-15 15:00", "en", now)
    assert isinstance(when, drafts.Next)
    assert when.data == {**data, "local": "2026-04-15T15:00"}
    assert when.note is not None
    far = drafts.read_typed(drafts.WHEN, data, "2028-04-15 15:00", "en", now)
    assert isinstance(far, drafts.Next)
    assert (far.data, far.step) == ({**data, "far": "2028-04-15T15:00"}, drafts.FAR)
    assert drafts.read_typed(drafts.LINK, data, "skip", "en", now) == drafts.Next(
        {**data, "link": None}
    )
    refused = drafts.read_typed(drafts.GROUPS, data, "climate", "en", now)
    assert refused == rules.Refusal("Please tap the groups, then Next.")
    assert drafts.read_typed(drafts.CONFIRM, data, "yes", "en", now) == rules.Refusal(
        "Please use the buttons."
    )


def test_taps_move_the_draft_only_where_they_belong() -> None:
    from bot.meetings import drafts

    def tap(action: str, arg: str = "", everyone: bool = False) -> drafts.Tapped:
        return drafts.Tapped(action, arg, frozenset({1, 2}), everyone)

    data = {"id": "t", "zone": "UTC"}
    assert drafts.apply_tap(drafts.GROUPS, data, tap("g", "3")) is None
    assert drafts.apply_tap(drafts.GROUPS, data, tap("gall")) is None
    assert drafts.apply_tap(drafts.GROUPS, data, tap("gall", everyone=True)) == drafts.Next(
        {**data, "groups": [1, 2]}
    )
    assert drafts.apply_tap(drafts.GROUPS, data, tap("gnext")) == rules.Refusal(
        "Please choose at least one group."
    )
    assert drafts.apply_tap(drafts.DURATION, data, tap("d", "45")) is None
    assert drafts.apply_tap(drafts.DURATION, data, tap("d", "90")) == drafts.Next(
        {**data, "duration": 90}
    )
    assert drafts.apply_tap(drafts.TITLE, data, tap("d", "90")) is None
    back = drafts.apply_tap(drafts.FAR, {**data, "far": "2028-01-01T10:00"}, tap("farno"))
    assert back == drafts.Next(data)
    assert drafts.next_step({**data, "groups": [1]}) == drafts.TITLE


def test_may_read_a_meeting_into_a_calendar() -> None:
    assert rules.may_read([1], [1, 2], coordinator=False, here=None)
    assert rules.may_read([], [1], coordinator=True, here=None)
    assert rules.may_read([], [1], coordinator=False, here=1)
    assert not rules.may_read([3], [1], coordinator=False, here=2)
    assert not rules.may_read([], [1], coordinator=False, here=None)


def test_every_button_of_the_meetings_feature_is_declared_once_and_fits() -> None:
    from bot.meetings import buttons
    from bot.routing import CALLBACK_DATA_LIMIT, callback_prefixes

    declared = callback_prefixes()
    kinds = {
        "mr": buttons.Rsvp,
        "cal": buttons.AddToCalendar,
        "mt": buttons.MeetStep,
        "rs": buttons.RescheduleStep,
        "mc": buttons.CancelMeeting,
        "sp": buttons.SlotsPoll,
        "sm": buttons.SlotsMeet,
    }
    for prefix, kind in kinds.items():
        assert declared[prefix] is kind
        assert kind.longest() <= CALLBACK_DATA_LIMIT
    assert buttons.MeetStep("abcd1234", "r", "biweekly").pack() == "mt:abcd1234:r:biweekly"
    assert buttons.MeetStep.unpack_or_none("mt:abcd1234:zz:") is None
    assert buttons.CancelMeeting.unpack("mc:7:y") == buttons.CancelMeeting(7, "y")
