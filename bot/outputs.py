"""Files the CLI writes: folders created, nothing replaced unless asked, the live database never,
and everything private to the bot's user (exports and backups hold e-mail addresses)."""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

PRIVATE_UMASK = 0o077
"""Files the process creates are 0600, folders 0700."""


class OutputRefusedError(Exception):
    """A file the CLI will not write: one line for the operator."""


def is_live_database(path: Path, database: Path) -> bool:
    """Whether ``path`` is the bot's database or one of its -wal, -shm or -journal files."""
    candidates = [
        database,
        *(Path(f"{database}{suffix}") for suffix in ("-wal", "-shm", "-journal")),
    ]
    target = path.resolve()
    for candidate in candidates:
        if target == candidate.resolve():
            return True
        if path.exists() and candidate.exists() and os.path.samefile(path, candidate):
            return True
    return False


def prepare_outputs(paths: Sequence[Path], *, database: Path, force: bool) -> None:
    """Check every output before any is written, then make room: refuse the live database (even
    with ``force``) and existing files (unless ``force``, which removes them so they are created
    anew, private); create missing folders."""
    for path in paths:
        if is_live_database(path, database):
            raise OutputRefusedError(f"{path} is the bot's live database; choose another file")
        if path.is_dir():
            raise OutputRefusedError(f"{path} is a folder; give a file name")
        if path.exists() and not force:
            raise OutputRefusedError(f"{path} already exists (add --force to replace it)")
    for path in paths:
        if path.exists():
            path.unlink()
        path.parent.mkdir(parents=True, exist_ok=True)


@contextmanager
def private_files() -> Iterator[None]:
    """Inside, every file and folder the process creates is readable by its owner only."""
    previous = os.umask(PRIVATE_UMASK)
    try:
        yield
    finally:
        os.umask(previous)


def make_private(paths: Sequence[Path]) -> None:
    """0600 on files already written (a belt to ``private_files``' braces)."""
    for path in paths:
        if path.exists():
            path.chmod(0o600)
