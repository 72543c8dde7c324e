"""Fixtures: a real, migrated SQLite file per test."""

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from storage import Database, Repositories

from ..conftest import migrated_copy


@pytest.fixture
def now() -> datetime:
    return datetime(2024, 5, 17, 9, 30, tzinfo=UTC)


@pytest.fixture
async def db(tmp_path: Path, migrated_template: Path) -> AsyncIterator[Database]:
    path = migrated_copy(migrated_template, tmp_path / "data" / "test.sqlite3")
    database = await Database.open(path)
    await database.migrate()
    yield database
    await database.close()


@pytest.fixture
def repos(db: Database) -> Repositories:
    return Repositories.from_db(db)
