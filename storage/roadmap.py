"""The roadmap: objectives, actions, owners, progress notes and owners' nudges (migration 0011).

An action's due date is stored as typed (``due_date``, ``due_time`` or NULL, ``due_zone``) and
as its deadline's instant ``due_at``, which orders and finds overdue actions. Nudges are rows
with a due time and a status (docs/developers.md, "Scheduled work").
"""

import builtins
from collections.abc import Sequence
from datetime import date, datetime, time
from typing import Final

from pydantic import AwareDatetime, BaseModel, ConfigDict

from storage.database import Database
from storage.rows import expect_row, row_dict
from storage.timecodec import to_db


class _Record(BaseModel):
    model_config = ConfigDict(frozen=True)


class Objective(_Record):
    """A line of the roadmap: network-wide (``group_id`` None) or a working group's."""

    id: int
    ref: str | None
    title: str
    group_id: int | None
    created_at: AwareDatetime


class Action(_Record):
    """An action under an objective, with its owners and due date."""

    id: int
    ref: str | None
    objective_id: int | None
    objective_title: str | None
    group_id: int | None
    title: str
    description: str | None
    due_date: date
    due_time: time | None
    due_zone: str
    due_at: AwareDatetime
    status: str
    blocked_reason: str | None
    proposal_id: int | None
    created_by: int | None
    created_at: AwareDatetime
    updated_at: AwareDatetime
    done_at: AwareDatetime | None
    owners: tuple[int, ...] = ()


class Note(_Record):
    """A progress note or status change, with its author (None: a former member)."""

    id: int
    action_id: int
    author_id: int | None
    author_name: str | None
    text: str | None
    status: str | None
    created_at: AwareDatetime


class Nudge(_Record):
    """A nudge row: an owner's reminder of an action, or a coordinator's overdue list."""

    id: int
    action_id: int | None
    person_id: int
    kind: str
    due_at: AwareDatetime


_ACTION_SELECT: Final = """
SELECT a.*, o.title AS objective_title,
       (SELECT group_concat(person_id) FROM roadmap_owners WHERE action_id = a.id) AS owner_ids
FROM roadmap_actions a LEFT JOIN roadmap_objectives o ON o.id = a.objective_id
"""
_ACTION_TIMES: Final = ("due_at", "created_at", "updated_at", "done_at")

_INSERT_ACTION: Final = """
INSERT INTO roadmap_actions (ref, objective_id, group_id, title, description, due_date,
    due_time, due_zone, due_at, proposal_id, created_by, created_at, updated_at)
VALUES (:ref, :objective_id, :group_id, :title, :description, :due_date, :due_time, :due_zone,
    :due_at, :proposal_id, :created_by, :now, :now)
RETURNING id
"""

_UPDATE_ACTION: Final = """
UPDATE roadmap_actions SET objective_id = :objective_id, group_id = :group_id, title = :title,
    description = :description, due_date = :due_date, due_time = :due_time,
    due_zone = :due_zone, due_at = :due_at, updated_at = :now
WHERE id = :id
"""


def _action(row: object) -> Action:
    values = row_dict(row, _ACTION_TIMES)  # type: ignore[arg-type]
    owner_ids = values.pop("owner_ids")
    values["owners"] = tuple(sorted(int(v) for v in owner_ids.split(","))) if owner_ids else ()
    return Action.model_validate(values)


def _time_text(value: time | None) -> str | None:
    return None if value is None else f"{value:%H:%M}"


