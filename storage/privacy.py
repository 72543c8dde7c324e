"""A person's own data: everything stored about them (/mydata), and forgetting them (/forgetme).

Every table that holds rows about a person adds a :class:`Section` to ``SECTIONS`` (a function
returning that person's rows) and names its tables, so /mydata shows it. How a table references
``people`` decides what /forgetme does to it, all in one transaction:

- rows that belong to the person alone (memberships, drafts, answers, queued messages) use
  ``ON DELETE CASCADE`` and disappear with them;
- rows others rely on (an experience they wrote or co-authored, a review) use
  ``ON DELETE SET NULL`` and stay whole, with the author anonymised.

``tests/storage/test_privacy.py`` fails when a table references ``people`` (or a private chat)
without being listed here or without one of these two rules.
"""

import json
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final

import aiosqlite

from storage.database import Database
from storage.timecodec import from_db

JSON_COLUMNS: Final = frozenset({"spoken_languages", "interests", "imported", "data", "payload"})
"""Columns holding JSON text: shown as the values they encode."""


@dataclass(frozen=True)
class Subject:
    """Whose data: our id for them and their Telegram id (None until they write to the bot)."""

    person_id: int
    telegram_id: int | None


RowsOf = Callable[[Database, Subject], Awaitable[list[dict[str, Any]]]]


@dataclass(frozen=True)
class Section:
    """One part of the /mydata document."""

    name: str
    tables: tuple[str, ...]
    """The tables it reads: every table holding a person's rows must be in some section."""
    rows: RowsOf
    single: bool = False
    """At most one row (shown as an object, or null), rather than a list."""


def plain_value(column: str, value: object) -> object:
    """A stored value as the person should read it: times in ISO 8601, JSON decoded."""
    if value is None:
        return None
    if column.endswith("_at") and isinstance(value, str):
        return from_db(value).isoformat()
    if column in JSON_COLUMNS and isinstance(value, str):
        return json.loads(value)
    return value


def plain_row(row: aiosqlite.Row) -> dict[str, Any]:
    return {key: plain_value(key, value) for key, value in zip(row.keys(), row, strict=True)}


async def _rows(db: Database, sql: str, params: Mapping[str, Any]) -> list[dict[str, Any]]:
    return [plain_row(row) for row in await db.fetch_all(sql, params)]


def _about_person(sql: str) -> RowsOf:
    """A section reading one query whose ``:id`` is the person's id."""

    async def rows(db: Database, who: Subject) -> list[dict[str, Any]]:
        return await _rows(db, sql, {"id": who.person_id})

    return rows


_person = _about_person("SELECT * FROM people WHERE id = :id")


async def _private_chat(db: Database, who: Subject) -> list[dict[str, Any]]:
    return await _rows(
        db,
        "SELECT * FROM chats WHERE id = :telegram_id AND type = 'private'",
        {"telegram_id": who.telegram_id},
    )


_memberships = _about_person(
    "SELECT g.slug AS group_slug, m.* FROM group_members AS m"
    " JOIN working_groups AS g ON g.id = m.group_id"
    " WHERE m.person_id = :id ORDER BY m.joined_at, g.slug"
)


_seen_in_group_chats = _about_person(
    "SELECT g.slug AS group_slug, s.* FROM group_chat_seen AS s"
    " JOIN working_groups AS g ON g.id = s.group_id"
    " WHERE s.person_id = :id ORDER BY g.slug"
)


_drafts = _about_person("SELECT * FROM drafts WHERE person_id = :id ORDER BY created_at, kind")


_outbox = _about_person("SELECT * FROM outbox WHERE person_id = :id ORDER BY due_at, id")


_personal_digest = _about_person("SELECT * FROM digest_schedules WHERE person_id = :id")


_meetings_organised = _about_person(
    "SELECT id, title, starts_at, timezone, status, created_at FROM meetings"
    " WHERE created_by = :id ORDER BY starts_at, id"
)


_meeting_answers = _about_person(
    "SELECT o.meeting_id, o.starts_at, r.answer, r.answered_at FROM meeting_rsvps AS r"
    " JOIN meeting_occurrences AS o ON o.id = r.occurrence_id"
    " WHERE r.person_id = :id ORDER BY o.starts_at"
)


