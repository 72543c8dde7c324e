"""The secretariat's and coordinators' commands: /newgroup, /linkchat, /coordinator, /remove."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from telegram import Update
from telegram.error import TelegramError

from bot.context import BotContext
from bot.formats import format_names
from bot.groups import (
    FormError,
    parse_new_group,
)
from bot.groups.service import Removal
from bot.i18n import N_
from bot.models import Person, WorkingGroup
from bot.permissions import Role
from bot.rendering import Html, bold
from handlers.groups.common import (
    find_person,
    group_and_person,
    tell,
    told_line,
    topic_of,
    wanted_group,
)
from handlers.guard import actor_of, refuse_unless

logger = logging.getLogger(__name__)


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
        # Translators: {slug} is the group's short identifier, typed in commands: never translated;
        # PERSON is what to type (translate it).
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
    group = await wanted_group(update, context, "linkchat", here=False)
    if group is None:
        return
    topic = topic_of(message)
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
        # Translators: {groups} are the working groups this chat was linked to before.
        lines.append(tr("It replaces {groups} here.", groups=format_names(replaced, tr.language)))
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
    target = await group_and_person(message, context, words[1:], tr(COORDINATOR_USAGE))
    if target is None:
        return
    group, query = target
    person = await find_person(message, context, query)
    if person is None:
        return
    if action == "add":
        text = await _appoint(context, group, person)
    else:
        text = await _dismiss(context, group, person)
    context.services.menus.changed()  # their private menu follows their role
    await message.reply_text(text)


async def _appoint(context: BotContext, group: WorkingGroup, person: Person) -> Html:
    tr = context.tr
    values = {"person": bold(person.name), "group": bold(group.name(tr.language))}
    if not await context.services.groups.appoint(group.id, person.id):
        return tr("{person} already coordinates the working group {group}.", **values)
    told = await tell(
        context,
        person,
        N_(
            "You are now a coordinator of the working group {group}. /invite gives you its "
            "invitation link; /remove takes a member out of the group."
        ),
        group=group.name(_their_language(context, person)),
    )
    done = tr("{person} is now a coordinator of the working group {group}.", **values)
    return Html(f"{done}\n{told_line(tr, told)}")


async def _dismiss(context: BotContext, group: WorkingGroup, person: Person) -> Html:
    tr = context.tr
    values = {"person": bold(person.name), "group": bold(group.name(tr.language))}
    if not await context.services.groups.dismiss(group.id, person.id):
        return tr("{person} is not a coordinator of the working group {group}.", **values)
    told = await tell(
        context,
        person,
        N_("You are no longer a coordinator of the working group {group}; you are still a member."),
        group=group.name(_their_language(context, person)),
    )
    done = tr(
        "{person} is no longer a coordinator of the working group {group} (still a member).",
        **values,
    )
    return Html(f"{done}\n{told_line(tr, told)}")


def _their_language(context: BotContext, person: Person) -> str:
    return context.services.i18n.for_person(person.language, person.telegram_language).language


# Coordinators: /remove


REMOVE_USAGE = N_("Write /remove GROUP PERSON (PERSON: @username, id or name).")


async def remove(update: Update, context: BotContext) -> None:
    message = update.effective_message
    if message is None:
        return
    tr = context.tr
    target = await group_and_person(message, context, list(context.args or []), tr(REMOVE_USAGE))
    if target is None:
        return
    group, query = target
    name = group.name(tr.language)
    if await refuse_unless(update, context, Role.COORDINATOR, group.id, name):
        return
    person = await find_person(message, context, query)
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
    told = await tell(
        context,
        person,
        N_("You were removed from the working group {group} by one of its coordinators."),
        group=group.name(_their_language(context, person)),
    )
    done = tr("{person} is no longer a member of the working group {group}.", **values)
    return Html(f"{done}\n{told_line(tr, told)}")
