"""One outbox row to queue, built from what every feature's message has: its kind, chat, dedupe
key, text and buttons, when it is due, and whom and which topic it is for."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from storage.outbox import OutboxEvent, OutboxKind, OutboxPayload, OutgoingMessage


def outgoing(
    kind: OutboxKind,
    chat_id: int,
    key: str,
    text: str,
    markup: dict[str, Any] | None,
    now: datetime,
    *,
    topic: int | None = None,
    person: int | None = None,
    expires: datetime | None = None,
    event: OutboxEvent | None = None,
) -> OutgoingMessage:
    """A message due ``now`` (dropped unsent after ``expires``), deduplicated by ``key``."""
    return OutgoingMessage(
        kind=kind,
        chat_id=chat_id,
        message_thread_id=topic,
        person_id=person,
        payload=OutboxPayload(text=text, reply_markup=markup, event=event),
        dedupe_key=key,
        due_at=now,
        expires_at=expires,
    )
