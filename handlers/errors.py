"""The error handler: log what failed (never the token) and tell the person, in their language."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import TelegramError

from bot.context import BotContext
from bot.ops import describe, reporter_of
from handlers.presence import language_of

logger = logging.getLogger(__name__)


async def on_error(update: object, context: BotContext) -> None:
    update_id = update.update_id if isinstance(update, Update) else None
    chat = update.effective_chat if isinstance(update, Update) else None
    logger.error(
        "update %s in chat %s failed: %r",
        update_id,
        chat.id if chat else None,
        context.error,
        exc_info=context.error,
    )
    if context.error is not None:
        await reporter_of(context.application).report(
            f"update failed ({type(context.error).__name__})",
            f"update {update_id} in chat {chat.id if chat else None}: {describe(context.error)}",
        )
    if chat is None:
        return
    context.language = await language_of(context, update)
    try:
        await context.bot.send_message(
            chat.id,
            context.tr(
                "Sorry, something went wrong on my side. "
                "Please try again; if it happens again, tell the secretariat."
            ),
        )
    except TelegramError as error:
        logger.warning("could not tell chat %s about the failure: %s", chat.id, error)
