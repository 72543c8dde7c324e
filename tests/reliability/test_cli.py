"""The ``wnmrc-bot`` command as an operator runs it: in a subprocess, against the emulator."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from sandbox.emulator import Emulator

from ..conftest import TOKEN

pytestmark = pytest.mark.slow

WNMRC_BOT = str(Path(sys.executable).parent / "wnmrc-bot")


def _environment(**variables: str) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("WNMRC_")}
    return {**clean, **variables}


async def _run(*args: str, env: dict[str, str], limit: float = 60) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        WNMRC_BOT, *args, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    out, err = await asyncio.wait_for(process.communicate(), limit)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


async def test_run_without_a_token_names_the_variable_and_exits_2() -> None:
    code, out, err = await _run("run", env=_environment())

    assert code == 2
    assert err.strip().count("\n") == 0
    assert "WNMRC_BOT_TOKEN" in err
    assert "Traceback" not in err + out


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("WNMRC_DEFAULT_TIMEZONE", "Mars/Olympus_Mons"),
        ("WNMRC_DEFAULT_LANGUAGE", "klingon"),
        ("WNMRC_SECRETARIAT_IDS", "12,abc"),
        ("WNMRC_LOG_LEVEL", "LOUD"),
    ],
)
async def test_a_wrong_setting_is_one_line_naming_it(variable: str, value: str) -> None:
    code, out, err = await _run("check", env=_environment(**{variable: value}))

    assert code == 2
    assert err.strip().count("\n") == 0
    assert variable in err
    assert "Traceback" not in err + out


@pytest.fixture
def bot_environment(emulator: Emulator, tmp_path: Path) -> dict[str, str]:
    return _environment(
        WNMRC_BOT_TOKEN=TOKEN,
        WNMRC_BOT_API_URL=emulator.api_root,
        WNMRC_DATABASE_PATH=str(tmp_path / "bot.sqlite3"),
        WNMRC_LOG_LEVEL="DEBUG",
    )


@pytest.fixture
async def bot_process(
    bot_environment: dict[str, str], tmp_path: Path
) -> AsyncIterator[asyncio.subprocess.Process]:
    """``wnmrc-bot run`` in a subprocess, its log in a file (a pipe nobody reads would fill)."""
    with (tmp_path / "bot.log").open("wb") as log:
        process = await asyncio.create_subprocess_exec(
            WNMRC_BOT, "run", env=bot_environment, stdout=log, stderr=asyncio.subprocess.STDOUT
        )
    yield process
    if process.returncode is None:
        process.kill()
        await process.wait()


async def test_run_answers_start_over_http_and_stops_cleanly_on_sigterm(
    emulator: Emulator, bot_process: asyncio.subprocess.Process, tmp_path: Path
) -> None:
    ana = emulator.add_user("Ana", language_code="es")
    reply = await emulator.says(ana, "/start", timeout=30)
    assert reply.text.startswith("¡Te damos la bienvenida, Ana!")

    emulator.rtt = 0.5
    emulator.send_text(ana, "/help")
    await emulator.wait_until(lambda: emulator.pending_updates == 0, timeout=10)
    bot_process.send_signal(signal.SIGTERM)
    code = await asyncio.wait_for(bot_process.wait(), 30)
    log = (tmp_path / "bot.log").read_text()

    assert code == 0, log
    assert emulator.ledger[-1].text.startswith("Lo que puedes hacer aquí"), log
    assert TOKEN not in log
    assert TOKEN.split(":")[1] not in log
    database = tmp_path / "bot.sqlite3"
    assert not Path(f"{database}-wal").exists(), "the database was not closed cleanly"
    with sqlite3.connect(database) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)


async def test_migrate_backup_and_check(
    emulator: Emulator, bot_environment: dict[str, str], tmp_path: Path
) -> None:
    code, out, err = await _run("migrate", env=bot_environment)
    assert code == 0, err
    assert "schema version" in out

    code, out, err = await _run("backup", str(tmp_path / "copy.sqlite3"), env=bot_environment)
    assert code == 0, err
    assert "integrity_check ok" in out
    with sqlite3.connect(tmp_path / "copy.sqlite3") as copy:
        slugs = {row[0] for row in copy.execute("SELECT slug FROM working_groups")}
    assert slugs == {"climate", "biodiversity", "community", "socioeconomics"}

    code, out, err = await _run("backup", str(tmp_path / "copy.sqlite3"), env=bot_environment)
    assert code != 0
    assert "exists" in (out + err)

    code, out, err = await _run("check", env=bot_environment)
    assert code == 0, out + err
    assert "@wnmrc_test_bot" in out
    assert TOKEN not in out + err
