"""What the working-group handlers share: the group a command means, the group's chat, joining,
and the people coordinators and the secretariat name in commands."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from telegram import Chat as TelegramChat
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import Forbidden, TelegramError

from bot.context import BotContext
from bot.groups import (
    chat_link,
    describe_person,
    find_group,
    group_names,
    group_of_place,
    match_groups,
    split_group_and_rest,
    unknown_group,
)
from bot.i18n import N_, Translator
from bot.joining.service import Asked
from bot.models import MembershipSource, Person, WorkingGroup
from bot.rendering import Html, bold, echo, link

logger = logging.getLogger(__name__)


STALE_BUTTON = N_("This button is no longer valid.")


# Shared helpers


def plain(template: str, /, **values: object) -> str:
    """Fill a translated template for places without HTML (button labels, callback answers)."""
    return template.format(**values)


def topic_of(message: Message) -> int | None:
    """The forum topic a message was written in (None outside forum topics)."""
    return message.message_thread_id if message.is_topic_message else None


ChoiceButton = Callable[[Translator, WorkingGroup], InlineKeyboardButton]
"""A button that does the command for one of the groups an ambiguous name may mean."""


async def wanted_group(
    update: Update,
    context: BotContext,
    name: str,
    *,
    here: bool = True,
    choice: ChoiceButton | None = None,
) -> WorkingGroup | None:
    """The group named in the arguments, or (with none, when ``here``) the group this chat is
    linked to; else says why and returns None. A beginning several groups share lists them,
    each with its ``choice`` button when given."""
    message = update.effective_message
    if message is None:
        return None
    tr = context.tr
    groups = await context.services.groups.active()
    query = " ".join(context.args or []).strip()
    if query:
        group = find_group(groups, query)
        if group is None:
            candidates = match_groups(groups, query)
            buttons = [[choice(tr, g)] for g in candidates] if choice and candidates else None
            markup = InlineKeyboardMarkup(buttons) if buttons else None
            await message.reply_text(unknown_group(tr, query, groups), reply_markup=markup)
        return group
    if here and message.chat.type != TelegramChat.PRIVATE:
        group = group_of_place(groups, message.chat.id, topic_of(message))
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


async def where_it_talks(context: BotContext, group: WorkingGroup) -> Html | None:
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


async def joined_text(context: BotContext, group: WorkingGroup) -> Html:
    lines = [
        context.tr(
            "You joined the working group {group}.", group=bold(group.name(context.tr.language))
        )
    ]
    chat_line = await where_it_talks(context, group)
    if chat_line is not None:
        lines.append(chat_line)
    return Html("\n".join(lines))


async def join_group(context: BotContext, group: WorkingGroup, source: MembershipSource) -> Html:
    """Join the sender to the group, or ask its approvers, as its policy says; what to tell
    them."""
    person = context.person
    assert person is not None
    asked = await context.services.joining.ask(group, person, source)
    if asked is Asked.JOINED:
        return await joined_text(context, group)
    return asked_text(context.tr, asked, group)


def asked_text(tr: Translator, asked: Asked, group: WorkingGroup) -> Html:
    """What asking to join (short of joining) comes to, in one line."""
    name = bold(group.name(tr.language))
    if asked is Asked.ALREADY_MEMBER:
        return tr("You are already in the working group {group}.", group=name)
    if asked is Asked.REQUESTED:
        return tr(
            "Your request to join the working group {group} was sent to its coordinators. "
            "I will tell you their answer.",
            group=name,
        )
    if asked is Asked.WAITING:
        return tr(
            "Your request to join the working group {group} is waiting for its coordinators.",
            group=name,
        )
    return tr(
        "The working group {group} is by invitation only: ask one of its coordinators for "
        "an invitation link.",
        group=name,
    )


async def join_by_link(context: BotContext, kind: str, argument: str) -> Html | None:
    """Follow a deep link: ``inv_<token>`` (an invitation: joins directly) or ``join_<slug>``
    (the group's own link: its policy applies); None for an unknown, revoked or expired one."""
    person = context.person
    if person is None:
        return None
    if kind == "inv":
        used = await context.services.joining.use_invite(argument, person)
        if used is None:
            return None
        if used.joined:
            return await joined_text(context, used.group)
        return asked_text(context.tr, Asked.ALREADY_MEMBER, used.group)
    group = await context.services.groups.find(argument)
    if group is None or group.slug != argument:
        return None
    return await join_group(context, group, "link")


async def tell(context: BotContext, person: Person, message: str, **values: object) -> bool:
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


def told_line(tr: Translator, told: bool) -> Html:
    if told:
        return tr("I let them know.")
    return tr("They have not started a chat with me, so I could not tell them.")


async def find_person(message: Message, context: BotContext, query: str) -> Person | None:
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


async def group_and_person(
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
