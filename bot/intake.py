"""How updates come in: the getUpdates request through the inbox (``bot/inbox.py``), the
per-chat update processor (``bot/processing.py``) that reports what it handled, and this
process's lease on the database (``bot/lease.py``), opened and closed together."""

from __future__ import annotations

from telegram import Update

from bot.context import WnmrcApplication
from bot.http import AiohttpRequest
from bot.inbox import Inbox, InboxRequest
from bot.lease import DatabaseLease
from bot.processing import ChatOrderedUpdateProcessor


class Intake:
    """How updates come in: the getUpdates request through the inbox, the per-chat update
    processor that reports what it handled, and this process's lease on the database."""

    def __init__(self) -> None:
        self.request = InboxRequest(AiohttpRequest(pool_size=1, read_timeout=30.0))
        self.processor = ChatOrderedUpdateProcessor()
        self.inbox: Inbox | None = None
        self.lease: DatabaseLease | None = None

    async def open(self, application: WnmrcApplication) -> None:
        """Take the lease (or refuse to start), then attach the inbox and queue the updates
        stored and never handled, so they are handled before any new one."""
        services = application.services
        self.lease = DatabaseLease(services.db, services.clock, application.stop_running)
        await self.lease.acquire()
        self.inbox = Inbox(services.db, services.clock, self.processor)
        self.processor.on_handled = lambda update: self._handled(update.update_id)
        for payload in await self.inbox.replay():
            update = Update.de_json(payload, application.bot)
            if update is not None:
                application.update_queue.put_nowait(update)
        self.request.attach(self.inbox)

    def _handled(self, update_id: int) -> None:
        if self.inbox is not None:
            self.inbox.handled(update_id)

    async def close(self) -> None:
        """Write the last marks and free the database (before it closes)."""
        self.request.attach(None)
        if self.inbox is not None:
            await self.inbox.flush()
            self.inbox = None
        if self.lease is not None:
            await self.lease.release()
            self.lease = None
