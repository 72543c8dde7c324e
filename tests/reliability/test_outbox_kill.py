"""kill -9 in the middle of a broadcast, then restart: every recipient has the message once,
except at most the one that was in flight when the process died."""

from __future__ import annotations

import asyncio
import os
import random
import signal
from collections import Counter
from pathlib import Path

import pytest

from sandbox.emulator import Emulator

from ..conftest import TOKEN
from .processes import (
    bot_environment,
    enqueue_broadcast,
    integrity,
    outbox_statuses,
    start_bot,
)

pytestmark = pytest.mark.slow

RECIPIENTS = 60
SEED = int(os.environ.get("WNMRC_KILL_SEED", "20240517"))


async def test_a_broadcast_killed_mid_way_completes_after_restart_with_at_most_one_double(
    emulator: Emulator, tmp_path: Path
) -> None:
    database = tmp_path / "bot.sqlite3"
    log = tmp_path / "bot.log"
    environment = bot_environment(TOKEN, emulator.api_root, database)
    people = [emulator.add_user(f"Member{i}", started=True) for i in range(RECIPIENTS)]
    await enqueue_broadcast(database, [person.id for person in people])
    kill_after = random.Random(SEED).randint(5, RECIPIENTS - 10)
    print(f"seed {SEED}: kill -9 after {kill_after} of {RECIPIENTS} messages arrived")

    first = await start_bot(environment, log)
    try:
        await emulator.wait_until(lambda: len(emulator.ledger) >= kill_after, timeout=30)
    finally:
        first.send_signal(signal.SIGKILL)
        await first.wait()
    at_kill = len(emulator.ledger)
    print(f"killed with {at_kill} messages delivered; outbox {dict(outbox_statuses(database))}")
    assert at_kill < RECIPIENTS, "the kill came too late to test anything"

    second = await start_bot(environment, log)
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
    assert outbox_statuses(database) == Counter({"sent": RECIPIENTS})
    assert TOKEN not in output
    assert integrity(database) == "ok"
