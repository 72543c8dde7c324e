"""People: who the bot knows, their chosen language and time zone."""

import asyncio
import json
from collections.abc import Callable
from datetime import datetime
from typing import Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import aiosqlite

from config import SUPPORTED_LANGUAGES
from storage.database import Database
from storage.models import Person
from storage.rows import expect_row, row_dict
from storage.timecodec import to_db

Fold = Callable[[str], str]
"""How names are compared (the bot passes its one ``fold``)."""

_TIME_COLUMNS: Final = ("started_at", "created_at", "updated_at", "last_seen_at")

# A new account whose @username is that of an imported row (telegram_id still NULL) proposes a
# claim of it; nothing of the row reaches the account until the secretariat confirms the match
# (storage/claims.py). One pending claim per imported row; a pair once decided is not proposed
# again.
_PROPOSE_CLAIM: Final = """
INSERT INTO identity_claims (account_id, imported_id, notice_due_at, created_at)
SELECT :account_id, p.id, :now, :now FROM people AS p
WHERE p.telegram_id IS NULL AND lower(p.username) = lower(:username) AND p.id != :account_id
  AND NOT EXISTS (SELECT 1 FROM identity_claims AS c
                  WHERE c.imported_id = p.id
                    AND (c.status = 'pending' OR c.account_id = :account_id))
ORDER BY p.id LIMIT 1
"""

_UPSERT_FROM_TELEGRAM: Final = """
INSERT INTO people (telegram_id, first_name, last_name, username, telegram_language,
                    started_at, reachable, created_at, updated_at, last_seen_at)
VALUES (:telegram_id, :first_name, :last_name, :username, :language_code,
        CASE WHEN :private THEN :now END, 1, :now, :now, :now)
ON CONFLICT (telegram_id) DO UPDATE SET
    first_name = excluded.first_name,
    last_name = excluded.last_name,
    username = excluded.username,
    telegram_language = coalesce(excluded.telegram_language, people.telegram_language),
    started_at = coalesce(people.started_at, excluded.started_at),
    reachable = CASE WHEN :private THEN 1 ELSE people.reachable END,
    updated_at = excluded.updated_at,
    last_seen_at = excluded.last_seen_at
RETURNING *
"""


_LIST_COLUMNS: Final = ("spoken_languages", "interests")

_MARK_SEEN: Final = """
UPDATE people SET last_seen_at = ?1
WHERE id = ?2 AND (last_seen_at IS NULL OR last_seen_at < ?3)
"""


def _telegram_details_changed(
    known: Person,
    first_name: str,
    last_name: str | None,
    username: str | None,
    language_code: str | None,
    private: bool,
) -> bool:
    """Whether ``_UPSERT_FROM_TELEGRAM`` would change more than the person's times."""
    return (
        (known.first_name, known.last_name, known.username) != (first_name, last_name, username)
        or (language_code is not None and language_code != known.telegram_language)
        or (private and (known.started_at is None or not known.reachable))
    )


def _person(row: aiosqlite.Row) -> Person:
    values = row_dict(row, _TIME_COLUMNS)
    for column in _LIST_COLUMNS:
        values[column] = tuple(json.loads(values[column]))
    return Person.model_validate(values)


def _check_language(language: str | None) -> None:
    if language is not None and language not in SUPPORTED_LANGUAGES:
        raise ValueError(f"unsupported language: {language!r}")


def _check_timezone(tz: str | None) -> None:
    if tz is None:
        return
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ValueError(f"unknown time zone: {tz!r}") from error


