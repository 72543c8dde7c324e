"""Replies whose answer the handler does not read: the ``Message`` Telegram returns for them is
never parsed (``bot.http.answer_unused``), which is most of what a reply costs the bot's CPU.

Use :func:`answer` and :func:`edit` wherever the result of ``reply_text`` or ``edit_text``
would be thrown away (docs/developers.md, "Replies that nobody reads").
"""

from __future__ import annotations

from telegram import CallbackQuery, InlineKeyboardMarkup, Message
from telegram.error import BadRequest

from bot.http import answer_unused


async def answer(message: Message, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
    """Reply in the message's chat (as ``reply_text`` does), without reading Telegram's answer."""
    with answer_unused():
        await message.reply_text(text, reply_markup=markup)


async def edit(message: Message, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
    """Replace the message's text and buttons; the same text again is no error."""
    try:
        with answer_unused():
            await message.edit_text(text, reply_markup=markup)
    except BadRequest as error:
        if "not modified" not in error.message.lower():
            raise


async def edit_tapped(
    query: CallbackQuery, text: str, markup: InlineKeyboardMarkup | None = None
) -> None:
    """Replace the tapped message (``edit_message_text``); the same text again is no error."""
    try:
        with answer_unused():
            await query.edit_message_text(text, reply_markup=markup)
    except BadRequest as error:
        if "not modified" not in error.message.lower():
            raise
