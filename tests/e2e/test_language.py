"""/language: buttons, the choice stored, every later message in the chosen language."""

from __future__ import annotations

import pytest

from sandbox.emulator import Emulator
from storage import Repositories

pytestmark = pytest.mark.usefixtures("app")


async def test_language_offers_each_language_named_in_itself(emulator: Emulator) -> None:
    ana = emulator.add_user("Ana", language_code="en")

    reply = await emulator.says(ana, "/language")

    assert reply.text == "Which language should I speak to you?"
    labels = [button.text for row in reply.buttons for button in row]
    assert labels == ["✓ English", "Español", "中文", "Français"]
    assert all(len(button.data.encode()) <= 64 for row in reply.buttons for button in row)


async def test_picking_spanish_is_stored_and_used_from_the_next_message(
    emulator: Emulator, repos: Repositories
) -> None:
    ana = emulator.add_user("Ana", language_code="en")
    menu = await emulator.says(ana, "/language")

    emulator.tap(ana, menu, "Español")
    await emulator.wait_until(
        lambda: emulator.message(ana.id, menu.message_id).text.startswith("A partir de ahora")
    )

    assert emulator.message(ana.id, menu.message_id).text == (
        "A partir de ahora te hablaré en Español."
    )
    assert emulator.message(ana.id, menu.message_id).buttons == []
    assert emulator.callback_answers[-1].text == "Idioma guardado."
    person = await repos.people.by_telegram_id(ana.id)
    assert person is not None
    assert person.language == "es"
    help_reply = await emulator.says(ana, "/help")
    assert help_reply.text.splitlines()[0] == "Lo que puedes hacer aquí"


@pytest.mark.parametrize(
    ("label", "confirmation"),
    [
        ("English", "From now on I will speak to you in English."),
        ("中文", "从现在起，我将用中文与您交流。"),
        ("Français", "Désormais, je vous parlerai en Français."),
    ],
)
async def test_each_language_confirms_in_itself(
    emulator: Emulator, label: str, confirmation: str
) -> None:
    ana = emulator.add_user("Ana", language_code="es")
    menu = await emulator.says(ana, "/language")

    emulator.tap(ana, menu, label)

    await emulator.wait_until(
        lambda: emulator.message(ana.id, menu.message_id).text == confirmation
    )


async def test_choice_beats_telegrams_language_code(emulator: Emulator) -> None:
    ana = emulator.add_user("Ana", language_code="fr")
    menu = await emulator.says(ana, "/language")
    emulator.tap(ana, menu, "中文")
    await emulator.settle()

    reply = await emulator.says(ana, "/cancel")

    assert reply.text == "没有需要取消的操作。"


async def test_a_forged_language_button_is_refused_and_changes_nothing(
    emulator: Emulator, repos: Repositories
) -> None:
    ana = emulator.add_user("Ana", language_code="en")
    menu = await emulator.says(ana, "/language")

    emulator.tap(ana, menu, "Español")
    await emulator.settle()
    stale = await emulator.says(ana, "/language")
    emulator.tap_data(ana, stale, "lang:xx")
    await emulator.settle()

    assert emulator.callback_answers[-1].text == "Este botón ya no es válido."
    assert emulator.callback_answers[-1].show_alert
    person = await repos.people.by_telegram_id(ana.id)
    assert person is not None
    assert person.language == "es"


async def test_the_same_language_tapped_again_on_an_old_keyboard_is_quietly_accepted(
    emulator: Emulator, repos: Repositories
) -> None:
    """Found by the fuzz: editing the message into the very same text was a Telegram 400 that
    reached the error handler."""
    ana = emulator.add_user("Ana", language_code="en")
    menu = await emulator.says(ana, "/language")
    emulator.tap(ana, menu, "Français")
    await emulator.settle()

    emulator.tap_data(ana, menu, "lang:fr")
    await emulator.settle()

    assert emulator.message(ana.id, menu.message_id).text == (
        "Désormais, je vous parlerai en Français."
    )
    assert emulator.callback_answers[-1].text == "Langue enregistrée."
    assert emulator.sent_to(ana)[-1].message_id == menu.message_id  # no apology sent
    person = await repos.people.by_telegram_id(ana.id)
    assert person is not None
    assert person.language == "fr"
