"""What the subprocess benchmarks share: launching a bot process, reading its memory, summaries."""

from __future__ import annotations

import asyncio
import contextlib
import os
import statistics
import sys
import time
from collections.abc import Sequence
from pathlib import Path

SMALLEST = os.environ.get("WNMRC_BENCH_SIZE") == "smallest"
"""``python -m bench --smallest``: every benchmark at a tiny size (the CI smoke test)."""
TOKEN = "123456789:BENCH-full-bot-token-00000000000000"
WNMRC_BOT = str(Path(sys.executable).parent / "wnmrc-bot")


def progress(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def bot_environment(api_root: str, database: Path, token: str = TOKEN) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("WNMRC_")}
    return {
        **clean,
        "WNMRC_BOT_TOKEN": token,
        "WNMRC_BOT_API_URL": api_root,
        "WNMRC_DATABASE_PATH": str(database),
        "WNMRC_LOG_LEVEL": "WARNING",
    }


async def launch(
    command: Sequence[str], env: dict[str, str], log: Path
) -> asyncio.subprocess.Process:
    """Start ``command``, its output in ``log`` (never an unread pipe)."""
    with log.open("ab") as output:
        return await asyncio.create_subprocess_exec(
            *command, env=env, stdout=output, stderr=asyncio.subprocess.STDOUT
        )


async def stop(process: asyncio.subprocess.Process, grace: float = 15.0) -> int:
    """SIGTERM, then SIGKILL after ``grace`` seconds; the exit code."""
    if process.returncode is None:
        process.terminate()
        try:
            await asyncio.wait_for(process.wait(), grace)
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):  # it ended in the meantime
                process.kill()
            await process.wait()
    assert process.returncode is not None
    return process.returncode


def peak_rss_mib(pid: int) -> float | None:
    """VmHWM (the peak resident set) of a live process, in MiB."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return None


def percentile(values: Sequence[float], fraction: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def median_and_spread(values: Sequence[float], digits: int = 3) -> tuple[float, float]:
    return round(statistics.median(values), digits), round(max(values) - min(values), digits)
