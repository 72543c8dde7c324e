"""Telegram errors are handled, never swallowed silently; menus are published per scope."""

from __future__ import annotations

import logging

import pytest

from bot.app import build_application, running
from config import Settings
from sandbox.emulator import Emulator

from ..conftest import TOKEN


@pytest.fixture
def publish_menus() -> bool:
    """This module checks the menus the bot publishes at start."""
    return True


@pytest.mark.usefixtures("app")
async def test_a_failed_reply_is_logged_and_the_person_told(
    emulator: Emulator, caplog: pytest.LogCaptureFixture
) -> None:
    ana = emulator.add_user("Ana", language_code="fr")
    emulator.faults.add("sendMessage", status=500)

    reply = await emulator.says(ana, "/help")

    assert reply.text.startswith("Désolé, quelque chose s’est mal passé de mon côté.")
    failures = [r for r in caplog.records if r.levelno == logging.ERROR and "failed" in r.message]
    assert failures, "the failure must be logged"
    assert f"chat {ana.id}" in failures[0].getMessage()
    assert TOKEN not in caplog.text


@pytest.mark.usefixtures("app")
async def test_a_person_who_blocked_the_bot_does_not_stop_it(
    emulator: Emulator, caplog: pytest.LogCaptureFixture
) -> None:
    ana = emulator.add_user("Ana")
    bob = emulator.add_user("Bob")
    await emulator.says(ana, "/start")
    emulator.block_bot(ana)

    emulator.send_text(ana, "/help")
    reply = await emulator.says(bob, "/help")

    assert reply.text.startswith("What you can do here")
    await emulator.wait_until(lambda: "could not tell chat" in caplog.text)
    assert "bot was blocked by the user" in caplog.text
    assert TOKEN not in caplog.text


@pytest.mark.usefixtures("app")
async def test_command_menus_are_published_per_scope_and_language(emulator: Emulator) -> None:
    await emulator.wait_until(
        lambda: emulator.commands({"type": "all_chat_administrators"}, "fr") is not None
    )

    private_es = emulator.commands({"type": "all_private_chats"}, "es")
    group_default = emulator.commands({"type": "all_group_chats"}, "")
    assert private_es is not None
    assert group_default is not None
    assert {"command": "language", "description": "Elegir el idioma en que te habla el bot"} in (
        private_es
    )
    assert "cancel" in [c["command"] for c in private_es]
    assert "cancel" not in [c["command"] for c in group_default]


async def test_a_failing_menu_publication_is_a_warning_not_a_stop(
    emulator: Emulator, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    emulator.faults.add("setMyCommands", status=400, description="Bad Request: test", times=100)
    application = build_application(settings)

    async with running(application, poll_timeout=1):
        ana = emulator.add_user("Ana")
        reply = await emulator.says(ana, "/start")
        await emulator.settle()

    assert reply.text.startswith("Welcome, Ana!")
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert any("could not publish" in r.getMessage() for r in warnings)


@pytest.mark.usefixtures("app")
async def test_a_tap_no_feature_declares_is_answered_and_changes_nothing(
    emulator: Emulator,
) -> None:
    ana = emulator.add_user("Ana", language_code="es")
    groups = await emulator.says(ana, "/groups")

    query = emulator.tap_data(ana, groups, "0")
    await emulator.wait_until(
        lambda: any(a.callback_query_id == query for a in emulator.callback_answers)
    )

    answer = next(a for a in emulator.callback_answers if a.callback_query_id == query)
    assert answer.text == "Este botón ya no es válido."
    assert emulator.message(groups.chat_id, groups.message_id).text == groups.text  # type: ignore[union-attr]
