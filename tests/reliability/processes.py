"""What the subprocess reliability tests share: the bot as in production (``wnmrc-bot run``) in
a child process logging to a file (never an unread pipe), a broadcast queued in its database
while it is down, what the database says afterwards, and the kill loop's cycle (start, wait for
progress, work on a random while, kill -9; at the end a last process drains with SIGTERM)."""

from __future__ import annotations

import asyncio
import os
import random
import signal
import sqlite3
import sys
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from bot.clock import SystemClock
from sandbox.emulator import Emulator, LedgerEntry
from storage import Database
from storage.outbox import OutboxPayload, OutboxRepository, OutgoingMessage

K = TypeVar("K", bound=Hashable)

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


@dataclass
class KillLoop:
    """``wnmrc-bot run`` killed with SIGKILL again and again against one emulator that outlives
    every process, then drained by a last process stopped with SIGTERM."""

    emulator: Emulator
    environment: dict[str, str]
    log: Path
    rng: random.Random
    kills: list[float] = field(default_factory=list)
    """When each kill happened (``time.monotonic()``, the ledger's clock)."""
    starts: list[float] = field(default_factory=list)
    """How long each process took from its start to its first progress (seconds)."""

    async def cycle(
        self,
        progress: Callable[[], int],
        target: int | None = None,
        work: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        """Start the bot, wait until ``progress()`` grows (unless it already reached
        ``target``), let it ``work`` on (by default a random 0-1.2 s) and kill it."""
        started = time.monotonic()
        process = await start_bot(self.environment, self.log)
        try:
            before = progress()
            if target is None or before < target:
                await self.emulator.wait_until(lambda: progress() > before, timeout=60)
            self.starts.append(time.monotonic() - started)
            if work is None:
                await asyncio.sleep(self.rng.uniform(0.0, 1.2))
            else:
                await work()
        finally:
            process.send_signal(signal.SIGKILL)
            await process.wait()
            self.kills.append(time.monotonic())

    async def drain(self, done: Callable[[], object], timeout: float) -> int:  # noqa: ASYNC109
        """A last process finishes what is left: ``done()``, a quiet second, SIGTERM; its exit
        code. It is polling before it is stopped (a SIGTERM during its start-up is another
        test's matter), even when nothing was left to do."""
        mark = len(self.emulator.calls)
        process = await start_bot(self.environment, self.log)
        try:
            await self.emulator.wait_until(lambda: self._polled_since(mark), timeout=60)
            await self.emulator.wait_until(done, timeout=timeout)
            await self.emulator.settle(quiet=1.0, timeout=30)
        finally:
            process.send_signal(signal.SIGTERM)
            code = await asyncio.wait_for(process.wait(), 30)
        return code

    def _polled_since(self, mark: int) -> bool:
        calls = self.emulator.calls[mark:]
        return any(call.method == "getUpdates" and call.status == 200 for call in calls)

    def doubles_per_kill(self, copies: Iterable[Sequence[LedgerEntry]]) -> Counter[int]:
        """Each extra copy of a message counted against the last kill before it was sent
        (``-1``: before any kill, which must never happen)."""
        per_kill: Counter[int] = Counter()
        for entries in copies:
            for extra in entries[1:]:
                kill = max((i for i, at in enumerate(self.kills) if at <= extra.at), default=-1)
                per_kill[kill] += 1
        return per_kill

    def assert_each_once_or_twice(
        self, copies: Mapping[K, Sequence[LedgerEntry]], expected: set[K]
    ) -> Counter[int]:
        """Every expected message arrived, none more than twice, and at most one doubled per
        kill (the one in flight); the doubles per kill, for the figures."""
        per_kill = self.doubles_per_kill(copies.values())
        assert set(copies) == expected, "a message missed someone, or went to someone else"
        assert max(len(entries) for entries in copies.values()) <= 2
        assert at_most_one_per_kill(per_kill), f"doubled per kill: {per_kill}"
        return per_kill

    def timing(self) -> str:
        """The start-up figures of the cycles, for the printed summary."""
        if not self.starts:
            return "no cycle"
        ordered = sorted(self.starts)
        median = ordered[len(ordered) // 2]
        return f"start to first progress median {median:.1f} s, slowest {ordered[-1]:.1f} s"

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def assert_sound(self, code: int, database: Path, token: str) -> None:
        """The last process stopped cleanly, the file is sound and the token in no log line."""
        output = self.output()
        assert code == 0, output[-3000:]
        assert integrity(database) == "ok"
        assert token not in output


def at_most_one_per_kill(per_kill: Counter[int]) -> bool:
    """No message doubled without a kill, and at most one (the one in flight) per kill."""
    return -1 not in per_kill and max(per_kill.values(), default=0) <= 1
