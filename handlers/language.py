"""/language: each person picks the language the bot speaks to them."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.context import BotContext
from bot.i18n import LANGUAGE_NAMES, LANGUAGES

CALLBACK_PREFIX = "lang:"


def language_keyboard(current: str | None) -> InlineKeyboardMarkup:
    """One button per catalog, each named in its own language; the current one ticked."""
    buttons = [
        InlineKeyboardButton(
            ("✓ " if code == current else "") + LANGUAGE_NAMES[code],
            callback_data=f"{CALLBACK_PREFIX}{code}",
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
    if query is None or query.data is None:
        return
    code = query.data.removeprefix(CALLBACK_PREFIX)
    if code not in LANGUAGES or context.person is None:
        await query.answer(context.tr("This button is no longer valid."), show_alert=True)
        return
    await context.repos.people.set_language(context.person.id, code, context.services.clock.now())
    context.language = code
    _ = context.tr
    await query.answer(_("Language saved."))
    try:
        await query.edit_message_text(
            _("From now on I will speak to you in {language}.", language=LANGUAGE_NAMES[code])
        )
    except BadRequest as error:  # the same language tapped again on an old keyboard
        if "not modified" not in error.message.lower():
            raise


def handlers() -> list[tuple[BaseHandler[Update, BotContext, None], int]]:
    return [
        (CommandHandler("language", ask_language), 0),
        (CallbackQueryHandler(choose_language, pattern=f"^{CALLBACK_PREFIX}"), 0),
    ]
