"""One running bot per database: a second ``wnmrc-bot run`` on the same database refuses in
one line (exit 1) while the first runs, and takes over at once when the first was killed."""

from __future__ import annotations

import asyncio
import signal
import sqlite3
from pathlib import Path

import pytest

from sandbox.emulator import Emulator

from ..conftest import TOKEN
from .processes import WNMRC_BOT, bot_environment, start_bot

pytestmark = pytest.mark.slow


def _lease_rows(database: Path) -> int:
    with sqlite3.connect(database) as connection:
        return int(connection.execute("SELECT count(*) FROM bot_lease").fetchone()[0])


@pytest.mark.timeout(120)
async def test_a_second_bot_on_one_database_refuses_and_takes_over_from_a_dead_one(
    emulator: Emulator, tmp_path: Path
) -> None:
    database, log = tmp_path / "bot.sqlite3", tmp_path / "first.log"
    environment = bot_environment(TOKEN, emulator.api_root, database)
    ana = emulator.add_user("Ana", language_code="en")
    first = await start_bot(environment, log)
    try:
        await emulator.says(ana, "/start", timeout=30)

        second = await asyncio.create_subprocess_exec(
            WNMRC_BOT, "run", env=environment,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        out, err = await asyncio.wait_for(second.communicate(), 60)

        assert second.returncode == 1
        refusal = err.decode().strip()
        assert refusal.count("\n") == 0, refusal
        assert "another wnmrc-bot is running on this database" in refusal
        assert f"pid {first.pid}" in refusal
        assert "Traceback" not in out.decode() + refusal
        assert "/start" in ((await emulator.says(ana, "/help", timeout=30)).text or "")
        assert emulator.stats.errors.get(409, 0) == 0, "the second bot polled Telegram"
    finally:
        first.send_signal(signal.SIGKILL)
        await first.wait()

    third = await start_bot(environment, tmp_path / "third.log")
    try:
        reply = await emulator.says(ana, "/help", timeout=30)
    finally:
        third.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(third.wait(), 30)

    assert "/start" in (reply.text or "")
    assert code == 0
    assert _lease_rows(database) == 0, "a stopped bot keeps no lease"
