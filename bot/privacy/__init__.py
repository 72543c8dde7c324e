"""Privacy: the rules (pure functions) in ``rules``, the use cases in ``service``."""

from bot.privacy.rules import *  # noqa: F403
