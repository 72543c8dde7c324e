"""Command menus: ``setMyCommands`` per scope (private, groups, group admins) and language,
per chat for people and linked group chats, and the bot's name and descriptions per language.

Derived from ``bot.commands.COMMANDS``. Publishing is non-essential: a failure is logged as a
warning and the bot keeps running with whatever menus Telegram had.

The broad menus (every private chat, every group) follow the phone's language. A person's own
private chat gets a menu of its own (``BotCommandScopeChat``, no language code, so the phone's
language does not matter) once they chose a language with /language or have a role above
member: their role's commands in their language. A linked group chat that chose a language
gets its members' and its administrators' menus in it. What was set is kept in ``chat_menus``;
the due work :class:`ChatMenus` sets what changed, a few calls a round.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Final

from telegram import (
    Bot,
    BotCommand,
    BotCommandScope,
    BotCommandScopeAllChatAdministrators,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
    BotCommandScopeChatAdministrators,
)
from telegram.error import BadRequest, TelegramError

from bot.clock import Clock
from bot.commands import Where, available
from bot.i18n import LANGUAGES, N_, I18n, choose_language
from bot.permissions import Role
from bot.runtime import DueWork, DueWorkRuntime
from storage import Repositories
from storage.menus import MenuReader

if TYPE_CHECKING:
    from bot.context import WnmrcApplication

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


def commands_for(i18n: I18n, role: Role, where: Where, language: str) -> tuple[BotCommand, ...]:
    """The commands of ``role`` in a chat of kind ``where``, described in ``language``."""
    tr = i18n.translator(language)
    return tuple(BotCommand(c.name, tr(c.description)) for c in available(role, where))


# --- a menu per chat ------------------------------------------------------------------------

GROUP_MENU: Final = "group"
"""The role part of a group chat's menu key (its members' and administrators' menus)."""


def private_menu(role: Role, chosen: str | None, telegram_code: str | None) -> str | None:
    """The menu key of a person's private chat ("coordinator:fr"); None when the broad menu
    in the phone's language is theirs (a member who never chose a language)."""
    if role is Role.MEMBER and chosen not in LANGUAGES:
        return None
    return f"{role.name.lower()}:{choose_language(chosen, telegram_code, 'en')}"


def group_menu(language: str | None) -> str | None:
    """The menu key of a linked group chat: only once it chose a language."""
    return f"{GROUP_MENU}:{language}" if language in LANGUAGES else None


@dataclass(frozen=True)
class MenuChange:
    """One chat whose menu is to be set (``menu``) or given back to the broad one (None)."""

    chat_id: int
    person_id: int | None
    menu: str | None
    first: bool
    """Never set before: a secretariat chat's per-language menus, which earlier versions set,
    are cleared."""


def changes(
    wanted: dict[int, tuple[int | None, str | None]], published: dict[int, str]
) -> list[MenuChange]:
    """What to set so that every chat has the menu it should (``wanted``: chat -> (person,
    menu)); chats no longer wanted give theirs back."""
    found = [
        MenuChange(chat_id, person_id, menu, chat_id not in published)
        for chat_id, (person_id, menu) in wanted.items()
        if menu is not None and published.get(chat_id) != menu
    ]
    wanted_ids = {chat_id for chat_id, (_, menu) in wanted.items() if menu is not None}
    found += [
        MenuChange(chat_id, None, None, False) for chat_id in sorted(published.keys() - wanted_ids)
    ]
    return found


class MenusService:
    """Which chats need a menu of their own, and what was set."""

    def __init__(
        self,
        repos: Repositories,
        clock: Clock,
        runtime: DueWorkRuntime,
        secretariat: frozenset[int],
    ) -> None:
        self._repos = repos
        self._clock = clock
        self._runtime = runtime
        self._secretariat = secretariat
        self.dirty = True
        """Something may have changed: look at the next round (the sweep looks anyway)."""

    def changed(self) -> None:
        """A language or a role changed: set the menus that follow from it now."""
        self.dirty = True
        self._runtime.wake()

    def role_of(self, reader: MenuReader) -> Role:
        if reader.telegram_id in self._secretariat:
            return Role.SECRETARIAT
        return Role.COORDINATOR if reader.coordinates else Role.MEMBER

    async def pending(self) -> list[MenuChange]:
        """Every chat whose menu differs from what it should be."""
        wanted: dict[int, tuple[int | None, str | None]] = {}
        for reader in await self._repos.menus.readers():
            menu = private_menu(self.role_of(reader), reader.language, reader.telegram_language)
            wanted[reader.telegram_id] = (reader.person_id, menu)
        for chat in await self._repos.menus.group_chats():
            wanted[chat.chat_id] = (None, group_menu(chat.language))
        return changes(wanted, await self._repos.menus.published())

    async def record(self, change: MenuChange) -> None:
        if change.menu is None:
            await self._repos.menus.forget(change.chat_id)
        else:
            now = self._clock.now()
            await self._repos.menus.record(change.chat_id, change.person_id, change.menu, now)


