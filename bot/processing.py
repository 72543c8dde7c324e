"""Concurrent across chats, ordered within a chat.

See docs/developers.md, "Concurrent across chats, ordered within a chat".

Against real Telegram every reply costs a network round trip; handling one update at a time
makes everyone wait behind one slow reply. This processor runs updates of different chats
concurrently and the updates of one chat (and so one person's conversation) in arrival order.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor


def ordering_key(update: object) -> int | None:
    """The chat whose updates must stay in order (the user's when there is no chat)."""
    if not isinstance(update, Update):
        return None
    if update.effective_chat is not None:
        return update.effective_chat.id
    if update.effective_user is not None:
        return update.effective_user.id
    return None


class _KeyedLocks:
    """One FIFO lock per key, dropped again when nobody holds or waits for it."""

    def __init__(self) -> None:
        self._locks: dict[int, tuple[asyncio.Lock, int]] = {}

    async def run(self, key: int, coroutine: Awaitable[Any]) -> None:
        lock, users = self._locks.get(key, (asyncio.Lock(), 0))
        self._locks[key] = (lock, users + 1)
        try:
            async with lock:
                await coroutine
        finally:
            lock, users = self._locks[key]
            if users == 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, users - 1)

    def __len__(self) -> int:
        return len(self._locks)


class ChatOrderedUpdateProcessor(BaseUpdateProcessor):
    """Up to ``running`` updates at once; one at a time per chat, in arrival order.

    PTB's own semaphore (``max_concurrent_updates``) bounds the updates *admitted*; an admitted
    update first waits for its chat's turn and only then takes one of the ``running`` slots, so
    a burst in one busy group never keeps other chats waiting.
    """

    def __init__(self, running: int = 256, admitted: int = 4096) -> None:
        super().__init__(admitted)
        self._running = asyncio.Semaphore(running)
        self._locks = _KeyedLocks()

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = ordering_key(update)
        if key is None:
            await self._run(coroutine)
        else:
            await self._locks.run(key, self._run(coroutine))

    async def _run(self, coroutine: Awaitable[Any]) -> None:
        async with self._running:
            await coroutine

    async def initialize(self) -> None:
        """Nothing to set up: locks are created per chat as updates arrive."""

    async def shutdown(self) -> None:
        """Nothing to release: PTB waits for running updates before calling this."""

    @property
    def chats_in_flight(self) -> int:
        return len(self._locks)
