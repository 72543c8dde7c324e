"""Drafts: multi-step conversations in progress (docs/developers.md, "Conversations in drafts").

One draft per person and kind (``profile``, later ``experience``, ``meeting``...), saved at every
step, so a conversation survives a restart and resumes at the step where it stopped.
"""

import json
from datetime import datetime
from typing import Any, Final

import aiosqlite

from storage.database import Database
from storage.models import Draft
from storage.rows import row_dict
from storage.timecodec import to_db

_SAVE: Final = """
INSERT INTO drafts (person_id, kind, step, data, chat_id, created_at, updated_at)
VALUES (:person_id, :kind, :step, :data, :chat_id, :now, :now)
ON CONFLICT (person_id, kind) DO UPDATE SET
    step = excluded.step, data = excluded.data, chat_id = excluded.chat_id,
    updated_at = excluded.updated_at
"""


def _draft(row: aiosqlite.Row) -> Draft:
    values = row_dict(row, ("created_at", "updated_at"))
    values["data"] = json.loads(values["data"])
    return Draft.model_validate(values)


class DraftsRepository:
    """Reads and writes the `drafts` table."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def get(self, person_id: int, kind: str) -> Draft | None:
        row = await self._db.fetch_one(
            "SELECT * FROM drafts WHERE person_id = ? AND kind = ?", (person_id, kind)
        )
        return None if row is None else _draft(row)

    async def active(self, person_id: int) -> list[Draft]:
        """The person's drafts, the most recently touched first."""
        rows = await self._db.lookup_all(
            "SELECT * FROM drafts WHERE person_id = ? ORDER BY updated_at DESC, rowid DESC",
            (person_id,),
        )
        return [_draft(row) for row in rows]

    async def save(
        self,
        person_id: int,
        kind: str,
        step: str,
        data: dict[str, Any],
        chat_id: int | None,
        now: datetime,
    ) -> None:
        """Create or replace the draft: the step now waiting and every answer so far."""
        params = {
            "person_id": person_id,
            "kind": kind,
            "step": step,
            "data": json.dumps(data, ensure_ascii=False),
            "chat_id": chat_id,
            "now": to_db(now),
        }
        async with self._db.transaction() as conn:
            await conn.execute(_SAVE, params)

    async def delete(self, person_id: int, kind: str) -> bool:
        """Drop a draft; True if there was one."""
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "DELETE FROM drafts WHERE person_id = ? AND kind = ?", (person_id, kind)
            )
            return cursor.rowcount > 0
