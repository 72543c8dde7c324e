"""The emulator: a Bot API server on loopback, its simulated people, and what the bot did."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any

from aiohttp import web

from . import snapshot
from .backend import Backend
from .faults import FaultScript
from .journal import CallbackAnswer, CallRecord, LedgerEntry, Stats
from .limits import TelegramLimits
from .methods.commands import menu_for, scope_key
from .people import ChatRef, People
from .server import ApiServer
from .world import SimChat, SimMessage, SimUser, World


class Emulator(People):
    """A strict, in-process Telegram Bot API server for one bot.

    >>> async with Emulator() as emu:
    ...     app = ApplicationBuilder().token(emu.token).base_url(emu.base_url)
    """

    def __init__(
        self,
        token: str = "123456:TEST-token",
        *,
        bot_username: str = "wnmrc_test_bot",
        bot_first_name: str = "WNMRC",
        rtt: float = 0.0,
        limits: TelegramLimits | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        privacy_mode: bool = True,
        strict_ampersand: bool = True,
    ) -> None:
        bot = SimUser(_bot_id(token), bot_first_name, username=bot_username, is_bot=True)
        self.token = token
        self.host = host
        self.port = port
        self.backend = Backend(
            World(bot),
            limits or TelegramLimits(),
            privacy_mode=privacy_mode,
            strict_ampersand=strict_ampersand,
        )
        self.faults = FaultScript()
        self._server = ApiServer(self.backend, self.faults, token, rtt)
        self._runner: web.AppRunner | None = None

    # lifecycle

    async def start(self) -> Emulator:
        """Listen on ``host`` (a free port unless one was given)."""
        runner = web.AppRunner(
            self._server.application(), access_log=None, handle_signals=False, shutdown_timeout=1.0
        )
        await runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, self.port))
        await web.SockSite(runner, sock).start()
        self.port = sock.getsockname()[1]
        self._runner = runner
        return self

    async def stop(self) -> None:
        self.backend.updates.close()
        await self.backend.webhook.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Emulator:
        return await self.start()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.stop()

    # addresses and settings

    @property
    def api_root(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        """For ``ApplicationBuilder().base_url(...)``: PTB appends the token."""
        return f"{self.api_root}/bot"

    @property
    def base_file_url(self) -> str:
        return f"{self.api_root}/file/bot"

    @property
    def rtt(self) -> float:
        """Seconds each Bot API answer takes on top of the work (half in, half out)."""
        return self._server.rtt

    @rtt.setter
    def rtt(self, seconds: float) -> None:
        self._server.rtt = seconds

    @property
    def bot(self) -> SimUser:
        return self.backend.world.bot

    @property
    def world(self) -> World:
        return self.backend.world

    @property
    def users(self) -> list[SimUser]:
        """Every simulated person, oldest first (the bot excluded)."""
        return list(self.world.users.values())

    @property
    def chats(self) -> list[SimChat]:
        """Every chat, private ones included, oldest first."""
        return list(self.world.chats.values())

    def user(self, user_id: int) -> SimUser | None:
        return self.world.users.get(user_id)

    def chat(self, chat_id: int | str) -> SimChat | None:
        """A chat by id, or a public one by "@username"."""
        return self.world.find_chat(chat_id)

    def find_user(self, name: str) -> SimUser | None:
        """A person by first name, full name or @username (case-insensitive)."""
        wanted = name.removeprefix("@").casefold()
        for person in self.world.users.values():
            names = (person.first_name, person.full_name, person.username or "")
            if wanted in (n.casefold() for n in names):
                return person
        return None

    @property
    def pending_updates(self) -> int:
        """Updates queued for the bot and not yet confirmed by it."""
        return self.backend.updates.pending_count

    @property
    def calls_in_flight(self) -> int:
        """Bot API calls received and not yet answered (getUpdates aside): with a round trip
        set, a call is in flight from the moment it arrives until its answer leaves."""
        return self.backend.journal.in_flight

    # what the bot did

    @property
    def ledger(self) -> list[LedgerEntry]:
        return self.backend.journal.ledger

    @property
    def calls(self) -> list[CallRecord]:
        return self.backend.journal.calls

    @property
    def stats(self) -> Stats:
        return self.backend.journal.stats

    @property
    def callback_answers(self) -> list[CallbackAnswer]:
        return self.backend.journal.callback_answers

    def message(self, chat_id: int, message_id: int) -> SimMessage | None:
        """A message as it is now (after edits), or None if it never existed or was deleted."""
        chat = self.world.chats.get(chat_id)
        return chat.message(message_id) if chat is not None else None

    def commands(
        self, scope: dict[str, Any] | None = None, language_code: str = ""
    ) -> list[dict[str, str]] | None:
        """The list setMyCommands stored for exactly this scope and language (None if none)."""
        stored = self.backend.commands.get((scope_key(self.backend, scope), language_code))
        return None if stored is None else [dict(command) for command in stored]

    def menu(self, user: SimUser, chat: ChatRef | None = None) -> list[dict[str, str]]:
        """The command menu ``user``'s app shows in ``chat`` (their private chat by default)."""
        target = user.private_chat.id if chat is None else self._chat_id(chat)
        return menu_for(self.backend, user.id, target)

    def save(self, path: Path, notes: dict[str, Any] | None = None) -> None:
        """Keep the people, chats, messages, menus and ledger (and ``notes``) in ``path``."""
        snapshot.save(self.backend, path, notes)

    def restore(self, path: Path) -> dict[str, Any] | None:
        """Before anything is added: take back what :meth:`save` kept; its notes, or None."""
        return snapshot.restore(self.backend, path)

    def sent_to(self, chat: ChatRef) -> list[LedgerEntry]:
        """Every message the bot sent to a chat, oldest first."""
        return self.backend.journal.sent_to(self._chat_id(chat))

    async def next_message(
        self,
        chat: ChatRef,
        timeout: float = 5.0,  # noqa: ASYNC109 - the public API names it like asyncio does
        *,
        after: int = 0,
    ) -> LedgerEntry:
        """The next message the bot sent to ``chat`` after the last one returned for it.

        ``after`` (a ledger length) skips older messages. Raises TimeoutError listing what
        the bot did instead.
        """
        chat_id = self._chat_id(chat)
        journal = self.backend.journal
        found: list[LedgerEntry] = []

        def arrived() -> bool:
            entry = journal.next_sent(chat_id, after)
            if entry is not None:
                found.append(entry)
            return entry is not None

        def failure() -> str:
            return (
                f"the bot sent nothing (more) to chat {chat_id} within {timeout} s; "
                f"its latest messages and refused calls:\n{journal.describe_recent()}"
            )

        await journal.wait_until(arrived, timeout, failure)
        return found[0]

    async def says(
        self,
        user: SimUser,
        text: str,
        chat: ChatRef | None = None,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> LedgerEntry:
        """``user`` writes ``text``; returns the bot's first message in that chat after it."""
        mark = len(self.ledger)
        target = self._chat(user, chat)
        self.send_text(user, text, target)
        return await self.next_message(target, timeout, after=mark)

    async def answer_to(
        self,
        query_id: str,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> CallbackAnswer:
        """The bot's answer to a tap (``tap`` and ``tap_data`` return the query's id), once
        it came."""

        def answered() -> bool:
            return any(a.callback_query_id == query_id for a in self.callback_answers)

        await self.wait_until(answered, timeout)
        return next(a for a in self.callback_answers if a.callback_query_id == query_id)

    async def wait_until(
        self,
        predicate: Callable[[], object],
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> None:
        """Wait until ``predicate()`` is true, re-checking whenever the bot acts."""
        name = getattr(predicate, "__name__", repr(predicate))
        journal = self.backend.journal

        def failure() -> str:
            recent = journal.describe_recent()
            return f"{name} still false after {timeout} s; the bot's latest:\n{recent}"

        await journal.wait_until(predicate, timeout, failure)

    async def settle(
        self,
        quiet: float = 0.2,
        timeout: float = 5.0,  # noqa: ASYNC109
        *,
        wait_out_retries: bool = False,
    ) -> None:
        """Wait until the bot fetched every queued update and made no call for ``quiet`` s
        (and, with ``wait_out_retries``, until the ``retry_after`` of its latest 429 passed)."""
        journal, updates = self.backend.journal, self.backend.updates
        deadline = time.monotonic() + timeout
        while True:
            now = time.monotonic()
            busy = updates.has_undelivered() or journal.in_flight > 0
            retrying = wait_out_retries and now < journal.retry_due
            idle = now - journal.last_activity
            if not busy and not retrying and idle >= quiet:
                return
            if now >= deadline:
                raise TimeoutError(
                    f"not settled after {timeout} s: {updates.pending_count} updates pending, "
                    f"{journal.in_flight} calls in flight"
                )
            pause = deadline - now if busy else min(deadline - now, quiet - idle)
            if retrying:
                pause = max(pause, min(deadline, journal.retry_due) - now)
            await journal.changed.wait(pause)

    def _chat_id(self, chat: ChatRef) -> int:
        if isinstance(chat, int):
            return chat
        if isinstance(chat, SimUser):
            return chat.private_chat.id
        return chat.id


def _bot_id(token: str) -> int:
    prefix = token.split(":", 1)[0]
    return int(prefix) if prefix.isdigit() else 1_000_000
