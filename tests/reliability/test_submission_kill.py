"""kill -9 between the steps of a /submit conversation, then restart (docs/developers.md,
"Conversations in drafts").

A member writing in Spanish starts /submit against ``wnmrc-bot run``; every cycle answers a
seeded random number of steps (typed answers and button taps), waits a seeded random moment
after the bot's last answer and kills the process. The next process is asked /submit again:
it offers to continue, and Continue shows the very step where the conversation stopped, while
the draft in the database holds every earlier answer. A submission whose scripted answers are
all given is sent (the optional steps left skipped) and the next one starts, so a long loop
keeps killing at every step; each experience is stored with all its answers.
``WNMRC_KILL_LOOP`` sets the number of kills (2 by default), ``WNMRC_KILL_SEED`` the random
moments.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import signal
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from sandbox.emulator import Emulator, SimUser
from sandbox.emulator.world import SimMessage

from ..conftest import TOKEN
from .processes import bot_environment, integrity, start_bot

pytestmark = pytest.mark.slow

KILLS = int(os.environ.get("WNMRC_KILL_LOOP", "2"))
SEED = int(os.environ.get("WNMRC_KILL_SEED", "20261124"))


@dataclass(frozen=True)
class Action:
    """One answer: typed text or a tapped button; then the step shown and what the draft holds."""

    kind: str
    value: str
    step: int
    stored: tuple[str, Any] | None = None


def _actions(number: int) -> tuple[Action, ...]:
    """The scripted answers of submission ``number``."""
    title = f"Terrazas <b>vivas</b> & agua {number}"
    return (
        Action("say", title, 2, ("title", title)),
        Action("say", "Sierra Nevada", 3, ("reserve", "Sierra Nevada")),
        Action("say", "ES", 4, ("country", "ES")),
        Action("tap", "Cambio climático", 4, ("themes", ["climate"])),
        Action("tap", "Listo", 5),
        Action("say", f"Las terrazas antiguas retienen el agua ({number}).", 6, ("summary", None)),
        Action("say", "Sequías más largas.", 7, ("challenge", None)),
        Action("say", "Limpiamos 12 acequias.", 8, ("building_blocks", None)),
        Action("say", "Comunidades de regantes activas.", 9, ("enabling_factors", None)),
    )


def _expected(actions: tuple[Action, ...]) -> dict[str, Any]:
    """The answers the draft must hold after these actions."""
    answers: dict[str, Any] = {}
    for action in actions:
        if action.stored is not None:
            name, value = action.stored
            answers[name] = action.value if value is None else value
    return answers


def _draft(database: Path) -> tuple[str, dict[str, Any]] | None:
    with sqlite3.connect(database) as conn:
        row = conn.execute("SELECT step, data FROM drafts WHERE kind = 'experience'").fetchone()
    conn.close()
    return None if row is None else (str(row[0]), json.loads(row[1]))


async def _after(emulator: Emulator, user: SimUser, do: Callable[[], object]) -> SimMessage:
    """Do something as ``user``; the bot's last message in their chat as it is now."""
    mark = len(emulator.ledger)
    do()
    await emulator.wait_until(
        lambda: any(e.chat_id == user.id for e in emulator.ledger[mark:]), timeout=30
    )
    await emulator.settle()
    entries = [e for e in emulator.ledger[mark:] if e.chat_id == user.id]
    shown = emulator.message(user.id, entries[-1].message_id)
    assert shown is not None
    return shown


async def _say(emulator: Emulator, user: SimUser, text: str) -> SimMessage:
    return await _after(emulator, user, lambda: emulator.send_text(user, text))


async def _tap(emulator: Emulator, user: SimUser, shown: SimMessage, label: str) -> SimMessage:
    return await _after(emulator, user, lambda: emulator.tap(user, shown, label))


async def _act(emulator: Emulator, user: SimUser, shown: SimMessage, action: Action) -> SimMessage:
    if action.kind == "say":
        return await _say(emulator, user, action.value)
    return await _tap(emulator, user, shown, action.value)


