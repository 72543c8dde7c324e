"""Members: /groups with Join and Leave buttons, /join, /leave, /invite, and the linked group
chat (who joins, leaves and writes there)."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from telegram import Chat as TelegramChat
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest

from bot.context import BotContext
from bot.groups import (
    ChatMove,
    JoinButton,
    LeaveButton,
    chat_move,
    membership_button,
)
from bot.groups.service import Left, Listing
from bot.i18n import Translator
from bot.joining import POLICY_LABELS, RevokeInvite, invite_text
from bot.joining.service import Asked, ChatAsk
from bot.models import WorkingGroup
from bot.permissions import Role
from bot.rendering import SAFE_MESSAGE_LIMIT, Html, bold, italic, visible_length
from bot.start import StartPayload, deep_link
from handlers.groups.common import (
    join_group,
    plain,
    topic_of,
    wanted_group,
    where_it_talks,
)
from handlers.guard import refuse_unless
from handlers.presence import sender_of
from handlers.replies import answer
from handlers.taps import refuse_stale

logger = logging.getLogger(__name__)


# /groups and its buttons


async def _listing(context: BotContext, private: bool) -> tuple[Html, InlineKeyboardMarkup | None]:
    """The active groups with member counts (ticked where the reader is a member) and buttons."""
    tr = context.tr
    reader = context.person.id if private and context.person is not None else None
    listing = await context.services.groups.listing(reader)
    if not listing.groups:
        return tr("There are no working groups yet."), None
    asked = await context.services.joining.waiting(reader) if reader is not None else []
    waiting = frozenset(group.id for group, _ in asked)
    text = _listing_text(tr, listing, private, waiting, descriptions=True)
    if visible_length(text) > SAFE_MESSAGE_LIMIT:
        text = _listing_text(tr, listing, private, waiting, descriptions=False)
    return text, _listing_keyboard(tr, _in_sections(listing), listing.mine, private)


def _in_sections(listing: Listing) -> list[WorkingGroup]:
    """The standing working groups first, then the joint projects (each kept in order)."""
    return sorted(listing.groups, key=lambda group: group.id in listing.projects)


def _listing_text(
    tr: Translator,
    listing: Listing,
    private: bool,
    waiting: frozenset[int],
    *,
    descriptions: bool,
) -> Html:
    lines: list[str] = [tr("<b>Working groups</b>")]
    heading_done = False
    for group in _in_sections(listing):
        if group.id in listing.projects and not heading_done:
            lines += ["", bold(tr("Joint projects"))]
            heading_done = True
        lines += _group_lines(tr, listing, group, waiting, descriptions)
    lines.append("")
    if private and waiting:
        lines.append(tr("⏳ marks your requests waiting for a coordinator."))
    if private:
        lines.append(tr("✓ marks your groups. Tap a button to join or leave."))
    else:
        lines.append(tr("Tap a button to join or leave."))
    return Html("\n".join(lines))


def _group_lines(
    tr: Translator,
    listing: Listing,
    group: WorkingGroup,
    waiting: frozenset[int],
    descriptions: bool,
) -> list[str]:
    """A blank line, the group's name with its size and join policy, and its description."""
    tick = "✓ " if group.id in listing.mine else "⏳ " if group.id in waiting else ""
    members = tr.plural("{n} member", "{n} members", listing.counts.get(group.id, 0))
    policy = tr(POLICY_LABELS[group.join_policy])
    lines = ["", f"{tick}{bold(group.name(tr.language))} · {members} · {policy}"]
    description = group.description(tr.language)
    if descriptions and description:
        lines.append(italic(description))
    return lines


def _listing_keyboard(
    tr: Translator, groups: Sequence[WorkingGroup], mine: frozenset[int], private: bool
) -> InlineKeyboardMarkup:
    rows: list[list[InlineKeyboardButton]] = []
    for group in groups:
        name = group.name(tr.language)
        join = InlineKeyboardButton(
            plain(tr("Join {group}"), group=name),
            callback_data=JoinButton(group.id).pack(),
        )
        leave_label = plain(tr("Leave {group}"), group=name) if private else tr("Leave")
        leave = InlineKeyboardButton(leave_label, callback_data=LeaveButton(group.id).pack())
        if private:
            rows.append([leave if group.id in mine else join])
        else:
            rows.append([join, leave])
    return InlineKeyboardMarkup(rows)


async def list_groups(update: Update, context: BotContext) -> None:
    message = update.effective_message
    if message is None:
        return
    text, keyboard = await _listing(context, message.chat.type == TelegramChat.PRIVATE)
    await answer(message, text, keyboard)


async def tap_membership(update: Update, context: BotContext) -> None:
    """A Join or Leave button of /groups: change membership, update the list in place."""
    query = update.callback_query
    if query is None:
        return
    tap = membership_button(query.data)
    group = None if tap is None else await context.services.groups.get(tap.group_id)
    if tap is None or group is None or context.person is None:
        await refuse_stale(query, context)
        return
    joining = isinstance(tap, JoinButton)
    answer, member = await _toggle(context, group, joining)
    await query.answer(answer)
    message = query.message
    if not isinstance(message, Message):
        return
    private = message.chat.type == TelegramChat.PRIVATE
    text, keyboard = await _listing(context, private)
    try:
        await query.edit_message_text(text, reply_markup=keyboard)
    except BadRequest as error:
        if "not modified" not in error.message:
            raise
    if joining and member and private:
        chat_line = await where_it_talks(context, group)
        if chat_line is not None:
            await message.reply_text(chat_line)


