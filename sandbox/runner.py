"""``wnmrc-bot sandbox``: the emulator, the real bot and a terminal chat in one process.

The sandbox's folder holds its database, the chats (``NAME.chats``, beside ``--database``) and
the files the bot sends (``NAME-files/``). Without ``--database`` it is a temporary folder,
removed when the sandbox stops; with it, the people, chats and messages survive a restart.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from bot.app import build_application, running
from bot.context import WnmrcApplication
from config import Settings
from sandbox.emulator import Emulator, SimUser
from sandbox.terminal import TerminalChat

SANDBOX_TOKEN = "123456789:SANDBOX-local-emulator-token-000000"
BANNER = """\
wnmrc-bot sandbox: the real bot, talking to a local Telegram emulator (no account needed).
You are {name}, in your private chat with the bot. Try /start, /help, /language, /menu.
/sandbox lists the sandbox's own commands (/as, /in, /people, /chats, /photo, /file, /quit).
Files the bot sends are saved in {files}"""
QUIET = 0.3
"""Seconds without a Bot API call after which the bot counts as done answering."""
ANSWER_TIMEOUT = 15.0
BRACKETED_PASTE_ON, BRACKETED_PASTE_OFF = "\033[?2004h", "\033[?2004l"


async def run_sandbox(settings: Settings, *, demo: bool, database: Path | None) -> int:
    with (
        tempfile.TemporaryDirectory(prefix="wnmrc-sandbox-") as scratch,
        contextlib.ExitStack() as stack,
    ):
        path = database or Path(scratch) / "sandbox.sqlite3"
        chats = path.with_name(f"{path.stem}.chats") if database else None
        async with Emulator(token=SANDBOX_TOKEN, bot_username="wnmrc_sandbox_bot") as emulator:
            notes = emulator.restore(chats) if chats else None
            me = _person(emulator, (notes or {}).get("me"))
            secretariat = set(settings.secretariat_ids)
            if demo:
                from sandbox.demo import DemoNetwork

                network = DemoNetwork.build(emulator)
                secretariat |= network.secretariat_ids
            files = path.resolve().with_name(f"{path.stem}-files")
            terminal = TerminalChat(emulator, me, files=files)
            mail = stack.enter_context(
                mail_catcher(path.resolve().with_name(f"{path.stem}-mail"), terminal)
            )
            sandbox_settings = settings.model_copy(
                update={
                    "bot_api_url": emulator.api_root,
                    "database_path": path,
                    "secretariat_ids": frozenset(secretariat),
                    **_web_pages(settings),
                    **mail_settings(mail),
                }
            )
            application = build_application(sandbox_settings, token=SANDBOX_TOKEN)
            if notes is not None:
                terminal.chat = emulator.chat(notes.get("chat", me.id)) or me.private_chat
            async with running(application, poll_timeout=1):
                if demo:
                    await network.load(application.services.repos, application.services.clock)
                    print(network.banner())
                _announce_web_pages(application)
                busy = _handling_updates(application)
                code = await _chat(terminal, chats, busy, restored=notes is not None)
            _keep(terminal, chats)  # with what the bot sent while it stopped
            return code


def _web_pages(settings: Settings) -> dict[str, Any]:
    """The web pages on a free loopback port, unless the operator chose an address."""
    if settings.public_url is not None:
        return {}
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    return {"public_url": f"http://127.0.0.1:{port}", "web_listen": "127.0.0.1", "web_port": port}


def _announce_web_pages(application: WnmrcApplication) -> None:
    server = application.services.web_server
    if server is not None:
        public = application.services.settings.public_url
        print(f"Web pages (the gallery, answer links, calendar feeds): {public}/experiences")


@contextlib.contextmanager
def mail_catcher(folder: Path, terminal: TerminalChat) -> Iterator[Any]:
    """A local SMTP server that saves the bot's e-mail in ``folder`` and prints each one's
    recipient, subject and .eml path (None when aiosmtpd, a development package, is missing)."""
    try:
        from sandbox.mail import CaughtMail, MailCatcher
    except ImportError:
        terminal.say("E-mail is off: the mail catcher needs aiosmtpd (requirements/dev.txt).")
        yield None
        return
    loop = asyncio.get_running_loop()

    def show(mail: CaughtMail) -> None:
        line = f"📧 e-mail to {', '.join(mail.recipients)}: {mail.subject} — saved as {mail.path}"
        loop.call_soon_threadsafe(terminal.say, line)

    with MailCatcher(folder, on_mail=show) as catcher:
        terminal.say(f"E-mail goes to a local SMTP server ({catcher.url}); saved in {folder}")
        yield catcher


def mail_settings(catcher: Any) -> dict[str, Any]:
    """The bot's e-mail settings pointing at the sandbox's own SMTP server."""
    if catcher is None:
        return {}
    return {
        "smtp_url": SecretStr(catcher.url),
        "mail_from": "WNMRC sandbox <bot@sandbox.invalid>",
        "mail_rate_per_minute": 600,
    }


def _person(emulator: Emulator, user_id: Any) -> SimUser:
    """Who the terminal speaks as: the person of the last session, else Alex."""
    if isinstance(user_id, int) and (person := emulator.user(user_id)) is not None:
        return person
    return emulator.find_user("alex") or emulator.add_user(
        "Alex", username="alex", language_code="en"
    )


async def _chat(
    terminal: TerminalChat, chats: Path | None, busy: Callable[[], bool], *, restored: bool
) -> int:
    """Read lines and show the bot's answers; piped input waits for the bot before each line."""
    terminal.say(BANNER.format(name=terminal.me.first_name, files=terminal.files))
    if restored:
        terminal.show_history()
    interactive = sys.stdin.isatty()
    printer = asyncio.create_task(_print_as_they_come(terminal)) if interactive else None
    if interactive:
        print(BRACKETED_PASTE_ON, end="", flush=True)
    try:
        return await _read_lines(terminal, chats, busy, interactive=interactive)
    finally:
        if printer is not None:
            printer.cancel()
            print(BRACKETED_PASTE_OFF, end="", flush=True)
        _keep(terminal, chats)


