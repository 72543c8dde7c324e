"""Working groups: /groups with Join and Leave buttons, /join, /leave, invitations by deep link,
the linked group chat (who joins, leaves and writes there), and the secretariat's and
coordinators' commands: /newgroup, /linkchat, /coordinator, /remove, /invite."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from telegram import Chat as TelegramChat
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot.context import BotContext
from bot.groups import (
    ChatMove,
    FormError,
    PersonLookup,
    chat_link,
    chat_move,
    describe_person,
    find_group,
    group_names,
    group_of_place,
    membership_callback,
    name_taken,
    parse_membership_callback,
    parse_new_group,
    pick_person,
    split_group_and_rest,
    unknown_group,
)
from bot.i18n import LANGUAGES, N_, Translator
from bot.permissions import Role
from bot.rendering import SAFE_MESSAGE_LIMIT, Html, bold, echo, italic, link, visible_length
from bot.start import StartPayload, deep_link
from handlers.guard import Handler, actor_of, command, refuse_unless
from handlers.presence import remember_user
from storage import MembershipSource, Person, WorkingGroup

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
    groups = await context.repos.groups.list()
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
    chat = await context.repos.chats.get(group.chat_id)
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
    now = context.services.clock.now()
    if await context.repos.groups.join(group.id, person.id, now, source):
        return await _joined_text(context, group)
    return context.tr(
        "You are already in the working group {group}.",
        group=bold(group.name(context.tr.language)),
    )


async def join_by_link(context: BotContext, slug: str) -> Html | None:
    """Follow an invitation deep link (``/start join_<slug>``); None for an unknown group."""
    group = await context.repos.groups.by_slug(slug)
    if group is None or not group.active or context.person is None:
        return None
    return await _join(context, group, "link")


async def _tell(context: BotContext, person: Person, message: str, **values: object) -> bool:
    """Write to a person the bot may write to, in their language; False when it could not."""
    if person.telegram_id is None or person.started_at is None or not person.reachable:
        return False
    tr = context.services.i18n.for_person(person.language, person.telegram_language)
    named = {key: bold(value) for key, value in values.items()}
    try:
        await context.bot.send_message(person.telegram_id, tr(message, **named))
    except Forbidden:
        await context.repos.people.mark_unreachable(person.id, context.services.clock.now())
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
    lookup: PersonLookup = pick_person(query, await context.repos.people.search(query))
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
    groups = await context.repos.groups.list()
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
    repos = context.repos
    groups = await repos.groups.list()
    if not groups:
        return tr("There are no working groups yet."), None
    counts = await repos.groups.member_counts()
    mine: set[int] = set()
    if private and context.person is not None:
        mine = {m.group_id for m in await repos.groups.memberships_of(context.person.id)}
    text = _listing_text(tr, groups, counts, mine, private, descriptions=True)
    if visible_length(text) > SAFE_MESSAGE_LIMIT:
        text = _listing_text(tr, groups, counts, mine, private, descriptions=False)
    return text, _listing_keyboard(tr, groups, mine, private)


def _listing_text(
    tr: Translator,
    groups: Sequence[WorkingGroup],
    counts: dict[int, int],
    mine: set[int],
    private: bool,
    *,
    descriptions: bool,
) -> Html:
    lines: list[str] = [tr("<b>Working groups</b>")]
    for group in groups:
        tick = "✓ " if group.id in mine else ""
        members = tr.plural("{n} member", "{n} members", counts.get(group.id, 0))
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
    tr: Translator, groups: Sequence[WorkingGroup], mine: set[int], private: bool
) -> InlineKeyboardMarkup:
    rows: list[list[InlineKeyboardButton]] = []
    for group in groups:
        name = group.name(tr.language)
        join = InlineKeyboardButton(
            _plain(tr("Join {group}"), group=name),
            callback_data=membership_callback(True, group.id),
        )
        leave_label = _plain(tr("Leave {group}"), group=name) if private else tr("Leave")
        leave = InlineKeyboardButton(
            leave_label, callback_data=membership_callback(False, group.id)
        )
        if private:
            rows.append([leave if group.id in mine else join])
        else:
            rows.append([join, leave])
    return InlineKeyboardMarkup(rows)


@command("groups")
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
    tap = parse_membership_callback(query.data)
    group = None
    if tap is not None:
        group = next((g for g in await context.repos.groups.list() if g.id == tap.group_id), None)
    if tap is None or group is None or context.person is None:
        await query.answer(tr(STALE_BUTTON), show_alert=True)
        return
    answer = await _toggle(context, group, tap.join)
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
    if tap.join and private:
        chat_line = await _chat_line(context, group)
        if chat_line is not None:
            await message.reply_text(chat_line)


async def _toggle(context: BotContext, group: WorkingGroup, join: bool) -> str:
    """Join or leave from a button; the short answer shown on the tapper's screen."""
    tr = context.tr
    person = context.person
    assert person is not None
    name = group.name(tr.language)
    now = context.services.clock.now()
    if join:
        if await context.repos.groups.join(group.id, person.id, now, "bot"):
            return _plain(tr("You joined {group}."), group=name)
        return _plain(tr("You are already in {group}."), group=name)
    before = await context.repos.groups.leave(group.id, person.id, now)
    if before is None:
        return _plain(tr("You are not in {group}."), group=name)
    if before.role == "coordinator":
        return _plain(tr("You left {group} and no longer coordinate it."), group=name)
    return _plain(tr("You left {group}."), group=name)


