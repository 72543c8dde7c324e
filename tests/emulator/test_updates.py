"""getUpdates (offset, limit, long polling, allowed_updates, conflicts) and webhooks."""

from __future__ import annotations

import asyncio
import json
import socket
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
import telegram
from aiohttp import web
from telegram.error import Conflict

from sandbox.emulator import Emulator, SimUser

from .conftest import RawApi


async def test_pending_updates_come_in_order_until_confirmed(
    bot: telegram.Bot, emu: Emulator, ana: SimUser
) -> None:
    for text in ("one", "two", "three"):
        emu.send_text(ana, text)

    first = await bot.get_updates(limit=2)
    again = await bot.get_updates()
    rest = await bot.get_updates(offset=first[-1].update_id + 1)

    assert [u.message.text for u in first if u.message] == ["one", "two"]
    assert [u.update_id for u in again] == [u.update_id for u in first] + [rest[0].update_id]
    assert [u.message.text for u in rest if u.message] == ["three"]
    assert emu.pending_updates == 1
    assert await bot.get_updates(offset=rest[0].update_id + 1) == ()
    assert emu.pending_updates == 0


async def test_a_negative_offset_keeps_only_the_latest(
    bot: telegram.Bot, emu: Emulator, ana: SimUser
) -> None:
    for text in ("one", "two", "three"):
        emu.send_text(ana, text)

    latest = await bot.get_updates(offset=-1)

    assert [u.message.text for u in latest if u.message] == ["three"]
    assert emu.pending_updates == 1


async def test_a_long_poll_answers_as_soon_as_an_update_arrives(
    bot: telegram.Bot, emu: Emulator, ana: SimUser
) -> None:
    async def later() -> None:
        await asyncio.sleep(0.1)
        emu.send_text(ana, "wake up")

    started = time.monotonic()
    waker = asyncio.create_task(later())
    updates = await bot.get_updates(timeout=5)
    await waker

    assert [u.message.text for u in updates if u.message] == ["wake up"]
    assert time.monotonic() - started < 1.0


async def test_a_long_poll_without_updates_ends_empty_after_its_timeout(api: RawApi) -> None:
    started = time.monotonic()

    answer = await api.form("getUpdates", timeout=1)

    assert answer.result == []
    assert 0.9 < time.monotonic() - started < 2.0


async def test_a_second_poll_terminates_the_first(api: RawApi) -> None:
    first = asyncio.create_task(api.form("getUpdates", timeout=5))
    await asyncio.sleep(0.1)

    second = asyncio.create_task(api.form("getUpdates", timeout=0))
    older, newer = await asyncio.gather(first, second)

    assert older.status == 409
    assert older.description == (
        "Conflict: terminated by other getUpdates request; make sure that only one bot "
        "instance is running"
    )
    assert newer.result == []


async def test_ptb_sees_the_conflict(bot: telegram.Bot, api: RawApi) -> None:
    waiting = asyncio.create_task(bot.get_updates(timeout=5))
    await asyncio.sleep(0.1)
    await api.form("getUpdates")

    with pytest.raises(Conflict, match="terminated by other getUpdates request"):
        await waiting


async def test_allowed_updates_filter_what_is_delivered(
    bot: telegram.Bot, emu: Emulator, ana: SimUser
) -> None:
    bob = emu.add_user("Bob")
    group = emu.add_group("WG", members=[ana])

    emu.add_member(group, bob)
    by_default = await bot.get_updates()
    emu.remove_member(group, bob)
    next_id = by_default[-1].update_id + 1
    only_members = await bot.get_updates(next_id, allowed_updates=["chat_member"])
    emu.add_member(group, bob)
    next_id = only_members[-1].update_id + 1
    kept = await bot.get_updates(next_id, allowed_updates=[])

    assert [_kind(u) for u in by_default] == ["message"]
    assert by_default[0].message is not None
    assert by_default[0].message.new_chat_members == (telegram.User(bob.id, "Bob", False),)
    assert [_kind(u) for u in only_members] == ["chat_member"]
    assert [_kind(u) for u in kept] == ["chat_member"]
    assert kept[0].chat_member is not None
    assert kept[0].chat_member.new_chat_member.status == "member"


def _kind(update: telegram.Update) -> str:
    payload = update.to_dict()
    return next(key for key in payload if key != "update_id")


class WebhookTarget:
    """A local HTTP server standing in for the bot's webhook endpoint."""

    def __init__(self, failures: int = 0) -> None:
        self.received: list[tuple[dict[str, Any], str | None]] = []
        self.failures = failures
        self.url = ""

    async def handle(self, request: web.Request) -> web.Response:
        if self.failures > 0:
            self.failures -= 1
            return web.Response(status=500)
        secret = request.headers.get("X-Telegram-Bot-Api-Secret-Token")
        self.received.append((json.loads(await request.read()), secret))
        return web.Response(text="ok")


@pytest.fixture
async def target() -> AsyncIterator[WebhookTarget]:
    hook = WebhookTarget(failures=1)
    app = web.Application()
    app.router.add_post("/hook", hook.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    await web.SockSite(runner, sock).start()
    hook.url = f"http://127.0.0.1:{sock.getsockname()[1]}/hook"
    yield hook
    await runner.cleanup()


async def test_a_webhook_receives_updates_with_its_secret_after_retries(
    bot: telegram.Bot, emu: Emulator, ana: SimUser, target: WebhookTarget
) -> None:
    assert await bot.set_webhook(target.url, secret_token="s3cret")
    emu.send_text(ana, "/start")

    await emu.wait_until(lambda: target.received)
    info = await bot.get_webhook_info()

    update, secret = target.received[0]
    assert update["message"]["text"] == "/start"
    assert secret == "s3cret"
    assert (info.url, info.pending_update_count) == (target.url, 0)
    assert info.last_error_message is not None
    await emu.settle(quiet=0.05)


async def test_get_updates_conflicts_with_an_active_webhook(
    bot: telegram.Bot, target: WebhookTarget
) -> None:
    await bot.set_webhook(target.url)

    with pytest.raises(Conflict, match="can't use getUpdates method while webhook is active"):
        await bot.get_updates()

    assert await bot.delete_webhook()
    assert await bot.get_updates() == ()
    assert (await bot.get_webhook_info()).url == ""


async def test_setting_a_webhook_ends_a_waiting_poll(
    bot: telegram.Bot, emu: Emulator, api: RawApi, target: WebhookTarget
) -> None:
    waiting = asyncio.create_task(api.form("getUpdates", timeout=5))
    for _ in range(100):  # until the poll waits in the emulator (a loaded machine is slow)
        if emu.backend.updates.poll_waiting:
            break
        await asyncio.sleep(0.02)
    assert emu.backend.updates.poll_waiting

    await bot.set_webhook(target.url)

    assert (await waiting).description == "Conflict: terminated by setWebhook request"


async def test_delete_webhook_may_drop_pending_updates(
    bot: telegram.Bot, emu: Emulator, ana: SimUser
) -> None:
    emu.send_text(ana, "old news")

    await bot.delete_webhook(drop_pending_updates=True)

    assert emu.pending_updates == 0
    assert await bot.get_updates() == ()
