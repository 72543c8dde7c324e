"""``/intros monthly [HOURS]|off`` and the buttons under an introduction (``in:<pair>:met``,
``in:<pair>:avoid``, :class:`bot.opportunities.rules.IntroTap`)."""

from __future__ import annotations

from typing import Final

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.ext import BaseHandler, CallbackQueryHandler

from bot import commands
from bot.context import BotContext
from bot.i18n import N_, Translator
from bot.models import Person
from bot.opportunities import intros
from bot.opportunities.introductions import IntroductionsService
from bot.opportunities.rules import IntroTap
from bot.opportunities.texts import met_line
from bot.rendering import Html
from handlers.guard import route
from handlers.taps import STALE, tapped

USAGE: Final = N_(
    "Write /intros monthly to meet someone from another country each month (working hours "
    "09:00–18:00, or give yours: /intros monthly 8-16), or /intros off to stop."
)


def _service(context: BotContext) -> IntroductionsService:
    return context.services.opportunities.intros


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


async def intros_command(update: Update, context: BotContext) -> None:
    message, person = update.effective_message, context.person
    if message is None or person is None:
        return
    tr = context.tr
    words = [word.lower() for word in context.args or []]
    if words == ["off"]:
        await _service(context).leave(person)
        await message.reply_text(tr("You will not be introduced to anyone any more."))
        return
    if not words or words[0] != "monthly" or len(words) > 2:
        await _status(context, message, person)
        return
    hours = intros.DEFAULT_HOURS if len(words) == 1 else intros.read_hours(words[1])
    if hours is None:
        await message.reply_text(
            tr("I could not read those hours. Write them like 9-18 or 08:30-17:00.")
        )
        return
    await _service(context).join(person, hours)
    await message.reply_text(
        tr(
            "Done: once a month you will meet someone from another country who shares an "
            "interest, at times inside your working hours ({start}–{end}).",
            start=_clock(hours[0]),
            end=_clock(hours[1]),
        )
    )


async def _status(context: BotContext, message: Message, person: Person) -> None:
    """The person's part in the introductions; for the secretariat, how the last month went;
    then this month's introduction again, with its buttons, if they have one."""
    tr = context.tr
    hours = await _service(context).hours(person.id)
    lines = [tr(USAGE)] if hours is None else [_taking_part(tr, hours)]
    if context.services.opportunities.is_secretariat(person):
        met = await _service(context).last_month_met()
        none_yet = tr("No introductions have been made yet.")
        lines.append(none_yet if met is None else met_line(tr, met.month, met.pairs, met.met))
    await message.reply_text(Html("\n\n".join(lines)))
    shown = await _service(context).this_month(person)
    if shown is not None:
        buttons = [
            InlineKeyboardButton(b["text"], callback_data=b["callback_data"]) for b in shown.buttons
        ]
        await message.reply_text(shown.text, reply_markup=InlineKeyboardMarkup([buttons]))


def _taking_part(tr: Translator, hours: tuple[int, int]) -> Html:
    return tr(
        "You take part in the monthly introductions (working hours {start}–{end}). "
        "/intros off stops them.",
        start=_clock(hours[0]),
        end=_clock(hours[1]),
    )


async def on_intro_tap(update: Update, context: BotContext) -> None:
    pressed = await tapped(update, context, IntroTap)
    if pressed is None:
        return
    query, tap, person = pressed.query, pressed.data, pressed.person
    tr = context.tr
    if tap.action == "met":
        counted = await _service(context).met(person, tap.pair_id)
        text = tr("Glad you met! Thank you for telling us.") if counted else tr(STALE)
    else:
        avoided = await _service(context).avoid(person, tap.pair_id)
        text = tr("Understood: you will not be paired again.") if avoided else tr(STALE)
    await query.answer(text, show_alert=True)


def handlers() -> list[tuple[BaseHandler[Update, BotContext, None], int]]:
    return [
        route(commands.INTROS, intros_command),
        (CallbackQueryHandler(on_intro_tap, pattern=IntroTap.pattern()), 0),
    ]
