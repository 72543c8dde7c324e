"""Joining working groups: the rules (pure functions) in ``rules``, the use cases in ``service``."""

from bot.joining.rules import *  # noqa: F403
