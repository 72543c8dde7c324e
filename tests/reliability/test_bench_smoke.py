"""Every benchmark runs at its smallest size (``python -m bench --smallest NAME``) and prints
the figures it promises, so a migration or a renamed API cannot break ``bench/`` unseen.

The values are not checked (they depend on the machine); their presence and the benchmarks'
own invariants are (every reply in chat order, every broadcast row in a final state).
"""

from __future__ import annotations

import asyncio
import fcntl
import json
import os
import sys
from pathlib import Path

import pytest

from bench.__main__ import BENCHMARKS

ROOT = Path(__file__).resolve().parents[2]
CONTENDERS = ("wnmrc_bot", "ptb_default_echo", "ptb_concurrent_echo", "ptb_aiohttp_echo")
"""The aiogram echo is optional (the ``bench`` extra)."""
PROMISED: dict[str, tuple[str, ...]] = {
    "transport": ("rtt50",),
    "throughput": (
        "rtt50",
        "ratio_vs_ptb_aiohttp_echo_rtt50",
        "ratio_vs_ptb_concurrent_echo_rtt50",
    ),
    "broadcast": ("effective_rate_per_second", "ratio_rate_vs_configured", "all_final"),
    "reminders": ("handled_lateness_seconds", "first_message_lateness_seconds", "on_the_minute"),
    "digest": ("providers", "members_50", "members_100", "ratio_growth_100_vs_50"),
    "startup": ("start_to_first_answer_seconds", "ratio_start_with_reminders_vs_outbox_only"),
    "opportunities": (
        "matching",
        "introductions",
        "ratio_growth_matching",
        "ratio_growth_introductions",
    ),
    "roadmap": ("listing_100", "digest_100", "ratio_listing_growth_100_vs_50"),
}


async def _run(name: str) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bench",
        "--smallest",
        name,
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await process.communicate()
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


async def _run_all() -> dict[str, tuple[int, str, str]]:
    results = await asyncio.gather(*(_run(name) for name in BENCHMARKS))
    return dict(zip(BENCHMARKS, results, strict=True))


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[int, str, str]]:
    """All benchmarks at once, each in its own process (the machine's two cores shared), once a
    run: under xdist this module's tests may land on several workers, and the first to get here
    runs the benchmarks while the others wait on a lock and read its results."""
    if "PYTEST_XDIST_WORKER" not in os.environ:
        return asyncio.run(_run_all())
    shared = tmp_path_factory.getbasetemp().parent / "bench-smoke.json"
    with (shared.parent / "bench-smoke.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if shared.exists():
            kept = json.loads(shared.read_text())
            return {name: (code, out, err) for name, (code, out, err) in kept.items()}
        results = asyncio.run(_run_all())
        shared.write_text(json.dumps(results))
        return results


@pytest.mark.slow
@pytest.mark.parametrize("name", BENCHMARKS)
def test_benchmark_prints_its_figures(runs: dict[str, tuple[int, str, str]], name: str) -> None:
    code, out, err = runs[name]
    assert code == 0, err[-3000:]
    figures = json.loads(out)[name]
    missing = [key for key in PROMISED[name] if key not in figures]
    assert not missing, f"{name} lacks {missing}: {sorted(figures)}"


@pytest.mark.slow
def test_throughput_measures_every_contender(runs: dict[str, tuple[int, str, str]]) -> None:
    figures = json.loads(runs["throughput"][1])["throughput"]["rtt50"]
    for contender in CONTENDERS:
        assert figures[contender]["updates"] > 0, contender
        assert {"updates_per_second", "p99_ms", "order_violations"} <= set(figures[contender])


@pytest.mark.slow
def test_full_bot_replies_in_chat_order(runs: dict[str, tuple[int, str, str]]) -> None:
    """The echo bots with concurrent updates may answer out of order; the bot never does."""
    figures = json.loads(runs["throughput"][1])["throughput"]["rtt50"]
    assert figures["wnmrc_bot"]["order_violations"] == 0


@pytest.mark.slow
def test_broadcast_ends_with_every_row_final(runs: dict[str, tuple[int, str, str]]) -> None:
    figures = json.loads(runs["broadcast"][1])["broadcast"]
    assert figures["all_final"] is True
    assert figures["recipients_doubled"] == 0


@pytest.mark.slow
def test_opportunities_offer_and_pair(runs: dict[str, tuple[int, str, str]]) -> None:
    figures = json.loads(runs["opportunities"][1])["opportunities"]
    for size in figures["matching"].values():
        assert size["fitting"] > 0
        assert 0 < size["offered"] <= 20
    for size in figures["introductions"].values():
        assert size["pairs"] > 0


@pytest.mark.slow
def test_roadmap_lists_every_action_and_fills_the_digest_section(
    runs: dict[str, tuple[int, str, str]],
) -> None:
    figures = json.loads(runs["roadmap"][1])["roadmap"]
    assert figures["listing_100"]["actions"] == 100
    assert figures["digest_100"]["digest_network_items"] > 0
