"""``wnmrc-bot sandbox``: the emulator, the real bot and a terminal chat in one process."""

from __future__ import annotations

import asyncio
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
    terminal.say(BANNER.format(name=terminal.me.first_name))
    loop = asyncio.get_running_loop()
    while True:
        await terminal.emulator.settle(quiet=0.15, timeout=10.0)
        terminal.show_new()
        print(terminal.prompt, end="", flush=True)
        line = await loop.run_in_executor(None, sys.stdin.readline)
        if not line:
            print()
            return 0
        if not sys.stdin.isatty():
            print(line.rstrip("\n"))
        if not terminal.handle(line):
            return 0
