"""Placeholder: the outbox sender (filled in by the delivery feature)."""

from __future__ import annotations

from config import Settings


async def outbox_report(settings: Settings) -> str:
    raise NotImplementedError
