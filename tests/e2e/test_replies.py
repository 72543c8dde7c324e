"""A reply nobody reads (``bot.http.answer_unused``): sent as always, Telegram's answer not
parsed into a Message, errors raised as always; outside it every call returns its Message."""

from __future__ import annotations

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Message
from telegram.error import BadRequest

from bot.http import AiohttpRequest, answer_unused
from bot.logs import redact_bot_loggers
from sandbox.emulator import Emulator

from ..conftest import TOKEN


async def test_a_reply_nobody_reads_is_sent_and_not_parsed(emulator: Emulator) -> None:
    ana = emulator.add_user("Ana", started=True)
    chat_id = ana.private_chat.id
    redact_bot_loggers()  # PTB's Bot logs its URL, token included, at DEBUG
    async with Bot(TOKEN, base_url=emulator.base_url, request=AiohttpRequest()) as bot:
        with answer_unused():
            unread = await bot.send_message(chat_id, "<b>first</b>", parse_mode="HTML")
        read = await bot.send_message(chat_id, "second")
        with answer_unused():
            edited = await bot.edit_message_text("second, edited", chat_id, read.message_id)

    assert unread is True
    assert edited is True
    assert isinstance(read, Message)
    assert read.text == "second"
    assert [entry.text for entry in emulator.ledger[-3:]] == ["first", "second", "second, edited"]


async def test_an_error_is_raised_all_the_same(emulator: Emulator) -> None:
    ana = emulator.add_user("Ana", started=True)
    redact_bot_loggers()
    async with Bot(TOKEN, base_url=emulator.base_url, request=AiohttpRequest()) as bot:
        with answer_unused(), pytest.raises(BadRequest):
            await bot.send_message(ana.private_chat.id, "")
        with answer_unused(), pytest.raises(BadRequest):
            await bot.edit_message_text("nothing here", ana.private_chat.id, 999_999)


async def test_parameters_arrive_as_sent_whatever_the_text_and_the_keyboard(
    emulator: Emulator,
) -> None:
    """The request class sends parameters as one JSON object: Chinese, an emoji, HTML and a
    keyboard arrive as they were sent."""
    ana = emulator.add_user("Ana", started=True)
    text = "冰川 🏔️ <b>Sí</b> &amp; más"
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Sí", callback_data="gj:1")]])
    redact_bot_loggers()
    async with Bot(TOKEN, base_url=emulator.base_url, request=AiohttpRequest()) as bot:
        sent = await bot.send_message(
            ana.private_chat.id, text, parse_mode="HTML", reply_markup=keyboard
        )

    assert sent.text == "冰川 🏔️ Sí & más"
    entry = emulator.ledger[-1]
    assert entry.text == "冰川 🏔️ Sí & más"
    assert [[(b.text, b.data) for b in row] for row in entry.buttons] == [[("Sí", "gj:1")]]
