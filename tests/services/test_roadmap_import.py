"""``wnmrc-bot import-roadmap``: every row checked first, nothing imported when one is wrong,
a re-import updates rather than duplicates; an exported roadmap imports back unchanged."""

from __future__ import annotations

import io
from datetime import date, time
from pathlib import Path

from bot.roadmap.export import export_roadmap
from bot.roadmap.imports import import_roadmap
from config import load_network, load_settings
from storage import Database, Repositories

from .conftest import START

GOOD = """ref,objective,group,title,owners,due,zone,status
R1,Roadmap 2023–2025,climate,Glacier year events,kofi@example.org,2026-04-03,,planned
R2,Roadmap 2023–2025,,Five-Year Action contribution,@ana;Kofi,2026-05-01 17:00,Europe/Paris,\
in progress
"""
BAD = """ref,title,owners,due,status
R1,Glacier year events,nobody@example.org,2026-04-03,planned
R2,,Kofi,next spring,sometimes
"""


async def a_network(path: Path) -> None:
    db = await Database.open(path)
    await db.migrate()
    repos = Repositories.from_db(db)
    await repos.groups.seed(load_network().groups, START)
    for telegram_id, name, username in ((1001, "Ana", "ana"), (1002, "Kofi", None)):
        person = await repos.people.upsert_from_telegram(
            telegram_id=telegram_id,
            first_name=name,
            last_name=None,
            username=username,
            language_code="en",
            private=True,
            now=START,
        )
        if name == "Kofi":
            await repos.people.update_profile(person.id, START, email="kofi@example.org")
    await db.close()


async def actions(
    path: Path,
) -> list[tuple[str | None, str, date, time | None, str, tuple[int, ...]]]:
    db = await Database.open(path)
    try:
        found = await Repositories.from_db(db).roadmap.actions()
    finally:
        await db.close()
    return [(a.ref, a.title, a.due_date, a.due_time, a.status, a.owners) for a in found]


async def test_a_good_file_is_imported_and_a_reimport_updates(tmp_path: Path) -> None:
    database = tmp_path / "bot.sqlite3"
    await a_network(database)
    settings = load_settings(database_path=database)
    source = tmp_path / "roadmap.csv"
    source.write_text(GOOD, encoding="utf-8")

    out = io.StringIO()
    assert await import_roadmap(settings, source, out=out) == 0
    assert out.getvalue() == "roadmap.csv: 2 added, 0 updated\n"
    assert await actions(database) == [
        ("R1", "Glacier year events", date(2026, 4, 3), None, "planned", (2,)),
        (
            "R2",
            "Five-Year Action contribution",
            date(2026, 5, 1),
            time(17, 0),
            "in_progress",
            (1, 2),
        ),
    ]

    source.write_text(GOOD.replace("Glacier year events", "Glacier year: events"), encoding="utf-8")
    again = io.StringIO()
    assert await import_roadmap(settings, source, out=again) == 0
    assert again.getvalue() == "roadmap.csv: 0 added, 2 updated\n"
    titles = [a[1] for a in await actions(database)]
    assert titles == ["Glacier year: events", "Five-Year Action contribution"]

    exported = tmp_path / "exported.csv"
    await export_roadmap(settings, exported)
    third = io.StringIO()
    assert await import_roadmap(settings, exported, out=third) == 0
    assert third.getvalue() == "exported.csv: 0 added, 2 updated\n"
    assert [a[1] for a in await actions(database)] == titles


async def test_one_wrong_row_and_nothing_is_imported(tmp_path: Path) -> None:
    database = tmp_path / "bot.sqlite3"
    await a_network(database)
    source = tmp_path / "roadmap.csv"
    source.write_text(BAD, encoding="utf-8")
    out = io.StringIO()
    assert await import_roadmap(load_settings(database_path=database), source, out=out) == 1
    assert out.getvalue().splitlines() == [
        'row 2: owner "nobody@example.org" matches nobody',
        "row 3: title is empty or longer than 200",
        'row 3: due "next spring" is not a date (YYYY-MM-DD or YYYY-MM-DD HH:MM)',
        'row 3: status "sometimes" is not one of planned, in_progress, done, blocked, dropped',
        "nothing imported: 2 of 2 rows need fixing",
    ]
    assert await actions(database) == []