async def _read_lines(
    terminal: TerminalChat, chats: Path | None, busy: Callable[[], bool], *, interactive: bool
) -> int:
    loop = asyncio.get_running_loop()
    while True:
        if not terminal.lines.pending:
            await _wait_for_the_bot(terminal, busy)
        terminal.show_prompt()
        line = await loop.run_in_executor(None, sys.stdin.readline)
        terminal.prompt_showing = False
        if not line:
            print()
            return 0
        if not interactive:
            print(line.rstrip("\n").replace("\x1b[200~", "").replace("\x1b[201~", ""))
        handled = terminal.feed(line)
        if handled is False:
            return 0
        if handled:
            _keep(terminal, chats)


def _keep(terminal: TerminalChat, chats: Path | None) -> None:
    """With ``--database``: save the chats, and who spoke where, for the next start."""
    if chats is not None and terminal.chat is not None:
        terminal.emulator.save(chats, {"me": terminal.me.id, "chat": terminal.chat.id})


async def _wait_for_the_bot(terminal: TerminalChat, busy: Callable[[], bool]) -> None:
    """Let the bot finish answering, then show it: every update handled, no call for a moment,
    and a reply refused with 429 retried (a rate-limited reply may wait a second)."""
    deadline = time.monotonic() + ANSWER_TIMEOUT
    while True:
        with contextlib.suppress(TimeoutError):
            await terminal.emulator.settle(
                quiet=QUIET, timeout=max(0.1, deadline - time.monotonic()), wait_out_retries=True
            )
        if not busy() or time.monotonic() >= deadline:
            break
        await asyncio.sleep(QUIET / 4)
    terminal.show_new()


def _handling_updates(application: WnmrcApplication) -> Callable[[], bool]:
    """Whether the bot still has updates in its queue or in its handlers."""

    def busy() -> bool:
        processing = application.update_processor.current_concurrent_updates
        return processing > 0 or not application.update_queue.empty()

    return busy


async def _print_as_they_come(terminal: TerminalChat) -> None:
    """In a real terminal, print late answers while the prompt waits, then the prompt again."""
    while True:
        await asyncio.sleep(0.2)
        if terminal.prompt_showing and not terminal.lines.pending:
            terminal.show_new()
            terminal.show_prompt()
