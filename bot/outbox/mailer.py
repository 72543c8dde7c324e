"""The e-mail sender: delivers the outbox's e-mail rows through the configured SMTP server.

Due work of the one runtime, beside the Telegram sender (docs/developers.md, "E-mail, the
second channel"). It claims one e-mail row at a time (each person's oldest first), composes it
in the person's language for the address they have now (``bot/outbox/email.py``), hands it to
the server with aiosmtplib, paced at ``WNMRC_MAIL_RATE_PER_MINUTE``, and records the outcome:

* accepted (2xx): sent, with its Message-ID;
* 4xx, a time-out, a refused or dropped connection, an authentication failure: retried with
  doubling back-off;
* 5xx (a permanent refusal): failed, with the server's reason;
* the person has no usable address any more: failed.

One row is in flight at a time, so a kill -9 can send at most that one twice: its claim is
taken back at the next start (a dead process of this host) or after the lease.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Final

import aiosmtplib

from bot.clock import Clock
from bot.i18n import I18n
from bot.ops import OpsReporter
from bot.outbox.claims import orphaned_claimants, sender_identity
from bot.outbox.email import AnswerLinks, MailIdentity, Recipient, compose
from bot.outbox.pacing import backoff
from bot.outbox.sender import Waker
from config.mail import SmtpServer
from storage import Repositories
from storage.outbox import OutboxMessage

logger = logging.getLogger(__name__)

NO_ADDRESS: Final = "no verified e-mail address"
UNEXPECTED_ATTEMPTS: Final = 5


@dataclass(frozen=True)
class MailConfig:
    """How the e-mail sender works; tests shorten the waits."""

    rate_per_minute: int = 60
    timeout: float = 30.0
    lease: timedelta = timedelta(seconds=60)
    backoff_base_seconds: float = 60.0
    backoff_cap_seconds: float = 3600.0


class TemporaryMailError(Exception):
    """The server or the network said: not now (4xx, time-out, connection refused)."""


class PermanentMailError(Exception):
    """The server refused the e-mail for good (5xx)."""


def smtp_outcome(error: Exception) -> Exception:
    """An aiosmtplib error as a temporary or permanent failure, in one line."""
    if isinstance(error, aiosmtplib.SMTPRecipientsRefused) and error.recipients:
        error = error.recipients[0]
    if isinstance(error, aiosmtplib.SMTPAuthenticationError):
        return TemporaryMailError(f"{error.code}: authentication refused (check WNMRC_SMTP_URL)")
    if isinstance(error, aiosmtplib.SMTPResponseException) and error.code >= 100:
        reason = f"{error.code}: {' '.join(error.message.split())}"
        return PermanentMailError(reason) if error.code >= 500 else TemporaryMailError(reason)
    return TemporaryMailError(f"{type(error).__name__}: {error}")


class Mailer:
    """Sends the e-mail rows of the outbox (nothing when no SMTP server is configured)."""

    name = "email-outbox"

    def __init__(
        self,
        repos: Repositories,
        clock: Clock,
        i18n: I18n,
        server: SmtpServer | None,
        identity: MailIdentity,
        config: MailConfig,
        *,
        runtime: Waker | None = None,
        ops: OpsReporter | None = None,
        answer_link: AnswerLinks | None = None,
        unsubscribe_link: Callable[[str], str] | None = None,
    ) -> None:
        self.repos = repos
        self.clock = clock
        self.i18n = i18n
        self.server = server
        self.identity = identity
        self.config = config
        self.runtime = runtime
        self.ops = ops
        self.answer_link = answer_link
        self.unsubscribe_link = unsubscribe_link
        self.sender = sender_identity()
        self._task: asyncio.Task[None] | None = None
        self._begun = False
        self._next_send = 0.0

    async def next_due(self, now: datetime) -> datetime | None:
        if self.server is None or self._draining:
            return None
        if not self._begun:
            return now
        return await self.repos.outbox.next_email_attempt()

    @property
    def _draining(self) -> bool:
        return self._task is not None and not self._task.done()

    async def run_due(self, now: datetime) -> None:
        if self.server is None or self._draining:
            return
        if not self._begun:
            await self._release_orphans()
            self._begun = True
        self._task = asyncio.create_task(self._drain(), name="email-outbox")

    async def idle(self) -> None:
        """Wait until the sends started by the last round are done (tests, the sandbox)."""
        task = self._task
        if task is not None:
            await asyncio.shield(task)

    async def stop(self) -> None:
        """Stop sending; a claimed row not yet handed over goes back to the queue."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self._begun:
            await self.repos.outbox.release([self.sender], self.clock.now())
            self._begun = False

    async def _release_orphans(self) -> None:
        claimants = await self.repos.outbox.claimants()
        host = self.sender.rsplit(":", 2)[0]
        orphans = orphaned_claimants(claimants, self.sender, host=host, pid=os.getpid())
        if orphans:
            released = await self.repos.outbox.release(orphans, self.clock.now())
            logger.info("email: %d rows claimed by dead senders put back", released)

    async def _drain(self) -> None:
        """Send every ready e-mail row, one at a time, at the configured rate."""
        loop = asyncio.get_running_loop()
        interval = 60.0 / self.config.rate_per_minute
        try:
            while True:
                wait = self._next_send - loop.time()
                if wait > 0:
                    await asyncio.sleep(wait)
                now = self.clock.now()
                rows = await self.repos.outbox.claim_email(
                    now, self.sender, 1, lease=self.config.lease
                )
                if not rows:
                    return
                self._next_send = loop.time() + interval
                try:
                    await self._attempt(rows[0])
                except Exception as error:
                    await self._unexpected(rows[0], error)
        except asyncio.CancelledError:
            raise
        except Exception:
            logger.exception("email: a round failed; trying again at the next wake-up")
        finally:
            if self.runtime is not None:
                self.runtime.wake()

    async def _attempt(self, row: OutboxMessage) -> None:
        outbox = self.repos.outbox
        recipient = await self._recipient(row)
        if recipient is None:
            await outbox.mark_failed(row.id, self.sender, NO_ADDRESS, self.clock.now())
            return
        person = await self.repos.people.get(recipient.person_id)
        tr = self.i18n.for_person(
            person.language if person else None, person.telegram_language if person else None
        )
        message = compose(
            row,
            recipient,
            tr,
            self.identity,
            self.clock.now(),
            answer_link=self.answer_link,
            unsubscribe_link=self.unsubscribe_link,
        )
        try:
            await self._hand_over(message, recipient.address)
        except PermanentMailError as failure:
            reason = self._scrub(str(failure), recipient.address)
            logger.warning("email: row %d refused for good: %s", row.id, reason)
            await outbox.mark_failed(row.id, self.sender, reason, self.clock.now())
            if self.ops is not None:
                await self.ops.report("e-mail refused", f"row {row.id} ({row.kind}): {reason}")
        except TemporaryMailError as failure:
            await self._retry_later(row, self._scrub(str(failure), recipient.address))
        else:
            await outbox.mark_emailed(row.id, str(message["Message-ID"]), self.clock.now())
            logger.debug("email: row %d sent", row.id)

    async def _hand_over(self, message: EmailMessage, address: str) -> None:
        server = self.server
        assert server is not None
        try:
            await aiosmtplib.send(
                message,
                sender=self.identity.address,
                recipients=[address],
                hostname=server.host,
                port=server.port,
                username=server.username,
                password=server.password,
                use_tls=server.security == "tls",
                start_tls=server.security == "starttls",
                timeout=self.config.timeout,
            )
        except aiosmtplib.SMTPException as error:
            raise smtp_outcome(error) from None
        except (OSError, TimeoutError) as error:
            raise TemporaryMailError(f"{type(error).__name__}: {error}") from None

    async def _unexpected(self, row: OutboxMessage, error: Exception) -> None:
        """Not the server's answer (a payload that cannot be composed): a few more tries."""
        logger.exception("email: row %d could not be sent", row.id)
        reason = f"{type(error).__name__}"
        if row.attempts + 1 >= UNEXPECTED_ATTEMPTS:
            await self.repos.outbox.mark_failed(row.id, self.sender, reason, self.clock.now())
            return
        await self._retry_later(row, reason)

    async def _retry_later(self, row: OutboxMessage, reason: str) -> None:
        config = self.config
        wait = backoff(
            row.attempts + 1, base=config.backoff_base_seconds, cap=config.backoff_cap_seconds
        )
        now = self.clock.now()
        logger.info("email: row %d not sent (%s); again in %g s", row.id, reason, wait)
        at = now + timedelta(seconds=wait)
        await self.repos.outbox.reschedule(row.id, self.sender, at, reason, now)

    async def _recipient(self, row: OutboxMessage) -> Recipient | None:
        """The person's name, the address it goes to now and their unsubscribe token."""
        if row.person_id is None:
            return None
        person = await self.repos.people.get(row.person_id)
        state = await self.repos.channels.state(row.person_id)
        if state is None or person is None:
            return None
        address = row.payload.email_to or (state.email if state.email_verified else None)
        if not address:
            return None
        token = state.unsubscribe_token
        if token is None:
            await self.repos.channels.ensure(
                row.person_id, secrets.token_urlsafe(16), self.clock.now()
            )
            state = await self.repos.channels.state(row.person_id)
            token = state.unsubscribe_token if state is not None else None
        if token is None:
            return None
        return Recipient(row.person_id, person.name, address, token)

    def _scrub(self, reason: str, address: str) -> str:
        """Never store or log the password or the person's address."""
        server = self.server
        if server is not None and server.password:
            reason = reason.replace(server.password, "<redacted>")
        return reason.replace(address, "<address>")
