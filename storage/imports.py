"""Importing the participant list: find who is already known, write everyone in one transaction.

A person in the list is matched by Telegram username, else by email (both case-insensitively).
A re-import changes a field only while it still holds what the previous import wrote, or is
empty: what people set themselves wins over the list (the ``imported`` column, migration 0004).
Memberships are added, never removed, and a former member is not brought back.
"""

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from typing import Any, Final

import aiosqlite

from storage.database import Database
from storage.timecodec import to_db

IMPORT_FIELDS: Final = ("display_name", "email", "reserve", "country", "language", "timezone")
"""The people columns a list may set (besides the username of a person not yet on Telegram)."""

# A Telegram account is matched only once a list's row became it (``imported`` set: confirmed
# by the secretariat, migration 0016); any other account holding the username or e-mail only
# gets a claim proposed, so the list's details never reach it unconfirmed.
_MATCH_BY_USERNAME: Final = """
SELECT id FROM people WHERE lower(username) = lower(?)
  AND (telegram_id IS NULL OR imported IS NOT NULL)
ORDER BY telegram_id IS NULL, id LIMIT 1
"""

_MATCH_BY_EMAIL: Final = """
SELECT id FROM people WHERE lower(email) = lower(?)
  AND (telegram_id IS NULL OR imported IS NOT NULL)
ORDER BY telegram_id IS NULL, id LIMIT 1
"""

_PROPOSE_CLAIM: Final = """
INSERT INTO identity_claims (account_id, imported_id, notice_due_at, created_at)
SELECT id, :imported, :now, :now FROM people
WHERE telegram_id IS NOT NULL AND imported IS NULL
  AND (lower(username) = lower(:username) OR lower(email) = lower(:email))
ORDER BY id LIMIT 1
ON CONFLICT DO NOTHING
"""

_INSERT_PERSON: Final = """
INSERT INTO people (telegram_id, first_name, username, display_name, email, reserve, country,
                    language, timezone, imported, created_at, updated_at)
VALUES (NULL, :display_name, :username, :display_name, :email, :reserve, :country,
        :language, :timezone, :imported, :now, :now)
"""

_ADD_MEMBERSHIP: Final = """
INSERT INTO group_members (group_id, person_id, role, joined_at, source)
VALUES (?, ?, 'member', ?, 'import')
ON CONFLICT (group_id, person_id) DO NOTHING
"""


@dataclass(frozen=True)
class ImportedPerson:
    """One valid row of the list, ready to write."""

    row: int
    """Its row number in the file (the header is row 1)."""
    username: str | None
    email: str | None
    values: Mapping[str, str] = field(default_factory=dict)
    """Non-empty cells, by column of IMPORT_FIELDS (``display_name`` always present)."""
    group_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class ImportReport:
    """What an import did."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    kept: int = 0
    """Fields left as the person set them, although the list says otherwise."""


class FieldOutcome(Enum):
    UNCHANGED = "unchanged"
    SET = "set"
    KEPT = "kept"


def field_outcome(
    current: object, last_imported: object, incoming: str, *, ignore_case: bool = False
) -> FieldOutcome:
    """Whether a list's value replaces a field: only an empty one, or one still as last imported."""
    if current == incoming or (
        ignore_case and isinstance(current, str) and current.casefold() == incoming.casefold()
    ):
        return FieldOutcome.UNCHANGED
    if current is None or current == last_imported:
        return FieldOutcome.SET
    return FieldOutcome.KEPT


async def _first_id(conn: aiosqlite.Connection, sql: str, value: str) -> int | None:
    async with conn.execute(sql, (value,)) as cursor:
        row = await cursor.fetchone()
    return None if row is None else int(row[0])


async def _match(conn: aiosqlite.Connection, person: ImportedPerson) -> int | None:
    """The id of the known person this row is: by username, else by email."""
    if person.username:
        found = await _first_id(conn, _MATCH_BY_USERNAME, person.username)
        if found is not None:
            return found
    if person.email:
        return await _first_id(conn, _MATCH_BY_EMAIL, person.email)
    return None


