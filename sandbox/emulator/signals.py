"""A self-resetting event: every waiter wakes at the next ``fire()``."""

from __future__ import annotations

import asyncio


class Signal:
    __slots__ = ("_future",)

    def __init__(self) -> None:
        self._future: asyncio.Future[None] | None = None

    def fire(self) -> None:
        future, self._future = self._future, None
        if future is not None and not future.done():
            future.set_result(None)

    async def wait(self, seconds: float | None) -> bool:
        """Wait for the next ``fire()``; False when ``seconds`` passed first (None: forever)."""
        if self._future is None:
            self._future = asyncio.get_running_loop().create_future()
        done, _ = await asyncio.wait([self._future], timeout=seconds)
        return bool(done)
