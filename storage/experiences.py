"""Experiences: experiences, their files and their history (migration 0008).

An experience row is created when its author sends it (the drafts table holds it while it is
being written); every change of status writes a history row in the same transaction.
"""

import builtins
import json
from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, Final

import aiosqlite

from storage.database import Database
from storage.models import (
    Experience,
    ExperienceChange,
    ExperienceFile,
    ExperienceNews,
    ExperienceStatus,
)
from storage.rows import expect_row, row_dict
from storage.timecodec import from_db, to_db

EXPERIENCE_FIELDS: Final[tuple[str, ...]] = (
    "title",
    "reserve",
    "country",
    "themes",
    "summary",
    "challenge",
    "building_blocks",
    "enabling_factors",
    "results",
    "lessons",
    "replicability",
    "partners",
    "contact",
    "links",
)
"""The columns an author writes (and may edit), in the order of the form."""
REQUIRED_FIELDS: Final[frozenset[str]] = frozenset(
    {"title", "reserve", "country", "themes", "summary"}
)
LIST_FIELDS: Final[frozenset[str]] = frozenset({"themes", "links"})
TEXT_FIELDS: Final[tuple[str, ...]] = tuple(f for f in EXPERIENCE_FIELDS if f not in LIST_FIELDS)
"""The free-text columns, in the order of the form."""
"""Stored as JSON lists of strings."""
DECIDED_STATUSES: Final[frozenset[ExperienceStatus]] = frozenset(
    {"accepted", "shortlisted", "selected", "declined"}
)
NOTED_STATUSES: Final[frozenset[ExperienceStatus]] = frozenset({"changes_requested", "declined"})
"""Statuses whose note becomes the experience's ``decision_note``."""
MAX_FILES: Final = 5

_TIME_COLUMNS: Final = ("submitted_at", "decided_at", "published_at", "created_at", "updated_at")

_INSERT: Final = """
INSERT INTO experiences (
    author_id, status, language, title, reserve, country, themes, summary, challenge,
    building_blocks, enabling_factors, results, lessons, replicability, partners, contact, links,
    submitted_at, created_at, updated_at)
VALUES (
    :author_id, 'submitted', :language, :title, :reserve, :country, :themes, :summary, :challenge,
    :building_blocks, :enabling_factors, :results, :lessons, :replicability, :partners, :contact,
    :links, :now, :now, :now)
RETURNING id
"""

_INSERT_FILE: Final = """
INSERT INTO experience_files (
    experience_id, position, kind, file_id, file_unique_id, file_name, mime_type, file_size)
VALUES (?, ?, ?, ?, ?, ?, ?, ?)
"""

_INSERT_HISTORY: Final = """
INSERT INTO experience_history (experience_id, status, changed_by, note, changed_at)
VALUES (?, ?, ?, ?, ?)
"""

_SET_STATUS: Final = """
UPDATE experiences SET
    status = :status,
    decision_note = CASE WHEN :noted THEN :note ELSE decision_note END,
    submitted_at = CASE WHEN :status = 'submitted' THEN :now ELSE submitted_at END,
    decided_at = CASE WHEN :decided AND decided_at IS NULL THEN :now ELSE decided_at END,
    updated_at = :now
WHERE id = :id
"""


def _encode(field: str, value: object) -> object:
    """A field's value as stored: lists as JSON, empty text as NULL."""
    if field in LIST_FIELDS:
        if isinstance(value, str) or not isinstance(value, Iterable):
            raise ValueError(f"{field} must be a list of strings")
        return json.dumps([str(item) for item in value], ensure_ascii=False)
    if value is None or value == "":
        if field in REQUIRED_FIELDS:
            raise ValueError(f"{field} is required")
        return None
    if not isinstance(value, str):
        raise ValueError(f"{field} must be text")
    return value


def _encoded_fields(fields: Mapping[str, object]) -> dict[str, object]:
    unknown = set(fields) - set(EXPERIENCE_FIELDS)
    if unknown:
        raise ValueError(f"not experience fields: {', '.join(sorted(unknown))}")
    return {field: _encode(field, value) for field, value in fields.items()}


def _file(row: aiosqlite.Row) -> ExperienceFile:
    values = row_dict(row)
    values.pop("experience_id")
    return ExperienceFile.model_validate(values)


def _experience(row: aiosqlite.Row, files: Sequence[ExperienceFile]) -> Experience:
    values = row_dict(row, _TIME_COLUMNS)
    values["themes"] = tuple(json.loads(values["themes"]))
    values["links"] = tuple(json.loads(values["links"]))
    values["files"] = tuple(files)
    return Experience.model_validate(values)


def _placeholders(values: Collection[object]) -> str:
    return ", ".join("?" for _ in values)