class RoadmapRepository:
    """Reads and writes the roadmap. Annotations say `builtins.list` where needed."""

    def __init__(self, db: Database) -> None:
        self._db = db

    # --- objectives ------------------------------------------------------------------

    async def create_objective(
        self,
        title: str,
        group_id: int | None,
        created_by: int | None,
        now: datetime,
        ref: str | None = None,
    ) -> int:
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "INSERT INTO roadmap_objectives (ref, title, group_id, created_by, created_at)"
                " VALUES (?, ?, ?, ?, ?) RETURNING id",
                (ref, title, group_id, created_by, to_db(now)),
            )
            return int(expect_row(await cursor.fetchone(), "INSERT roadmap_objectives")[0])

    async def objectives(self) -> builtins.list[Objective]:
        rows = await self._db.fetch_all("SELECT * FROM roadmap_objectives ORDER BY id")
        return [Objective.model_validate(row_dict(r, ("created_at",))) for r in rows]

    async def objective_by_title(self, title: str, group_id: int | None) -> Objective | None:
        row = await self._db.fetch_one(
            "SELECT * FROM roadmap_objectives WHERE title = ? AND group_id IS ?",
            (title, group_id),
        )
        return None if row is None else Objective.model_validate(row_dict(row, ("created_at",)))

    async def objective_by_ref(self, ref: str) -> Objective | None:
        row = await self._db.fetch_one("SELECT * FROM roadmap_objectives WHERE ref = ?", (ref,))
        return None if row is None else Objective.model_validate(row_dict(row, ("created_at",)))

    async def rename_objective(self, objective_id: int, title: str, group_id: int | None) -> None:
        async with self._db.transaction() as conn:
            await conn.execute(
                "UPDATE roadmap_objectives SET title = ?, group_id = ? WHERE id = ?",
                (title, group_id, objective_id),
            )

    # --- actions ---------------------------------------------------------------------

    async def create_action(
        self,
        *,
        objective_id: int | None,
        group_id: int | None,
        title: str,
        description: str | None,
        due_date: date,
        due_time: time | None,
        due_zone: str,
        due_at: datetime,
        owners: Sequence[int],
        created_by: int | None,
        now: datetime,
        proposal_id: int | None = None,
        ref: str | None = None,
    ) -> int:
        params = {
            "ref": ref,
            "objective_id": objective_id,
            "group_id": group_id,
            "title": title,
            "description": description,
            "due_date": due_date.isoformat(),
            "due_time": _time_text(due_time),
            "due_zone": due_zone,
            "due_at": to_db(due_at),
            "proposal_id": proposal_id,
            "created_by": created_by,
            "now": to_db(now),
        }
        async with self._db.transaction() as conn:
            cursor = await conn.execute(_INSERT_ACTION, params)
            action_id = int(expect_row(await cursor.fetchone(), "INSERT roadmap_actions")[0])
            await self._set_owners(action_id, owners)
        return action_id

    async def update_action(
        self,
        action_id: int,
        *,
        objective_id: int | None,
        group_id: int | None,
        title: str,
        description: str | None,
        due_date: date,
        due_time: time | None,
        due_zone: str,
        due_at: datetime,
        owners: Sequence[int],
        now: datetime,
    ) -> None:
        params = {
            "id": action_id,
            "objective_id": objective_id,
            "group_id": group_id,
            "title": title,
            "description": description,
            "due_date": due_date.isoformat(),
            "due_time": _time_text(due_time),
            "due_zone": due_zone,
            "due_at": to_db(due_at),
            "now": to_db(now),
        }
        async with self._db.transaction() as conn:
            await conn.execute(_UPDATE_ACTION, params)
            await self._set_owners(action_id, owners)

    async def _set_owners(self, action_id: int, owners: Sequence[int]) -> None:
        async with self._db.transaction() as conn:
            await conn.execute("DELETE FROM roadmap_owners WHERE action_id = ?", (action_id,))
            await conn.executemany(
                "INSERT OR IGNORE INTO roadmap_owners (action_id, person_id) VALUES (?, ?)",
                [(action_id, person_id) for person_id in owners],
            )

    async def action(self, action_id: int) -> Action | None:
        row = await self._db.fetch_one(f"{_ACTION_SELECT} WHERE a.id = ?", (action_id,))
        return None if row is None else _action(row)

    async def action_by_ref(self, ref: str) -> Action | None:
        row = await self._db.fetch_one(f"{_ACTION_SELECT} WHERE a.ref = ?", (ref,))
        return None if row is None else _action(row)

    async def actions(self, group_ids: Sequence[int] | None = None) -> builtins.list[Action]:
        """Every action (``group_ids`` None), or those owned by these groups."""
        if group_ids is None:
            rows = await self._db.fetch_all(f"{_ACTION_SELECT} ORDER BY a.due_at, a.id")
        else:
            marks = ", ".join("?" for _ in group_ids) or "NULL"
            rows = await self._db.fetch_all(
                f"{_ACTION_SELECT} WHERE a.group_id IN ({marks}) ORDER BY a.due_at, a.id",
                tuple(group_ids),
            )
        return [_action(row) for row in rows]

    async def page(
        self,
        group_ids: Sequence[int] | None,
        owner_id: int | None,
        now: datetime,
        limit: int,
        offset: int,
    ) -> tuple[builtins.list[Action], int]:
        """One page of actions, overdue first, then open ones by due date, then closed ones;
        and how many there are. Filtered by owning groups and/or an owner when given."""
        where, params = ["1"], []
        if group_ids is not None:
            where.append(f"a.group_id IN ({', '.join('?' for _ in group_ids) or 'NULL'})")
            params += list(group_ids)
        if owner_id is not None:
            where.append("a.id IN (SELECT action_id FROM roadmap_owners WHERE person_id = ?)")
            params.append(owner_id)
        condition = " AND ".join(where)
        total = await self._db.fetch_value(
            f"SELECT count(*) FROM roadmap_actions a WHERE {condition}", tuple(params)
        )
        rows = await self._db.fetch_all(
            f"{_ACTION_SELECT} WHERE {condition} ORDER BY"
            " CASE WHEN a.status NOT IN ('planned', 'in_progress', 'blocked') THEN 2"
            " WHEN a.due_at <= ? THEN 0 ELSE 1 END, a.due_at, a.id LIMIT ? OFFSET ?",
            (*params, to_db(now), limit, offset),
        )
        return [_action(row) for row in rows], int(total)

    async def owned_by(self, person_id: int) -> builtins.list[Action]:
        rows = await self._db.fetch_all(
            f"{_ACTION_SELECT} WHERE a.id IN"
            " (SELECT action_id FROM roadmap_owners WHERE person_id = ?) ORDER BY a.due_at, a.id",
            (person_id,),
        )
        return [_action(row) for row in rows]

    async def set_status(
        self, action_id: int, status: str, reason: str | None, now: datetime
    ) -> None:
        done_at = to_db(now) if status == "done" else None
        async with self._db.transaction() as conn:
            await conn.execute(
                "UPDATE roadmap_actions SET status = ?, blocked_reason = ?, updated_at = ?,"
                " done_at = ? WHERE id = ?",
                (status, reason if status == "blocked" else None, to_db(now), done_at, action_id),
            )

    # --- notes -----------------------------------------------------------------------

    async def add_note(
        self,
        action_id: int,
        author_id: int | None,
        text: str | None,
        status: str | None,
        now: datetime,
    ) -> int:
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "INSERT INTO roadmap_notes (action_id, author_id, text, status, created_at)"
                " VALUES (?, ?, ?, ?, ?) RETURNING id",
                (action_id, author_id, text, status, to_db(now)),
            )
            return int(expect_row(await cursor.fetchone(), "INSERT roadmap_notes")[0])

    async def notes(self, action_id: int) -> builtins.list[Note]:
        rows = await self._db.fetch_all(
            "SELECT n.*, coalesce(p.display_name, p.first_name) AS author_name"
            " FROM roadmap_notes n LEFT JOIN people p ON p.id = n.author_id"
            " WHERE n.action_id = ? ORDER BY n.created_at, n.id",
            (action_id,),
        )
        return [Note.model_validate(row_dict(r, ("created_at",))) for r in rows]

    # --- nudges ----------------------------------------------------------------------

    async def plan_nudges(self, rows: Sequence[tuple[int | None, int, str, datetime]]) -> None:
        """Add pending nudges (action, person, kind, due); one already planned stays."""
        async with self._db.transaction() as conn:
            await conn.executemany(
                "INSERT OR IGNORE INTO roadmap_nudges (action_id, person_id, kind, due_at)"
                " VALUES (?, ?, ?, ?)",
                [(a, p, kind, to_db(at)) for a, p, kind, at in rows],
            )

    async def drop_pending_nudges(self, action_id: int) -> None:
        async with self._db.transaction() as conn:
            await conn.execute(
                "DELETE FROM roadmap_nudges WHERE action_id = ? AND status = 'pending'",
                (action_id,),
            )

    async def next_nudge_at(self) -> datetime | None:
        row = await self._db.fetch_one(
            "SELECT due_at FROM roadmap_nudges WHERE status = 'pending' ORDER BY due_at LIMIT 1"
        )
        return None if row is None else row_dict(row, ("due_at",))["due_at"]

    async def due_nudges(self, now: datetime, limit: int = 500) -> builtins.list[Nudge]:
        rows = await self._db.fetch_all(
            "SELECT id, action_id, person_id, kind, due_at FROM roadmap_nudges"
            " WHERE status = 'pending' AND due_at <= ? ORDER BY due_at, id LIMIT ?",
            (to_db(now), limit),
        )
        return [Nudge.model_validate(row_dict(r, ("due_at",))) for r in rows]

    async def pending_list_for(self, person_id: int) -> bool:
        row = await self._db.fetch_one(
            "SELECT 1 FROM roadmap_nudges WHERE person_id = ? AND kind = 'list'"
            " AND status = 'pending'",
            (person_id,),
        )
        return row is not None

    async def mark_nudge(self, nudge_id: int, status: str, now: datetime) -> None:
        async with self._db.transaction() as conn:
            await conn.execute(
                "UPDATE roadmap_nudges SET status = ?, handled_at = ? WHERE id = ?",
                (status, to_db(now), nudge_id),
            )

    async def nudge_at(self, action_id: int, person_id: int, kind: str) -> datetime | None:
        """When this owner's nudge of this kind is (or was) due."""
        row = await self._db.fetch_one(
            "SELECT due_at FROM roadmap_nudges WHERE action_id = ? AND person_id = ? AND kind = ?"
            " ORDER BY due_at DESC LIMIT 1",
            (action_id, person_id, kind),
        )
        return None if row is None else row_dict(row, ("due_at",))["due_at"]

    # --- digests and exports -------------------------------------------------------------

    async def done_between(
        self, start: datetime, end: datetime, group_ids: Sequence[int] | None = None
    ) -> builtins.list[Action]:
        actions = await self.actions(group_ids)
        return [a for a in actions if a.done_at is not None and start <= a.done_at < end]

    async def for_digest(
        self,
        group_ids: Sequence[int],
        network: bool,
        since: datetime,
        until: datetime,
        horizon: datetime,
    ) -> builtins.list[Action]:
        """Open actions due by ``horizon`` and those done in ``(since, until]``, of these groups
        (and the network-wide ones when ``network``)."""
        marks = ", ".join("?" for _ in group_ids) or "NULL"
        scope = f"(a.group_id IN ({marks})" + (" OR a.group_id IS NULL)" if network else ")")
        rows = await self._db.fetch_all(
            f"{_ACTION_SELECT} WHERE {scope} AND ("
            " (a.status IN ('planned', 'in_progress', 'blocked') AND a.due_at <= ?)"
            " OR (a.status = 'done' AND a.done_at > ? AND a.done_at <= ?))"
            " ORDER BY a.due_at, a.id",
            (*group_ids, to_db(horizon), to_db(since), to_db(until)),
        )
        return [_action(row) for row in rows]

    async def person_ids(self) -> builtins.list[int]:
        """Everyone an imported roadmap may name as an owner."""
        return [int(r[0]) for r in await self._db.fetch_all("SELECT id FROM people ORDER BY id")]

    async def orphaned_by(self, person_id: int) -> builtins.list[Action]:
        """Open actions the person alone owns (left without an owner when they go)."""
        rows = await self._db.fetch_all(
            f"{_ACTION_SELECT} WHERE a.status IN ('planned', 'in_progress', 'blocked')"
            " AND a.id IN (SELECT action_id FROM roadmap_owners WHERE person_id = ?)"
            " AND NOT EXISTS (SELECT 1 FROM roadmap_owners o2 WHERE o2.action_id = a.id"
            " AND o2.person_id != ?)",
            (person_id, person_id),
        )
        return [_action(row) for row in rows]