def _text(message: SimMessage) -> str:
    return message.text or ""


@dataclass
class Writer:
    """Where the member is: which submission, how many of its answers given, what is shown."""

    emulator: Emulator
    user: SimUser
    shown: SimMessage | None = None
    number: int = 1
    done: int = 0

    @property
    def actions(self) -> tuple[Action, ...]:
        return _actions(self.number)

    @property
    def step(self) -> int:
        return self.actions[self.done - 1].step if self.done else 1

    async def start(self) -> None:
        self.shown = await _say(self.emulator, self.user, "/submit")
        assert "paso 1 de 15" in _text(self.shown)

    async def answer(self) -> None:
        """The next scripted answer; after the last, send the experience and start another."""
        assert self.shown is not None
        if self.done == len(self.actions):
            await self.send()
            self.number, self.done = self.number + 1, 0
            await self.start()
            return
        self.shown = await _act(self.emulator, self.user, self.shown, self.actions[self.done])
        self.done += 1
        assert f"paso {self.step} de 15" in _text(self.shown)

    async def send(self) -> None:
        """Skip what is left, then Send from the preview."""
        shown = self.shown
        assert shown is not None
        while "Vista previa" not in _text(shown):
            shown = await _tap(self.emulator, self.user, shown, "Omitir")
        sent = await _tap(self.emulator, self.user, shown, "Enviar")
        self.shown = sent
        assert "se envió para evaluación" in _text(sent)

    async def resume(self) -> None:
        """/submit in a new process: the offer to continue, then the step where it stopped."""
        offer = await _say(self.emulator, self.user, "/submit")
        assert "¿Sigues donde lo dejaste o empiezas de nuevo?" in _text(offer)
        self.shown = await _tap(self.emulator, self.user, offer, "Seguir")
        assert f"paso {self.step} de 15" in _text(self.shown), _text(self.shown)


def _stored(database: Path) -> list[sqlite3.Row]:
    with sqlite3.connect(database) as conn:
        conn.row_factory = sqlite3.Row
        rows = conn.execute("SELECT * FROM experiences ORDER BY id").fetchall()
    conn.close()
    return rows


@pytest.mark.timeout(90 + 10 * KILLS)
async def test_kill_9_between_submission_steps_resumes_at_the_same_step_with_the_answers(
    tmp_path: Path,
) -> None:
    rng = random.Random(SEED)
    database, log = tmp_path / "bot.sqlite3", tmp_path / "bot.log"
    async with Emulator(TOKEN) as emulator:
        writer = Writer(emulator, emulator.add_user("Lucía", language_code="es"))
        environment = bot_environment(TOKEN, emulator.api_root, database)
        process = await start_bot(environment, log)
        try:
            await writer.start()
            for cycle in range(KILLS):
                for _ in range(rng.randint(1, 3)):
                    await writer.answer()
                await asyncio.sleep(rng.uniform(0.0, 0.3))
                process.send_signal(signal.SIGKILL)
                await process.wait()
                print(
                    f"kill {cycle + 1}: submission {writer.number} after {writer.done} answers"
                    f" (at step {writer.step})"
                )
                draft = _draft(database)
                assert draft is not None, "the draft was lost"
                expected = _expected(writer.actions[: writer.done])
                assert {name: draft[1].get(name) for name in expected} == expected
                process = await start_bot(environment, log)
                await writer.resume()
            while writer.done < len(writer.actions):
                await writer.answer()
            await writer.send()
        finally:
            process.send_signal(signal.SIGTERM)
            code = await asyncio.wait_for(process.wait(), 30)
    output = log.read_text(errors="replace")

    assert code == 0, output[-3000:]
    stored = _stored(database)
    assert len(stored) == writer.number
    for number, experience in enumerate(stored, start=1):
        for name, value in _expected(_actions(number)).items():
            assert (json.loads(experience[name]) if name == "themes" else experience[name]) == value
    assert _draft(database) is None
    assert integrity(database) == "ok"
    assert TOKEN not in output
