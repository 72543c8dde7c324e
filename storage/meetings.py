"""Meetings: meetings, their occurrences, answers, reminders and posts (migration 0007).

A meeting has one occurrence (or, when recurring, one per date, kept as rows some weeks ahead).
Answers and reminders belong to an occurrence. Every reminder is a row with a due time and a
status (docs/developers.md, "Scheduled work"): ``pending`` until the runtime queues it (``sent``
or ``late``), records it ``missed``, or a change ``cancelled`` it.
"""

from __future__ import annotations

import builtins
import json
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any, Final, Literal

import aiosqlite
from pydantic import AwareDatetime, BaseModel, ConfigDict

from storage.database import Database
from storage.models import Person
from storage.people import person_from_row
from storage.rows import expect_row, row_dict
from storage.timecodec import from_db, to_db

MeetingStatus = Literal["scheduled", "cancelled"]
ReminderStatus = Literal["pending", "sent", "late", "missed", "cancelled"]
PostKind = Literal["announcement", "reminder"]
RsvpAnswer = Literal["going", "maybe", "no"]
LOCAL_FORMAT: Final = "%Y-%m-%dT%H:%M"
"""How ``meetings.local_start`` stores the organiser's wall time."""


def parse_local(text: str) -> datetime:
    """A stored or drafted wall time (naive on purpose: its zone is the meeting's)."""
    return datetime.strptime(text, LOCAL_FORMAT)  # noqa: DTZ007


class _Record(BaseModel):
    model_config = ConfigDict(frozen=True)


class Meeting(_Record):
    id: int
    title: str
    timezone: str
    local_start: datetime
    """Naive wall time of the first start in ``timezone``."""
    starts_at: AwareDatetime
    duration_minutes: int
    link: str | None
    agenda: str | None
    rrule: str | None
    reminder_offsets: tuple[int, ...]
    status: MeetingStatus
    created_by: int | None
    created_at: AwareDatetime
    updated_at: AwareDatetime
    cancelled_at: AwareDatetime | None
    group_ids: tuple[int, ...] = ()
    sequence: int = 0
    """Grows with every change: the SEQUENCE of its calendar invitations (RFC 5545)."""

    @property
    def cancelled(self) -> bool:
        return self.status == "cancelled"


class Occurrence(_Record):
    id: int
    meeting_id: int
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    status: MeetingStatus


class DueReminder(_Record):
    """A pending reminder with the start of its occurrence."""

    id: int
    occurrence_id: int
    meeting_id: int
    offset_minutes: int
    due_at: AwareDatetime
    starts_at: AwareDatetime


class Reminder(_Record):
    id: int
    occurrence_id: int
    offset_minutes: int
    due_at: AwareDatetime
    status: ReminderStatus
    handled_at: AwareDatetime | None


class MeetingPost(_Record):
    """A message that carried a meeting, with its Telegram id once the outbox sent it."""

    occurrence_id: int
    chat_id: int
    outbox_id: int | None
    person_id: int | None
    kind: PostKind
    message_thread_id: int | None = None
    telegram_message_id: int | None = None


class Answered(_Record):
    person: Person
    answer: RsvpAnswer
    answered_at: AwareDatetime


class NewMeeting(_Record):
    """What /meet saves."""

    title: str
    timezone: str
    local_start: datetime
    starts_at: AwareDatetime
    duration_minutes: int
    link: str | None = None
    agenda: str | None = None
    rrule: str | None = None
    reminder_offsets: tuple[int, ...] = ()
    created_by: int | None = None
    group_ids: tuple[int, ...] = ()


_MEETING_TIMES: Final = ("starts_at", "created_at", "updated_at", "cancelled_at")


def meeting_values(row: aiosqlite.Row) -> dict[str, Any]:
    """A ``meetings`` row as model fields: times decoded, wall time parsed, reminders a tuple."""
    values = row_dict(row, _MEETING_TIMES)
    values["local_start"] = parse_local(values["local_start"])
    values["reminder_offsets"] = tuple(json.loads(values["reminder_offsets"]))
    return values


