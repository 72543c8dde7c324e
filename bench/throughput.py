"""Updates per second and reply latency of the full bot against bare echo bots.

The emulator runs here (rate limits off, 0 and 50 ms of round trip); each bot runs in its own
subprocess so its CPU is its own, the full bot as ``wnmrc-bot run`` on a real SQLite file. Every
simulated person floods their private chat with a realistic mix at once; replies are matched to
updates per chat in order, so a reply out of order counts in ``order_violations``.

The baselines: PTB's echo one update at a time and with ``concurrent_updates(256)`` (both on
PTB's httpx transport), the same concurrent echo on the bot's own aiohttp request class
(``ptb_aiohttp_echo``: the framework's ceiling on the bot's transport) and the aiogram echo.
Ratios are taken repeat by repeat within the run (``WNMRC_BENCH_REPEATS``, 3 by default).
"""

from __future__ import annotations

import asyncio
import importlib.util
import os
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bench.harness import (
    SMALLEST,
    TOKEN,
    WNMRC_BOT,
    bot_environment,
    launch,
    median_and_spread,
    peak_rss_mib,
    percentile,
    progress,
    stop,
)
from sandbox.emulator import Emulator, LedgerEntry, SimUser, TelegramLimits

USERS = 4 if SMALLEST else 200
SEQUENTIAL_USERS = 2 if SMALLEST else 40
"""The one-update-at-a-time baseline gets fewer people (its rate is flat; 50 ms x 1,600 is long)."""
FULL_MIX = ("/start", "/help", "/me", "/groups", "/language", "TAP", "hello there", "thanks!")
"""What each person sends, as fast as they can, in this order; TAP taps a language button."""
RTT_SECONDS = (0.05,) if SMALLEST else (0.0, 0.05)
REPEATS = int(os.environ.get("WNMRC_BENCH_REPEATS", "1" if SMALLEST else "3"))
TIMEOUT = 240.0
PYTHON = sys.executable


@dataclass(frozen=True)
class Contender:
    name: str
    command: tuple[str, ...]
    full: bool
    users: int = USERS


def contenders() -> tuple[list[Contender], str | None]:
    found = [
        Contender("wnmrc_bot", (WNMRC_BOT, "run"), full=True),
        Contender(
            "ptb_default_echo",
            (PYTHON, "-m", "bench.baselines.ptb_echo"),
            full=False,
            users=SEQUENTIAL_USERS,
        ),
        Contender(
            "ptb_concurrent_echo", (PYTHON, "-m", "bench.baselines.ptb_echo", "--concurrent"), False
        ),
        Contender(
            "ptb_aiohttp_echo", (PYTHON, "-m", "bench.baselines.ptb_echo", "--aiohttp"), False
        ),
    ]
    if importlib.util.find_spec("aiogram") is None:
        return found, 'aiogram is not installed (pip install -e ".[bench]"): its echo bot skipped'
    if SMALLEST:
        return found, "smallest size: the aiogram echo skipped (importing aiogram alone takes ~8 s)"
    found.append(Contender("aiogram_echo", (PYTHON, "-m", "bench.baselines.aiogram_echo"), False))
    return found, None


def classify(entry: LedgerEntry) -> str:
    """What a full-bot reply answers, from its shape (for the order check)."""
    if entry.kind == "edit":
        return "TAP"
    data = [button.data for row in entry.buttons for button in row if button.data]
    if data:
        return {"pe": "/me", "gj": "/groups", "lang": "/language"}.get(data[0].split(":")[0], "?")
    text = entry.text or ""
    if "Member" in text:
        return "/start"
    return "/help" if "/start" in text else "text"


def expected_class(message: str) -> str:
    return message if message.startswith("/") or message == "TAP" else "text"


async def _warm_up(
    emulator: Emulator, people: list[SimUser], contender: Contender
) -> dict[int, LedgerEntry]:
    """Every person writes once and is answered: the bot is polling and knows them."""
    mark = len(emulator.ledger)
    for person in people:
        emulator.send_text(person, "/language" if contender.full else "warm-up")
    await emulator.wait_until(lambda: len(emulator.ledger) - mark >= len(people), timeout=120)
    return {entry.chat_id: entry for entry in emulator.ledger[mark:]}


def _tap_target(entry: LedgerEntry) -> str:
    return next(
        b.data for row in entry.buttons for b in row if b.data and not b.text.startswith("✓")
    )


async def _measure(contender: Contender, rtt: float) -> dict[str, float]:
    async with Emulator(TOKEN, rtt=rtt, limits=TelegramLimits.unlimited()) as emulator:
        people = [
            emulator.add_user(f"Member{i}", language_code="en", started=True)
            for i in range(contender.users)
        ]
        with tempfile.TemporaryDirectory(prefix="wnmrc-bench-") as folder:
            env = bot_environment(emulator.api_root, Path(folder) / "bot.sqlite3")
            process = await launch(contender.command, env, Path(folder) / "bot.log")
            try:
                language_menus = await _warm_up(emulator, people, contender)
                figures = await _flood(emulator, people, contender, language_menus)
                figures["peak_rss_mib"] = peak_rss_mib(process.pid) or float("nan")
            except TimeoutError:
                log = (Path(folder) / "bot.log").read_text()[-3000:]
                progress(f"{contender.name} timed out; its log:\n{log}")
                raise
            finally:
                await stop(process, grace=2.0 if SMALLEST else 15.0)
    return figures


