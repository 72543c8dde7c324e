"""Runs before every other handler: records who wrote where, and picks their language.

The Bot API cannot list a chat's members, so the bot learns people and chats from what they
do. This handler keeps the ``people`` and ``chats`` tables current (through the presence
service), follows a group's upgrade to a supergroup, notes when the bot is added to or removed
from a chat, and puts the person and their language on the context for the handlers that follow.
"""

from __future__ import annotations

from typing import cast

from telegram import Chat as TelegramChat
from telegram import Update, User
from telegram.ext import ChatMemberHandler, TypeHandler

from bot.context import BotContext
from bot.i18n import choose_language
from bot.models import BotStatus, ChatType
from bot.presence import ChatSeen, Sender
from handlers.guard import Route

PRESENCE_GROUP = -10
"""Handler group that runs before the features' handlers (group 0)."""


def sender_of(user: User) -> Sender:
    """What Telegram says about a person, as the services take it."""
    return Sender(user.id, user.first_name, user.last_name, user.username, user.language_code)


async def remember(update: Update, context: BotContext) -> None:
    presence = context.services.presence
    chat = update.effective_chat
    if chat is not None:
        await presence.record_chat(_seen(chat))
        await _follow_migration(update, context)
    user = update.effective_user
    default = context.settings.default_language
    if user is None or user.is_bot:
        context.language = default
        return
    private = chat is not None and chat.type == TelegramChat.PRIVATE
    person = await presence.record_sender(sender_of(user), private=private)
    context.person = person
    context.language = choose_language(person.language, user.language_code, default)


def _seen(chat: TelegramChat) -> ChatSeen:
    return ChatSeen(
        chat_id=chat.id,
        type=cast(ChatType, chat.type),
        title=chat.title,
        username=chat.username,
        is_forum=bool(chat.is_forum),
    )


async def language_of(context: BotContext, update: object) -> str:
    """The language of the person behind an update, for contexts the presence step never saw."""
    if context.language is not None:
        return context.language
    default = context.settings.default_language
    user = update.effective_user if isinstance(update, Update) else None
    if user is None:
        return default
    person = await context.services.presence.person(user.id)
    return choose_language(person.language if person else None, user.language_code, default)


async def _follow_migration(update: Update, context: BotContext) -> None:
    """A group upgraded to a supergroup gets a new id: move everything that pointed to it."""
    message = update.effective_message
    if message is None or message.migrate_to_chat_id is None:
        return
    await context.services.presence.migrate_chat(message.chat.id, message.migrate_to_chat_id)


async def bot_membership(update: Update, context: BotContext) -> None:
    """The bot was added to, promoted in, or removed from a chat."""
    change = update.my_chat_member
    if change is None:
        return
    status = cast(BotStatus, change.new_chat_member.status)
    await context.services.presence.bot_status(change.chat.id, status)


def handlers() -> list[Route]:
    return [
        (TypeHandler(Update, remember), PRESENCE_GROUP),
        (ChatMemberHandler(bot_membership, ChatMemberHandler.MY_CHAT_MEMBER), 0),
    ]
