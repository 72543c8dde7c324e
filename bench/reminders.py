"""500 meeting reminders falling due within one minute while ``wnmrc-bot run`` is running.

The bot's database file is filled before it starts, as /meet leaves it: ``GROUPS`` working
groups (in six zones) with ``MEMBERS_PER_GROUP`` members each who started the bot (in
four languages and two zones), and one meeting per reminder — created through
``MeetingsRepository.create`` with real time, so its reminder rows are the product's own — whose
reminder (10 minutes, 1 hour or 1 day before the start) falls due at an even spacing over
``WINDOW`` seconds, ``LEAD_IN`` seconds after the seeding began. Each group's meetings are
``GROUPS`` reminders apart, so no person is asked to receive more than Telegram's one message
per second per private chat. The emulator enforces Telegram's limits at 50 ms round trip.

Lateness is measured two ways against each reminder's ``due_at``:

* ``handled``: when the runtime fanned the reminder out into the outbox (the ``created_at`` of
  its outbox rows, all written in one transaction) — the reminder clock's own lateness;
* ``first_message``: when the first of its messages reached the emulator (the ledger's wall
  time) — what a member sees; it includes the outbox's pacing at about 28 messages/s, which is
  why the load (``MEMBERS_PER_GROUP`` × 500 messages in a minute) stays under that rate.

``all_messages`` (the last recipient of each reminder) is given for information: it is bound by
the pacing and the per-chat limits, not by the reminder clock.

After the minute of evenly spread reminders (the figures at the top level, the quality bar), the
same bot serves ``on_the_minute``: another 500 reminders due in ``CLUSTERS`` bursts of
``CLUSTER_SIZE`` at the very same instant, as when meetings start on the hour. There the first
messages of a burst cannot all reach Telegram within a second (``CLUSTER_SIZE`` first messages
at 28/s); ``handled`` still measures the reminder clock.
"""

from __future__ import annotations

import os
import re
import sqlite3
import tempfile
import time
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bench.harness import (
    SMALLEST,
    TOKEN,
    WNMRC_BOT,
    bot_environment,
    launch,
    percentile,
    progress,
    stop,
)
from bot.clock import SystemClock
from config import SUPPORTED_LANGUAGES
from sandbox.emulator import Emulator, SimUser
from storage import Database, Repositories
from storage.meetings import NewMeeting
from storage.timecodec import from_db, to_db

REMINDERS = int(os.environ.get("WNMRC_BENCH_REMINDERS", "10" if SMALLEST else "500"))
GROUPS = 5 if SMALLEST else 100
MEMBERS_PER_GROUP = 2
WINDOW = 2.0 if SMALLEST else 60.0
"""Seconds over which the reminders fall due."""
LEAD_IN = 6.0 if SMALLEST else 20.0
"""Seconds from the start of the seeding to the first due time (seeding plus bot start-up)."""
RTT = 0.05
CLUSTERS = 1 if SMALLEST else 5
CLUSTER_SIZE = 5 if SMALLEST else 100
CLUSTER_EVERY = 2.0 if SMALLEST else 12.0
"""Seconds between bursts (a burst's 200 messages drain in about 7 s at 28/s)."""
CLUSTERS_AFTER = 1.0 if SMALLEST else 10.0
"""Seconds from the end of the spread minute to the first burst."""
OFFSETS = (10, 60, 1440)
"""The reminder that falls due: 10 minutes, 1 hour or 1 day (the nudge) before the start."""
ZONES = (
    "Europe/Madrid",
    "America/Lima",
    "Asia/Shanghai",
    "Africa/Nairobi",
    "Asia/Kathmandu",
    "America/Mexico_City",
)
LANGUAGES = ("en", "es", "fr", "zh")
TITLE = re.compile(r"Bench R(\d{5})")


def _title(index: int) -> str:
    return f"Bench R{index:05d}"