class PeopleRepository:
    """Reads and writes the `people` table."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self.on_claim: Callable[[], None] | None = None
        """Called once a unit that proposed a claim commits (the runtime queues its notices)."""

    async def get(self, person_id: int) -> Person | None:
        row = await self._db.lookup("SELECT * FROM people WHERE id = ?", (person_id,))
        return None if row is None else _person(row)

    async def by_telegram_id(self, telegram_id: int) -> Person | None:
        row = await self._db.lookup("SELECT * FROM people WHERE telegram_id = ?", (telegram_id,))
        return None if row is None else _person(row)

    async def upsert_from_telegram(
        self,
        *,
        telegram_id: int,
        first_name: str,
        last_name: str | None,
        username: str | None,
        language_code: str | None,
        private: bool,
        now: datetime,
    ) -> Person:
        """Record what an update says about its sender, in one write transaction.

        `private` means the person wrote to the bot privately: the first such time sets
        `started_at`, and any such time makes them reachable again.
        """
        params = {
            "telegram_id": telegram_id,
            "first_name": first_name,
            "last_name": last_name,
            "username": username,
            "language_code": language_code,
            "private": private,
            "now": to_db(now),
        }
        async with self._db.transaction() as conn:
            async with conn.execute(_UPSERT_FROM_TELEGRAM, params) as cursor:
                row = expect_row(await cursor.fetchone(), "people upsert")
            if username:
                proposed = await conn.execute(_PROPOSE_CLAIM, {**params, "account_id": row["id"]})
                if proposed.rowcount > 0 and self.on_claim is not None:
                    self._db.after_commit(self.on_claim)
        return _person(row)

    async def record_presence(
        self,
        *,
        telegram_id: int,
        first_name: str,
        last_name: str | None,
        username: str | None,
        language_code: str | None,
        private: bool,
        now: datetime,
    ) -> Person:
        """What ``upsert_from_telegram`` does, with no write transaction when nothing changed.

        Runs for every update: a known person whose Telegram details are unchanged costs one
        read; only ``last_seen_at`` moves, and it is written behind, coalesced (``Database.defer``).
        """
        known = await self.by_telegram_id(telegram_id)
        if known is None or _telegram_details_changed(
            known, first_name, last_name, username, language_code, private
        ):
            return await self.upsert_from_telegram(
                telegram_id=telegram_id,
                first_name=first_name,
                last_name=last_name,
                username=username,
                language_code=language_code,
                private=private,
                now=now,
            )
        seen = to_db(now)
        self._db.defer(("people.last_seen_at", known.id), _MARK_SEEN, (seen, known.id, seen))
        return known.model_copy(update={"last_seen_at": now})

    async def set_language(self, person_id: int, language: str | None, now: datetime) -> None:
        """Set (or clear with None) the language the person chose."""
        _check_language(language)
        await self._update(person_id, "language", language, now)

    async def set_timezone(self, person_id: int, tz: str | None, now: datetime) -> None:
        """Set (or clear with None) the person's IANA time zone."""
        _check_timezone(tz)
        await self._update(person_id, "timezone", tz, now)

    async def mark_unreachable(self, person_id: int, now: datetime) -> None:
        """The person blocked the bot (403): stop writing to them until they write again."""
        await self._update(person_id, "reachable", 0, now)

    async def search(
        self, query: str, limit: int = 10, *, by_id: bool = True, fold: Fold | None = None
    ) -> list[Person]:
        """People matching ``@username`` exactly, a numeric id (if ``by_id``), or their name
        (compared through ``fold`` when given: case, accents and width ignored)."""
        return await search_people(self._db, query, limit, by_id=by_id, fold=fold)

    async def count(self) -> int:
        return int(await self._db.fetch_value("SELECT count(*) FROM people"))

    async def _update(self, person_id: int, column: str, value: object, now: datetime) -> None:
        # `column` is always one of this module's literals, never user input.
        sql = f"UPDATE people SET {column} = ?, updated_at = ? WHERE id = ?"
        await self._db.write_one(sql, (value, to_db(now), person_id))

    async def update_profile(self, person_id: int, now: datetime, **fields: object) -> Person:
        """Set profile fields (see PROFILE_FIELDS) in one transaction; returns the new row.

        Lists (``spoken_languages``, ``interests``) are given as sequences of strings.
        """
        unknown = set(fields) - set(PROFILE_FIELDS)
        if unknown:
            raise ValueError(f"not profile fields: {', '.join(sorted(unknown))}")
        _check_language(_as_optional_str(fields.get("language")))
        _check_timezone(_as_optional_str(fields.get("timezone")))
        values = {
            column: json.dumps(list(value)) if column in _LIST_COLUMNS else value  # type: ignore[call-overload]
            for column, value in fields.items()
        }
        assignments = ", ".join(f"{column} = :{column}" for column in values)
        sql = f"UPDATE people SET {assignments}, updated_at = :now WHERE id = :id RETURNING *"
        params = {**values, "now": to_db(now), "id": person_id}
        async with self._db.transaction() as conn, conn.execute(sql, params) as cursor:
            row = expect_row(await cursor.fetchone(), "profile update")
        return _person(row)


