"""``python -m sandbox.emulator`` serves on its own and tells where."""

from __future__ import annotations

import asyncio
import sys

import aiohttp
import telegram

from sandbox.emulator import Emulator


async def test_the_module_runs_standalone() -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "sandbox.emulator",
        "--port",
        "0",
        "--token",
        "42:standalone",
        stdout=asyncio.subprocess.PIPE,
    )
    try:
        assert process.stdout is not None
        line = (await asyncio.wait_for(process.stdout.readline(), 10)).decode()
        base_url = line.split("base_url=")[1].strip()
        async with (
            aiohttp.ClientSession() as session,
            session.post(f"{base_url}42:standalone/getMe") as response,
        ):
            body = await response.json()
    finally:
        process.terminate()
        await process.wait()

    assert body["result"]["id"] == 42


async def test_privacy_mode_can_be_switched_off() -> None:
    async with Emulator(privacy_mode=False) as emu:
        ana = emu.add_user("Ana")
        group = emu.add_group("WG", members=[ana], bot_is_admin=False)
        emu.send_text(ana, "chatter", group)
        async with telegram.Bot(emu.token, base_url=emu.base_url) as bot:
            me = await bot.get_me()
            updates = await bot.get_updates()

    assert me.can_read_all_group_messages
    assert [u.message.text for u in updates if u.message] == ["chatter"]


async def test_channel_posts_come_from_the_channel() -> None:
    async with Emulator() as emu:
        channel = emu.add_group("News", kind="channel", username="wnmrc_news")
        async with telegram.Bot(emu.token, base_url=emu.base_url) as bot:
            post = await bot.send_message("@wnmrc_news", "Digest")

    assert post.sender_chat is not None
    assert post.sender_chat.id == channel.id
    assert post.from_user is None
