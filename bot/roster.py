"""Placeholder: roster rules and ``wnmrc-bot export roster`` (filled in by the roster feature)."""

from __future__ import annotations

from pathlib import Path

from config import Settings


async def export_roster(settings: Settings, path: Path, *, group_slug: str | None) -> str:
    raise NotImplementedError
