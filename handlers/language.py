"""/language: each person picks the language the bot speaks to them."""

from __future__ import annotations

from typing import Literal

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest
from telegram.ext import CallbackQueryHandler

from bot.commands import LANGUAGE
from bot.context import BotContext
from bot.i18n import LANGUAGE_NAMES, LANGUAGES
from bot.routing import CallbackData, callback_data
from handlers.guard import Route, route


@callback_data("lang")
class LanguageButton(CallbackData):
    """One language of the /language keyboard."""

    code: Literal["en", "es", "zh", "fr"]


def language_keyboard(current: str | None) -> InlineKeyboardMarkup:
    """One button per catalog, each named in its own language; the current one ticked."""
    buttons = [
        InlineKeyboardButton(
            ("✓ " if code == current else "") + LANGUAGE_NAMES[code],
            callback_data=LanguageButton(code).pack(),
        )
        for code in LANGUAGES
    ]
    return InlineKeyboardMarkup([buttons[:2], buttons[2:]])


async def ask_language(update: Update, context: BotContext) -> None:
    message = update.effective_message
    if message is None:
        return
    await message.reply_text(
        context.tr("Which language should I speak to you?"),
        reply_markup=language_keyboard(context.language),
    )


async def choose_language(update: Update, context: BotContext) -> None:
    query = update.callback_query
    if query is None:
        return
    tap = LanguageButton.unpack_or_none(query.data)
    if tap is None or context.person is None:
        await query.answer(context.tr("This button is no longer valid."), show_alert=True)
        return
    await context.services.profile.set_language(context.person.id, tap.code)
    context.language = tap.code
    _ = context.tr
    await query.answer(_("Language saved."))
    try:
        await query.edit_message_text(
            _("From now on I will speak to you in {language}.", language=LANGUAGE_NAMES[tap.code])
        )
    except BadRequest as error:  # the same language tapped again on an old keyboard
        if "not modified" not in error.message.lower():
            raise


def handlers() -> list[Route]:
    return [
        route(LANGUAGE, ask_language),
        (CallbackQueryHandler(choose_language, pattern=LanguageButton.pattern()), 0),
    ]
