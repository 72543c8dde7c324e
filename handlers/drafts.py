"""Conversations kept in the database: typed answers reach the conversation waiting for them,
and ``/cancel`` stops them (asking first before it throws away a long draft).

Each handler module declares its conversations (docs/developers.md, "Conversations in
drafts") in a ``conversations()`` function returning
:class:`bot.conversations.Conversation` values (a :class:`handlers.forms.StepForm` gives its
own with ``FORM.conversations(...)``); ``bot/app.py`` collects them into the application's
``services.conversations``. Private text that is not a command goes to the person's most
recently touched draft of a declared kind; with no draft waiting, the person is pointed to
/help.

"""

from __future__ import annotations

from typing import Final

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, MessageHandler, filters

from bot.commands import CANCEL
from bot.context import BotContext
from bot.conversations import LONG_DRAFT, STOP_QUESTION, count_answers
from bot.formats import format_names
from bot.i18n import N_
from bot.models import Draft
from bot.rendering import Html
from bot.routing import CallbackData, callback_data
from handlers.guard import Route, route
from handlers.replies import answer
from handlers.taps import tapped

NOTHING_TO_CANCEL: Final = N_("There is nothing to cancel.")

# --- typed text ----------------------------------------------------------------------------


async def route_text(update: Update, context: BotContext) -> None:
    """Give private text to the conversation waiting for it, else say it was not understood."""
    person = context.person
    if person is not None:
        conversations = context.services.conversations
        for draft in await context.services.drafts.active(person.id):
            conversation = conversations.get(draft.kind)
            if conversation is not None:
                await conversation.on_text(update, context, draft)
                return
    await not_understood(update, context)


async def not_understood(update: Update, context: BotContext) -> None:
    """Private text that no conversation is waiting for: point to /help."""
    message = update.effective_message
    if message is not None:
        await answer(message, context.tr("I did not understand that. /help lists what you can do."))


def text_handler() -> BaseHandler[Update, BotContext, None]:
    """The catch-all for private text: registered after every feature's own handlers."""
    return MessageHandler(filters.ChatType.PRIVATE & filters.TEXT & ~filters.COMMAND, route_text)


# --- /cancel -------------------------------------------------------------------------------


@callback_data("cx")
class StopButton(CallbackData):
    """The answer to "Stop …? Your n answers will be lost.": Stop, or Keep going."""

    stop: bool


async def cancel(update: Update, context: BotContext) -> None:
    """Stop every conversation in progress; ask first when one holds more than two answers."""
    message = update.effective_message
    person = context.person
    if message is None or person is None:
        return
    drafts = await context.services.drafts.active(person.id)
    question = _stop_question(context, drafts)
    if question is None:
        await message.reply_text(await _stop_all(context))
        return
    _ = context.tr
    buttons = [
        InlineKeyboardButton(_("Stop"), callback_data=StopButton(True).pack()),
        InlineKeyboardButton(_("Keep going"), callback_data=StopButton(False).pack()),
    ]
    await message.reply_text(question, reply_markup=InlineKeyboardMarkup([buttons]))


def _stop_question(context: BotContext, drafts: list[Draft]) -> Html | None:
    """ "Stop writing your experience? Your 5 answers will be lost." for each long draft."""
    _ = context.tr
    lines: list[str] = []
    for draft in drafts:
        conversation = context.services.conversations.get(draft.kind)
        answers = (conversation.answers if conversation else count_answers)(draft)
        if answers <= LONG_DRAFT:
            continue
        question = conversation.stop_question if conversation else STOP_QUESTION
        what = _(conversation.description) if conversation else draft.kind
        lost = _.plural("Your {n} answer will be lost.", "Your {n} answers will be lost.", answers)
        lines.append(f"{_(question, what=what)} {lost}")
    return Html("\n".join(lines)) if lines else None


async def _stop_all(context: BotContext) -> Html:
    """Drop every draft of the person; what to tell them."""
    _ = context.tr
    person = context.person
    dropped = [] if person is None else await context.services.drafts.drop_all(person.id)
    if not dropped:
        return _(NOTHING_TO_CANCEL)
    stopped = [_describe(context, draft) for draft in dropped]
    # Translators: {what} is what was in progress, lowercase: “writing an experience”, “editing
    # your profile”…
    return _("Stopped: {what}. Nothing of it was saved.", what=format_names(stopped, _.language))


def _describe(context: BotContext, draft: Draft) -> str:
    conversation = context.services.conversations.get(draft.kind)
    return context.tr(conversation.description) if conversation else draft.kind


async def answer_stop(update: Update, context: BotContext) -> None:
    """Stop (drop every draft) or Keep going (nothing changes)."""
    pressed = await tapped(update, context, StopButton, with_message=True)
    if pressed is None or pressed.message is None:
        return
    query, tap, message = pressed.query, pressed.data, pressed.message
    await query.answer()
    if tap.stop:
        text = await _stop_all(context)
    else:
        text = context.tr("Good: carry on where you stopped; nothing was lost.")
    await message.edit_text(text)


def handlers() -> list[Route]:
    return [
        route(CANCEL, cancel),
        (CallbackQueryHandler(answer_stop, pattern=StopButton.pattern()), 0),
    ]
