"""Meeting reminders as due work of the one runtime (``bot/runtime.py``).

The database is the source of truth (docs/developers.md, "Scheduled work"): every reminder is
a row of ``meeting_reminders``. The runtime asks :meth:`Reminders.next_due` when the next
pending row falls due and calls :meth:`Reminders.run_due` then (and at every sweep, and first
at start-up, so what fell due while the bot was down is served). Overdue reminders follow
:func:`bot.meetings.rules.reminder_fates`: sent (late) while the meeting has not started, else
missed. Each reminder is one unit of work: its outbox rows (one per chat, dedupe key
``reminder:<occurrence>:<start>:<offset>:<chat>``, expiring at the start) and its new status
commit together, so a crash queues nothing twice and loses nothing.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Final

from bot.meetings.outgoing import Outgoing
from bot.meetings.recurrence import materialise_until, occurrences
from bot.meetings.rules import Fate, PendingReminder, reminder_fates
from storage import Repositories
from storage.meetings import DueReminder, ReminderStatus
from storage.outbox import OutgoingMessage

logger = logging.getLogger(__name__)

MATERIALISE_EVERY: Final = timedelta(hours=1)


class Reminders:
    """The meetings' due work: materialise recurring occurrences, serve due reminders."""

    name = "meeting-reminders"

    def __init__(
        self, repos: Repositories, outgoing: Outgoing, on_enqueued: Callable[[], None]
    ) -> None:
        self.repos = repos
        self.outgoing = outgoing
        self.on_enqueued = on_enqueued
        """Called after reminders were queued (wakes the outbox sender)."""
        self._lock = asyncio.Lock()
        self._materialised_at: datetime | None = None

    async def next_due(self, now: datetime) -> datetime | None:
        return await self.repos.meetings.next_reminder_due()

    async def run_due(self, now: datetime) -> None:
        await self.serve(now)

    async def serve(self, now: datetime) -> int:
        """Serve every due reminder once; returns how many were queued (sent or late)."""
        async with self._lock:
            await self._materialise(now)
            due = await self.repos.meetings.due_reminders(now)
            pending = [
                PendingReminder(r.id, r.occurrence_id, r.offset_minutes, r.due_at, r.starts_at)
                for r in due
            ]
            fates = reminder_fates(pending, now)
            queued = 0
            for reminder in due:
                try:
                    queued += await self._serve_one(reminder, fates.get(reminder.id, "wait"), now)
                except Exception:
                    logger.exception("reminder %d failed; retried at the next round", reminder.id)
            return queued

    async def _serve_one(self, reminder: DueReminder, fate: Fate, now: datetime) -> int:
        """One reminder's round in one unit of work: its messages and its fate, or neither."""
        if fate == "wait":
            return 0
        if fate == "missed":
            await self.repos.meetings.mark_reminder(reminder.id, "missed", now)
            logger.info("reminder %d missed (the meeting had started)", reminder.id)
            return 0
        messages = await self._messages(reminder, now)
        async with self.repos.unit() as uow:
            if not await uow.meetings.mark_reminder(reminder.id, fate_status(fate), now):
                return 0  # served meanwhile (another round): nothing twice
            added = await uow.outbox.enqueue(messages, now)
        if added:
            self.on_enqueued()
        return 1

    async def _messages(self, reminder: DueReminder, now: datetime) -> list[OutgoingMessage]:
        """The reminder's messages (none for a cancelled meeting or occurrence)."""
        meeting = await self.repos.meetings.get(reminder.meeting_id)
        occurrence = await self.repos.meetings.occurrence(reminder.occurrence_id)
        if meeting is None or occurrence is None or meeting.cancelled:
            return []
        if occurrence.status == "cancelled":
            return []
        return await self.outgoing.reminders(reminder, meeting, occurrence, now)

    async def _materialise(self, now: datetime) -> None:
        """Keep the occurrences of recurring meetings as rows some weeks ahead."""
        if self._materialised_at is not None and now - self._materialised_at < MATERIALISE_EVERY:
            return
        self._materialised_at = now
        for meeting in await self.repos.meetings.recurring():
            until = materialise_until(now, meeting.reminder_offsets)
            zone = self.outgoing.zone_of(meeting)
            starts = occurrences(meeting.local_start, zone, meeting.rrule, now, until)
            await self.repos.meetings.add_occurrences(meeting, starts, now)


def fate_status(fate: Fate) -> ReminderStatus:
    """The status a served reminder is recorded with."""
    return "late" if fate == "late" else "sent"
