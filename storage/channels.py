"""A person's channels (Telegram, e-mail or both) and the proof of their address.

Rows of ``person_channels`` (migration 0013). The address itself stays in ``people.email``;
this table keeps which address was proved by a code (``verified_email``), the code waiting
to be typed (only its hash) and the token that names the person in an unsubscribe link.
"""

from __future__ import annotations

from datetime import datetime
from typing import Final

from pydantic import AwareDatetime, BaseModel, ConfigDict

from storage.database import Database
from storage.outbox import ChannelChoice
from storage.rows import row_dict
from storage.timecodec import to_db


class ChannelState(BaseModel):
    """How a person is reached and where their address stands."""

    model_config = ConfigDict(frozen=True)

    person_id: int
    email: str | None
    """The address in their profile (None: none given)."""
    choice: ChannelChoice | None
    """None: automatic (Telegram once they started the bot, else e-mail)."""
    email_verified: bool
    """The address may be used: proved by a code, or given by the secretariat's import."""
    imported: bool
    """The address is the one the secretariat's import gave."""
    verified_at: AwareDatetime | None
    code_email: str | None
    code_hash: str | None
    code_expires_at: AwareDatetime | None
    code_attempts: int
    unsubscribe_token: str | None
    on_telegram: bool


_STATE: Final = """
SELECT p.id AS person_id, p.email AS email, c.channels AS choice,
       coalesce(p.email IS NOT NULL AND (lower(p.email) = c.verified_email
            OR lower(p.email) = lower(json_extract(p.imported, '$.email'))), 0) AS email_verified,
       coalesce(p.email IS NOT NULL
            AND lower(p.email) = lower(json_extract(p.imported, '$.email')), 0) AS imported,
       c.verified_at, c.code_email, c.code_hash, c.code_expires_at,
       coalesce(c.code_attempts, 0) AS code_attempts, c.unsubscribe_token,
       (p.telegram_id IS NOT NULL AND p.started_at IS NOT NULL AND p.reachable = 1) AS on_telegram
FROM people AS p LEFT JOIN person_channels AS c ON c.person_id = p.id
WHERE p.id = ?
"""

_ENSURE: Final = """
INSERT INTO person_channels (person_id, unsubscribe_token, updated_at) VALUES (?, ?, ?)
ON CONFLICT (person_id) DO NOTHING
"""

_TIMES: Final = ("verified_at", "code_expires_at")


class ChannelsRepository:
    """Reads and writes ``person_channels``."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def state(self, person_id: int) -> ChannelState | None:
        row = await self._db.lookup(_STATE, (person_id,))
        return None if row is None else ChannelState.model_validate(row_dict(row, _TIMES))

    async def ensure(self, person_id: int, token: str, now: datetime) -> None:
        """The person's row exists (with this unsubscribe token when new)."""
        async with self._db.transaction() as conn:
            await conn.execute(_ENSURE, (person_id, token, to_db(now)))

    async def choose(
        self, person_id: int, choice: ChannelChoice | None, token: str, now: datetime
    ) -> None:
        await self._update(person_id, token, now, "channels = ?", (choice,))

    async def start_code(
        self,
        person_id: int,
        email: str,
        code_hash: str,
        expires_at: datetime,
        token: str,
        now: datetime,
    ) -> None:
        """A new code was sent to ``email``: the earlier one no longer counts."""
        await self._update(
            person_id,
            token,
            now,
            "code_email = ?, code_hash = ?, code_expires_at = ?, code_attempts = 0",
            (email.lower(), code_hash, to_db(expires_at)),
        )

    async def count_attempt(self, person_id: int, now: datetime) -> None:
        async with self._db.transaction() as conn:
            await conn.execute(
                "UPDATE person_channels SET code_attempts = code_attempts + 1, updated_at = ?"
                " WHERE person_id = ?",
                (to_db(now), person_id),
            )

    async def verify(self, person_id: int, email: str, now: datetime) -> None:
        """The code was right: ``email`` is proved, and the code is spent."""
        async with self._db.transaction() as conn:
            await conn.execute(
                "UPDATE person_channels SET verified_email = ?, verified_at = ?, code_hash = NULL,"
                " code_email = NULL, code_expires_at = NULL, code_attempts = 0, updated_at = ?"
                " WHERE person_id = ?",
                (email.lower(), to_db(now), to_db(now), person_id),
            )

    async def by_unsubscribe_token(self, token: str) -> int | None:
        value = await self._db.fetch_value(
            "SELECT person_id FROM person_channels WHERE unsubscribe_token = ?", (token,)
        )
        return None if value is None else int(value)

    async def _update(
        self,
        person_id: int,
        token: str,
        now: datetime,
        assignments: str,
        values: tuple[object, ...],
    ) -> None:
        stamp = to_db(now)
        async with self._db.transaction() as conn:
            await conn.execute(_ENSURE, (person_id, token, stamp))
            await conn.execute(
                f"UPDATE person_channels SET {assignments}, updated_at = ? WHERE person_id = ?",
                (*values, stamp, person_id),
            )
