"""Importing the participant list: the rules in ``rules``, the use case in ``service``."""

from bot.imports.rules import *  # noqa: F403
from bot.imports.service import import_people as import_people
from bot.imports.service import load_table as load_table
