"""/announce GROUP|all: type the text, check the preview, choose the audience, send.

The conversation lives in a draft (kind ``announcement``): step ``text`` waits for the typed
text, step ``preview`` for the buttons under the preview. Its data holds a random id that names
the announcement, the scope (a working group's id, or ``all``), the audience and the text. Send
queues one outbox row per recipient message, each with a dedupe key made of that id, so a double
tap or a retry never sends twice. Callback data is ``an:<id>:<action>``; a button is honoured
only while its draft waits at the preview.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot import announcements as rules
from bot.access import refusal
from bot.announcements import EVERYONE, Audience, Refusal
from bot.context import BotContext
from bot.delivery import enqueue
from bot.groups import find_group, group_names, unknown_group
from bot.i18n import LANGUAGES, N_, Translator
from bot.permissions import Role
from bot.rendering import Html, bold
from handlers import drafts
from handlers.guard import actor_of, command, refuse_unless
from storage import Draft, Person, WorkingGroup
from storage.outbox import OutboxPayload, OutgoingMessage

KIND: Final = "announcement"
PREFIX: Final = "an"
TEXT: Final = "text"
PREVIEW: Final = "preview"

STALE: Final = N_("This button is no longer valid.")
GROUP_HEADER: Final = N_("📣 Announcement — {group}")
NETWORK_HEADER: Final = N_("📣 Announcement to the whole network")
AUDIENCE_LABELS: Final[dict[Audience, str]] = {
    "both": N_("Both"),
    "chats": N_("Group chats"),
    "people": N_("Private chats"),
}


@dataclass(frozen=True)
class Place:
    """A group chat (or forum topic) that receives the announcement."""

    chat_id: int
    topic_id: int | None


@dataclass(frozen=True)
class Recipients:
    places: list[Place]
    people: list[Person]

    @property
    def empty(self) -> bool:
        return not self.places and not self.people


@dataclass(frozen=True)
class Scope:
    """Whom a draft announces to: one working group, or everyone (``group`` None)."""

    group: WorkingGroup | None


@dataclass(frozen=True)
class View:
    text: Html
    markup: InlineKeyboardMarkup | None = None


# --- the command -----------------------------------------------------------------------


@command("announce")
async def announce_command(update: Update, context: BotContext) -> None:
    """Start an announcement to a working group or to everyone (or show the one in progress)."""
    message, person = update.effective_message, context.person
    if message is None or person is None:
        return
    draft = await context.repos.drafts.get(person.id, KIND)
    if draft is not None:
        await _show_in_progress(update, context, draft)
        return
    scope = await _wanted_scope(update, context)
    if scope is None:
        return
    data = {"id": secrets.token_hex(4), "scope": scope, "audience": rules.DEFAULT_AUDIENCE}
    now = context.services.clock.now()
    await context.repos.drafts.save(person.id, KIND, TEXT, data, message.chat_id, now)
    await message.reply_text(await _ask_text(context, data))


async def _wanted_scope(update: Update, context: BotContext) -> int | str | None:
    """The group id or ``all`` the person may announce to; else says why and returns None."""
    message = update.effective_message
    if message is None:
        return None
    tr = context.tr
    groups = await context.repos.groups.list()
    query = " ".join(context.args or []).strip()
    if not query:
        await message.reply_text(
            tr(
                "To whom? Write /announce GROUP, or /announce all for everyone. "
                "The working groups are: {groups}.",
                groups=group_names(groups, tr.language),
            )
        )
        return None
    if query.lower() == EVERYONE:
        actor = await actor_of(context)
        reason = refusal(actor, Role.SECRETARIAT) if actor else STALE
        if reason is not None:
            await message.reply_text(tr(reason))
            return None
        return EVERYONE
    group = find_group(groups, query)
    if group is None:
        await message.reply_text(unknown_group(tr, query, groups))
        return None
    if await refuse_unless(update, context, Role.COORDINATOR, group.id, group.name(tr.language)):
        return None
    return group.id


async def _show_in_progress(update: Update, context: BotContext, draft: Draft) -> None:
    message = update.effective_message
    if message is None:
        return
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
    message, person = update.effective_message, context.person
    if message is None or message.text is None or person is None:
        return
    tr = context.tr
    if draft.step != TEXT:
        await message.reply_text(
            tr("Please use the buttons under the preview: Send, Edit or Cancel.")
        )
        await _send_preview(context, person.id, message.chat_id, draft.data)
        return
    scope = await _scope(context, draft.data)
    if scope is None:
        await _drop_gone(update, context, person)
        return
    outcome = rules.read_text(message.text, _limit(context, scope.group, person))
    if isinstance(outcome, Refusal):
        note = tr(outcome.message, **outcome.values)
        await message.reply_text(Html(f"{note}\n{await _ask_text(context, draft.data)}"))
        return
    data = {**draft.data, "text": rules.clean_text(message.text)}
    now = context.services.clock.now()
    await context.repos.drafts.save(person.id, KIND, PREVIEW, data, draft.chat_id, now)
    await _send_preview(context, person.id, message.chat_id, data)


async def _ask_text(context: BotContext, data: dict[str, Any]) -> Html:
    return context.tr(
        "Announcement to {target}. Type its text in one message: line breaks are kept, "
        "formatting is not. /cancel stops.",
        target=await _target(context, data),
    )


async def _drop_gone(update: Update, context: BotContext, person: Person) -> None:
    """The group of the draft no longer exists: the draft goes, and the person is told."""
    await context.repos.drafts.delete(person.id, KIND)
    message = update.effective_message
    text = context.tr("That working group no longer exists; nothing was sent.")
    if update.callback_query is not None:
        await update.callback_query.answer(text, show_alert=True)
    elif message is not None:
        await message.reply_text(text)


# --- the preview -------------------------------------------------------------------------


async def _send_preview(
    context: BotContext, person_id: int, chat_id: int, data: dict[str, Any]
) -> None:
    """The announcement as the person will see it, then the audience and Send / Edit / Cancel."""
    person = await context.repos.people.get(person_id)
    scope = await _scope(context, data)
    if person is None or scope is None:
        return
    parts = _parts(context, scope.group, person, str(data.get("text", "")))
    for part in rules.compose(_header(context.tr, scope.group), parts, person.name):
        await context.bot.send_message(chat_id, part)
    view = await _control_view(context, data)
    await context.bot.send_message(chat_id, view.text, reply_markup=view.markup)


async def _control_view(
    context: BotContext, data: dict[str, Any], note: Html | None = None
) -> View:
    tr = context.tr
    audience = rules.parse_audience(str(data.get("audience"))) or rules.DEFAULT_AUDIENCE
    recipients = await _recipients(context, data, audience)
    lines = [note] if note else []
    lines.append(tr("☝️ This is how the announcement will look."))
    if recipients.empty:
        lines.append(tr("Nobody would receive it with this choice."))
    else:
        lines.append(tr("It would reach {recipients}.", recipients=_count(tr, recipients)))
    token = str(data["id"])
    choices = [
        _button(("✓ " if audience == choice else "") + tr(AUDIENCE_LABELS[choice]), token, choice)
        for choice in rules.AUDIENCES
    ]
    actions = [
        _button(tr("Send"), token, "send"),
        _button(tr("Edit"), token, "edit"),
        _button(tr("Cancel"), token, "cancel"),
    ]
    return View(Html("\n".join(lines)), InlineKeyboardMarkup([choices, actions]))


def _count(tr: Translator, recipients: Recipients) -> Html:
    people = tr.plural("{n} person", "{n} people", len(recipients.people))
    chats = tr.plural("{n} group chat", "{n} group chats", len(recipients.places))
    if recipients.places and recipients.people:
        return tr("{people} and {chats}", people=people, chats=chats)
    return people if recipients.people else chats


# --- the buttons -------------------------------------------------------------------------


@dataclass(frozen=True)
class Tap:
    token: str
    action: str


ACTIONS: Final = frozenset({"send", "edit", "cancel", *rules.AUDIENCES})


def parse_callback(data: str | None) -> Tap | None:
    parts = (data or "").split(":")
    if len(parts) != 3 or parts[0] != PREFIX or parts[2] not in ACTIONS:
        return None
    return Tap(parts[1], parts[2])


async def on_button(update: Update, context: BotContext) -> None:
    query, person = update.callback_query, context.person
    if query is None:
        return
    tap = parse_callback(query.data)
    draft = None if person is None else await context.repos.drafts.get(person.id, KIND)
    if (
        tap is None
        or draft is None
        or draft.step != PREVIEW
        or str(draft.data.get("id")) != tap.token
    ):
        await query.answer(context.tr(STALE), show_alert=True)
        return
    view = await _answer_tap(update, context, draft, tap.action)
    if view is None:
        return  # refused: the alert was given
    await query.answer()
    try:
        await query.edit_message_text(view.text, reply_markup=view.markup)
    except BadRequest as error:
        if "not modified" not in error.message.lower():
            raise


async def _answer_tap(
    update: Update, context: BotContext, draft: Draft, action: str
) -> View | None:
    tr, repos = context.tr, context.repos
    now = context.services.clock.now()
    audience = rules.parse_audience(action)
    if audience is not None:
        data = {**draft.data, "audience": audience}
        await repos.drafts.save(draft.person_id, KIND, PREVIEW, data, draft.chat_id, now)
        return await _control_view(context, data)
    if action == "edit":
        await repos.drafts.save(draft.person_id, KIND, TEXT, draft.data, draft.chat_id, now)
        return View(tr("Type the new text of the announcement."))
    if action == "cancel":
        await repos.drafts.delete(draft.person_id, KIND)
        return View(tr("Announcement cancelled: nothing was sent."))
    return await _send(update, context, draft)


async def _send(update: Update, context: BotContext, draft: Draft) -> View | None:
    """Queue one outbox row per recipient message, drop the draft, say how many."""
    tr = context.tr
    query = update.callback_query
    person = await context.repos.people.get(draft.person_id)
    scope = await _scope(context, draft.data)
    if person is None or query is None:
        return None
    if scope is None:
        await _drop_gone(update, context, person)
        return None
    group = scope.group
    if not await _still_allowed(update, context, group):
        return None
    audience = rules.parse_audience(str(draft.data.get("audience"))) or rules.DEFAULT_AUDIENCE
    recipients = await _recipients(context, draft.data, audience)
    if recipients.empty:
        await query.answer(tr("Nobody would receive it with this choice."), show_alert=True)
        return None
    messages = _outgoing(context, draft, group, person, recipients)
    await enqueue(context.application, messages)
    await context.repos.drafts.delete(draft.person_id, KIND)
    text = tr("Queued for {recipients}.", recipients=_count(tr, recipients))
    actor = await actor_of(context)
    if actor is not None and actor.secretariat:
        progress = tr("/outbox shows the progress.")
        text = Html(f"{text} {progress}")
    return View(text)


async def _still_allowed(update: Update, context: BotContext, group: WorkingGroup | None) -> bool:
    """The role is checked again at Send: a coordinator may have been dismissed meanwhile."""
    if group is not None:
        name = group.name(context.tr.language)
        return not await refuse_unless(update, context, Role.COORDINATOR, group.id, name)
    actor = await actor_of(context)
    reason = refusal(actor, Role.SECRETARIAT) if actor else STALE
    if reason is None:
        return True
    if update.callback_query is not None:
        await update.callback_query.answer(context.tr(reason), show_alert=True)
    return False


def _outgoing(
    context: BotContext,
    draft: Draft,
    group: WorkingGroup | None,
    sender: Person,
    recipients: Recipients,
) -> list[OutgoingMessage]:
    i18n = context.services.i18n
    token = str(draft.data["id"])
    parts = _parts(context, group, sender, str(draft.data.get("text", "")))
    now = context.services.clock.now()
    messages: list[OutgoingMessage] = []

    def add(tr: Translator, chat_id: int, topic_id: int | None, person_id: int | None) -> None:
        composed = rules.compose(_header(tr, group), parts, sender.name)
        for number, text in enumerate(composed, start=1):
            key = rules.dedupe_key(token, chat_id, topic_id, number, len(composed))
            messages.append(
                OutgoingMessage(
                    kind="announcement",
                    chat_id=chat_id,
                    message_thread_id=topic_id,
                    person_id=person_id,
                    payload=OutboxPayload(text=text),
                    dedupe_key=key,
                    due_at=now,
                )
            )

    chat_tr = i18n.translator(i18n.default_language)
    for place in recipients.places:
        add(chat_tr, place.chat_id, place.topic_id, None)
    for person in recipients.people:
        if person.telegram_id is not None:
            add(
                i18n.for_person(person.language, person.telegram_language),
                person.telegram_id,
                None,
                person.id,
            )
    return messages


# --- who, and how it looks ---------------------------------------------------------------


async def _scope(context: BotContext, data: dict[str, Any]) -> Scope | None:
    """Whom the draft announces to; None when its working group is gone (or inactive)."""
    wanted = data.get("scope")
    if wanted == EVERYONE:
        return Scope(None)
    for group in await context.repos.groups.list():
        if group.id == wanted:
            return Scope(group)
    return None


async def _target(context: BotContext, data: dict[str, Any]) -> Html:
    scope = await _scope(context, data)
    if scope is not None and scope.group is not None:
        return bold(scope.group.name(context.tr.language))
    return context.tr("everyone in the network")


def _header(tr: Translator, group: WorkingGroup | None) -> str:
    if group is None:
        return tr(NETWORK_HEADER)
    return tr(GROUP_HEADER, group=group.name(tr.language))


def _limit(context: BotContext, group: WorkingGroup | None, sender: Person) -> int:
    """The longest text one message carries, under the longest header of any language."""
    i18n = context.services.i18n
    headers = [_header(i18n.translator(language), group) for language in LANGUAGES]
    return rules.body_limit(headers, sender.name)


def _parts(context: BotContext, group: WorkingGroup | None, sender: Person, text: str) -> list[str]:
    outcome = rules.read_text(text, _limit(context, group, sender))
    return [] if isinstance(outcome, Refusal) else outcome


async def _recipients(context: BotContext, data: dict[str, Any], audience: Audience) -> Recipients:
    scope = await _scope(context, data)
    if scope is None:
        return Recipients([], [])
    group = scope.group
    groups = await context.repos.groups.list() if group is None else [group]
    places: list[Place] = []
    if rules.reaches_chats(audience):
        places = _places(groups)
    people: list[Person] = []
    if rules.reaches_people(audience):
        if group is not None:
            members = [m.person for m in await context.repos.roster.members(group.id)]
        else:
            members = await context.repos.roster.network_members()
        people = [p for p in members if _reachable(p)]
    return Recipients(places, people)


def _places(groups: Sequence[WorkingGroup]) -> list[Place]:
    seen: dict[tuple[int, int | None], Place] = {}
    for group in groups:
        if group.active and group.chat_id is not None:
            seen.setdefault((group.chat_id, group.topic_id), Place(group.chat_id, group.topic_id))
    return list(seen.values())


def _reachable(person: Person) -> bool:
    """Started the bot, never blocked it: the bot may write to them in private."""
    return person.telegram_id is not None and person.started_at is not None and person.reachable


def _button(text: str, token: str, action: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(text, callback_data=f"{PREFIX}:{token}:{action}")


drafts.register(KIND, on_text, N_("writing an announcement"))


def handlers() -> list[tuple[BaseHandler[Update, BotContext, None], int]]:
    return [
        (CommandHandler("announce", announce_command), 0),
        (CallbackQueryHandler(on_button, pattern=rf"^{PREFIX}:"), 0),
    ]