async def _flood(
    emulator: Emulator,
    people: list[SimUser],
    contender: Contender,
    language_menus: dict[int, LedgerEntry],
) -> dict[str, float]:
    queued: dict[int, list[float]] = defaultdict(list)
    expected: dict[int, list[str]] = defaultdict(list)
    mark = len(emulator.ledger)
    for step, message in enumerate(FULL_MIX):
        for person in people:
            chat_id = person.private_chat.id
            if not contender.full:
                text = f"{message} {step} {person.id}"
                emulator.send_text(person, text)
            elif message == "TAP":
                menu = language_menus[chat_id]
                emulator.tap(person, menu, data=_tap_target(menu))
                text = "TAP"
            else:
                emulator.send_text(person, message)
                text = expected_class(message)
            queued[chat_id].append(time.monotonic())
            expected[chat_id].append(text)
    total = sum(len(times) for times in queued.values())
    first = min(times[0] for times in queued.values())
    await emulator.wait_until(lambda: len(emulator.ledger) - mark >= total, timeout=TIMEOUT)
    return _figures(
        emulator.ledger[mark:], queued, expected, first, classify if contender.full else None
    )


def _figures(
    replies: list[LedgerEntry],
    queued: dict[int, list[float]],
    expected: dict[int, list[str]],
    first: float,
    classify_reply: Callable[[LedgerEntry], str] | None,
) -> dict[str, float]:
    by_chat: dict[int, list[LedgerEntry]] = defaultdict(list)
    for entry in replies:
        by_chat[entry.chat_id].append(entry)
    latencies: list[float] = []
    violations = 0
    for chat_id, times in queued.items():
        for index, (sent, entry) in enumerate(zip(times, by_chat[chat_id], strict=False)):
            latencies.append(entry.at - sent)
            seen = classify_reply(entry) if classify_reply else (entry.text or "")
            violations += seen != expected[chat_id][index]
    last = max(entry.at for entry in replies)
    return {
        "updates": float(len(latencies)),
        "updates_per_second": len(latencies) / (last - first),
        "p50_ms": 1000 * percentile(latencies, 0.5),
        "p99_ms": 1000 * percentile(latencies, 0.99),
        "order_violations": float(violations),
    }


BASELINES = ("ptb_default_echo", "ptb_concurrent_echo", "ptb_aiohttp_echo", "aiogram_echo")
"""Each gets ``ratio_vs_<name>_rtt<ms>``: the full bot's updates/s over its, repeat by repeat."""


async def run() -> dict[str, object]:
    bots, note = contenders()
    results: dict[str, object] = {
        "users": USERS,
        "mix_per_user": list(FULL_MIX),
        "updates_per_run": USERS * len(FULL_MIX),
        "sequential_baseline_updates_per_run": SEQUENTIAL_USERS * len(FULL_MIX),
        "repeats": REPEATS,
        "emulator_rate_limits": "off",
    }
    if note:
        results["note"] = note
    for rtt in RTT_SECONDS:
        tag = f"rtt{int(rtt * 1000)}"
        samples: dict[str, list[dict[str, float]]] = {bot.name: [] for bot in bots}
        for repeat in range(REPEATS):
            for bot in bots:
                progress(f"throughput {tag} repeat {repeat + 1}/{REPEATS}: {bot.name}")
                figures = await _measure(bot, rtt)
                progress(f"  {bot.name}: {figures['updates_per_second']:.1f} updates/s")
                samples[bot.name].append(figures)
        results[tag] = _summary(samples)
        for baseline in BASELINES:
            if baseline in samples:
                results[f"ratio_vs_{baseline}_{tag}"] = _ratio(samples, "wnmrc_bot", baseline)
    return results


def _ratio(samples: dict[str, list[dict[str, float]]], bot: str, baseline: str) -> float:
    pairs = zip(samples[bot], samples[baseline], strict=True)
    ratios = [b["updates_per_second"] / a["updates_per_second"] for b, a in pairs]
    return median_and_spread(ratios)[0]


def _summary(samples: dict[str, list[dict[str, float]]]) -> dict[str, object]:
    summary: dict[str, object] = {}
    for name, runs in samples.items():
        figures: dict[str, float] = {}
        for key in runs[0]:
            median, spread = median_and_spread([run[key] for run in runs], 1)
            figures[key] = median
            if len(runs) > 1 and key in ("updates_per_second", "p99_ms"):
                figures[f"{key}_spread"] = spread
        summary[name] = figures
    return summary


if __name__ == "__main__":
    import json

    print(json.dumps(asyncio.run(run()), indent=2))
