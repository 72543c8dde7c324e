"""Digest schedules (one per target) and the items each target was already sent.

A schedule is a row with its frequency and ``next_due_at`` (UTC); the runtime queues the digest
through the outbox, then :meth:`DigestsRepository.record` stores the items it carried and moves
the schedule to its next period in one transaction.
"""

import builtins
import json
from collections.abc import Collection, Iterable
from datetime import datetime
from typing import Final, Literal

import aiosqlite
from pydantic import AwareDatetime, BaseModel, ConfigDict

from storage.database import Database
from storage.models import Person
from storage.people import person_from_row
from storage.rows import row_dict
from storage.timecodec import from_db, to_db

DigestTargetKind = Literal["group", "network", "person"]
DigestFrequency = Literal["daily", "weekly", "monthly", "off"]

_TIME_COLUMNS: Final = ("next_due_at", "covered_until", "last_sent_at", "created_at", "updated_at")


class DigestSchedule(BaseModel):
    """When a target gets its next digest, and how far its last one looked."""

    model_config = ConfigDict(frozen=True)

    id: int
    target: DigestTargetKind
    group_id: int | None
    person_id: int | None
    frequency: DigestFrequency
    next_due_at: AwareDatetime | None
    covered_until: AwareDatetime
    """News after this time is new for the target."""
    last_sent_at: AwareDatetime | None
    created_at: AwareDatetime
    updated_at: AwareDatetime


class JoinedMember(BaseModel):
    """A current member of a group and when they joined it."""

    model_config = ConfigDict(frozen=True)

    person: Person
    group_id: int
    joined_at: AwareDatetime


_INSERT: Final = """
INSERT OR IGNORE INTO digest_schedules
    (target, group_id, person_id, frequency, next_due_at, covered_until, created_at, updated_at)
VALUES (:target, :group_id, :person_id, :frequency, :next_due_at, :covered_until, :now, :now)
"""

_SET_PERSON: Final = """
INSERT INTO digest_schedules
    (target, person_id, frequency, next_due_at, covered_until, created_at, updated_at)
VALUES ('person', :person_id, :frequency, :next_due_at, :covered_until, :now, :now)
ON CONFLICT (person_id) DO UPDATE SET
    frequency = excluded.frequency,
    next_due_at = excluded.next_due_at,
    covered_until = max(covered_until, excluded.covered_until),
    updated_at = excluded.updated_at
RETURNING *
"""

_SET_FREQUENCY: Final = """
UPDATE digest_schedules
SET frequency = :frequency, next_due_at = :next_due_at,
    covered_until = max(covered_until, :covered_until), updated_at = :now
WHERE id = :id
RETURNING *
"""

_RECORD_ITEM: Final = """
INSERT OR IGNORE INTO digest_sent_items (schedule_id, item_key, sent_at) VALUES (?, ?, ?)
"""

_ADVANCE: Final = """
UPDATE digest_schedules
SET next_due_at = CASE WHEN :period IS NOT NULL AND next_due_at = :period
                       THEN :next_due_at ELSE next_due_at END,
    covered_until = max(covered_until, :covered_until),
    last_sent_at = CASE WHEN :sent THEN :now ELSE last_sent_at END,
    updated_at = :now
WHERE id = :id
"""

_NEW_MEMBERS: Final = """
SELECT p.*, m.group_id AS member_group_id, m.joined_at AS member_joined_at
FROM group_members AS m
JOIN people AS p ON p.id = m.person_id
JOIN working_groups AS g ON g.id = m.group_id AND g.active = 1
WHERE m.left_at IS NULL AND m.joined_at > :since AND m.joined_at <= :until
  AND m.group_id IN (SELECT value FROM json_each(:groups))
ORDER BY m.joined_at, p.id, m.group_id
"""


def _schedule(row: aiosqlite.Row) -> DigestSchedule:
    return DigestSchedule.model_validate(row_dict(row, _TIME_COLUMNS))


def _stamp(moment: datetime | None) -> str | None:
    return None if moment is None else to_db(moment)


