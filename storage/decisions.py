"""Decisions: proposals, the members' answers with their reasons, the messages that carry a
proposal, and the outcome (migration 0012).

A proposal is open until ``closes_at``; its nudge (24 hours before) and its close are rows'
times with a mark once done (``nudged_at``, ``closed_at``), the due work of
``bot/decisions/work.py`` (docs/developers.md, "Scheduled work").
"""

from __future__ import annotations

import builtins
import json
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any, Final, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict

from storage.database import Database
from storage.rows import row_dict
from storage.timecodec import from_db, to_db

ProposalKind = Literal["consent", "choice"]
NUDGE_BEFORE: Final = timedelta(hours=24)
"""The undecided are nudged this long before a proposal closes."""


class _Record(BaseModel):
    model_config = ConfigDict(frozen=True)


class NewProposal(_Record):
    title: str
    body: str
    kind: ProposalKind
    options: tuple[str, ...] = ()
    multiple: bool = False
    group_id: int | None
    """None: the whole network."""
    timezone: str
    closes_at: AwareDatetime
    created_by: int | None


class Proposal(NewProposal):
    id: int
    created_at: AwareDatetime
    nudged_at: AwareDatetime | None
    closed_at: AwareDatetime | None
    outcome: str | None
    outcome_at: AwareDatetime | None

    @property
    def closed(self) -> bool:
        return self.closed_at is not None


class ProposalAnswer(_Record):
    """One member's answer; ``person_id`` None once they were forgotten."""

    proposal_id: int
    person_id: int | None
    name: str | None
    answer: str
    reason: str | None
    answered_at: AwareDatetime


class ProposalPost(_Record):
    """A message that carried a proposal, with its Telegram id once the outbox sent it."""

    proposal_id: int
    chat_id: int
    outbox_id: int | None
    person_id: int | None
    message_thread_id: int | None = None
    telegram_message_id: int | None = None
    outbox_status: str | None = None


_TIMES: Final = ("closes_at", "created_at", "nudged_at", "closed_at", "outcome_at")


def _proposal(row: Any) -> Proposal:
    data = row_dict(row)
    for column in _TIMES:
        if data.get(column) is not None:
            data[column] = from_db(data[column])
    data["options"] = tuple(json.loads(data["options"]))
    data["multiple"] = bool(data["multiple"])
    return Proposal.model_validate(data)


_ANSWERS: Final = """
SELECT a.proposal_id, a.person_id, a.answer, a.reason, a.answered_at,
       coalesce(p.display_name, p.first_name || coalesce(' ' || p.last_name, '')) AS name
FROM proposal_answers AS a LEFT JOIN people AS p ON p.id = a.person_id
WHERE a.proposal_id = ? ORDER BY a.answered_at, a.id
"""

_POSTS: Final = """
SELECT p.proposal_id, p.chat_id, p.outbox_id, p.person_id,
       b.message_thread_id, b.telegram_message_id, b.status AS outbox_status
FROM proposal_posts AS p LEFT JOIN outbox AS b ON b.id = p.outbox_id
WHERE p.proposal_id = ? ORDER BY p.chat_id
"""


