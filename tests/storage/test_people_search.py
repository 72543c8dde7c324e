"""Finding people by @username, id or part of the name."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from bot.textfold import fold
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


async def test_search_through_a_fold_ignores_case_accents_and_width(tmp_path: Path) -> None:
    async with await Database.open(tmp_path / "s.sqlite3") as db:
        await db.migrate()
        repos = Repositories.from_db(db)
        for telegram_id, first, last in (
            (21, "Léa", "Dubois"),
            (22, "Sofía", "Quispe"),
            (23, "ＫＥＮＪＩ", None),
            (24, "Lea", "Martin"),
        ):
            await repos.people.upsert_from_telegram(
                telegram_id=telegram_id,
                first_name=first,
                last_name=last,
                username=None,
                language_code="en",
                private=True,
                now=NOW,
            )

        # In the order of the folded names: "lea dubois" before "lea martin".
        assert [p.telegram_id for p in await repos.people.search("lea", fold=fold)] == [21, 24]
        assert [p.telegram_id for p in await repos.people.search("sofia", fold=fold)] == [22]
        assert [p.telegram_id for p in await repos.people.search("kenji", fold=fold)] == [23]
        assert [p.telegram_id for p in await repos.people.search("ＬＥＡ ＤＵ", fold=fold)] == [21]
        assert await repos.people.search("sofia") == []  # without the fold: as typed
        assert await repos.people.search("  ", fold=fold) == []