class DigestsRepository:
    """Reads and writes ``digest_schedules`` and ``digest_sent_items``."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def ensure(
        self,
        target: DigestTargetKind,
        *,
        next_due_at: datetime,
        covered_until: datetime,
        now: datetime,
        group_id: int | None = None,
        frequency: DigestFrequency = "weekly",
    ) -> bool:
        """Create the default schedule of a group or of the network unless it exists."""
        params = {
            "target": target,
            "group_id": group_id,
            "person_id": None,
            "frequency": frequency,
            "next_due_at": to_db(next_due_at),
            "covered_until": to_db(covered_until),
            "now": to_db(now),
        }
        async with self._db.transaction() as conn:
            cursor = await conn.execute(_INSERT, params)
            return cursor.rowcount > 0

    async def set_personal(
        self,
        person_id: int,
        frequency: DigestFrequency,
        next_due_at: datetime | None,
        covered_until: datetime,
        now: datetime,
    ) -> DigestSchedule:
        """Switch a person's digest on (with a frequency) or off."""
        params = {
            "person_id": person_id,
            "frequency": frequency,
            "next_due_at": _stamp(next_due_at),
            "covered_until": to_db(covered_until),
            "now": to_db(now),
        }
        async with self._db.transaction() as conn, conn.execute(_SET_PERSON, params) as cursor:
            row = await cursor.fetchone()
        assert row is not None
        return _schedule(row)

    async def set_frequency(
        self,
        schedule_id: int,
        frequency: DigestFrequency,
        next_due_at: datetime | None,
        covered_until: datetime,
        now: datetime,
    ) -> DigestSchedule | None:
        params = {
            "id": schedule_id,
            "frequency": frequency,
            "next_due_at": _stamp(next_due_at),
            "covered_until": to_db(covered_until),
            "now": to_db(now),
        }
        async with self._db.transaction() as conn, conn.execute(_SET_FREQUENCY, params) as cursor:
            row = await cursor.fetchone()
        return None if row is None else _schedule(row)

    async def get(self, schedule_id: int) -> DigestSchedule | None:
        row = await self._db.fetch_one(
            "SELECT * FROM digest_schedules WHERE id = ?", (schedule_id,)
        )
        return None if row is None else _schedule(row)

    async def for_group(self, group_id: int) -> DigestSchedule | None:
        row = await self._db.fetch_one(
            "SELECT * FROM digest_schedules WHERE group_id = ?", (group_id,)
        )
        return None if row is None else _schedule(row)

    async def for_person(self, person_id: int) -> DigestSchedule | None:
        row = await self._db.fetch_one(
            "SELECT * FROM digest_schedules WHERE person_id = ?", (person_id,)
        )
        return None if row is None else _schedule(row)

    async def network(self) -> DigestSchedule | None:
        row = await self._db.fetch_one("SELECT * FROM digest_schedules WHERE target = 'network'")
        return None if row is None else _schedule(row)

    async def due(self, now: datetime) -> builtins.list[DigestSchedule]:
        """Schedules whose next digest is due, oldest first."""
        rows = await self._db.fetch_all(
            "SELECT * FROM digest_schedules WHERE next_due_at IS NOT NULL AND next_due_at <= ?"
            " ORDER BY next_due_at, id",
            (to_db(now),),
        )
        return [_schedule(row) for row in rows]

    async def next_due_at(self) -> datetime | None:
        """The earliest next digest of any schedule."""
        value = await self._db.fetch_value("SELECT min(next_due_at) FROM digest_schedules")
        return None if value is None else from_db(value)

    async def sent_keys(self, schedule_id: int, keys: Collection[str]) -> frozenset[str]:
        """Which of these item keys the schedule's target was already sent."""
        if not keys:
            return frozenset()
        rows = await self._db.fetch_all(
            "SELECT item_key FROM digest_sent_items WHERE schedule_id = ?"
            " AND item_key IN (SELECT value FROM json_each(?))",
            (schedule_id, json.dumps(sorted(keys))),
        )
        return frozenset(str(row[0]) for row in rows)

    async def record(
        self,
        schedule_id: int,
        *,
        keys: Iterable[str],
        covered_until: datetime,
        now: datetime,
        period: datetime | None = None,
        next_due_at: datetime | None = None,
        sent: bool = True,
    ) -> None:
        """Store the items sent and move the schedule on, in one transaction.

        With ``period`` (the due time served), ``next_due_at`` replaces it only if the schedule
        still waits for that period; without, the schedule keeps its next due time (``now``).
        """
        stamp = to_db(now)
        params = {
            "id": schedule_id,
            "period": _stamp(period),
            "next_due_at": _stamp(next_due_at),
            "covered_until": to_db(covered_until),
            "sent": int(sent),
            "now": stamp,
        }
        async with self._db.transaction() as conn:
            await conn.executemany(_RECORD_ITEM, [(schedule_id, key, stamp) for key in keys])
            await conn.execute(_ADVANCE, params)

    async def new_members(
        self, group_ids: Collection[int], since: datetime, until: datetime
    ) -> builtins.list[JoinedMember]:
        """Current members of these groups who joined in ``(since, until]``, oldest first."""
        params = {
            "groups": json.dumps(sorted(group_ids)),
            "since": to_db(since),
            "until": to_db(until),
        }
        return [
            JoinedMember(
                person=person_from_row(row),
                group_id=int(row["member_group_id"]),
                joined_at=from_db(row["member_joined_at"]),
            )
            for row in await self._db.fetch_all(_NEW_MEMBERS, params)
        ]
