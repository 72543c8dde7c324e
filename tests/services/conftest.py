"""Services against a real, migrated SQLite file and a manual clock: no Telegram, no emulator."""

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.clock import ManualClock
from storage import Database, Repositories

from ..conftest import migrated_copy

START = datetime(2026, 3, 25, 12, 0, tzinfo=UTC)
"""A Wednesday; the clock of every services test starts here."""


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
async def db(tmp_path: Path, migrated_template: Path) -> AsyncIterator[Database]:
    path = migrated_copy(migrated_template, tmp_path / "data" / "services.sqlite3")
    database = await Database.open(path)
    await database.migrate()
    yield database
    await database.close()


@pytest.fixture
def repos(db: Database) -> Repositories:
    return Repositories.from_db(db)
