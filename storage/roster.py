"""The roster: who is in which working group, with their profiles (read side)."""

from __future__ import annotations

import builtins
import json
from collections.abc import Iterable
from typing import Final, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict

from storage.database import Database
from storage.models import Person
from storage.people import person_from_row
from storage.timecodec import from_db

RosterRole = Literal["member", "coordinator"]

_MEMBERS: Final = """
SELECT p.*, gm.role AS membership_role, gm.joined_at AS membership_joined_at
FROM group_members AS gm JOIN people AS p ON p.id = gm.person_id
WHERE gm.group_id = ? AND gm.left_at IS NULL
ORDER BY p.id
"""

_MEMBERSHIPS: Final = """
SELECT gm.group_id, gm.person_id, gm.role, gm.joined_at
FROM group_members AS gm JOIN working_groups AS g ON g.id = gm.group_id
WHERE gm.left_at IS NULL AND g.active = 1
  AND (:all = 1 OR gm.person_id IN (SELECT value FROM json_each(:people)))
ORDER BY gm.person_id, gm.group_id
"""

_NETWORK_MEMBERS: Final = """
SELECT p.* FROM people AS p
WHERE EXISTS (SELECT 1 FROM group_members AS gm JOIN working_groups AS g ON g.id = gm.group_id
              WHERE gm.person_id = p.id AND gm.left_at IS NULL AND g.active = 1)
ORDER BY p.id
"""


class _Record(BaseModel):
    model_config = ConfigDict(frozen=True)


class RosterMember(_Record):
    """A current member of one working group, with their profile."""

    person: Person
    role: RosterRole
    joined_at: AwareDatetime

    @property
    def coordinator(self) -> bool:
        return self.role == "coordinator"


class RosterMembership(_Record):
    """One current membership of a person in an active working group."""

    group_id: int
    person_id: int
    role: RosterRole
    joined_at: AwareDatetime


class RosterRepository:
    """Queries over people and group members for rosters, search and export.

    Annotations say `builtins.list` to match the other repositories' style.
    """

    def __init__(self, db: Database) -> None:
        self._db = db

    async def members(self, group_id: int) -> builtins.list[RosterMember]:
        """The group's current members (coordinators included), in no particular order."""
        rows = await self._db.fetch_all(_MEMBERS, (group_id,))
        return [
            RosterMember(
                person=person_from_row(row),
                role=row["membership_role"],
                joined_at=from_db(row["membership_joined_at"]),
            )
            for row in rows
        ]

    async def memberships(
        self, person_ids: Iterable[int] | None = None
    ) -> builtins.list[RosterMembership]:
        """Current memberships in active groups: of these people, or of everyone (None)."""
        ids = None if person_ids is None else [int(i) for i in person_ids]
        params = {"all": int(ids is None), "people": json.dumps(ids or [])}
        rows = await self._db.fetch_all(_MEMBERSHIPS, params)
        return [
            RosterMembership(
                group_id=row["group_id"],
                person_id=row["person_id"],
                role=row["role"],
                joined_at=from_db(row["joined_at"]),
            )
            for row in rows
        ]

    async def group_ids_of(self, person_id: int) -> builtins.list[int]:
        """Ids of the active groups the person is a current member of."""
        return [m.group_id for m in await self.memberships([person_id])]

    async def is_member(self, person_id: int, group_id: int) -> bool:
        """Whether the person is a current member (or coordinator) of the group."""
        value = await self._db.fetch_value(
            "SELECT EXISTS (SELECT 1 FROM group_members"
            " WHERE person_id = ? AND group_id = ? AND left_at IS NULL)",
            (person_id, group_id),
        )
        return bool(value)

    async def network_members(self) -> builtins.list[Person]:
        """Everyone currently in at least one active working group."""
        return [person_from_row(row) for row in await self._db.fetch_all(_NETWORK_MEMBERS)]
