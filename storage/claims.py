"""Claims of an imported participant-list row by a new account with its @username (migration
0016). ``storage/people.py`` proposes them; the secretariat confirms (the row is merged into the
account) or rejects (they stay apart)."""

from __future__ import annotations

import builtins
from datetime import datetime
from typing import Final, Literal

import aiosqlite
from pydantic import AwareDatetime, BaseModel, ConfigDict

from storage.database import Database
from storage.rows import row_dict
from storage.timecodec import from_db, to_db

ClaimStatus = Literal["pending", "confirmed", "rejected"]


class Claim(BaseModel):
    """A new account's claim of an imported row."""

    model_config = ConfigDict(frozen=True)

    id: int
    account_id: int
    imported_id: int | None
    status: ClaimStatus
    decided_by: int | None
    notice_due_at: AwareDatetime | None
    created_at: AwareDatetime
    decided_at: AwareDatetime | None


_TIMES: Final = ("notice_due_at", "created_at", "decided_at")

_DECIDE: Final = """
UPDATE identity_claims SET status = :status, decided_by = :by, decided_at = :now,
    notice_due_at = NULL
WHERE id = :id AND status = 'pending' AND imported_id IS NOT NULL
RETURNING *
"""

# What the person set themselves wins over the list: only empty fields take the row's values.
_TAKE_PROFILE: Final = """
UPDATE people SET
    display_name = coalesce(people.display_name, i.display_name),
    reserve = coalesce(people.reserve, i.reserve),
    country = coalesce(people.country, i.country),
    organisation = coalesce(people.organisation, i.organisation),
    role = coalesce(people.role, i.role),
    email = coalesce(people.email, i.email),
    timezone = coalesce(people.timezone, i.timezone),
    language = coalesce(people.language, i.language),
    spoken_languages = CASE people.spoken_languages WHEN '[]' THEN i.spoken_languages
                       ELSE people.spoken_languages END,
    interests = CASE people.interests WHEN '[]' THEN i.interests ELSE people.interests END,
    imported = i.imported,
    updated_at = :now
FROM (SELECT * FROM people WHERE id = :imported) AS i
WHERE people.id = :account
"""

# The row's memberships become the account's; a current one brings the account back in (a
# coordinator stays coordinator), a former one is kept as history.
_TAKE_MEMBERSHIPS: Final = """
INSERT INTO group_members (group_id, person_id, role, joined_at, left_at, source)
SELECT group_id, :account, role, joined_at, left_at, source FROM group_members
WHERE person_id = :imported AND true
ON CONFLICT (group_id, person_id) DO UPDATE SET
    left_at = NULL,
    role = CASE WHEN excluded.role = 'coordinator' THEN 'coordinator' ELSE group_members.role END
WHERE excluded.left_at IS NULL
"""


def _claim(row: aiosqlite.Row) -> Claim:
    return Claim.model_validate(row_dict(row, _TIMES))


class ClaimsRepository:
    """Claims of imported rows, the secretariat's notices about them, and their decisions."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def get(self, claim_id: int) -> Claim | None:
        row = await self._db.fetch_one("SELECT * FROM identity_claims WHERE id = ?", (claim_id,))
        return None if row is None else _claim(row)

    async def next_notice_at(self) -> datetime | None:
        """When the earliest notice to the secretariat is due (None: none waits)."""
        value = await self._db.fetch_value(
            "SELECT min(notice_due_at) FROM identity_claims"
            " WHERE notice_due_at IS NOT NULL AND status = 'pending'"
        )
        return None if value is None else from_db(value)

    async def notices_due(self, now: datetime) -> builtins.list[Claim]:
        rows = await self._db.fetch_all(
            "SELECT * FROM identity_claims WHERE notice_due_at <= ? AND status = 'pending'"
            " ORDER BY notice_due_at, id",
            (to_db(now),),
        )
        return [_claim(row) for row in rows]

    async def notice_queued(self, claim_id: int, again_at: datetime | None) -> None:
        """The notice is queued (``again_at`` None), or nobody could get it yet: try again then."""
        async with self._db.transaction() as conn:
            await conn.execute(
                "UPDATE identity_claims SET notice_due_at = ? WHERE id = ?",
                (None if again_at is None else to_db(again_at), claim_id),
            )

    async def pending(self, limit: int) -> tuple[builtins.list[Claim], int]:
        """The oldest claims waiting for the secretariat (up to ``limit``), and how many wait."""
        rows = await self._db.fetch_all(
            "SELECT * FROM identity_claims WHERE status = 'pending' AND imported_id IS NOT NULL"
            " ORDER BY created_at, id LIMIT ?",
            (limit,),
        )
        total = await self._db.fetch_value(
            "SELECT count(*) FROM identity_claims"
            " WHERE status = 'pending' AND imported_id IS NOT NULL"
        )
        return [_claim(row) for row in rows], int(total or 0)

    async def pending_of(self, account_id: int) -> builtins.list[Claim]:
        rows = await self._db.fetch_all(
            "SELECT * FROM identity_claims WHERE account_id = ? AND status = 'pending'",
            (account_id,),
        )
        return [_claim(row) for row in rows]

    async def decide(self, claim_id: int, confirmed: bool, by: int, now: datetime) -> Claim | None:
        """Confirm or reject a pending claim (the first decision wins); None once decided."""
        params = {
            "id": claim_id,
            "status": "confirmed" if confirmed else "rejected",
            "by": by,
            "now": to_db(now),
        }
        async with self._db.transaction() as conn, conn.execute(_DECIDE, params) as cursor:
            row = await cursor.fetchone()
        return None if row is None else _claim(row)

    async def merge(self, account_id: int, imported_id: int, now: datetime) -> None:
        """The imported row becomes part of the account: its profile fills the account's empty
        fields, its memberships become the account's, and the row is deleted."""
        params = {"account": account_id, "imported": imported_id, "now": to_db(now)}
        async with self._db.transaction() as conn:
            await conn.execute(_TAKE_PROFILE, params)
            await conn.execute(_TAKE_MEMBERSHIPS, params)
            await conn.execute(
                "DELETE FROM people WHERE id = ? AND telegram_id IS NULL", (imported_id,)
            )
