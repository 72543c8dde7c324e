"""SIGTERM with a burst of updates in hand: ``wnmrc-bot run`` answers every update it had
fetched, writes what it had deferred (when each person was last seen), closes the database
cleanly (no write-ahead log left behind) and exits 0."""

from __future__ import annotations

import asyncio
import signal
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from sandbox.emulator import Emulator
from storage.timecodec import to_db

from ..conftest import TOKEN
from .processes import bot_environment, integrity, start_bot

pytestmark = pytest.mark.slow

PEOPLE = 20


def _last_seen(database: Path) -> dict[int, str | None]:
    connection = sqlite3.connect(database)
    try:
        rows = connection.execute("SELECT telegram_id, last_seen_at FROM people")
        return {int(telegram_id): seen for telegram_id, seen in rows}
    finally:
        connection.close()


async def test_sigterm_answers_the_updates_in_hand_and_closes_the_database(
    emulator: Emulator, tmp_path: Path
) -> None:
    database, log = tmp_path / "bot.sqlite3", tmp_path / "bot.log"
    people = [emulator.add_user(f"Person{i}", language_code="fr") for i in range(PEOPLE)]
    process = await start_bot(bot_environment(TOKEN, emulator.api_root, database), log)
    try:
        for person in people:  # everyone known: their next update only moves "last seen"
            await emulator.says(person, "/start", timeout=30)
        emulator.rtt = 2.0  # each answer takes a while (1 s on its way in)
        second_round = to_db(datetime.now(UTC))
        mark = len(emulator.ledger)
        for person in people:
            emulator.send_text(person, "/help")
        for _ in range(3000):  # until the bot fetched them (one batch: they were all queued
            # before its long poll woke) and its first answer is on its way
            if emulator.calls_in_flight:
                break
            await asyncio.sleep(0.01)
        assert emulator.calls_in_flight, "no answer on its way after 30 s"
        # No await from the check to the signal and the count below: the answer in flight has
        # not arrived (the emulator runs on this loop), so SIGTERM finds at least one in hand.
    finally:
        process.send_signal(signal.SIGTERM)
        answered_before = len(emulator.ledger) - mark
        code = await asyncio.wait_for(process.wait(), 30)
    output = log.read_text(errors="replace")

    assert code == 0, output[-3000:]
    assert answered_before < PEOPLE, "every answer came before SIGTERM: nothing tested"
    answers = emulator.ledger[mark:]
    assert sorted(entry.chat_id for entry in answers) == sorted(p.id for p in people)
    assert all(entry.text and "/start" in entry.text for entry in answers)
    assert not Path(f"{database}-wal").exists(), "the database was not closed cleanly"
    assert integrity(database) == "ok"
    seen = _last_seen(database)
    assert all((seen[p.id] or "") >= second_round for p in people), "deferred writes lost"
    assert "Traceback" not in output
