"""Time from ``wnmrc-bot run`` to its first answer, with 10,000 pending meeting reminders and
10,000 outbox rows due in the future, and the bot's peak resident memory (VmHWM, read before it
exits).

The reminders are rows of ``meeting_reminders`` as /meet leaves them (through
``MeetingsRepository.create``): meetings of the network's working groups starting in the next
weeks, each with the default reminders (a week, a day, an hour, 10 minutes before), a tenth of
them weekly with their occurrences already materialised, so the reminders' start-up round
(materialise, serve what is due, find the next due time) does its real work.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bench.harness import (
    SMALLEST,
    TOKEN,
    WNMRC_BOT,
    bot_environment,
    launch,
    peak_rss_mib,
    progress,
    stop,
)
from bot import meetings as rules
from bot.clock import SystemClock
from config import load_network
from sandbox.emulator import Emulator
from storage import Database, Repositories
from storage.meetings import NewMeeting
from storage.outbox import OutboxPayload, OutboxRepository, OutgoingMessage

QUEUED_ROWS = 100 if SMALLEST else 10_000
PENDING_REMINDERS = 100 if SMALLEST else 10_000
RECURRING_SHARE = 10
"""One meeting in this many is weekly."""
ZONES = ("Europe/Madrid", "America/Lima", "Asia/Shanghai", "Africa/Nairobi", "America/Mexico_City")
REPEATS = 1 if SMALLEST else 3


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


async def _add_pending_reminders(database: Path) -> int:
    """Meetings whose reminders are all ahead, until ``PENDING_REMINDERS`` rows are pending."""
    now = SystemClock().now()
    db = await Database.open(database)
    try:
        await db.migrate()
        repos = Repositories.from_db(db)
        await repos.groups.seed(load_network().groups, now)  # as the bot does at start
        group_ids = [g.id for g in await repos.groups.list()]
        pending, index = 0, 0
        while pending < PENDING_REMINDERS:
            pending += await _one_meeting(repos, index, group_ids, now)
            index += 1
        return pending
    finally:
        await db.close()


async def _one_meeting(repos: Repositories, index: int, group_ids: list[int], now: datetime) -> int:
    """A meeting 8 to 30 days ahead (weekly for every ``RECURRING_SHARE``-th); its reminders."""
    zone = ZoneInfo(ZONES[index % len(ZONES)])
    start = now + timedelta(days=8, minutes=13 * index % (22 * 1440))
    local = start.astimezone(zone).replace(tzinfo=None, second=0, microsecond=0)
    start = local.replace(tzinfo=zone)
    rrule = "FREQ=WEEKLY" if index % RECURRING_SHARE == 0 else None
    starts = [start]
    if rrule is not None:
        until = rules.materialise_until(now, rules.DEFAULT_OFFSETS)
        starts = rules.occurrences(local, zone, rrule, now, until)
    meeting = await repos.meetings.create(
        NewMeeting(
            title=f"Follow-up {index}",
            timezone=zone.key,
            local_start=local,
            starts_at=start,
            duration_minutes=60,
            rrule=rrule,
            reminder_offsets=rules.DEFAULT_OFFSETS,
            group_ids=(group_ids[index % len(group_ids)],) if group_ids else (),
        ),
        starts,
        now,
    )
    count = 0
    for occurrence in await repos.meetings.occurrences(meeting.id):
        count += len(await repos.meetings.reminders(occurrence.id))
    return count


async def _once(emulator: Emulator, database: Path, log: Path) -> tuple[float, float | None]:
    """One start of ``wnmrc-bot run``: seconds to its answer to a waiting /start, peak RSS.

    Every start talks to the same emulator: its update ids go on, as Telegram's do (the bot's
    inbox would take a repeated id for one it has already seen).
    """
    ana = emulator.add_user(f"Ana{len(emulator.ledger)}", language_code="en")
    emulator.send_text(ana, "/start")
    started = time.monotonic()
    mark = len(emulator.ledger)
    process = await launch((WNMRC_BOT, "run"), bot_environment(emulator.api_root, database), log)
    try:
        await emulator.wait_until(lambda: len(emulator.ledger) > mark, timeout=60)
        answered = emulator.ledger[mark].at - started
        await emulator.settle(quiet=0.5)
        rss = peak_rss_mib(process.pid)
    finally:
        await stop(process)
    return answered, rss


async def run() -> dict[str, object]:
    async with Emulator(TOKEN) as emulator:
        with tempfile.TemporaryDirectory(prefix="wnmrc-bench-") as folder:
            return await _starts(emulator, Path(folder))


async def _starts(emulator: Emulator, folder: Path) -> dict[str, object]:
    seconds: list[float] = []
    peaks: list[float] = []
    database = folder / "bot.sqlite3"
    await _enqueue_future_rows(database)
    without: list[float] = []
    for repeat in range(REPEATS):
        progress(f"startup without reminders {repeat + 1}/{REPEATS}")
        without.append((await _once(emulator, database, folder / "bot.log"))[0])
    progress(f"startup: adding {PENDING_REMINDERS} pending reminders")
    reminders = await _add_pending_reminders(database)
    for repeat in range(REPEATS):
        progress(f"startup {repeat + 1}/{REPEATS}")
        answered, rss = await _once(emulator, database, folder / "bot.log")
        seconds.append(answered)
        if rss is not None:
            peaks.append(rss)
    median = statistics.median(seconds)
    median_without = statistics.median(without)
    return {
        "queued_outbox_rows_due_later": QUEUED_ROWS,
        "pending_reminders": reminders,
        "recurring_meeting_share": round(1 / RECURRING_SHARE, 2),
        "note": "pending reminders are meeting_reminders rows (default offsets, meetings 8 to 30 "
        "days ahead, a tenth weekly) on top of the outbox rows due within the next hours",
        "repeats": REPEATS,
        "start_to_first_answer_seconds": round(sorted(seconds)[len(seconds) // 2], 3),
        "start_to_first_answer_seconds_spread": round(max(seconds) - min(seconds), 3),
        "peak_rss_mib": max(peaks) if peaks else None,
        "start_to_first_answer_seconds_outbox_only": round(median_without, 3),
        "ratio_start_with_reminders_vs_outbox_only": round(median / median_without, 3),
    }