# /join, /leave, /invite


@command("join")
async def join_command(update: Update, context: BotContext) -> None:
    message = update.effective_message
    group = await _wanted_group(update, context, "join")
    if message is None or group is None:
        return
    await message.reply_text(await _join(context, group, "bot"))


@command("leave")
async def leave_command(update: Update, context: BotContext) -> None:
    message = update.effective_message
    group = await _wanted_group(update, context, "leave")
    person = context.person
    if message is None or group is None or person is None:
        return
    tr = context.tr
    name = bold(group.name(tr.language))
    before = await context.repos.groups.leave(group.id, person.id, context.services.clock.now())
    if before is None:
        text = tr("You are not a member of the working group {group}.", group=name)
    elif before.role == "coordinator":
        text = tr(
            "You left the working group {group}. You are no longer one of its coordinators.",
            group=name,
        )
    else:
        text = tr("You left the working group {group}.", group=name)
    await message.reply_text(text)


@command("invite")
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


@command("newgroup")
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
    existing = await context.repos.groups.list(active_only=False)
    if name_taken(existing, parsed.slug, parsed.name):
        await message.reply_text(
            tr(
                "There is already a working group with the slug {slug} or the name {name}.",
                slug=parsed.slug,
                name=parsed.name,
            )
        )
        return
    names = dict.fromkeys(LANGUAGES, parsed.name)
    now = context.services.clock.now()
    group = await context.repos.groups.create(parsed.slug, parsed.theme, names, now)
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


@command("linkchat")
async def link_chat(update: Update, context: BotContext) -> None:
    message = update.effective_message
    if message is None:
        return
    group = await _wanted_group(update, context, "linkchat", here=False)
    if group is None:
        return
    topic = _topic_of(message)
    now = context.services.clock.now()
    unlinked = await context.repos.groups.link_chat_alone(group.id, message.chat.id, topic, now)
    groups = await context.repos.groups.list()
    text = await _linked_text(context, message.chat.id, group, topic, unlinked, groups)
    await message.reply_text(text)


async def _linked_text(
    context: BotContext,
    chat_id: int,
    group: WorkingGroup,
    topic: int | None,
    unlinked: Sequence[int],
    groups: Sequence[WorkingGroup],
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
    replaced = [g.name(tr.language) for g in groups if g.id in unlinked]
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


@command("coordinator")
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
    now = context.services.clock.now()
    if not await context.repos.groups.appoint(group.id, person.id, now):
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
    if not await context.repos.groups.dismiss(group.id, person.id):
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


@command("remove")
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
    membership = await context.repos.groups.membership(group.id, person.id)
    if membership is None or not membership.current:
        return tr("{person} is not a member of the working group {group}.", **values)
    actor = await actor_of(context)
    if membership.coordinator and not (actor and actor.secretariat):
        return tr(
            "Only the secretariat can remove a coordinator of the working group {group}.", **values
        )
    await context.repos.groups.leave(group.id, person.id, context.services.clock.now())
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
    groups = await context.repos.groups.linked_to_chat(change.chat.id)
    if not groups:
        return
    now = context.services.clock.now()
    person = await remember_user(context, user, private=False)
    for group in groups:
        if move is ChatMove.JOINED and group.topic_id is None:
            await context.repos.groups.join(group.id, person.id, now, "chat")
        elif move is ChatMove.LEFT:
            await context.repos.groups.leave(group.id, person.id, now)


async def record_seen(update: Update, context: BotContext) -> None:
    """Whoever writes in a linked chat is recorded as seen there."""
    message = update.message
    person = context.person
    if message is None or person is None:
        return
    now = context.services.clock.now()
    await context.repos.groups.record_seen(message.chat.id, _topic_of(message), person.id, now)


COMMAND_HANDLERS: dict[str, Handler] = {
    "groups": list_groups,
    "join": join_command,
    "leave": leave_command,
    "invite": invite,
    "newgroup": new_group,
    "linkchat": link_chat,
    "coordinator": coordinator,
    "remove": remove,
}


def handlers() -> list[tuple[BaseHandler[Update, BotContext, None], int]]:
    written_in_groups = (
        filters.ChatType.GROUPS & filters.UpdateType.MESSAGE & ~filters.StatusUpdate.ALL
    )
    commands: list[tuple[BaseHandler[Update, BotContext, None], int]] = [
        (CommandHandler(name, handler), 0) for name, handler in COMMAND_HANDLERS.items()
    ]
    return [
        (MessageHandler(written_in_groups, record_seen), SEEN_GROUP),
        (ChatMemberHandler(chat_membership, ChatMemberHandler.CHAT_MEMBER), 0),
        (CallbackQueryHandler(tap_membership, pattern=r"^g[jl]:"), 0),
        *commands,
    ]