_command_menu = _about_person("SELECT * FROM chat_menus WHERE person_id = :id")


_meeting_messages = _about_person(
    "SELECT * FROM meeting_posts WHERE person_id = :id ORDER BY occurrence_id, kind"
)


_reminder_mutes = _about_person(
    "SELECT g.slug AS group_slug, m.muted_at FROM reminder_mutes AS m"
    " JOIN working_groups AS g ON g.id = m.group_id WHERE m.person_id = :id ORDER BY g.slug"
)


async def _experiences(db: Database, who: Subject) -> list[dict[str, Any]]:
    """The experiences they wrote, their themes and links decoded, with their files listed."""
    rows = await _rows(
        db,
        "SELECT * FROM experiences WHERE author_id = :id ORDER BY submitted_at, id",
        {"id": who.person_id},
    )
    files = await _rows(
        db,
        "SELECT f.experience_id, f.position, f.kind, f.file_name, f.mime_type, f.file_size"
        " FROM experience_files AS f JOIN experiences AS e ON e.id = f.experience_id"
        " WHERE e.author_id = :id ORDER BY f.experience_id, f.position",
        {"id": who.person_id},
    )
    return [
        row
        | {
            "themes": json.loads(row["themes"]),
            "links": json.loads(row["links"]),
            "files": [
                {k: v for k, v in f.items() if k != "experience_id"}
                for f in files
                if f["experience_id"] == row["id"]
            ],
        }
        for row in rows
    ]


_experience_history = _about_person(
    "SELECT experience_id, status, note, changed_at FROM experience_history"
    " WHERE changed_by = :id ORDER BY changed_at, id"
)


async def _reviews_written(db: Database, who: Subject) -> list[dict[str, Any]]:
    rows = await _rows(
        db,
        "SELECT r.experience_id, r.comment, r.created_at, r.updated_at,"
        " (SELECT json_group_object(s.criterion, s.score) FROM review_scores AS s"
        "  WHERE s.review_id = r.id) AS scores"
        " FROM experience_reviews AS r WHERE r.reviewer_id = :id ORDER BY r.created_at, r.id",
        {"id": who.person_id},
    )
    return [row | {"scores": json.loads(row["scores"] or "{}")} for row in rows]


_selection_votes = _about_person(
    "SELECT v.round_id, v.experience_id, v.voted_at FROM selection_votes AS v"
    " WHERE v.person_id = :id ORDER BY v.voted_at, v.experience_id"
)


_selection_rounds_opened = _about_person(
    "SELECT id, group_id, opened_at, closed_at FROM selection_rounds"
    " WHERE opened_by = :id ORDER BY opened_at, id"
)


async def _proposals_made(db: Database, who: Subject) -> list[dict[str, Any]]:
    """The proposals they made, with the options of a choice decoded."""
    rows = await _rows(
        db,
        "SELECT id, title, body, kind, options, group_id, closes_at, created_at, closed_at,"
        " outcome, outcome_at FROM proposals WHERE created_by = :id ORDER BY created_at, id",
        {"id": who.person_id},
    )
    return [row | {"options": json.loads(row["options"])} for row in rows]


_proposal_answers = _about_person(
    "SELECT a.proposal_id, p.title, a.answer, a.reason, a.answered_at"
    " FROM proposal_answers AS a JOIN proposals AS p ON p.id = a.proposal_id"
    " WHERE a.person_id = :id ORDER BY a.answered_at, a.id"
)


_proposal_messages = _about_person(
    "SELECT * FROM proposal_posts WHERE person_id = :id ORDER BY proposal_id"
)


async def _updates_in_hand(db: Database, who: Subject) -> list[dict[str, Any]]:
    """What they sent that the bot has received and not handled yet (the update inbox)."""
    return await _rows(
        db,
        "SELECT update_id, received_at, payload FROM update_inbox"
        " WHERE sender_id = :telegram_id ORDER BY update_id",
        {"telegram_id": who.telegram_id},
    )


