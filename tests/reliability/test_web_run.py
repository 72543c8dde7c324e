"""``wnmrc-bot run`` with WNMRC_PUBLIC_URL: the web pages come up with the bot and go with it on
SIGTERM; a port already taken stops it at start with one line naming the setting."""

from __future__ import annotations

import asyncio
import signal
import socket
from pathlib import Path

import aiohttp

from sandbox.emulator import Emulator
from sandbox.mail import free_port

from ..conftest import TOKEN
from .processes import bot_environment, start_bot


def web_environment(emulator: Emulator, tmp_path: Path, port: int) -> dict[str, str]:
    return bot_environment(TOKEN, emulator.api_root, tmp_path / "bot.sqlite3") | {
        "WNMRC_PUBLIC_URL": f"http://127.0.0.1:{port}",
        "WNMRC_WEB_PORT": str(port),
    }


async def status_of(url: str) -> int | None:
    """The HTTP status at ``url``, or None when nothing listens there."""
    try:
        async with aiohttp.ClientSession() as session, session.get(url) as response:
            return response.status
    except aiohttp.ClientConnectionError:
        return None


async def test_the_pages_live_and_stop_with_the_bot(emulator: Emulator, tmp_path: Path) -> None:
    port = free_port()
    log = tmp_path / "bot.log"
    process = await start_bot(web_environment(emulator, tmp_path, port), log)
    try:
        gallery = f"http://127.0.0.1:{port}/experiences"
        async with asyncio.timeout(30):
            while await status_of(gallery) != 200:
                assert process.returncode is None, log.read_text()
                await asyncio.sleep(0.2)
        assert await status_of(f"http://127.0.0.1:{port}/calendar/{'x' * 43}.ics") == 404
        process.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(process.wait(), 30)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    text = log.read_text()
    assert code == 0, text
    assert await status_of(gallery) is None
    assert "Traceback" not in text
    assert TOKEN.split(":")[1] not in text


async def test_a_taken_port_is_one_line_naming_it(emulator: Emulator, tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = int(taken.getsockname()[1])
        log = tmp_path / "bot.log"
        process = await start_bot(web_environment(emulator, tmp_path, port), log)
        code = await asyncio.wait_for(process.wait(), 60)
    text = log.read_text()
    assert code != 0, text
    assert "WNMRC_WEB_PORT" in text
    assert "Traceback" not in text
