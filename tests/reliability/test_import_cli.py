"""``wnmrc-bot import-people`` as an operator runs it: in a subprocess, on a real database file."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

WNMRC_BOT = str(Path(sys.executable).parent / "wnmrc-bot")

GOOD = (
    "\ufeffName;Telegram;E-mail;Country;Groups;Language;Time zone;Reserve\n"
    "Ana Pérez;@ana_perez;ana@example.org;España;climate|Biodiversidad;es;Europe/Madrid;Ordesa\n"
    "李明;li_ming;;中国;气候变化;zh-hans;Asia/Shanghai;九寨沟\n"
    "Chloé Dubois;;chloe@example.fr;Suisse;Autonomisation des communautés;Français;europe/zurich;\n"
)

BAD = (
    "name,telegram,country,groups\n"
    "Ana Pérez,ana_perez,ES,climate\n"
    "Bob,bob,Atlantis,climate\n"
    "\n"
    '"Zoe\nSmith",zoe_smith,FR,nothing\n'
)


@pytest.fixture
def environment(tmp_path: Path) -> dict[str, str]:
    """A migrated database (``import-people`` refuses a missing one, as every CLI command)."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("WNMRC_")}
    env = {**clean, "WNMRC_DATABASE_PATH": str(tmp_path / "bot.sqlite3")}
    subprocess.run([WNMRC_BOT, "migrate"], env=env, check=True, capture_output=True)
    return env


async def _import(file: Path, env: dict[str, str]) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        WNMRC_BOT,
        "import-people",
        str(file),
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


def _people(database: Path) -> list[tuple[str, str | None, str | None, str | None]]:
    with sqlite3.connect(database) as connection:
        rows = connection.execute(
            "SELECT display_name, username, country, timezone FROM people ORDER BY id"
        ).fetchall()
    return [tuple(row) for row in rows]


def _memberships(database: Path) -> set[tuple[str, str]]:
    with sqlite3.connect(database) as connection:
        rows = connection.execute(
            "SELECT p.display_name, g.slug FROM group_members AS m"
            " JOIN people AS p ON p.id = m.person_id JOIN working_groups AS g ON g.id = m.group_id"
        ).fetchall()
    return {(row[0], row[1]) for row in rows}


async def test_a_bad_row_imports_nothing_and_every_bad_row_is_named(
    environment: dict[str, str], tmp_path: Path
) -> None:
    file = tmp_path / "list.csv"
    file.write_text(BAD, encoding="utf-8")

    code, out, err = await _import(file, environment)

    assert code == 1
    assert out.splitlines() == [
        'row 3: telegram "bob" is not a Telegram username (5 to 32 letters, digits or _)',
        'row 3: country "Atlantis" matches no country',
        'row 5: group "nothing" matches no working group',
        "nothing imported: 2 of 3 rows need fixing",
    ]
    assert "Traceback" not in err
    assert _people(tmp_path / "bot.sqlite3") == []


async def test_a_good_file_is_imported_once_and_a_rerun_changes_nothing(
    environment: dict[str, str], tmp_path: Path
) -> None:
    file = tmp_path / "list.csv"
    file.write_text(GOOD, encoding="utf-8")
    database = tmp_path / "bot.sqlite3"

    code, out, err = await _import(file, environment)

    assert code == 0, out + err
    assert out.strip() == "list.csv: 3 added, 0 updated, 0 unchanged"
    assert err == ""  # a short file shows no progress
    assert _people(database) == [
        ("Ana Pérez", "ana_perez", "ES", "Europe/Madrid"),
        ("李明", "li_ming", "CN", "Asia/Shanghai"),
        ("Chloé Dubois", None, "CH", "Europe/Zurich"),
    ]
    assert _memberships(database) == {
        ("Ana Pérez", "climate"),
        ("Ana Pérez", "biodiversity"),
        ("李明", "climate"),
        ("Chloé Dubois", "community"),
    }

    code, out, err = await _import(file, environment)

    assert code == 0, out + err
    assert out.strip() == "list.csv: 0 added, 0 updated, 3 unchanged"
    assert len(_people(database)) == 3

    file.write_text(GOOD.replace("Ordesa", "Ordesa y Monte Perdido"), encoding="utf-8")
    code, out, _ = await _import(file, environment)
    assert out.strip() == "list.csv: 0 added, 1 updated, 2 unchanged"


async def test_a_long_file_reports_progress_on_stderr(
    environment: dict[str, str], tmp_path: Path
) -> None:
    rows = [f"Person {n},person_{n:04d},,climate" for n in range(250)]
    file = tmp_path / "long.csv"
    file.write_text("name,telegram,country,groups\n" + "\n".join(rows) + "\n", encoding="utf-8")

    code, out, err = await _import(file, environment)

    assert code == 0, out + err
    assert out.strip() == "long.csv: 250 added, 0 updated, 0 unchanged"
    progress = err.splitlines()
    assert progress[0] == "importing: 10% (25/250)"
    assert progress[-1] == "importing: 100% (250/250)"
    assert len(progress) == 10


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "cannot read it"),
        (b"name,phone\nAna,123\n", 'unknown column "phone"'),
        ("name,telegram\nAnaïs,anais_b\n".encode("latin-1"), "not UTF-8"),
    ],
)
async def test_an_unusable_file_is_one_line_and_exit_1(
    environment: dict[str, str], tmp_path: Path, content: bytes | None, message: str
) -> None:
    file = tmp_path / "list.csv"
    if content is not None:
        file.write_bytes(content)

    code, out, err = await _import(file, environment)

    assert code == 1
    assert out.count("\n") == 1
    assert message in out
    assert "nothing imported" in out
    assert "Traceback" not in out + err
