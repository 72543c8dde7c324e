"""Announcements: the rules for the text, its parts and how each recipient sees it.

A coordinator (for their groups) or the secretariat (for everyone) types the text; it is shown
literally (no formatting is trusted, line breaks are kept), under a header in the reader's
language and signed with the sender's name. A text that would not fit Telegram's limit in one
message is split on paragraph boundaries into numbered parts; every recipient gets the same
parts, so the split uses the longest header of any language.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Annotated, Final, Literal, get_args

from bot.i18n import N_
from bot.rendering import MESSAGE_LIMIT, Html, bold, escape, italic, visible_length
from bot.routing import CallbackData, MaxLength, callback_data

Audience = Literal["both", "chats", "people"]
AUDIENCES: Final[tuple[Audience, ...]] = get_args(Audience)
DEFAULT_AUDIENCE: Final[Audience] = "both"

EVERYONE: Final = "all"
"""The scope of an announcement to the whole network (else a working group's id)."""

_PARAGRAPH_BREAK: Final = re.compile(r"\n[ \t]*\n+")
_WIDEST_PART_MARK: Final = " (99/99)"
_SEPARATOR: Final = "\n\n"


@dataclass(frozen=True)
class Refusal:
    """Why a text cannot be announced: a message id and its values."""

    message: str
    values: dict[str, object] = field(default_factory=dict)


def clean_text(text: str) -> str:
    """The typed text with Windows line ends made plain and outer blank space removed."""
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


def paragraphs(text: str) -> list[str]:
    """The text's paragraphs (separated by one or more blank lines), each kept as typed."""
    return [part.strip("\n") for part in _PARAGRAPH_BREAK.split(text) if part.strip()]


def signature(signer: str) -> Html:
    """The line that ends every announcement: the sender's name."""
    return Html(f"— {italic(signer)}")


def body_limit(headers: Iterable[str], signer: str) -> int:
    """The most characters of text one message can carry under the longest of ``headers``."""
    widest = max((visible_length(header) for header in headers), default=0)
    around = widest + len(_WIDEST_PART_MARK) + 2 * len(_SEPARATOR)
    return MESSAGE_LIMIT - around - len("— ") - visible_length(signer)


def read_text(text: str, limit: int) -> list[str] | Refusal:
    """The text's parts (one when it fits ``limit``), or why it cannot be sent."""
    cleaned = clean_text(text)
    if not cleaned:
        return Refusal(N_("The announcement is empty. Type its text."))
    if visible_length(cleaned) <= limit:
        return [cleaned]
    pieces = paragraphs(cleaned)
    longest = max(visible_length(piece) for piece in pieces)
    if longest > limit:
        return Refusal(
            N_(
                "A paragraph can have at most {limit} characters; yours has {length}. "
                "Separate paragraphs with an empty line, then type the text again."
            ),
            {"limit": limit, "length": longest},
        )
    return pack(pieces, limit)


def pack(pieces: Iterable[str], limit: int) -> list[str]:
    """Paragraphs gathered in order into as few parts of at most ``limit`` characters as fit."""
    parts: list[str] = []
    current: list[str] = []
    size = 0
    for piece in pieces:
        cost = visible_length(piece) + (len(_SEPARATOR) if current else 0)
        if current and size + cost > limit:
            parts.append(_SEPARATOR.join(current))
            current, size = [], 0
            cost = visible_length(piece)
        current.append(piece)
        size += cost
    if current:
        parts.append(_SEPARATOR.join(current))
    return parts


def compose(header: str, parts: list[str], signer: str) -> list[Html]:
    """The messages one recipient gets: header (numbered when split), text escaped, signature."""
    total = len(parts)
    messages = []
    for number, part in enumerate(parts, start=1):
        title = escape(header) if total == 1 else Html(f"{escape(header)} ({number}/{total})")
        lines = [bold(title), escape(part)]
        if number == total:
            lines.append(signature(signer))
        messages.append(Html(_SEPARATOR.join(lines)))
    return messages


def dedupe_key(
    announcement: str, chat_id: int, topic_id: int | None, number: int, total: int
) -> str:
    """``announcement:<id>:<chat>[/<topic>][:<part>]`` — one per message, so a resend is a no-op."""
    place = str(chat_id) if topic_id is None else f"{chat_id}/{topic_id}"
    key = f"announcement:{announcement}:{place}"
    return key if total == 1 else f"{key}:{number}"


def parse_audience(value: str) -> Audience | None:
    for audience in AUDIENCES:
        if audience == value:
            return audience
    return None


def reaches_chats(audience: Audience) -> bool:
    return audience in ("both", "chats")


def reaches_people(audience: Audience) -> bool:
    return audience in ("both", "people")


Action = Literal["send", "edit", "cancel", "both", "chats", "people"]


@callback_data("an")
class AnnouncementTap(CallbackData):
    """A button under an announcement's preview: the announcement's id and what was tapped."""

    token: Annotated[str, MaxLength(8)]
    action: Action
