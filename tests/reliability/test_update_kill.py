"""No update lost on kill -9, deterministically: updates fetched (and confirmed to Telegram),
the process killed before handling them, every one answered after the restart, none twice.

One person sends ten commands at once. Telegram lets the bot answer a private chat once a
second, so the bot answers the first ones and the others wait their turn; it is killed while
it waits out a 429, no call in flight. Before the inbox, PTB's polling had confirmed all ten
with its next getUpdates and the waiting ones were gone.
"""

from __future__ import annotations

import asyncio
import signal
import sqlite3
from pathlib import Path

import pytest

from sandbox.emulator import Emulator

from ..conftest import TOKEN
from .processes import bot_environment, integrity, start_bot

pytestmark = pytest.mark.slow

COMMANDS = 10


def _pending(database: Path) -> int:
    """Updates the inbox holds and the bot has not marked handled."""
    with sqlite3.connect(database) as connection:
        row = connection.execute(
            "SELECT count(*) FROM update_inbox WHERE handled_at IS NULL"
        ).fetchone()
    return int(row[0])


@pytest.mark.timeout(120)
async def test_updates_fetched_and_not_handled_at_a_kill_are_each_answered_once_after_restart(
    emulator: Emulator, tmp_path: Path
) -> None:
    database, log = tmp_path / "bot.sqlite3", tmp_path / "bot.log"
    ana = emulator.add_user("Ana", language_code="en")
    process = await start_bot(bot_environment(TOKEN, emulator.api_root, database), log)
    try:
        await emulator.says(ana, "/start", timeout=30)
        await emulator.settle(quiet=0.5, timeout=30)
        mark = len(emulator.ledger)
        for _ in range(COMMANDS):
            emulator.send_text(ana, "/help")

        def between_answers() -> bool:
            """All fetched and confirmed, some answered and marked so, and the bot waiting
            out a 429 (Telegram's pace for a private chat): no call in flight for a second."""
            answered = len(emulator.ledger) - mark
            last = emulator.calls[-1]
            return (
                emulator.pending_updates == 0
                and 0 < answered < COMMANDS
                and last.method == "sendMessage"
                and not last.ok
                and emulator.backend.journal.in_flight == 0
                and _pending(database) == COMMANDS - answered
            )

        await emulator.wait_until(between_answers, timeout=30)
    finally:
        process.send_signal(signal.SIGKILL)
        await process.wait()
    answered_before = len(emulator.ledger) - mark

    assert emulator.pending_updates == 0, "Telegram still holds updates: nothing tested"
    assert answered_before < COMMANDS, "every command answered before the kill: nothing tested"

    process = await start_bot(bot_environment(TOKEN, emulator.api_root, database), log)
    try:
        await emulator.wait_until(lambda: len(emulator.ledger) - mark >= COMMANDS, timeout=60)
        await emulator.settle(quiet=1.5, timeout=30)
    finally:
        process.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(process.wait(), 30)
    answers = emulator.ledger[mark:]

    assert code == 0, log.read_text(errors="replace")[-3000:]
    assert len(answers) == COMMANDS, f"{len(answers)} answers to {COMMANDS} commands"
    assert all(entry.chat_id == ana.id and "/start" in (entry.text or "") for entry in answers)
    assert integrity(database) == "ok"
