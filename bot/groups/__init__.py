"""Groups: the rules (pure functions) in ``rules``, the use cases in ``service``."""

from bot.groups.rules import *  # noqa: F403
