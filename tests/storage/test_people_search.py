"""Finding people by @username, id or part of the name."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from storage import Database, Repositories

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


async def test_search_by_username_id_and_name(tmp_path: Path) -> None:
    async with await Database.open(tmp_path / "s.sqlite3") as db:
        await db.migrate()
        repos = Repositories.from_db(db)
        ana = await repos.people.upsert_from_telegram(
            telegram_id=11,
            first_name="Ana",
            last_name="Quispe",
            username="AnaQ",
            language_code="es",
            private=True,
            now=NOW,
        )
        await repos.people.upsert_from_telegram(
            telegram_id=12,
            first_name="Anabel",
            last_name=None,
            username=None,
            language_code="en",
            private=True,
            now=NOW,
        )
        await repos.people.update_profile(ana.id, NOW, display_name="Ana 100%_sure")

        assert [p.telegram_id for p in await repos.people.search("@anaq")] == [11]
        assert [p.telegram_id for p in await repos.people.search("12")] == [12]
        assert [p.first_name for p in await repos.people.search("ana")] == ["Ana", "Anabel"]
        assert [p.telegram_id for p in await repos.people.search("quispe")] == [11]
        assert [p.telegram_id for p in await repos.people.search("100%_")] == [11]
        assert await repos.people.search("@nobody") == []
