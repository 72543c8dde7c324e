"""A real PTB Application polling the emulator: the path the bot and its tests take."""

from __future__ import annotations

import asyncio
import html
from collections.abc import AsyncIterator

import pytest
from telegram import InlineKeyboardButton as Btn
from telegram import InlineKeyboardMarkup as Inline
from telegram import Update
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from sandbox.emulator import Emulator


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_user is not None
    assert update.effective_message is not None
    name = html.escape(update.effective_user.first_name)
    await update.effective_message.reply_html(
        f"Welcome, <b>{name}</b>!",
        reply_markup=Inline([[Btn("English", callback_data="lang:en")]]),
    )


async def choose_language(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None
    assert query.data is not None
    await query.answer("Saved")
    await query.edit_message_text(f"Language: {query.data.removeprefix('lang:')}")


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None
    assert update.effective_message.text is not None
    await update.effective_message.reply_text(update.effective_message.text)


@pytest.fixture
async def application(emu: Emulator) -> AsyncIterator[Application]:  # type: ignore[type-arg]
    app = (
        ApplicationBuilder()
        .token(emu.token)
        .base_url(emu.base_url)
        .base_file_url(emu.base_file_url)
        .concurrent_updates(True)
        .build()
    )
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CallbackQueryHandler(choose_language, pattern="^lang:"))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(timeout=1, poll_interval=0)
        yield app
        await app.updater.stop()
        await app.stop()


@pytest.mark.usefixtures("application")
async def test_a_conversation_with_buttons(emu: Emulator) -> None:
    ana = emu.add_user("Ana <3")

    welcome = await emu.says(ana, "/start")
    emu.tap(ana, welcome, "English")
    await emu.wait_until(lambda: emu.callback_answers)

    assert welcome.text == "Welcome, Ana <3!"
    assert welcome.button_texts == ["English"]
    await emu.wait_until(lambda: emu.ledger[-1].kind == "edit")
    current = emu.message(ana.id, welcome.message_id)
    assert current is not None
    assert current.text == "Language: en"
    assert emu.callback_answers[0].text == "Saved"
    assert "deleteWebhook" in [call.method for call in emu.calls]


@pytest.mark.usefixtures("application")
async def test_many_people_at_once(emu: Emulator) -> None:
    people = [emu.add_user(f"Person {n}") for n in range(20)]

    replies = await asyncio.gather(*(emu.says(p, f"hello {p.id}") for p in people))

    assert [r.text for r in replies] == [f"hello {p.id}" for p in people]
    assert emu.stats.too_many_requests == 0


@pytest.mark.usefixtures("application")
async def test_settle_shows_that_the_bot_said_nothing(emu: Emulator) -> None:
    ana = emu.add_user("Ana")
    group = emu.add_group("WG", members=[ana], bot_is_admin=False)

    emu.send_text(ana, "chatter the bot never sees", group)
    await emu.settle(quiet=0.1)

    assert emu.ledger == []
    assert emu.pending_updates == 0


@pytest.mark.usefixtures("application")
async def test_latency_is_added_to_every_answer(emu: Emulator) -> None:
    ana = emu.add_user("Ana")
    emu.rtt = 0.1

    loop = asyncio.get_running_loop()
    started = loop.time()
    await emu.says(ana, "slow network")

    assert loop.time() - started >= 0.1
