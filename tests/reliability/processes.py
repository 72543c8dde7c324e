"""What the subprocess reliability tests share: the bot as in production (``wnmrc-bot run``) in
a child process logging to a file (never an unread pipe), a broadcast queued in its database
while it is down, and what the database says afterwards."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from bot.clock import SystemClock
from storage import Database
from storage.outbox import OutboxPayload, OutboxRepository, OutgoingMessage

WNMRC_BOT = str(Path(sys.executable).parent / "wnmrc-bot")


def bot_environment(
    token: str, api_root: str, database: Path, log_level: str = "INFO"
) -> dict[str, str]:
    """This process's environment without any WNMRC_ setting, plus the bot's own."""
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith("WNMRC_")},
        "WNMRC_BOT_TOKEN": token,
        "WNMRC_BOT_API_URL": api_root,
        "WNMRC_DATABASE_PATH": str(database),
        "WNMRC_LOG_LEVEL": log_level,
    }


async def start_bot(environment: dict[str, str], log: Path) -> asyncio.subprocess.Process:
    """``wnmrc-bot run``, its output appended to ``log``."""
    with log.open("ab") as output:
        return await asyncio.create_subprocess_exec(
            WNMRC_BOT, "run", env=environment, stdout=output, stderr=asyncio.subprocess.STDOUT
        )


async def enqueue_broadcast(database: Path, chat_ids: Sequence[int], announcement: int = 1) -> None:
    """What an announcement leaves behind: one queued row per recipient, in the bot's file."""
    now = SystemClock().now()
    db = await Database.open(database)
    try:
        await db.migrate()
        messages = [
            OutgoingMessage(
                kind="announcement",
                chat_id=chat_id,
                dedupe_key=f"announcement:{announcement}:{chat_id}",
                payload=OutboxPayload(
                    text=f"<b>Follow-up meeting</b> {announcement} for {chat_id}"
                ),
                due_at=now,
            )
            for chat_id in chat_ids
        ]
        assert await OutboxRepository(db).enqueue(messages, now) == len(chat_ids)
    finally:
        await db.close()


def outbox_statuses(database: Path) -> Counter[str]:
    with sqlite3.connect(database) as connection:
        rows = connection.execute("SELECT status, count(*) FROM outbox GROUP BY status")
        return Counter(dict(rows.fetchall()))


def integrity(database: Path) -> str:
    """SQLite's ``PRAGMA integrity_check`` of the file ("ok" when sound)."""
    connection = sqlite3.connect(database)
    try:
        return "\n".join(str(row[0]) for row in connection.execute("PRAGMA integrity_check"))
    finally:
        connection.close()
