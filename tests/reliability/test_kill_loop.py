"""The kill loop: ``wnmrc-bot run`` killed with SIGKILL again and again while it broadcasts and
people write to it, against one emulator that outlives every process; restarted each time.

Every cycle queues a fresh announcement in the database (as a feature would), starts the bot,
waits until it is sending, lets people write for a seeded random while, and kills it. At the
end a last process drains the outbox and stops with SIGTERM. From the emulator's ledger and
the database: every recipient has the announcement, at most one message doubled per kill,
every row ``sent``, ``PRAGMA integrity_check`` ok, and every command answered, with no
tolerance: an update fetched but not handled when the process dies is in the inbox (stored
before Telegram is told it arrived) and handled after the restart. A command may be answered
twice only when its first answer came just before a kill (answered, and killed before its
"handled" mark was written).

The default run does ``KILLS`` kills (seconds); ``WNMRC_KILL_LOOP=100`` does a hundred
(a few minutes); ``WNMRC_KILL_SEED`` picks the random moments. The figures are printed
(``pytest -s``) and the latest long run is in bench/README.md (Reliability).
"""

from __future__ import annotations

import asyncio
import os
import random
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from sandbox.emulator import Emulator, LedgerEntry, SimUser

from ..conftest import TOKEN
from .processes import (
    KillLoop,
    at_most_one_per_kill,
    bot_environment,
    enqueue_broadcast,
    outbox_statuses,
)

pytestmark = pytest.mark.slow

KILLS = int(os.environ.get("WNMRC_KILL_LOOP", "3"))
"""3 here (2 in the other kill loops): with seed 20261124 and 2 kills, the last process has
nothing to drain and is stopped while it starts (exit -15), a race of the harness to fix."""
SEED = int(os.environ.get("WNMRC_KILL_SEED", "20261124"))
ROWS_PER_CYCLE = 24
"""About a second of the outbox's 28 messages/s: the bot is always mid-broadcast when killed."""
RTT = 0.02
"""The emulator answers after 20 ms, so a kill can find a message in flight."""
DRAIN = 120 + 2 * KILLS
"""How long the last process may take to send what is left and answer everyone (seconds)."""
RISK_WINDOW = 1.0
"""A command first answered less than this before a kill may be answered twice (see above): the
mark follows the answer by milliseconds on a quiet machine; in the 100-kill run at a load of 6
to 8 on the 2-core machine every command answered twice had its first answer at most 0.39 s
before the kill."""


@dataclass
class Loop:
    """What happened: who was sent what, who wrote when, when each process was killed."""

    recipients: list[SimUser] = field(default_factory=list)
    commands: list[tuple[SimUser, float]] = field(default_factory=list)
    kills: list[float] = field(default_factory=list)

    def kill_after(self, answered_at: float) -> float | None:
        """How long after ``answered_at`` the next kill came (None: no kill after it)."""
        return min((kill - answered_at for kill in self.kills if kill >= answered_at), default=None)


async def _talk(emulator: Emulator, loop: Loop, rng: random.Random, seconds: float) -> None:
    """New people write /help at random moments for ``seconds``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        person = emulator.add_user(f"Talker{len(loop.commands)}", language_code="en")
        emulator.send_text(person, "/help")
        loop.commands.append((person, time.monotonic()))
        await asyncio.sleep(rng.uniform(0.02, 0.25))


async def _one_cycle(kill_loop: KillLoop, loop: Loop, cycle: int, database: Path) -> None:
    """A fresh announcement queued, the bot started and killed while sending and answering."""
    emulator, rng = kill_loop.emulator, kill_loop.rng
    batch = [emulator.add_user(f"Member{cycle}-{i}", started=True) for i in range(ROWS_PER_CYCLE)]
    loop.recipients.extend(batch)
    await enqueue_broadcast(database, [person.id for person in batch], announcement=cycle)
    await kill_loop.cycle(
        lambda: len(emulator.ledger),
        work=lambda: _talk(emulator, loop, rng, rng.uniform(0.0, 1.2)),
    )
    if rng.random() < 0.3:  # someone writes while the bot is down: must be answered later
        person = emulator.add_user(f"Talker{len(loop.commands)}", language_code="en")
        emulator.send_text(person, "/help")
        loop.commands.append((person, time.monotonic()))


def _everyone_answered(emulator: Emulator, loop: Loop) -> bool:
    recipients = all(emulator.sent_to(person) for person in loop.recipients)
    return recipients and all(emulator.sent_to(person) for person, _ in loop.commands)


@pytest.mark.timeout(120 + 20 * KILLS)
async def test_kill_9_again_and_again_loses_nothing_and_doubles_at_most_one_per_kill(
    tmp_path: Path,
) -> None:
    database, log = tmp_path / "bot.sqlite3", tmp_path / "bot.log"
    loop = Loop()
    began = time.monotonic()
    async with Emulator(TOKEN, rtt=RTT) as emulator:
        environment = bot_environment(TOKEN, emulator.api_root, database)
        kill_loop = KillLoop(emulator, environment, log, random.Random(SEED))
        for cycle in range(KILLS):
            await _one_cycle(kill_loop, loop, cycle, database)
        drain_began = time.monotonic()
        code = await kill_loop.drain(lambda: _everyone_answered(emulator, loop), DRAIN)
        drained = time.monotonic() - drain_began
        ledger = list(emulator.ledger)
        too_many_requests = emulator.stats.too_many_requests
    loop.kills = kill_loop.kills

    by_chat: dict[int, list[LedgerEntry]] = defaultdict(list)
    for entry in ledger:
        if entry.kind == "send":
            by_chat[entry.chat_id].append(entry)
    broadcast = {person.id: by_chat.get(person.id, []) for person in loop.recipients}
    per_kill = kill_loop.doubles_per_kill(broadcast.values())
    lost = [(p, at) for p, at in loop.commands if not by_chat.get(p.id)]
    doubled_replies = [p for p, _ in loop.commands if len(by_chat.get(p.id, [])) > 1]
    gaps = [loop.kill_after(by_chat[p.id][0].at) for p in doubled_replies]
    widest = max((gap for gap in gaps if gap is not None), default=0.0)
    print(
        f"kill loop: seed {SEED}, {KILLS} kills, {len(loop.recipients)} broadcast messages,"
        f" {sum(per_kill.values())} doubled (at most {max(per_kill.values(), default=0)} per"
        f" kill), {len(loop.commands)} commands, {len(lost)} lost,"
        f" {len(doubled_replies)} answered twice (each at most {widest:.2f} s before a kill),"
        f" {too_many_requests} 429s,"
        f" {time.monotonic() - began:.0f} s ({kill_loop.timing()}; drain {drained:.0f} s)"
    )

    kill_loop.assert_sound(code, database, TOKEN)
    assert all(broadcast.values()), "a recipient never got the announcement"
    assert max(len(entries) for entries in broadcast.values()) <= 2
    assert at_most_one_per_kill(per_kill), f"doubled per kill: {per_kill}"
    assert outbox_statuses(database) == Counter({"sent": len(loop.recipients)})
    assert not lost, f"{len(lost)} commands never answered"
    assert all(gap is not None and gap < RISK_WINDOW for gap in gaps), gaps
