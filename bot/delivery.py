"""The outbox sender: delivers every queued message on time, within Telegram's limits.

Features queue rows (``storage/outbox.py``, one per recipient) with :func:`enqueue`, which also
wakes the sender. The :class:`Sender` is one long-running task that claims the rows that are
due, paces them with ``bot.ratelimits`` (overall, per private chat, per group), sends up to
``max_in_flight`` at once across chats — one at a time within a chat — and records each outcome
(docs/developers.md, "The outbox"):

* sent: the Telegram message id is kept;
* 429: the chat waits ``retry_after`` and the row is retried then;
* time-out or network error: retried with doubling back-off (capped), the whole sender pauses
  and then probes with one message until one gets through;
* 403: unreachable (the person too, in a private chat); 400: failed, with Telegram's reason;
* the group became a supergroup: the chat and every pending row move to the new id, resent;
* anything else (a bad payload, the bot shut down under it): retried a few times, then failed.

The database is the source of truth: the sender wakes when told, at the next due time, and on a
periodic sweep. Stopping finishes the sends in flight and puts claimed-but-unsent rows back.
After a crash, rows claimed by a process that no longer exists on this host are released at
start; claims of other hosts come back after the lease. Only a message in flight at the crash
can go twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import socket
import sqlite3
import warnings
import weakref
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from telegram import Bot, InlineKeyboardMarkup, InputFile, InputMediaPhoto, Message
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
)
from telegram.ext import Application
from telegram.warnings import PTBDeprecationWarning

from bot.clock import Clock, SystemClock
from bot.context import Services, WnmrcApplication
from bot.i18n import N_, I18n
from bot.ops import OpsReporter, describe, reporter_of
from bot.ratelimits import Pacer, RateLimits, backoff
from config import Settings
from storage import Database, Repositories
from storage.outbox import (
    OUTBOX_KINDS,
    OUTBOX_STATUSES,
    OutboxMessage,
    OutboxPayload,
    OutboxRepository,
    OutboxSummary,
    OutgoingMessage,
)

logger = logging.getLogger(__name__)

UNEXPECTED_ERROR_ATTEMPTS: Final = 5
"""A row whose sending raises something other than Telegram's answer fails after this many."""


@dataclass(frozen=True)
class DeliveryConfig:
    """How the sender works; the defaults suit the real Telegram."""

    limits: RateLimits = field(default_factory=RateLimits)
    max_in_flight: int = 16
    """Rows claimed and not finished at once (across chats; a chat has one at a time)."""
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


def sender_identity(host: str | None = None, pid: int | None = None) -> str:
    """``host:pid:random`` — names this process's claims, so a restart can tell they are dead."""
    host = host or socket.gethostname()
    pid = pid if pid is not None else os.getpid()
    return f"{host}:{pid}:{secrets.token_hex(4)}"


def pid_alive(pid: int) -> bool:
    """True when a process with this id exists on this host."""
    if pid <= 0:
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def orphaned_claimants(
    claimants: Iterable[str],
    own: str,
    *,
    host: str,
    pid: int,
    alive: Callable[[int], bool] = pid_alive,
) -> list[str]:
    """The claimants that were processes of this host which no longer run.

    A claimant with this process's own pid but another identity was an earlier process whose
    pid was reused by this one. Claimants of other hosts are left to the lease.
    """
    orphans = []
    for claimant in claimants:
        parts = claimant.rsplit(":", 2)
        if claimant == own or len(parts) != 3 or parts[0] != host or not parts[1].isdigit():
            continue
        claimant_pid = int(parts[1])
        if claimant_pid == pid or not alive(claimant_pid):
            orphans.append(claimant)
    return orphans


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


