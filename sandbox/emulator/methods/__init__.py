"""The Bot API methods the emulator answers, by lower-cased name."""

from . import callbacks, chats, commands, media, messages, polls, profile, session
from .registry import ApiMethod, registry_of

METHODS: dict[str, ApiMethod] = registry_of(
    [session, messages, media, polls, callbacks, chats, commands, profile]
)

__all__ = ["METHODS", "ApiMethod"]
