"""The bot's name, description and short description per language, with Telegram's limits."""

from __future__ import annotations

import pytest
import telegram
from telegram.error import BadRequest

from sandbox.emulator import Emulator


async def test_profile_texts_per_language_fall_back_to_the_default(
    bot: telegram.Bot, emu: Emulator
) -> None:
    assert (await bot.get_my_description()).description == ""
    await bot.set_my_description("A bot")
    await bot.set_my_description("Un bot", language_code="es")
    await bot.set_my_short_description("Short", language_code="fr")
    await bot.set_my_name("Réserves", language_code="fr")

    assert (await bot.get_my_description(language_code="es")).description == "Un bot"
    assert (await bot.get_my_description(language_code="zh")).description == "A bot"
    assert (await bot.get_my_short_description()).short_description == ""
    assert (await bot.get_my_short_description(language_code="fr")).short_description == "Short"
    assert (await bot.get_my_name(language_code="fr")).name == "Réserves"
    assert (await bot.get_my_name(language_code="es")).name == emu.backend.world.bot.first_name

    await bot.set_my_description("", language_code="es")  # an empty text removes it
    assert (await bot.get_my_description(language_code="es")).description == "A bot"


@pytest.mark.parametrize(
    ("setter", "limit"),
    [("set_my_name", 64), ("set_my_description", 512), ("set_my_short_description", 120)],
)
async def test_texts_past_telegrams_limits_are_refused(
    bot: telegram.Bot, setter: str, limit: int
) -> None:
    assert await getattr(bot, setter)("x" * limit, language_code="fr") is True
    with pytest.raises(BadRequest, match="too long"):
        await getattr(bot, setter)("x" * (limit + 1))
    with pytest.raises(BadRequest, match=r"(?i)invalid language code"):
        await getattr(bot, setter)("x", language_code="french")
