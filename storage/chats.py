"""Chats the bot is in, and a group's move to a new id when it becomes a supergroup."""

from datetime import datetime
from typing import Final

import aiosqlite

from storage.database import Database
from storage.models import BotStatus, Chat, ChatType
from storage.rows import expect_row, row_dict
from storage.timecodec import to_db

_CHAT_COLUMNS: Final = (
    "id, type, title, username, is_forum, language, timezone, migrated_to, bot_status"
)

_UPSERT: Final = f"""
INSERT INTO chats (id, type, title, username, is_forum, created_at, updated_at)
VALUES (:id, :type, :title, :username, :is_forum, :now, :now)
ON CONFLICT (id) DO UPDATE SET
    type = excluded.type,
    title = excluded.title,
    username = excluded.username,
    is_forum = excluded.is_forum,
    updated_at = excluded.updated_at
RETURNING {_CHAT_COLUMNS}
"""

# The supergroup inherits the group's row; settings already made on it win over the group's.
_CARRY_FORWARD: Final = """
INSERT INTO chats (id, type, title, username, is_forum, language, timezone, bot_status,
                   created_at, updated_at)
SELECT :new, 'supergroup', title, username, is_forum, language, timezone, bot_status,
       created_at, :now
FROM chats WHERE id = :old
ON CONFLICT (id) DO UPDATE SET
    language = coalesce(chats.language, excluded.language),
    timezone = coalesce(chats.timezone, excluded.timezone),
    updated_at = excluded.updated_at
"""

_ENSURE_SUPERGROUP: Final = """
INSERT INTO chats (id, type, created_at, updated_at) VALUES (:new, 'supergroup', :now, :now)
ON CONFLICT (id) DO NOTHING
"""

_MARK_MIGRATED: Final = """
INSERT INTO chats (id, type, migrated_to, created_at, updated_at)
VALUES (:old, 'group', :new, :now, :now)
ON CONFLICT (id) DO UPDATE SET migrated_to = excluded.migrated_to, updated_at = excluded.updated_at
"""

_REFERENCES_TO_CHATS: Final = """
SELECT m.name AS table_name, f."from" AS column_name
FROM sqlite_master AS m, pragma_foreign_key_list(m.name) AS f
WHERE m.type = 'table' AND lower(f."table") = 'chats'
"""


def _chat(row: aiosqlite.Row) -> Chat:
    return Chat.model_validate(row_dict(row))


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


async def _repoint_references(conn: aiosqlite.Connection, old_id: int, new_id: int) -> None:
    """Point every foreign key that names chats(id) from the old id to the new one."""
    async with conn.execute(_REFERENCES_TO_CHATS) as cursor:
        references = [(row["table_name"], row["column_name"]) for row in await cursor.fetchall()]
    for table, column in references:
        sql = f"UPDATE {_quote(table)} SET {_quote(column)} = ? WHERE {_quote(column)} = ?"
        await conn.execute(sql, (new_id, old_id))


class ChatsRepository:
    """Reads and writes the `chats` table."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def get(self, chat_id: int) -> Chat | None:
        row = await self._db.lookup(f"SELECT {_CHAT_COLUMNS} FROM chats WHERE id = ?", (chat_id,))
        return None if row is None else _chat(row)

    async def upsert(
        self,
        *,
        chat_id: int,
        type: ChatType,
        title: str | None,
        username: str | None,
        is_forum: bool,
        now: datetime,
    ) -> Chat:
        """Record what Telegram says about a chat; keeps the bot's own settings for it."""
        params = {
            "id": chat_id,
            "type": type,
            "title": title,
            "username": username,
            "is_forum": is_forum,
            "now": to_db(now),
        }
        async with self._db.transaction() as conn, conn.execute(_UPSERT, params) as cursor:
            row = expect_row(await cursor.fetchone(), "chats upsert")
        return _chat(row)

    async def migrate(self, old_id: int, new_id: int, now: datetime) -> None:
        """A group became the supergroup `new_id`: move its settings and everything linked to it.

        The new row inherits the old one (or keeps its own values if the bot already saw the
        supergroup), every foreign key to the old id is re-pointed, and the old row stays as a
        marker with `migrated_to = new_id` so a late update from the old id can be redirected.
        """
        params = {"old": old_id, "new": new_id, "now": to_db(now)}
        async with self._db.transaction() as conn:
            await conn.execute(_CARRY_FORWARD, params)
            await conn.execute(_ENSURE_SUPERGROUP, params)
            await _repoint_references(conn, old_id, new_id)
            await conn.execute(_MARK_MIGRATED, params)

    async def set_bot_status(self, chat_id: int, status: BotStatus | None, now: datetime) -> None:
        """Remember the bot's membership status in a chat (None: unknown)."""
        async with self._db.transaction() as conn:
            await conn.execute(
                "UPDATE chats SET bot_status = ?, updated_at = ? WHERE id = ?",
                (status, to_db(now), chat_id),
            )

    async def set_language(self, chat_id: int, language: str | None, now: datetime) -> None:
        """The language the bot writes in to this chat (None: the network's default)."""
        await self._set("language", chat_id, language, now)

    async def set_timezone(self, chat_id: int, zone: str | None, now: datetime) -> None:
        """The IANA zone this chat reads times in (None: its working group's, else the default)."""
        await self._set("timezone", chat_id, zone, now)

    async def _set(self, column: str, chat_id: int, value: str | None, now: datetime) -> None:
        # `column` is always one of this module's literals, never user input.
        sql = f"UPDATE chats SET {column} = ?, updated_at = ? WHERE id = ?"
        async with self._db.transaction() as conn:
            await conn.execute(sql, (value, to_db(now), chat_id))
