"""The operators' chat (``WNMRC_OPS_CHAT_ID``): what goes wrong, told where operators look.

Each report is one line — what failed and Telegram's or Python's one-line reason — never a
traceback, never the token. At most one message per kind of error per ten minutes; the next one
of that kind says how many were held back meanwhile. Reports go straight to Telegram, not
through the outbox, since a failing outbox is one of the things reported; a report that cannot
be sent is logged and dropped.
"""

from __future__ import annotations

import asyncio
import html
import logging
import time
import weakref
from collections.abc import Callable
from typing import Any, Final

from telegram import Bot
from telegram.ext import Application

from bot.logs import BOT_TOKEN

logger = logging.getLogger(__name__)

QUIET_SECONDS: Final = 600.0
"""At most one message per kind of error in this many seconds."""
LINE_LIMIT: Final = 300


def one_line(text: str, secrets: tuple[str, ...] = ()) -> str:
    """``text`` on one line, secrets and anything shaped like a token redacted, cut short."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "<redacted>")
    text = " ".join(BOT_TOKEN.sub("<redacted>", text).split())
    return text if len(text) <= LINE_LIMIT else text[: LINE_LIMIT - 1] + "…"


def describe(error: BaseException) -> str:
    """An exception as one line: its type and message, no traceback."""
    message = str(error)
    return f"{type(error).__name__}: {message}" if message else type(error).__name__


class OpsReporter:
    """Sends one-line reports to the operators' chat, throttled per kind."""

    def __init__(
        self,
        bot: Bot,
        chat_id: int | None,
        *,
        quiet_seconds: float = QUIET_SECONDS,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.bot = bot
        self.chat_id = chat_id
        self.quiet_seconds = quiet_seconds
        self._monotonic = monotonic
        self._last: dict[str, float] = {}
        self._held: dict[str, int] = {}
        self._tasks: set[asyncio.Task[bool]] = set()

    def _due(self, kind: str) -> bool:
        now = self._monotonic()
        last = self._last.get(kind)
        if last is not None and now - last < self.quiet_seconds:
            self._held[kind] = self._held.get(kind, 0) + 1
            return False
        self._last[kind] = now
        return True

    async def report(self, kind: str, detail: str) -> bool:
        """Tell the operators' chat, unless it is unset or this kind was told lately."""
        if self.chat_id is None or not self._due(kind):
            return False
        held = self._held.pop(kind, 0)
        more = f" (+{held} more since the last report)" if held else ""
        line = one_line(f"⚠ wnmrc-bot: {kind}: {detail}{more}", (self.bot.token,))
        try:
            await self.bot.send_message(self.chat_id, html.escape(line, quote=False))
        except Exception as error:  # a report must never break what it reports on
            logger.warning("operators' chat %s: report not sent: %s", self.chat_id, error)
            return False
        return True

    def report_soon(self, kind: str, detail: str) -> None:
        """``report`` from code that cannot wait (a callback): a task the reporter keeps."""
        task = asyncio.get_running_loop().create_task(self.report(kind, detail))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)


_REPORTERS: Final[
    weakref.WeakKeyDictionary[Application[Any, Any, Any, Any, Any, Any], OpsReporter]
] = weakref.WeakKeyDictionary()


def reporter_of(application: Application[Any, Any, Any, Any, Any, Any]) -> OpsReporter:
    """The application's reporter, made on first use from its settings' ``ops_chat_id``."""
    reporter = _REPORTERS.get(application)
    if reporter is None:
        services = getattr(application, "services", None)
        chat_id = services.settings.ops_chat_id if services is not None else None
        reporter = OpsReporter(application.bot, chat_id)
        _REPORTERS[application] = reporter
    return reporter
