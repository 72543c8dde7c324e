"""The files an operator's commands touch (issue: safe files in the CLI), each failure in a
subprocess as the operator meets it: one line, exit code 1, nothing written that should not be."""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.maintenance import backup_name
from storage import Database

from .processes import WNMRC_BOT

pytestmark = pytest.mark.slow

PEOPLE = (
    "name;telegram;e-mail;country;groups\n"
    "Ana Pérez;@ana_perez;ana@example.org;España;climate\n"
    "Chloé Dubois;;chloe@example.fr;Suisse;community\n"
)


def _environment(database: Path, **more: str) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("WNMRC_")}
    return {**clean, "WNMRC_DATABASE_PATH": str(database), **more}


async def _cli(*args: str, database: Path, cwd: Path, umask: int = 0o022) -> tuple[int, str, str]:
    """``wnmrc-bot ARGS`` in ``cwd`` under a permissive umask, as a careless shell has it."""
    process = await asyncio.create_subprocess_exec(
        WNMRC_BOT,
        *args,
        env=_environment(database),
        cwd=cwd,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        preexec_fn=lambda: os.umask(umask),
    )
    out, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


def _one_line_refusal(code: int, out: str, err: str, *expected: str) -> None:
    assert code == 1, out + err
    assert out == ""
    assert err.count("\n") == 1, err
    assert err.startswith("wnmrc-bot: ")
    assert "Traceback" not in err
    for part in expected:
        assert part in err, err


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


