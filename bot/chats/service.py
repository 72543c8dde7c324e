"""A group chat's own language and zone: who may choose them, and what follows a choice.

The chat's digests move to 09:00 in its new zone; its command menu follows its language
(through the menus' due work).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from zoneinfo import ZoneInfo

from bot.access import Actor
from bot.chats.rules import chat_language, chat_zone, may_configure
from bot.clock import Clock
from bot.digests.service import DigestsService
from storage import Repositories, WorkingGroup


class ChatRight(Enum):
    ALLOWED = "allowed"
    NOT_LINKED = "not linked to a working group"
    NOT_COORDINATOR = "not a coordinator of its group"


@dataclass(frozen=True)
class ChatSettings:
    """What a chat reads: its language and zone, and whether it chose them."""

    language: str
    zone: ZoneInfo
    chosen_language: bool
    chosen_zone: bool


class ChatsService:
    """The settings of group chats."""

    def __init__(
        self,
        repos: Repositories,
        clock: Clock,
        digests: DigestsService,
        default_language: str,
        menus_changed: Callable[[], None],
    ) -> None:
        self._repos = repos
        self._clock = clock
        self._digests = digests
        self._default_language = default_language
        self._menus_changed = menus_changed

    async def linked_groups(self, chat_id: int) -> list[WorkingGroup]:
        """The active groups whose chat (or one of its topics) this is."""
        return [g for g in await self._repos.groups.list() if g.chat_id == chat_id]

    async def right(self, actor: Actor, chat_id: int) -> ChatRight:
        """Whether ``actor`` may choose this chat's language and zone."""
        linked = await self.linked_groups(chat_id)
        if not linked and not actor.secretariat:
            return ChatRight.NOT_LINKED
        if may_configure(actor, (g.id for g in linked)):
            return ChatRight.ALLOWED
        return ChatRight.NOT_COORDINATOR

    async def settings(self, chat_id: int) -> ChatSettings:
        """The chat's language and zone as the bot uses them now."""
        chat = await self._repos.chats.get(chat_id)
        linked = await self.linked_groups(chat_id)
        group_zone = linked[0].timezone if linked else None
        fallback = self._digests.default_zone
        language, zone = (chat.language, chat.timezone) if chat else (None, None)
        return ChatSettings(
            chat_language(language, self._default_language),
            chat_zone(zone, group_zone, fallback),
            chosen_language=language is not None,
            chosen_zone=zone is not None,
        )

    async def set_language(self, chat_id: int, language: str) -> None:
        """What the bot posts in the chat is written in ``language`` from now on."""
        await self._repos.chats.set_language(chat_id, language, self._clock.now())
        self._menus_changed()

    async def set_zone(self, chat_id: int, zone: str) -> None:
        """The chat reads times in ``zone``; its digests come at 09:00 there."""
        await self._repos.chats.set_timezone(chat_id, zone, self._clock.now())
        await self._digests.follow_chat_zone(g.id for g in await self.linked_groups(chat_id))