_channels = _about_person(
    "SELECT coalesce(c.channels, 'automatic') AS channels, p.email,"
    " coalesce(p.email IS NOT NULL AND (lower(p.email) = c.verified_email"
    "  OR lower(p.email) = lower(json_extract(p.imported, '$.email'))), 0) AS email_verified,"
    " c.verified_email, c.verified_at, c.code_email AS code_sent_to, c.code_expires_at,"
    " c.code_attempts, c.updated_at"
    " FROM people AS p LEFT JOIN person_channels AS c ON c.person_id = p.id WHERE p.id = :id"
)


_calendar_feed = _about_person("SELECT * FROM calendar_feeds WHERE person_id = :id")


_roadmap_objectives = _about_person(
    "SELECT id, title, group_id, created_at FROM roadmap_objectives WHERE created_by = :id"
)
_roadmap_owned = _about_person(
    "SELECT a.id, a.title, a.due_date, a.due_time, a.due_zone, a.status FROM roadmap_actions a"
    " JOIN roadmap_owners o ON o.action_id = a.id WHERE o.person_id = :id ORDER BY a.id"
)
_roadmap_created = _about_person(
    "SELECT id, title, due_date, due_time, status, created_at FROM roadmap_actions"
    " WHERE created_by = :id ORDER BY id"
)
_roadmap_notes = _about_person(
    "SELECT action_id, text, status, created_at FROM roadmap_notes WHERE author_id = :id"
    " ORDER BY id"
)
_roadmap_nudges = _about_person(
    "SELECT action_id, kind, due_at, status FROM roadmap_nudges WHERE person_id = :id ORDER BY id"
)


_join_requests = _about_person(
    "SELECT g.slug AS group_slug, r.* FROM join_requests AS r"
    " JOIN working_groups AS g ON g.id = r.group_id"
    " WHERE r.person_id = :id OR r.decided_by = :id ORDER BY r.created_at, r.id"
)


_invitations_made = _about_person(
    "SELECT g.slug AS group_slug, i.id, i.max_uses, i.uses, i.created_at, i.expires_at,"
    " i.revoked_at FROM group_invites AS i JOIN working_groups AS g ON g.id = i.group_id"
    " WHERE i.created_by = :id ORDER BY i.created_at, i.id"
)


_identity_claims = _about_person(
    "SELECT id, status, created_at, decided_at FROM identity_claims"
    " WHERE account_id = :id OR decided_by = :id ORDER BY created_at, id"
)


async def _opportunities_posted(db: Database, who: Subject) -> list[dict[str, Any]]:
    """The opportunities they posted, their themes, places and languages decoded."""
    rows = await _rows(
        db,
        "SELECT * FROM opportunities WHERE poster_id = :id ORDER BY created_at, id",
        {"id": who.person_id},
    )
    lists = ("themes", "places", "languages")
    return [row | {column: json.loads(row[column]) for column in lists} for row in rows]


_opportunity_interest = _about_person(
    "SELECT o.title AS opportunity_title, i.* FROM opportunity_interest AS i"
    " JOIN opportunities AS o ON o.id = i.opportunity_id"
    " WHERE i.person_id = :id ORDER BY i.created_at"
)


_opportunity_offers = _about_person(
    "SELECT o.title AS opportunity_title, f.* FROM opportunity_offers AS f"
    " JOIN opportunities AS o ON o.id = f.opportunity_id"
    " WHERE f.person_id = :id ORDER BY f.offered_at"
)


_opportunity_alerts = _about_person("SELECT * FROM opportunity_alerts WHERE person_id = :id")


_intro_participation = _about_person("SELECT * FROM intro_participants WHERE person_id = :id")


_intro_pairs = _about_person(
    "SELECT * FROM intro_pairs WHERE person_a = :id OR person_b = :id ORDER BY month, id"
)


_intro_exclusions = _about_person(
    "SELECT * FROM intro_exclusions WHERE person_id = :id OR excluded_id = :id ORDER BY created_at"
)


