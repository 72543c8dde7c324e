"""A person's channels (Telegram, e-mail or both) and the verification of their address:
``rules`` (pure), ``service`` (the use cases of /notify); rows in ``storage/channels.py``."""

from bot.channels.rules import (
    CHOICE_LABELS,
    CHOICES,
    CODE_ATTEMPTS,
    CODE_VALID,
    ChannelChoice,
    check_code,
    code_hash,
    may_resend,
    new_code,
    typed_code,
)

__all__ = [
    "CHOICES",
    "CHOICE_LABELS",
    "CODE_ATTEMPTS",
    "CODE_VALID",
    "ChannelChoice",
    "check_code",
    "code_hash",
    "may_resend",
    "new_code",
    "typed_code",
]
