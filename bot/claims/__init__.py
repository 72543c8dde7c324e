"""Claims of an imported participant-list row by a new account: the rules in ``rules``, the
use cases in ``service``, the secretariat's notices as due work in ``work``."""

from bot.claims.rules import *  # noqa: F403
