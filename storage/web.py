"""The web face's rows: secret calendar feed addresses (migration 0014).

A feed belongs to one person or one working group; each has at most one address at a time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Final

from storage.database import Database
from storage.timecodec import to_db

_OWNER_COLUMN: Final = {"person": "person_id", "group": "group_id"}


@dataclass(frozen=True)
class FeedOwner:
    """Whose feed an address serves: a person's (their groups) or one working group's."""

    kind: str
    """``person`` or ``group``."""
    id: int


class WebRepository:
    """Reads and replaces calendar feed addresses."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def feed_token(self, owner: FeedOwner) -> str | None:
        """The owner's current address token, or None when they have none yet."""
        column = _OWNER_COLUMN[owner.kind]
        value = await self._db.fetch_value(
            f"SELECT token FROM calendar_feeds WHERE {column} = ?", (owner.id,)
        )
        return None if value is None else str(value)

    async def ensure_feed_token(self, owner: FeedOwner, token: str, now: datetime) -> str:
        """The owner's address token: the one they have, else ``token``, kept (two first asks
        at once agree on one)."""
        column = _OWNER_COLUMN[owner.kind]
        async with self._db.transaction() as conn:
            await conn.execute(
                f"INSERT OR IGNORE INTO calendar_feeds (token, {column}, created_at)"
                " VALUES (?, ?, ?)",
                (token, owner.id, to_db(now)),
            )
            cursor = await conn.execute(
                f"SELECT token FROM calendar_feeds WHERE {column} = ?", (owner.id,)
            )
            row = await cursor.fetchone()
        assert row is not None  # just written, or there already
        return str(row[0])

    async def replace_feed_token(self, owner: FeedOwner, token: str, now: datetime) -> None:
        """Give the owner ``token`` as their only address (the old one stops working)."""
        column = _OWNER_COLUMN[owner.kind]
        async with self._db.transaction() as conn:
            await conn.execute(f"DELETE FROM calendar_feeds WHERE {column} = ?", (owner.id,))
            await conn.execute(
                f"INSERT INTO calendar_feeds (token, {column}, created_at) VALUES (?, ?, ?)",
                (token, owner.id, to_db(now)),
            )

    async def feed_owner(self, token: str) -> FeedOwner | None:
        """Whose feed ``token`` opens, or None for an unknown or replaced address."""
        row = await self._db.fetch_one(
            "SELECT person_id, group_id FROM calendar_feeds WHERE token = ?", (token,)
        )
        if row is None:
            return None
        if row["person_id"] is not None:
            return FeedOwner("person", int(row["person_id"]))
        return FeedOwner("group", int(row["group_id"]))