class Sender:
    """Sends the outbox: start once the database is open, stop before it closes."""

    def __init__(
        self,
        bot: Bot,
        repos: Repositories,
        clock: Clock | None = None,
        config: DeliveryConfig | None = None,
        *,
        identity: str | None = None,
        lost_chats: LostChatNotices | None = None,
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
        self._wakeup = asyncio.Event()
        self._deliveries: set[_Delivery] = set()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self._failures = 0
        self._paused_until = 0.0

    def __repr__(self) -> str:
        return f"<Sender {self.identity}>"

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    def wake(self) -> None:
        """Look at the database now (something was enqueued)."""
        self._wakeup.set()

    async def start(self) -> None:
        """Release the claims of dead processes of this host, then run until :meth:`stop`."""
        if self._task is not None:
            return
        self._stopping = False
        await self._release_orphans()
        self._task = asyncio.create_task(self._run(), name="outbox-sender")
        self._task.add_done_callback(self._report_stop)
        logger.info("outbox sender %s started", self.identity)

    async def stop(self) -> None:
        """Finish the sends in flight; claimed rows not yet sent go back to the queue."""
        if self._task is None:
            return
        self._stopping = True
        self._wakeup.set()
        await asyncio.wait([self._task])  # never raises, even for a task that died
        self._task = None
        waiting = [d for d in self._deliveries if not d.started]
        for delivery in waiting:
            if delivery.task is not None:
                delivery.task.cancel()
        await self._finish_deliveries()
        released = await self.outbox.release([self.identity], self.clock.now())
        logger.info("outbox sender %s stopped (%d claimed rows put back)", self.identity, released)

    def _report_stop(self, task: asyncio.Task[None]) -> None:
        """Tell the operators when the sender ends without being asked to."""
        if self.ops is None or self._stopping:
            return
        why = "cancelled" if task.cancelled() else describe(task.exception() or RuntimeError())
        self.ops.report_soon("outbox sender stopped", f"{self.identity}: {why}")

    async def _report_failed(self, row: OutboxMessage, reason: str) -> None:
        if self.ops is not None:
            where = f"row {row.id} ({row.kind}) to chat {row.chat_id}"
            await self.ops.report("outbox message failed", f"{where}: {reason}")

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

    # the loop

    async def _run(self) -> None:
        while not self._stopping:
            self._wakeup.clear()
            try:
                pause = await self._round()
            except Exception as error:
                logger.exception("outbox round failed; trying again shortly")
                if self.ops is not None:
                    await self.ops.report("outbox sender error", describe(error))
                pause = min(self.config.sweep_seconds, 5.0)
            if pause > 0 and not self._stopping:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wakeup.wait(), pause)

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
            return config.sweep_seconds  # a finishing send wakes the loop
        until = now_mono + config.horizon_seconds
        capacity = self.pacer.capacity(now_mono, until, free)
        if capacity == 0:
            return max(self.pacer.overall.earliest(now_mono) - now_mono, 0.001)
        busy = self.pacer.busy_chats(now_mono, until)
        rows = await self.outbox.claim(
            now, self.identity, capacity, lease=config.lease, exclude_chats=busy
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
            self._wakeup.set()

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


# The running application's sender (wired in bot/app.py: post_init, post_stop, post_shutdown).

_SENDERS: Final[weakref.WeakKeyDictionary[Application[Any, Any, Any, Any, Any, Any], Sender]] = (
    weakref.WeakKeyDictionary()
)


def _services(application: Application[Any, Any, Any, Any, Any, Any]) -> Services:
    if not isinstance(application, WnmrcApplication):
        raise TypeError("the outbox needs the WnmrcApplication built by bot/app.py")
    return application.services


async def start_delivery(
    application: Application[Any, Any, Any, Any, Any, Any], config: DeliveryConfig | None = None
) -> Sender:
    """Start the application's sender (after the database is open). Idempotent."""
    sender = _SENDERS.get(application)
    if sender is None:
        services = _services(application)
        notices = LostChatNotices(services.settings.secretariat_ids, services.i18n)
        sender = Sender(
            application.bot,
            services.repos,
            services.clock,
            config,
            lost_chats=notices,
            ops=reporter_of(application),
        )
        _SENDERS[application] = sender
    await sender.start()
    return sender


async def stop_delivery(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Stop the application's sender (before the database closes). Safe to call twice."""
    sender = _SENDERS.pop(application, None)
    if sender is not None:
        await sender.stop()


def sender_of(application: Application[Any, Any, Any, Any, Any, Any]) -> Sender | None:
    return _SENDERS.get(application)


def wake(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Tell the sender to look at the outbox now (no-op when it is not running)."""
    sender = _SENDERS.get(application)
    if sender is not None:
        sender.wake()


async def enqueue(
    application: Application[Any, Any, Any, Any, Any, Any], messages: Iterable[OutgoingMessage]
) -> int:
    """Queue messages and wake the sender; returns how many were new (see OutboxRepository)."""
    services = _services(application)
    added = await services.repos.outbox.enqueue(messages, services.clock.now())
    if added:
        wake(application)
    return added


# The operator's report (``wnmrc-bot outbox``), in English.


async def outbox_report(settings: Settings) -> str:
    """Counts per kind and status, the next due time and the latest errors, as plain text."""
    db = await Database.open(settings.database_path)
    try:
        summary = await OutboxRepository(db).summary(errors=5)
    except sqlite3.OperationalError as error:
        if "no such table" not in str(error):
            raise
        return f"{settings.database_path}: no outbox yet (run `wnmrc-bot migrate`)"
    finally:
        await db.close()
    return render_report(summary, str(settings.database_path))


def render_report(summary: OutboxSummary, where: str) -> str:
    """The summary as an aligned plain-text table."""
    lines = [f"Outbox of {where}"]
    header = f"{'kind':<14}" + "".join(f"{status:>13}" for status in OUTBOX_STATUSES)
    lines.append(header)
    for kind in OUTBOX_KINDS:
        counts = summary.counts.get(kind, {})
        cells = "".join(f"{counts.get(status, 0):>13}" for status in OUTBOX_STATUSES)
        lines.append(f"{kind:<14}{cells}")
    totals = "".join(f"{summary.count(status=status):>13}" for status in OUTBOX_STATUSES)
    lines.append(f"{'total':<14}{totals}")
    due = summary.next_due
    lines.append(f"next queued message due: {_utc(due) if due else 'none'}")
    if not summary.latest_errors:
        lines.append("latest errors: none")
        return "\n".join(lines)
    lines.append("latest errors:")
    for error in summary.latest_errors:
        lines.append(
            f"  #{error.id} {error.kind} to chat {error.chat_id}, {error.status}, "
            f"{_utc(error.at)}: {error.error}"
        )
    return "\n".join(lines)


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
