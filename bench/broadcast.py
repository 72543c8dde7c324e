"""A broadcast through the outbox with the emulator enforcing Telegram's limits (rtt 50 ms).

Rows for every recipient are enqueued in the bot's database file before ``wnmrc-bot run``
starts, as an announcement leaves them; the figures come from the emulator's ledger and the
outbox table once every row is in a final state.
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
import time
from collections import Counter
from pathlib import Path

from bench.harness import SMALLEST, TOKEN, WNMRC_BOT, bot_environment, launch, progress, stop
from bot.clock import SystemClock
from sandbox.emulator import Emulator
from storage import Database
from storage.outbox import OutboxPayload, OutboxRepository, OutgoingMessage

PRIVATE_RECIPIENTS = int(os.environ.get("WNMRC_BENCH_BROADCAST", "20" if SMALLEST else "3000"))
"""3,000 takes about 110 s at 28/s; set WNMRC_BENCH_BROADCAST lower for a quick look."""
GROUPS = 2 if SMALLEST else 30
CONFIGURED_RATE = 28.0
"""bot.outbox.pacing.RateLimits.overall_per_second, the sender's configured overall rate."""
RTT = 0.05
IN_FLIGHT = int(os.environ.get("WNMRC_BENCH_IN_FLIGHT", "2"))
"""Sends awaiting Telegram's answer at once: 2 reaches 28/s at 50 ms; the bot's default, 1, about
20/s (bot/outbox/sender.py, ``DeliveryConfig.max_in_flight``)."""
FINAL = ("sent", "unreachable", "failed")


async def _enqueue(database: Path, chat_ids: list[int]) -> None:
    now = SystemClock().now()
    db = await Database.open(database)
    try:
        await db.migrate()
        messages = [
            OutgoingMessage(
                kind="announcement",
                chat_id=chat_id,
                dedupe_key=f"announcement:bench:{chat_id}",
                payload=OutboxPayload(text=f"<b>Follow-up meeting</b> on Friday ({chat_id})"),
                due_at=now,
            )
            for chat_id in chat_ids
        ]
        await OutboxRepository(db).enqueue(messages, now)
    finally:
        await db.close()


def _statuses(database: Path) -> Counter[str]:
    with sqlite3.connect(database) as connection:
        rows = connection.execute("SELECT status, count(*) FROM outbox GROUP BY status")
        return Counter(dict(rows.fetchall()))


async def run() -> dict[str, object]:
    async with Emulator(TOKEN, rtt=RTT) as emulator:
        people = [emulator.add_user(f"Member{i}", started=True) for i in range(PRIVATE_RECIPIENTS)]
        groups = [emulator.add_group(f"Group {i}", members=people[:3]) for i in range(GROUPS)]
        chat_ids = [p.id for p in people] + [g.id for g in groups]
        with tempfile.TemporaryDirectory(prefix="wnmrc-bench-") as folder:
            database = Path(folder) / "bot.sqlite3"
            await _enqueue(database, chat_ids)
            progress(f"broadcast: {len(chat_ids)} rows queued; starting the bot")
            process = await launch(
                (WNMRC_BOT, "run"),
                bot_environment(emulator.api_root, database)
                | {"WNMRC_OUTBOX_IN_FLIGHT": str(IN_FLIGHT)},
                Path(folder) / "bot.log",
            )
            started = time.monotonic()
            try:
                await emulator.wait_until(
                    lambda: len(emulator.ledger) >= len(chat_ids), timeout=len(chat_ids) / 10 + 60
                )
                await emulator.settle(quiet=0.5, timeout=30)
            finally:
                code = await stop(process)
            statuses = _statuses(database)
    sends = [entry for entry in emulator.ledger if entry.kind == "send"]
    first, last = sends[0].at, sends[-1].at
    rate = (len(sends) - 1) / (last - first)
    return {
        "recipients": len(chat_ids),
        "private_chats": PRIVATE_RECIPIENTS,
        "groups": GROUPS,
        "rtt_ms": int(RTT * 1000),
        "in_flight": IN_FLIGHT,
        "emulator_limits": "Telegram's (30/s overall, 1/s per private chat, 20/min per group)",
        "configured_rate_per_second": CONFIGURED_RATE,
        "effective_rate_per_second": round(rate, 2),
        "ratio_rate_vs_configured": round(rate / CONFIGURED_RATE, 3),
        "count_429": emulator.stats.too_many_requests,
        "drain_seconds": round(last - first, 1),
        "process_start_to_drained_seconds": round(last - started, 1),
        "messages_sent": len(sends),
        "recipients_doubled": sum(n > 1 for n in Counter(e.chat_id for e in sends).values()),
        "outbox_statuses": dict(statuses),
        "all_final": sum(statuses[s] for s in FINAL) == len(chat_ids),
        "exit_code": code,
    }
