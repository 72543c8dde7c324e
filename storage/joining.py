"""Joining working groups: each group's join policy, requests to join and their decisions, and
invitation links (migration 0016)."""

from __future__ import annotations

import builtins
from datetime import datetime
from typing import Final, Literal

import aiosqlite
from pydantic import AwareDatetime, BaseModel, ConfigDict

from storage.database import Database
from storage.models import JoinPolicy
from storage.rows import expect_row, row_dict
from storage.timecodec import from_db, to_db

RequestStatus = Literal["pending", "approved", "declined", "expired"]
RequestVia = Literal["bot", "chat"]


class _Record(BaseModel):
    model_config = ConfigDict(frozen=True)


class JoinRequest(_Record):
    """A request to join a group (or its linked chat), and its decision once taken."""

    id: int
    group_id: int
    person_id: int
    via: RequestVia
    chat_id: int | None
    status: RequestStatus
    decided_by: int | None
    created_at: AwareDatetime
    expires_at: AwareDatetime
    decided_at: AwareDatetime | None


class Invite(_Record):
    """An invitation link of a group."""

    id: int
    group_id: int
    token: str
    created_by: int | None
    max_uses: int
    uses: int
    created_at: AwareDatetime
    expires_at: AwareDatetime
    revoked_at: AwareDatetime | None


_REQUEST_TIMES: Final = ("created_at", "expires_at", "decided_at")
_INVITE_TIMES: Final = ("created_at", "expires_at", "revoked_at")

_EXPIRE_PAST: Final = """
UPDATE join_requests SET status = 'expired'
WHERE group_id = :group_id AND person_id = :person_id AND status = 'pending' AND expires_at <= :now
"""

_EXPIRE_DUE: Final = """
UPDATE join_requests SET status = 'expired'
WHERE status = 'pending' AND expires_at <= :now
RETURNING *
"""

_DECIDE: Final = """
UPDATE join_requests SET status = :status, decided_by = :by, decided_at = :now
WHERE id = :id AND status = 'pending' AND expires_at > :now
RETURNING *
"""

_USE_INVITE: Final = """
UPDATE group_invites SET uses = uses + 1
WHERE token = :token AND revoked_at IS NULL AND expires_at > :now AND uses < max_uses
RETURNING *
"""

_WAS_ADMITTED: Final = """
SELECT EXISTS (SELECT 1 FROM group_members WHERE group_id = :group_id AND person_id = :person_id)
    OR EXISTS (SELECT 1 FROM join_requests WHERE group_id = :group_id
               AND person_id = :person_id AND status = 'approved')
"""


def _request(row: aiosqlite.Row) -> JoinRequest:
    return JoinRequest.model_validate(row_dict(row, _REQUEST_TIMES))


def _invite(row: aiosqlite.Row) -> Invite:
    return Invite.model_validate(row_dict(row, _INVITE_TIMES))


