"""The outbox sender: delivers every queued message on time, within Telegram's limits.

Features queue rows (``storage/outbox.py``, one per recipient) through
:meth:`bot.outbox.service.OutboxService.enqueue`, inside their unit of work; the service wakes
the sender once the unit commits. The :class:`Sender` is due work of the one runtime
(``bot/runtime.py``): each round claims the rows that are due, paces them with
``bot.outbox.pacing`` (overall, per private chat, per group) and starts their sends, up to
``max_in_flight`` at once across chats — one at a time within a chat — each recording its
outcome (decisions 1, 2 and 10 of the design):

* sent: the Telegram message id is kept;
* 429: the chat waits ``retry_after`` and the row is retried then;
* time-out or network error: retried with doubling back-off (capped), the whole sender pauses
  and then probes with one message until one gets through;
* 403: unreachable (the person too, in a private chat); 400: failed, with Telegram's reason;
* the group became a supergroup: the chat and every pending row move to the new id, resent;
* anything else (a bad payload, the bot shut down under it): retried a few times, then failed.

The database is the source of truth: the sender runs when woken, when its next row or a paced
chat comes due, and on its sweep. Stopping (the runtime stops it) finishes the sends in flight
and puts claimed-but-unsent rows back. After a crash, rows claimed by a process that no longer
exists on this host are released at the first round; claims of other hosts come back after the
lease. Only a message in flight at the crash can go twice.
"""

from __future__ import annotations

import asyncio
import logging
import os
import warnings
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Final, Protocol

from telegram import Bot, InlineKeyboardMarkup, InputFile, InputMediaPhoto, Message
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
)
from telegram.warnings import PTBDeprecationWarning

from bot.clock import Clock, SystemClock
from bot.i18n import N_, I18n
from bot.ops import OpsReporter, describe
from bot.outbox.claims import orphaned_claimants, sender_identity
from bot.outbox.pacing import Pacer, RateLimits, backoff
from storage import Repositories
from storage.outbox import OutboxMessage, OutboxPayload, OutgoingMessage

if TYPE_CHECKING:
    pass

logger = logging.getLogger(__name__)

UNEXPECTED_ERROR_ATTEMPTS: Final = 5
"""A row whose sending raises something other than Telegram's answer fails after this many."""


@dataclass(frozen=True)
class DeliveryConfig:
    """How the sender works; the defaults suit the real Telegram."""

    limits: RateLimits = field(default_factory=RateLimits)
    max_in_flight: int = 1
    """Sends awaiting Telegram's answer at once (across chats; a chat has one at a time).

    Telegram has no idempotency key: a send whose answer a crash cut off is sent again, so a
    crash doubles at most this many messages. One keeps the design's promise (at most the one
    in-flight message twice) and sends about 1/RTT messages a second (20/s at 50 ms), plenty
    for a network of hundreds; raise it (``WNMRC_OUTBOX_IN_FLIGHT``) only for broadcasts to
    thousands, accepting that many doubles per crash (docs/operators.md, "Configuration")."""
    lease: timedelta = timedelta(seconds=60)
    """A claim older than this belongs to a sender that died: the row is taken again."""
    sweep_seconds: float = 30.0
    """The longest the sender sleeps without looking at the database."""
    horizon_seconds: float = 0.5
    """Rows are claimed only when their send time falls within this much of now."""
    backoff_base_seconds: float = 1.0
    backoff_cap_seconds: float = 300.0
    read_timeout: float | None = None
    """Seconds to wait for Telegram's answer to one send (None: the request layer's own)."""
    stop_timeout: float = 15.0
    """How long stopping waits for the sends in flight."""


LOST_CHAT_NOTICE: Final = N_(
    "⚠️ I can no longer post in the chat {chat} ({id}): {reason}. Messages for it are not "
    "delivered. Please check that the bot is still a member there (an administrator, in a "
    "channel). I will tell you again only after it has worked once more."
)


@dataclass(frozen=True)
class LostChatNotices:
    """Who is told, in their language, when a group or channel stops taking the bot's messages."""

    secretariat_ids: frozenset[int]
    i18n: I18n


def lost_chat(chat_id: int, status: int, reason: str) -> bool:
    """A group or channel (never a private chat) refused the bot: 403, or it lacks the rights."""
    if chat_id > 0:
        return False
    return status == 403 or (status == 400 and "rights" in reason.lower())


def retry_after_seconds(error: RetryAfter) -> float:
    """The wait Telegram asked for, in seconds (PTB gives an int or a timedelta)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = error.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


@dataclass(eq=False)
class _Delivery:
    """One claimed row on its way: waiting for its send time, then in the call."""

    row: OutboxMessage
    at: float
    started: bool = False
    task: asyncio.Task[None] | None = None


class Waker(Protocol):
    """Whatever runs the sender's rounds (the due-work runtime): told to look now."""

    def wake(self) -> None: ...


