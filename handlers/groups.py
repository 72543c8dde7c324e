"""Working groups: /groups with Join and Leave buttons, /join, /leave, invitations by deep link,
the linked group chat (who joins, leaves and writes there), and the secretariat's and
coordinators' commands: /newgroup, /linkchat, /coordinator, /remove, /invite."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from telegram import Chat as TelegramChat
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import CallbackQueryHandler, ChatMemberHandler, MessageHandler, filters

from bot.commands import COORDINATOR, GROUPS, INVITE, JOIN, LEAVE, LINKCHAT, NEWGROUP, REMOVE
from bot.context import BotContext
from bot.groups import (
    FormError,
    JoinButton,
    LeaveButton,
    chat_link,
    chat_move,
    describe_person,
    find_group,
    group_names,
    group_of_place,
    membership_button,
    parse_new_group,
    split_group_and_rest,
    unknown_group,
)
from bot.groups.service import Joined, Left, Listing, Removal
from bot.i18n import N_, Translator
from bot.models import MembershipSource, Person, WorkingGroup
from bot.permissions import Role
from bot.rendering import SAFE_MESSAGE_LIMIT, Html, bold, echo, italic, link, visible_length
from bot.start import StartPayload, deep_link
from handlers.guard import Route, actor_of, refuse_unless, route
from handlers.presence import sender_of

logger = logging.getLogger(__name__)

SEEN_GROUP = -9
"""Handler group recording who writes in a linked chat: after presence (-10), before features."""

STALE_BUTTON = N_("This button is no longer valid.")


# Shared helpers


def _plain(template: str, /, **values: object) -> str:
    """Fill a translated template for places without HTML (button labels, callback answers)."""
    return template.format(**values)


def _topic_of(message: Message) -> int | None:
    """The forum topic a message was written in (None outside forum topics)."""
    return message.message_thread_id if message.is_topic_message else None


async def _wanted_group(
    update: Update, context: BotContext, name: str, *, here: bool = True
) -> WorkingGroup | None:
    """The group named in the arguments, or (with none, when ``here``) the group this chat is
    linked to; else says why and returns None."""
    message = update.effective_message
    if message is None:
        return None
    tr = context.tr
    groups = await context.services.groups.active()
    query = " ".join(context.args or []).strip()
    if query:
        group = find_group(groups, query)
        if group is None:
            await message.reply_text(unknown_group(tr, query, groups))
        return group
    if here and message.chat.type != TelegramChat.PRIVATE:
        group = group_of_place(groups, message.chat.id, _topic_of(message))
        if group is not None:
            return group
    await message.reply_text(
        tr(
            "Which working group? Write /{command} GROUP, one of: {groups}.",
            command=name,
            groups=group_names(groups, tr.language),
        )
    )
    return None


async def _chat_line(context: BotContext, group: WorkingGroup) -> Html | None:
    """Where the group talks on Telegram, if it has a linked chat."""
    if group.chat_id is None:
        return None
    chat = await context.services.groups.chat(group.chat_id)
    title = (chat.title if chat else None) or group.name(context.tr.language)
    address = chat_link(chat.username if chat else None, group.topic_id)
    if address is not None:
        return context.tr("The group talks in the Telegram chat {chat}.", chat=link(address, title))
    return context.tr(
        "The group talks in the Telegram chat {chat}; if you are not in it yet, "
        "ask a coordinator to add you.",
        chat=bold(title),
    )


async def _joined_text(context: BotContext, group: WorkingGroup) -> Html:
    lines = [
        context.tr(
            "You joined the working group {group}.", group=bold(group.name(context.tr.language))
        )
    ]
    chat_line = await _chat_line(context, group)
    if chat_line is not None:
        lines.append(chat_line)
    return Html("\n".join(lines))


async def _join(context: BotContext, group: WorkingGroup, source: MembershipSource) -> Html:
    """Join the sender to the group; what to tell them."""
    person = context.person
    assert person is not None
    if await context.services.groups.join(group.id, person.id, source) is Joined.JOINED:
        return await _joined_text(context, group)
    return context.tr(
        "You are already in the working group {group}.",
        group=bold(group.name(context.tr.language)),
    )


async def join_by_link(context: BotContext, slug: str) -> Html | None:
    """Follow an invitation deep link (``/start join_<slug>``); None for an unknown group."""
    if context.person is None:
        return None
    found = await context.services.groups.join_by_link(slug, context.person.id)
    if found is None:
        return None
    group, joined = found
    if joined is Joined.JOINED:
        return await _joined_text(context, group)
    return context.tr(
        "You are already in the working group {group}.",
        group=bold(group.name(context.tr.language)),
    )


async def _tell(context: BotContext, person: Person, message: str, **values: object) -> bool:
    """Write to a person the bot may write to, in their language; False when it could not."""
    if person.telegram_id is None or person.started_at is None or not person.reachable:
        return False
    tr = context.services.i18n.for_person(person.language, person.telegram_language)
    named = {key: bold(value) for key, value in values.items()}
    try:
        await context.bot.send_message(person.telegram_id, tr(message, **named))
    except Forbidden:
        await context.services.groups.mark_unreachable(person.id)
        return False
    except TelegramError as error:
        logger.warning("could not tell person %s: %s", person.id, error)
        return False
    return True


def _told_line(tr: Translator, told: bool) -> Html:
    if told:
        return tr("I let them know.")
    return tr("They have not started a chat with me, so I could not tell them.")


async def _find_person(message: Message, context: BotContext, query: str) -> Person | None:
    """The one person ``query`` names; else says who matched or that nobody did."""
    tr = context.tr
    lookup = await context.services.groups.find_person(query)
    if lookup.person is not None:
        return lookup.person
    if not lookup.candidates:
        await message.reply_text(
            tr(
                "I know nobody called “{query}”. Write their @username or their id; "
                "they must have written to me or been imported.",
                query=echo(query),
            )
        )
    else:
        await message.reply_text(
            tr(
                "Several people match “{query}”: {people}. Write their @username or their id.",
                query=echo(query),
                people="; ".join(describe_person(p) for p in lookup.candidates),
            )
        )
    return None


async def _group_and_person(
    message: Message, context: BotContext, words: Sequence[str], usage: Html
) -> tuple[WorkingGroup, str] | None:
    """``GROUP PERSON`` from the words; None (and the reason said) when either is missing."""
    if not words:
        await message.reply_text(usage)
        return None
    groups = await context.services.groups.active()
    group, rest = split_group_and_rest(groups, words)
    if group is None:
        query = " ".join(words[:-1]) if len(words) > 1 else words[0]
        await message.reply_text(unknown_group(context.tr, query, groups))
        return None
    if not rest:
        await message.reply_text(usage)
        return None
    return group, rest


# /groups and its buttons


async def _listing(context: BotContext, private: bool) -> tuple[Html, InlineKeyboardMarkup | None]:
    """The active groups with member counts (ticked where the reader is a member) and buttons."""
    tr = context.tr
    reader = context.person.id if private and context.person is not None else None
    listing = await context.services.groups.listing(reader)
    if not listing.groups:
        return tr("There are no working groups yet."), None
    text = _listing_text(tr, listing, private, descriptions=True)
    if visible_length(text) > SAFE_MESSAGE_LIMIT:
        text = _listing_text(tr, listing, private, descriptions=False)
    return text, _listing_keyboard(tr, listing.groups, listing.mine, private)


def _listing_text(tr: Translator, listing: Listing, private: bool, *, descriptions: bool) -> Html:
    lines: list[str] = [tr("<b>Working groups</b>")]
    for group in listing.groups:
        tick = "✓ " if group.id in listing.mine else ""
        members = tr.plural("{n} member", "{n} members", listing.counts.get(group.id, 0))
        lines.append("")
        lines.append(f"{tick}{bold(group.name(tr.language))} · {members}")
        description = group.description(tr.language)
        if descriptions and description:
            lines.append(italic(description))
    lines.append("")
    if private:
        lines.append(tr("✓ marks your groups. Tap a button to join or leave."))
    else:
        lines.append(tr("Tap a button to join or leave."))
    return Html("\n".join(lines))


def _listing_keyboard(
    tr: Translator, groups: Sequence[WorkingGroup], mine: frozenset[int], private: bool
) -> InlineKeyboardMarkup:
    rows: list[list[InlineKeyboardButton]] = []
    for group in groups:
        name = group.name(tr.language)
        join = InlineKeyboardButton(
            _plain(tr("Join {group}"), group=name),
            callback_data=JoinButton(group.id).pack(),
        )
        leave_label = _plain(tr("Leave {group}"), group=name) if private else tr("Leave")
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
    await message.reply_text(text, reply_markup=keyboard)


async def tap_membership(update: Update, context: BotContext) -> None:
    """A Join or Leave button of /groups: change membership, update the list in place."""
    query = update.callback_query
    if query is None:
        return
    tr = context.tr
    tap = membership_button(query.data)
    group = None if tap is None else await context.services.groups.get(tap.group_id)
    if tap is None or group is None or context.person is None:
        await query.answer(tr(STALE_BUTTON), show_alert=True)
        return
    joining = isinstance(tap, JoinButton)
    answer = await _toggle(context, group, joining)
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
    if joining and private:
        chat_line = await _chat_line(context, group)
        if chat_line is not None:
            await message.reply_text(chat_line)


async def _toggle(context: BotContext, group: WorkingGroup, join: bool) -> str:
    """Join or leave from a button; the short answer shown on the tapper's screen."""
    tr = context.tr
    person = context.person
    assert person is not None
    name = group.name(tr.language)
    groups = context.services.groups
    if join:
        if await groups.join(group.id, person.id, "bot") is Joined.JOINED:
            return _plain(tr("You joined {group}."), group=name)
        return _plain(tr("You are already in {group}."), group=name)
    left = await groups.leave(group.id, person.id)
    if left is Left.NOT_MEMBER:
        return _plain(tr("You are not in {group}."), group=name)
    if left is Left.LEFT_COORDINATING:
        return _plain(tr("You left {group} and no longer coordinate it."), group=name)
    return _plain(tr("You left {group}."), group=name)