def _meeting(row: aiosqlite.Row, group_ids: Sequence[int]) -> Meeting:
    return Meeting.model_validate({**meeting_values(row), "group_ids": tuple(group_ids)})


def to_occurrence(row: aiosqlite.Row) -> Occurrence:
    return Occurrence.model_validate(row_dict(row, ("starts_at", "ends_at")))


_INSERT_OCCURRENCE: Final = """
INSERT INTO meeting_occurrences (meeting_id, starts_at, ends_at) VALUES (?, ?, ?)
ON CONFLICT (meeting_id, starts_at) DO NOTHING
RETURNING id
"""

_INSERT_REMINDER: Final = """
INSERT INTO meeting_reminders (occurrence_id, offset_minutes, due_at) VALUES (?, ?, ?)
ON CONFLICT (occurrence_id, offset_minutes) DO NOTHING
"""

_DUE: Final = """
SELECT r.id, r.occurrence_id, o.meeting_id, r.offset_minutes, r.due_at, o.starts_at
FROM meeting_reminders AS r JOIN meeting_occurrences AS o ON o.id = r.occurrence_id
WHERE r.status = 'pending' AND r.due_at <= ?
ORDER BY r.due_at, r.id
"""

_POSTS: Final = """
SELECT p.occurrence_id, p.chat_id, p.outbox_id, p.person_id, p.kind,
       b.message_thread_id, b.telegram_message_id
FROM meeting_posts AS p JOIN meeting_occurrences AS o ON o.id = p.occurrence_id
LEFT JOIN outbox AS b ON b.id = p.outbox_id
WHERE o.meeting_id = :meeting AND p.kind = :kind
  AND (:occurrence IS NULL OR p.occurrence_id = :occurrence)
ORDER BY p.occurrence_id, p.chat_id
"""

_UPCOMING_FOR: Final = """
SELECT o.* FROM meeting_occurrences AS o JOIN meetings AS m ON m.id = o.meeting_id
WHERE o.status = 'scheduled' AND m.status = 'scheduled' AND o.ends_at > :now
  AND EXISTS (SELECT 1 FROM meeting_groups AS mg
              JOIN group_members AS gm ON gm.group_id = mg.group_id
              WHERE mg.meeting_id = m.id AND gm.person_id = :person AND gm.left_at IS NULL)
ORDER BY o.starts_at, o.id
LIMIT :limit
"""

_UPCOMING_IN_GROUPS: Final = """
SELECT DISTINCT o.* FROM meeting_occurrences AS o JOIN meetings AS m ON m.id = o.meeting_id
JOIN meeting_groups AS mg ON mg.meeting_id = m.id
WHERE o.status = 'scheduled' AND m.status = 'scheduled'
  AND o.starts_at > :since AND o.starts_at <= :until
  AND mg.group_id IN (SELECT value FROM json_each(:groups))
ORDER BY o.starts_at, o.id
"""


async def _add_occurrences(
    conn: aiosqlite.Connection,
    meeting_id: int,
    starts: Iterable[datetime],
    duration_minutes: int,
    offsets: Iterable[int],
    now: datetime,
) -> list[int]:
    """Insert occurrences (existing ones are left alone) and their future reminders."""
    created: list[int] = []
    offsets = tuple(offsets)
    for start in starts:
        end = start + timedelta(minutes=duration_minutes)
        cursor = await conn.execute(_INSERT_OCCURRENCE, (meeting_id, to_db(start), to_db(end)))
        row = await cursor.fetchone()
        if row is None:
            continue
        created.append(int(row[0]))
        await _add_reminders(conn, int(row[0]), start, offsets, now)
    return created


