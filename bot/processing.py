"""Concurrent across chats, ordered within a chat, fair under a flood.

See docs/developers.md, "Concurrent across chats, ordered within a chat".

Against real Telegram every reply costs a network round trip; handling one update at a time
makes everyone wait behind one slow reply. This processor runs updates of different chats
concurrently and the updates of one chat (and so one person's conversation) in arrival order.

Admission is per chat: a chat holds at most ``per_chat`` updates in hand (waiting for its turn
or running). Beyond that, its updates are dropped — the first drop of a backlog calls
``on_flood`` (the bot answers once with a "slow down" line) — so one person sending thousands
of messages, whose answers Telegram paces at one a second, never keeps other chats waiting and
never grows the bot's memory. A stop lets the running updates finish and leaves those still
waiting unhandled (the inbox keeps them for the next start), so it takes seconds whatever the
backlog.
"""

from __future__ import annotations

import asyncio
import enum
import inspect
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

PER_CHAT = 16
"""Updates one chat may have in hand: an album (up to 10) and a few quick replies fit."""


@dataclass(frozen=True)
class Flooding:
    """A chat whose backlog is being dropped, and who to tell, in which language."""

    chat_id: int
    user_id: int | None
    language_code: str | None


OUTER_BOUND = 1 << 16
"""PTB's own semaphore over every update in the processor: admission is per chat, so this
only bounds what thousands of chats, each with its share in hand, could hold at once."""

UpdateCallback = Callable[[Update], None]
FloodCallback = Callable[[Flooding], None]


class Admission(enum.Enum):
    ADMITTED = "admitted"
    DROPPED = "dropped"
    FIRST_DROPPED = "first dropped"
    """The first update dropped from a chat's backlog: the chat is told to slow down."""


def ordering_key(update: object) -> int | None:
    """The chat whose updates must stay in order (the user's when there is no chat)."""
    if not isinstance(update, Update):
        return None
    if update.effective_chat is not None:
        return update.effective_chat.id
    if update.effective_user is not None:
        return update.effective_user.id
    return None


def flooding(update: Update) -> Flooding | None:
    chat, user = update.effective_chat, update.effective_user
    if chat is None:
        return None
    return Flooding(chat.id, user.id if user else None, user.language_code if user else None)


class _Chat:
    """One chat's updates in hand: a FIFO lock for their order, and how many there are."""

    __slots__ = ("in_hand", "lock", "warned")

    def __init__(self) -> None:
        self.lock = asyncio.Lock()
        self.in_hand = 0
        self.warned = False


def _ignore(event: object) -> None:
    """The default for a callback nobody wired."""


class ChatOrderedUpdateProcessor(BaseUpdateProcessor):
    """Up to ``running`` updates at once; one at a time per chat, in arrival order; at most
    ``per_chat`` in hand per chat.

    ``on_handled`` hears of every update handled or dropped on purpose (the inbox marks it);
    ``on_flood`` of the first update dropped from a chat's backlog. An update left waiting by
    a stop is neither.
    """

    def __init__(
        self,
        running: int = 256,
        per_chat: int = PER_CHAT,
        *,
        on_handled: UpdateCallback = _ignore,
        on_flood: FloodCallback = _ignore,
    ) -> None:
        super().__init__(OUTER_BOUND)
        self._running = asyncio.Semaphore(running)
        self._per_chat = per_chat
        self._chats: dict[int, _Chat] = {}
        self._ahead: dict[int, int] = {}
        """Updates admitted before they were queued (``admit_ahead``): update id -> chat."""
        self._closed = False
        self.on_handled = on_handled
        self.on_flood = on_flood

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Admit, order and run one update."""
        ahead = self._ahead.pop(update.update_id, None) if isinstance(update, Update) else None
        key = ahead if ahead is not None else ordering_key(update)
        if key is None:
            if self._closed:
                _discard(coroutine)
            else:
                await self._run(update, coroutine)
            return
        if ahead is None and not self._admitted(key, update, coroutine):
            return
        await self._in_chat(key, update, coroutine)

    def admit_ahead(self, update_id: int, key: int) -> Admission:
        """Admission before an update is even parsed (the inbox, as it fetches a batch): a
        flood is dropped at the door. An admitted update is not counted again when it comes
        to be processed."""
        admission = self._admit(key)
        if admission is Admission.ADMITTED:
            self._ahead[update_id] = key
        return admission

    def release_ahead(self, update_ids: list[int]) -> None:
        """Updates admitted ahead that will not come to be processed after all."""
        for update_id in update_ids:
            key = self._ahead.pop(update_id, None)
            if key is not None:
                self._release(key)

    def _release(self, key: int) -> None:
        chat = self._chats[key]
        chat.in_hand -= 1
        if chat.in_hand == 0:
            del self._chats[key]

    def _admit(self, key: int) -> Admission:
        chat = self._chats.get(key)
        if chat is None:
            chat = self._chats[key] = _Chat()
        if chat.in_hand < self._per_chat:
            chat.in_hand += 1
            return Admission.ADMITTED
        if chat.warned:
            return Admission.DROPPED
        chat.warned = True
        return Admission.FIRST_DROPPED

    def _admitted(self, key: int, update: object, coroutine: Awaitable[Any]) -> bool:
        admission = self._admit(key)
        if admission is Admission.ADMITTED:
            return True
        _discard(coroutine)
        if isinstance(update, Update):
            self.on_handled(update)
            notice = flooding(update)
            if admission is Admission.FIRST_DROPPED and notice is not None:
                self.on_flood(notice)
        return False

    async def _in_chat(self, key: int, update: object, coroutine: Awaitable[Any]) -> None:
        chat = self._chats[key]
        try:
            async with chat.lock:
                if self._closed:
                    _discard(coroutine)
                else:
                    await self._run(update, coroutine)
        finally:
            self._release(key)

    async def _run(self, update: object, coroutine: Awaitable[Any]) -> None:
        async with self._running:
            try:
                await coroutine
            except Exception:  # PTB reports it to the error handler: handled all the same
                self._handled(update)
                raise
        self._handled(update)

    def _handled(self, update: object) -> None:
        if isinstance(update, Update):
            self.on_handled(update)

    def close(self) -> None:
        """From now on, updates not yet running are left unhandled (the application stops)."""
        self._closed = True

    async def initialize(self) -> None:
        """Open again after a stop (tests restart one application)."""
        self._closed = False

    async def shutdown(self) -> None:
        """Nothing to release: PTB waits for running updates before calling this."""

    @property
    def chats_in_flight(self) -> int:
        return len(self._chats)


def _discard(coroutine: Awaitable[Any]) -> None:
    """An update not handled: close its coroutine, never started, without a warning."""
    if inspect.iscoroutine(coroutine):
        coroutine.close()
