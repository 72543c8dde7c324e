"""What the review, selection and browsing handlers share: replying in parts, editing."""

from __future__ import annotations

from telegram import CallbackQuery, InlineKeyboardMarkup, Update

from bot import reviews as rules
from bot.rendering import Html
from handlers.replies import answer, edit_tapped


async def reply(update: Update, text: str) -> None:
    """Answer in the chat, in as many messages as Telegram's limit needs."""
    message = update.effective_message
    if message is None:
        return
    for part in rules.card_parts(Html(text)):
        await answer(message, part)


async def edit(query: CallbackQuery, text: str, markup: InlineKeyboardMarkup | None) -> None:
    """Edit the tapped message (the same text again is no error)."""
    await edit_tapped(query, text, markup)
