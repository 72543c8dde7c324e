"""Deep links: ``t.me/<bot>?start=<payload>`` — what a /start payload asks for."""

from __future__ import annotations

import re
from dataclasses import dataclass

PAYLOAD = re.compile(r"^(?P<kind>[a-z]+)_(?P<argument>[A-Za-z0-9_-]{1,60})$")
KNOWN_KINDS = frozenset({"join", "inv"})
"""``join_<slug>``: a group's own link (its join policy applies); ``inv_<token>``: an
invitation link from /invite, which joins directly."""


@dataclass(frozen=True)
class StartPayload:
    kind: str
    argument: str


def parse_start_payload(text: str | None) -> StartPayload | None:
    """``join_climate`` -> StartPayload("join", "climate"); anything unknown -> None.

    Telegram allows up to 64 characters of ``[A-Za-z0-9_-]`` in a start parameter.
    """
    if not text or len(text) > 64:
        return None
    match = PAYLOAD.match(text.strip())
    if match is None or match["kind"] not in KNOWN_KINDS:
        return None
    return StartPayload(match["kind"], match["argument"].lower())


def deep_link(bot_username: str, payload: StartPayload) -> str:
    return f"https://t.me/{bot_username}?start={payload.kind}_{payload.argument}"