class DecisionsRepository:
    """Proposals, answers and posts."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def create(self, new: NewProposal, now: datetime) -> Proposal:
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "INSERT INTO proposals (title, body, kind, options, multiple, group_id, timezone,"
                " closes_at, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    new.title,
                    new.body,
                    new.kind,
                    json.dumps(list(new.options), ensure_ascii=False),
                    int(new.multiple),
                    new.group_id,
                    new.timezone,
                    to_db(new.closes_at),
                    new.created_by,
                    to_db(now),
                ),
            )
            proposal_id = cursor.lastrowid
            await cursor.close()
        assert proposal_id is not None
        found = await self.get(proposal_id)
        assert found is not None
        return found

    async def get(self, proposal_id: int) -> Proposal | None:
        row = await self._db.fetch_one("SELECT * FROM proposals WHERE id = ?", (proposal_id,))
        return None if row is None else _proposal(row)

    async def list(
        self, group_ids: Sequence[int] | None = None, *, limit: int = 50
    ) -> builtins.list[Proposal]:
        """Proposals newest first: all of them (None), or those of these groups and the
        network's."""
        if group_ids is None:
            rows = await self._db.fetch_all(
                "SELECT * FROM proposals ORDER BY closes_at DESC, id DESC LIMIT ?", (limit,)
            )
        else:
            marks = ",".join("?" * len(group_ids))
            rows = await self._db.fetch_all(
                f"SELECT * FROM proposals WHERE group_id IS NULL OR group_id IN ({marks})"
                " ORDER BY closes_at DESC, id DESC LIMIT ?",
                (*group_ids, limit),
            )
        return [_proposal(row) for row in rows]

    async def all(self) -> builtins.list[Proposal]:
        """Every proposal, oldest first (the export)."""
        rows = await self._db.fetch_all("SELECT * FROM proposals ORDER BY created_at, id")
        return [_proposal(row) for row in rows]

    # answers

    async def answer(self, proposal_id: int, person_id: int, answer: str, now: datetime) -> None:
        """Record or replace a member's answer (a changed answer drops its old reason)."""
        async with self._db.transaction() as conn:
            await conn.execute(
                "INSERT INTO proposal_answers (proposal_id, person_id, answer, answered_at)"
                " VALUES (?, ?, ?, ?) ON CONFLICT (proposal_id, person_id) DO UPDATE SET"
                " reason = CASE WHEN answer = excluded.answer THEN reason END,"
                " answer = excluded.answer, answered_at = excluded.answered_at",
                (proposal_id, person_id, answer, to_db(now)),
            )

    async def set_reason(self, proposal_id: int, person_id: int, reason: str | None) -> bool:
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "UPDATE proposal_answers SET reason = ? WHERE proposal_id = ? AND person_id = ?",
                (reason, proposal_id, person_id),
            )
            changed = cursor.rowcount > 0
            await cursor.close()
        return changed

    async def answers(self, proposal_id: int) -> builtins.list[ProposalAnswer]:
        rows = await self._db.fetch_all(_ANSWERS, (proposal_id,))
        return [
            ProposalAnswer.model_validate(
                row_dict(row) | {"answered_at": from_db(row["answered_at"])}
            )
            for row in rows
        ]

    async def answer_of(self, proposal_id: int, person_id: int) -> ProposalAnswer | None:
        return next((a for a in await self.answers(proposal_id) if a.person_id == person_id), None)

    # posts

    async def add_posts_by_key(
        self, proposal_id: int, posts: Iterable[tuple[int, str, int | None]]
    ) -> None:
        """Posts of (chat, outbox dedupe key, person), linked to their outbox rows (queued in
        the same unit of work)."""
        rows = [(proposal_id, chat_id, key, person_id) for chat_id, key, person_id in posts]
        async with self._db.transaction() as conn:
            await conn.executemany(
                "INSERT INTO proposal_posts (proposal_id, chat_id, outbox_id, person_id)"
                " VALUES (?, ?, (SELECT id FROM outbox WHERE dedupe_key = ?), ?)"
                " ON CONFLICT (proposal_id, chat_id) DO UPDATE SET outbox_id = excluded.outbox_id",
                rows,
            )

    async def posts(self, proposal_id: int) -> builtins.list[ProposalPost]:
        rows = await self._db.fetch_all(_POSTS, (proposal_id,))
        return [ProposalPost.model_validate(row_dict(row)) for row in rows]

    # what comes due

    async def next_due_at(self) -> datetime | None:
        """The earliest nudge or close still to do."""
        row = await self._db.fetch_one(
            "SELECT min(CASE WHEN nudged_at IS NULL THEN closes_at END), min(closes_at)"
            " FROM proposals WHERE closed_at IS NULL"
        )
        if row is None or row[1] is None:
            return None
        closing = from_db(row[1])
        return closing if row[0] is None else min(closing, from_db(row[0]) - NUDGE_BEFORE)

    async def due_to_close(self, now: datetime) -> builtins.list[Proposal]:
        rows = await self._db.fetch_all(
            "SELECT * FROM proposals WHERE closed_at IS NULL AND closes_at <= ? ORDER BY closes_at",
            (to_db(now),),
        )
        return [_proposal(row) for row in rows]

    async def due_to_nudge(self, now: datetime) -> builtins.list[Proposal]:
        rows = await self._db.fetch_all(
            "SELECT * FROM proposals WHERE closed_at IS NULL AND nudged_at IS NULL"
            " AND closes_at <= ? AND closes_at > ? ORDER BY closes_at",
            (to_db(now + NUDGE_BEFORE), to_db(now)),
        )
        return [_proposal(row) for row in rows]

    async def mark(
        self, proposal_id: int, column: Literal["nudged_at", "closed_at"], now: datetime
    ) -> bool:
        """Mark the nudge or the close done; False when it already was."""
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                f"UPDATE proposals SET {column} = ? WHERE id = ? AND {column} IS NULL",
                (to_db(now), proposal_id),
            )
            changed = cursor.rowcount > 0
            await cursor.close()
        return changed

    async def set_outcome(self, proposal_id: int, outcome: str, now: datetime) -> None:
        async with self._db.transaction() as conn:
            await conn.execute(
                "UPDATE proposals SET outcome = ?, outcome_at = ? WHERE id = ?",
                (outcome, to_db(now), proposal_id),
            )
