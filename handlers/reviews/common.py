"""What the review, selection and browsing handlers share: replying in parts, editing."""

from __future__ import annotations

from telegram import CallbackQuery, InlineKeyboardMarkup, Update
from telegram.error import BadRequest

from bot import reviews as rules
from bot.rendering import Html


async def reply(update: Update, text: str) -> None:
    """Answer in the chat, in as many messages as Telegram's limit needs."""
    message = update.effective_message
    if message is None:
        return
    for part in rules.card_parts(Html(text)):
        await message.reply_text(part)


async def edit(query: CallbackQuery, text: str, markup: InlineKeyboardMarkup | None) -> None:
    """Edit the tapped message (the same text again is no error)."""
    try:
        await query.edit_message_text(text, reply_markup=markup)
    except BadRequest as error:
        if "not modified" not in error.message.lower():
            raise
