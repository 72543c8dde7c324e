"""Roster: the rules (pure functions) in ``rules``, the use cases in ``service``."""

from bot.roster.rules import *  # noqa: F403
from bot.roster.service import export_roster as export_roster
