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
    Command("groups", N_("The working groups: join or leave")),
    Command("join", N_("Join a working group")),
    Command("leave", N_("Leave a working group")),
    Command("profile", N_("Fill in or edit your profile"), where=Where.PRIVATE),
    Command("me", N_("Show your profile"), where=Where.PRIVATE),
    Command("roster", N_("Who is in a working group, and their local time")),
    Command("whois", N_("Find a member by name or @username")),
    Command("language", N_("Choose the language the bot speaks to you")),
    Command("mydata", N_("Get everything stored about you"), where=Where.PRIVATE),
    Command("forgetme", N_("Delete your data from the bot"), where=Where.PRIVATE),
    Command("digest", N_("Preview the digest, or choose your personal digest")),
    Command("cancel", N_("Stop what you are doing"), where=Where.PRIVATE),
    Command("invite", N_("Get the invitation link of your group"), Role.COORDINATOR),
    Command("remove", N_("Remove a member from your group"), Role.COORDINATOR),
    Command(
        "announce",
        N_("Send an announcement to a group or to everyone"),
        Role.COORDINATOR,
        Where.PRIVATE,
    ),
    Command("export", N_("Export a roster as a CSV file"), Role.COORDINATOR, Where.PRIVATE),
    Command("newgroup", N_("Create a working group"), Role.SECRETARIAT, Where.PRIVATE),
    Command(
        "linkchat",
        N_("Link this chat (or topic) to a working group"),
        Role.SECRETARIAT,
        Where.GROUP,
    ),
    Command("coordinator", N_("Name or remove a coordinator"), Role.SECRETARIAT),
    Command(
        "outbox",
        N_("What the bot has queued, sent and failed to send"),
        Role.SECRETARIAT,
        Where.PRIVATE,
    ),
    Command("upcoming", N_("Your next meetings, in your time zone")),
    Command("calendar", N_("Get your groups' meetings as a calendar file")),
    Command("reminders", N_("Switch meeting reminders of a group on or off")),
    Command("meet", N_("Schedule a meeting of your group"), Role.COORDINATOR, Where.PRIVATE),
    Command("meeting", N_("Who answered what for a meeting"), Role.COORDINATOR),
    Command("reschedule", N_("Move a meeting to another time"), Role.COORDINATOR, Where.PRIVATE),
    Command("cancelmeeting", N_("Cancel a meeting"), Role.COORDINATOR, Where.PRIVATE),
    Command("nudge", N_("Remind those who have not answered a meeting"), Role.COORDINATOR),
    Command("slots", N_("Find the best meeting times for a group"), Role.COORDINATOR),
    Command("submit", N_("Share an experience of your reserve"), where=Where.PRIVATE),
    Command("myexperiences", N_("Your experiences: edit or withdraw"), where=Where.PRIVATE),
    Command("experiences", N_("Browse the network's experiences")),
    Command("review", N_("Review submitted experiences"), Role.COORDINATOR, Where.PRIVATE),
    Command("rank", N_("Accepted experiences ranked by score"), Role.COORDINATOR),
    Command("shortlist", N_("Shortlist an accepted experience"), Role.COORDINATOR, Where.PRIVATE),
    Command("vote", N_("Open the selection vote of a group"), Role.SECRETARIAT, Where.PRIVATE),
    Command(
        "select", N_("Set the final selection and publish it"), Role.SECRETARIAT, Where.PRIVATE
    ),
)


def available(role: Role, where: Where, commands: Iterable[Command] = COMMANDS) -> list[Command]:
    """The commands a person with ``role`` may use in a chat of kind ``where``."""
    return [c for c in commands if c.role <= role and where & c.where]


def by_name(name: str) -> Command:
    """The command of that name; a typo in the code fails at import, not at run time."""
    for command in COMMANDS:
        if command.name == name:
            return command
    raise KeyError(f"no command /{name} in bot.commands.COMMANDS")