class ChatMenus:
    """Sets the menus of the chats whose language or role changed, a few calls a round."""

    name = "menus"
    CALLS_PER_ROUND: Final = 20
    """Telegram allows about 30 calls a second overall; the outbox shares them."""

    def __init__(self, menus: MenusService, bot: Bot, i18n: I18n) -> None:
        self._menus = menus
        self._bot = bot
        self._i18n = i18n
        self._next: datetime | None = None

    async def next_due(self, now: datetime) -> datetime | None:
        return now if self._menus.dirty else self._next

    async def run_due(self, now: datetime) -> None:
        self._menus.dirty = False
        pending = await self._menus.pending()
        calls = 0
        for change in pending:
            if calls >= self.CALLS_PER_ROUND:
                self._next = now + timedelta(seconds=1)
                return
            calls += await self._apply(change)
        self._next = None

    async def _apply(self, change: MenuChange) -> int:
        """Set one chat's menus; returns how many calls it took."""
        calls = 0
        try:
            for scope, commands in self._scoped(change):
                calls += 1
                if commands:
                    await self._bot.set_my_commands(commands, scope=scope)
                else:
                    await self._bot.delete_my_commands(scope=scope)
            if change.first and (change.menu or "").startswith("secretariat:"):
                calls += await self._clear_per_language(change.chat_id)
        except BadRequest as error:  # the chat is gone or moved: trying again would not help
            logger.warning("gave up the menu of chat %d: %s", change.chat_id, error.message)
        except TelegramError as error:  # a time-out, a flood wait: the next round tries again
            logger.warning("could not set the menu of chat %d: %s", change.chat_id, error)
            return calls
        await self._menus.record(change)
        return calls

    def _scoped(self, change: MenuChange) -> list[tuple[BotCommandScope, tuple[BotCommand, ...]]]:
        chat = change.chat_id
        if change.menu is None:
            return [(BotCommandScopeChat(chat), ())]
        role_name, language = change.menu.split(":")
        if role_name == GROUP_MENU:
            return [
                (BotCommandScopeChat(chat), self._commands(Role.MEMBER, Where.GROUP, language)),
                (
                    BotCommandScopeChatAdministrators(chat),
                    self._commands(Role.COORDINATOR, Where.GROUP, language),
                ),
            ]
        role = Role[role_name.upper()]
        return [(BotCommandScopeChat(chat), self._commands(role, Where.PRIVATE, language))]

    def _commands(self, role: Role, where: Where, language: str) -> tuple[BotCommand, ...]:
        return commands_for(self._i18n, role, where, language)

    async def _clear_per_language(self, chat_id: int) -> int:
        """Drop the chat's menus in one language (the menus an older version set for the
        secretariat), so its own menu shows whatever the phone's language."""
        for language in LANGUAGES:
            if language != "en":
                await self._bot.delete_my_commands(
                    scope=BotCommandScopeChat(chat_id), language_code=language
                )
        return len(LANGUAGES) - 1


def chat_menus(application: WnmrcApplication) -> DueWork:
    """The application's per-chat menus as due work."""
    services = application.services
    return ChatMenus(services.menus, application.bot, services.i18n)


# --- the bot's name and descriptions ----------------------------------------------------------

PROFILE_TEXTS: Final = {
    "name": N_("Mountain Biosphere Reserves"),
    "description": N_(
        "The assistant of the working groups of the World Network of Mountain Biosphere "
        "Reserves: join a working group, see who is in it and their local time, meetings with "
        "reminders in your time zone, digests, and the experiences the reserves share. "
        "Press Start to begin."
    ),
    "short_description": N_(
        "Working groups of the World Network of Mountain Biosphere Reserves: members, "
        "meetings, digests and experiences."
    ),
}
"""The bot's name, description and short description; the Bot API's field names."""


async def publish_profile(bot: Bot, i18n: I18n) -> int:
    """Set the bot's name and descriptions in every language where they differ from what
    Telegram has (setMyName is rate-limited hard); returns how many were set."""
    changed = 0
    for language in LANGUAGES:
        code = None if language == "en" else language
        tr = i18n.translator(language)
        texts = {field: str(tr(message)) for field, message in PROFILE_TEXTS.items()}
        try:
            changed += await _publish_profile_in(bot, code, texts)
        except TelegramError as error:
            logger.warning("could not publish the bot's profile (%s): %s", code or "default", error)
    return changed


async def _publish_profile_in(bot: Bot, code: str | None, texts: dict[str, str]) -> int:
    changed = 0
    if (await bot.get_my_name(language_code=code)).name != texts["name"]:
        await bot.set_my_name(texts["name"], language_code=code)
        changed += 1
    if (await bot.get_my_description(language_code=code)).description != texts["description"]:
        await bot.set_my_description(texts["description"], language_code=code)
        changed += 1
    short = (await bot.get_my_short_description(language_code=code)).short_description
    if short != texts["short_description"]:
        await bot.set_my_short_description(texts["short_description"], language_code=code)
        changed += 1
    return changed
