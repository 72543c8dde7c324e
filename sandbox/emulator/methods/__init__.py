"""The Bot API methods the emulator answers, by lower-cased name."""

from . import callbacks, chats, commands, media, messages, polls, session
from .registry import ApiMethod, registry_of

METHODS: dict[str, ApiMethod] = registry_of(
    [session, messages, media, polls, callbacks, chats, commands]
)

__all__ = ["METHODS", "ApiMethod"]
