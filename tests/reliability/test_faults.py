"""The bot as in production (``wnmrc-bot run``) through the emulator's fault script: a storm of
429s, 500s, a reply that times out, a dropped connection, people who blocked the bot (403),
then the whole API unreachable for a while — all during a broadcast while people keep writing.
It never stops serving, and catches up afterwards: every reachable recipient gets the
broadcast (the outbox retries), the blocked ones are marked unreachable, and every command is
answered — except one whose answer itself failed (refused, or sent while the API was
unreachable: a direct reply is not queued, only the outbox retries), which the bot logs.

The outage lasts ``WNMRC_OUTAGE_SECONDS`` (5 by default, so the default run stays short;
``WNMRC_OUTAGE_SECONDS=30`` is the 30-second outage). The time to catch up is printed.
"""

from __future__ import annotations

import asyncio
import os
import signal
import time
from collections import Counter
from pathlib import Path

import pytest

from sandbox.emulator import Emulator, SimUser

from ..conftest import TOKEN
from .processes import (
    bot_environment,
    enqueue_broadcast,
    integrity,
    outbox_statuses,
    start_bot,
)

pytestmark = pytest.mark.slow

OUTAGE_SECONDS = float(os.environ.get("WNMRC_OUTAGE_SECONDS", "5"))
REQUEST_TIMEOUT = 10.0
"""The bot's read time-out for a Bot API call (``bot/http.py``): a later answer times out."""
RECIPIENTS = 40
BLOCKED = 5


def _script_faults(emulator: Emulator) -> None:
    """Counted from the first sendMessage: replies and broadcast alike run into them."""
    faults = emulator.faults
    faults.add("sendMessage", nth=1, times=10, status=429, retry_after=1)
    faults.add("sendMessage", nth=14, times=3, status=500)
    faults.add("sendMessage", nth=20, delay=REQUEST_TIMEOUT + 1)
    faults.add("sendMessage", nth=24, drop=True)
    faults.add("getUpdates", nth=3, status=500)


async def _keep_writing(emulator: Emulator, log: list[tuple[SimUser, float]]) -> None:
    """A new person writes /help every 0.3 s until cancelled."""
    while True:
        person = emulator.add_user(f"Writer{len(log)}", language_code="en")
        emulator.send_text(person, "/help")
        log.append((person, time.monotonic()))
        await asyncio.sleep(0.3)


@pytest.mark.timeout(150 + 3 * OUTAGE_SECONDS)
async def test_the_bot_keeps_serving_through_faults_and_an_outage_and_catches_up(
    emulator: Emulator, tmp_path: Path
) -> None:
    database, log = tmp_path / "bot.sqlite3", tmp_path / "bot.log"
    recipients = [emulator.add_user(f"Member{i}", started=True) for i in range(RECIPIENTS)]
    for person in recipients[:BLOCKED]:
        emulator.block_bot(person)
    reachable = recipients[BLOCKED:]
    await enqueue_broadcast(database, [person.id for person in recipients])
    _script_faults(emulator)
    writers: list[tuple[SimUser, float]] = []

    process = await start_bot(bot_environment(TOKEN, emulator.api_root, database), log)
    writing = asyncio.create_task(_keep_writing(emulator, writers))
    try:
        await emulator.wait_until(lambda: not emulator.faults.pending, timeout=60)
        assert process.returncode is None
        emulator.faults.unreachable(OUTAGE_SECONDS)
        await asyncio.sleep(OUTAGE_SECONDS)
        back = time.monotonic()
        assert process.returncode is None

        def caught_up() -> bool:
            if not all(emulator.sent_to(p) for p in reachable):
                return False
            silent = [p for p, _ in writers if not emulator.sent_to(p)]
            return not silent or all(_failed(emulator, p, log) for p in silent)

        try:
            await emulator.wait_until(caught_up, timeout=OUTAGE_SECONDS + 90)
        except TimeoutError as error:
            missing = [p.id for p in reachable if not emulator.sent_to(p)]
            silent = [p.id for p, _ in writers if not emulator.sent_to(p)]
            statuses = dict(outbox_statuses(database))
            raise AssertionError(
                f"no broadcast for {missing}, no answer for {silent}, outbox {statuses}"
            ) from error
        catch_up = time.monotonic() - back
        writing.cancel()
        await emulator.settle(quiet=1.0, timeout=60)
    finally:
        writing.cancel()
        process.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(process.wait(), 30)
    output = log.read_text(errors="replace")
    print(
        f"faults: {len(writers)} commands, outage {OUTAGE_SECONDS:.0f} s, caught up"
        f" {catch_up:.1f} s after it; errors answered {dict(emulator.stats.errors)}"
    )

    assert code == 0, output[-3000:]
    assert outbox_statuses(database) == Counter({"sent": len(reachable), "unreachable": BLOCKED})
    unanswered = [p.id for p, _ in writers if not emulator.sent_to(p)]
    assert all(_failed(emulator, p, log) for p, _ in writers if p.id in unanswered), unanswered
    for person in reachable:
        assert len(emulator.sent_to(person)) <= 2  # a timed-out send may go twice, no more
    assert integrity(database) == "ok"
    assert TOKEN not in output


def _failed(emulator: Emulator, person: SimUser, log: Path) -> bool:
    """Whether the answer to the person failed for all to see: a sendMessage to their chat
    refused, or (a dropped connection leaves the emulator no parameters) the bot's log saying
    that handling their update failed. A failure nobody hears of never counts."""
    chat = str(person.id)
    refused = any(
        call.method.lower() == "sendmessage"
        and not call.ok
        and str(call.params.get("chat_id")) == chat
        for call in emulator.calls
    )
    return refused or f" in chat {chat} failed:" in log.read_text(errors="replace")
