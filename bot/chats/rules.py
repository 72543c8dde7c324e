"""A group chat's own language and zone, and who may choose them.

A chat linked to a working group reads what the bot posts there (announcements, digests,
meeting posts) in the language and zone its coordinators chose with /language and /timezone;
without a choice, the working group's zone and the network's language.
"""

from __future__ import annotations

from collections.abc import Iterable
from zoneinfo import ZoneInfo

from bot.access import Actor
from bot.i18n import LANGUAGES
from bot.roster.rules import zone_of


def chat_language(chosen: str | None, default: str) -> str:
    """The language the bot writes in to a chat: its own choice, else the network's."""
    return chosen if chosen in LANGUAGES else default


def chat_zone(chosen: str | None, group_zone: str | None, fallback: ZoneInfo) -> ZoneInfo:
    """The zone a chat reads times in: its own, else its working group's, else ``fallback``."""
    return zone_of(chosen) or zone_of(group_zone) or fallback


def may_configure(actor: Actor, linked_group_ids: Iterable[int]) -> bool:
    """The secretariat, and the coordinators of a group linked to the chat, set its language
    and zone."""
    return actor.secretariat or any(g in actor.coordinated for g in linked_group_ids)
