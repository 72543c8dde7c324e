"""What every update costs the database: a known, unchanged sender is one read on the event
loop's thread and a deferred "last seen"; anything that changed is written at once."""

from datetime import datetime, timedelta
from typing import Any

from storage import Database, Person, Repositories, to_db


async def _seen(repos: Repositories, now: datetime, **changes: Any) -> Person:
    fields: dict[str, Any] = {
        "telegram_id": 1001,
        "first_name": "Ana",
        "last_name": "García",
        "username": "ana_g",
        "language_code": "es",
        "private": True,
        "now": now,
    }
    fields.update(changes)
    return await repos.people.record_presence(**fields)


async def _stored(db: Database) -> dict[str, Any]:
    row = await db.fetch_one("SELECT * FROM people WHERE telegram_id = 1001")
    assert row is not None
    return dict(row)


async def test_a_newcomer_is_written_at_once(repos: Repositories, now: datetime) -> None:
    ana = await _seen(repos, now)
    assert ana.started_at == ana.last_seen_at == now
    assert await repos.people.by_telegram_id(1001) == ana


async def test_an_unchanged_sender_only_moves_last_seen_and_that_is_written_behind(
    repos: Repositories, db: Database, now: datetime
) -> None:
    first = await _seen(repos, now)
    later = now + timedelta(minutes=5)
    again = await _seen(repos, later)
    assert again == first.model_copy(update={"last_seen_at": later})
    assert (await _stored(db))["last_seen_at"] == to_db(now)  # not yet: deferred
    await db.flush_deferred()
    stored = await _stored(db)
    assert stored["last_seen_at"] == to_db(later)
    assert stored["updated_at"] == to_db(now)


async def test_a_late_deferred_write_never_moves_last_seen_back(
    repos: Repositories, db: Database, now: datetime
) -> None:
    await _seen(repos, now)
    await _seen(repos, now + timedelta(minutes=1))  # deferred
    await _seen(repos, now + timedelta(minutes=2), first_name="Ana María")  # written at once
    await db.flush_deferred()
    assert (await _stored(db))["last_seen_at"] == to_db(now + timedelta(minutes=2))


async def test_changes_telegram_reports_are_written_at_once(
    repos: Repositories, db: Database, now: datetime
) -> None:
    await _seen(repos, now, private=False)
    later = now + timedelta(minutes=1)
    for change in (
        {"username": "ana_garcia"},
        {"last_name": None},
        {"language_code": "fr"},
        {"private": True},  # first private message: started_at is set
    ):
        person = await _seen(repos, later, **change)
        assert person.updated_at == later, change
    assert (await _stored(db))["started_at"] == to_db(later)


async def test_a_private_message_makes_an_unreachable_person_reachable_again(
    repos: Repositories, now: datetime
) -> None:
    ana = await _seen(repos, now)
    await repos.people.mark_unreachable(ana.id, now)
    assert (await _seen(repos, now + timedelta(minutes=1))).reachable is True
    assert (await repos.people.by_telegram_id(1001)).reachable is True  # type: ignore[union-attr]


async def test_closing_the_database_writes_what_was_deferred(tmp_path: Any, now: datetime) -> None:
    path = tmp_path / "bot.sqlite3"
    db = await Database.open(path)
    await db.migrate()
    repos = Repositories.from_db(db)
    await _seen(repos, now)
    await _seen(repos, now + timedelta(hours=1))
    await db.close()
    db = await Database.open(path)
    try:
        assert (await _stored(db))["last_seen_at"] == to_db(now + timedelta(hours=1))
    finally:
        await db.close()


async def test_lookup_reads_committed_rows_on_the_loop_thread(db: Database, now: datetime) -> None:
    assert await db.lookup("SELECT * FROM people WHERE telegram_id = ?", (1001,)) is None
    async with db.transaction() as conn:
        await conn.execute(
            "INSERT INTO people (telegram_id, first_name, created_at, updated_at)"
            " VALUES (1001, 'Ana', ?1, ?1)",
            (to_db(now),),
        )
    row = await db.lookup("SELECT first_name FROM people WHERE telegram_id = ?", (1001,))
    assert row is not None
    assert row["first_name"] == "Ana"
