"""Command menus: ``setMyCommands`` per scope (private, groups, group admins) and language.

Derived from ``bot.commands.COMMANDS``. Publishing is non-essential: a failure is logged as a
warning and the bot keeps running with whatever menus Telegram had.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass

from telegram import (
    Bot,
    BotCommand,
    BotCommandScope,
    BotCommandScopeAllChatAdministrators,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
)
from telegram.error import TelegramError

from bot.commands import Where, available
from bot.i18n import LANGUAGES, I18n
from bot.permissions import Role

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Menu:
    scope: BotCommandScope
    language_code: str
    """"" for the default menu (English), else a two-letter code."""
    commands: tuple[BotCommand, ...]


def menus(i18n: I18n, secretariat_ids: frozenset[int] = frozenset()) -> Iterator[Menu]:
    """Every menu to publish: each scope in each language, plus the secretariat's own chats."""
    scopes: list[tuple[BotCommandScope, Role, Where]] = [
        (BotCommandScopeAllPrivateChats(), Role.MEMBER, Where.PRIVATE),
        (BotCommandScopeAllGroupChats(), Role.MEMBER, Where.GROUP),
        (BotCommandScopeAllChatAdministrators(), Role.COORDINATOR, Where.GROUP),
    ]
    scopes += [
        (BotCommandScopeChat(chat_id), Role.SECRETARIAT, Where.PRIVATE)
        for chat_id in sorted(secretariat_ids)
    ]
    for scope, role, where in scopes:
        for language in LANGUAGES:
            tr = i18n.translator(language)
            commands = tuple(
                BotCommand(command.name, tr(command.description))
                for command in available(role, where)
            )
            yield Menu(scope, "" if language == "en" else language, commands)


async def publish_menus(bot: Bot, i18n: I18n, secretariat_ids: frozenset[int]) -> int:
    """Publish all menus; returns how many failed (each failure logged as a warning)."""
    failed = 0
    for menu in menus(i18n, secretariat_ids):
        try:
            await bot.set_my_commands(
                menu.commands, scope=menu.scope, language_code=menu.language_code or None
            )
        except TelegramError as error:
            failed += 1
            logger.warning(
                "could not publish the %s menu (%s): %s",
                menu.scope.type,
                menu.language_code or "default",
                error,
            )
    return failed
