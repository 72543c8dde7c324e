"""No update lost on kill -9: updates are stored before Telegram hears they were received.

PTB's polling confirms a batch of updates with the next ``getUpdates`` call, sent as soon as the
batch is queued; an update fetched and not yet handled when the process dies would be gone.
:class:`InboxRequest` sits in front of the getUpdates request: it stores every fetched update
in the inbox (one transaction per batch) before PTB sees it, so the next call confirms only
stored updates, and it drops an update Telegram delivers again (its id is in the inbox). The
update processor reports each update handled (:meth:`Inbox.handled`); those marks are written
in batches (a group commit). At start, :meth:`Inbox.replay` hands back what was stored and
never handled: fetched before a kill, or left waiting by a stop.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Iterable
from typing import Any

from telegram.request import BaseRequest, RequestData

from bot.clock import Clock
from storage.database import Database
from storage.inbox import InboxRepository, InboxUpdate

logger = logging.getLogger(__name__)

JSONDict = dict[str, Any]


def sender_of(update: JSONDict) -> int | None:
    """The Telegram id of whoever an update comes from (its one payload's ``from`` or
    ``user``, else a private chat's id)."""
    for key, value in update.items():
        if key == "update_id" or not isinstance(value, dict):
            continue
        person = value.get("from") or value.get("user")
        if isinstance(person, dict) and isinstance(person.get("id"), int):
            return int(person["id"])
        chat = value.get("chat")
        if isinstance(chat, dict) and chat.get("type") == "private":
            return int(chat["id"])
    return None


class Inbox:
    """The running bot's side of the inbox: what it stored and has not handled yet."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self._repo = InboxRepository(db)
        self._clock = clock
        self._pending: set[int] = set()
        self._done: list[int] = []
        self._writer: asyncio.Task[None] | None = None

    async def take_in(self, updates: list[JSONDict], offset: int | None) -> list[JSONDict]:
        """Store the fetched updates; returns those not seen before, in Telegram's order."""
        rows = [
            InboxUpdate(update["update_id"], sender_of(update), json.dumps(update))
            for update in updates
        ]
        fresh = await self._repo.store(rows, self._clock.now(), confirmed_below=offset)
        self._pending.update(fresh)
        if len(fresh) < len(updates):
            logger.info("%d updates delivered again, already in hand", len(updates) - len(fresh))
        return [update for update in updates if update["update_id"] in fresh]

    async def replay(self) -> list[JSONDict]:
        """Updates stored and never handled, oldest first: handle them before new ones."""
        stored = await self._repo.pending()
        self._pending.update(update_id for update_id, _ in stored)
        if stored:
            logger.info("%d updates stored before the last stop are handled now", len(stored))
        return [json.loads(payload) for _, payload in stored]

    def handled(self, update_id: int) -> None:
        """The update is handled (answered, or dropped on purpose): mark it, soon."""
        if update_id not in self._pending:
            return  # not from the inbox (a webhook update)
        self._pending.discard(update_id)
        self._done.append(update_id)
        if self._writer is None:
            self._writer = asyncio.get_running_loop().create_task(self._write_marks())

    async def _write_marks(self) -> None:
        """A group commit: one transaction for every mark made while the last one was written."""
        try:
            while self._done:
                batch, self._done = self._done, []
                await self._mark(batch)
        finally:
            self._writer = None

    async def _mark(self, batch: Iterable[int]) -> None:
        try:
            await self._repo.mark_handled(batch, self._clock.now())
        except Exception:  # the updates are handled again after a restart: never fatal
            logger.exception("could not mark updates handled")

    async def flush(self) -> None:
        """Write every mark made so far (at stop, before the database closes)."""
        if self._writer is not None:
            await asyncio.shield(self._writer)
        if self._done:
            batch, self._done = self._done, []
            await self._mark(batch)

    @property
    def in_hand(self) -> int:
        """Updates stored and not handled yet."""
        return len(self._pending)


class InboxRequest(BaseRequest):
    """The getUpdates request through the inbox: what PTB receives is already stored.

    Wraps the real request; every other method is passed through unchanged. Until the inbox
    is attached (the database opens in post_init) updates pass as they are.
    """

    __slots__ = ("_inbox", "_inner")

    def __init__(self, inner: BaseRequest) -> None:
        self._inner = inner
        self._inbox: Inbox | None = None

    def attach(self, inbox: Inbox | None) -> None:
        self._inbox = inbox

    @property
    def read_timeout(self) -> float | None:
        return self._inner.read_timeout

    async def initialize(self) -> None:
        await self._inner.initialize()

    async def shutdown(self) -> None:
        await self._inner.shutdown()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        status, body = await self._inner.do_request(
            url,
            method,
            request_data,
            read_timeout=read_timeout,
            write_timeout=write_timeout,
            connect_timeout=connect_timeout,
            pool_timeout=pool_timeout,
        )
        inbox = self._inbox
        if inbox is None or status != 200 or not url.endswith("/getUpdates"):
            return status, body
        answer = json.loads(body)
        if not answer.get("ok") or not answer.get("result"):
            return status, body
        fresh = await inbox.take_in(answer["result"], _offset(request_data))
        return status, json.dumps({"ok": True, "result": fresh}).encode()


def _offset(request_data: RequestData | None) -> int | None:
    """The ``offset`` the getUpdates call sent: Telegram confirmed every update below it."""
    if request_data is None:
        return None
    offset = request_data.parameters.get("offset")
    return offset if isinstance(offset, int) and offset > 0 else None