# /join, /leave, /invite


async def join_command(update: Update, context: BotContext) -> None:
    message = update.effective_message
    group = await _wanted_group(update, context, "join")
    if message is None or group is None:
        return
    await message.reply_text(await _join(context, group, "bot"))


async def leave_command(update: Update, context: BotContext) -> None:
    message = update.effective_message
    group = await _wanted_group(update, context, "leave")
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
    group = await _wanted_group(update, context, "invite")
    if message is None or group is None:
        return
    tr = context.tr
    name = group.name(tr.language)
    if await refuse_unless(update, context, Role.COORDINATOR, group.id, name):
        return
    url = deep_link(context.bot.username, StartPayload("join", group.slug))
    text = tr(
        "Invitation to the working group {group}: whoever opens this link and taps Start "
        "joins the group.\n{link}",
        group=bold(name),
        link=url,
    )
    button = InlineKeyboardButton(_plain(tr("Join {group}"), group=name), url=url)
    await message.reply_text(text, reply_markup=InlineKeyboardMarkup([[button]]))


# Secretariat: /newgroup, /linkchat, /coordinator


async def new_group(update: Update, context: BotContext) -> None:
    message = update.effective_message
    if message is None or message.text is None:
        return
    tr = context.tr
    words = message.text.split(maxsplit=1)
    form = words[1] if len(words) > 1 else ""
    parsed = parse_new_group(form)
    if isinstance(parsed, FormError):
        await message.reply_text(tr(parsed.message, **parsed.values))
        return
    group = await context.services.groups.create(parsed)
    if group is None:
        await message.reply_text(
            tr(
                "There is already a working group with the slug {slug} or the name {name}.",
                slug=parsed.slug,
                name=parsed.name,
            )
        )
        return
    await message.reply_text(
        tr(
            "Working group {group} created (slug {slug}, theme: {theme}). Its name is the same "
            "in every language until the network file gives it translations and a description."
            "\nNext: run /linkchat {slug} in its group chat, and name its coordinators with "
            "/coordinator add {slug} PERSON.",
            group=bold(parsed.name),
            slug=parsed.slug,
            theme=parsed.theme,
        )
    )


