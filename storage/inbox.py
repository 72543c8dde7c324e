"""The update inbox: updates fetched from Telegram, kept until handled (see migration 0010)."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from storage.database import Database
from storage.timecodec import to_db


@dataclass(frozen=True)
class InboxUpdate:
    """One update as Telegram sent it (JSON text), with its id and its sender's Telegram id;
    without payload (nor sender) when it is dropped on arrival: stored as handled."""

    update_id: int
    sender_id: int | None
    payload: str | None


_INSERT: Final = (
    "INSERT INTO update_inbox (update_id, sender_id, payload, received_at, handled_at) VALUES "
)
_ROW: Final = "(?, ?, ?, ?, ?)"
_HANDLED: Final = (
    "UPDATE update_inbox SET handled_at = ?, payload = NULL, sender_id = NULL"
    " WHERE handled_at IS NULL AND update_id IN "
)
_FORGET_CONFIRMED: Final = "DELETE FROM update_inbox WHERE update_id < ? AND handled_at IS NOT NULL"
BATCH: Final = 100
"""Rows one statement stores (a getUpdates answer holds at most 100 updates)."""
MARKS: Final = 500
"""Updates one statement marks handled."""


class InboxRepository:
    """Reads and writes ``update_inbox``; every write is one transaction for a whole batch."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def known(self, update_ids: Sequence[int]) -> set[int]:
        """Which of these updates the inbox already holds (Telegram delivered them again)."""
        if not update_ids:
            return set()
        marks = ", ".join("?" * len(update_ids))
        rows = await self._db.fetch_all(
            f"SELECT update_id FROM update_inbox WHERE update_id IN ({marks})", update_ids
        )
        return {int(row[0]) for row in rows}

    async def store(
        self, updates: Sequence[InboxUpdate], now: datetime, *, confirmed_below: int | None
    ) -> None:
        """Store new updates, all or none: one statement for a batch of Telegram's size.

        ``confirmed_below``: Telegram has confirmed every update below this id (the offset of
        the getUpdates call that fetched these), so handled rows below it are deleted.
        Each write is one statement, so one trip to the writer's thread: the next getUpdates
        call waits for this one.
        """
        received = to_db(now)
        rows = [
            (u.update_id, u.sender_id, u.payload, received, None if u.payload else received)
            for u in updates
        ]
        if confirmed_below is not None:
            await self._db.write_one(_FORGET_CONFIRMED, (confirmed_below,))
        if not rows:
            return
        if len(rows) <= BATCH:
            await self._db.write_one(_INSERT + ", ".join([_ROW] * len(rows)), _flat(rows))
            return
        async with self._db.transaction() as conn:
            await conn.executemany(_INSERT + _ROW, rows)

    async def mark_handled(self, update_ids: Iterable[int], now: datetime) -> None:
        """The updates are handled: their rows lose the payload and sender, keep id and times."""
        handled = to_db(now)
        ids = list(update_ids)
        for start in range(0, len(ids), MARKS):
            chunk = ids[start : start + MARKS]
            marks = ", ".join("?" * len(chunk))
            await self._db.write_one(f"{_HANDLED}({marks})", (handled, *chunk))

    async def next_update_id(self) -> int:
        """One past the newest update the inbox holds (0 when empty): Telegram numbers updates
        in increasing order, so an update from here on is new."""
        newest = await self._db.fetch_value("SELECT max(update_id) FROM update_inbox")
        return 0 if newest is None else int(newest) + 1

    async def pending(self) -> list[tuple[int, str]]:
        """(update_id, payload) of every update stored and not handled, oldest first."""
        rows = await self._db.fetch_all(
            "SELECT update_id, payload FROM update_inbox WHERE handled_at IS NULL"
            " ORDER BY update_id"
        )
        return [(int(row[0]), str(row[1])) for row in rows]

    async def counts(self) -> tuple[int, int]:
        """(pending, handled) rows: what the inbox holds."""
        row = await self._db.fetch_one(
            "SELECT count(*) FILTER (WHERE handled_at IS NULL),"
            " count(*) FILTER (WHERE handled_at IS NOT NULL) FROM update_inbox"
        )
        return (int(row[0]), int(row[1])) if row else (0, 0)


def _flat(rows: Sequence[tuple[object, ...]]) -> tuple[object, ...]:
    return tuple(value for row in rows for value in row)