async def _add_reminders(
    conn: aiosqlite.Connection,
    occurrence_id: int,
    start: datetime,
    offsets: Iterable[int],
    now: datetime,
) -> None:
    """A pending row per offset whose time is still ahead (a past one would never be right)."""
    rows = [
        (occurrence_id, minutes, to_db(start - timedelta(minutes=minutes)))
        for minutes in offsets
        if start - timedelta(minutes=minutes) > now
    ]
    await conn.executemany(_INSERT_REMINDER, rows)


class MeetingsRepository:
    """Reads and writes meetings, their occurrences, answers, reminders and posts."""

    def __init__(self, db: Database) -> None:
        self._db = db

    # meetings

    async def create(
        self, meeting: NewMeeting, starts: Sequence[datetime], now: datetime
    ) -> Meeting:
        """Save a meeting with its groups, its first occurrences and their reminders."""
        stamp = to_db(now)
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "INSERT INTO meetings (title, timezone, local_start, starts_at, duration_minutes,"
                " link, agenda, rrule, reminder_offsets, created_by, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                (
                    meeting.title,
                    meeting.timezone,
                    meeting.local_start.strftime(LOCAL_FORMAT),
                    to_db(meeting.starts_at),
                    meeting.duration_minutes,
                    meeting.link,
                    meeting.agenda,
                    meeting.rrule,
                    json.dumps(list(meeting.reminder_offsets)),
                    meeting.created_by,
                    stamp,
                    stamp,
                ),
            )
            meeting_id = int(expect_row(await cursor.fetchone(), "INSERT INTO meetings")[0])
            await conn.executemany(
                "INSERT INTO meeting_groups (meeting_id, group_id) VALUES (?, ?)",
                [(meeting_id, group_id) for group_id in meeting.group_ids],
            )
            await _add_occurrences(
                conn,
                meeting_id,
                starts,
                meeting.duration_minutes,
                meeting.reminder_offsets,
                now,
            )
        created = await self.get(meeting_id)
        assert created is not None
        return created

    async def get(self, meeting_id: int) -> Meeting | None:
        row = await self._db.fetch_one("SELECT * FROM meetings WHERE id = ?", (meeting_id,))
        if row is None:
            return None
        groups = await self._db.fetch_all(
            "SELECT group_id FROM meeting_groups WHERE meeting_id = ? ORDER BY group_id",
            (meeting_id,),
        )
        return _meeting(row, [int(g[0]) for g in groups])

    async def recurring(self) -> builtins.list[Meeting]:
        """Scheduled meetings with a recurrence rule (their occurrences are kept ahead)."""
        rows = await self._db.fetch_all(
            "SELECT id FROM meetings WHERE status = 'scheduled' AND rrule IS NOT NULL"
        )
        found = [await self.get(int(row[0])) for row in rows]
        return [meeting for meeting in found if meeting is not None]

    async def cancel(self, meeting_id: int, now: datetime) -> bool:
        """Cancel the meeting, its future occurrences and their pending reminders."""
        stamp = to_db(now)
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "UPDATE meetings SET status = 'cancelled', cancelled_at = ?, updated_at = ?,"
                " sequence = sequence + 1"
                " WHERE id = ? AND status = 'scheduled'",
                (stamp, stamp, meeting_id),
            )
            if cursor.rowcount == 0:
                return False
            await conn.execute(
                "UPDATE meeting_occurrences SET status = 'cancelled'"
                " WHERE meeting_id = ? AND ends_at > ?",
                (meeting_id, stamp),
            )
            await conn.execute(
                "UPDATE meeting_reminders SET status = 'cancelled', handled_at = ?"
                " WHERE status = 'pending' AND occurrence_id IN"
                " (SELECT id FROM meeting_occurrences WHERE meeting_id = ?)",
                (stamp, meeting_id),
            )
        return True

    async def change_details(
        self, meeting_id: int, *, link: str | None, agenda: str | None, now: datetime
    ) -> None:
        """A new link or agenda: times, answers and reminders stay as they are."""
        async with self._db.transaction() as conn:
            await conn.execute(
                "UPDATE meetings SET link = ?, agenda = ?, updated_at = ?, sequence = sequence + 1"
                " WHERE id = ?",
                (link, agenda, to_db(now), meeting_id),
            )

    async def move(
        self,
        meeting_id: int,
        *,
        occurrence_id: int,
        local_start: datetime,
        starts: Sequence[datetime],
        link: str | None,
        agenda: str | None,
        now: datetime,
    ) -> None:
        """A new time (and maybe link and agenda) from ``starts[0]`` on.

        The occurrence ``occurrence_id`` keeps its id — and so its announcement — at the new
        first start; its answers are reset and its reminders recomputed. Other future
        occurrences (of a recurring meeting) give way to ``starts[1:]``, with fresh reminders.
        """
        meeting = await self.get(meeting_id)
        if meeting is None or not starts:
            return
        stamp, first = to_db(now), starts[0]
        end = first + timedelta(minutes=meeting.duration_minutes)
        async with self._db.transaction() as conn:
            await conn.execute(
                "UPDATE meetings SET local_start = ?, starts_at = ?, link = ?, agenda = ?,"
                " sequence = sequence + 1,"
                " updated_at = ? WHERE id = ?",
                (local_start.strftime(LOCAL_FORMAT), to_db(first), link, agenda, stamp, meeting_id),
            )
            await conn.execute(
                "DELETE FROM meeting_occurrences"
                " WHERE meeting_id = ? AND starts_at > ? AND id <> ?",
                (meeting_id, stamp, occurrence_id),
            )
            await conn.execute(
                "UPDATE meeting_occurrences SET starts_at = ?, ends_at = ? WHERE id = ?",
                (to_db(first), to_db(end), occurrence_id),
            )
            await conn.execute(
                "DELETE FROM meeting_rsvps WHERE occurrence_id = ?", (occurrence_id,)
            )
            # The reminders of the old time (sent or not) give way to the new time's.
            await conn.execute(
                "DELETE FROM meeting_reminders WHERE occurrence_id = ?", (occurrence_id,)
            )
            await _add_reminders(conn, occurrence_id, first, meeting.reminder_offsets, now)
            await _add_occurrences(
                conn,
                meeting_id,
                starts[1:],
                meeting.duration_minutes,
                meeting.reminder_offsets,
                now,
            )

    # occurrences

    async def occurrence(self, occurrence_id: int) -> Occurrence | None:
        row = await self._db.fetch_one(
            "SELECT * FROM meeting_occurrences WHERE id = ?", (occurrence_id,)
        )
        return None if row is None else to_occurrence(row)

    async def occurrences(self, meeting_id: int) -> builtins.list[Occurrence]:
        rows = await self._db.fetch_all(
            "SELECT * FROM meeting_occurrences WHERE meeting_id = ? ORDER BY starts_at",
            (meeting_id,),
        )
        return [to_occurrence(row) for row in rows]

    async def next_occurrence(self, meeting_id: int, now: datetime) -> Occurrence | None:
        """The scheduled occurrence that has not ended yet, soonest first."""
        row = await self._db.fetch_one(
            "SELECT * FROM meeting_occurrences WHERE meeting_id = ? AND status = 'scheduled'"
            " AND ends_at > ? ORDER BY starts_at LIMIT 1",
            (meeting_id, to_db(now)),
        )
        return None if row is None else to_occurrence(row)

    async def add_occurrences(
        self, meeting: Meeting, starts: Iterable[datetime], now: datetime
    ) -> builtins.list[int]:
        """Materialise occurrences ahead (existing ones untouched); the new ids."""
        async with self._db.transaction() as conn:
            return await _add_occurrences(
                conn, meeting.id, starts, meeting.duration_minutes, meeting.reminder_offsets, now
            )

    async def upcoming_for(
        self, person_id: int, now: datetime, limit: int = 10
    ) -> builtins.list[Occurrence]:
        """The next occurrences (not yet ended) of meetings of the person's groups."""
        rows = await self._db.fetch_all(
            _UPCOMING_FOR, {"now": to_db(now), "person": person_id, "limit": limit}
        )
        return [to_occurrence(row) for row in rows]

    async def upcoming_in_groups(
        self, group_ids: Iterable[int], since: datetime, until: datetime
    ) -> builtins.list[Occurrence]:
        """Scheduled occurrences starting in ``(since, until]`` of meetings of these groups."""
        params = {
            "since": to_db(since),
            "until": to_db(until),
            "groups": json.dumps(sorted(int(g) for g in group_ids)),
        }
        return [to_occurrence(row) for row in await self._db.fetch_all(_UPCOMING_IN_GROUPS, params)]

    # answers

    async def answer(
        self, occurrence_id: int, person_id: int, answer: RsvpAnswer, now: datetime
    ) -> RsvpAnswer | None:
        """Record (or change) an answer; returns the previous one."""
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "SELECT answer FROM meeting_rsvps WHERE occurrence_id = ? AND person_id = ?",
                (occurrence_id, person_id),
            )
            previous = await cursor.fetchone()
            await conn.execute(
                "INSERT INTO meeting_rsvps (occurrence_id, person_id, answer, answered_at)"
                " VALUES (?, ?, ?, ?) ON CONFLICT (occurrence_id, person_id) DO UPDATE SET"
                " answer = excluded.answer, answered_at = excluded.answered_at"
                " WHERE answer <> excluded.answer",
                (occurrence_id, person_id, answer, to_db(now)),
            )
        return None if previous is None else previous[0]

    async def answer_of(self, occurrence_id: int, person_id: int) -> RsvpAnswer | None:
        value = await self._db.fetch_value(
            "SELECT answer FROM meeting_rsvps WHERE occurrence_id = ? AND person_id = ?",
            (occurrence_id, person_id),
        )
        return None if value is None else value

    async def answers_by_person(self, occurrence_id: int) -> dict[int, RsvpAnswer]:
        rows = await self._db.fetch_all(
            "SELECT person_id, answer FROM meeting_rsvps WHERE occurrence_id = ?",
            (occurrence_id,),
        )
        return {int(row[0]): row[1] for row in rows}

    async def counts(self, occurrence_id: int) -> dict[str, int]:
        rows = await self._db.fetch_all(
            "SELECT answer, count(*) FROM meeting_rsvps WHERE occurrence_id = ? GROUP BY answer",
            (occurrence_id,),
        )
        return {row[0]: int(row[1]) for row in rows}

    async def answered(self, occurrence_id: int) -> builtins.list[Answered]:
        """Who answered what, with their profiles, in the order they answered."""
        rows = await self._db.fetch_all(
            "SELECT p.*, r.answer AS rsvp_answer, r.answered_at AS rsvp_at"
            " FROM meeting_rsvps AS r JOIN people AS p ON p.id = r.person_id"
            " WHERE r.occurrence_id = ? ORDER BY r.answered_at, p.id",
            (occurrence_id,),
        )
        return [
            Answered(
                person=person_from_row(row),
                answer=row["rsvp_answer"],
                answered_at=from_db(row["rsvp_at"]),
            )
            for row in rows
        ]

    # reminders

    async def due_reminders(self, until: datetime) -> builtins.list[DueReminder]:
        rows = await self._db.fetch_all(_DUE, (to_db(until),))
        return [DueReminder.model_validate(row_dict(row, ("due_at", "starts_at"))) for row in rows]

    async def next_reminder_due(self) -> datetime | None:
        value = await self._db.fetch_value(
            "SELECT min(due_at) FROM meeting_reminders WHERE status = 'pending'"
        )
        return None if value is None else from_db(value)

    async def reminders(self, occurrence_id: int) -> builtins.list[Reminder]:
        rows = await self._db.fetch_all(
            "SELECT * FROM meeting_reminders WHERE occurrence_id = ? ORDER BY due_at",
            (occurrence_id,),
        )
        return [Reminder.model_validate(row_dict(row, ("due_at", "handled_at"))) for row in rows]

    async def mark_reminder(self, reminder_id: int, status: ReminderStatus, now: datetime) -> bool:
        """Record a pending reminder's fate; False when it was no longer pending."""
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "UPDATE meeting_reminders SET status = ?, handled_at = ?"
                " WHERE id = ? AND status = 'pending'",
                (status, to_db(now), reminder_id),
            )
            return cursor.rowcount > 0

    # posts

    async def add_posts(self, posts: Iterable[MeetingPost]) -> None:
        rows = [(p.occurrence_id, p.chat_id, p.outbox_id, p.person_id, p.kind) for p in posts]
        async with self._db.transaction() as conn:
            await conn.executemany(
                "INSERT INTO meeting_posts (occurrence_id, chat_id, outbox_id, person_id, kind)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT (occurrence_id, chat_id, kind)"
                " DO UPDATE SET outbox_id = excluded.outbox_id",
                rows,
            )

    async def add_posts_by_key(
        self, occurrence_id: int, posts: Iterable[tuple[int, str, int | None]]
    ) -> None:
        """Announcement posts of (chat, outbox dedupe key, person), linked to their outbox rows
        (queued in the same unit of work)."""
        rows = [(occurrence_id, chat_id, key, person_id) for chat_id, key, person_id in posts]
        async with self._db.transaction() as conn:
            await conn.executemany(
                "INSERT INTO meeting_posts (occurrence_id, chat_id, outbox_id, person_id, kind)"
                " VALUES (?, ?, (SELECT id FROM outbox WHERE dedupe_key = ?), ?, 'announcement')"
                " ON CONFLICT (occurrence_id, chat_id, kind) DO UPDATE SET"
                " outbox_id = excluded.outbox_id",
                rows,
            )

    async def posts(
        self, meeting_id: int, kind: PostKind = "announcement", occurrence_id: int | None = None
    ) -> builtins.list[MeetingPost]:
        """The messages of a kind that carried the meeting, with their Telegram ids."""
        params: dict[str, Any] = {
            "meeting": meeting_id,
            "kind": kind,
            "occurrence": occurrence_id,
        }
        rows = await self._db.fetch_all(_POSTS, params)
        return [MeetingPost.model_validate(row_dict(row)) for row in rows]

    # mutes

    async def mute(self, person_id: int, group_id: int, now: datetime) -> None:
        async with self._db.transaction() as conn:
            await conn.execute(
                "INSERT INTO reminder_mutes (person_id, group_id, muted_at) VALUES (?, ?, ?)"
                " ON CONFLICT (person_id, group_id) DO NOTHING",
                (person_id, group_id, to_db(now)),
            )

    async def unmute(self, person_id: int, group_id: int) -> None:
        async with self._db.transaction() as conn:
            await conn.execute(
                "DELETE FROM reminder_mutes WHERE person_id = ? AND group_id = ?",
                (person_id, group_id),
            )

    async def muted_groups(self, person_id: int) -> set[int]:
        rows = await self._db.fetch_all(
            "SELECT group_id FROM reminder_mutes WHERE person_id = ?", (person_id,)
        )
        return {int(row[0]) for row in rows}

    async def mutes(self, group_ids: Iterable[int]) -> set[tuple[int, int]]:
        """(person, group) pairs muted in these groups."""
        rows = await self._db.fetch_all(
            "SELECT person_id, group_id FROM reminder_mutes"
            " WHERE group_id IN (SELECT value FROM json_each(?))",
            (json.dumps(sorted(int(g) for g in group_ids)),),
        )
        return {(int(row[0]), int(row[1])) for row in rows}
