"""A person's data, read whole and forgotten whole, against a real database."""

from __future__ import annotations

import sqlite3
from datetime import datetime

import pytest

from config import load_network
from storage import Database, Person, Repositories, to_db
from storage.privacy import SECTIONS, PrivacyRepository, Subject

ANONYMISE_OR_DELETE = {"CASCADE", "SET NULL"}


async def _someone(repos: Repositories, now: datetime, telegram_id: int, name: str) -> Person:
    return await repos.people.upsert_from_telegram(
        telegram_id=telegram_id,
        first_name=name,
        last_name=None,
        username=f"{name.lower()}_tg",
        language_code="es",
        private=True,
        now=now,
    )


@pytest.fixture
async def ana_and_bo(repos: Repositories, now: datetime) -> tuple[Person, Person]:
    """Ana and Bo, both in the climate group; Ana with a draft, a private chat and a sighting."""
    await repos.groups.seed(load_network().groups, now)
    climate = await repos.groups.by_slug("climate")
    assert climate is not None
    ana = await _someone(repos, now, 1001, "Ana")
    bo = await _someone(repos, now, 1002, "Bo")
    ana = await repos.people.update_profile(ana.id, now, country="ES", interests=["climate"])
    for person, role in ((ana, "coordinator"), (bo, "member")):
        await repos.groups.add_member(climate.id, person.id, role, now)
        await repos.chats.upsert(
            chat_id=person.telegram_id or 0,
            type="private",
            title=None,
            username=person.username,
            is_forum=False,
            now=now,
        )
    await repos.chats.upsert(
        chat_id=-100500, type="supergroup", title="Climate", username=None, is_forum=False, now=now
    )
    await repos.drafts.save(ana.id, "profile", "reserve", {"name": "Ana <b>"}, ana.telegram_id, now)
    async with repos.db.transaction() as conn:
        await conn.execute(
            "INSERT INTO group_chat_seen (group_id, person_id, first_seen_at, last_seen_at)"
            " VALUES (?, ?, ?, ?)",
            (climate.id, ana.id, to_db(now), to_db(now)),
        )
        await conn.execute(
            "INSERT INTO outbox (kind, chat_id, person_id, payload, dedupe_key, due_at,"
            " next_attempt_at, created_at, updated_at)"
            " VALUES ('reminder', ?, ?, ?, 'r1', ?, ?, ?, ?)",
            (1001, ana.id, '{"text": "Meeting at 15:00"}', *[to_db(now)] * 4),
        )
    return ana, bo


def _subject(person: Person) -> Subject:
    return Subject(person.id, person.telegram_id)


async def test_personal_data_holds_every_section_with_iso_times_and_decoded_json(
    db: Database, ana_and_bo: tuple[Person, Person], now: datetime
) -> None:
    ana, _ = ana_and_bo

    data = await PrivacyRepository(db).personal_data(_subject(ana))

    assert list(data) == [section.name for section in SECTIONS]
    person = data["person"]
    assert person["id"] == ana.id
    assert person["telegram_id"] == 1001
    assert person["country"] == "ES"
    assert person["interests"] == ["climate"]
    assert person["created_at"] == now.isoformat()
    with sqlite3.connect(db.path) as fresh:
        columns = {row[1] for row in fresh.execute("PRAGMA table_info(people)")}
    assert set(person) == columns
    assert data["private_chat"]["id"] == 1001
    assert data["private_chat"]["username"] == "ana_tg"
    assert [(m["group_slug"], m["role"]) for m in data["memberships"]] == [
        ("climate", "coordinator")
    ]
    assert data["memberships"][0]["joined_at"] == now.isoformat()
    assert data["seen_in_group_chats"][0]["group_slug"] == "climate"
    assert data["drafts"][0]["data"] == {"name": "Ana <b>"}
    assert data["drafts"][0]["kind"] == "profile"
    assert data["messages_to_you"][0]["payload"] == {"text": "Meeting at 15:00"}


async def test_forgetting_removes_the_person_and_only_their_rows(
    db: Database, repos: Repositories, ana_and_bo: tuple[Person, Person]
) -> None:
    ana, bo = ana_and_bo

    assert await PrivacyRepository(db).forget(_subject(ana)) is True

    assert await repos.people.get(ana.id) is None
    assert await repos.chats.get(1001) is None
    for table in ("group_members", "drafts", "group_chat_seen", "outbox"):
        left = await db.fetch_value(f"SELECT count(*) FROM {table} WHERE person_id = ?", (ana.id,))
        assert left == 0, table
    assert await repos.people.get(bo.id) == bo
    assert await repos.chats.get(1002) is not None
    assert await repos.chats.get(-100500) is not None
    climate = await repos.groups.by_slug("climate")
    assert climate is not None
    assert await repos.groups.member_count(climate.id) == 1
    assert await db.integrity_check() == "ok"
    assert await db.fetch_all("PRAGMA foreign_key_check") == []
    assert await PrivacyRepository(db).forget(_subject(ana)) is False


async def test_forgetting_someone_imported_who_never_wrote(
    db: Database, repos: Repositories, now: datetime
) -> None:
    async with repos.db.transaction() as conn:
        cursor = await conn.execute(
            "INSERT INTO people (first_name, username, created_at, updated_at)"
            " VALUES ('Zoe', 'zoe_smith', ?, ?)",
            (to_db(now), to_db(now)),
        )
        zoe_id = cursor.lastrowid
    assert zoe_id is not None

    assert await PrivacyRepository(db).forget(Subject(zoe_id, None)) is True
    assert await repos.people.count() == 0


def _references(db: Database, target: str) -> list[tuple[str, str]]:
    """(table, on_delete) of every foreign key pointing at ``target``.

    Read on a fresh connection: a pooled reader may hold a schema from before the migrations.
    """
    connection = sqlite3.connect(db.path)
    try:
        tables = [
            row[0]
            for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        ]
        return [
            (table, key[6])  # (id, seq, table, from, to, on_update, on_delete, match)
            for table in tables
            for key in connection.execute(f"PRAGMA foreign_key_list({table})")
            if key[2] == target
        ]
    finally:
        connection.close()


async def test_every_table_about_people_is_in_mydata_and_anonymised_or_deleted_with_them(
    db: Database,
) -> None:
    """A new table that references people must add a section to storage/privacy.py and say
    what /forgetme does to its rows: CASCADE (the person's own rows) or SET NULL (rows others
    rely on, such as an experience they co-authored, which stays with the author anonymised)."""
    covered = {table for section in SECTIONS for table in section.tables}
    references = _references(db, "people")

    assert references, "no table references people: the check below would prove nothing"
    for table, on_delete in references:
        assert table in covered, f"{table} holds people's data but /mydata does not show it"
        assert on_delete in ANONYMISE_OR_DELETE, f"{table}: ON DELETE {on_delete} blocks /forgetme"


async def test_deleting_a_private_chat_never_blocks_on_other_tables(db: Database) -> None:
    for table, on_delete in _references(db, "chats"):
        assert on_delete in ANONYMISE_OR_DELETE, f"{table}: ON DELETE {on_delete} blocks /forgetme"
