"""PeopleRepository against a real database."""

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from storage import Database, Person, Repositories, to_db


async def _meet(
    repos: Repositories, now: datetime, *, private: bool = False, **changes: Any
) -> Person:
    """Tell the repository that Ana (telegram id 1001) was seen, with optional changes."""
    fields: dict[str, Any] = {
        "telegram_id": 1001,
        "first_name": "Ana",
        "last_name": "García",
        "username": "ana_g",
        "language_code": "es",
        "private": private,
        "now": now,
    }
    fields.update(changes)
    return await repos.people.upsert_from_telegram(**fields)


async def test_first_sighting_creates_a_person(repos: Repositories, now: datetime) -> None:
    person = await _meet(repos, now)
    assert person.id > 0
    assert person.telegram_id == 1001
    assert person.full_name == "Ana García"
    assert person.telegram_language == "es"
    assert person.language is None
    assert person.started_at is None
    assert person.reachable is True
    assert person.created_at == person.last_seen_at == now
    assert person.created_at.tzinfo is UTC
    assert await repos.people.get(person.id) == person
    assert await repos.people.by_telegram_id(1001) == person
    assert await repos.people.count() == 1


async def test_later_sightings_update_the_same_row(repos: Repositories, now: datetime) -> None:
    first = await _meet(repos, now)
    later = now + timedelta(hours=2)
    second = await _meet(
        repos, later, last_name=None, username="AnaG", language_code=None, first_name="Anita"
    )
    assert second.id == first.id
    assert (second.first_name, second.last_name, second.username) == ("Anita", None, "AnaG")
    assert second.full_name == "Anita"
    assert second.telegram_language == "es"  # no language_code this time: keep the last one
    assert second.last_seen_at == later
    assert second.created_at == now
    assert await repos.people.count() == 1


async def test_started_at_is_the_first_private_message(repos: Repositories, now: datetime) -> None:
    await _meet(repos, now)
    started = await _meet(repos, now + timedelta(minutes=1), private=True)
    again = await _meet(repos, now + timedelta(minutes=2), private=True)
    assert started.started_at == now + timedelta(minutes=1)
    assert again.started_at == started.started_at


async def test_unreachable_until_they_write_privately(repos: Repositories, now: datetime) -> None:
    person = await _meet(repos, now, private=True)
    await repos.people.mark_unreachable(person.id, now)
    assert (await _meet(repos, now)).reachable is False  # a group message proves nothing
    assert (await _meet(repos, now, private=True)).reachable is True


async def test_an_imported_username_is_only_proposed_as_a_claim(
    db: Database, repos: Repositories, now: datetime
) -> None:
    stamp = to_db(now)
    async with db.transaction() as conn:
        cursor = await conn.execute(
            "INSERT INTO people (first_name, username, display_name, created_at, updated_at)"
            " VALUES ('Ana', 'Ana_G', 'Ana G. (Sierra Nevada)', ?, ?)",
            (stamp, stamp),
        )
        imported_id = cursor.lastrowid
    person = await _meet(repos, now, username="ana_g")
    assert person.id != imported_id
    assert person.telegram_id == 1001
    assert person.display_name is None
    assert await repos.people.count() == 2
    [claim] = await repos.claims.pending_of(person.id)
    assert (claim.imported_id, claim.status, claim.notice_due_at) == (imported_id, "pending", now)


async def test_language_and_timezone(repos: Repositories, now: datetime) -> None:
    person = await _meet(repos, now)
    later = now + timedelta(days=1)
    await repos.people.set_language(person.id, "zh", later)
    await repos.people.set_timezone(person.id, "Asia/Shanghai", later)
    stored = await repos.people.get(person.id)
    assert stored is not None
    assert (stored.language, stored.timezone, stored.updated_at) == ("zh", "Asia/Shanghai", later)

    await repos.people.set_language(person.id, None, later)
    await repos.people.set_timezone(person.id, None, later)
    cleared = await repos.people.get(person.id)
    assert cleared is not None
    assert (cleared.language, cleared.timezone) == (None, None)

    with pytest.raises(ValueError, match="language"):
        await repos.people.set_language(person.id, "de", later)
    with pytest.raises(ValueError, match="time zone"):
        await repos.people.set_timezone(person.id, "Mars/Olympus_Mons", later)


async def test_times_are_stored_in_utc(repos: Repositories, db: Database) -> None:
    madrid_summer = timezone(timedelta(hours=2))
    person = await _meet(repos, datetime(2024, 7, 1, 12, 0, tzinfo=madrid_summer))
    assert person.created_at == datetime(2024, 7, 1, 10, 0, tzinfo=UTC)
    raw = await db.fetch_value("SELECT created_at FROM people WHERE id = ?", (person.id,))
    assert raw == "2024-07-01T10:00:00.000000Z"


async def test_naive_datetime_is_refused(repos: Repositories) -> None:
    with pytest.raises(ValueError, match="naive datetime"):
        await _meet(repos, datetime(2024, 1, 1, 12, 0))  # noqa: DTZ001
    assert await repos.people.count() == 0


async def test_unknown_people(repos: Repositories) -> None:
    assert await repos.people.get(404) is None
    assert await repos.people.by_telegram_id(404) is None
