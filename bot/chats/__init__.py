"""A group chat's own language and zone: rules in ``rules``, use cases in ``service``."""

from bot.chats.rules import *  # noqa: F403