class Sender:
    """Sends the outbox as due work of the runtime: its rounds claim and start sends; stopping
    finishes the sends in flight."""

    name = "outbox"

    def __init__(
        self,
        bot: Bot,
        repos: Repositories,
        clock: Clock | None = None,
        config: DeliveryConfig | None = None,
        *,
        identity: str | None = None,
        lost_chats: LostChatNotices | None = None,
        runtime: Waker | None = None,
        ops: OpsReporter | None = None,
    ) -> None:
        self.bot = bot
        self.ops = ops
        self.lost_chats = lost_chats
        self.repos = repos
        self.outbox = repos.outbox
        self.clock = clock or SystemClock()
        self.config = config or DeliveryConfig()
        self.identity = identity or sender_identity()
        self.pacer = Pacer(self.config.limits)
        self.runtime = runtime
        self._look_at = 0.0
        """The loop time at which the sender next wants a round (0: now)."""
        self._woken = False
        """Woken while a round ran: the next round is wanted at once."""
        self._deliveries: set[_Delivery] = set()
        self._begun = False
        self._failures = 0
        self._paused_until = 0.0

    def __repr__(self) -> str:
        return f"<Sender {self.identity}>"

    @property
    def running(self) -> bool:
        """Between its first round and :meth:`stop`."""
        return self._begun

    def wake(self) -> None:
        """Look at the database now (something was queued, a send finished)."""
        self._look_at = 0.0
        self._woken = True
        if self.runtime is not None:
            self.runtime.wake()

    async def next_due(self, now: datetime) -> datetime | None:
        """``now`` when a round is wanted; else when (pacing and retries are in loop time)."""
        wait = self._look_at - asyncio.get_running_loop().time()
        return now + timedelta(seconds=max(wait, 0.0))

    async def run_due(self, now: datetime) -> None:
        """One round: claim what can go now and start sending it."""
        loop = asyncio.get_running_loop()
        self._look_at = loop.time() + min(self.config.sweep_seconds, 5.0)  # if the round fails
        self._woken = False
        if not self._begun:
            await self._release_orphans()
            self._begun = True
            logger.info("outbox sender %s started", self.identity)
        try:
            pause = await self._round()
        except Exception as error:
            if self.ops is not None:
                await self.ops.report("outbox sender error", describe(error))
            raise
        self._look_at = 0.0 if self._woken else loop.time() + pause

    def runtime_ended(self, task: asyncio.Task[None]) -> None:
        """The runtime's task ended without being stopped: tell the operators."""
        if self.ops is None:
            return
        why = "cancelled" if task.cancelled() else describe(task.exception() or RuntimeError())
        self.ops.report_soon("outbox sender stopped", f"{self.identity}: {why}")

    async def _report_failed(self, row: OutboxMessage, reason: str) -> None:
        if self.ops is not None:
            where = f"row {row.id} ({row.kind}) to chat {row.chat_id}"
            await self.ops.report("outbox message failed", f"{where}: {reason}")

    async def stop(self) -> None:
        """Finish the sends in flight; claimed rows not yet sent go back to the queue."""
        if not self._begun:
            return
        self._begun = False
        waiting = [d for d in self._deliveries if not d.started]
        for delivery in waiting:
            if delivery.task is not None:
                delivery.task.cancel()
        await self._finish_deliveries()
        released = await self.outbox.release([self.identity], self.clock.now())
        self._look_at = 0.0
        logger.info("outbox sender %s stopped (%d claimed rows put back)", self.identity, released)

    async def _finish_deliveries(self) -> None:
        tasks = [d.task for d in self._deliveries if d.task is not None]
        if not tasks:
            return
        _, late = await asyncio.wait(tasks, timeout=self.config.stop_timeout)
        for task in late:
            task.cancel()
        if late:
            logger.warning(
                "outbox: %d sends did not finish in time; they will be retried", len(late)
            )
            await asyncio.wait(late)

    async def _release_orphans(self) -> None:
        claimants = await self.outbox.claimants()
        host, pid = self.identity.rsplit(":", 2)[0], os.getpid()
        orphans = orphaned_claimants(claimants, self.identity, host=host, pid=pid)
        if orphans:
            released = await self.outbox.release(orphans, self.clock.now())
            logger.info("outbox: %d rows claimed by dead senders put back", released)

    # a round

    async def _round(self) -> float:
        """Claim what can go now and start sending it; returns how long to sleep at most."""
        config = self.config
        now_mono = asyncio.get_running_loop().time()
        now = self.clock.now()
        self.pacer.forget_idle(now_mono)
        free = config.max_in_flight - len(self._deliveries)
        if self._failures:  # after network trouble: one probe at a time until one gets through
            free = 0 if self._deliveries else 1
        if free <= 0:
            return config.sweep_seconds  # a finishing send wakes the sender
        until = now_mono + config.horizon_seconds
        capacity = self.pacer.capacity(now_mono, until, free)
        if capacity == 0:
            return max(self.pacer.overall.earliest(now_mono) - now_mono, 0.001)
        busy = self.pacer.busy_chats(now_mono, until)
        rows = await self.outbox.claim(
            now,
            self.identity,
            capacity,
            lease=config.lease,
            exclude_chats=busy | self._chats_in_flight(),  # a finishing send wakes the sender
        )
        for row in rows:
            self._launch(row, self.pacer.reserve(row.chat_id, now_mono))
        if len(rows) == capacity:
            return 0.0
        return await self._idle_time(now, now_mono, busy)

    async def _idle_time(self, now: datetime, now_mono: float, busy: Collection[int]) -> float:
        """Until the next row is due, or a busy chat may receive again, or the sweep."""
        waits = [self.config.sweep_seconds]
        next_attempt = await self.outbox.next_attempt_after(now)
        if next_attempt is not None:
            waits.append((next_attempt - now).total_seconds())
        release = self.pacer.next_release(now_mono, busy)
        if release is not None:
            waits.append(release - now_mono)
        return max(min(waits), 0.001)

    def _chats_in_flight(self) -> set[int]:
        """Chats with a send of this sender under way: never claimed again meanwhile, even when
        the clock jumps past the lease (a manual clock, a suspended machine)."""
        return {delivery.row.chat_id for delivery in self._deliveries}

    def _launch(self, row: OutboxMessage, at: float) -> None:
        delivery = _Delivery(row, at)
        self._deliveries.add(delivery)
        delivery.task = asyncio.create_task(self._deliver(delivery), name=f"outbox-{row.id}")

    async def _deliver(self, delivery: _Delivery) -> None:
        try:
            delay = delivery.at - asyncio.get_running_loop().time()
            if delay > 0:
                await asyncio.sleep(delay)
            delivery.started = True
            await self._attempt(delivery.row)
        except asyncio.CancelledError:
            if delivery.started:
                raise  # stop() gave up on it; the row is released as not sent
        except Exception:
            logger.exception("outbox: recording the outcome of row %d failed", delivery.row.id)
        finally:
            self._deliveries.discard(delivery)
            self.wake()

    # one send and its outcome

    async def _attempt(self, row: OutboxMessage) -> None:
        try:
            message = await self._send(row)
        except RetryAfter as error:
            await self._flood_wait(row, retry_after_seconds(error))
        except ChatMigrated as error:
            await self._follow_migration(row, error.new_chat_id)
        except Forbidden as error:
            logger.info("outbox: row %d: chat %d refused the bot", row.id, row.chat_id)
            await self.outbox.mark_unreachable(
                row.id, self.identity, self._reason("403", error), self.clock.now()
            )
            await self._tell_lost_chat(row, 403, error.message)
        except BadRequest as error:  # before NetworkError: PTB derives it from NetworkError
            logger.warning("outbox: row %d to chat %d refused: %s", row.id, row.chat_id, error)
            await self.outbox.mark_failed(
                row.id, self.identity, self._reason("400", error), self.clock.now()
            )
            await self._report_failed(row, self._reason("400", error))
            await self._tell_lost_chat(row, 400, error.message)
        except (NetworkError, TelegramError) as error:
            await self._network_trouble(row, error)
        except Exception as error:
            await self._unexpected(row, error)
        else:
            self._failures = 0
            await self.outbox.mark_sent(row.id, message.message_id, self.clock.now())
            logger.debug("outbox: row %d sent to chat %d", row.id, row.chat_id)

    async def _send(self, row: OutboxMessage) -> Message:
        payload = row.payload
        options: dict[str, Any] = {
            "chat_id": row.chat_id,
            "message_thread_id": row.message_thread_id,
            "reply_markup": (
                InlineKeyboardMarkup.de_json(payload.reply_markup, self.bot)
                if payload.reply_markup
                else None
            ),
        }
        if self.config.read_timeout is not None:
            options["read_timeout"] = self.config.read_timeout
        if payload.album:
            return await self._send_album(payload.album, payload.text, options)
        document = payload.document
        if document is not None:
            upload = InputFile(document.content, filename=document.filename)
            return await self.bot.send_document(
                document=upload, caption=payload.text or None, **options
            )
        return await self.bot.send_message(text=payload.text, **options)

    async def _send_album(
        self, photos: Sequence[str], caption: str, options: dict[str, Any]
    ) -> Message:
        """One photo, or an album of them (the first message stands for the row)."""
        options.pop("reply_markup", None)
        if len(photos) == 1:
            return await self.bot.send_photo(photo=photos[0], caption=caption or None, **options)
        media = [InputMediaPhoto(photo) for photo in photos]
        sent = await self.bot.send_media_group(media=media, caption=caption or None, **options)
        return sent[0]

    async def _flood_wait(self, row: OutboxMessage, seconds: float) -> None:
        """429: this chat waits ``retry_after``; the row goes again then."""
        logger.info("outbox: row %d to chat %d: 429, waiting %g s", row.id, row.chat_id, seconds)
        self.pacer.hold_chat(row.chat_id, asyncio.get_running_loop().time() + seconds)
        now = self.clock.now()
        reason = f"429: retry after {seconds:g} s"
        await self.outbox.reschedule(
            row.id, self.identity, now + timedelta(seconds=seconds), reason, now
        )

    async def _follow_migration(self, row: OutboxMessage, new_chat_id: int) -> None:
        """The group is now a supergroup: move the chat and its pending rows, then resend."""
        now = self.clock.now()
        await self.repos.chats.migrate(row.chat_id, new_chat_id, now)
        moved = await self.outbox.retarget(row.chat_id, new_chat_id, now)
        logger.info(
            "outbox: chat %d became %d; %d pending rows follow", row.chat_id, new_chat_id, moved
        )
        reason = f"chat migrated to {new_chat_id}"
        await self.outbox.reschedule(row.id, self.identity, now, reason, now)

    async def _network_trouble(self, row: OutboxMessage, error: TelegramError) -> None:
        """Time-out or network error: retry the row later and pause the whole sender."""
        config = self.config
        now = self.clock.now()
        wait = backoff(
            row.attempts + 1, base=config.backoff_base_seconds, cap=config.backoff_cap_seconds
        )
        reason = self._reason(type(error).__name__, error)
        await self.outbox.reschedule(
            row.id, self.identity, now + timedelta(seconds=wait), reason, now
        )
        loop_now = asyncio.get_running_loop().time()
        if loop_now < self._paused_until:
            return  # the same outage: already paused
        self._failures += 1
        pause = backoff(
            self._failures, base=config.backoff_base_seconds, cap=config.backoff_cap_seconds
        )
        self._paused_until = loop_now + pause
        self.pacer.hold_all(self._paused_until)
        logger.warning("outbox: %s; pausing %g s (row %d retried later)", reason, pause, row.id)

    async def _unexpected(self, row: OutboxMessage, error: Exception) -> None:
        """Not Telegram's answer (a bad payload, the bot shut down under us): a few more tries."""
        logger.exception("outbox: row %d could not be sent", row.id)
        now = self.clock.now()
        reason = self._scrub(f"{type(error).__name__}: {error}")
        if row.attempts + 1 >= UNEXPECTED_ERROR_ATTEMPTS:
            await self.outbox.mark_failed(row.id, self.identity, reason, now)
            await self._report_failed(row, reason)
            return
        wait = backoff(row.attempts + 1, base=self.config.backoff_base_seconds, cap=60.0)
        at = now + timedelta(seconds=wait)
        await self.outbox.reschedule(row.id, self.identity, at, reason, now)

    async def _tell_lost_chat(self, row: OutboxMessage, status: int, reason: str) -> None:
        """A group or channel refused the bot: a notice to each secretariat member, once.

        The dedupe key names the last row that reached the chat, so every failure until a
        message gets through again is the same notice, queued once.
        """
        notices = self.lost_chats
        if notices is None or not lost_chat(row.chat_id, status, reason):
            return
        since = await self.outbox.last_sent_id(row.chat_id)
        chat = await self.repos.chats.get(row.chat_id)
        title = chat.title if chat is not None and chat.title else str(row.chat_id)
        now = self.clock.now()
        messages = []
        for telegram_id in sorted(notices.secretariat_ids):
            person = await self.repos.people.by_telegram_id(telegram_id)
            if person is None or person.started_at is None or not person.reachable:
                continue
            tr = notices.i18n.for_person(person.language, person.telegram_language)
            text = tr(LOST_CHAT_NOTICE, chat=title, id=row.chat_id, reason=self._scrub(reason))
            messages.append(
                OutgoingMessage(
                    kind="notice",
                    chat_id=telegram_id,
                    person_id=person.id,
                    payload=OutboxPayload(text=text),
                    dedupe_key=f"lost-chat:{row.chat_id}:{since}:{telegram_id}",
                    due_at=now,
                )
            )
        if await self.outbox.enqueue(messages, now):
            logger.warning("outbox: chat %d refuses the bot; secretariat told", row.chat_id)
            self.wake()

    def _reason(self, code: str, error: TelegramError) -> str:
        return self._scrub(f"{code}: {error.message}")

    def _scrub(self, text: str) -> str:
        """Never store or log the token (some transport errors quote the URL)."""
        return text.replace(self.bot.token, "<token>") if self.bot.token else text
