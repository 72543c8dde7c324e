"""The ``wnmrc-bot`` command: start-up with the garbage collector paused, then the CLI.

Each command turns the collector back on once it has started (``bot/heap.py`` says why): the
long-running ones through ``freeze_startup_heap``, the others through ``resume_collections``.
"""

from __future__ import annotations

import gc


def main() -> int:
    gc.disable()
    from bot.cli import main as run_command

    return run_command()
