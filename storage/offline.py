"""The database as a file, for the operator's commands: look, copy and restore without writing.

``wnmrc-bot check`` must open nothing for writing, ``backup`` must work while the bot runs (and
on a database that has become read-only), ``restore`` must publish only a verified copy. These
use plain ``sqlite3`` connections opened read-only, never the bot's ``Database``.
"""

from __future__ import annotations

import os
import secrets
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from storage.database import MIGRATIONS_DIR, discover_migrations


class DatabaseFileError(Exception):
    """A database file is missing, not a database, damaged or read-only: one line for the
    operator."""


@dataclass(frozen=True)
class LinkedChat:
    """A working group's linked chat, as the database knows it."""

    group: str
    chat_id: int
    title: str | None


@dataclass(frozen=True)
class FileReport:
    """What a read-only look at a database file found."""

    schema_version: int
    integrity: str
    rows: int
    linked_chats: tuple[LinkedChat, ...]

    @property
    def sound(self) -> bool:
        return self.integrity == "ok"


def latest_schema() -> int:
    """The schema version this code migrates to."""
    migrations = discover_migrations(MIGRATIONS_DIR)
    return migrations[-1].number if migrations else 0


def require_file(path: Path) -> None:
    """Refuse a path that holds no database file (nothing is created)."""
    if not path.exists():
        raise DatabaseFileError(
            f"no database at {path} (WNMRC_DATABASE_PATH; `wnmrc-bot migrate` creates one)"
        )
    if not path.is_file():
        raise DatabaseFileError(f"{path} is not a file")


@contextmanager
def read_only(path: Path) -> Iterator[sqlite3.Connection]:
    """A connection that writes nothing, not even SQLite's -wal and -shm files.

    A database in WAL mode without a -wal file is closed (no process has it open): it is
    opened ``immutable``, which takes no lock and creates nothing. With a -wal file a bot may be
    writing it, so it is opened ``mode=ro`` and shares that bot's -shm to read consistently.
    """
    require_file(path)
    live = Path(f"{path}-wal").exists()
    option = "mode=ro" if live else "immutable=1"
    uri = f"file:{quote(str(path.resolve()))}?{option}"
    try:
        conn = sqlite3.connect(uri, uri=True, isolation_level=None)
    except sqlite3.Error as error:
        raise DatabaseFileError(f"cannot open {path}: {error}") from error
    with closing(conn):
        try:
            conn.execute("SELECT count(*) FROM sqlite_schema").fetchone()
        except sqlite3.DatabaseError as error:
            raise DatabaseFileError(f"{path} is not a usable SQLite database: {error}") from error
        yield conn


def inspect(path: Path) -> FileReport:
    """Schema version, integrity, total rows and linked chats of a database file, read-only."""
    with read_only(path) as conn:
        try:
            version = int(conn.execute("PRAGMA user_version").fetchone()[0])
            integrity = "\n".join(str(r[0]) for r in conn.execute("PRAGMA integrity_check"))
            rows = _count_rows(conn)
            chats = _linked_chats(conn) if version else ()
        except sqlite3.DatabaseError as error:
            raise DatabaseFileError(f"{path} is damaged: {error}") from error
    return FileReport(version, integrity, rows, chats)


def _count_rows(conn: sqlite3.Connection) -> int:
    tables = [
        str(row[0])
        for row in conn.execute(
            "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    ]
    return sum(
        int(conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]) for table in tables
    )


def _linked_chats(conn: sqlite3.Connection) -> tuple[LinkedChat, ...]:
    rows = conn.execute(
        "SELECT g.slug, g.chat_id, c.title FROM working_groups AS g "
        "LEFT JOIN chats AS c ON c.id = g.chat_id "
        "WHERE g.chat_id IS NOT NULL AND g.active = 1 ORDER BY g.slug"
    ).fetchall()
    return tuple(LinkedChat(str(slug), int(chat), title) for slug, chat, title in rows)


def require_writable(path: Path) -> None:
    """Refuse a database the bot could not write: the file or its folder (for the -wal and
    -shm files) read-only, or a file that is no database. A missing file is fine (created)."""
    if not path.exists():
        return
    with read_only(path):
        pass
    for target, what in ((path, "the file"), (path.parent, "its folder")):
        if not os.access(target, os.W_OK):
            raise DatabaseFileError(f"{path} is read-only ({what} cannot be written)")


def copy_database(source: Path, destination: Path, *, replace: bool = False) -> FileReport:
    """A verified copy: VACUUM INTO a hidden file beside ``destination``, integrity_check it,
    then give it its name (never replacing a file unless ``replace``). Returns its report."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    partial = destination.with_name(f".{destination.name}.{secrets.token_hex(4)}.partial")
    try:
        with read_only(source) as conn:
            try:
                conn.execute("VACUUM INTO ?", (str(partial),))
            except sqlite3.Error as error:
                raise DatabaseFileError(f"copying {source} failed: {error}") from error
        os.chmod(partial, 0o600)
        report = inspect(partial)
        if not report.sound:
            raise DatabaseFileError(f"the copy of {source} failed integrity_check: {report}")
        _publish(partial, destination, replace=replace)
        return report
    finally:
        with suppress(OSError):
            partial.unlink(missing_ok=True)


def _publish(partial: Path, destination: Path, *, replace: bool) -> None:
    if replace:
        os.replace(partial, destination)
        return
    try:
        os.link(partial, destination)
    except FileExistsError:
        raise DatabaseFileError(f"{destination} already exists") from None
