"""Fair under a flood: ``wnmrc-bot run`` while one person sends 10,000 messages at once.

Telegram lets the bot answer a private chat once a second, so the flood's own answers take
their time; everyone else must not wait behind them. Another person's command, sent in the
middle of the flood (5,000 messages before it, 5,000 after), is answered within 2 s. (Sent
after the whole flood it is answered in about 1.2 s on an idle 2-core machine, but each of the
100 getUpdates round trips a flood of 10,000 takes waits for a CPU on a loaded one.) The
flooding person is told once, in their language, to slow down; the bot's memory (RSS, read
from /proc) grows by less than 30 MB; and SIGTERM stops it within 10 s whatever the backlog,
leaving what it had not handled for the next start, which answers each of those once.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import time
from pathlib import Path

import pytest

from bot.processing import PER_CHAT
from sandbox.emulator import Emulator

from ..conftest import TOKEN
from .processes import bot_environment, integrity, start_bot

pytestmark = pytest.mark.slow

FLOOD = 10_000
SLOW_DOWN_ES = "Estás enviando mensajes más rápido de lo que puedo responder."


def _rss_mb(pid: int) -> float:
    """The process's resident memory, from /proc (MB)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS line")


async def _peak_rss(pid: int, samples: list[float]) -> None:
    while True:
        samples.append(_rss_mb(pid))
        await asyncio.sleep(0.05)


def _cpu_seconds(pid: int) -> float:
    """User and system CPU time the process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _inbox(database: Path) -> tuple[int, int]:
    """(pending, handled) rows of the update inbox."""
    with sqlite3.connect(database) as connection:
        row = connection.execute(
            "SELECT count(*) FILTER (WHERE handled_at IS NULL),"
            " count(*) FILTER (WHERE handled_at IS NOT NULL) FROM update_inbox"
        ).fetchone()
    return int(row[0]), int(row[1])


@pytest.mark.timeout(120)
async def test_a_flood_from_one_person_keeps_nobody_else_waiting(
    emulator: Emulator, tmp_path: Path
) -> None:
    database, log = tmp_path / "bot.sqlite3", tmp_path / "bot.log"
    flooder = emulator.add_user("Flora", language_code="es")
    other = emulator.add_user("Otto", language_code="en")
    process = await start_bot(bot_environment(TOKEN, emulator.api_root, database), log)
    samples: list[float] = []
    sampling: asyncio.Task[None] | None = None
    try:
        await emulator.says(flooder, "/start", timeout=30)
        await emulator.says(other, "/start", timeout=30)
        await emulator.settle(quiet=1.0, timeout=30)
        before = _rss_mb(process.pid)
        sampling = asyncio.create_task(_peak_rss(process.pid, samples))
        mark = len(emulator.ledger)
        for number in range(FLOOD // 2):
            emulator.send_text(flooder, f"message {number}")
        began, cpu_before = time.monotonic(), _cpu_seconds(process.pid)
        test_cpu = time.process_time()
        asking = asyncio.create_task(emulator.says(other, "/help", timeout=30))
        await asyncio.sleep(0)  # Otto's command is in the queue: the flood goes on behind it
        for number in range(FLOOD // 2, FLOOD):
            emulator.send_text(flooder, f"message {number}")
        answer = await asking
        answered_in = time.monotonic() - began
        bot_cpu = _cpu_seconds(process.pid) - cpu_before
        test_cpu = time.process_time() - test_cpu
        await emulator.wait_until(lambda: emulator.pending_updates == 0, timeout=60)
        await asyncio.sleep(1.0)  # some of the flood's answers go out; the rest is backlog
    finally:
        if sampling is not None:
            sampling.cancel()
        process.send_signal(signal.SIGTERM)
        stopping = time.monotonic()
        code = await asyncio.wait_for(process.wait(), 30)
        stopped_in = time.monotonic() - stopping
    growth = max(samples) - before
    to_flooder = [entry for entry in emulator.ledger[mark:] if entry.chat_id == flooder.id]
    left_pending, _ = _inbox(database)
    print(
        f"flood: {FLOOD} messages; the other person answered in {answered_in:.2f} s (bot CPU"
        f" {bot_cpu:.2f} s, emulator CPU {test_cpu:.2f} s); RSS"
        f" {before:.0f} MB, grew {growth:.1f} MB; {len(to_flooder)} messages to the flooder"
        f" before SIGTERM; stopped in {stopped_in:.1f} s leaving {left_pending} unhandled"
    )

    assert "/start" in (answer.text or "")
    assert answered_in < 2.0
    assert growth < 30
    assert code == 0, log.read_text(errors="replace")[-3000:]
    assert stopped_in < 10
    slow_down = [entry for entry in to_flooder if SLOW_DOWN_ES in (entry.text or "")]
    assert len(slow_down) == 1
    assert len(to_flooder) <= PER_CHAT + 1
    assert 0 < left_pending <= PER_CHAT, "nothing was left for the next start: nothing tested"

    answered_before = len(to_flooder)
    process = await start_bot(bot_environment(TOKEN, emulator.api_root, database), log)
    try:
        await emulator.wait_until(lambda: _inbox(database)[0] == 0, timeout=PER_CHAT + 30)
        await emulator.settle(quiet=1.0, timeout=30)
    finally:
        process.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(process.wait(), 30)
    to_flooder = [entry for entry in emulator.ledger[mark:] if entry.chat_id == flooder.id]

    assert code == 0
    assert len(to_flooder) == answered_before + left_pending  # each left one answered once
    assert integrity(database) == "ok"
