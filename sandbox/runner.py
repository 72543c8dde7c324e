"""``wnmrc-bot sandbox``: the emulator, the real bot and a terminal chat in one process."""

from __future__ import annotations

import asyncio
import contextlib
import sys
import tempfile
from pathlib import Path

from bot.app import build_application, running
from config import Settings
from sandbox.emulator import Emulator
from sandbox.terminal import TerminalChat

SANDBOX_TOKEN = "123456789:SANDBOX-local-emulator-token-000000"
BANNER = """\
wnmrc-bot sandbox: the real bot, talking to a local Telegram emulator (no account needed).
You are {name}, in your private chat with the bot. Try /start, /help, /language.
/sandbox lists the sandbox's own commands (/as, /in, /people, /chats, /quit)."""


async def run_sandbox(settings: Settings, *, demo: bool, database: Path | None) -> int:
    with tempfile.TemporaryDirectory(prefix="wnmrc-sandbox-") as scratch:
        path = database or Path(scratch) / "sandbox.sqlite3"
        async with Emulator(token=SANDBOX_TOKEN, bot_username="wnmrc_sandbox_bot") as emulator:
            me = emulator.add_user("Alex", username="alex", language_code="en")
            secretariat = set(settings.secretariat_ids)
            if demo:
                from sandbox.demo import DemoNetwork

                network = DemoNetwork.build(emulator)
                secretariat |= network.secretariat_ids
            sandbox_settings = settings.model_copy(
                update={
                    "bot_api_url": emulator.api_root,
                    "database_path": path,
                    "secretariat_ids": frozenset(secretariat),
                }
            )
            application = build_application(sandbox_settings, token=SANDBOX_TOKEN)
            async with running(application, poll_timeout=1):
                if demo:
                    await network.load(application.services.repos, application.services.clock)
                    print(network.banner())
                return await _chat(TerminalChat(emulator, me))


async def _chat(terminal: TerminalChat) -> int:
    """Read lines and show the bot's answers; piped input waits for the bot before each line."""
    terminal.say(BANNER.format(name=terminal.me.first_name))
    interactive = sys.stdin.isatty()
    printer = asyncio.create_task(_print_as_they_come(terminal)) if interactive else None
    loop = asyncio.get_running_loop()
    try:
        while True:
            await _wait_for_the_bot(terminal, quiet=0.3 if interactive else 1.2)
            print(terminal.prompt, end="", flush=True)
            line = await loop.run_in_executor(None, sys.stdin.readline)
            if not line:
                print()
                return 0
            if not interactive:
                print(line.rstrip("\n"))
            if not terminal.handle(line):
                return 0
    finally:
        if printer is not None:
            printer.cancel()


async def _wait_for_the_bot(terminal: TerminalChat, quiet: float) -> None:
    """Let the bot finish answering (a rate-limited reply may wait a second), then show it."""
    with contextlib.suppress(TimeoutError):
        await terminal.emulator.settle(quiet=quiet, timeout=15.0)
    terminal.show_new()


async def _print_as_they_come(terminal: TerminalChat) -> None:
    """In a real terminal, print late answers as they arrive, then the prompt again."""
    while True:
        await asyncio.sleep(0.2)
        if terminal.shown < len(terminal.emulator.ledger):
            print()
            terminal.show_new()
            print(terminal.prompt, end="", flush=True)
