"""The bot's lease on its database: one running bot per database (see migration 0010)."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from storage.database import Database
from storage.timecodec import from_db, to_db


@dataclass(frozen=True)
class Lease:
    """Who holds the database: a process on a host, and when it last said it was alive."""

    holder: str
    host: str
    pid: int
    taken_at: datetime
    heartbeat_at: datetime


class LeaseRepository:
    """Reads and writes the single row of ``bot_lease``."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def current(self) -> Lease | None:
        row = await self._db.fetch_one(
            "SELECT holder, host, pid, taken_at, heartbeat_at FROM bot_lease WHERE id = 1"
        )
        if row is None:
            return None
        return Lease(
            holder=row["holder"],
            host=row["host"],
            pid=row["pid"],
            taken_at=from_db(row["taken_at"]),
            heartbeat_at=from_db(row["heartbeat_at"]),
        )

    async def take(
        self, mine: Lease, *, stale_before: datetime, gone: Callable[[Lease], bool]
    ) -> Lease | None:
        """Take the lease unless someone else holds it with a heartbeat since ``stale_before``
        and is not ``gone``; returns that holder when refused, None when taken."""
        async with self._db.transaction() as conn:
            held = await self.current()
            if (
                held is not None
                and held.holder != mine.holder
                and held.heartbeat_at >= stale_before
                and not gone(held)
            ):
                return held
            await conn.execute(
                "INSERT OR REPLACE INTO bot_lease (id, holder, host, pid, taken_at, heartbeat_at)"
                " VALUES (1, ?, ?, ?, ?, ?)",
                (mine.holder, mine.host, mine.pid, to_db(mine.taken_at), to_db(mine.heartbeat_at)),
            )
        return None

    async def renew(self, holder: str, now: datetime) -> bool:
        """Move the heartbeat; False when the lease is no longer ``holder``'s."""
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "UPDATE bot_lease SET heartbeat_at = ? WHERE id = 1 AND holder = ?",
                (to_db(now), holder),
            )
            renewed = cursor.rowcount > 0
            await cursor.close()
        return renewed

    async def release(self, holder: str) -> None:
        async with self._db.transaction() as conn:
            await conn.execute("DELETE FROM bot_lease WHERE id = 1 AND holder = ?", (holder,))
