"""No update lost on kill -9: updates are stored before Telegram hears they were received.

PTB's polling confirms a batch of updates with the next ``getUpdates`` call, sent as soon as the
batch is queued; an update fetched and not yet handled when the process dies would be gone.
:class:`InboxRequest` sits in front of the getUpdates request: it stores every fetched update
in the inbox (one transaction per batch) before PTB sees it, so the next call confirms only
stored updates — or updates dropped on purpose, a flood's excess — and it drops an update
Telegram delivers again (its id is in the inbox). The
update processor reports each update handled (:meth:`Inbox.handled`); those marks are written
in batches (a group commit). At start, :meth:`Inbox.replay` hands back what was stored and
never handled: fetched before a kill, or left waiting by a stop.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from telegram.request import BaseRequest, RequestData
from telegram.request._requestparameter import RequestParameter

from bot.clock import Clock
from bot.processing import Admission, ChatOrderedUpdateProcessor, Flooding
from storage.database import Database
from storage.inbox import InboxRepository, InboxUpdate

logger = logging.getLogger(__name__)

JSONDict = dict[str, Any]

WEBHOOK_REMEMBERED = 100_000
"""By webhook nothing confirms a range of updates: handled rows this far below the newest
update are forgotten (a redelivery comes within hours, not a hundred thousand updates later)."""


@dataclass(frozen=True)
class Arrival:
    """What the inbox reads from an update before PTB parses it."""

    update_id: int
    sender: JSONDict | None
    """The person it comes from (``from`` or ``user``), as Telegram describes them."""
    chat_id: int | None

    @property
    def sender_id(self) -> int | None:
        return int(self.sender["id"]) if self.sender else None

    @property
    def ordering_key(self) -> int | None:
        """As ``bot.processing.ordering_key`` finds it: the chat, else the sender."""
        return self.chat_id if self.chat_id is not None else self.sender_id

    def flooding(self) -> Flooding | None:
        if self.chat_id is None:
            return None
        language = self.sender.get("language_code") if self.sender else None
        return Flooding(self.chat_id, self.sender_id, language)


def arrival(update: JSONDict) -> Arrival:
    for key, value in update.items():
        if key == "update_id" or not isinstance(value, dict):
            continue
        sender = value.get("from") or value.get("user")
        message = value.get("message")
        chat = value.get("chat") or (message.get("chat") if isinstance(message, dict) else None)
        return Arrival(
            update["update_id"],
            sender if isinstance(sender, dict) and "id" in sender else None,
            int(chat["id"]) if isinstance(chat, dict) and "id" in chat else None,
        )
    return Arrival(update["update_id"], None, None)


class Inbox:
    """The running bot's side of the inbox: what it stored and has not handled yet."""

    def __init__(self, db: Database, clock: Clock, processor: ChatOrderedUpdateProcessor) -> None:
        self._repo = InboxRepository(db)
        self._clock = clock
        self._processor = processor
        self._pending: set[int] = set()
        self.confirm_from = 0
        """Every update below this id is stored (set at :meth:`replay`, then moved on by each
        batch): the next getUpdates call confirms them, and only one below it can be known."""
        self._done: list[int] = []
        self._writer: asyncio.Task[None] | None = None
        self._receiving = asyncio.Lock()

    async def take_in(self, updates: list[JSONDict], offset: int | None) -> list[JSONDict]:
        """Store the fetched updates to handle, and return them in Telegram's order.

        An update seen before is left out; so is one beyond its chat's share of updates in
        hand (the processor's admission): dropped on purpose, it is done with, and costs
        neither a row nor an object, so a flood is cheap. The first such update of a backlog
        brings the notice.
        """
        arrivals = [arrival(update) for update in updates]
        earlier = [a.update_id for a in arrivals if a.update_id < self.confirm_from]
        known = await self._repo.known(earlier) if earlier else set()
        if known:
            logger.info("%d updates delivered again, already in hand", len(known))
        rows: list[InboxUpdate] = []
        admitted: list[JSONDict] = []
        for update, came in zip(updates, arrivals, strict=True):
            if came.update_id not in known and self._admit(came):
                rows.append(InboxUpdate(came.update_id, came.sender_id, json.dumps(update)))
                admitted.append(update)
        if rows:
            try:
                await self._repo.store(rows, self._clock.now(), confirmed_below=offset)
            except BaseException:
                self._processor.release_ahead([row.update_id for row in rows])
                raise
        self._pending.update(row.update_id for row in rows)
        if arrivals:
            self.confirm_from = max(self.confirm_from, arrivals[-1].update_id + 1)
        return admitted

    async def receive(self, update: JSONDict) -> bool:
        """A webhook's update: stored before Telegram hears 200; False when it is to be left
        alone (delivered again, or beyond its chat's share). One at a time, so two deliveries
        of one update never both pass the check."""
        async with self._receiving:
            remembered_from = max(0, int(update["update_id"]) - WEBHOOK_REMEMBERED)
            return bool(await self.take_in([update], remembered_from))

    def _admit(self, came: Arrival) -> bool:
        key = came.ordering_key
        if key is None:
            return True
        admission = self._processor.admit_ahead(came.update_id, key)
        if admission is Admission.FIRST_DROPPED:
            notice = came.flooding()
            if notice is not None:
                self._processor.on_flood(notice)
        return admission is Admission.ADMITTED

    async def replay(self) -> list[JSONDict]:
        """Updates stored and never handled, oldest first: handle them before new ones."""
        stored = await self._repo.pending()
        self._pending.update(update_id for update_id, _ in stored)
        self.confirm_from = max(self.confirm_from, await self._repo.next_update_id())
        if stored:
            logger.info("%d updates stored before the last stop are handled now", len(stored))
        return [json.loads(payload) for _, payload in stored]

    def handled(self, update_id: int) -> None:
        """The update is handled (answered, or dropped on purpose): mark it, soon."""
        if update_id not in self._pending:
            return  # not from the inbox (dropped on purpose)
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


