"""The bot's commands, each declared once: name, who may use it, where, and its description.

A feature's handler module builds its ``CommandHandler`` from the declaration
(``handlers.guard.route(ROSTER, on_roster)``: the place and role checks come with it), so a
command's name is written only here. ``/help``, the command menus published with
``setMyCommands`` (per scope and per language), the permission test, the fuzz and the
guides' command reference (``bot/command_reference.py``) all read
``COMMANDS``; a test checks that every declared command has exactly one handler.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import Flag, auto
from typing import Final

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
    per_group: bool = False
    """The role is needed in the working group the command names (coordinating another group
    is not enough); the handler checks it once it knows the group."""


def _coordinator(name: str, description: str, where: Where = Where.ANYWHERE) -> Command:
    """A command for the coordinators of the working group it names (and the secretariat)."""
    return Command(name, description, Role.COORDINATOR, where, per_group=True)


# Everyone
START: Final = Command("start", N_("Start here: see what this bot does for you"))
HELP: Final = Command("help", N_("List the commands you can use"))
GROUPS: Final = Command("groups", N_("Browse the working groups: join or leave"))
JOIN: Final = Command("join", N_("Join a working group"))
LEAVE: Final = Command("leave", N_("Leave a working group"))
PROFILE: Final = Command("profile", N_("Fill in or edit your profile"), where=Where.PRIVATE)
ME: Final = Command("me", N_("Show your profile"), where=Where.PRIVATE)
ROSTER: Final = Command("roster", N_("See who is in a working group, and their local time"))
WHOIS: Final = Command("whois", N_("Find a member by name or @username"))
LANGUAGE: Final = Command("language", N_("Choose the language the bot speaks to you"))
TIMEZONE: Final = Command("timezone", N_("Choose the time zone the bot shows your times in"))
MYDATA: Final = Command("mydata", N_("Get everything stored about you"), where=Where.PRIVATE)
FORGETME: Final = Command("forgetme", N_("Delete your data from the bot"), where=Where.PRIVATE)
DIGEST: Final = Command("digest", N_("Preview the digest, or choose your personal digest"))
CANCEL: Final = Command("cancel", N_("Stop what you are doing"), where=Where.PRIVATE)
NOTIFY: Final = Command(
    "notify", N_("Choose how the bot reaches you: Telegram, e-mail or both"), where=Where.PRIVATE
)
# Coordinators
INVITE: Final = _coordinator("invite", N_("Get the invitation link of your group"))
REMOVE: Final = _coordinator("remove", N_("Remove a member from your group"))
POLICY: Final = _coordinator(
    "policy", N_("Choose who may join your group: open, approval or invite")
)
ANNOUNCE: Final = _coordinator(
    "announce", N_("Send an announcement to a group or to everyone"), Where.PRIVATE
)
EXPORT: Final = _coordinator("export", N_("Export a roster as a CSV file"), Where.PRIVATE)
# Secretariat
NEWGROUP: Final = Command("newgroup", N_("Create a working group"), Role.SECRETARIAT, Where.PRIVATE)
LINKCHAT: Final = Command(
    "linkchat", N_("Link this chat (or topic) to a working group"), Role.SECRETARIAT, Where.GROUP
)
COORDINATOR: Final = Command("coordinator", N_("Name or remove a coordinator"), Role.SECRETARIAT)
OUTBOX: Final = Command(
    "outbox",
    N_("See what the bot has queued, sent and failed to send"),
    Role.SECRETARIAT,
    Where.PRIVATE,
)
CLAIMS: Final = Command(
    "claims",
    N_("See the participant-list matches waiting for your decision"),
    Role.SECRETARIAT,
    Where.PRIVATE,
)
# Meetings
UPCOMING: Final = Command("upcoming", N_("See your next meetings in your time zone"))
CALENDAR: Final = Command("calendar", N_("Get your groups' meetings as a calendar file"))
REMINDERS: Final = Command("reminders", N_("Switch meeting reminders of a group on or off"))
MEET: Final = _coordinator("meet", N_("Schedule a meeting of your group"), Where.PRIVATE)
MEETING: Final = Command("meeting", N_("See who answered what for a meeting"), Role.COORDINATOR)
RESCHEDULE: Final = Command(
    "reschedule", N_("Move a meeting to another time"), Role.COORDINATOR, Where.PRIVATE
)
CANCELMEETING: Final = Command(
    "cancelmeeting", N_("Cancel a meeting"), Role.COORDINATOR, Where.PRIVATE
)
NUDGE: Final = Command(
    "nudge", N_("Remind those who have not answered a meeting"), Role.COORDINATOR
)
SLOTS: Final = _coordinator("slots", N_("Find the best meeting times for a group"))
# Experiences
SUBMIT: Final = Command("submit", N_("Share an experience of your reserve"), where=Where.PRIVATE)
MYEXPERIENCES: Final = Command(
    "myexperiences", N_("Edit or withdraw your experiences"), where=Where.PRIVATE
)
EXPERIENCES: Final = Command("experiences", N_("Browse the network's experiences"))
REVIEW: Final = Command(
    "review", N_("Review submitted experiences"), Role.COORDINATOR, Where.PRIVATE
)
RANK: Final = Command("rank", N_("Rank the accepted experiences by score"), Role.COORDINATOR)
SHORTLIST: Final = Command(
    "shortlist", N_("Shortlist an accepted experience"), Role.COORDINATOR, Where.PRIVATE
)
VOTE: Final = Command(
    "vote", N_("Open the selection vote of a group"), Role.SECRETARIAT, Where.PRIVATE
)
SELECT: Final = Command(
    "select", N_("Set the final selection and publish it"), Role.SECRETARIAT, Where.PRIVATE
)
# Decisions
DECISIONS: Final = Command("decisions", N_("See open proposals and past decisions"))
PROPOSE: Final = _coordinator(
    "propose", N_("Put a proposal to your group or to the network"), Where.PRIVATE
)
OUTCOME: Final = Command(
    "outcome", N_("Record the outcome of a closed proposal"), Role.COORDINATOR, Where.PRIVATE
)
# Opportunities
OPPORTUNITY: Final = Command(
    "opportunity",
    N_("Post an opportunity: partners, funding, internship, exchange"),
    where=Where.PRIVATE,
)
OPPORTUNITIES: Final = Command("opportunities", N_("Browse open opportunities by theme or kind"))
FIND: Final = Command("find", N_("Find people by expertise, language or place"))
PROJECTS: Final = Command("projects", N_("See the joint projects born from proposals"))
INTROS: Final = Command(
    "intros", N_("Meet someone from another country each month"), where=Where.PRIVATE
)
ALERTS: Final = Command(
    "alerts", N_("Choose how often opportunities are offered to you"), where=Where.PRIVATE
)
# Roadmap
ROADMAP: Final = Command("roadmap", N_("See the roadmap: overdue actions first, then by due date"))
MYTASKS: Final = Command("mytasks", N_("See the roadmap actions you own"), where=Where.PRIVATE)
PROGRESS: Final = Command(
    "progress", N_("Add a progress note to an action or change its status"), where=Where.PRIVATE
)
ACTION: Final = Command(
    "action", N_("Add an action to the roadmap"), Role.COORDINATOR, Where.PRIVATE
)

COMMANDS: tuple[Command, ...] = (
    START,
    HELP,
    GROUPS,
    JOIN,
    LEAVE,
    PROFILE,
    ME,
    ROSTER,
    WHOIS,
    LANGUAGE,
    TIMEZONE,
    MYDATA,
    FORGETME,
    DIGEST,
    CANCEL,
    NOTIFY,
    INVITE,
    REMOVE,
    POLICY,
    ANNOUNCE,
    EXPORT,
    NEWGROUP,
    LINKCHAT,
    COORDINATOR,
    OUTBOX,
    CLAIMS,
    UPCOMING,
    CALENDAR,
    REMINDERS,
    MEET,
    MEETING,
    RESCHEDULE,
    CANCELMEETING,
    NUDGE,
    SLOTS,
    SUBMIT,
    MYEXPERIENCES,
    EXPERIENCES,
    REVIEW,
    RANK,
    SHORTLIST,
    VOTE,
    SELECT,
    DECISIONS,
    PROPOSE,
    OUTCOME,
    OPPORTUNITY,
    OPPORTUNITIES,
    FIND,
    PROJECTS,
    ALERTS,
    INTROS,
    ROADMAP,
    MYTASKS,
    PROGRESS,
    ACTION,
)
"""Every command in the order of ``/help`` and the menus."""


def available(role: Role, where: Where, commands: Iterable[Command] = COMMANDS) -> list[Command]:
    """The commands a person with ``role`` may use in a chat of kind ``where``."""
    return [c for c in commands if c.role <= role and where & c.where]


def by_name(name: str) -> Command:
    """The command of that name; a typo in the code fails at import, not at run time."""
    for command in COMMANDS:
        if command.name == name:
            return command
    raise KeyError(f"no command /{name} in bot.commands.COMMANDS")
