"""The bot's command menus per scope and language."""

from __future__ import annotations

import pytest
import telegram
from telegram import BotCommand as Cmd
from telegram import BotCommandScopeAllPrivateChats as AllPrivate
from telegram.error import BadRequest

from sandbox.emulator import Emulator, SimChat, SimUser


async def test_commands_are_stored_per_scope_and_language(
    bot: telegram.Bot, emu: Emulator, ana: SimUser
) -> None:
    group = emu.add_group("WG", members=[ana])
    await bot.set_my_commands([Cmd("help", "Help")])
    await bot.set_my_commands([Cmd("ayuda", "Ayuda")], scope=AllPrivate(), language_code="es")
    await bot.set_my_commands([Cmd("start", "Start")], scope=AllPrivate())
    admins = telegram.BotCommandScopeChatAdministrators(group.id)
    await bot.set_my_commands([Cmd("digest", "Post the digest")], scope=admins)
    member = telegram.BotCommandScopeChatMember(group.id, ana.id)
    await bot.set_my_commands([Cmd("mine", "Mine")], scope=member)

    assert await bot.get_my_commands() == (Cmd("help", "Help"),)
    assert await bot.get_my_commands(scope=AllPrivate(), language_code="es") == (
        Cmd("ayuda", "Ayuda"),
    )
    assert await bot.get_my_commands(scope=AllPrivate(), language_code="fr") == (
        Cmd("start", "Start"),
    )
    assert await bot.get_my_commands(scope=admins) == (Cmd("digest", "Post the digest"),)
    assert await bot.get_my_commands(scope=member) == (Cmd("mine", "Mine"),)
    assert await bot.get_my_commands(scope=telegram.BotCommandScopeAllGroupChats()) == ()
    assert emu.commands({"type": "all_private_chats"}, "es") == [
        {"command": "ayuda", "description": "Ayuda"}
    ]
    assert emu.commands({"type": "all_private_chats"}, "fr") is None
    assert emu.commands() == [{"command": "help", "description": "Help"}]


async def test_deleting_commands_and_setting_none(bot: telegram.Bot, emu: Emulator) -> None:
    await bot.set_my_commands([Cmd("help", "Help")], language_code="en")
    await bot.set_my_commands([Cmd("help", "Help")], scope=AllPrivate())

    await bot.delete_my_commands(language_code="en")
    await bot.set_my_commands([], scope=AllPrivate())

    assert emu.commands(language_code="en") is None
    assert emu.commands({"type": "all_private_chats"}) is None


@pytest.mark.parametrize(
    ("command", "description", "reason"),
    [
        ("Help", "Help", "Bot_command_invalid"),
        ("/help", "Help", "Bot_command_invalid"),
        ("x" * 33, "Help", "Bot_command_invalid"),
        ("help", "", "Bot_command_description_invalid"),
        ("help", "d" * 257, "Bot_command_description_invalid"),
    ],
)
async def test_command_checks(
    bot: telegram.Bot, command: str, description: str, reason: str
) -> None:
    with pytest.raises(BadRequest, match=reason):
        await bot.set_my_commands([Cmd(command, description)])


async def test_more_than_a_hundred_commands_or_a_bad_scope(bot: telegram.Bot) -> None:
    many = [Cmd(f"c{i}", "d") for i in range(101)]

    with pytest.raises(BadRequest, match="Bot_commands_too_much"):
        await bot.set_my_commands(many)
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.set_my_commands([Cmd("a", "b")], scope=telegram.BotCommandScopeChat(4242))
    with pytest.raises(BadRequest, match="Invalid language code specified"):
        await bot.set_my_commands([Cmd("a", "b")], language_code="spanish")


async def test_the_menu_a_person_sees_is_resolved_as_telegram_does(
    bot: telegram.Bot, emu: Emulator, ana: SimUser
) -> None:
    """Narrowest scope first, the person's language before none, admins' scopes for admins."""
    ben = emu.add_user("Ben", language_code="en")
    group = emu.add_group("WG", members=[ben], admins=[ana])
    other = emu.add_group("Other", members=[ana, ben])
    await bot.set_my_commands([Cmd("help", "Help")])
    await bot.set_my_commands([Cmd("ayuda", "Ayuda")], scope=AllPrivate(), language_code="es")
    await bot.set_my_commands(
        [Cmd("groups", "Groups")], scope=telegram.BotCommandScopeAllGroupChats()
    )
    admins = telegram.BotCommandScopeAllChatAdministrators()
    await bot.set_my_commands([Cmd("slots", "Slots")], scope=admins)
    mine = telegram.BotCommandScopeChatMember(other.id, ben.id)
    await bot.set_my_commands([Cmd("mine", "Mine")], scope=mine)

    def names(user: SimUser, chat: SimChat | None = None) -> list[str]:
        return [command["command"] for command in emu.menu(user, chat)]

    assert ana.language_code == "es"
    assert names(ana) == ["ayuda"]  # all private chats, in Spanish
    assert names(ben) == ["help"]  # no English private menu: the default one
    assert names(ana, group) == ["slots"]  # an administrator of the group
    assert names(ben, group) == ["groups"]  # a member
    assert names(ben, other) == ["mine"]  # this member in this chat
    assert names(ana, other) == ["groups"]
