"""One runtime for due work: everything that comes due is woken by one clock.

Reminders, digests, the outbox, and whatever comes due next (roadmap due dates, decision
deadlines) implement :class:`DueWork`: ``next_due`` says when the work next has something to
do, ``run_due`` does what is due. The database holds the state (decision 1 of the
architecture: rows with a due time and a status); the runtime only decides when to look.

One task sleeps until the earliest ``next_due`` of all registered work, then runs the work
that is due; every ``sweep_seconds`` it runs all of it (a safety sweep). ``wake()`` makes it look
now: call it when something was added or changed, or a test moved a manual clock. A round that
fails is logged and tried again at the next wake-up; one work's failure never stops another's.

Adding a kind of due work is one class with ``name``, ``next_due`` and ``run_due``, and one
line in ``bot/app.py``'s ``DUE_WORK``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Final, Protocol, runtime_checkable

from bot.clock import Clock

logger = logging.getLogger(__name__)

SWEEP_SECONDS: Final = 60.0
"""The longest the runtime sleeps without looking, whatever ``next_due`` says."""
MIN_PAUSE_SECONDS: Final = 0.01


class DueWork(Protocol):
    """Something that comes due: reminders, digests, the outbox, roadmap nudges."""

    @property
    def name(self) -> str:
        """A short name for logs ("reminders")."""
        ...

    async def next_due(self, now: datetime) -> datetime | None:
        """When this work next has something to do (None: nothing planned; the sweep looks)."""
        ...

    async def run_due(self, now: datetime) -> None:
        """Do what is due at ``now``; idempotent (a crash in the middle is run again)."""
        ...


@runtime_checkable
class StoppableWork(Protocol):
    """Due work that keeps something running between rounds (the outbox's sends in flight)."""

    async def stop(self) -> None:
        """Finish or put back what is in flight; the next round starts it again."""
        ...


class DueWorkRuntime:
    """Holds the registered work and the one task that wakes it."""

    def __init__(self, clock: Clock, *, sweep_seconds: float = SWEEP_SECONDS) -> None:
        self.clock = clock
        self.sweep_seconds = sweep_seconds
        self._work: list[DueWork] = []
        self._wakeup = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self._last_sweep = 0.0
        self._when_ended: list[Callable[[asyncio.Task[None]], None]] = []

    @property
    def work(self) -> Sequence[DueWork]:
        return tuple(self._work)

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    def register(self, work: DueWork) -> None:
        """Add work (before ``start``; names are unique)."""
        if any(known.name == work.name for known in self._work):
            raise ValueError(f"due work {work.name!r} is registered twice")
        self._work.append(work)

    def find(self, name: str) -> DueWork:
        """The registered work of that name."""
        for work in self._work:
            if work.name == name:
                return work
        raise KeyError(f"no due work named {name!r}")

    async def start(self) -> None:
        """Run what fell due while the bot was down, then keep watching. Idempotent."""
        if self._task is not None:
            return
        self._stopping = False
        await self.run_round(everything=True)
        self._task = asyncio.create_task(self._watch(), name="due-work")
        self._task.add_done_callback(self._ended)

    async def stop(self) -> None:
        """Stop watching (a round in progress is cancelled; its work is idempotent), then stop
        the work that keeps something in flight (:class:`StoppableWork`), last registered first."""
        task, self._task = self._task, None
        if task is None:
            return
        self._stopping = True  # the watch ends even if a wake-up swallows the cancellation
        self._wakeup.set()
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        for work in reversed(self._work):
            if isinstance(work, StoppableWork):
                try:
                    await work.stop()
                except Exception:
                    logger.exception("%s: stopping failed", work.name)

    def when_ended(self, callback: Callable[[asyncio.Task[None]], None]) -> None:
        """Call ``callback`` with the watching task should it end without :meth:`stop` (so the
        operators hear that nothing comes due any more)."""
        self._when_ended.append(callback)

    def _ended(self, task: asyncio.Task[None]) -> None:
        if self._stopping:
            return
        for callback in self._when_ended:
            try:
                callback(task)
            except Exception:
                logger.exception("reporting the end of the due-work task failed")

    def wake(self) -> None:
        """Look now: something was added or changed, or the clock was moved."""
        self._wakeup.set()

    async def run_round(self, *, everything: bool = False) -> None:
        """Run every work that is due now (``everything``: each one, due or not)."""
        now = self.clock.now()
        for work in self._work:
            try:
                if everything or await self._is_due(work, now):
                    await work.run_due(now)
            except Exception:
                logger.exception("%s: round failed; trying again at the next wake-up", work.name)

    async def next_due(self) -> datetime | None:
        """The earliest ``next_due`` of all work."""
        now = self.clock.now()
        found = [when for work in self._work if (when := await self._next_due(work, now))]
        return min(found, default=None)

    async def _watch(self) -> None:
        loop = asyncio.get_running_loop()
        self._last_sweep = loop.time()
        while not self._stopping:
            pause = await self._pause()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(pause):  # not wait_for: it can swallow a cancellation
                    await self._wakeup.wait()
            if self._stopping:
                return
            self._wakeup.clear()
            sweep = loop.time() - self._last_sweep >= self.sweep_seconds
            if sweep:
                self._last_sweep = loop.time()
            await self.run_round(everything=sweep)

    async def _pause(self) -> float:
        upcoming = await self.next_due()
        if upcoming is None:
            return self.sweep_seconds
        wait = (upcoming - self.clock.now()).total_seconds()
        return min(max(wait, MIN_PAUSE_SECONDS), self.sweep_seconds)

    async def _is_due(self, work: DueWork, now: datetime) -> bool:
        when = await self._next_due(work, now)
        return when is not None and when <= now

    @staticmethod
    async def _next_due(work: DueWork, now: datetime) -> datetime | None:
        try:
            return await work.next_due(now)
        except Exception:
            logger.exception("%s: could not tell when it is next due", work.name)
            return None
