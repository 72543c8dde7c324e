"""Transition re-exports for modules not yet moved to ``bot.outbox`` (the meetings runtime, the
experiences and reviews handlers, the CLI). New code calls ``context.services.outbox``."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from bot.outbox import DeliveryConfig, Sender, lost_chat, outbox_report, retry_after_seconds
from storage.outbox import OutgoingMessage

__all__ = [
    "DeliveryConfig",
    "Sender",
    "enqueue",
    "lost_chat",
    "outbox_report",
    "retry_after_seconds",
    "sender_of",
]


def sender_of(application: Any) -> Sender | None:
    """The application's running sender (its pacer is shared by the live answer counts)."""
    sender: Sender | None = application.services.outbox.running_sender()
    return sender


async def enqueue(application: Any, messages: Iterable[OutgoingMessage]) -> int:
    """Queue messages (in the running unit of work, if any) and wake the sender after it."""
    added: int = await application.services.outbox.send(messages)
    return added