async def _insert(conn: aiosqlite.Connection, person: ImportedPerson, stamp: str) -> int:
    params: dict[str, Any] = dict.fromkeys(IMPORT_FIELDS)
    params.update(person.values)
    params |= {
        "username": person.username,
        "imported": json.dumps(dict(person.values), ensure_ascii=False, sort_keys=True),
        "now": stamp,
    }
    cursor = await conn.execute(_INSERT_PERSON, params)
    person_id = cursor.lastrowid
    await cursor.close()
    if person_id is None:
        raise RuntimeError(f"no id for the person of row {person.row}")
    return person_id


async def _update(
    conn: aiosqlite.Connection, person_id: int, person: ImportedPerson, stamp: str
) -> tuple[bool, int]:
    """Apply a row to a known person; (whether anything changed, fields kept as they were)."""
    async with conn.execute("SELECT * FROM people WHERE id = ?", (person_id,)) as cursor:
        current = await cursor.fetchone()
    if current is None:
        raise RuntimeError(f"person {person_id} vanished during the import")
    previous = json.loads(current["imported"] or "{}")
    changes: dict[str, object] = {}
    kept = 0
    for column, value in person.values.items():
        outcome = field_outcome(
            current[column], previous.get(column), value, ignore_case=column == "email"
        )
        if outcome is FieldOutcome.SET:
            changes[column] = value
        kept += outcome is FieldOutcome.KEPT
    if (
        person.username
        and current["telegram_id"] is None
        and current["username"] != person.username
    ):
        changes["username"] = person.username
    imported = {**previous, **person.values}
    if changes or imported != previous:
        changes["imported"] = json.dumps(imported, ensure_ascii=False, sort_keys=True)
    if changes:
        # Column names come from IMPORT_FIELDS and this function, never from the file.
        assignments = ", ".join(f"{column} = :{column}" for column in changes)
        await conn.execute(
            f"UPDATE people SET {assignments}, updated_at = :now WHERE id = :id",
            {**changes, "now": stamp, "id": person_id},
        )
    return bool(changes.keys() - {"imported"}), kept


async def _add_memberships(
    conn: aiosqlite.Connection, person_id: int, group_ids: Sequence[int], stamp: str
) -> bool:
    """Add the person to groups they never were in; True if any was added."""
    added = False
    for group_id in group_ids:
        cursor = await conn.execute(_ADD_MEMBERSHIP, (group_id, person_id, stamp))
        added = added or cursor.rowcount > 0
        await cursor.close()
    return added


async def _write(conn: aiosqlite.Connection, person: ImportedPerson, stamp: str) -> tuple[str, int]:
    """Write one row: ("added" | "updated" | "unchanged", fields kept)."""
    person_id = await _match(conn, person)
    if person_id is None:
        added = await _insert(conn, person, stamp)
        await _add_memberships(conn, added, person.group_ids, stamp)
        claim = {"imported": added, "now": stamp, "username": person.username}
        await conn.execute(_PROPOSE_CLAIM, claim | {"email": person.email})
        return "added", 0
    changed, kept = await _update(conn, person_id, person, stamp)
    joined = await _add_memberships(conn, person_id, person.group_ids, stamp)
    return ("updated" if changed or joined else "unchanged"), kept


class ImportsRepository:
    """Matches and writes imported people and their memberships."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def matches(self, people: Sequence[ImportedPerson]) -> list[int | None]:
        """For each row, the id of the person already known (None for someone new)."""
        found: list[int | None] = []
        for person in people:
            person_id = None
            if person.username:
                person_id = await self._db.fetch_value(_MATCH_BY_USERNAME, (person.username,))
            if person_id is None and person.email:
                person_id = await self._db.fetch_value(_MATCH_BY_EMAIL, (person.email,))
            found.append(None if person_id is None else int(person_id))
        return found

    async def apply(
        self,
        people: Sequence[ImportedPerson],
        now: datetime,
        progress: Callable[[int], None] | None = None,
    ) -> ImportReport:
        """Write every row in one transaction (all or nothing); ``progress(n)`` after each."""
        counts = {"added": 0, "updated": 0, "unchanged": 0}
        kept = 0
        stamp = to_db(now)
        async with self._db.transaction() as conn:
            for done, person in enumerate(people, start=1):
                outcome, kept_fields = await _write(conn, person, stamp)
                counts[outcome] += 1
                kept += kept_fields
                if progress is not None:
                    progress(done)
        return ImportReport(**counts, kept=kept)
