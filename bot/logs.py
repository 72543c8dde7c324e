"""Logging set-up: readable lines, quiet HTTP libraries, and the token redacted everywhere.

The token is part of every Bot API URL; httpx logs URLs at INFO and the repr of PTB's Bot holds it
(DESIGN.md, decision 9). Noisy loggers are kept at WARNING and a filter on the root handlers
replaces the token in any record that would still carry it.
"""

from __future__ import annotations

import logging

QUIET_LOGGERS = (
    "httpx",
    "httpcore",
    "aiohttp.access",
    "aiosqlite",
    "apscheduler",
    "telegram.ext.Updater",
)


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
    redact = RedactSecrets(secrets or [])
    for handler in logging.getLogger().handlers:
        handler.addFilter(redact)
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(max(logging.WARNING, logging.getLogger().level))
