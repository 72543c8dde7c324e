"""The one answer to a flood: a chat sending faster than the bot may answer hears it once.

The update processor (``bot/processing.py``) drops a chat's updates beyond what it may hold in
hand; for the first one dropped it calls :func:`slow_down`, which tells the person in their
language without waiting for the chat's turn.
"""

from __future__ import annotations

import logging

from telegram.error import TelegramError

from bot.context import WnmrcApplication
from bot.i18n import N_
from bot.processing import Flooding

logger = logging.getLogger(__name__)

SLOW_DOWN = N_(
    "You are sending messages faster than I can answer. I will answer the first ones; "
    "please wait for my answers before you write again."
)


def slow_down(application: WnmrcApplication, notice: Flooding) -> None:
    """Tell the chat, once, to slow down (in the background: intake never waits for it)."""
    application.create_task(_send(application, notice))


async def _send(application: WnmrcApplication, notice: Flooding) -> None:
    services = application.services
    user_id = notice.user_id
    person = await services.presence.person(user_id) if user_id else None
    tr = services.i18n.for_person(person.language if person else None, notice.language_code)
    try:
        await application.bot.send_message(notice.chat_id, tr(SLOW_DOWN))
    except TelegramError as error:
        logger.warning("could not ask chat %s to slow down: %s", notice.chat_id, error)
