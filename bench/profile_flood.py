"""Where a bot's CPU goes during the throughput flood: one flood, figures per update, a profile.

Not a benchmark (``python -m bench`` does not run it): the tool behind the throughput section
of bench/README.md. It runs one flood of ``bench/throughput.py`` (200 people, the same mix)
against one contender and prints, per update handled, the bot process's CPU, the CPU of this
process (the emulator) and of each of the bot's threads (the main one and aiosqlite's). With
``--profile FILE`` the full bot runs under cProfile, switched on for the flood only (SIGUSR1 on,
SIGUSR2 off and written), and the functions with the most time of their own are listed.

    python -m bench.profile_flood                         # the full bot, 50 ms round trip
    python -m bench.profile_flood --who ptb_aiohttp_echo  # a baseline, the same figures
    python -m bench.profile_flood --profile /tmp/bot.prof --rtt 0

cProfile makes the bot several times slower: compare its call counts and shares, not its times,
with a run without it.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import pstats
import signal
import sys
import time
from pathlib import Path
from typing import Any

from bench import throughput
from bench.harness import WNMRC_BOT

_PROFILED_BOT = """
import cProfile, os, signal, sys
from bot.cli import main
profile = cProfile.Profile()
def _stop(*_):
    profile.disable()
    profile.dump_stats(os.environ["WNMRC_PROFILE_OUT"])
signal.signal(signal.SIGUSR1, lambda *_: profile.enable())
signal.signal(signal.SIGUSR2, _stop)
sys.exit(main(["run"]))
"""
"""``wnmrc-bot run`` with cProfile switched by signals (the file goes in the environment)."""


def _cpu_seconds(stat_file: Path) -> float:
    fields = stat_file.read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _threads(pid: int) -> dict[str, float]:
    """CPU seconds of each thread of the process, by id and name."""
    found: dict[str, float] = {}
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            name = (task / "comm").read_text().strip()
            found[f"{name}[{task.name}]"] = _cpu_seconds(task / "stat")
        except OSError:  # the thread ended meanwhile
            continue
    return found


class _Watch:
    """Wraps the throughput module's launch and flood to measure the flood alone."""

    def __init__(self, profile: Path | None) -> None:
        self.profile = profile
        self.pid = 0
        self.figures: dict[str, Any] = {}
        self._launch = throughput.launch
        self._flood = throughput._flood

    async def launch(self, command: Any, env: dict[str, str], log: Path) -> Any:
        if self.profile is not None:
            env = {**env, "WNMRC_PROFILE_OUT": str(self.profile)}
        process = await self._launch(command, env, log)
        self.pid = process.pid
        return process

    async def flood(self, *args: Any) -> dict[str, float]:
        if self.profile is not None:
            os.kill(self.pid, signal.SIGUSR1)
        threads, bot, own, began = _threads(self.pid), self._bot_cpu(), _own_cpu(), time.monotonic()
        figures: dict[str, float] = await self._flood(*args)
        spent = {k: v - threads.get(k, 0.0) for k, v in _threads(self.pid).items()}
        updates = figures["updates"]
        figures["bot_cpu_ms_per_update"] = 1000 * (self._bot_cpu() - bot) / updates
        figures["emulator_cpu_ms_per_update"] = 1000 * (_own_cpu() - own) / updates
        figures["bot_busy"] = (self._bot_cpu() - bot) / (time.monotonic() - began)
        self.figures["threads_cpu_ms_per_update"] = {
            name: round(1000 * seconds / updates, 3) for name, seconds in spent.items() if seconds
        }
        if self.profile is not None:
            os.kill(self.pid, signal.SIGUSR2)
            await asyncio.sleep(1.0)  # the profile is written before the bot is stopped
        return figures

    def _bot_cpu(self) -> float:
        return _cpu_seconds(Path(f"/proc/{self.pid}/stat"))


def _own_cpu() -> float:
    times = os.times()
    return times.user + times.system


def _contender(who: str, profiled: bool) -> throughput.Contender:
    if who == "wnmrc_bot":
        command = (sys.executable, "-c", _PROFILED_BOT) if profiled else (WNMRC_BOT, "run")
        return throughput.Contender("wnmrc_bot", command, full=True)
    if profiled:
        raise SystemExit("--profile is for the full bot (wnmrc_bot) only")
    found = {c.name: c for c in throughput.contenders()[0]}
    if who not in found:
        raise SystemExit(f"unknown contender {who!r}; one of: {', '.join(found)}")
    return found[who]


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.profile_flood", description=__doc__)
    parser.add_argument("--who", default="wnmrc_bot", help="a contender of bench/throughput.py")
    parser.add_argument("--rtt", type=float, default=50.0, help="round trip in ms (default 50)")
    parser.add_argument("--profile", type=Path, help="cProfile the full bot into this file")
    parser.add_argument("--top", type=int, default=40, help="functions listed (default 40)")
    options = parser.parse_args()
    watch = _Watch(options.profile)
    throughput.launch, throughput._flood = watch.launch, watch.flood
    contender = _contender(options.who, options.profile is not None)
    figures = asyncio.run(throughput._measure(contender, options.rtt / 1000))
    for key, value in {**figures, **watch.figures}.items():
        print(f"{key}: {value}")
    if options.profile is not None:
        pstats.Stats(str(options.profile)).sort_stats("tottime").print_stats(options.top)


if __name__ == "__main__":
    main()
