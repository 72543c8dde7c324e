"""Placeholder: ``wnmrc-bot import-people`` (filled in by the import feature)."""

from __future__ import annotations

from pathlib import Path
from typing import TextIO

from config import Settings


async def import_people(settings: Settings, path: Path, *, out: TextIO) -> int:
    raise NotImplementedError
