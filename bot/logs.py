"""Logging set-up: readable lines, quiet HTTP libraries, and the token redacted everywhere.

The token is part of every Bot API URL; httpx logs URLs at INFO and the repr of PTB's Bot holds it
(docs/developers.md, "Secrets and logs"). Noisy loggers are kept at WARNING and a filter on the
root handlers replaces the token in any record that would still carry it: in the message, in
the traceback and every exception chained to it, and in the stack.

Personal data (e-mail addresses, message texts) never reaches a log record either: at DEBUG,
PTB logs every Bot API call with its parameters and result and every update it processes;
:class:`HidePersonalData` keeps those records but drops what they carry.
"""

from __future__ import annotations

import logging
import re
import traceback
from collections.abc import Callable

from telegram.error import NetworkError

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

REDACTED = "<redacted>"


def redact_tokens(text: str) -> str:
    """``text`` with anything shaped like a bot token replaced by ``<redacted>``."""
    return BOT_TOKEN.sub(REDACTED, text)


def redact(text: str, secrets: list[str]) -> str:
    """``text`` with each secret and anything shaped like a bot token replaced."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, REDACTED)
    return redact_tokens(text)


def redact_record(record: logging.LogRecord, clean: Callable[[str], str]) -> None:
    """Apply ``clean`` to what a handler would write for ``record``.

    The message is rewritten in place. The traceback (with its chained exceptions) is
    formatted here, cleaned and kept as ``exc_text``, which formatters print as is; the
    exception itself is dropped from the record so no handler formats it again.
    """
    message = record.getMessage()
    cleaned = clean(message)
    if cleaned != message:
        record.msg, record.args = cleaned, None
    if record.exc_info:
        record.exc_text = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
        record.exc_info = None
    if record.exc_text:
        record.exc_text = clean(record.exc_text)
    if record.stack_info:
        record.stack_info = clean(record.stack_info)


class RedactTokens(logging.Filter):
    """Replaces anything shaped like a bot token by ``<redacted>``; needs no settings, so it
    guards PTB's loggers from import on, before any handler is configured."""

    def filter(self, record: logging.LogRecord) -> bool:
        redact_record(record, redact_tokens)
        return True


def redact_bot_loggers() -> None:
    """Filter PTB's loggers at the source: no handler ever receives the token, and no record
    of a Bot API call or of an update carries what people wrote or what the bot sent them."""
    for name in BOT_LOGGERS:
        _add_filter(logging.getLogger(name), RedactTokens())
    for name in PERSONAL_DATA_LOGGERS:
        _add_filter(logging.getLogger(name), HidePersonalData())


def _add_filter(logger: logging.Logger, new: logging.Filter) -> None:
    if not any(type(existing) is type(new) for existing in logger.filters):
        logger.addFilter(new)


class RedactSecrets(logging.Filter):
    """Replaces each secret (and anything shaped like a bot token) in a record's message,
    traceback and stack by ``<redacted>``."""

    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        self._secrets = [secret for secret in secrets if secret]

    def filter(self, record: logging.LogRecord) -> bool:
        redact_record(record, lambda text: redact(text, self._secrets))
        return True


PERSONAL_DATA_LOGGERS = ("telegram.Bot", "telegram.ext.ExtBot", "telegram.ext.Application")
"""PTB's loggers whose DEBUG records carry whole Bot API parameters, results and updates."""

_WITHHELD = "<withheld>"


class HidePersonalData(logging.Filter):
    """Keeps PTB's DEBUG records about Bot API calls and updates, minus their content.

    ``Calling Bot API endpoint `sendMessage` with parameters `{...}``` keeps the endpoint and
    loses the parameters (the text sent, an e-mail in a profile card); ``Processing update
    Update(...)`` keeps the update's id and loses the message. Only scalar arguments (names
    of endpoints, ids, counts) are kept.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and record.args:
            record.args = tuple(_without_content(arg) for arg in record.args)
        return True


def _without_content(value: object) -> object:
    if value is None or isinstance(value, (bool, int, float)):
        return value
    if isinstance(value, str) and len(value) <= 64 and "@" not in value:
        return value  # an endpoint's name, a description
    if isinstance(value, list) and all(isinstance(item, int) for item in value):
        return value  # update ids
    update_id = getattr(value, "update_id", None)
    if isinstance(update_id, int):
        return f"update {update_id} {_WITHHELD}"
    return _WITHHELD


class FoldNetworkErrors(logging.Filter):
    """A failure to reach the Bot API is one line, not a traceback of PTB's internals.

    PTB reports each failed poll (and a failed start) with the whole traceback; for a network
    error that says nothing the error's own words do not ("cannot connect to ...: Connection
    refused"), and an operator reads one line. Other exceptions keep their traceback.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if isinstance(error, NetworkError):
            record.msg, record.args = f"{record.getMessage()} {type(error).__name__}: {error}", None
            record.exc_info = record.exc_text = None
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
        handler.addFilter(FoldNetworkErrors())
        handler.addFilter(redact)
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(max(logging.WARNING, logging.getLogger().level))


redact_bot_loggers()  # from import on: bot/http.py imports this module before any Bot is made