async def _toggle(context: BotContext, group: WorkingGroup, join: bool) -> tuple[str, bool]:
    """Join (or ask to) or leave from a button; the short answer shown on the tapper's screen,
    and whether they just joined."""
    tr = context.tr
    person = context.person
    assert person is not None
    name = group.name(tr.language)
    groups = context.services.groups
    if join:
        asked = await context.services.joining.ask(group, person)
        return _asked_toast(tr, asked, name), asked is Asked.JOINED
    left = await groups.leave(group.id, person.id)
    if left is Left.NOT_MEMBER:
        return plain(tr("You are not in {group}."), group=name), False
    if left is Left.LEFT_COORDINATING:
        return plain(tr("You left {group} and no longer coordinate it."), group=name), False
    return plain(tr("You left {group}."), group=name), False


def _asked_toast(tr: Translator, asked: Asked, name: str) -> str:
    """The short answer to a Join button."""
    if asked is Asked.JOINED:
        return plain(tr("You joined {group}."), group=name)
    if asked is Asked.ALREADY_MEMBER:
        return plain(tr("You are already in {group}."), group=name)
    if asked is Asked.REQUESTED:
        return plain(tr("Your request to join {group} was sent to its coordinators."), group=name)
    if asked is Asked.WAITING:
        return plain(
            tr("Your request to join {group} is waiting for its coordinators."), group=name
        )
    return plain(tr("{group} is by invitation only: ask a coordinator for a link."), group=name)


# /join, /leave, /invite


def _join_button(tr: Translator, group: WorkingGroup) -> InlineKeyboardButton:
    label = plain(tr("Join {group}"), group=group.name(tr.language))
    return InlineKeyboardButton(label, callback_data=JoinButton(group.id).pack())


def _leave_button(tr: Translator, group: WorkingGroup) -> InlineKeyboardButton:
    label = plain(tr("Leave {group}"), group=group.name(tr.language))
    return InlineKeyboardButton(label, callback_data=LeaveButton(group.id).pack())


async def join_command(update: Update, context: BotContext) -> None:
    message = update.effective_message
    group = await wanted_group(update, context, "join", choice=_join_button)
    if message is None or group is None:
        return
    await message.reply_text(await join_group(context, group, "bot"))


async def leave_command(update: Update, context: BotContext) -> None:
    message = update.effective_message
    group = await wanted_group(update, context, "leave", choice=_leave_button)
    person = context.person
    if message is None or group is None or person is None:
        return
    tr = context.tr
    name = bold(group.name(tr.language))
    left = await context.services.groups.leave(group.id, person.id)
    if left is Left.NOT_MEMBER:
        text = tr("You are not a member of the working group {group}.", group=name)
    elif left is Left.LEFT_COORDINATING:
        text = tr(
            "You left the working group {group}. You are no longer one of its coordinators.",
            group=name,
        )
    else:
        text = tr("You left the working group {group}.", group=name)
    await message.reply_text(text)


async def invite(update: Update, context: BotContext) -> None:
    message = update.effective_message
    group = await wanted_group(update, context, "invite")
    if message is None or group is None:
        return
    tr = context.tr
    name = group.name(tr.language)
    if await refuse_unless(update, context, Role.COORDINATOR, group.id, name):
        return
    person = context.person
    assert person is not None
    joining = context.services.joining
    made = await joining.create_invite(group, person)
    url = deep_link(context.bot.username, StartPayload("inv", made.token))
    text = invite_text(tr, name, url, made.max_uses, made.expires_at, joining.zone_of(person))
    join = InlineKeyboardButton(plain(tr("Join {group}"), group=name), url=url)
    revoke = InlineKeyboardButton(
        tr("Revoke this link"), callback_data=RevokeInvite(made.id).pack()
    )
    await message.reply_text(text, reply_markup=InlineKeyboardMarkup([[join], [revoke]]))


# The linked group chat


async def chat_membership(update: Update, context: BotContext) -> None:
    """Someone joined or left a chat linked to working groups: they join or leave them."""
    change = update.chat_member
    if change is None:
        return
    old, new = change.old_chat_member, change.new_chat_member
    move = chat_move(
        old.status, new.status, getattr(old, "is_member", None), getattr(new, "is_member", None)
    )
    user = new.user
    if move is None or user.is_bot:
        return
    if move is ChatMove.LEFT:
        await context.services.groups.follow_chat_move(change.chat.id, sender_of(user), move)
        return
    added_by = change.from_user.id if change.from_user else None
    await context.services.joining.entered_chat(change.chat.id, sender_of(user), added_by)


async def chat_join_request(update: Update, context: BotContext) -> None:
    """A request to join a linked chat: approved for members of its groups (and those its
    policy admits at once); anyone else's goes to the group's approvers with Approve / Decline."""
    request = update.chat_join_request
    if request is None or request.from_user.is_bot:
        return
    joining = context.services.joining
    asked = await joining.chat_request(request.chat.id, sender_of(request.from_user))
    if asked is not ChatAsk.APPROVE:
        return
    try:
        await request.approve()
    except BadRequest as error:
        logger.info("Join request in chat %s not approved: %s", request.chat.id, error.message)


async def record_seen(update: Update, context: BotContext) -> None:
    """Whoever writes in a linked chat is recorded as seen there."""
    message = update.message
    person = context.person
    if message is None or person is None:
        return
    await context.services.groups.record_seen(message.chat.id, topic_of(message), person.id)