@dataclass
class _ReadAhead:
    """A getUpdates call sent before PTB asks for it, and the parameters it went with."""

    parameters: JSONDict
    """Everything but the offset (which the inbox sets)."""
    call: asyncio.Task[_Fetched]


@dataclass(frozen=True)
class _Call:
    """A getUpdates call as PTB makes it."""

    url: str
    method: str
    request_data: RequestData | None
    timeouts: dict[str, Any]


@dataclass(frozen=True)
class _Fetched:
    status: int
    body: bytes
    updates: int
    """How many updates Telegram's answer held (0 for an error or an empty long poll)."""


class InboxRequest(BaseRequest):
    """The getUpdates request through the inbox: what PTB receives is already stored.

    Wraps the real request; every other method is passed through unchanged. Until the inbox
    is attached (the database opens in post_init) updates pass as they are.

    It reads ahead: once a long poll brings updates and they are stored, the next getUpdates
    call goes out at once, while PTB parses the batch and queues it, and PTB's next call takes
    its answer. Under a flood the round trip to Telegram then overlaps the bot's own work
    instead of adding to it. Only one call is ever in flight (Telegram ends a second one with
    409), it confirms only stored updates, and its own batch is stored as soon as it arrives,
    so a kill loses nothing (docs/developers.md, "Reading ahead").
    """

    __slots__ = ("_ahead", "_inbox", "_inner")

    def __init__(self, inner: BaseRequest) -> None:
        self._inner = inner
        self._inbox: Inbox | None = None
        self._ahead: _ReadAhead | None = None

    def attach(self, inbox: Inbox | None) -> None:
        self._inbox = inbox

    @property
    def read_timeout(self) -> float | None:
        return self._inner.read_timeout

    async def initialize(self) -> None:
        await self._inner.initialize()

    async def shutdown(self) -> None:
        await self._drop_read_ahead()
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
        timeouts = {
            "read_timeout": read_timeout,
            "write_timeout": write_timeout,
            "connect_timeout": connect_timeout,
            "pool_timeout": pool_timeout,
        }
        inbox = self._inbox
        if inbox is None or not url.endswith("/getUpdates"):
            return await self._pass(url, method, request_data, timeouts)
        call = _Call(url, method, request_data, timeouts)
        fetched = await self._read_ahead_for(request_data)
        if fetched is None:
            fetched = await self._fetch(inbox, call)
        if fetched.updates and _long_poll(request_data):
            self._read_ahead(inbox, call)
        return fetched.status, fetched.body

    async def _fetch(self, inbox: Inbox, call: _Call) -> _Fetched:
        """One getUpdates call confirming what the inbox stored; its updates stored in turn."""
        request_data = call.request_data
        offset = _offset(request_data)
        if inbox.confirm_from > (offset or 0):
            offset = inbox.confirm_from
            request_data = _with_offset(request_data, offset)
        status, body = await self._pass(call.url, call.method, request_data, call.timeouts)
        if status != 200:
            return _Fetched(status, body, 0)
        answer = json.loads(body)
        if not answer.get("ok") or not answer.get("result"):
            return _Fetched(status, body, 0)
        updates = answer["result"]
        fresh = await inbox.take_in(updates, offset)
        if len(fresh) != len(updates):  # not every update kept: the answer is written again
            body = json.dumps({"ok": True, "result": fresh}).encode()
        return _Fetched(status, body, len(updates))

    def _read_ahead(self, inbox: Inbox, call: _Call) -> None:
        """Send the next call now; PTB's next getUpdates takes its answer."""
        sent = asyncio.get_running_loop().create_task(
            self._fetch(inbox, call), name="getUpdates read-ahead"
        )
        self._ahead = _ReadAhead(_parameters(call.request_data), sent)

    async def _read_ahead_for(self, request_data: RequestData | None) -> _Fetched | None:
        """The answer of the call read ahead, when there is one for this call.

        A call with other parameters (PTB's last one at stop does not wait) cancels a read-ahead
        still waiting; one that has come back is the answer whatever was asked, since its
        updates are stored already (an update PTB then leaves aside is handled after the next
        start).
        """
        ahead, self._ahead = self._ahead, None
        if ahead is None:
            return None
        if ahead.call.done() or ahead.parameters == _parameters(request_data):
            return await ahead.call
        await _cancel(ahead.call)
        return None

    async def _drop_read_ahead(self) -> None:
        ahead, self._ahead = self._ahead, None
        if ahead is not None:
            await _cancel(ahead.call)

    async def _pass(
        self, url: str, method: str, request_data: RequestData | None, timeouts: dict[str, Any]
    ) -> tuple[int, bytes]:
        return await self._inner.do_request(url, method, request_data, **timeouts)