async def _write_files(
    conn: aiosqlite.Connection, experience_id: int, files: Sequence[ExperienceFile]
) -> None:
    if len(files) > MAX_FILES:
        raise ValueError(f"at most {MAX_FILES} files")
    await conn.execute("DELETE FROM experience_files WHERE experience_id = ?", (experience_id,))
    for position, f in enumerate(files, start=1):
        await conn.execute(
            _INSERT_FILE,
            (
                experience_id,
                position,
                f.kind,
                f.file_id,
                f.file_unique_id,
                f.file_name,
                f.mime_type,
                f.file_size,
            ),
        )


class ExperiencesRepository:
    """Reads and writes experiences, their files and their history.

    Annotations say `builtins.list` because the `list` method shadows it in the class body.
    """

    def __init__(self, db: Database) -> None:
        self._db = db

    async def create(
        self,
        author_id: int | None,
        language: str,
        fields: Mapping[str, object],
        now: datetime,
        files: Sequence[ExperienceFile] = (),
    ) -> Experience:
        """Store a sent experience as ``submitted`` with its files and a first history row.

        ``fields`` are columns of :data:`EXPERIENCE_FIELDS` (themes and links as lists of
        strings); the required ones (:data:`REQUIRED_FIELDS`) must be there and non-empty.
        """
        missing = REQUIRED_FIELDS - set(fields)
        if missing:
            raise ValueError(f"missing fields: {', '.join(sorted(missing))}")
        values = dict.fromkeys(EXPERIENCE_FIELDS) | _encoded_fields(fields)
        values["links"] = values["links"] or "[]"
        params = values | {"author_id": author_id, "language": language, "now": to_db(now)}
        async with self._db.transaction() as conn:
            cursor = await conn.execute(_INSERT, params)
            experience_id = int(expect_row(await cursor.fetchone(), "INSERT experiences")[0])
            await _write_files(conn, experience_id, files)
            await conn.execute(
                _INSERT_HISTORY, (experience_id, "submitted", author_id, None, to_db(now))
            )
        return await self._must_get(experience_id)

    async def get(self, experience_id: int) -> Experience | None:
        """One experience with its files, or None."""
        row = await self._db.fetch_one("SELECT * FROM experiences WHERE id = ?", (experience_id,))
        if row is None:
            return None
        return _experience(row, await self.files(experience_id))

    async def by_author(self, author_id: int) -> builtins.list[Experience]:
        """The person's experiences, the most recently submitted first."""
        return await self._select(
            "WHERE author_id = ? ORDER BY submitted_at DESC, id DESC", (author_id,)
        )

    async def list(
        self,
        statuses: Collection[ExperienceStatus] | None = None,
        theme: str | None = None,
    ) -> builtins.list[Experience]:
        """Experiences in these statuses (all if None) and of this theme, oldest first."""
        clauses: builtins.list[str] = []
        params: builtins.list[object] = []
        if statuses is not None:
            if not statuses:
                return []
            clauses.append(f"status IN ({_placeholders(statuses)})")
            params.extend(statuses)
        if theme is not None:
            clauses.append("EXISTS (SELECT 1 FROM json_each(themes) WHERE value = ?)")
            params.append(theme)
        where = f"WHERE {' AND '.join(clauses)} " if clauses else ""
        return await self._select(f"{where}ORDER BY submitted_at, id", tuple(params))

    async def update_fields(
        self, experience_id: int, now: datetime, **fields: object
    ) -> Experience | None:
        """Change fields the author wrote (validated names and types); None if there is none."""
        if not fields:
            return await self.get(experience_id)
        values = _encoded_fields(fields)
        assignments = ", ".join(f"{field} = :{field}" for field in values)
        params = values | {"id": experience_id, "now": to_db(now)}
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                f"UPDATE experiences SET {assignments}, updated_at = :now WHERE id = :id", params
            )
            if cursor.rowcount == 0:
                return None
        return await self.get(experience_id)

    async def set_status(
        self,
        experience_id: int,
        status: ExperienceStatus,
        now: datetime,
        *,
        changed_by: int | None = None,
        note: str | None = None,
        only_from: Collection[ExperienceStatus] | None = None,
    ) -> Experience | None:
        """Move to ``status`` and write a history row, in one transaction.

        With ``only_from``, only if the current status is one of them (a compare-and-set: a
        stale button cannot move a decided experience). None if the experience does not exist
        or was not in an allowed status. Moving to ``submitted`` (a resubmission) sets
        ``submitted_at``; the first decided status (accepted, shortlisted, selected, declined)
        sets ``decided_at``; the note of ``changes_requested`` or ``declined`` becomes the
        ``decision_note``.
        """
        params = {
            "id": experience_id,
            "status": status,
            "note": note,
            "noted": status in NOTED_STATUSES,
            "decided": status in DECIDED_STATUSES,
            "now": to_db(now),
        }
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "SELECT status FROM experiences WHERE id = ?", (experience_id,)
            )
            row = await cursor.fetchone()
            if row is None or (only_from is not None and row[0] not in only_from):
                return None
            await conn.execute(_SET_STATUS, params)
            await conn.execute(
                _INSERT_HISTORY, (experience_id, status, changed_by, note, to_db(now))
            )
        return await self.get(experience_id)

    async def history(self, experience_id: int) -> builtins.list[ExperienceChange]:
        """Every change of status of the experience, oldest first."""
        rows = await self._db.fetch_all(
            "SELECT * FROM experience_history WHERE experience_id = ? ORDER BY changed_at, id",
            (experience_id,),
        )
        return [ExperienceChange.model_validate(row_dict(row, ("changed_at",))) for row in rows]

    async def files(self, experience_id: int) -> builtins.list[ExperienceFile]:
        """The experience's photos and documents in the order they were sent."""
        rows = await self._db.fetch_all(
            "SELECT * FROM experience_files WHERE experience_id = ? ORDER BY position",
            (experience_id,),
        )
        return [_file(row) for row in rows]

    async def replace_files(
        self, experience_id: int, files: Sequence[ExperienceFile], now: datetime
    ) -> Experience | None:
        """Replace the experience's files (at most five; positions renumbered 1..n)."""
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "UPDATE experiences SET updated_at = ? WHERE id = ?", (to_db(now), experience_id)
            )
            if cursor.rowcount == 0:
                return None
            await _write_files(conn, experience_id, files)
        return await self.get(experience_id)

    async def count_by_status(self) -> dict[str, int]:
        """How many experiences are in each status (statuses with none are left out)."""
        rows = await self._db.fetch_all(
            "SELECT status, COUNT(*) FROM experiences GROUP BY status ORDER BY status"
        )
        return {str(row[0]): int(row[1]) for row in rows}

    async def _must_get(self, experience_id: int) -> Experience:
        experience = await self.get(experience_id)
        if experience is None:
            raise RuntimeError(f"experience {experience_id} vanished")
        return experience

    async def _select(self, tail: str, params: tuple[Any, ...]) -> builtins.list[Experience]:
        rows = await self._db.fetch_all(f"SELECT * FROM experiences {tail}", params)
        if not rows:
            return []
        ids = [int(row["id"]) for row in rows]
        files: dict[int, builtins.list[ExperienceFile]] = {i: [] for i in ids}
        file_rows = await self._db.fetch_all(
            "SELECT * FROM experience_files WHERE experience_id IN "
            f"(SELECT id FROM experiences {tail}) ORDER BY experience_id, position",
            params,
        )
        for file_row in file_rows:
            # A row written between the two reads has no experience in `rows`: skip it.
            files.get(int(file_row["experience_id"]), []).append(_file(file_row))
        return [_experience(row, files[int(row["id"])]) for row in rows]

    async def news_between(
        self, themes: Collection[str] | None, since: datetime, until: datetime
    ) -> builtins.list[ExperienceNews]:
        """Experiences first submitted or first selected in ``(since, until]`` (history times),
        of any of ``themes`` (every theme if None), oldest first; withdrawn or declined ones
        are left out."""
        if themes is not None and not themes:
            return []
        theme_clause = ""
        params: builtins.list[object] = [to_db(since), to_db(until)]
        if themes is not None:
            theme_clause = (
                "AND EXISTS (SELECT 1 FROM json_each(e.themes)"
                f" WHERE value IN ({_placeholders(themes)}))"
            )
            params.extend(themes)
        rows = await self._db.fetch_all(
            "SELECT e.id, e.title, e.reserve, e.country, e.themes, h.status AS event,"
            " h.at FROM experiences AS e JOIN ("
            "  SELECT experience_id, status, MIN(changed_at) AS at FROM experience_history"
            "  WHERE status IN ('submitted', 'selected') GROUP BY experience_id, status"
            " ) AS h ON h.experience_id = e.id"
            " WHERE h.at > ? AND h.at <= ?"
            f" AND e.status NOT IN ('withdrawn', 'declined') {theme_clause}"
            " ORDER BY h.at, e.id, h.status",
            tuple(params),
        )
        return [
            ExperienceNews(
                experience_id=int(row["id"]),
                event=row["event"],
                at=from_db(row["at"]),
                title=row["title"],
                reserve=row["reserve"],
                country=row["country"],
                themes=tuple(json.loads(row["themes"])),
            )
            for row in rows
        ]
