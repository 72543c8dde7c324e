"""The digest schedules as due work of the one runtime (``bot/runtime.py``).

``next_due`` is the earliest ``next_due_at`` of any schedule; ``run_due`` serves every schedule
that is due, once (a digest missed during downtime goes out once, not once per missed period).
Registered in ``bot/app.py``'s ``DUE_WORK`` by :func:`digest_schedule`.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING

from telegram import Bot
from telegram.error import TelegramError

from bot.digests.service import ChatLookup, DigestsService

if TYPE_CHECKING:
    from bot.context import WnmrcApplication

logger = logging.getLogger(__name__)


class DueDigests:
    """Serves the digests that are due."""

    name = "digests"

    def __init__(self, digests: DigestsService) -> None:
        self.digests = digests

    async def next_due(self, now: datetime) -> datetime | None:
        return await self.digests.next_due_at()

    async def run_due(self, now: datetime) -> None:
        await self.digests.run_due(now)


def channel_lookup(bot: Bot) -> ChatLookup:
    """Finds a chat by its @username through the Bot API (warns once if it cannot)."""
    warned: set[str] = set()

    async def find(username: str) -> int | None:
        try:
            return (await bot.get_chat(username)).id
        except TelegramError as error:
            if username not in warned:
                logger.warning("network channel %s not found: %s", username, error.message)
                warned.add(username)
            return None

    return find


def digest_schedule(application: WnmrcApplication) -> DueDigests:
    """The application's digests as due work (and the channel found through its bot)."""
    digests = application.services.digests
    digests.find_chat = channel_lookup(application.bot)
    return DueDigests(digests)