PROFILE_FIELDS: Final = (
    "display_name",
    "reserve",
    "country",
    "organisation",
    "role",
    "timezone",
    "language",
    "spoken_languages",
    "interests",
    "email",
)
"""Columns a person (or an import) may set; never ids, times or Telegram's own fields."""


def _as_optional_str(value: object) -> str | None:
    return None if value is None else str(value)


_SEARCH: Final = """
SELECT * FROM people
WHERE (:username IS NOT NULL AND lower(username) = :username)
   OR (:number IS NOT NULL AND (telegram_id = :number OR id = :number))
   OR (:username IS NULL AND :number IS NULL AND (
        lower(coalesce(display_name, '')) LIKE :pattern ESCAPE '\\'
        OR lower(first_name || ' ' || coalesce(last_name, '')) LIKE :pattern ESCAPE '\\'))
ORDER BY lower(coalesce(display_name, first_name)), id
LIMIT :limit
"""


_NAMES: Final = "SELECT id, display_name, first_name, last_name FROM people"
_ROWS_BETWEEN_YIELDS: Final = 2_000


async def search_people(
    db: Database, query: str, limit: int = 10, *, by_id: bool = True, fold: Fold | None = None
) -> list[Person]:
    """People matching ``@username`` exactly, a numeric id (if ``by_id``), or their name.

    Without ``by_id`` a number is only looked for in names: /whois never walks internal ids.
    With ``fold`` (the bot's ``bot.textfold.fold``) a name matches whatever its case, accents
    and character width: "lea" finds Léa.
    """
    text = query.strip()
    username = text[1:].lower() if text.startswith("@") and len(text) > 1 else None
    number = int(text) if by_id and text.isdigit() else None
    if fold is not None and username is None and number is None:
        return await _search_folded(db, fold(text), limit, fold)
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    params = {"username": username, "number": number, "pattern": f"%{escaped}%", "limit": limit}
    return [_person(row) for row in await db.fetch_all(_SEARCH, params)]


async def _search_folded(db: Database, wanted: str, limit: int, fold: Fold) -> list[Person]:
    """People whose display name or first and last names hold ``wanted`` once folded, in the
    order of their folded names."""
    if not wanted:
        return []
    found: list[tuple[str, int]] = []
    for number, row in enumerate(await db.fetch_all(_NAMES)):
        if number % _ROWS_BETWEEN_YIELDS == _ROWS_BETWEEN_YIELDS - 1:
            await asyncio.sleep(0)  # a large network's scan lets other updates through
        display = fold(row["display_name"] or "")
        full = fold(f"{row['first_name']} {row['last_name'] or ''}")
        if wanted in display or wanted in full:
            found.append((display or full, int(row["id"])))
    ids = [person_id for _, person_id in sorted(found)[:limit]]
    if not ids:
        return []
    marks = ", ".join("?" for _ in ids)
    rows = await db.fetch_all(f"SELECT * FROM people WHERE id IN ({marks})", ids)
    by_id = {int(row["id"]): _person(row) for row in rows}
    return [by_id[person_id] for person_id in ids if person_id in by_id]


def person_from_row(row: aiosqlite.Row) -> Person:
    """A Person from a row holding the `people` columns (other repositories' joins)."""
    return _person(row)
