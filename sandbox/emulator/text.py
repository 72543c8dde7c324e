"""Text measures and entities as Telegram counts them (UTF-16 code units)."""

from __future__ import annotations

import re
from typing import Any

Entity = dict[str, Any]

MESSAGE_LIMIT = 4096
CAPTION_LIMIT = 1024

_WHITESPACE = " \t\r\n\v\f"
_COMMAND = re.compile(r"(?<![\w/@])/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?(?![\w/@])")


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit of Telegram's limits and entity offsets."""
    if text.isascii():
        return len(text)
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def command_entities(text: str) -> list[Entity]:
    """The ``bot_command`` entities Telegram attaches to a message a person sends."""
    return [
        {"type": "bot_command", "offset": utf16_len(text[: m.start()]), "length": utf16_len(m[0])}
        for m in _COMMAND.finditer(text)
    ]


def strip_formatted(text: str, entities: list[Entity]) -> tuple[str, list[Entity]]:
    """Trim surrounding whitespace like Telegram does, clipping entities to what remains."""
    stripped = text.strip(_WHITESPACE)
    if stripped == text:
        return text, entities
    if not stripped:
        return "", []
    start = utf16_len(text[: len(text) - len(text.lstrip(_WHITESPACE))])
    end = start + utf16_len(stripped)
    return stripped, _clip_entities(entities, start, end)


def _clip_entities(entities: list[Entity], start: int, end: int) -> list[Entity]:
    clipped = []
    for entity in entities:
        first = max(entity["offset"], start)
        last = min(entity["offset"] + entity["length"], end)
        if last > first:
            clipped.append({**entity, "offset": first - start, "length": last - first})
    return clipped


def entities_within(text: str, entities: list[Entity]) -> list[Entity]:
    """Entities given by the caller, keeping only well-formed ones that fit the text."""
    size = utf16_len(text)
    kept = []
    for entity in entities:
        offset, length = entity.get("offset"), entity.get("length")
        if not isinstance(offset, int) or not isinstance(length, int):
            continue
        if isinstance(entity.get("type"), str) and length > 0 and 0 <= offset <= size - length:
            kept.append(entity)
    return sorted(kept, key=lambda e: (e["offset"], -e["length"]))
