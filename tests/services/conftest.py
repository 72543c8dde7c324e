"""Services against a real, migrated SQLite file and a manual clock: no Telegram, no emulator."""

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.clock import ManualClock
from storage import Database, Repositories

START = datetime(2026, 3, 25, 12, 0, tzinfo=UTC)
"""A Wednesday; the clock of every services test starts here."""


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(tmp_path / "data" / "services.sqlite3")
    await database.migrate()
    yield database
    await database.close()


@pytest.fixture
def repos(db: Database) -> Repositories:
    return Repositories.from_db(db)