SECTIONS: Final[tuple[Section, ...]] = (
    Section("person", ("people",), _person, single=True),
    Section("private_chat", ("chats",), _private_chat, single=True),
    Section("memberships", ("group_members",), _memberships),
    Section("seen_in_group_chats", ("group_chat_seen",), _seen_in_group_chats),
    Section("drafts", ("drafts",), _drafts),
    Section("messages_to_you", ("outbox",), _outbox),
    Section("personal_digest", ("digest_schedules",), _personal_digest, single=True),
    Section("meetings_organised", ("meetings",), _meetings_organised),
    Section("meeting_answers", ("meeting_rsvps",), _meeting_answers),
    Section("meeting_messages_to_you", ("meeting_posts",), _meeting_messages),
    Section("muted_reminders", ("reminder_mutes",), _reminder_mutes),
    Section("experiences_written", ("experiences",), _experiences),
    Section("experience_decisions", ("experience_history",), _experience_history),
    Section("reviews_written", ("experience_reviews",), _reviews_written),
    Section("selection_votes", ("selection_votes",), _selection_votes),
    Section("selection_rounds_opened", ("selection_rounds",), _selection_rounds_opened),
    Section("updates_in_hand", ("update_inbox",), _updates_in_hand),
    Section("channels", ("person_channels",), _channels, single=True),
    Section("calendar_feed", ("calendar_feeds",), _calendar_feed, single=True),
    Section("roadmap_objectives_created", ("roadmap_objectives",), _roadmap_objectives),
    Section("roadmap_actions_owned", ("roadmap_owners",), _roadmap_owned),
    Section("roadmap_actions_created", ("roadmap_actions",), _roadmap_created),
    Section("roadmap_notes_written", ("roadmap_notes",), _roadmap_notes),
    Section("roadmap_nudges", ("roadmap_nudges",), _roadmap_nudges),
    Section("proposals_made", ("proposals",), _proposals_made),
    Section("proposal_answers", ("proposal_answers",), _proposal_answers),
    Section("proposal_messages_to_you", ("proposal_posts",), _proposal_messages),
    Section("join_requests", ("join_requests",), _join_requests),
    Section("invitations_made", ("group_invites",), _invitations_made),
    Section("participant_list_claims", ("identity_claims",), _identity_claims),
    Section("opportunities_posted", ("opportunities",), _opportunities_posted),
    Section("opportunity_interest", ("opportunity_interest",), _opportunity_interest),
    Section("opportunities_offered", ("opportunity_offers",), _opportunity_offers),
    Section("opportunity_alerts", ("opportunity_alerts",), _opportunity_alerts, single=True),
    Section("introductions", ("intro_participants",), _intro_participation, single=True),
    Section("introduction_pairs", ("intro_pairs",), _intro_pairs),
    Section("introduction_exclusions", ("intro_exclusions",), _intro_exclusions),
    Section("command_menu", ("chat_menus",), _command_menu, single=True),
)
"""Every part of a person's data, in the order /mydata shows them. New features add theirs."""


_FORGET_UPDATES_IN_HAND: Final = (
    "UPDATE update_inbox SET payload = NULL, sender_id = NULL,"
    " handled_at = coalesce(handled_at, received_at) WHERE sender_id = ?"
)
"""What they sent and the bot has not handled yet is dropped, keeping only the update's id
(so Telegram's delivering it again is still recognised)."""


class PrivacyRepository:
    """Reads everything stored about a person, and deletes it."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def personal_data(self, who: Subject) -> dict[str, Any]:
        """Each section's rows about the person, by section name (a single row or None for
        single sections, else a list, possibly empty)."""
        data: dict[str, Any] = {}
        for section in SECTIONS:
            rows = await section.rows(self._db, who)
            data[section.name] = (rows[0] if rows else None) if section.single else rows
        return data

    async def forget(self, who: Subject) -> bool:
        """Delete the person and their private chat in one transaction; False if already gone.

        Their own rows cascade; rows others rely on keep their integrity (the author set NULL).
        """
        async with self._db.transaction() as conn:
            cursor = await conn.execute("DELETE FROM people WHERE id = ?", (who.person_id,))
            deleted = cursor.rowcount > 0
            await cursor.close()
            if deleted and who.telegram_id is not None:
                await conn.execute(
                    "DELETE FROM chats WHERE id = ? AND type = 'private'", (who.telegram_id,)
                )
                await conn.execute(_FORGET_UPDATES_IN_HAND, (who.telegram_id,))
        return deleted
