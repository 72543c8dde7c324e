"""Profile: the rules (pure functions) in ``rules``, the use cases in ``service``."""

from bot.profile.rules import *  # noqa: F403
