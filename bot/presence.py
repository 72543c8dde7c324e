"""Presence: who wrote where. The bot learns people and chats from what they do.

Runs for every update (through ``handlers/presence.py``): a known person or chat whose details
are unchanged costs one read and no write transaction.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.clock import Clock
from storage import BotStatus, ChatType, Person, Repositories


@dataclass(frozen=True)
class Sender:
    """What Telegram says about the person behind an update."""

    telegram_id: int
    first_name: str
    last_name: str | None
    username: str | None
    language_code: str | None


@dataclass(frozen=True)
class ChatSeen:
    """What an update says about its chat."""

    chat_id: int
    type: ChatType
    title: str | None
    username: str | None
    is_forum: bool


class PresenceService:
    """Keeps the ``people`` and ``chats`` tables current from the updates the bot receives."""

    def __init__(self, repos: Repositories, clock: Clock) -> None:
        self._repos = repos
        self._clock = clock

    async def record_sender(self, sender: Sender, *, private: bool) -> Person:
        """The person behind an update, recorded (``private``: they wrote to the bot)."""
        return await self._repos.people.record_presence(
            telegram_id=sender.telegram_id,
            first_name=sender.first_name,
            last_name=sender.last_name,
            username=sender.username,
            language_code=sender.language_code,
            private=private,
            now=self._clock.now(),
        )

    async def person(self, telegram_id: int) -> Person | None:
        return await self._repos.people.by_telegram_id(telegram_id)

    async def record_chat(self, seen: ChatSeen) -> None:
        """Store the chat when it is new or its title, username or forum flag changed."""
        known = await self._repos.chats.get(seen.chat_id)
        if known is not None and (known.type, known.title, known.username, known.is_forum) == (
            seen.type,
            seen.title,
            seen.username,
            seen.is_forum,
        ):
            return
        await self._repos.chats.upsert(
            chat_id=seen.chat_id,
            type=seen.type,
            title=seen.title,
            username=seen.username,
            is_forum=seen.is_forum,
            now=self._clock.now(),
        )

    async def migrate_chat(self, old_id: int, new_id: int) -> None:
        """A group upgraded to a supergroup: move everything that pointed to its old id."""
        await self._repos.chats.migrate(old_id, new_id, self._clock.now())

    async def bot_status(self, chat_id: int, status: BotStatus) -> None:
        """The bot was added to, promoted in, or removed from a chat."""
        await self._repos.chats.set_bot_status(chat_id, status, self._clock.now())
