"""Time from ``wnmrc-bot run`` to its first answer, with 10,000 outbox rows due in the future,
and the bot's peak resident memory (VmHWM, read before it exits)."""

from __future__ import annotations

import tempfile
import time
from datetime import timedelta
from pathlib import Path

from bench.harness import TOKEN, WNMRC_BOT, bot_environment, launch, peak_rss_mib, progress, stop
from bot.clock import SystemClock
from sandbox.emulator import Emulator
from storage import Database
from storage.outbox import OutboxPayload, OutboxRepository, OutgoingMessage

QUEUED_ROWS = 10_000
REPEATS = 3


async def _enqueue_future_rows(database: Path) -> None:
    now = SystemClock().now()
    db = await Database.open(database)
    try:
        await db.migrate()
        messages = [
            OutgoingMessage(
                kind="notice",
                chat_id=1_000_000 + i,
                dedupe_key=f"startup:{i}",
                payload=OutboxPayload(text=f"Due later ({i})"),
                due_at=now + timedelta(hours=1, seconds=i),
            )
            for i in range(QUEUED_ROWS)
        ]
        await OutboxRepository(db).enqueue(messages, now)
    finally:
        await db.close()


async def _once(database: Path, log: Path) -> tuple[float, float | None]:
    async with Emulator(TOKEN) as emulator:
        ana = emulator.add_user("Ana", language_code="en")
        emulator.send_text(ana, "/start")
        started = time.monotonic()
        process = await launch(
            (WNMRC_BOT, "run"), bot_environment(emulator.api_root, database), log
        )
        try:
            await emulator.wait_until(lambda: len(emulator.ledger) >= 1, timeout=60)
            answered = emulator.ledger[0].at - started
            await emulator.settle(quiet=0.5)
            rss = peak_rss_mib(process.pid)
        finally:
            await stop(process)
    return answered, rss


async def run() -> dict[str, object]:
    seconds: list[float] = []
    peaks: list[float] = []
    with tempfile.TemporaryDirectory(prefix="wnmrc-bench-") as folder:
        database = Path(folder) / "bot.sqlite3"
        await _enqueue_future_rows(database)
        for repeat in range(REPEATS):
            progress(f"startup {repeat + 1}/{REPEATS}")
            answered, rss = await _once(database, Path(folder) / "bot.log")
            seconds.append(answered)
            if rss is not None:
                peaks.append(rss)
    return {
        "queued_outbox_rows_due_later": QUEUED_ROWS,
        "note": "reminders do not exist yet: the 10,000 pending rows are outbox notices due "
        "within the next hours, which is what reminders will be",
        "repeats": REPEATS,
        "start_to_first_answer_seconds": round(sorted(seconds)[len(seconds) // 2], 3),
        "start_to_first_answer_seconds_spread": round(max(seconds) - min(seconds), 3),
        "peak_rss_mib": max(peaks) if peaks else None,
    }
