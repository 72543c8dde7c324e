"""SQLite through aiosqlite: one writer behind a lock, a pool of readers, WAL."""

import asyncio
import logging
import os
import re
import secrets
import sqlite3
from collections.abc import AsyncIterator, Callable, Hashable, Mapping, Sequence
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, Final, Self

import aiosqlite

from storage.sqlscript import split_statements

MIGRATIONS_DIR: Final = Path(__file__).with_name("migrations")
BUSY_TIMEOUT_MS: Final = 5000
_MIGRATION_NAME: Final = re.compile(r"(\d{4})_[a-z0-9_]+\.sql")
DEFERRED_WRITE_SECONDS: Final = 1.0
"""How long a deferred write may wait to be flushed with the others (see ``Database.defer``)."""

logger = logging.getLogger(__name__)
logging.getLogger("aiosqlite").setLevel(logging.WARNING)
"""aiosqlite logs every statement with its parameters at DEBUG (e-mail addresses, texts
people wrote): personal data never goes to a log, whatever the bot's log level."""

Params = Sequence[Any] | Mapping[str, Any]


class BackupError(Exception):
    """A backup could not be made or did not verify."""


class MigrationError(Exception):
    """The migrations folder or the database schema version is not usable."""


@dataclass(frozen=True)
class Migration:
    """One numbered migration file."""

    number: int
    path: Path