class JoiningRepository:
    """Join policies, join requests and invitation links."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def set_policy(self, group_id: int, policy: JoinPolicy, now: datetime) -> None:
        async with self._db.transaction() as conn:
            await conn.execute(
                "UPDATE working_groups SET join_policy = ?, updated_at = ? WHERE id = ?",
                (policy, to_db(now), group_id),
            )

    async def was_admitted(self, group_id: int, person_id: int) -> bool:
        """Whether the person was ever in the group (imported, joined, left) or approved once."""
        params = {"group_id": group_id, "person_id": person_id}
        return bool(await self._db.fetch_value(_WAS_ADMITTED, params))

    # --- requests ---------------------------------------------------------------------

    async def pending(self, group_id: int, person_id: int, now: datetime) -> JoinRequest | None:
        """The person's request to join the group still waiting for a decision."""
        row = await self._db.fetch_one(
            "SELECT * FROM join_requests WHERE group_id = ? AND person_id = ?"
            " AND status = 'pending' AND expires_at > ?",
            (group_id, person_id, to_db(now)),
        )
        return None if row is None else _request(row)

    async def create_request(
        self,
        group_id: int,
        person_id: int,
        via: RequestVia,
        chat_id: int | None,
        now: datetime,
        expires_at: datetime,
    ) -> JoinRequest:
        """A new pending request (an expired one before it is marked expired first)."""
        params = {"group_id": group_id, "person_id": person_id, "now": to_db(now)}
        async with self._db.transaction() as conn:
            await conn.execute(_EXPIRE_PAST, params)
            async with conn.execute(
                "INSERT INTO join_requests (group_id, person_id, via, chat_id, created_at,"
                " expires_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING *",
                (group_id, person_id, via, chat_id, to_db(now), to_db(expires_at)),
            ) as cursor:
                row = expect_row(await cursor.fetchone(), "join request")
        return _request(row)

    async def request(self, request_id: int) -> JoinRequest | None:
        row = await self._db.fetch_one("SELECT * FROM join_requests WHERE id = ?", (request_id,))
        return None if row is None else _request(row)

    async def decide(
        self, request_id: int, approved: bool, by: int, now: datetime
    ) -> JoinRequest | None:
        """Approve or decline a pending request (compare-and-set: the first decision wins);
        None when it was already decided or has expired."""
        params = {
            "id": request_id,
            "status": "approved" if approved else "declined",
            "by": by,
            "now": to_db(now),
        }
        async with self._db.transaction() as conn, conn.execute(_DECIDE, params) as cursor:
            row = await cursor.fetchone()
        return None if row is None else _request(row)

    async def next_expiry(self) -> datetime | None:
        """When the earliest request still waiting expires."""
        value = await self._db.fetch_value(
            "SELECT MIN(expires_at) FROM join_requests WHERE status = 'pending'"
        )
        return None if value is None else from_db(str(value))

    async def expire_due(self, now: datetime) -> builtins.list[JoinRequest]:
        """Mark every request whose time ran out undecided as expired; the requests marked."""
        async with (
            self._db.transaction() as conn,
            conn.execute(_EXPIRE_DUE, {"now": to_db(now)}) as cursor,
        ):
            rows = await cursor.fetchall()
        return sorted((_request(row) for row in rows), key=lambda request: request.id)

    async def requests_of(self, person_id: int, now: datetime) -> builtins.list[JoinRequest]:
        """The person's requests still waiting, oldest first."""
        rows = await self._db.lookup_all(
            "SELECT * FROM join_requests WHERE person_id = ? AND status = 'pending'"
            " AND expires_at > ? ORDER BY created_at, id",
            (person_id, to_db(now)),
        )
        return [_request(row) for row in rows]

    # --- invitations ------------------------------------------------------------------

    async def create_invite(
        self,
        group_id: int,
        token: str,
        created_by: int,
        max_uses: int,
        now: datetime,
        expires_at: datetime,
    ) -> Invite:
        async with (
            self._db.transaction() as conn,
            conn.execute(
                "INSERT INTO group_invites (group_id, token, created_by, max_uses, created_at,"
                " expires_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING *",
                (group_id, token, created_by, max_uses, to_db(now), to_db(expires_at)),
            ) as cursor,
        ):
            row = expect_row(await cursor.fetchone(), "invitation")
        return _invite(row)

    async def invite(self, invite_id: int) -> Invite | None:
        row = await self._db.fetch_one("SELECT * FROM group_invites WHERE id = ?", (invite_id,))
        return None if row is None else _invite(row)

    async def invite_by_token(self, token: str) -> Invite | None:
        row = await self._db.fetch_one("SELECT * FROM group_invites WHERE token = ?", (token,))
        return None if row is None else _invite(row)

    async def use_invite(self, token: str, now: datetime) -> Invite | None:
        """Count one use of a valid link (not revoked, not expired, uses left); None otherwise."""
        params = {"token": token, "now": to_db(now)}
        async with self._db.transaction() as conn, conn.execute(_USE_INVITE, params) as cursor:
            row = await cursor.fetchone()
        return None if row is None else _invite(row)

    async def revoke_invite(self, invite_id: int, now: datetime) -> bool:
        """Revoke a link; False when it was already revoked."""
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "UPDATE group_invites SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
                (to_db(now), invite_id),
            )
            return cursor.rowcount > 0
