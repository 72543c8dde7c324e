"""How the meetings service reaches a running application: Telegram edits for the live
counts, the outbox sender to wake, and its reminders registered with the one runtime.

Imported by the composition root only (``bot/app.py``).
"""

from __future__ import annotations

import logging
from typing import Any

from telegram import Bot, InlineKeyboardMarkup
from telegram.error import BadRequest, RetryAfter, TelegramError

from bot.context import WnmrcApplication
from bot.outbox import Pacer, retry_after_seconds
from bot.runtime import DueWork

logger = logging.getLogger(__name__)


class TelegramEditor:
    """Edits announcements through the bot (a 429 answers how long to wait)."""

    def __init__(self, bot: Bot) -> None:
        self.bot = bot

    async def edit(
        self, chat_id: int, message_id: int, text: str, keyboard: dict[str, Any] | None
    ) -> float | None:
        markup = None if keyboard is None else InlineKeyboardMarkup.de_json(keyboard, None)
        try:
            await self.bot.edit_message_text(
                text, chat_id=chat_id, message_id=message_id, reply_markup=markup
            )
        except RetryAfter as error:
            return retry_after_seconds(error)
        except BadRequest as error:
            if "not modified" not in error.message.lower():
                logger.info("live counts: chat %d: %s", chat_id, error.message)
        except TelegramError as error:
            logger.info("live counts: chat %d: %s", chat_id, error.message)
        return None


def connect_meetings(application: WnmrcApplication) -> None:
    """Give the meetings service its ways out (in post_init, once the database is open)."""
    meetings = application.services.meetings
    meetings.live.connect(TelegramEditor(application.bot), lambda: _pacer(application))


def _pacer(application: WnmrcApplication) -> Pacer | None:
    sender = application.services.outbox.running_sender()
    return None if sender is None else sender.pacer


def meeting_reminders(application: WnmrcApplication) -> DueWork:
    """The meetings' due work (a ``DUE_WORK`` factory of ``bot/app.py``)."""
    return application.services.meetings.reminders


running_pacer = _pacer
"""The running outbox sender's pacer (other features' live counts share it)."""