def discover_migrations(directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    """The `NNNN_name.sql` files of a folder in numeric order; refuses odd names and duplicates."""
    found: dict[int, Migration] = {}
    for path in sorted(directory.glob("*.sql")):
        match = _MIGRATION_NAME.fullmatch(path.name)
        if match is None:
            raise MigrationError(f"migration file not named NNNN_name.sql: {path.name}")
        number = int(match.group(1))
        if number in found:
            raise MigrationError(f"two migrations numbered {number}: {path.name}")
        found[number] = Migration(number, path)
    return [found[number] for number in sorted(found)]


async def _connect(path: Path, *, read_only: bool) -> aiosqlite.Connection:
    """A connection in autocommit mode (transactions are explicit) with our PRAGMAs."""
    conn = await aiosqlite.connect(path, isolation_level=None)
    try:
        conn.row_factory = aiosqlite.Row
        await conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        await conn.execute("PRAGMA foreign_keys = ON")
        await conn.execute("PRAGMA synchronous = NORMAL")
        if read_only:
            await conn.execute("PRAGMA query_only = ON")
    except BaseException:
        await conn.close()
        raise
    return conn


def _connect_inline(path: Path) -> sqlite3.Connection:
    """A query-only connection used on the event loop's thread (``Database.lookup``).

    No busy time-out: it must never block the loop; a busy database falls back to a reader.
    """
    conn = sqlite3.connect(path, isolation_level=None)
    conn.row_factory = aiosqlite.Row
    conn.execute("PRAGMA busy_timeout = 0")
    conn.execute("PRAGMA query_only = ON")
    return conn


async def _enable_wal(conn: aiosqlite.Connection) -> None:
    async with conn.execute("PRAGMA journal_mode = WAL") as cursor:
        row = await cursor.fetchone()
    if row is None or str(row[0]).lower() != "wal":
        raise sqlite3.OperationalError(f"could not switch to WAL (got {row and row[0]!r})")


async def _user_version(conn: aiosqlite.Connection) -> int:
    async with conn.execute("PRAGMA user_version") as cursor:
        row = await cursor.fetchone()
    return int(row[0]) if row else 0


def _verify_copy(path: Path) -> str:
    """Run integrity_check on a database file; "ok" when sound."""
    conn = sqlite3.connect(path)
    try:
        rows = conn.execute("PRAGMA integrity_check").fetchall()
    finally:
        conn.close()
    return "\n".join(str(row[0]) for row in rows)


def _publish(tmp: Path, dest: Path) -> None:
    """Give the verified copy its final name atomically, never replacing an existing file."""
    try:
        os.link(tmp, dest)
    except FileExistsError:
        raise BackupError(f"backup destination already exists: {dest}") from None


def _run_after_commit(callbacks: Sequence[Callable[[], None]]) -> None:
    for callback in callbacks:
        try:
            callback()
        except Exception:  # the unit did commit: a failed follow-up must not look like it did not
            logger.exception("an after-commit callback failed")


class Database:
    """The bot's database: writes go through `transaction()`, reads through `fetch_*`.

    Outside a transaction, reads go to a pool of query-only readers and see committed data
    only. Inside one (a unit of work), the task's reads go to the writer, so a use case
    reads its own uncommitted writes.
    """

    def __init__(
        self, path: Path, writer: aiosqlite.Connection, readers: Sequence[aiosqlite.Connection]
    ) -> None:
        self.path = path
        self._writer = writer
        self._readers = list(readers)
        self._inline = _connect_inline(path)
        self._idle_readers: asyncio.Queue[aiosqlite.Connection] = asyncio.Queue()
        for reader in readers:
            self._idle_readers.put_nowait(reader)
        self._write_lock = asyncio.Lock()
        self._write_owner: asyncio.Task[Any] | None = None
        self._after_commit: list[Callable[[], None]] = []
        self._closed = False
        self._deferred: dict[Hashable, tuple[str, Params]] = {}
        self._flusher: asyncio.Task[None] | None = None

    @classmethod
    async def open(cls, path: Path | str, *, readers: int = 2) -> "Database":
        """Open (creating its folder) a database file with one writer and `readers` readers."""
        if str(path) == ":memory:" or readers < 1:
            raise ValueError("Database needs a file path and at least one reader")
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        opened: list[aiosqlite.Connection] = []
        try:
            opened.append(await _connect(path, read_only=False))
            await _enable_wal(opened[0])
            for _ in range(readers):
                opened.append(await _connect(path, read_only=True))
        except BaseException:
            for conn in opened:
                await conn.close()
            raise
        return cls(path, opened[0], opened[1:])

    async def close(self) -> None:
        """Close every connection; safe to call twice."""
        if self._closed:
            return
        try:
            await self.flush_deferred()
        except Exception:  # closing must not fail over bookkeeping that may be lost
            logger.exception("deferred writes lost at close")
        self._closed = True
        async with self._write_lock:
            self._inline.close()
            for conn in [self._writer, *self._readers]:
                await conn.close()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()

    def in_transaction(self) -> bool:
        """Whether the running task holds the write transaction (is inside a unit of work)."""
        return self._write_owner is not None and self._write_owner is asyncio.current_task()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """The writer inside BEGIN IMMEDIATE: COMMIT on success, ROLLBACK on any exception.

        Nested use joins: inside a transaction the running task already holds, it yields the
        same connection and the outermost block alone commits or rolls back. So a use case
        (``Repositories.unit()``) makes every repository write it calls one transaction.
        Writes from another task wait for the lock; never start one from a task that the
        holder awaits.
        """
        if self.in_transaction():
            yield self._writer
            return
        committed: list[Callable[[], None]] | None = None
        async with self._write_lock:
            self._write_owner = asyncio.current_task()
            try:
                try:  # BEGIN inside: a task cancelled while it runs must not leave it open
                    await self._writer.execute("BEGIN IMMEDIATE")
                    yield self._writer
                    await self._writer.execute("COMMIT")
                    committed = self._after_commit
                except BaseException:
                    await self._rollback()
                    raise
            finally:
                self._write_owner = None
                self._after_commit = []
        _run_after_commit(committed or [])

    async def write_one(self, sql: str, params: Params = ()) -> None:
        """One statement that is a whole write on its own, in one thread trip instead of three.

        SQLite runs a statement outside BEGIN as its own transaction (all of it or none), so it
        needs no BEGIN and COMMIT; the writer's lock keeps it out of another task's open
        transaction. Inside the running task's unit of work it joins that unit.
        """
        if self.in_transaction():
            await self._writer.execute(sql, params)
            return
        async with self._write_lock:
            await self._writer.execute(sql, params)

    def after_commit(self, callback: Callable[[], None]) -> None:
        """Call ``callback`` once the running task's transaction commits (at once outside one).

        Dropped when the transaction rolls back. For what must follow a unit of work and never
        precede it, such as waking the outbox sender for the rows the unit queued.
        """
        if self.in_transaction():
            self._after_commit.append(callback)
        else:
            _run_after_commit([callback])

    async def _rollback(self) -> None:
        """Roll back whatever is open. Queued behind any statement still running on the
        writer's thread (a BEGIN whose task was cancelled), so it is never too early."""
        with suppress(sqlite3.OperationalError):  # "no transaction is active"
            await self._writer.execute("ROLLBACK")

    def defer(self, key: Hashable, sql: str, params: Params) -> None:
        """Write later, coalesced: the last statement given per ``key`` runs within a second.

        For bookkeeping that may lag and may be lost in a crash (when a person was last seen),
        so that it costs no write transaction per update. ``close()`` flushes what is pending.
        """
        if self._closed:
            raise RuntimeError("the database is closed")
        self._deferred[key] = (sql, params)
        if self._flusher is None:
            self._flusher = asyncio.get_running_loop().create_task(self._flush_soon())

    async def _flush_soon(self) -> None:
        await asyncio.sleep(DEFERRED_WRITE_SECONDS)
        self._flusher = None
        try:
            await self.flush_deferred()
        except Exception:  # a lost "last seen" must never take the bot down
            logger.exception("deferred writes failed")

    async def flush_deferred(self) -> None:
        """Run the pending deferred writes now, in one transaction."""
        flusher, self._flusher = self._flusher, None
        if flusher is not None and flusher is not asyncio.current_task():
            flusher.cancel()
        pending, self._deferred = self._deferred, {}
        if not pending:
            return
        by_statement: dict[str, list[Params]] = {}
        for sql, params in pending.values():
            by_statement.setdefault(sql, []).append(params)
        async with self.transaction() as conn:
            for sql, rows in by_statement.items():
                await conn.executemany(sql, rows)

    @asynccontextmanager
    async def _reader(self) -> AsyncIterator[aiosqlite.Connection]:
        conn = await self._idle_readers.get()
        try:
            yield conn
        finally:
            self._idle_readers.put_nowait(conn)

    async def lookup(self, sql: str, params: Params = ()) -> aiosqlite.Row | None:
        """First row of an indexed point query, read on the event loop's own thread.

        For the look-ups every update makes (its sender, its chat): a query that reads a few
        pages by primary or unique key takes microseconds, less than a trip to a reader's
        thread costs. Never for scans. Sees committed data only, like ``fetch_*``; should
        SQLite be busy (a WAL reader rarely is), it falls back to a reader thread.
        """
        if self._closed:
            raise ValueError("Connection closed")
        if self.in_transaction():
            return await self.fetch_one(sql, params)
        try:
            return self._inline.execute(sql, params).fetchone()  # type: ignore[no-any-return]
        except sqlite3.OperationalError as error:
            if error.sqlite_errorcode not in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
                raise
        return await self.fetch_one(sql, params)

    def data_version(self) -> int | None:
        """A number that changes whenever anything commits to the file (this process's writer
        or another process); None inside the running task's unit of work, whose own writes it
        cannot see. Read it before the rows it vouches for (``GroupsRepository.list``)."""
        if self._closed:
            raise ValueError("Connection closed")
        if self.in_transaction():
            return None
        row = self._inline.execute("PRAGMA data_version").fetchone()
        return int(row[0])

    async def lookup_all(self, sql: str, params: Params = ()) -> list[aiosqlite.Row]:
        """All rows of a small indexed read, on the event loop's own thread (as ``lookup``).

        For the reads an update makes about its sender (their drafts, memberships, requests)
        and for tables as small as the working groups: bounded by one person or by a few dozen
        rows, whatever the network's size. Never for a scan that grows with the members.
        """
        if self._closed:
            raise ValueError("Connection closed")
        if self.in_transaction():
            return await self.fetch_all(sql, params)
        try:
            return self._inline.execute(sql, params).fetchall()
        except sqlite3.OperationalError as error:
            if error.sqlite_errorcode not in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
                raise
        return await self.fetch_all(sql, params)

    async def fetch_one(self, sql: str, params: Params = ()) -> aiosqlite.Row | None:
        """First row of a read-only query (sees committed data only)."""
        rows = await self.fetch_all(sql, params)
        return rows[0] if rows else None

    async def fetch_all(self, sql: str, params: Params = ()) -> list[aiosqlite.Row]:
        """All rows of a read-only query: committed data, or the unit of work's own writes.

        One trip to the reader's thread (``execute_fetchall``), not three (execute, fetch,
        close): each trip costs a thread wake-up and an event-loop round.
        """
        if self.in_transaction():
            return list(await self._writer.execute_fetchall(sql, params))
        async with self._reader() as conn:
            return list(await conn.execute_fetchall(sql, params))

    async def fetch_value(self, sql: str, params: Params = ()) -> Any:
        """First column of the first row, or None when there is no row."""
        row = await self.fetch_one(sql, params)
        return None if row is None else row[0]

    async def schema_version(self) -> int:
        """The number of the last migration applied (PRAGMA user_version)."""
        async with self._reader() as conn:
            return await _user_version(conn)

    async def migrate(self, directory: Path = MIGRATIONS_DIR) -> list[int]:
        """Apply pending migrations, each in one transaction with its user_version.

        Returns the numbers applied (empty when the schema was current).
        """
        migrations = discover_migrations(directory)
        await self._refuse_newer_schema(migrations)
        if migrations and await self.schema_version() == migrations[-1].number:
            return []  # current: one read, not a transaction per migration
        applied: list[int] = []
        for migration in migrations:
            if await self._apply(migration):
                applied.append(migration.number)
        return applied

    async def _refuse_newer_schema(self, migrations: Sequence[Migration]) -> None:
        known = migrations[-1].number if migrations else 0
        current = await self.schema_version()
        if current > known:
            raise MigrationError(f"database schema {current} is newer than this code ({known})")

    async def _apply(self, migration: Migration) -> bool:
        """Run one migration unless already applied; False when it was."""
        statements = split_statements(migration.path.read_text(encoding="utf-8"))
        async with self.transaction() as conn:
            if await _user_version(conn) >= migration.number:
                return False
            for statement in statements:
                await conn.execute(statement)
            await conn.execute(f"PRAGMA user_version = {migration.number:d}")
        return True

    async def integrity_check(self) -> str:
        """SQLite's integrity_check of the live database: "ok" when sound."""
        rows = await self.fetch_all("PRAGMA integrity_check")
        return "\n".join(str(row[0]) for row in rows)

    async def backup(self, dest: Path | str) -> None:
        """Write a verified copy to `dest` (VACUUM INTO, integrity_check, atomic rename)."""
        dest = Path(dest)
        if dest.exists():
            raise BackupError(f"backup destination already exists: {dest}")
        tmp = dest.with_name(f".{dest.name}.{secrets.token_hex(4)}.partial")
        try:
            dest.parent.mkdir(parents=True, exist_ok=True)
            await self._vacuum_into(tmp)
            verdict = await asyncio.to_thread(_verify_copy, tmp)
            if verdict != "ok":
                raise BackupError(f"backup copy failed integrity_check: {verdict}")
            _publish(tmp, dest)
        except (sqlite3.Error, OSError) as error:
            raise BackupError(f"backup to {dest} failed: {error}") from error
        finally:
            with suppress(OSError):
                tmp.unlink(missing_ok=True)

    async def _vacuum_into(self, target: Path) -> None:
        """Copy the database into a new file on a connection of its own (readers are query-only)."""
        conn = await _connect(self.path, read_only=False)
        try:
            await conn.execute("VACUUM INTO ?", (str(target),))
        finally:
            await conn.close()
