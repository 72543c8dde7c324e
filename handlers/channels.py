"""/notify: how the bot reaches a person — Telegram, e-mail or both — and confirming their
e-mail address with a code sent to it (the service is ``bot/channels/service.py``)."""

from __future__ import annotations

from typing import Literal

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest
from telegram.ext import CallbackQueryHandler

from bot.channels import CHOICE_LABELS, CHOICES
from bot.channels.service import CODE_KIND, Chosen, CodeSent, Refusal, Verified
from bot.commands import NOTIFY
from bot.context import BotContext
from bot.conversations import Conversation
from bot.i18n import N_, Translator
from bot.models import ChannelState, Draft
from bot.rendering import Html
from bot.routing import CallbackData, callback_data
from handlers.guard import Route, route
from handlers.taps import tapped

CHOICE_BUTTONS: dict[str, str] = {
    "telegram": N_("Telegram"),
    "email": N_("E-mail"),
    "both": N_("Both"),
}


@callback_data("nt")
class NotifyTap(CallbackData):
    """A button of /notify: a channel choice, or "send me a code"."""

    action: Literal["telegram", "email", "both", "code"]


async def status_text(context: BotContext, person_id: int) -> tuple[Html, InlineKeyboardMarkup]:
    """How the person is reached now, where their address stands, and the buttons."""
    _ = context.tr
    service = context.services.channels
    state = await service.state(person_id)
    assert state is not None
    lines = [_("How I reach you: {channels}.", channels=_(CHOICE_LABELS[state.choice]))]
    if state.email is None:
        lines.append(_("You have no e-mail address yet: add it with /profile."))
    elif state.email_verified:
        lines.append(_("Your e-mail address {email} is confirmed.", email=state.email))
    else:
        lines.append(_("Your e-mail address {email} is not confirmed yet.", email=state.email))
    if not service.email_on:
        lines.append(_("This bot does not send e-mail: it reaches you by Telegram only."))
    else:
        lines.append(_("Choose how I reach you:"))
    return Html("\n".join(lines)), _keyboard(context.tr, service.email_on, state)


def _keyboard(tr: Translator, email_on: bool, state: ChannelState) -> InlineKeyboardMarkup:
    if not email_on:
        return InlineKeyboardMarkup([])
    choices = [
        InlineKeyboardButton(
            ("✓ " if state.choice == choice else "") + tr(CHOICE_BUTTONS[choice]),
            callback_data=NotifyTap(choice).pack(),
        )
        for choice in CHOICES
    ]
    rows = [choices]
    if state.email and not state.email_verified:
        code = InlineKeyboardButton(tr("📧 Send me a code"), callback_data=NotifyTap("code").pack())
        rows.append([code])
    return InlineKeyboardMarkup(rows)


async def notify_command(update: Update, context: BotContext) -> None:
    message, person = update.effective_message, context.person
    if message is None or person is None:
        return
    text, keyboard = await status_text(context, person.id)
    await message.reply_text(text, reply_markup=keyboard if keyboard.inline_keyboard else None)


async def on_tap(update: Update, context: BotContext) -> None:
    pressed = await tapped(update, context, NotifyTap)
    if pressed is None:
        return
    _ = context.tr
    query, tap, person = pressed.query, pressed.data, pressed.person
    service = context.services.channels
    chat_id = query.message.chat.id if query.message is not None else None
    if tap.action == "code":
        outcome: Chosen | CodeSent | Refusal = await service.send_code(person.id, chat_id)
    else:
        outcome = await service.choose(person.id, tap.action)
    if isinstance(outcome, Refusal):
        await query.answer(_(outcome.reason), show_alert=True)
        return
    await query.answer()
    if isinstance(outcome, CodeSent):
        if chat_id is not None:
            sent = _(
                "I sent a code to {email}. Type it here; it is valid for 30 minutes.",
                email=outcome.email,
            )
            await context.bot.send_message(chat_id, sent)
        return
    text, keyboard = await status_text(context, person.id)
    saved = _("Saved: I reach you by {channels}.", channels=_(CHOICE_LABELS[outcome.choice]))
    try:
        await query.edit_message_text(Html(f"{saved}\n\n{text}"), reply_markup=keyboard)
    except BadRequest as error:  # the same choice tapped again
        if "not modified" not in error.message.lower():
            raise


async def on_code(update: Update, context: BotContext, draft: Draft) -> None:
    """The text typed while a code is awaited."""
    message, person = update.effective_message, context.person
    if message is None or person is None:
        return
    _ = context.tr
    outcome = await context.services.channels.enter_code(person.id, message.text or "")
    if isinstance(outcome, Refusal):
        await message.reply_text(_(outcome.reason))
        return
    assert isinstance(outcome, Verified)
    confirmed = _("Your e-mail address {email} is confirmed.", email=outcome.email)
    text, keyboard = await status_text(context, person.id)
    await message.reply_text(Html(f"{confirmed}\n\n{text}"), reply_markup=keyboard)


def conversations() -> tuple[Conversation, ...]:
    # Translators: completes “Stopped: …” after /cancel.
    return (Conversation(CODE_KIND, on_code, N_("confirming your e-mail address")),)


def handlers() -> list[Route]:
    return [
        route(NOTIFY, notify_command),
        (CallbackQueryHandler(on_tap, pattern=NotifyTap.pattern()), 0),
    ]
