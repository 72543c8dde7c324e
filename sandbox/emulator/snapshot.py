"""The emulated Telegram saved to a file and read back, so a sandbox chat survives a restart.

What is kept: the people, chats and messages (buttons, files and polls included), the bot's
command menus, the ledger of what the bot did, the toasts, and the next update id — as
Telegram keeps them while the bot is down. The file is the sandbox's own (a pickle): read
only files this program wrote.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import pickle
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .backend import Backend
from .journal import CallbackAnswer, LedgerEntry
from .world import World

FORMAT = 1
COUNTERS = (
    "_user_ids",
    "_group_ids",
    "_supergroup_ids",
    "_file_numbers",
    "_poll_numbers",
    "_callback_numbers",
)


@dataclass
class Snapshot:
    format: int
    world: World
    counters: dict[str, int]
    commands: dict[tuple[Any, ...], list[dict[str, str]]]
    ledger: list[LedgerEntry]
    callback_answers: list[CallbackAnswer]
    next_update_id: int
    notes: dict[str, Any]


def save(backend: Backend, path: Path, notes: dict[str, Any] | None = None) -> None:
    """Write the emulator's state (and the caller's ``notes``) to ``path`` atomically."""
    world = backend.world
    snapshot = Snapshot(
        format=FORMAT,
        world=world,
        counters={name: _peek(world, name) for name in COUNTERS},
        commands=backend.commands,
        ledger=backend.journal.ledger,
        callback_answers=backend.journal.callback_answers,
        next_update_id=backend.updates.next_update_id,
        notes=dict(notes or {}),
    )
    counters = {name: getattr(world, name) for name in COUNTERS}
    for name in COUNTERS:  # itertools.count objects are not portable pickles
        setattr(world, name, None)
    try:
        data = pickle.dumps(snapshot, protocol=pickle.HIGHEST_PROTOCOL)
    finally:
        for name, counter in counters.items():
            setattr(world, name, counter)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.write_bytes(data)
    with contextlib.suppress(OSError):
        os.chmod(partial, 0o600)
    partial.replace(path)


def restore(backend: Backend, path: Path) -> dict[str, Any] | None:
    """Load the state saved in ``path`` into a fresh emulator; its notes, None if no file."""
    if not path.exists():
        return None
    snapshot = pickle.loads(path.read_bytes())  # the sandbox's own file
    if not isinstance(snapshot, Snapshot) or snapshot.format != FORMAT:
        raise ValueError(f"{path} is not a sandbox chat file this version can read")
    world = snapshot.world
    for name, value in snapshot.counters.items():
        setattr(world, name, itertools.count(value))
    if world.bot.id != backend.world.bot.id:
        raise ValueError(f"{path} holds the chats of another bot")
    backend.world = world
    backend.commands = snapshot.commands
    backend.journal.restore(snapshot.ledger)
    backend.journal.callback_answers.extend(snapshot.callback_answers)
    backend.updates.next_update_id = snapshot.next_update_id
    return snapshot.notes


def _peek(world: World, name: str) -> int:
    """The next value of a counter, leaving the counter where it was."""
    counter = getattr(world, name)
    value = int(next(counter))
    setattr(world, name, itertools.count(value))
    return value
