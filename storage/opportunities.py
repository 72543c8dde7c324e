"""Opportunities, the people interested in them, the offers made and each person's alerts
(migration 0017)."""

import builtins
import json
from collections.abc import Collection, Iterable, Sequence
from datetime import datetime
from typing import Any, Final

from pydantic import AwareDatetime, BaseModel, ConfigDict

from storage.database import Database
from storage.rows import expect_row, row_dict
from storage.timecodec import from_db, to_db


class _Record(BaseModel):
    model_config = ConfigDict(frozen=True)


class Opportunity(_Record):
    id: int
    poster_id: int | None
    kind: str
    title: str
    description: str
    themes: tuple[str, ...]
    places: tuple[str, ...]
    languages: tuple[str, ...]
    deadline_at: AwareDatetime | None
    timezone: str | None
    contact: str | None
    status: str
    hidden_reason: str | None
    project_group_id: int | None
    reminded_at: AwareDatetime | None = None
    created_at: AwareDatetime
    updated_at: AwareDatetime

    @property
    def is_open(self) -> bool:
        return self.status == "open"


class IntroPair(_Record):
    id: int
    month: str
    person_a: int
    person_b: int
    first_start: AwareDatetime
    second_start: AwareDatetime
    met_a: bool
    met_b: bool
    created_at: AwareDatetime


class Interest(_Record):
    opportunity_id: int
    person_id: int
    statement: str | None
    status: str
    created_at: AwareDatetime
    decided_at: AwareDatetime | None


_TIMES: Final = ("deadline_at", "reminded_at", "created_at", "updated_at")
_LISTS: Final = ("themes", "places", "languages")


def _opportunity(row: Any) -> Opportunity:
    values = row_dict(row, _TIMES)
    for column in _LISTS:
        values[column] = tuple(json.loads(values[column]))
    return Opportunity.model_validate(values)


def _interest(row: Any) -> Interest:
    return Interest.model_validate(row_dict(row, ("created_at", "decided_at")))


_INSERT: Final = """
INSERT INTO opportunities (poster_id, kind, title, description, themes, places, languages,
    deadline_at, timezone, contact, created_at, updated_at)
VALUES (:poster_id, :kind, :title, :description, :themes, :places, :languages,
    :deadline_at, :timezone, :contact, :now, :now)
RETURNING id
"""


