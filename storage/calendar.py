"""Calendar: what the calendar files read: meetings of groups with their occurrences.

Read-only queries over the meetings tables of migration 0007 (the meetings feature writes
them); the models here carry exactly what an ``.ics`` file needs.
"""

from __future__ import annotations

import builtins
import json
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Final

import aiosqlite
from pydantic import AwareDatetime, BaseModel, ConfigDict

from storage.database import Database
from storage.meetings import MeetingStatus, Occurrence, meeting_values, to_occurrence

_MEETINGS: Final = """
SELECT m.*, (SELECT json_group_array(mg.group_id) FROM meeting_groups AS mg
             WHERE mg.meeting_id = m.id) AS group_ids
FROM meetings AS m
WHERE m.id IN (SELECT mg.meeting_id FROM meeting_groups AS mg
               WHERE mg.group_id IN (SELECT value FROM json_each(:groups)))
   OR m.id IN (SELECT value FROM json_each(:meetings))
ORDER BY m.starts_at, m.id
"""

_OCCURRENCES: Final = """
SELECT id, meeting_id, starts_at, ends_at, status FROM meeting_occurrences
WHERE meeting_id IN (SELECT value FROM json_each(:meetings))
ORDER BY meeting_id, starts_at
"""


class _Record(BaseModel):
    model_config = ConfigDict(frozen=True)


CalendarOccurrence = Occurrence
"""One occurrence of a meeting: its own start and end, and whether it was cancelled."""


class CalendarMeeting(_Record):
    """A meeting as a calendar file shows it, with its groups and stored occurrences."""

    id: int
    title: str
    timezone: str
    local_start: datetime
    """The first start as wall time in ``timezone`` (naive)."""
    starts_at: AwareDatetime
    duration_minutes: int
    link: str | None
    agenda: str | None
    rrule: str | None
    status: MeetingStatus
    created_at: AwareDatetime
    updated_at: AwareDatetime
    cancelled_at: AwareDatetime | None
    group_ids: tuple[int, ...]
    occurrences: tuple[CalendarOccurrence, ...] = ()


def _meeting(row: aiosqlite.Row, occurrences: Sequence[CalendarOccurrence]) -> CalendarMeeting:
    values = meeting_values(row)
    values["group_ids"] = tuple(sorted(json.loads(row["group_ids"])))
    values["occurrences"] = tuple(occurrences)
    return CalendarMeeting.model_validate(values)


class CalendarRepository:
    """Reads what the calendar files read: meetings of groups with their occurrences."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def meetings_of_groups(self, group_ids: Iterable[int]) -> builtins.list[CalendarMeeting]:
        """Every meeting (cancelled ones too) of any of these groups, first start first."""
        return await self._meetings(groups=[int(g) for g in group_ids], meetings=[])

    async def meeting(self, meeting_id: int) -> CalendarMeeting | None:
        found = await self._meetings(groups=[], meetings=[meeting_id])
        return found[0] if found else None

    async def occurrence(
        self, occurrence_id: int
    ) -> tuple[CalendarMeeting, CalendarOccurrence] | None:
        """The occurrence with its meeting, or None when there is no such occurrence."""
        meeting_id = await self._db.fetch_value(
            "SELECT meeting_id FROM meeting_occurrences WHERE id = ?", (occurrence_id,)
        )
        if meeting_id is None:
            return None
        meeting = await self.meeting(int(meeting_id))
        if meeting is None:
            return None
        found = next((o for o in meeting.occurrences if o.id == occurrence_id), None)
        return None if found is None else (meeting, found)

    async def _meetings(
        self, *, groups: builtins.list[int], meetings: builtins.list[int]
    ) -> builtins.list[CalendarMeeting]:
        params = {"groups": json.dumps(groups), "meetings": json.dumps(meetings)}
        rows = await self._db.fetch_all(_MEETINGS, params)
        if not rows:
            return []
        ids = [row["id"] for row in rows]
        by_meeting: dict[int, builtins.list[CalendarOccurrence]] = {}
        for row in await self._db.fetch_all(_OCCURRENCES, {"meetings": json.dumps(ids)}):
            by_meeting.setdefault(row["meeting_id"], []).append(to_occurrence(row))
        return [_meeting(row, by_meeting.get(row["id"], ())) for row in rows]
