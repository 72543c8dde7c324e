"""/start (with deep links), /help and /cancel: the first things a member meets."""

from __future__ import annotations

from telegram import Chat, Update
from telegram.ext import BaseHandler, CommandHandler, MessageHandler, filters

from bot.commands import Where, available
from bot.context import BotContext
from bot.i18n import Translator
from bot.permissions import Role
from bot.rendering import Html, bold
from bot.start import StartPayload, parse_start_payload
from handlers.guard import actor_of


async def start(update: Update, context: BotContext) -> None:
    message = update.effective_message
    if message is None:
        return
    _ = context.tr
    parts: list[str] = []
    if context.args:
        parts.append(await _follow_link(context, parse_start_payload(context.args[0])))
    parts.append(_welcome(context, update.effective_chat))
    await message.reply_text("\n\n".join(parts))


def _welcome(context: BotContext, chat: Chat | None) -> Html:
    _ = context.tr
    network = context.services.network.name_in(context.tr.language)
    person = context.person
    name = person.display_name or person.first_name if person else ""
    if chat is not None and chat.type != Chat.PRIVATE:
        return _(
            "Hello! I am the assistant of the working groups of the {network}. "
            "Write to me in a private chat to join a group and get your meetings "
            "in your own time zone.",
            network=network,
        )
    return _(
        "Welcome, {name}!\n\n"
        "I am the assistant of the working groups of the {network}. With me you keep up "
        "with your working groups, see each meeting at the right hour in your own time "
        "zone, share the good practices of your reserve and read what happened this week."
        "\n\n/help shows what you can do. /language changes my language.",
        name=name,
        network=network,
    )


async def _follow_link(context: BotContext, payload: StartPayload | None) -> Html:
    """What a deep link asked for; an unknown or stale link is said so, in one line."""
    _ = context.tr
    if payload is None:
        return _("That link is not valid (any more). Here is what I can do:")
    group = await context.repos.groups.by_slug(payload.argument)
    if group is None or not group.active:
        return _("That link is not valid (any more). Here is what I can do:")
    return _(
        "You followed an invitation to the working group {group}.",
        group=bold(group.name(_.language)),
    )


async def help_command(update: Update, context: BotContext) -> None:
    message = update.effective_message
    if message is None:
        return
    role = await _role(context)
    where = Where.PRIVATE if message.chat.type == Chat.PRIVATE else Where.GROUP
    await message.reply_text(help_text(context.tr, role, where))


def help_text(_: Translator, role: Role, where: Where) -> Html:
    lines: list[str] = [_("<b>What you can do here</b>")]
    lines += [f"/{command.name} — {_(command.description)}" for command in available(role, where)]
    return Html("\n".join(lines))


async def _role(context: BotContext) -> Role:
    actor = await actor_of(context)
    return actor.role if actor else Role.MEMBER


async def cancel(update: Update, context: BotContext) -> None:
    message = update.effective_message
    if message is not None:
        await message.reply_text(context.tr("There is nothing to cancel."))


async def unknown_command(update: Update, context: BotContext) -> None:
    message = update.effective_message
    if message is not None:
        await message.reply_text(
            context.tr("I don't know that command. /help lists what you can do.")
        )


async def plain_text(update: Update, context: BotContext) -> None:
    """Private text that no conversation is waiting for: point to /help."""
    message = update.effective_message
    if message is not None:
        await message.reply_text(
            context.tr("I did not understand that. /help lists what you can do.")
        )


def handlers() -> list[tuple[BaseHandler[Update, BotContext, None], int]]:
    return [
        (CommandHandler("start", start), 0),
        (CommandHandler("help", help_command), 0),
        (CommandHandler("cancel", cancel), 0),
    ]


def fallbacks() -> list[tuple[BaseHandler[Update, BotContext, None], int]]:
    """Catch-alls for private chats; registered after every feature's handlers in group 0."""
    private = filters.ChatType.PRIVATE
    return [
        (MessageHandler(private & filters.COMMAND, unknown_command), 0),
        (MessageHandler(private & filters.TEXT & ~filters.COMMAND, plain_text), 0),
    ]
