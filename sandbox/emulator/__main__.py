"""Run the emulator on its own: ``python -m sandbox.emulator --port 8081 --token T``."""

from __future__ import annotations

import argparse
import asyncio
import contextlib

from .emulator import Emulator
from .limits import TelegramLimits


def parse_arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m sandbox.emulator", description="A Telegram Bot API emulator on loopback."
    )
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--token", default="123456:TEST-token")
    parser.add_argument("--bot-username", default="wnmrc_test_bot")
    parser.add_argument("--rtt", type=float, default=0.0, help="seconds added to every answer")
    parser.add_argument("--no-rate-limits", action="store_true")
    return parser.parse_args(argv)


async def serve(arguments: argparse.Namespace) -> None:
    limits = TelegramLimits(rate_limited=not arguments.no_rate_limits)
    emulator = Emulator(
        arguments.token,
        bot_username=arguments.bot_username,
        rtt=arguments.rtt,
        limits=limits,
        port=arguments.port,
    )
    async with emulator:
        print(f"Bot API emulator: base_url={emulator.base_url}", flush=True)
        print(f"                  base_file_url={emulator.base_file_url}", flush=True)
        await asyncio.Event().wait()


def main(argv: list[str] | None = None) -> None:
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(parse_arguments(argv)))


if __name__ == "__main__":
    main()