async def _cancel(call: asyncio.Task[_Fetched]) -> None:
    """Stop a read-ahead call and wait until it has stopped; whatever it met is dropped (the
    updates of a call that never came back are delivered again)."""
    call.cancel()
    try:
        await call
    except asyncio.CancelledError:
        if not call.cancelled():  # the caller itself is being cancelled
            raise
    except Exception:  # a network error of a call nobody waits for any more
        logger.debug("a getUpdates call read ahead failed as it was dropped", exc_info=True)


def _parameters(request_data: RequestData | None) -> JSONDict:
    parameters = dict(request_data.parameters) if request_data is not None else {}
    parameters.pop("offset", None)
    return parameters


def _long_poll(request_data: RequestData | None) -> bool:
    """Whether the call may wait for updates (PTB's last call at stop does not)."""
    timeout = request_data.parameters.get("timeout") if request_data is not None else None
    return isinstance(timeout, int | float) and timeout > 0


def _offset(request_data: RequestData | None) -> int | None:
    """The ``offset`` the getUpdates call sends: Telegram confirms every update below it."""
    if request_data is None:
        return None
    offset = request_data.parameters.get("offset")
    return offset if isinstance(offset, int) and offset > 0 else None


def _with_offset(request_data: RequestData | None, offset: int) -> RequestData:
    """The same call confirming everything the inbox stored (PTB's own offset only moves
    past the updates it was handed, so not past those the inbox left out)."""
    parameters = dict(request_data.parameters) if request_data is not None else {}
    parameters["offset"] = offset
    return RequestData([RequestParameter.from_input(k, v) for k, v in parameters.items()])
