"""/mydata (everything stored about you, as a JSON file) and /forgetme (delete it, confirmed)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest
from telegram.ext import CallbackQueryHandler

from bot.commands import FORGETME, MYDATA
from bot.context import BotContext
from bot.privacy import NOT_STORED, ForgetButton, export_filename, personal_document
from bot.rendering import Html
from handlers.guard import Route, route
from handlers.taps import refuse_stale


async def my_data(update: Update, context: BotContext) -> None:
    message, person = update.effective_message, context.person
    if message is None or person is None:
        return
    _ = context.tr
    now = context.services.clock.now()
    zone = ZoneInfo(person.timezone or context.settings.default_timezone)
    data = await context.services.privacy.personal_data(person)
    document = personal_document(
        data,
        generated_at=now,
        about=_(
            "This file holds everything the bot stores about you, as of the time below. "
            "/forgetme deletes it."
        ),
        not_stored=[_(line) for line in NOT_STORED],
    )
    day = now.astimezone(zone).date()
    await message.reply_document(
        document=document,
        filename=export_filename(day),
        caption=_(
            "Everything I store about you, as of {date}. Keep this file private: "
            "it holds your personal data.",
            date=day.isoformat(),
        ),
    )


async def forget_me(update: Update, context: BotContext) -> None:
    message, person = update.effective_message, context.person
    if message is None or person is None:
        return
    _ = context.tr
    parts = [
        _(
            "This deletes everything I store about you: your profile, your working groups "
            "and any conversation in progress. What you shared with others stays, "
            "without your name. It cannot be undone."
        )
    ]
    if person.telegram_id in context.settings.secretariat_ids:
        parts.append(
            _(
                "⚠️ You are in the secretariat. The bot’s settings still name your Telegram "
                "account, so you keep secretariat rights until an operator removes you there."
            )
        )
    parts.append(_("Delete your data?"))
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    _("Delete my data"), callback_data=ForgetButton("y", person.id).pack()
                ),
                InlineKeyboardButton(
                    _("Keep it"), callback_data=ForgetButton("n", person.id).pack()
                ),
            ]
        ]
    )
    await message.reply_text(Html("\n\n".join(parts)), reply_markup=keyboard)


async def answer_forget(update: Update, context: BotContext) -> None:
    """A tap on Delete my data or Keep it; a forged or stale button changes nothing."""
    query = update.callback_query
    if query is None:
        return
    _ = context.tr
    answer = ForgetButton.unpack_or_none(query.data)
    person = context.person
    if answer is None or person is None or answer.person_id != person.id:
        await refuse_stale(query, context)
        return
    if not answer.confirm:
        await query.answer()
        try:
            await query.edit_message_text(_("Nothing was deleted. Your data stays as it was."))
        except BadRequest as error:  # Keep it tapped again on the same old message
            if "not modified" not in error.message.lower():
                raise
        return
    await context.services.privacy.forget(person)
    await query.answer()
    await query.edit_message_text(
        _(
            "Done: everything I stored about you is deleted. If you write to me again, "
            "I will know only your Telegram name, as with anyone new."
        )
    )


def handlers() -> list[Route]:
    return [
        route(MYDATA, my_data),
        route(FORGETME, forget_me),
        (CallbackQueryHandler(answer_forget, pattern=ForgetButton.pattern()), 0),
    ]
