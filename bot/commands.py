"""The bot's commands: who may use each, where, and how it is described in menus and /help.

Features add their commands here; ``/help`` and the command menus published with
``setMyCommands`` (per scope and per language) are both derived from this one list.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import Flag, auto

from bot.i18n import N_
from bot.permissions import Role


class Where(Flag):
    PRIVATE = auto()
    GROUP = auto()
    ANYWHERE = PRIVATE | GROUP


@dataclass(frozen=True)
class Command:
    name: str
    description: str
    """A message id, translated for each reader."""
    role: Role = Role.MEMBER
    where: Where = Where.ANYWHERE


COMMANDS: tuple[Command, ...] = (
    Command("start", N_("Start here: what this bot does for you")),
    Command("help", N_("The commands you can use")),
    Command("language", N_("Choose the language the bot speaks to you")),
    Command("cancel", N_("Stop what you are doing"), where=Where.PRIVATE),
)


def available(role: Role, where: Where, commands: Iterable[Command] = COMMANDS) -> list[Command]:
    """The commands a person with ``role`` may use in a chat of kind ``where``."""
    return [c for c in commands if c.role <= role and where & c.where]


def by_name(name: str) -> Command | None:
    return next((command for command in COMMANDS if command.name == name), None)