class OpportunitiesRepository:
    """Reads and writes opportunities, interest, offers and alerts."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def create(
        self,
        poster_id: int,
        kind: str,
        title: str,
        description: str,
        themes: Sequence[str],
        places: Sequence[str],
        languages: Sequence[str],
        deadline_at: datetime | None,
        timezone: str | None,
        contact: str | None,
        now: datetime,
    ) -> Opportunity:
        params = {
            "poster_id": poster_id,
            "kind": kind,
            "title": title,
            "description": description,
            "themes": json.dumps(list(themes)),
            "places": json.dumps(list(places)),
            "languages": json.dumps(list(languages)),
            "deadline_at": None if deadline_at is None else to_db(deadline_at),
            "timezone": timezone,
            "contact": contact,
            "now": to_db(now),
        }
        async with self._db.transaction() as conn, conn.execute(_INSERT, params) as cursor:
            new_id = int(expect_row(await cursor.fetchone(), "INSERT opportunities")[0])
        found = await self.get(new_id)
        assert found is not None
        return found

    async def get(self, opportunity_id: int) -> Opportunity | None:
        row = await self._db.fetch_one(
            "SELECT * FROM opportunities WHERE id = ?", (opportunity_id,)
        )
        return None if row is None else _opportunity(row)

    async def open(self, kind: str | None = None) -> builtins.list[Opportunity]:
        """Open opportunities (of one kind), the nearest deadline first, then the newest."""
        rows = await self._db.fetch_all(
            "SELECT * FROM opportunities WHERE status = 'open' AND (? IS NULL OR kind = ?)"
            " ORDER BY deadline_at IS NULL, deadline_at, created_at DESC, id DESC",
            (kind, kind),
        )
        return [_opportunity(row) for row in rows]

    async def posted_between(
        self, themes: Collection[str] | None, since: datetime, until: datetime
    ) -> builtins.list[Opportunity]:
        """Open opportunities posted in ``(since, until]`` with one of ``themes`` (None: any)."""
        rows = await self._db.fetch_all(
            "SELECT * FROM opportunities WHERE status = 'open' AND created_at > ?"
            " AND created_at <= ? ORDER BY created_at, id",
            (to_db(since), to_db(until)),
        )
        found = [_opportunity(row) for row in rows]
        if themes is None:
            return found
        wanted = set(themes)
        return [o for o in found if wanted & set(o.themes)]

    async def posted_by(self, person_id: int) -> builtins.list[Opportunity]:
        rows = await self._db.fetch_all(
            "SELECT * FROM opportunities WHERE poster_id = ? ORDER BY created_at DESC, id DESC",
            (person_id,),
        )
        return [_opportunity(row) for row in rows]

    async def created_since(self, since: datetime) -> builtins.list[Opportunity]:
        rows = await self._db.fetch_all(
            "SELECT * FROM opportunities WHERE status = 'open' AND created_at >= ?"
            " ORDER BY created_at, id",
            (to_db(since),),
        )
        return [_opportunity(row) for row in rows]

    async def set_status(
        self, opportunity_id: int, status: str, now: datetime, reason: str | None = None
    ) -> bool:
        """Close or hide an open opportunity; False when it was not open."""
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "UPDATE opportunities SET status = ?, hidden_reason = ?, updated_at = ?"
                " WHERE id = ? AND status = 'open'",
                (status, reason, to_db(now), opportunity_id),
            )
            return cursor.rowcount > 0

    async def set_project(self, opportunity_id: int, group_id: int, now: datetime) -> None:
        async with self._db.transaction() as conn:
            await conn.execute(
                "UPDATE opportunities SET project_group_id = ?, updated_at = ? WHERE id = ?",
                (group_id, to_db(now), opportunity_id),
            )

    # deadline reminders

    async def next_deadline(self) -> datetime | None:
        """The nearest deadline of an open opportunity not yet reminded of."""
        row = await self._db.fetch_one(
            "SELECT min(deadline_at) FROM opportunities"
            " WHERE status = 'open' AND reminded_at IS NULL AND deadline_at IS NOT NULL"
        )
        return None if row is None or row[0] is None else from_db(str(row[0]))

    async def deadlines_before(self, moment: datetime) -> builtins.list[Opportunity]:
        """Open opportunities not yet reminded of whose deadline comes before ``moment``."""
        rows = await self._db.fetch_all(
            "SELECT * FROM opportunities WHERE status = 'open' AND reminded_at IS NULL"
            " AND deadline_at IS NOT NULL AND deadline_at <= ? ORDER BY deadline_at, id",
            (to_db(moment),),
        )
        return [_opportunity(row) for row in rows]

    async def mark_reminded(self, opportunity_id: int, now: datetime) -> None:
        async with self._db.transaction() as conn:
            await conn.execute(
                "UPDATE opportunities SET reminded_at = ? WHERE id = ?",
                (to_db(now), opportunity_id),
            )

    # joint projects

    async def mark_project(self, group_id: int) -> None:
        """The working group is a joint project (born from a proposal)."""
        async with self._db.transaction() as conn:
            await conn.execute(
                "UPDATE working_groups SET kind = 'project' WHERE id = ?", (group_id,)
            )

    async def project_ids(self) -> frozenset[int]:
        """The working groups that are joint projects (read on the loop's thread: the working
        groups are a few dozen rows, as ``GroupsRepository.list`` reads them)."""
        rows = await self._db.lookup_all("SELECT id FROM working_groups WHERE kind = 'project'")
        return frozenset(int(row[0]) for row in rows)

    # interest

    async def add_interest(
        self, opportunity_id: int, person_id: int, statement: str | None, now: datetime
    ) -> bool:
        """Record that the person is interested; False when they already were."""
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "INSERT INTO opportunity_interest (opportunity_id, person_id, statement,"
                " created_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
                (opportunity_id, person_id, statement, to_db(now)),
            )
            return cursor.rowcount > 0

    async def interest(self, opportunity_id: int, person_id: int) -> Interest | None:
        row = await self._db.fetch_one(
            "SELECT * FROM opportunity_interest WHERE opportunity_id = ? AND person_id = ?",
            (opportunity_id, person_id),
        )
        return None if row is None else _interest(row)

    async def interested(self, opportunity_id: int) -> builtins.list[Interest]:
        rows = await self._db.fetch_all(
            "SELECT * FROM opportunity_interest WHERE opportunity_id = ?"
            " ORDER BY created_at, person_id",
            (opportunity_id,),
        )
        return [_interest(row) for row in rows]

    async def decide(self, opportunity_id: int, person_id: int, status: str, now: datetime) -> bool:
        """Accept or decline a pending interest; False when it was not pending."""
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "UPDATE opportunity_interest SET status = ?, decided_at = ?"
                " WHERE opportunity_id = ? AND person_id = ? AND status = 'pending'",
                (status, to_db(now), opportunity_id, person_id),
            )
            return cursor.rowcount > 0

    # offers and alerts

    async def offered_to(self, opportunity_id: int) -> frozenset[int]:
        rows = await self._db.fetch_all(
            "SELECT person_id FROM opportunity_offers WHERE opportunity_id = ?",
            (opportunity_id,),
        )
        return frozenset(int(row[0]) for row in rows)

    async def offers_since(self, since: datetime) -> dict[int, int]:
        """How many opportunities each person was offered since ``since``."""
        rows = await self._db.fetch_all(
            "SELECT person_id, count(*) FROM opportunity_offers WHERE offered_at >= ?"
            " GROUP BY person_id",
            (to_db(since),),
        )
        return {int(row[0]): int(row[1]) for row in rows}

    async def record_offers(
        self, opportunity_id: int, scores: Iterable[tuple[int, int]], now: datetime
    ) -> None:
        async with self._db.transaction() as conn:
            await conn.executemany(
                "INSERT INTO opportunity_offers (opportunity_id, person_id, score, offered_at)"
                " VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
                [(opportunity_id, person, score, to_db(now)) for person, score in scores],
            )

    async def alert_modes(self, person_ids: Collection[int] | None = None) -> dict[int, str]:
        """Each person's alert mode (people without a row are 'on')."""
        rows = await self._db.fetch_all("SELECT person_id, mode FROM opportunity_alerts")
        modes = {int(row[0]): str(row[1]) for row in rows}
        if person_ids is None:
            return modes
        return {person: mode for person, mode in modes.items() if person in person_ids}

    async def set_alerts(self, person_id: int, mode: str, now: datetime) -> None:
        async with self._db.transaction() as conn:
            await conn.execute(
                "INSERT INTO opportunity_alerts (person_id, mode, updated_at) VALUES (?, ?, ?)"
                " ON CONFLICT (person_id) DO UPDATE SET mode = excluded.mode,"
                " updated_at = excluded.updated_at",
                (person_id, mode, to_db(now)),
            )

    # introductions

    async def intro_hours(self) -> dict[int, tuple[int, int]]:
        """Every participant's working hours (minutes from local midnight)."""
        rows = await self._db.fetch_all(
            "SELECT person_id, work_start, work_end FROM intro_participants"
        )
        return {int(row[0]): (int(row[1]), int(row[2])) for row in rows}

    async def join_intros(self, person_id: int, hours: tuple[int, int], now: datetime) -> None:
        async with self._db.transaction() as conn:
            await conn.execute(
                "INSERT INTO intro_participants (person_id, work_start, work_end, joined_at)"
                " VALUES (?, ?, ?, ?) ON CONFLICT (person_id) DO UPDATE SET"
                " work_start = excluded.work_start, work_end = excluded.work_end",
                (person_id, hours[0], hours[1], to_db(now)),
            )

    async def intro_joined_before(self, moment: datetime) -> int:
        """How many take part who joined before ``moment``."""
        row = await self._db.fetch_one(
            "SELECT count(*) FROM intro_participants WHERE joined_at < ?", (to_db(moment),)
        )
        return 0 if row is None else int(row[0])

    async def leave_intros(self, person_id: int) -> None:
        async with self._db.transaction() as conn:
            await conn.execute("DELETE FROM intro_participants WHERE person_id = ?", (person_id,))

    async def intro_months(self) -> frozenset[str]:
        rows = await self._db.fetch_all("SELECT month FROM intro_rounds")
        return frozenset(str(row[0]) for row in rows)

    async def intro_history(self) -> set[frozenset[int]]:
        """Every pair made before and every exclusion asked for."""
        pairs = await self._db.fetch_all("SELECT person_a, person_b FROM intro_pairs")
        excluded = await self._db.fetch_all("SELECT person_id, excluded_id FROM intro_exclusions")
        return {frozenset((int(a), int(b))) for a, b in [*pairs, *excluded]}

    async def record_round(
        self,
        month: str,
        pairs: Sequence[tuple[int, int, datetime, datetime]],
        now: datetime,
    ) -> builtins.list[IntroPair]:
        """The month's round and its pairs (lower id first); nothing if it already ran."""
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "INSERT INTO intro_rounds (month, ran_at, pairs) VALUES (?, ?, ?)"
                " ON CONFLICT DO NOTHING",
                (month, to_db(now), len(pairs)),
            )
            if cursor.rowcount == 0:
                return []
            await conn.executemany(
                "INSERT INTO intro_pairs (month, person_a, person_b, first_start, second_start,"
                " created_at) VALUES (?, ?, ?, ?, ?, ?)",
                [
                    (month, min(a, b), max(a, b), to_db(first), to_db(second), to_db(now))
                    for a, b, first, second in pairs
                ],
            )
        return await self.intro_pairs(month)

    async def intro_pairs(self, month: str) -> builtins.list[IntroPair]:
        rows = await self._db.fetch_all(
            "SELECT * FROM intro_pairs WHERE month = ? ORDER BY id", (month,)
        )
        return [_intro_pair(row) for row in rows]

    async def latest_pair_of(self, person_id: int) -> IntroPair | None:
        """The person's most recent introduction."""
        row = await self._db.fetch_one(
            "SELECT * FROM intro_pairs WHERE person_a = ? OR person_b = ?"
            " ORDER BY month DESC, id DESC LIMIT 1",
            (person_id, person_id),
        )
        return None if row is None else _intro_pair(row)

    async def intro_pair(self, pair_id: int) -> IntroPair | None:
        row = await self._db.fetch_one("SELECT * FROM intro_pairs WHERE id = ?", (pair_id,))
        return None if row is None else _intro_pair(row)

    async def mark_met(self, pair_id: int, person_id: int) -> bool:
        """The person says they met; False when it was already counted or not their pair."""
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "UPDATE intro_pairs SET"
                " met_a = CASE WHEN person_a = :p THEN 1 ELSE met_a END,"
                " met_b = CASE WHEN person_b = :p THEN 1 ELSE met_b END"
                " WHERE id = :id AND ((person_a = :p AND met_a = 0)"
                " OR (person_b = :p AND met_b = 0))",
                {"p": person_id, "id": pair_id},
            )
            return cursor.rowcount > 0

    async def exclude(self, person_id: int, excluded_id: int, now: datetime) -> None:
        async with self._db.transaction() as conn:
            await conn.execute(
                "INSERT INTO intro_exclusions (person_id, excluded_id, created_at)"
                " VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                (person_id, excluded_id, to_db(now)),
            )

    async def latest_round(self, before: str = "9999-12") -> tuple[str, int, int] | None:
        """The last month that ran (before the month ``before``): its month, its pairs, and
        how many of them met (one of the two said so)."""
        row = await self._db.fetch_one(
            "SELECT r.month, count(p.id), coalesce(sum(p.met_a = 1 OR p.met_b = 1), 0)"
            " FROM intro_rounds r LEFT JOIN intro_pairs p ON p.month = r.month"
            " WHERE r.month < ? GROUP BY r.month ORDER BY r.month DESC LIMIT 1",
            (before,),
        )
        return None if row is None else (str(row[0]), int(row[1]), int(row[2]))

    async def met_count(self) -> int:
        """Pairs where at least one of the two said they met."""
        row = await self._db.fetch_one(
            "SELECT count(*) FROM intro_pairs WHERE met_a = 1 OR met_b = 1"
        )
        return 0 if row is None else int(row[0])


def _intro_pair(row: Any) -> IntroPair:
    values = row_dict(row, ("first_start", "second_start", "created_at"))
    values["met_a"], values["met_b"] = bool(values["met_a"]), bool(values["met_b"])
    return IntroPair.model_validate(values)
