"""Announcements: a coordinator or the secretariat writes once, the outbox delivers to every
chosen chat and person, each in their language.

``rules`` (the text, its parts, the audience, the buttons' data: pure), ``service`` (the draft
from /announce to Send, the sending in one unit of work). The conversation is
``handlers/announcements.py``.
"""

from bot.announcements.rules import (
    AUDIENCES,
    DEFAULT_AUDIENCE,
    EVERYONE,
    Action,
    AnnouncementTap,
    Audience,
    Refusal,
    body_limit,
    clean_text,
    compose,
    dedupe_key,
    pack,
    paragraphs,
    parse_audience,
    reaches_chats,
    reaches_people,
    read_text,
    signature,
)

__all__ = [
    "AUDIENCES",
    "DEFAULT_AUDIENCE",
    "EVERYONE",
    "Action",
    "AnnouncementTap",
    "Audience",
    "Refusal",
    "body_limit",
    "clean_text",
    "compose",
    "dedupe_key",
    "pack",
    "paragraphs",
    "parse_audience",
    "reaches_chats",
    "reaches_people",
    "read_text",
    "signature",
]