async def link_chat(update: Update, context: BotContext) -> None:
    message = update.effective_message
    if message is None:
        return
    group = await _wanted_group(update, context, "linkchat", here=False)
    if group is None:
        return
    topic = _topic_of(message)
    linked = await context.services.groups.link_chat(group, message.chat.id, topic)
    text = await _linked_text(context, message.chat.id, group, topic, linked.replaced)
    await message.reply_text(text)


async def _linked_text(
    context: BotContext,
    chat_id: int,
    group: WorkingGroup,
    topic: int | None,
    replaced_groups: Sequence[WorkingGroup],
) -> Html:
    tr = context.tr
    name = bold(group.name(tr.language))
    if topic is None:
        lines = [
            tr(
                "This chat is now the chat of the working group {group}: whoever joins it "
                "joins the group, whoever leaves it leaves the group.",
                group=name,
            )
        ]
    else:
        lines = [tr("This topic is now the place of the working group {group}.", group=name)]
    replaced = [g.name(tr.language) for g in replaced_groups]
    if replaced:
        lines.append(tr("It replaces {groups} here.", groups=", ".join(replaced)))
    if not await _bot_is_admin(context, chat_id):
        lines.append(
            tr(
                "Make me an administrator of this chat: only then does Telegram tell me "
                "who joins and leaves."
            )
        )
    return Html("\n".join(lines))


async def _bot_is_admin(context: BotContext, chat_id: int) -> bool:
    """Whether the bot administers the chat (when Telegram cannot say, assume it does)."""
    try:
        member = await context.bot.get_chat_member(chat_id, context.bot.id)
    except TelegramError as error:
        logger.warning("could not check the bot's status in chat %s: %s", chat_id, error)
        return True
    return member.status in ("administrator", "creator")


COORDINATOR_USAGE = N_(
    "Write /coordinator add GROUP PERSON or /coordinator remove GROUP PERSON "
    "(PERSON: @username, id or name)."
)


