"""Database: PRAGMAs, transactions, the writer lock, readers, migrations, backup."""

import asyncio
import sqlite3
from pathlib import Path

import pytest

from storage import MIGRATIONS_DIR, BackupError, Database, MigrationError

SHIPPED = sorted(int(p.name[:4]) for p in MIGRATIONS_DIR.glob("[0-9][0-9][0-9][0-9]_*.sql"))
"""Numbers of the migrations the package ships, in order."""


async def test_open_creates_folder_and_sets_pragmas(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "folder" / "bot.sqlite3"
    async with await Database.open(path) as db:
        assert path.parent.is_dir()
        assert db.path == path
        assert await db.fetch_value("PRAGMA journal_mode") == "wal"
        assert await db.fetch_value("PRAGMA foreign_keys") == 1
        assert await db.fetch_value("PRAGMA busy_timeout") == 5000
        assert await db.fetch_value("PRAGMA synchronous") == 1  # NORMAL
        async with db.transaction() as conn, conn.execute("PRAGMA foreign_keys") as cursor:
            assert (await cursor.fetchone())[0] == 1  # type: ignore[index]


async def test_rows_are_addressable_by_name(db: Database) -> None:
    row = await db.fetch_one("SELECT 1 AS one, 'two' AS two")
    assert row is not None
    assert (row["one"], row["two"]) == (1, "two")
    assert await db.fetch_one("SELECT 1 WHERE 0") is None
    assert await db.fetch_value("SELECT 1 WHERE 0") is None


async def test_foreign_keys_are_enforced(db: Database) -> None:
    with pytest.raises(sqlite3.IntegrityError):
        async with db.transaction() as conn:
            await conn.execute(
                "INSERT INTO working_groups (slug, theme, chat_id, created_at, updated_at)"
                " VALUES ('x1', 't', 424242, 'now', 'now')"
            )


async def test_migrations_apply_once(tmp_path: Path) -> None:
    path = tmp_path / "m.sqlite3"
    async with await Database.open(path) as db:
        assert await db.schema_version() == 0
        assert await db.migrate() == SHIPPED
        assert await db.migrate() == []
        assert await db.schema_version() == SHIPPED[-1]
    async with await Database.open(path) as db:
        assert await db.migrate() == []
        tables = await db.fetch_all("SELECT name FROM sqlite_master WHERE type = 'table'")
        names = {row["name"] for row in tables}
    assert {"people", "chats", "working_groups", "working_group_texts", "group_members"} <= names


async def test_failing_migration_rolls_back(tmp_path: Path) -> None:
    migrations = tmp_path / "migrations"
    migrations.mkdir()
    (migrations / "0001_first.sql").write_text("CREATE TABLE a (x INTEGER);")
    (migrations / "0002_broken.sql").write_text(
        "CREATE TABLE b (x INTEGER);\nINSERT INTO no_such_table VALUES (1);"
    )
    async with await Database.open(tmp_path / "f.sqlite3") as db:
        with pytest.raises(sqlite3.OperationalError, match="no_such_table"):
            await db.migrate(migrations)
        assert await db.schema_version() == 1
        assert await db.fetch_value("SELECT count(*) FROM sqlite_master WHERE name = 'b'") == 0

        (migrations / "0002_broken.sql").write_text("CREATE TABLE b (x INTEGER);")
        assert await db.migrate(migrations) == [2]
        assert await db.schema_version() == 2


async def test_migration_with_trigger_and_comments(tmp_path: Path) -> None:
    migrations = tmp_path / "migrations"
    migrations.mkdir()
    (migrations / "0001_trigger.sql").write_text(
        "-- a comment; with a semicolon\n"
        "CREATE TABLE t (x TEXT DEFAULT 'a;b', n INTEGER DEFAULT 0);\n"
        "CREATE TRIGGER bump AFTER INSERT ON t BEGIN\n"
        "  UPDATE t SET n = n + 1 WHERE rowid = new.rowid;\n"
        "END;\n"
    )
    async with await Database.open(tmp_path / "t.sqlite3") as db:
        assert await db.migrate(migrations) == [1]
        async with db.transaction() as conn:
            await conn.execute("INSERT INTO t DEFAULT VALUES")
        row = await db.fetch_one("SELECT x, n FROM t")
        assert row is not None
        assert (row["x"], row["n"]) == ("a;b", 1)


async def test_schema_newer_than_code_is_refused(tmp_path: Path) -> None:
    async with await Database.open(tmp_path / "n.sqlite3") as db:
        async with db.transaction() as conn:
            await conn.execute("PRAGMA user_version = 99")
        with pytest.raises(MigrationError, match="newer"):
            await db.migrate()


async def test_badly_named_migration_is_refused(tmp_path: Path) -> None:
    (tmp_path / "1_oops.sql").write_text("SELECT 1;")
    async with await Database.open(tmp_path / "b.sqlite3") as db:
        with pytest.raises(MigrationError, match=r"1_oops\.sql"):
            await db.migrate(tmp_path)


async def _insert_then_fail(db: Database) -> None:
    async with db.transaction() as conn:
        await conn.execute(
            "INSERT INTO chats (id, type, created_at, updated_at) VALUES (1, 'private', 'a', 'a')"
        )
        raise ZeroDivisionError


async def test_transaction_rolls_back_on_exception(db: Database) -> None:
    with pytest.raises(ZeroDivisionError):
        await _insert_then_fail(db)
    assert await db.fetch_value("SELECT count(*) FROM chats") == 0
    async with db.transaction() as conn:  # the writer is usable again
        await conn.execute("SELECT 1")


async def _nested_insert_then_fail(db: Database) -> None:
    async with db.transaction() as outer:
        async with db.transaction() as inner:
            assert inner is outer
            await inner.execute(
                "INSERT INTO chats (id, type, created_at, updated_at)"
                " VALUES (1, 'private', 'a', 'a')"
            )
        assert await db.fetch_value("SELECT count(*) FROM chats") == 1  # read-your-writes
        raise ZeroDivisionError


async def test_a_nested_transaction_joins_the_outer_one(db: Database) -> None:
    with pytest.raises(ZeroDivisionError):
        await _nested_insert_then_fail(db)
    assert await db.fetch_value("SELECT count(*) FROM chats") == 0


_ONE_CHAT = "INSERT INTO chats (id, type, created_at, updated_at) VALUES (?, 'private', 'a', 'a')"


async def test_one_statement_writes_alone_and_commits(db: Database) -> None:
    await db.write_one(_ONE_CHAT, (1,))
    assert await db.fetch_value("SELECT count(*) FROM chats") == 1  # a reader sees it


async def _write_one_inside_then_fail(db: Database) -> None:
    async with db.transaction():
        await db.write_one(_ONE_CHAT, (1,))
        raise ZeroDivisionError


async def test_one_statement_inside_a_unit_rolls_back_with_it(db: Database) -> None:
    with pytest.raises(ZeroDivisionError):
        await _write_one_inside_then_fail(db)
    assert await db.fetch_value("SELECT count(*) FROM chats") == 0


async def test_one_statement_never_lands_in_another_tasks_transaction(db: Database) -> None:
    began = asyncio.Event()

    async def other_task_fails() -> None:
        async with db.transaction() as conn:
            await conn.execute(_ONE_CHAT, (1,))
            began.set()
            await asyncio.sleep(0.05)  # the single write is waiting for the writer meanwhile
            raise ZeroDivisionError

    other = asyncio.create_task(other_task_fails())
    await began.wait()
    await db.write_one(_ONE_CHAT, (2,))
    with pytest.raises(ZeroDivisionError):
        await other
    assert [row[0] for row in await db.fetch_all("SELECT id FROM chats")] == [2]


async def test_concurrent_writes_are_serialised(db: Database) -> None:
    async with db.transaction() as conn:
        await conn.execute("CREATE TABLE counter (n INTEGER NOT NULL)")
        await conn.execute("INSERT INTO counter VALUES (0)")

    async def increment() -> None:
        async with db.transaction() as conn:
            async with conn.execute("SELECT n FROM counter") as cursor:
                row = await cursor.fetchone()
            assert row is not None
            await asyncio.sleep(0)  # invite interleaving: the lock must prevent it
            await conn.execute("UPDATE counter SET n = ?", (row[0] + 1,))

    await asyncio.gather(*(increment() for _ in range(50)))
    assert await db.fetch_value("SELECT n FROM counter") == 50


async def test_reader_works_while_a_write_is_open(db: Database) -> None:
    async with db.transaction() as conn:
        await conn.execute(
            "INSERT INTO chats (id, type, created_at, updated_at) VALUES (7, 'group', 'a', 'a')"
        )
        seen = await asyncio.wait_for(db.fetch_value("SELECT count(*) FROM chats"), timeout=2)
        assert seen == 0  # readers see committed data only
    assert await db.fetch_value("SELECT count(*) FROM chats") == 1


async def test_readers_cannot_write(db: Database) -> None:
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        await db.fetch_one(
            "INSERT INTO chats (id, type, created_at, updated_at) VALUES (8, 'group', 'a', 'a')"
        )


async def test_more_concurrent_reads_than_readers(db: Database) -> None:
    values = await asyncio.gather(*(db.fetch_value("SELECT ?", (i,)) for i in range(20)))
    assert values == list(range(20))


async def test_integrity_check(db: Database) -> None:
    assert await db.integrity_check() == "ok"


async def test_backup_is_verified_and_never_overwrites(db: Database, tmp_path: Path) -> None:
    async with db.transaction() as conn:
        await conn.execute(
            "INSERT INTO chats (id, type, title, created_at, updated_at)"
            " VALUES (-5, 'group', 'Andes', 'a', 'a')"
        )
    dest = tmp_path / "backups" / "copy.sqlite3"
    await db.backup(dest)

    copy = sqlite3.connect(dest)
    try:
        assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert copy.execute("SELECT title FROM chats").fetchone() == ("Andes",)
        assert copy.execute("PRAGMA user_version").fetchone() == (SHIPPED[-1],)
    finally:
        copy.close()
    assert [p.name for p in dest.parent.iterdir()] == ["copy.sqlite3"]  # no leftovers

    before = dest.read_bytes()
    with pytest.raises(BackupError, match="already exists"):
        await db.backup(dest)
    assert dest.read_bytes() == before
    assert [p.name for p in dest.parent.iterdir()] == ["copy.sqlite3"]


async def test_backup_failure_is_a_backup_error(db: Database, tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    with pytest.raises(BackupError):
        await db.backup(blocker / "copy.sqlite3")


async def test_close_is_idempotent(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "c.sqlite3", readers=1)
    await db.close()
    await db.close()


async def test_memory_database_is_refused() -> None:
    with pytest.raises(ValueError, match="file path"):
        await Database.open(":memory:")


async def test_a_task_cancelled_while_it_begins_leaves_no_transaction_open(db: Database) -> None:
    async def write() -> None:
        async with db.transaction() as conn:
            await conn.execute("SELECT 1")

    task = asyncio.create_task(write())
    await asyncio.sleep(0)  # the task now waits for BEGIN IMMEDIATE on the writer's thread
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task

    async with db.transaction() as conn:  # would fail: "cannot start a transaction within..."
        await conn.execute(
            "INSERT INTO chats (id, type, created_at, updated_at) VALUES (1, 'private', 'a', 'a')"
        )
    assert await db.fetch_value("SELECT count(*) FROM chats") == 1