@pytest.fixture
def database(tmp_path: Path) -> Path:
    """A migrated database with two imported people (e-mail addresses: personal data)."""
    path = tmp_path / "data" / "bot.sqlite3"

    async def make() -> None:
        db = await Database.open(path)
        await db.migrate()
        await db.close()

    asyncio.run(make())
    people = tmp_path / "people.csv"
    people.write_text(PEOPLE, encoding="utf-8")
    done = subprocess.run(
        [WNMRC_BOT, "import-people", str(people)],
        env=_environment(path),
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return path


# --- a missing database --------------------------------------------------------------------


@pytest.mark.parametrize(
    "command",
    [
        ("backup", "copy.sqlite3"),
        ("backup", "--keep", "3", "daily"),
        ("check",),
        ("export", "roster", "roster.csv"),
        ("export", "experiences", "experiences.csv"),
        ("export", "calendar", "climate", "climate.ics"),
        ("import-people", "people.csv"),
        ("outbox",),
    ],
)
async def test_a_mistyped_database_path_is_refused_and_nothing_is_created(
    tmp_path: Path, command: tuple[str, ...]
) -> None:
    (tmp_path / "people.csv").write_text(PEOPLE, encoding="utf-8")
    mistyped = tmp_path / "dta" / "bot.sqlite3"

    code, out, err = await _cli(*command, database=mistyped, cwd=tmp_path)

    _one_line_refusal(code, out, err, f"no database at {mistyped}")
    assert not mistyped.parent.exists(), "no folder, no empty database left behind"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["people.csv"]


# --- exports: folders, existing files, the live database, privacy ---------------------------


async def test_an_export_into_a_missing_folder_creates_it(database: Path, tmp_path: Path) -> None:
    code, out, err = await _cli(
        "export", "experiences", "out/2026/experiences.csv", database=database, cwd=tmp_path
    )

    assert code == 0, err
    assert out.strip() == "out/2026/experiences.csv, out/2026/experiences.json: 0 experiences"
    exported = (tmp_path / "out" / "2026" / "experiences.json").read_text()
    assert json.loads(exported) == {"experiences": []}


async def test_an_export_over_an_existing_file_is_refused_unless_forced(
    database: Path, tmp_path: Path
) -> None:
    precious = tmp_path / "roster.csv"
    precious.write_text("the secretariat's own notes\n")
    precious.chmod(0o644)

    refused = await _cli("export", "roster", "roster.csv", database=database, cwd=tmp_path)
    kept = precious.read_text()
    forced = await _cli(
        "export", "roster", "roster.csv", "--force", database=database, cwd=tmp_path
    )

    _one_line_refusal(*refused, "roster.csv already exists (add --force to replace it)")
    assert kept == "the secretariat's own notes\n"
    assert forced[0] == 0, forced[2]
    assert forced[1].strip() == "roster.csv: 2 people (all working groups)"
    assert "ana@example.org" in precious.read_text()
    assert _mode(precious) == 0o600, "replaced files are private too"


@pytest.mark.parametrize(
    "command",
    [
        ("export", "roster", "{db}", "--force"),
        ("export", "calendar", "climate", "{db}-wal", "--force"),
        ("backup", "{db}", "--force"),
        ("restore", "{backup}", "{db}", "--force"),
    ],
)
async def test_the_live_database_is_never_written_over(
    database: Path, tmp_path: Path, command: tuple[str, ...]
) -> None:
    copy = tmp_path / "copy.sqlite3"
    assert (await _cli("backup", str(copy), database=database, cwd=tmp_path))[0] == 0
    before = _digest(database)
    args = [part.format(db=database, backup=copy) for part in command]

    code, out, err = await _cli(*args, database=database, cwd=tmp_path)

    _one_line_refusal(code, out, err, "is the bot's live database")
    assert _digest(database) == before
    assert not Path(f"{database}-wal").exists()


async def test_files_with_personal_data_are_private_whatever_the_umask(
    database: Path, tmp_path: Path
) -> None:
    written = {
        "roster": tmp_path / "out" / "roster.csv",
        "experiences": tmp_path / "out" / "experiences.csv",
        "backup": tmp_path / "backups" / "copy.sqlite3",
    }
    runs = [
        await _cli("export", "roster", "out/roster.csv", database=database, cwd=tmp_path),
        await _cli("export", "experiences", "out/experiences.csv", database=database, cwd=tmp_path),
        await _cli("backup", "backups/copy.sqlite3", database=database, cwd=tmp_path),
    ]

    assert [code for code, _, _ in runs] == [0, 0, 0], runs
    assert "ana@example.org" in written["roster"].read_text()
    files = [*written.values(), tmp_path / "out" / "experiences.json"]
    assert {path.name: _mode(path) for path in files} == {path.name: 0o600 for path in files}
    assert _mode(tmp_path / "out") == 0o700
    assert _mode(tmp_path / "backups") == 0o700


# --- backups that keep the last N ------------------------------------------------------------


async def test_backup_keep_n_keeps_the_newest_copies_and_nothing_else_is_touched(
    database: Path, tmp_path: Path
) -> None:
    daily = tmp_path / "daily"
    daily.mkdir()
    old = ["wnmrc-20260101T020000Z.sqlite3", "wnmrc-20260102T020000Z.sqlite3"]
    for name in [*old, "wnmrc-before-upgrade.sqlite3", "notes.txt"]:
        (daily / name).write_text("not ours to remove" if "wnmrc-2" not in name else "old")

    code, out, err = await _cli("backup", "--keep", "2", "daily", database=database, cwd=tmp_path)

    assert code == 0, err
    assert "1 older copies removed, the newest 2 kept" in out
    names = sorted(p.name for p in daily.iterdir())
    new = [name for name in names if name not in old and name.startswith("wnmrc-2")]
    assert len(new) == 1
    assert names == sorted([old[1], new[0], "wnmrc-before-upgrade.sqlite3", "notes.txt"])
    with sqlite3.connect(daily / new[0]) as copy:
        assert copy.execute("SELECT count(*) FROM people").fetchone() == (2,)


def test_backup_names_sort_by_time() -> None:
    from datetime import UTC, datetime

    assert backup_name(datetime(2026, 12, 3, 2, 0, 5, tzinfo=UTC)) == (
        "wnmrc-20261203T020005Z.sqlite3"
    )


async def test_health_in_polling_mode_reads_the_database(database: Path, tmp_path: Path) -> None:
    healthy = await _cli("health", database=database, cwd=tmp_path)
    missing = await _cli("health", database=tmp_path / "nowhere.sqlite3", cwd=tmp_path)

    assert healthy == (0, f"ok: database {database} readable\n", "")
    _one_line_refusal(*missing, "no database at")


# --- a damaged or read-only database ----------------------------------------------------------


RUN_TOKEN = "123456789:TEST-emulator-token-abcdefghijklmnopq"


@pytest.mark.parametrize(
    "command",
    [
        ("run",),
        ("migrate",),
        ("backup", "copy.sqlite3"),
        ("check",),
        ("export", "roster", "roster.csv"),
        ("import-people", "people.csv"),
    ],
)
async def test_a_corrupt_database_is_one_line_and_exit_1(
    tmp_path: Path, command: tuple[str, ...]
) -> None:
    corrupt = tmp_path / "bot.sqlite3"
    corrupt.write_bytes(b"SQLite format 3\x00" + os.urandom(8192))
    (tmp_path / "people.csv").write_text(PEOPLE, encoding="utf-8")
    before = _digest(corrupt)

    env = {**_environment(corrupt), "WNMRC_BOT_TOKEN": RUN_TOKEN}
    env["WNMRC_BOT_API_URL"] = "http://127.0.0.1:9"  # nothing listens: check fails there too
    process = await asyncio.create_subprocess_exec(
        WNMRC_BOT,
        *command,
        env=env,
        cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = (part.decode() for part in await asyncio.wait_for(process.communicate(), 60))

    assert process.returncode == 1, out + err
    assert "Traceback" not in out + err
    if command == ("check",):
        assert "FAIL database:" in out
        assert "not a usable SQLite database" in out
    else:
        _one_line_refusal(1, out, err, str(corrupt))
    assert _digest(corrupt) == before
    assert not (tmp_path / "copy.sqlite3").exists()
    assert not (tmp_path / "roster.csv").exists()


@pytest.fixture
def read_only_database(database: Path) -> Iterator[Path]:
    """The database made read-only the way this machine allows: immutable for root (who ignores
    permissions), 0444 in a 0555 folder otherwise."""
    if os.geteuid() == 0:
        attempt = subprocess.run(["chattr", "+i", str(database)], capture_output=True, check=False)
        if attempt.returncode != 0:
            pytest.skip(f"chattr +i unavailable here: {attempt.stderr.decode().strip()}")
        try:
            yield database
        finally:
            subprocess.run(["chattr", "-i", str(database)], check=True)
        return
    database.chmod(0o444)
    database.parent.chmod(0o555)
    try:
        yield database
    finally:
        database.parent.chmod(0o755)
        database.chmod(0o644)


@pytest.mark.parametrize(
    "command", [("run",), ("migrate",), ("import-people", "people.csv"), ("check",)]
)
async def test_a_read_only_database_is_one_line_and_exit_1(
    read_only_database: Path, tmp_path: Path, command: tuple[str, ...]
) -> None:
    (tmp_path / "people.csv").write_text(PEOPLE, encoding="utf-8")
    env = {**_environment(read_only_database), "WNMRC_BOT_TOKEN": RUN_TOKEN}
    env["WNMRC_BOT_API_URL"] = "http://127.0.0.1:9"
    process = await asyncio.create_subprocess_exec(
        WNMRC_BOT,
        *command,
        env=env,
        cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = (part.decode() for part in await asyncio.wait_for(process.communicate(), 60))

    assert process.returncode == 1, out + err
    assert "Traceback" not in out + err
    if command == ("check",):
        assert f"FAIL database: {read_only_database} is read-only" in out
    else:
        _one_line_refusal(1, out, err, f"{read_only_database} is read-only")


async def test_a_read_only_database_can_still_be_backed_up_and_exported(
    read_only_database: Path, tmp_path: Path
) -> None:
    """Reading is all a backup or an export needs: the way to rescue what it holds."""
    backup = await _cli("backup", "rescue.sqlite3", database=read_only_database, cwd=tmp_path)
    roster = await _cli("export", "roster", "r.csv", database=read_only_database, cwd=tmp_path)

    assert backup[0] == 0, backup[2]
    assert roster[0] == 0, roster[2]
    with sqlite3.connect(tmp_path / "rescue.sqlite3") as copy:
        assert copy.execute("SELECT count(*) FROM people").fetchone() == (2,)