async def coordinator(update: Update, context: BotContext) -> None:
    message = update.effective_message
    if message is None:
        return
    tr = context.tr
    words = list(context.args or [])
    action = words[0].casefold() if words else ""
    if action not in ("add", "remove"):
        await message.reply_text(tr(COORDINATOR_USAGE))
        return
    target = await _group_and_person(message, context, words[1:], tr(COORDINATOR_USAGE))
    if target is None:
        return
    group, query = target
    person = await _find_person(message, context, query)
    if person is None:
        return
    if action == "add":
        text = await _appoint(context, group, person)
    else:
        text = await _dismiss(context, group, person)
    await message.reply_text(text)


async def _appoint(context: BotContext, group: WorkingGroup, person: Person) -> Html:
    tr = context.tr
    values = {"person": bold(person.name), "group": bold(group.name(tr.language))}
    if not await context.services.groups.appoint(group.id, person.id):
        return tr("{person} already coordinates the working group {group}.", **values)
    told = await _tell(
        context,
        person,
        N_(
            "You are now a coordinator of the working group {group}. /invite gives you its "
            "invitation link; /remove takes a member out of the group."
        ),
        group=group.name(_their_language(context, person)),
    )
    done = tr("{person} is now a coordinator of the working group {group}.", **values)
    return Html(f"{done}\n{_told_line(tr, told)}")


async def _dismiss(context: BotContext, group: WorkingGroup, person: Person) -> Html:
    tr = context.tr
    values = {"person": bold(person.name), "group": bold(group.name(tr.language))}
    if not await context.services.groups.dismiss(group.id, person.id):
        return tr("{person} is not a coordinator of the working group {group}.", **values)
    told = await _tell(
        context,
        person,
        N_("You are no longer a coordinator of the working group {group}; you are still a member."),
        group=group.name(_their_language(context, person)),
    )
    done = tr(
        "{person} is no longer a coordinator of the working group {group} (still a member).",
        **values,
    )
    return Html(f"{done}\n{_told_line(tr, told)}")


def _their_language(context: BotContext, person: Person) -> str:
    return context.services.i18n.for_person(person.language, person.telegram_language).language


# Coordinators: /remove


REMOVE_USAGE = N_("Write /remove GROUP PERSON (PERSON: @username, id or name).")


async def remove(update: Update, context: BotContext) -> None:
    message = update.effective_message
    if message is None:
        return
    tr = context.tr
    target = await _group_and_person(message, context, list(context.args or []), tr(REMOVE_USAGE))
    if target is None:
        return
    group, query = target
    name = group.name(tr.language)
    if await refuse_unless(update, context, Role.COORDINATOR, group.id, name):
        return
    person = await _find_person(message, context, query)
    if person is None:
        return
    await message.reply_text(await _remove(context, group, person))


async def _remove(context: BotContext, group: WorkingGroup, person: Person) -> Html:
    tr = context.tr
    values = {"person": bold(person.name), "group": bold(group.name(tr.language))}
    actor = await actor_of(context)
    assert actor is not None  # the guard let only a coordinator or the secretariat through
    removal = await context.services.groups.remove(group.id, person.id, actor)
    if removal is Removal.NOT_MEMBER:
        return tr("{person} is not a member of the working group {group}.", **values)
    if removal is Removal.COORDINATOR:
        return tr(
            "Only the secretariat can remove a coordinator of the working group {group}.", **values
        )
    told = await _tell(
        context,
        person,
        N_("You were removed from the working group {group} by one of its coordinators."),
        group=group.name(_their_language(context, person)),
    )
    done = tr("{person} is no longer a member of the working group {group}.", **values)
    return Html(f"{done}\n{_told_line(tr, told)}")


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
    await context.services.groups.follow_chat_move(change.chat.id, sender_of(user), move)


async def record_seen(update: Update, context: BotContext) -> None:
    """Whoever writes in a linked chat is recorded as seen there."""
    message = update.message
    person = context.person
    if message is None or person is None:
        return
    await context.services.groups.record_seen(message.chat.id, _topic_of(message), person.id)


def handlers() -> list[Route]:
    written_in_groups = (
        filters.ChatType.GROUPS & filters.UpdateType.MESSAGE & ~filters.StatusUpdate.ALL
    )
    return [
        (MessageHandler(written_in_groups, record_seen), SEEN_GROUP),
        (ChatMemberHandler(chat_membership, ChatMemberHandler.CHAT_MEMBER), 0),
        (CallbackQueryHandler(tap_membership, pattern=JoinButton.pattern()), 0),
        (CallbackQueryHandler(tap_membership, pattern=LeaveButton.pattern()), 0),
        route(GROUPS, list_groups),
        route(JOIN, join_command),
        route(LEAVE, leave_command),
        route(INVITE, invite),
        route(NEWGROUP, new_group),
        route(LINKCHAT, link_chat),
        route(COORDINATOR, coordinator),
        route(REMOVE, remove),
    ]
