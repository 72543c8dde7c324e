"""The one answer to a flood: a chat sending faster than the bot may answer hears it once.

The update processor (``bot/processing.py``) drops a chat's updates beyond what it may hold in
hand; for the first one dropped it calls :func:`slow_down`, which tells the person in their
language without waiting for the chat's turn.
"""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import TelegramError

from bot.context import WnmrcApplication
from bot.i18n import N_

logger = logging.getLogger(__name__)

SLOW_DOWN = N_(
    "You are sending messages faster than I can answer. I will answer the first ones; "
    "please wait for my answers before you write again."
)


def slow_down(application: WnmrcApplication, update: Update) -> None:
    """Tell the chat, once, to slow down (in the background: intake never waits for it)."""
    if update.effective_chat is not None:
        application.create_task(_send(application, update, update.effective_chat.id))


async def _send(application: WnmrcApplication, update: Update, chat_id: int) -> None:
    services = application.services
    user = update.effective_user
    person = await services.repos.people.by_telegram_id(user.id) if user else None
    tr = services.i18n.for_person(
        person.language if person else None, user.language_code if user else None
    )
    try:
        await application.bot.send_message(chat_id, tr(SLOW_DOWN))
    except TelegramError as error:
        logger.warning("could not ask chat %s to slow down: %s", chat_id, error)
