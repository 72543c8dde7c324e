"""The command menus set per chat (table ``chat_menus``) and who should have one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Final

from storage.database import Database
from storage.timecodec import to_db

_READERS: Final = """
SELECT p.id, p.telegram_id, p.language, p.telegram_language,
       EXISTS (SELECT 1 FROM group_members AS m JOIN working_groups AS g ON g.id = m.group_id
               WHERE m.person_id = p.id AND m.role = 'coordinator' AND m.left_at IS NULL
                 AND g.active = 1) AS coordinates
FROM people AS p
WHERE p.telegram_id IS NOT NULL AND p.started_at IS NOT NULL AND p.reachable = 1
ORDER BY p.id
"""

_GROUP_CHATS: Final = """
SELECT DISTINCT c.id, c.language FROM chats AS c JOIN working_groups AS g ON g.chat_id = c.id
WHERE g.active = 1 AND c.type IN ('group', 'supergroup') AND c.migrated_to IS NULL
ORDER BY c.id
"""

_RECORD: Final = """
INSERT INTO chat_menus (chat_id, person_id, menu, published_at) VALUES (?, ?, ?, ?)
ON CONFLICT (chat_id) DO UPDATE SET
    person_id = excluded.person_id, menu = excluded.menu, published_at = excluded.published_at
"""


@dataclass(frozen=True)
class MenuReader:
    """A person the bot may write to in private, with what decides their menu."""

    person_id: int
    telegram_id: int
    language: str | None
    telegram_language: str | None
    coordinates: bool


@dataclass(frozen=True)
class GroupChatMenu:
    """A linked group chat and the language it chose (None: none)."""

    chat_id: int
    language: str | None


class MenusRepository:
    """Reads and writes ``chat_menus``."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def readers(self) -> list[MenuReader]:
        """Everyone who started the bot and is reachable, with their language and whether they
        coordinate a working group."""
        rows = await self._db.fetch_all(_READERS)
        return [
            MenuReader(
                int(row["id"]),
                int(row["telegram_id"]),
                row["language"],
                row["telegram_language"],
                bool(row["coordinates"]),
            )
            for row in rows
        ]

    async def group_chats(self) -> list[GroupChatMenu]:
        """The chats linked to an active working group."""
        rows = await self._db.fetch_all(_GROUP_CHATS)
        return [GroupChatMenu(int(row["id"]), row["language"]) for row in rows]

    async def published(self) -> dict[int, str]:
        """Each chat with a menu of its own, and that menu."""
        rows = await self._db.fetch_all("SELECT chat_id, menu FROM chat_menus")
        return {int(row["chat_id"]): str(row["menu"]) for row in rows}

    async def record(self, chat_id: int, person_id: int | None, menu: str, now: datetime) -> None:
        async with self._db.transaction() as conn:
            await conn.execute(_RECORD, (chat_id, person_id, menu, to_db(now)))

    async def forget(self, chat_id: int) -> None:
        """The chat has no menu of its own any more."""
        async with self._db.transaction() as conn:
            await conn.execute("DELETE FROM chat_menus WHERE chat_id = ?", (chat_id,))
