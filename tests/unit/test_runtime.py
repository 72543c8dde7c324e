"""The due-work runtime: one clock wakes every kind of due work, at its time, after a restart."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta

import pytest

from bot.clock import ManualClock, SystemClock
from bot.runtime import DueWorkRuntime

START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


class Rows:
    """Due work as a feature writes it: due times (rows) it serves once each."""

    def __init__(self, name: str, *due: datetime, fail: bool = False) -> None:
        self.name = name
        self.pending = sorted(due)
        self.served: list[datetime] = []
        self.rounds = 0
        self.fail = fail

    async def next_due(self, now: datetime) -> datetime | None:
        return self.pending[0] if self.pending else None

    async def run_due(self, now: datetime) -> None:
        self.rounds += 1
        if self.fail:
            raise RuntimeError("the database is locked")
        while self.pending and self.pending[0] <= now:
            self.served.append(self.pending.pop(0))


async def test_start_serves_what_fell_due_while_the_bot_was_down() -> None:
    clock = ManualClock(START)
    overdue = Rows("reminders", START - timedelta(hours=1), START + timedelta(hours=1))
    digests = Rows("digests")
    runtime = DueWorkRuntime(clock)
    runtime.register(overdue)
    runtime.register(digests)

    await runtime.start()
    try:
        assert overdue.served == [START - timedelta(hours=1)]
        assert digests.rounds == 1  # every work looked once at start
    finally:
        await runtime.stop()


async def test_a_wake_after_the_clock_moved_runs_only_the_work_that_is_due() -> None:
    clock = ManualClock(START)
    reminders = Rows("reminders", START + timedelta(minutes=10))
    digests = Rows("digests", START + timedelta(days=1))
    runtime = DueWorkRuntime(clock)
    runtime.register(reminders)
    runtime.register(digests)
    await runtime.start()
    try:
        clock.advance(timedelta(minutes=10))
        runtime.wake()
        await _until(lambda: reminders.served)
        assert reminders.served == [START + timedelta(minutes=10)]
        assert digests.rounds == 1  # only the start-up round: not due yet
    finally:
        await runtime.stop()


async def test_it_sleeps_until_the_earliest_due_time_without_being_woken() -> None:
    now = datetime.now(UTC)
    soon = Rows("nudges", now + timedelta(milliseconds=200))
    runtime = DueWorkRuntime(SystemClock(), sweep_seconds=30)
    runtime.register(soon)
    await runtime.start()
    try:
        assert soon.served == []
        await _until(lambda: soon.served, seconds=5)
        assert soon.served == [now + timedelta(milliseconds=200)]
    finally:
        await runtime.stop()


async def test_one_work_failing_does_not_stop_another(caplog: pytest.LogCaptureFixture) -> None:
    clock = ManualClock(START)
    broken = Rows("digests", START, fail=True)
    reminders = Rows("reminders", START)
    runtime = DueWorkRuntime(clock)
    runtime.register(broken)
    runtime.register(reminders)
    with caplog.at_level(logging.ERROR, logger="bot.runtime"):
        await runtime.run_round()
    assert reminders.served == [START]
    assert "digests: round failed" in caplog.text


async def test_the_sweep_runs_everything_even_without_a_due_time() -> None:
    clock = ManualClock(START)
    quiet = Rows("outbox")
    runtime = DueWorkRuntime(clock, sweep_seconds=0.05)
    runtime.register(quiet)
    await runtime.start()
    try:
        await _until(lambda: quiet.rounds >= 3, seconds=5)
    finally:
        await runtime.stop()
    assert not runtime.running


def test_a_name_is_registered_once() -> None:
    runtime = DueWorkRuntime(ManualClock(START))
    runtime.register(Rows("reminders"))
    with pytest.raises(ValueError, match="registered twice"):
        runtime.register(Rows("reminders"))
    assert runtime.find("reminders").name == "reminders"


class InFlight(Rows):
    """Due work that keeps something running between rounds, as the outbox's sender does."""

    def __init__(self, name: str, stopped: list[str], *, fail: bool = False) -> None:
        super().__init__(name)
        self.stopped = stopped
        self.fail_to_stop = fail

    async def stop(self) -> None:
        self.stopped.append(self.name)
        if self.fail_to_stop:
            raise RuntimeError("the network is down")


async def test_stopping_stops_the_work_in_flight_last_registered_first_once() -> None:
    stopped: list[str] = []
    runtime = DueWorkRuntime(ManualClock(START))
    runtime.register(InFlight("outbox", stopped))
    runtime.register(Rows("digests"))
    runtime.register(InFlight("uploads", stopped, fail=True))
    await runtime.start()

    await runtime.stop()
    await runtime.stop()

    assert stopped == ["uploads", "outbox"]  # a failed stop does not keep the others running
    assert not runtime.running


async def test_stopping_at_the_moment_of_a_wake_up_ends_the_watch() -> None:
    """The outbox wakes the runtime at every finished send, so a stop often meets a wake-up."""
    for _ in range(20):
        runtime = DueWorkRuntime(ManualClock(START))
        runtime.register(Rows("outbox"))
        await runtime.start()
        await asyncio.sleep(0.005)  # watching: waiting for a wake-up
        runtime.wake()
        stopping = asyncio.ensure_future(runtime.stop())
        done, _ = await asyncio.wait({stopping}, timeout=1.0)
        assert done, "stop() hangs when a wake-up meets its cancellation"
        assert not runtime.running


async def _until(condition: object, seconds: float = 2.0) -> None:
    """Wait (on real time) until ``condition()`` is true."""
    assert callable(condition)
    deadline = asyncio.get_running_loop().time() + seconds
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "not done in time"
        await asyncio.sleep(0.01)
