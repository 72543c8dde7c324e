"""kill -9 in the middle of a broadcast, then restart: every recipient has the message once,
except at most the one that was in flight when the process died."""

from __future__ import annotations

import asyncio
import os
import random
import signal
import sqlite3
import sys
from collections import Counter
from pathlib import Path

import pytest

from bot.clock import SystemClock
from sandbox.emulator import Emulator
from storage import Database
from storage.outbox import OutboxPayload, OutboxRepository, OutgoingMessage

from ..conftest import TOKEN

pytestmark = pytest.mark.slow

RECIPIENTS = 60
SEED = int(os.environ.get("WNMRC_KILL_SEED", "20240517"))


async def _enqueue_broadcast(database: Path, chat_ids: list[int]) -> None:
    """What an announcement leaves behind: one queued row per recipient, in the bot's file."""
    now = SystemClock().now()
    db = await Database.open(database)
    try:
        await db.migrate()
        messages = [
            OutgoingMessage(
                kind="announcement",
                chat_id=chat_id,
                dedupe_key=f"announcement:1:{chat_id}",
                payload=OutboxPayload(text=f"<b>Follow-up meeting</b> for {chat_id}"),
                due_at=now,
            )
            for chat_id in chat_ids
        ]
        assert await OutboxRepository(db).enqueue(messages, now) == len(chat_ids)
    finally:
        await db.close()


async def _start_bot(environment: dict[str, str], log: Path) -> asyncio.subprocess.Process:
    with log.open("ab") as output:
        return await asyncio.create_subprocess_exec(
            str(Path(sys.executable).parent / "wnmrc-bot"),
            "run",
            env=environment,
            stdout=output,
            stderr=asyncio.subprocess.STDOUT,
        )


def _statuses(database: Path) -> Counter[str]:
    with sqlite3.connect(database) as connection:
        rows = connection.execute("SELECT status, count(*) FROM outbox GROUP BY status")
        return Counter(dict(rows.fetchall()))


async def test_a_broadcast_killed_mid_way_completes_after_restart_with_at_most_one_double(
    emulator: Emulator, tmp_path: Path
) -> None:
    database = tmp_path / "bot.sqlite3"
    log = tmp_path / "bot.log"
    environment = {
        **{k: v for k, v in os.environ.items() if not k.startswith("WNMRC_")},
        "WNMRC_BOT_TOKEN": TOKEN,
        "WNMRC_BOT_API_URL": emulator.api_root,
        "WNMRC_DATABASE_PATH": str(database),
        "WNMRC_LOG_LEVEL": "INFO",
    }
    people = [emulator.add_user(f"Member{i}", started=True) for i in range(RECIPIENTS)]
    await _enqueue_broadcast(database, [person.id for person in people])
    kill_after = random.Random(SEED).randint(5, RECIPIENTS - 10)
    print(f"seed {SEED}: kill -9 after {kill_after} of {RECIPIENTS} messages arrived")

    first = await _start_bot(environment, log)
    try:
        await emulator.wait_until(lambda: len(emulator.ledger) >= kill_after, timeout=30)
    finally:
        first.send_signal(signal.SIGKILL)
        await first.wait()
    at_kill = len(emulator.ledger)
    print(f"killed with {at_kill} messages delivered; outbox {dict(_statuses(database))}")
    assert at_kill < RECIPIENTS, "the kill came too late to test anything"

    second = await _start_bot(environment, log)
    try:
        await emulator.wait_until(
            lambda: all(emulator.sent_to(person) for person in people), timeout=30
        )
        await emulator.settle(quiet=0.5)
    finally:
        second.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(second.wait(), 30)

    output = log.read_text(errors="replace")
    assert code == 0, output
    copies = Counter(entry.chat_id for entry in emulator.ledger if entry.kind == "send")
    assert set(copies) == {person.id for person in people}
    doubled = [chat for chat, n in copies.items() if n > 1]
    assert len(doubled) <= 1, f"sent twice: {doubled}\n{output}"
    assert max(copies.values()) <= 2
    assert emulator.stats.too_many_requests == 0
    assert _statuses(database) == Counter({"sent": RECIPIENTS})
    assert TOKEN not in output
