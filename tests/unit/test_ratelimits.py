"""The sender's pacing rules: overall, per private chat, per group, holds after 429, back-off."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.outbox.pacing import Pacer, RateLimits, Window, backoff, is_private_chat

PERSON = 1001
GROUP = -100200


def most_within(times: list[float], period: float) -> int:
    times = sorted(times)
    best, start = 0, 0
    for end, at in enumerate(times):
        while at - times[start] >= period - 1e-9:
            start += 1
        best = max(best, end - start + 1)
    return best


def test_private_chats_are_positive_ids_groups_and_channels_negative() -> None:
    assert is_private_chat(PERSON)
    assert not is_private_chat(GROUP)
    assert not is_private_chat(-5)


def test_the_defaults_stay_just_under_telegrams_limits() -> None:
    limits = RateLimits()

    assert limits.overall_per_second < 30
    assert limits.private_per_second < 1
    assert limits.group_per_minute < 20


def test_bad_limits_are_refused() -> None:
    with pytest.raises(ValueError, match="positive"):
        RateLimits(overall_per_second=0)
    with pytest.raises(ValueError, match="group_per_minute"):
        RateLimits(group_per_minute=0)
    with pytest.raises(ValueError, match="window"):
        Window(0, 1.0)


def test_a_window_allows_count_per_period_then_waits_for_the_oldest() -> None:
    window = Window(3, 60.0)

    times = [window.reserve(10.0) for _ in range(4)]

    assert times == [10.0, 10.0, 10.0, 70.0]
    assert window.earliest(20.0) == 70.0


def test_a_window_hands_out_times_in_order() -> None:
    window = Window(3, 60.0)
    window.record(50.0)

    assert window.earliest(10.0) == 50.0


def test_a_hold_delays_the_next_slot_and_then_lapses() -> None:
    window = Window(1, 1.0)
    window.hold(15.0)

    assert window.earliest(10.0) == 15.0
    assert not window.idle(14.0)
    assert window.idle(15.0)


def test_available_counts_slots_up_to_a_time_without_taking_them() -> None:
    overall = Window(1, 0.1)

    assert overall.available(0.0, 0.45, at_most=10) == 5
    assert overall.available(0.0, 0.45, at_most=3) == 3
    assert overall.earliest(0.0) == 0.0


def test_private_messages_to_one_person_are_spaced_by_more_than_a_second() -> None:
    pacer = Pacer()

    first, second, third = (pacer.reserve(PERSON, 0.0) for _ in range(3))

    assert second - first >= 1.0
    assert third - second >= 1.0


def test_a_group_gets_nineteen_then_waits_for_the_minute() -> None:
    pacer = Pacer(RateLimits(overall_per_second=1000))

    times = [pacer.reserve(GROUP, 0.0) for _ in range(20)]

    assert max(times[:19]) < 1.0
    assert times[19] >= 60.0


def test_messages_to_different_chats_are_spaced_only_by_the_overall_rate() -> None:
    pacer = Pacer(RateLimits(overall_per_second=20))

    times = [pacer.reserve(PERSON + i, 0.0) for i in range(5)]

    assert times == pytest.approx([0.0, 0.05, 0.1, 0.15, 0.2])


def test_capacity_is_what_the_overall_rate_allows_by_then() -> None:
    pacer = Pacer(RateLimits(overall_per_second=28))

    assert pacer.capacity(0.0, 0.5, at_most=100) == 15
    assert pacer.capacity(0.0, 0.5, at_most=4) == 4
    pacer.hold_all(10.0)
    assert pacer.capacity(0.0, 0.5, at_most=100) == 0


def test_busy_chats_are_those_that_cannot_receive_by_then() -> None:
    pacer = Pacer()
    pacer.reserve(PERSON, 0.0)
    pacer.reserve(PERSON + 1, 0.0)
    pacer.hold_chat(GROUP, 30.0)

    assert pacer.busy_chats(0.5, until=1.0) == {PERSON, PERSON + 1, GROUP}
    assert pacer.busy_chats(1.2, until=1.2) == {GROUP}
    assert pacer.next_release(0.5, [PERSON, GROUP]) == pytest.approx(1 / 0.9)
    assert pacer.next_release(0.5, []) is None


def test_idle_chats_are_forgotten() -> None:
    pacer = Pacer()
    pacer.reserve(PERSON, 0.0)
    pacer.reserve(GROUP, 0.0)

    pacer.forget_idle(5.0)
    assert pacer.tracked_chats == 1
    pacer.forget_idle(61.0)
    assert pacer.tracked_chats == 0


def test_backoff_doubles_up_to_the_cap() -> None:
    assert [backoff(n, base=1.0, cap=300.0) for n in (1, 2, 3, 9, 10, 500)] == [
        1.0,
        2.0,
        4.0,
        256.0,
        300.0,
        300.0,
    ]
    with pytest.raises(ValueError, match="from 1"):
        backoff(0)


@given(
    st.lists(
        st.tuples(
            st.sampled_from([PERSON, PERSON + 1, GROUP, GROUP - 1]),
            st.floats(min_value=0, max_value=5),
        ),
        max_size=120,
    )
)
def test_whatever_is_asked_the_times_keep_every_limit(requests: list[tuple[int, float]]) -> None:
    limits = RateLimits(overall_per_second=28, private_per_second=0.9, group_per_minute=19)
    pacer = Pacer(limits)
    clock = 0.0
    sent: dict[int, list[float]] = {}
    for chat_id, pause in requests:
        clock += pause
        sent.setdefault(chat_id, []).append(pacer.reserve(chat_id, clock))

    everything = [at for times in sent.values() for at in times]
    assert most_within(everything, 1 / 28) <= 1
    for chat_id, times in sent.items():
        assert times == sorted(times)
        if is_private_chat(chat_id):
            assert most_within(times, 1 / 0.9) <= 1
        else:
            assert most_within(times, 60.0) <= 19


def test_sped_up_pacing_keeps_the_same_counts_in_shorter_windows() -> None:
    limits = RateLimits().sped_up(10)
    pacer = Pacer(limits)

    private = [pacer.reserve(PERSON, 0.0) for _ in range(3)]
    group = [pacer.reserve(GROUP, 0.0) for _ in range(20)]

    assert limits.group_per_minute == 19
    assert private[1] - private[0] == pytest.approx(1 / 9)
    assert most_within(group, 6.0) == 19
    assert group[19] >= group[0] + 6.0
    with pytest.raises(ValueError, match="speed"):
        RateLimits().sped_up(-1)
