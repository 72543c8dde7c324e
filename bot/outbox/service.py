"""The outbox's use cases: queue messages inside a unit of work, prune, forget, summarise.

A feature queues the messages a change causes in the same unit of work as the change::

    async with repos.unit() as uow:
        await uow.experiences.submit(...)
        await services.outbox.enqueue(uow, messages)

Both commit together or not at all (a transactional outbox); the sender is woken once the unit
has committed, never before.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from bot.clock import Clock
from bot.outbox.rules import name_pattern, redact, searched_forms
from bot.outbox.sender import DeliveryConfig, Sender, Waker
from storage import Repositories
from storage.outbox import OutboxSummary, OutgoingMessage

logger = logging.getLogger(__name__)

PRUNE_BATCH: Final = 1000
"""Rows deleted per transaction while pruning, so other writers wait only briefly."""


class NotInUnitError(RuntimeError):
    """``enqueue`` was called outside a unit of work."""


@dataclass(frozen=True)
class Forgotten:
    """What :meth:`OutboxService.forget` did: rows to the person deleted, others rewritten."""

    deleted: int
    redacted: int


class OutboxService:
    """Queueing, retention and the report of the outbox; holds the application's sender."""

    def __init__(
        self,
        repos: Repositories,
        clock: Clock,
        runtime: Waker,
        *,
        delivery: DeliveryConfig | None = None,
        retention: timedelta = timedelta(days=90),
    ) -> None:
        self.repos = repos
        self.clock = clock
        self.runtime = runtime
        self.delivery = delivery or DeliveryConfig()
        self.retention = retention
        self._sender: Sender | None = None

    def attach_sender(self, sender: Sender) -> None:
        """The sender that delivers this outbox (built with the bot, see ``bot.outbox.work``)."""
        self._sender = sender

    def running_sender(self) -> Sender | None:
        """The sender, while it runs (between its first round and its stop)."""
        sender = self._sender
        return sender if sender is not None and sender.running else None

    def wake(self) -> None:
        """Tell the sender to look at the outbox now."""
        if self._sender is not None:
            self._sender.wake()
        else:
            self.runtime.wake()

    async def enqueue(self, uow: Repositories, messages: Iterable[OutgoingMessage]) -> int:
        """Queue messages in the caller's unit of work; the sender is woken once it commits.

        Returns how many were new (a message whose dedupe key is already stored is a no-op).
        """
        if not uow.in_unit:
            raise NotInUnitError("enqueue inside a unit: async with repos.unit() as uow")
        added = await uow.outbox.enqueue(messages, self.clock.now())
        if added:
            uow.after_commit(self.wake)
        return added

    async def send(self, messages: Iterable[OutgoingMessage]) -> int:
        """Queue messages in a unit of their own (or the running one) and wake the sender."""
        async with self.repos.unit() as uow:
            return await self.enqueue(uow, messages)

    async def summary(self, errors: int = 5) -> OutboxSummary:
        """Counts per kind and status, the latest errors, the next due time."""
        return await self.repos.outbox.summary(errors=errors)

    async def prune(self, now: datetime | None = None) -> int:
        """Delete the final rows (sent, unreachable, failed) older than the retention."""
        before = (now or self.clock.now()) - self.retention
        pruned = 0
        while True:
            async with self.repos.unit() as uow:
                deleted = await uow.outbox.prune(before, PRUNE_BATCH)
            pruned += deleted
            if deleted < PRUNE_BATCH:
                break
        if pruned:
            logger.info("outbox: %d rows older than %s pruned", pruned, self.retention)
        return pruned

    async def forget(self, person_id: int, name_variants: Sequence[str]) -> Forgotten:
        """/forgetme: the person's own messages go; their name leaves every other row held.

        ``name_variants`` are the forms the person's name took in texts (full name, first
        name and family name as shown, @username); each is matched as a whole word, as typed
        or HTML-escaped, outside markup. Runs in the caller's unit of work when there is one.
        """
        pattern = name_pattern(name_variants)
        async with self.repos.unit() as uow:
            deleted = await uow.outbox.delete_for_person(person_id)
            redacted = 0
            if pattern is not None:
                redacted = await self._redact(uow, pattern, name_variants)
        return Forgotten(deleted, redacted)

    async def _redact(
        self, uow: Repositories, pattern: re.Pattern[str], name_variants: Sequence[str]
    ) -> int:
        forms = {form for variant in name_variants for form in searched_forms(variant)}
        candidates = {row.id: row for form in forms for row in await uow.outbox.containing(form)}
        changed = 0
        for row in candidates.values():
            text = redact(row.payload.text, pattern)
            if text != row.payload.text:
                payload = row.payload.model_copy(update={"text": text})
                changed += await uow.outbox.replace_payload(row.id, payload)
        return changed
