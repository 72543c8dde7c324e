"""The operators' chat: failures reported there, one line each, at most one per kind per ten
minutes, never the token or a traceback."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from telegram import Bot

from bot.context import WnmrcApplication
from bot.delivery import enqueue, sender_of
from bot.http import AiohttpRequest
from bot.logs import redact_bot_loggers
from bot.ops import OpsReporter, one_line
from config import Settings
from sandbox.emulator import Emulator
from sandbox.emulator.world import SimChat
from storage.outbox import OutboxPayload, OutgoingMessage

from ..conftest import TOKEN, bot_settings


@pytest.fixture
def ops_chat(emulator: Emulator) -> SimChat:
    admin = emulator.add_user("Olga")
    return emulator.add_group("WNMRC operators", admins=[admin])


@pytest.fixture
def settings(emulator: Emulator, database_path: Path, ops_chat: SimChat) -> Settings:
    return bot_settings(emulator, database_path, ops_chat_id=ops_chat.id)


def _reports(emulator: Emulator, chat: SimChat) -> list[str]:
    return [entry.text or "" for entry in emulator.sent_to(chat)]


def _assert_one_clean_line(text: str) -> None:
    assert "\n" not in text
    assert "Traceback" not in text
    assert TOKEN.split(":")[1] not in text


async def test_a_failed_update_is_reported_once_in_ten_minutes(
    app: WnmrcApplication, emulator: Emulator, ops_chat: SimChat
) -> None:
    ana = emulator.add_user("Ana", language_code="es")
    emulator.faults.add("sendMessage", status=500, times=1)

    reply = await emulator.says(ana, "/help")
    assert reply.text.startswith("Lo siento")
    await emulator.wait_until(lambda: _reports(emulator, ops_chat))
    emulator.faults.add("sendMessage", status=500, times=1)
    again = await emulator.says(ana, "/help")
    assert again.text.startswith("Lo siento")
    await asyncio.sleep(0.3)

    reports = _reports(emulator, ops_chat)
    assert len(reports) == 1, reports
    assert reports[0].startswith("⚠ wnmrc-bot: update failed (NetworkError): update ")
    assert f"in chat {ana.id}" in reports[0]
    _assert_one_clean_line(reports[0])


async def test_failed_outbox_rows_are_reported_once(
    app: WnmrcApplication, emulator: Emulator, ops_chat: SimChat
) -> None:
    ana = emulator.add_user("Ana", started=True)
    broken = [
        OutgoingMessage(
            kind="announcement",
            chat_id=ana.id,
            dedupe_key=f"broken:{n}",
            payload=OutboxPayload(text=f"<b>unclosed {n}"),
            due_at=app.services.clock.now(),
        )
        for n in range(3)
    ]

    assert await enqueue(app, broken) == 3
    db = app.services.db
    for _ in range(100):
        if await db.fetch_value("SELECT count(*) FROM outbox WHERE status = 'failed'") == 3:
            break
        await asyncio.sleep(0.1)
    await emulator.wait_until(lambda: _reports(emulator, ops_chat), timeout=10)
    await asyncio.sleep(0.3)

    reports = _reports(emulator, ops_chat)
    assert len(reports) == 1, reports
    assert reports[0].startswith("⚠ wnmrc-bot: outbox message failed: row ")
    assert f"(announcement) to chat {ana.id}: 400: Can't parse entities" in reports[0]
    assert await db.fetch_value("SELECT count(*) FROM outbox WHERE status = 'failed'") == 3
    _assert_one_clean_line(reports[0])


async def test_a_sender_that_stops_is_reported(
    app: WnmrcApplication, emulator: Emulator, ops_chat: SimChat
) -> None:
    sender = sender_of(app)
    assert sender is not None
    assert sender.running
    task = app.services.runtime._task  # the sender is due work of the one runtime
    assert task is not None

    task.cancel()

    await emulator.wait_until(lambda: _reports(emulator, ops_chat))
    assert _reports(emulator, ops_chat) == [
        f"⚠ wnmrc-bot: outbox sender stopped: {sender.identity}: cancelled"
    ]


async def test_throttle_is_per_kind_and_counts_what_it_held_back(
    emulator: Emulator, ops_chat: SimChat
) -> None:
    now = [1000.0]
    redact_bot_loggers()  # PTB's Bot logs its URL, token included, at DEBUG
    async with Bot(TOKEN, base_url=emulator.base_url, request=AiohttpRequest()) as bot:
        reporter = OpsReporter(bot, ops_chat.id, monotonic=lambda: now[0])
        assert await reporter.report("outbox message failed", "row 1")
        assert not await reporter.report("outbox message failed", "row 2")
        assert await reporter.report("update failed (KeyError)", "update 7")
        now[0] += 599
        assert not await reporter.report("outbox message failed", "row 3")
        now[0] += 2
        assert await reporter.report("outbox message failed", "row 4")

    assert _reports(emulator, ops_chat) == [
        "⚠ wnmrc-bot: outbox message failed: row 1",
        "⚠ wnmrc-bot: update failed (KeyError): update 7",
        "⚠ wnmrc-bot: outbox message failed: row 4 (+2 more since the last report)",
    ]


async def test_no_operators_chat_means_no_report(emulator: Emulator) -> None:
    redact_bot_loggers()
    async with Bot(TOKEN, base_url=emulator.base_url, request=AiohttpRequest()) as bot:
        assert not await OpsReporter(bot, None).report("update failed (KeyError)", "x")
    assert not [c for c in emulator.calls if c.method == "sendMessage"]


def test_a_report_is_one_line_without_secrets() -> None:
    text = f"ClientError: 302 for https://api.telegram.org/bot{TOKEN}/getMe\n  File 'x.py'"

    line = one_line(text, (TOKEN,))

    assert line == "ClientError: 302 for https://api.telegram.org/bot<redacted>/getMe File 'x.py'"
    other = one_line("bot 987654321:AAEhBP0av28L9xLzcI1qsAbCdEfGhIjKlMn said" + "x" * 400)
    assert "987654321:" not in other
    assert len(other) == 300
