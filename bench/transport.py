"""The HTTP layer under concurrency: PTB's default httpx transport against ``bot.http``.

The emulator runs in a separate process (rate limits off), so the CPU time measured is the
client's alone. Both transports make the same Bot API calls through PTB's ``Bot`` with the same
concurrency; repeated in alternation, the median and spread reported (docs/developers.md,
"The HTTP layer").
"""

from __future__ import annotations

import asyncio
import socket
import statistics
import sys
import time
from collections.abc import Callable

from telegram import Bot
from telegram.request import BaseRequest, HTTPXRequest

from bench.harness import SMALLEST
from bot.http import AiohttpRequest

TOKEN = "123456789:BENCH-transport-token-0000000000000"
CALLS = 20 if SMALLEST else 2000
CONCURRENCY = 10 if SMALLEST else 100
REPEATS = 1 if SMALLEST else 3
RTT_SECONDS = (0.05,) if SMALLEST else (0.0, 0.05)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def _emulator(port: int, rtt: float) -> asyncio.subprocess.Process:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "sandbox.emulator",
        "--port",
        str(port),
        "--token",
        TOKEN,
        "--rtt",
        str(rtt),
        "--no-rate-limits",
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    for _ in range(200):
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.close()
            return process
        except OSError:
            await asyncio.sleep(0.05)
    raise RuntimeError("the emulator did not start")


async def _measure(port: int, make_request: Callable[[], BaseRequest]) -> dict[str, float]:
    """Calls per second and client CPU milliseconds per call for CALLS concurrent getMe."""
    bot = Bot(TOKEN, base_url=f"http://127.0.0.1:{port}/bot", request=make_request())
    async with bot:
        limit = asyncio.Semaphore(CONCURRENCY)

        async def call() -> None:
            async with limit:
                await bot.get_me()

        started, cpu = time.perf_counter(), time.process_time()
        await asyncio.gather(*(call() for _ in range(CALLS)))
        wall, used = time.perf_counter() - started, time.process_time() - cpu
    return {"calls_per_second": CALLS / wall, "cpu_ms_per_call": 1000 * used / CALLS}


TRANSPORTS: dict[str, Callable[[], BaseRequest]] = {
    "httpx": lambda: HTTPXRequest(connection_pool_size=CONCURRENCY),
    "aiohttp": lambda: AiohttpRequest(pool_size=CONCURRENCY),
}


async def run() -> dict[str, object]:
    results: dict[str, object] = {"calls": CALLS, "concurrency": CONCURRENCY, "repeats": REPEATS}
    for rtt in RTT_SECONDS:
        port = _free_port()
        emulator = await _emulator(port, rtt)
        try:
            samples: dict[str, list[dict[str, float]]] = {name: [] for name in TRANSPORTS}
            for _ in range(REPEATS):
                for name, make in TRANSPORTS.items():
                    samples[name].append(await _measure(port, make))
        finally:
            emulator.terminate()
            await emulator.wait()
        results[f"rtt{int(rtt * 1000)}"] = _summary(samples)
    return results


def _summary(samples: dict[str, list[dict[str, float]]]) -> dict[str, object]:
    summary: dict[str, object] = {}
    for name, runs in samples.items():
        for key in ("calls_per_second", "cpu_ms_per_call"):
            values = [run[key] for run in runs]
            summary[f"{name}_{key}"] = round(statistics.median(values), 3)
            summary[f"{name}_{key}_spread"] = round(max(values) - min(values), 3)
    pairs = zip(samples["aiohttp"], samples["httpx"], strict=True)
    summary["ratio_calls_per_second_aiohttp_vs_httpx"] = round(
        statistics.median(a["calls_per_second"] / h["calls_per_second"] for a, h in pairs), 3
    )
    pairs = zip(samples["httpx"], samples["aiohttp"], strict=True)
    summary["ratio_cpu_per_call_httpx_vs_aiohttp"] = round(
        statistics.median(h["cpu_ms_per_call"] / a["cpu_ms_per_call"] for h, a in pairs), 3
    )
    return summary
