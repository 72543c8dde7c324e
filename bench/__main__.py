"""``python -m bench [--smallest] [NAME ...]``: run the benchmarks, print one JSON document.

Each benchmark is a module of this package with ``async def run() -> dict``; figures that
compare are ratios taken in the same run (the machine is shared and noisy), keys ``ratio_*``.
A short table goes to stderr.
"""

from __future__ import annotations

import asyncio
import importlib
import json
import os
import platform
import sys

BENCHMARKS = (
    "transport",
    "throughput",
    "broadcast",
    "reminders",
    "digest",
    "startup",
    "opportunities",
    "roadmap",
)


async def main(names: list[str]) -> dict[str, object]:
    results: dict[str, object] = {
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
        }
    }
    for name in names or BENCHMARKS:
        module = importlib.import_module(f"bench.{name}")
        results[name] = await module.run()
        print(f"{name}: {json.dumps(results[name])}", file=sys.stderr)
    return results


if __name__ == "__main__":
    arguments = sys.argv[1:]
    if "--smallest" in arguments:  # read by bench.harness, before any benchmark is imported
        arguments.remove("--smallest")
        os.environ["WNMRC_BENCH_SIZE"] = "smallest"
    unknown = [name for name in arguments if name not in BENCHMARKS]
    if unknown:
        sys.exit(f"unknown benchmark(s): {', '.join(unknown)}; known: {', '.join(BENCHMARKS)}")
    print(json.dumps(asyncio.run(main(arguments)), indent=2))
