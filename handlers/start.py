"""/start (with deep links), /help and /cancel: the first things a member meets.

/cancel and the conversations it stops live in :mod:`handlers.drafts`.
"""

from __future__ import annotations

from functools import lru_cache

from telegram import Chat, Update
from telegram.ext import CallbackQueryHandler, MessageHandler, filters

from bot.commands import HELP, START, Where, available
from bot.context import BotContext
from bot.i18n import Translator
from bot.permissions import Role
from bot.rendering import Html
from bot.start import StartPayload, parse_start_payload
from handlers import drafts
from handlers.groups import join_by_link
from handlers.guard import Route, actor_of, route
from handlers.replies import answer
from handlers.taps import refuse_stale


async def start(update: Update, context: BotContext) -> None:
    message = update.effective_message
    if message is None:
        return
    _ = context.tr
    parts: list[str] = []
    if context.args:
        parts.append(await _follow_link(context, parse_start_payload(context.args[0])))
    parts.append(_welcome(context, update.effective_chat))
    context.services.menus.changed()  # a newcomer with a role gets their menu now
    await answer(message, "\n\n".join(parts))


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
    joined = await join_by_link(context, payload.kind, payload.argument)
    if joined is None:
        return _("That link is not valid (any more). Here is what I can do:")
    return joined


async def help_command(update: Update, context: BotContext) -> None:
    message = update.effective_message
    if message is None:
        return
    role = await _role(context)
    where = Where.PRIVATE if message.chat.type == Chat.PRIVATE else Where.GROUP
    await answer(message, help_text(context.tr, role, where))


@lru_cache(maxsize=64)
def help_text(_: Translator, role: Role, where: Where) -> Html:
    """The commands a role may use in a kind of chat (one text per language, role and place:
    the catalogs and the command table never change while the bot runs)."""
    lines: list[str] = [_("<b>What you can do here</b>")]
    lines += [f"/{command.name} — {_(command.description)}" for command in available(role, where)]
    return Html("\n".join(lines))


async def _role(context: BotContext) -> Role:
    actor = await actor_of(context)
    return actor.role if actor else Role.MEMBER


async def unknown_command(update: Update, context: BotContext) -> None:
    message = update.effective_message
    if message is not None:
        await answer(message, context.tr("I don't know that command. /help lists what you can do."))


def handlers() -> list[Route]:
    return [route(START, start), route(HELP, help_command), *drafts.handlers()]


def fallbacks() -> list[Route]:
    """Catch-alls for private chats; registered after every feature's handlers in group 0."""
    private = filters.ChatType.PRIVATE
    return [
        (MessageHandler(private & filters.COMMAND, unknown_command), 0),
        (drafts.text_handler(), 0),
        (CallbackQueryHandler(unknown_button), 0),
    ]


async def unknown_button(update: Update, context: BotContext) -> None:
    """A tap whose data no feature declares (forged, or from a version long gone)."""
    query = update.callback_query
    if query is not None:
        await refuse_stale(query, context)