async def _seed_groups(repos: Repositories, users: list[SimUser], now: datetime) -> list[int]:
    """The working groups and their members (people who started the bot), through the
    repositories in one unit of work; the groups' ids."""
    group_ids: list[int] = []
    async with repos.unit() as uow:
        for g in range(GROUPS):
            names = dict.fromkeys(SUPPORTED_LANGUAGES, f"Bench group {g}")
            group = await uow.groups.create(f"bench-{g}", "climate", names, now)
            assert group is not None
            group_ids.append(group.id)
        for index, user in enumerate(users):
            language = LANGUAGES[index % len(LANGUAGES)]
            person = await uow.people.upsert_from_telegram(
                telegram_id=user.id,
                first_name=user.first_name,
                last_name=None,
                username=None,
                language_code=language,
                private=True,
                now=now,
            )
            await uow.people.set_language(person.id, language, now)
            await uow.people.set_timezone(person.id, ZONES[(index // GROUPS) % len(ZONES)], now)
            await uow.groups.join(group_ids[index % GROUPS], person.id, now, "bot")
    return group_ids


def _due_after_first(index: int) -> float:
    """Seconds from the first due time to reminder ``index``'s: the first ``REMINDERS`` evenly
    over ``WINDOW``, then ``CLUSTERS`` bursts of ``CLUSTER_SIZE``."""
    if index < REMINDERS:
        return index * WINDOW / REMINDERS
    burst = (index - REMINDERS) // CLUSTER_SIZE
    return WINDOW + CLUSTERS_AFTER + burst * CLUSTER_EVERY


TOTAL = REMINDERS + CLUSTERS * CLUSTER_SIZE


async def _seed_meetings(repos: Repositories, group_ids: list[int], first_due: datetime) -> None:
    """One meeting per reminder, due as :func:`_due_after_first` says; reminder ``i`` belongs
    to group ``i % GROUPS``."""
    now = SystemClock().now()
    for i in range(TOTAL):
        due = first_due + timedelta(seconds=_due_after_first(i))
        offset = OFFSETS[i % len(OFFSETS)]
        start = due + timedelta(minutes=offset)
        zone = ZoneInfo(ZONES[i % len(ZONES)])
        await repos.meetings.create(
            NewMeeting(
                title=_title(i),
                timezone=zone.key,
                local_start=start.astimezone(zone).replace(tzinfo=None),
                starts_at=start,
                duration_minutes=60,
                reminder_offsets=(1440, 60, 10),
                group_ids=(group_ids[i % GROUPS],),
            ),
            [start],
            now,
        )


async def _seed(database: Path, users: list[SimUser], first_due: datetime) -> None:
    db = await Database.open(database)
    try:
        await db.migrate()
        repos = Repositories.from_db(db)
        group_ids = await _seed_groups(repos, users, SystemClock().now())
        await _seed_meetings(repos, group_ids, first_due)
    finally:
        await db.close()


def _due_and_handled(
    database: Path, last_due: datetime
) -> tuple[dict[int, float], dict[int, float], Counter[str]]:
    """Per meeting (by title number): its reminder's due time and when the runtime fanned it
    out into the outbox (epoch seconds); and those reminders' statuses."""
    with sqlite3.connect(database) as conn:
        rows = conn.execute(
            "SELECT m.title, r.due_at, r.status, r.occurrence_id, r.offset_minutes"
            " FROM meeting_reminders AS r"
            " JOIN meeting_occurrences AS o ON o.id = r.occurrence_id"
            " JOIN meetings AS m ON m.id = o.meeting_id WHERE r.due_at <= ?",
            (to_db(last_due),),
        ).fetchall()
        keys = conn.execute("SELECT dedupe_key, created_at FROM outbox WHERE kind = 'reminder'")
        fanned: dict[tuple[int, int], float] = {}
        for key, stamp in keys:  # reminder:<occurrence>:<start>:<offset>:<chat>
            parts = key.split(":")
            reminder = (int(parts[1]), int(parts[-2]))
            at = from_db(stamp).timestamp()
            fanned[reminder] = min(at, fanned.get(reminder, at))
    due: dict[int, float] = {}
    handled: dict[int, float] = {}
    statuses: Counter[str] = Counter()
    for title, due_at, status, occurrence, offset in rows:
        match = TITLE.fullmatch(title)
        if match is None:
            continue
        number = int(match.group(1))
        due[number] = from_db(due_at).timestamp()
        statuses[status] += 1
        if (occurrence, offset) in fanned:
            handled[number] = fanned[(occurrence, offset)]
    return due, handled, statuses


def _arrivals(emulator: Emulator) -> dict[int, list[float]]:
    """Per meeting (by title number): the wall times its reminder messages reached Telegram."""
    found: dict[int, list[float]] = {}
    for entry in emulator.ledger:
        match = TITLE.search(entry.text or "") if entry.kind == "send" else None
        if match is not None:
            found.setdefault(int(match.group(1)), []).append(entry.wall)
    return found


def _summary(late: list[float]) -> dict[str, float]:
    return {
        "p50": round(percentile(late, 0.5), 3),
        "p99": round(percentile(late, 0.99), 3),
        "max": round(max(late), 3) if late else float("nan"),
    }


def _figures(
    numbers: list[int],
    due: dict[int, float],
    handled: dict[int, float],
    arrivals: dict[int, list[float]],
) -> dict[str, object]:
    """Lateness of these reminders: fanned out, first message, last message (seconds)."""
    handled_late = [handled[n] - due[n] for n in numbers if n in handled]
    first_late = [min(arrivals[n]) - due[n] for n in numbers if n in arrivals]
    last_late = [max(arrivals[n]) - due[n] for n in numbers if n in arrivals]
    sends = sorted(t for n in numbers for t in arrivals.get(n, []))
    rate = (len(sends) - 1) / (sends[-1] - sends[0]) if len(sends) > 1 else None
    return {
        "reminders": len(numbers),
        "messages_expected": len(numbers) * MEMBERS_PER_GROUP,
        "messages_sent": len(sends),
        "handled_lateness_seconds": _summary(handled_late),
        "first_message_lateness_seconds": _summary(first_late),
        "all_messages_lateness_seconds": _summary(last_late),
        "reminders_handled": len(handled_late),
        "reminders_reached": len(first_late),
        "send_rate_per_second": None if rate is None else round(rate, 2),
        "ratio_p99_handled_vs_bar_1s": round(percentile(handled_late, 0.99), 3),
        "ratio_p99_first_message_vs_bar_1s": round(percentile(first_late, 0.99), 3),
    }


async def run() -> dict[str, object]:
    expected = TOTAL * MEMBERS_PER_GROUP
    async with Emulator(TOKEN, rtt=RTT) as emulator:
        users = [
            emulator.add_user(f"Member{i}", started=True) for i in range(GROUPS * MEMBERS_PER_GROUP)
        ]
        ready = emulator.add_user("Ready", language_code="en")
        with tempfile.TemporaryDirectory(prefix="wnmrc-bench-") as folder:
            database = Path(folder) / "bot.sqlite3"
            first_due = SystemClock().now() + timedelta(seconds=LEAD_IN)
            progress(f"reminders: seeding {TOTAL} meetings")
            await _seed(database, users, first_due)
            emulator.send_text(ready, "/start")
            process = await launch(
                (WNMRC_BOT, "run"),
                bot_environment(emulator.api_root, database),
                Path(folder) / "bot.log",
            )
            try:
                await emulator.wait_until(lambda: emulator.sent_to(ready), timeout=60)
                spare = first_due.timestamp() - time.time()
                progress(f"reminders: bot ready {spare:.1f} s before the first due time")
                last = _due_after_first(TOTAL - 1)
                await emulator.wait_until(
                    lambda: sum(len(v) for v in _arrivals(emulator).values()) >= expected,
                    timeout=LEAD_IN + last + expected / 10 + 60,
                )
                await emulator.settle(quiet=1.0, timeout=30)
            finally:
                code = await stop(process)
            last_due = first_due + timedelta(seconds=last)
            due, handled, statuses = _due_and_handled(database, last_due)
    arrivals = _arrivals(emulator)
    spread = _figures(list(range(REMINDERS)), due, handled, arrivals)
    bursts = _figures(list(range(REMINDERS, TOTAL)), due, handled, arrivals)
    return {
        **spread,
        "window_seconds": WINDOW,
        "recipients_per_reminder": MEMBERS_PER_GROUP,
        "rtt_ms": int(RTT * 1000),
        "lead_in_spare_seconds": round(spare, 1),
        "on_the_minute": {"bursts": CLUSTERS, "reminders_per_burst": CLUSTER_SIZE, **bursts},
        "reminder_statuses": dict(statuses),
        "count_429": emulator.stats.too_many_requests,
        "exit_code": code,
    }


if __name__ == "__main__":
    import asyncio
    import json

    print(json.dumps(asyncio.run(run()), indent=2))
