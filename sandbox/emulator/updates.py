"""The bot's update queue: confirmation by offset, long polling, allowed_updates filtering."""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .errors import ApiError, conflict
from .signals import Signal

NOT_DELIVERED_BY_DEFAULT = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
SUPERSEDED = (
    "terminated by other getUpdates request; make sure that only one bot instance is running"
)


@dataclass(eq=False)
class QueuedUpdate:
    update_id: int
    kind: str
    payload: dict[str, Any]
    delivered: bool = False

    def to_api(self) -> dict[str, Any]:
        return {"update_id": self.update_id, self.kind: self.payload}


class UpdateQueue:
    """Updates waiting for the bot, oldest first, until it confirms them."""

    def __init__(self, on_change: Callable[[], None], first_update_id: int = 1) -> None:
        self.on_change = on_change
        self._pending: deque[QueuedUpdate] = deque()
        self._next_id = first_update_id
        self.allowed: frozenset[str] | None = None
        self.arrived = Signal()
        self.closed = False
        self._poll: asyncio.Future[ApiError | str] | None = None

    # filling

    def push(self, kind: str, payload: dict[str, Any]) -> QueuedUpdate:
        update = QueuedUpdate(self._next_id, kind, payload)
        self._next_id += 1
        self._pending.append(update)
        self.arrived.fire()
        if self._poll is not None and not self._poll.done() and self.is_allowed(kind):
            self._poll.set_result(_ARRIVED)
        return update

    def is_allowed(self, kind: str) -> bool:
        if self.allowed is None:
            return kind not in NOT_DELIVERED_BY_DEFAULT
        return kind in self.allowed

    def set_allowed(self, kinds: Any) -> None:
        """A non-empty list replaces the filter; an empty list or nothing keeps it."""
        if isinstance(kinds, list) and kinds:
            self.allowed = frozenset(str(kind) for kind in kinds)

    # state

    @property
    def next_update_id(self) -> int:
        """The id the next update gets (ids only grow, across restarts too)."""
        return self._next_id

    @next_update_id.setter
    def next_update_id(self, value: int) -> None:
        self._next_id = max(self._next_id, value)

    @property
    def pending_count(self) -> int:
        return sum(1 for update in self._pending if self.is_allowed(update.kind))

    def has_undelivered(self) -> bool:
        return any(not u.delivered and self.is_allowed(u.kind) for u in self._pending)

    def drop_pending(self) -> None:
        self._pending.clear()
        self.on_change()

    # fetching

    def confirm(self, offset: int | None) -> None:
        """Forget updates below ``offset``; a negative one keeps only the last ``-offset``."""
        pending = self._pending
        before = len(pending)
        if offset is not None and offset < 0:
            while len(pending) > -offset:
                pending.popleft()
        elif offset:
            while pending and pending[0].update_id < offset:
                pending.popleft()
        if len(pending) != before:
            self.on_change()

    def take(self, limit: int) -> list[QueuedUpdate]:
        """The first ``limit`` allowed updates, marked delivered."""
        batch = self._first_allowed(limit)
        for update in batch:
            update.delivered = True
        if batch:
            self.on_change()
        return batch

    def _first_allowed(self, limit: int) -> list[QueuedUpdate]:
        """The first ``limit`` allowed updates; updates the filter excludes are dropped."""
        batch: list[QueuedUpdate] = []
        dropped = False
        for update in self._pending:
            if len(batch) >= limit:
                break
            if self.is_allowed(update.kind):
                batch.append(update)
            else:
                dropped = True
        if dropped:
            self._pending = deque(u for u in self._pending if self.is_allowed(u.kind))
        return batch

    def remove(self, update: QueuedUpdate) -> None:
        """Confirm one update (a webhook delivery)."""
        update.delivered = True
        if update in self._pending:
            self._pending.remove(update)
        self.on_change()

    @property
    def poll_waiting(self) -> bool:
        """Whether a long poll is waiting for updates now."""
        return self._poll is not None and not self._poll.done()

    async def poll(self, offset: int | None, limit: int, wait: float) -> list[QueuedUpdate]:
        """getUpdates: answer at once if updates are pending, else wait up to ``wait`` s."""
        self.end_poll(conflict(SUPERSEDED))
        self.confirm(offset)
        batch = self.take(limit)
        deadline = time.monotonic() + wait
        while not batch and not self.closed:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return []
            outcome = await self._wait_for_arrival(remaining)
            if isinstance(outcome, ApiError):
                raise outcome
            if outcome is not _ARRIVED:
                return []
            batch = self.take(limit)
        return batch

    def close(self) -> None:
        """Answer the waiting long poll, and later ones at once (the server is stopping)."""
        self.closed = True
        self.end_poll(None)

    async def _wait_for_arrival(self, seconds: float) -> ApiError | str:
        waiter: asyncio.Future[ApiError | str] = asyncio.get_running_loop().create_future()
        self._poll = waiter
        try:
            done, _ = await asyncio.wait([waiter], timeout=seconds)
        finally:
            if self._poll is waiter:
                self._poll = None
        return waiter.result() if done else _TIMED_OUT

    def end_poll(self, error: ApiError | None) -> None:
        """End a waiting long poll: with ``error`` (409), or empty-handed when None."""
        waiter, self._poll = self._poll, None
        if waiter is not None and not waiter.done():
            waiter.set_result(error if error is not None else _CLOSED)

    async def next_deliverable(self) -> QueuedUpdate:
        """The oldest allowed update, waiting for one (webhook delivery)."""
        while True:
            for update in self._first_allowed(1):
                return update
            await self.arrived.wait(None)


_ARRIVED = "arrived"
_CLOSED = "closed"
_TIMED_OUT = "timed out"
