"""/start, deep links, /help and /cancel as members see them, in their languages."""

from __future__ import annotations

import pytest

from sandbox.emulator import Emulator
from storage import Repositories

pytestmark = pytest.mark.usefixtures("app")

WELCOME = {
    "en": "Welcome, Ana!",
    "es": "¡Te damos la bienvenida, Ana!",
    "zh": "欢迎您，Ana！",
    "fr": "Bienvenue, Ana\u202f!",
}


@pytest.mark.parametrize(
    ("language_code", "language"),
    [
        ("en", "en"),
        ("es", "es"),
        ("es-419", "es"),
        ("zh-hans", "zh"),
        ("fr", "fr"),
        ("pt-br", "es"),
    ],
)
async def test_start_welcomes_in_the_persons_language(
    emulator: Emulator, repos: Repositories, language_code: str, language: str
) -> None:
    ana = emulator.add_user("Ana", username="ana", language_code=language_code)

    reply = await emulator.says(ana, "/start")

    assert reply.text.startswith(WELCOME[language])
    assert "/help" in reply.text
    person = await repos.people.by_telegram_id(ana.id)
    assert person is not None
    assert person.first_name == "Ana"
    assert person.telegram_language == language_code
    assert person.started_at is not None
    assert (await repos.chats.get(ana.id)) is not None


async def test_start_without_language_code_uses_the_network_default(emulator: Emulator) -> None:
    ana = emulator.add_user("Ana", language_code=None)

    reply = await emulator.says(ana, "/start")

    assert reply.text.startswith(WELCOME["en"])


async def test_deep_link_to_a_working_group_names_the_group(emulator: Emulator) -> None:
    ana = emulator.add_user("Ana", language_code="es")

    reply = await emulator.says(ana, "/start join_climate")

    first_line = reply.text.splitlines()[0]
    assert "grupo de trabajo" in first_line
    assert "Cambio climático" in first_line
    assert WELCOME["es"] in reply.text


@pytest.mark.parametrize("payload", ["join_nowhere", "whatever", "join_" + "x" * 70])
async def test_stale_or_unknown_deep_link_says_so_and_still_welcomes(
    emulator: Emulator, payload: str
) -> None:
    ana = emulator.add_user("Ana", language_code="fr")

    reply = await emulator.says(ana, f"/start {payload}")

    assert reply.text.startswith("Ce lien n’est pas (ou plus) valide.")
    assert WELCOME["fr"] in reply.text


async def test_start_in_a_group_points_to_the_private_chat(emulator: Emulator) -> None:
    ana = emulator.add_user("Ana", language_code="en")
    group = emulator.add_group("Climate WG", members=[ana])

    reply = await emulator.says(ana, "/start@wnmrc_test_bot", chat=group)

    assert reply.text.startswith("Hello! I am the assistant of the working groups")
    assert "private chat" in reply.text


@pytest.mark.parametrize(
    ("language_code", "title", "line"),
    [
        ("en", "What you can do here", "/language — Choose the language the bot speaks to you"),
        ("es", "Lo que puedes hacer aquí", "/language — Elegir el idioma en que te habla el bot"),
        ("zh", "您可以在这里做什么", "/language — 选择机器人与您交流的语言"),
        (
            "fr",
            "Ce que vous pouvez faire ici",
            "/language — Choisir la langue dans laquelle le bot vous parle",
        ),
    ],
)
async def test_help_lists_the_commands_in_the_persons_language(
    emulator: Emulator, language_code: str, title: str, line: str
) -> None:
    ana = emulator.add_user("Ana", language_code=language_code)

    reply = await emulator.says(ana, "/help")

    assert reply.text.splitlines()[0] == title
    assert line in reply.text.splitlines()
    assert reply.entities[0]["type"] == "bold"


async def test_help_in_a_group_leaves_out_private_only_commands(emulator: Emulator) -> None:
    ana = emulator.add_user("Ana")
    group = emulator.add_group("Biodiversity WG", members=[ana])

    reply = await emulator.says(ana, "/help", chat=group)

    assert "/language" in reply.text
    assert "/cancel" not in reply.text


async def test_cancel_with_nothing_to_cancel(emulator: Emulator) -> None:
    ana = emulator.add_user("Ana", language_code="es")

    reply = await emulator.says(ana, "/cancel")

    assert reply.text == "No hay nada que cancelar."


async def test_unknown_command_and_stray_text_point_to_help(emulator: Emulator) -> None:
    ana = emulator.add_user("Ana")

    assert "/help" in (await emulator.says(ana, "/frobnicate")).text
    assert "/help" in (await emulator.says(ana, "hello?")).text
