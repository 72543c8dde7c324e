"""/announce GROUP|all: type the text, check the preview, choose the audience, send.

The use cases are ``bot/announcements/service.py`` (the draft, the sending in one unit of
work); this module parses the command, the typed text and the buttons (``an:<id>:<action>``,
:class:`bot.announcements.AnnouncementTap`), calls the service and renders what it answers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot import announcements as rules
from bot.announcements import AnnouncementTap
from bot.announcements.service import (
    DESCRIPTION,
    KIND,
    PREVIEW,
    AnnouncementsService,
    AskScope,
    AtPreview,
    Cancelled,
    Control,
    Editing,
    GroupGone,
    InProgress,
    Nobody,
    Previewing,
    Queued,
    Recipients,
    Refused,
    Stale,
    Started,
    TapOutcome,
    TextRefused,
    UnknownGroup,
)
from bot.context import BotContext
from bot.conversations import Conversation
from bot.groups import group_names, unknown_group
from bot.i18n import N_, Translator
from bot.models import Draft
from bot.rendering import Html, bold
from handlers.guard import command
from handlers.taps import STALE, tapped

GONE: Final = N_("That working group no longer exists; nothing was sent.")
NOBODY: Final = N_("Nobody would receive it with this choice.")
AUDIENCE_LABELS: Final[dict[rules.Audience, str]] = {
    # Translators: who gets an announcement: private chats and group chats.
    "both": N_("Both"),
    "chats": N_("Group chats"),
    "people": N_("Private chats"),
}


@dataclass(frozen=True)
class View:
    text: Html
    markup: InlineKeyboardMarkup | None = None


def _service(context: BotContext) -> AnnouncementsService:
    return context.services.announcements


# --- the command -----------------------------------------------------------------------


@command("announce")
async def announce_command(update: Update, context: BotContext) -> None:
    """Start an announcement to a working group or to everyone (or show the one in progress)."""
    message, person = update.effective_message, context.person
    if message is None or person is None:
        return
    tr = context.tr
    query = " ".join(context.args or [])
    outcome = await _service(context).start(person.id, message.chat_id, query)
    match outcome:
        case InProgress(draft):
            await _show_in_progress(context, message, draft)
        case Started(draft):
            await message.reply_text(await _ask_text(context, draft.data))
        case AskScope(groups):
            await message.reply_text(
                tr(
                    "To whom? Write /announce GROUP, or /announce all for everyone. "
                    "The working groups are: {groups}.",
                    groups=group_names(groups, tr.language),
                )
            )
        case UnknownGroup(typed, groups):
            await message.reply_text(unknown_group(tr, typed, groups))
        case Refused():
            await message.reply_text(_refusal(tr, outcome))


async def _show_in_progress(context: BotContext, message: Message, draft: Draft) -> None:
    target = await _target(context, draft.data)
    await message.reply_text(
        context.tr(
            "You have an announcement in progress to {target}. Go on with it, or stop it "
            "with /cancel.",
            target=target,
        )
    )
    if draft.step == PREVIEW:
        await _send_preview(context, draft.person_id, message.chat_id, draft.data)
    else:
        await message.reply_text(await _ask_text(context, draft.data))


# --- the typed text ----------------------------------------------------------------------


async def on_text(update: Update, context: BotContext, draft: Draft) -> None:
    """The text of the announcement (step ``text``); at the preview, a pointer to the buttons."""
    message = update.effective_message
    if message is None or message.text is None:
        return
    tr = context.tr
    outcome = await _service(context).type_text(draft, message.text)
    match outcome:
        case AtPreview():
            await message.reply_text(
                tr("Please use the buttons under the preview: Send, Edit or Cancel.")
            )
            await _send_preview(context, draft.person_id, message.chat_id, draft.data)
        case TextRefused(refusal, _):
            note = tr(refusal.message, **refusal.values)
            await message.reply_text(Html(f"{note}\n{await _ask_text(context, draft.data)}"))
        case GroupGone():
            await message.reply_text(tr(GONE))
        case Previewing(data):
            await _send_preview(context, draft.person_id, message.chat_id, data)


async def _ask_text(context: BotContext, data: dict[str, Any]) -> Html:
    # Translators: {target} is a working group's name or “everyone in the network”.
    return context.tr(
        "Announcement to {target}. Type its text in one message: line breaks are kept, "
        "formatting is not. /cancel stops.",
        target=await _target(context, data),
    )


# --- the preview -------------------------------------------------------------------------


async def _send_preview(
    context: BotContext, person_id: int, chat_id: int, data: dict[str, Any]
) -> None:
    """The announcement as the person will see it, then the audience and Send / Edit / Cancel."""
    service = _service(context)
    parts = await service.preview(person_id, data, context.tr.language)
    if not parts:
        return
    for part in parts:
        await context.bot.send_message(chat_id, part)
    view = _control_view(context.tr, await service.control(data))
    await context.bot.send_message(chat_id, view.text, reply_markup=view.markup)


def _control_view(tr: Translator, control: Control) -> View:
    recipients = control.recipients
    lines = [tr("☝️ This is how the announcement will look.")]
    if recipients.empty:
        lines.append(tr(NOBODY))
    else:
        # Translators: {recipients} is “12 people and 2 group chats”, or one of the two.
        lines.append(tr("It would reach {recipients}.", recipients=_count(tr, recipients)))
    choices = [
        _button(
            ("✓ " if control.audience == choice else "") + tr(AUDIENCE_LABELS[choice]),
            control.token,
            choice,
        )
        for choice in rules.AUDIENCES
    ]
    actions = [
        _button(tr("Send"), control.token, "send"),
        _button(tr("Edit"), control.token, "edit"),
        _button(tr("Cancel"), control.token, "cancel"),
    ]
    return View(Html("\n".join(lines)), InlineKeyboardMarkup([choices, actions]))


def _count(tr: Translator, recipients: Recipients) -> Html:
    people = tr.plural("{n} person", "{n} people", len(recipients.people))
    chats = tr.plural("{n} group chat", "{n} group chats", len(recipients.places))
    if recipients.places and recipients.people:
        # Translators: “12 people” and “2 group chats”.
        return tr("{people} and {chats}", people=people, chats=chats)
    return people if recipients.people else chats


# --- the buttons -------------------------------------------------------------------------


async def on_button(update: Update, context: BotContext) -> None:
    pressed = await tapped(update, context, AnnouncementTap)
    if pressed is None:
        return
    query, tap, person = pressed.query, pressed.data, pressed.person
    outcome = await _service(context).tap(person.id, tap.token, tap.action)
    alert = _alert(context.tr, outcome)
    if alert is not None:
        await query.answer(alert, show_alert=True)
        return
    view = await _view(context, outcome)
    await query.answer()
    try:
        await query.edit_message_text(view.text, reply_markup=view.markup)
    except BadRequest as error:
        if "not modified" not in error.message.lower():
            raise


def _alert(tr: Translator, outcome: TapOutcome) -> str | None:
    """The one-line alert of a tap that changed nothing on screen (None: the view changes)."""
    match outcome:
        case Stale():
            return tr(STALE)
        case GroupGone():
            return tr(GONE)
        case Nobody():
            return tr(NOBODY)
        case Refused():
            return _refusal(tr, outcome)
    return None


async def _view(context: BotContext, outcome: TapOutcome) -> View:
    tr = context.tr
    match outcome:
        case Previewing(data):
            return _control_view(tr, await _service(context).control(data))
        case Editing():
            return View(tr("Type the new text of the announcement."))
        case Cancelled():
            return View(tr("Announcement cancelled: nothing was sent."))
        case Queued(recipients, by_secretariat):
            # Translators: {recipients} is “12 people and 2 group chats”, or one of the two.
            text = tr("Queued for {recipients}.", recipients=_count(tr, recipients))
            if by_secretariat:
                progress = tr("/outbox shows the progress.")
                text = Html(f"{text} {progress}")
            return View(text)
    raise AssertionError(f"no view for {outcome!r}")  # pragma: no cover - _alert took the rest


# --- how it looks ------------------------------------------------------------------------


def _refusal(tr: Translator, refused: Refused) -> str:
    group = refused.group.name(tr.language) if refused.group is not None else ""
    return tr(refused.reason, group=group)


async def _target(context: BotContext, data: dict[str, Any]) -> Html:
    scope = await _service(context).scope(data)
    if scope is not None and scope.group is not None:
        return bold(scope.group.name(context.tr.language))
    return context.tr("everyone in the network")


def _button(text: str, token: str, action: rules.Action) -> InlineKeyboardButton:
    return InlineKeyboardButton(text, callback_data=AnnouncementTap(token, action).pack())


def conversations() -> tuple[Conversation, ...]:
    """The announcement's draft holds one answer, its text: /cancel never asks about it."""
    return (Conversation(KIND, on_text, DESCRIPTION, answers=_text_given),)


def _text_given(draft: Draft) -> int:
    return 1 if draft.data.get("text") else 0


def handlers() -> list[tuple[BaseHandler[Update, BotContext, None], int]]:
    return [
        (CommandHandler("announce", announce_command), 0),
        (CallbackQueryHandler(on_button, pattern=AnnouncementTap.pattern()), 0),
    ]
