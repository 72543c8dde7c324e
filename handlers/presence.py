"""Runs before every other handler: records who wrote where, and picks their language.

The Bot API cannot list a chat's members, so the bot learns people and chats from what they
do. This handler keeps the ``people`` and ``chats`` tables current, follows a group's upgrade to
a supergroup, notes when the bot is added to or removed from a chat, and puts the person and
their language on the context for the handlers that follow.
"""

from __future__ import annotations

from typing import cast

from telegram import Chat as TelegramChat
from telegram import Update, User
from telegram.ext import BaseHandler, ChatMemberHandler, TypeHandler

from bot.context import BotContext
from bot.i18n import choose_language
from storage import BotStatus, Chat, ChatType, Person

PRESENCE_GROUP = -10
"""Handler group that runs before the features' handlers (group 0)."""


async def remember(update: Update, context: BotContext) -> None:
    chat = update.effective_chat
    if chat is not None:
        await _remember_chat(context, chat)
        await _follow_migration(update, context)
    user = update.effective_user
    default = context.settings.default_language
    if user is None or user.is_bot:
        context.language = default
        return
    person = await _record_sender(context, user, chat)
    context.person = person
    context.language = choose_language(person.language, user.language_code, default)


async def _record_sender(context: BotContext, user: User, chat: TelegramChat | None) -> Person:
    """Like :func:`remember_user`, with no write when nothing but the time changed."""
    return await context.repos.people.record_presence(
        telegram_id=user.id,
        first_name=user.first_name,
        last_name=user.last_name,
        username=user.username,
        language_code=user.language_code,
        private=chat is not None and chat.type == TelegramChat.PRIVATE,
        now=context.services.clock.now(),
    )


async def remember_user(context: BotContext, user: User, *, private: bool) -> Person:
    """Record (or refresh) what Telegram says about a person; ``private``: they wrote to us."""
    return await context.repos.people.upsert_from_telegram(
        telegram_id=user.id,
        first_name=user.first_name,
        last_name=user.last_name,
        username=user.username,
        language_code=user.language_code,
        private=private,
        now=context.services.clock.now(),
    )


async def language_of(context: BotContext, update: object) -> str:
    """The language of the person behind an update, for contexts the presence step never saw."""
    if context.language is not None:
        return context.language
    default = context.settings.default_language
    user = update.effective_user if isinstance(update, Update) else None
    if user is None:
        return default
    person = await context.repos.people.by_telegram_id(user.id)
    return choose_language(person.language if person else None, user.language_code, default)


async def _remember_chat(context: BotContext, chat: TelegramChat) -> None:
    """Store the chat when it is new or its title, username or forum flag changed."""
    known = await context.repos.chats.get(chat.id)
    if known is not None and not _chat_changed(known, chat):
        return
    await context.repos.chats.upsert(
        chat_id=chat.id,
        type=cast(ChatType, chat.type),
        title=chat.title,
        username=chat.username,
        is_forum=bool(chat.is_forum),
        now=context.services.clock.now(),
    )


def _chat_changed(known: Chat, chat: TelegramChat) -> bool:
    return (known.type, known.title, known.username, known.is_forum) != (
        chat.type,
        chat.title,
        chat.username,
        bool(chat.is_forum),
    )


async def _follow_migration(update: Update, context: BotContext) -> None:
    """A group upgraded to a supergroup gets a new id: move everything that pointed to it."""
    message = update.effective_message
    if message is None or message.migrate_to_chat_id is None:
        return
    await context.repos.chats.migrate(
        message.chat.id, message.migrate_to_chat_id, context.services.clock.now()
    )


async def bot_membership(update: Update, context: BotContext) -> None:
    """The bot was added to, promoted in, or removed from a chat."""
    change = update.my_chat_member
    if change is None:
        return
    await context.repos.chats.set_bot_status(
        change.chat.id,
        cast(BotStatus, change.new_chat_member.status),
        context.services.clock.now(),
    )


def handlers() -> list[tuple[BaseHandler[Update, BotContext, None], int]]:
    return [
        (TypeHandler(Update, remember), PRESENCE_GROUP),
        (ChatMemberHandler(bot_membership, ChatMemberHandler.MY_CHAT_MEMBER), 0),
    ]
