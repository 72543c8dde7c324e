"""Logging set-up: readable lines, quiet HTTP libraries, and the token redacted everywhere.

The token is part of every Bot API URL; httpx logs URLs at INFO and the repr of PTB's Bot holds it
(docs/developers.md, "Secrets and logs"). Noisy loggers are kept at WARNING and a filter on the
root handlers replaces the token in any record that would still carry it.
"""

from __future__ import annotations

import logging
import re

QUIET_LOGGERS = (
    "httpx",
    "httpcore",
    "aiohttp.access",
    "aiosqlite",
    "apscheduler",
    "telegram.ext.Updater",
)


BOT_TOKEN = re.compile(r"\d{3,}:[A-Za-z0-9_-]{30,}")
"""The shape of a Bot API token: the bot's id, a colon, the secret."""

BOT_LOGGERS = ("telegram.Bot", "telegram.ext.ExtBot")
"""PTB's bot loggers: at DEBUG they log the Bot API URL, token included, when a Bot is made."""


class RedactTokens(logging.Filter):
    """Replaces anything shaped like a bot token by ``<redacted>``; needs no settings, so it
    guards PTB's loggers from import on, before any handler is configured."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = BOT_TOKEN.sub("<redacted>", message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


def redact_bot_loggers() -> None:
    """Filter PTB's bot loggers at the source, so no handler ever receives the token."""
    for name in BOT_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(existing, RedactTokens) for existing in logger.filters):
            logger.addFilter(RedactTokens())


class RedactSecrets(logging.Filter):
    """Replaces each secret in a record's formatted message by ``<redacted>``."""

    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        self._secrets = [secret for secret in secrets if secret]

    def filter(self, record: logging.LogRecord) -> bool:
        if not self._secrets:
            return True
        message = record.getMessage()
        redacted = message
        for secret in self._secrets:
            redacted = redacted.replace(secret, "<redacted>")
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


def configure_logging(level: str, secrets: list[str] | None = None) -> None:
    logging.basicConfig(
        level=level.upper(),
        format="%(asctime)s %(levelname)-7s %(name)s: %(message)s",
        force=True,
    )
    redact_bot_loggers()
    redact = RedactSecrets(secrets or [])
    for handler in logging.getLogger().handlers:
        handler.addFilter(redact)
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(max(logging.WARNING, logging.getLogger().level))
