"""``wnmrc-bot export roster FILE [--group SLUG]`` as an operator runs it, in a subprocess."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from pathlib import Path

import pytest

from storage import Database, Repositories

from .test_cli import _environment, _run

pytestmark = pytest.mark.slow

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


@pytest.fixture
def environment(tmp_path: Path) -> dict[str, str]:
    return _environment(WNMRC_DATABASE_PATH=str(tmp_path / "bot.sqlite3"))


async def _fill(database: Path) -> None:
    """Three people: two in climate (one coordinating), one only in biodiversity."""
    async with await Database.open(database) as db:
        repos = Repositories.from_db(db)
        groups = {group.slug: group.id for group in await repos.groups.list()}
        people = [
            ("Ana", "Quispe", "PE", "ana@example.pe", "climate", "coordinator"),
            ("Léa", "Moreau", "FR", "lea@example.fr", "climate", "member"),
            ("梅", None, "CN", None, "biodiversity", "member"),
        ]
        for number, (first, last, country, email, slug, role) in enumerate(people, start=1):
            person = await repos.people.upsert_from_telegram(
                telegram_id=number,
                first_name=first,
                last_name=last,
                username=None,
                language_code="en",
                private=True,
                now=NOW,
            )
            await repos.people.update_profile(person.id, NOW, country=country, email=email)
            await repos.groups.add_member(groups[slug], person.id, role, NOW)


def _rows(path: Path) -> list[dict[str, str]]:
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


async def test_export_roster_of_one_group_and_of_all(
    environment: dict[str, str], tmp_path: Path
) -> None:
    code, out, err = await _run("migrate", env=environment)
    assert code == 0, err
    await _fill(tmp_path / "bot.sqlite3")

    code, out, err = await _run(
        "export", "roster", str(tmp_path / "climate.csv"), "--group", "climate", env=environment
    )

    assert code == 0, err
    assert out.strip() == f"{tmp_path / 'climate.csv'}: 2 people (working group climate)"
    rows = _rows(tmp_path / "climate.csv")
    assert [(r["name"], r["email"], r["groups"]) for r in rows] == [
        ("Ana Quispe", "ana@example.pe", "climate"),
        ("Léa Moreau", "lea@example.fr", "climate"),
    ]

    code, out, err = await _run("export", "roster", str(tmp_path / "all.csv"), env=environment)

    assert code == 0, err
    assert out.strip().endswith(": 3 people (all working groups)")
    assert [r["name"] for r in _rows(tmp_path / "all.csv")] == ["Ana Quispe", "Léa Moreau", "梅"]


async def test_export_names_what_is_wrong_in_one_line(
    environment: dict[str, str], tmp_path: Path
) -> None:
    code, out, err = await _run("export", "roster", str(tmp_path / "x.csv"), env=environment)
    assert code == 1  # a missing database: the command cannot do its job
    assert "WNMRC_DATABASE_PATH" in err
    assert err.strip().count("\n") == 0

    assert (await _run("migrate", env=environment))[0] == 0
    code, out, err = await _run(
        "export", "roster", str(tmp_path / "x.csv"), "--group", "nowhere", env=environment
    )
    assert code == 2
    assert err.strip() == (
        "wnmrc-bot: --group: expected one of climate, biodiversity, community, socioeconomics"
    )
    assert not (tmp_path / "x.csv").exists()
    assert "Traceback" not in out + err
