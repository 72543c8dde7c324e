"""Command menus per private chat in the language the person chose and with their role's
commands, group chats' menus in the chat's language, and the bot's name and descriptions in
the four languages — as the emulator resolves them, strictly as Telegram does."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from bot.commands import Where, available
from bot.context import WnmrcApplication
from bot.permissions import Role
from sandbox.emulator import Emulator, SimUser
from storage import Repositories

from ..conftest import SECRETARIAT_ID


@pytest.fixture
def publish_menus() -> bool:
    """This module checks the menus the bot publishes at start."""
    return True


NOW = datetime(2026, 3, 25, 12, 0, tzinfo=UTC)


async def person(
    emulator: Emulator, repos: Repositories, first: str, *, role: str = "member"
) -> SimUser:
    user = emulator.add_user(first, language_code="en", started=True)
    found = await repos.people.upsert_from_telegram(
        telegram_id=user.id,
        first_name=first,
        last_name=None,
        username=None,
        language_code="en",
        private=True,
        now=NOW - timedelta(days=3),
    )
    climate = await repos.groups.by_slug("climate")
    assert climate is not None
    await repos.groups.add_member(climate.id, found.id, role, NOW - timedelta(days=3))
    return user


def names(menu: list[dict[str, str]]) -> list[str]:
    return [command["command"] for command in menu]


def expected(role: Role) -> list[str]:
    return [command.name for command in available(role, Where.PRIVATE)]


async def pick(emulator: Emulator, user: SimUser, language: str, chat: object = None) -> None:
    menu = await emulator.says(user, "/language", chat)  # type: ignore[arg-type]
    emulator.tap(user, menu, language)
    await emulator.wait_until(
        lambda: (emulator.message(menu.chat_id, menu.message_id) or menu).text != menu.text
    )


async def test_a_coordinator_who_chose_french_sees_the_coordinators_menu_in_french(
    app: WnmrcApplication, emulator: Emulator, repos: Repositories
) -> None:
    jorge = await person(emulator, repos, "Jorge", role="coordinator")
    ana = await person(emulator, repos, "Ana")
    app.services.menus.changed()

    await emulator.wait_until(lambda: "review" in names(emulator.menu(jorge)))
    assert {"command": "review", "description": "Review submitted experiences"} in (
        emulator.menu(jorge)
    )
    await pick(emulator, jorge, "Français")
    french = {"command": "review", "description": "Évaluer les expériences soumises"}
    await emulator.wait_until(lambda: french in emulator.menu(jorge))

    menu = emulator.menu(jorge)  # his phone says English; he chose French
    assert names(menu) == expected(Role.COORDINATOR)
    assert "newgroup" not in names(menu)
    # Ana is a member who chose nothing: the broad private menu in her phone's language.
    await emulator.wait_until(lambda: names(emulator.menu(ana)) == expected(Role.MEMBER))
    assert emulator.commands({"type": "chat", "chat_id": ana.id}) is None


async def test_a_member_sees_only_member_commands_in_the_language_they_chose(
    app: WnmrcApplication, emulator: Emulator, repos: Repositories
) -> None:
    ana = await person(emulator, repos, "Ana")

    await pick(emulator, ana, "Español")
    await emulator.wait_until(lambda: emulator.commands({"type": "chat", "chat_id": ana.id}))

    menu = emulator.menu(ana)
    assert names(menu) == expected(Role.MEMBER)
    assert {"command": "language", "description": "Elegir el idioma en que te habla el bot"} in (
        menu
    )
    sql = "SELECT menu FROM chat_menus WHERE chat_id = ?"
    for _ in range(50):  # the row is written once Telegram answered
        stored = [row["menu"] for row in await repos.db.fetch_all(sql, (ana.id,))]
        if stored:
            break
        await asyncio.sleep(0.05)
    assert stored == ["member:es"]


async def test_a_new_coordinator_gets_the_coordinators_menu_and_loses_it_when_dismissed(
    app: WnmrcApplication, emulator: Emulator, repos: Repositories
) -> None:
    ana = await person(emulator, repos, "Ana")
    secretariat = emulator.add_user("Sec", language_code="en", user_id=SECRETARIAT_ID)
    await emulator.says(secretariat, "/start")
    await emulator.wait_until(lambda: "newgroup" in names(emulator.menu(secretariat)))
    assert names(emulator.menu(secretariat)) == expected(Role.SECRETARIAT)

    await emulator.says(secretariat, "/coordinator add climate Ana")
    await emulator.wait_until(lambda: names(emulator.menu(ana)) == expected(Role.COORDINATOR))

    await emulator.says(secretariat, "/coordinator remove climate Ana")
    await emulator.wait_until(
        lambda: emulator.commands({"type": "chat", "chat_id": ana.id}) is None
    )
    assert names(emulator.menu(ana)) == expected(Role.MEMBER)


async def test_a_group_chats_menu_follows_the_chats_language(
    app: WnmrcApplication, emulator: Emulator, repos: Repositories
) -> None:
    jorge = await person(emulator, repos, "Jorge", role="coordinator")
    ana = await person(emulator, repos, "Ana")
    chat = emulator.add_group("Climate chat", members=[ana], admins=[jorge])
    await repos.chats.upsert(
        chat_id=chat.id, type="supergroup", title=chat.title, username=None, is_forum=False, now=NOW
    )
    climate = await repos.groups.by_slug("climate")
    assert climate is not None
    await repos.groups.link_chat(climate.id, chat.id, None, NOW)

    await pick(emulator, jorge, "中文", chat)
    admins = {"type": "chat_administrators", "chat_id": chat.id}
    await emulator.wait_until(lambda: emulator.commands(admins))

    member_menu = emulator.menu(ana, chat)
    assert names(member_menu) == [c.name for c in available(Role.MEMBER, Where.GROUP)]
    assert {"command": "language", "description": "选择机器人与您交流的语言"} in member_menu
    admin_menu = emulator.menu(jorge, chat)
    assert names(admin_menu) == [c.name for c in available(Role.COORDINATOR, Where.GROUP)]


async def test_the_bots_name_and_descriptions_in_each_language(
    app: WnmrcApplication, emulator: Emulator
) -> None:
    bot = app.bot
    await emulator.wait_until(lambda: ("short_description", "fr") in emulator.backend.profile)

    assert (await bot.get_my_name()).name == "Mountain Biosphere Reserves"
    assert (await bot.get_my_name(language_code="es")).name == "Reservas de biosfera de montaña"
    described = {
        code: (await bot.get_my_description(language_code=code)).description
        for code in ("en", "es", "zh", "fr")
    }
    assert described["en"].startswith("The assistant of the working groups of the World Network")
    assert described["es"].startswith("El asistente de los grupos de trabajo de la Red Mundial")
    assert described["zh"].startswith("世界山地生物圈保护区网络各工作组的助手")
    assert described["fr"].startswith("L’assistant des groupes de travail du Réseau mondial")
    short = await bot.get_my_short_description(language_code="zh")
    assert short.short_description == "世界山地生物圈保护区网络的工作组：成员、会议、简报和案例。"


async def stored_menu(repos: Repositories, chat_id: int) -> list[str]:
    sql = "SELECT menu FROM chat_menus WHERE chat_id = ?"
    return [row["menu"] for row in await repos.db.fetch_all(sql, (chat_id,))]


async def test_a_refused_menu_is_given_up_and_a_failed_one_tried_again(
    app: WnmrcApplication,
    emulator: Emulator,
    repos: Repositories,
    caplog: pytest.LogCaptureFixture,
) -> None:
    broad = {"type": "all_chat_administrators"}  # the last of the broad menus published
    await emulator.wait_until(lambda: emulator.commands(broad, "fr"))
    await emulator.settle()
    ana = await person(emulator, repos, "Ana", role="coordinator")
    emulator.faults.add("setMyCommands", status=500, description="Internal Server Error")
    app.services.menus.changed()
    await emulator.wait_until(lambda: "could not set the menu" in caplog.text)
    assert await stored_menu(repos, ana.id) == []

    app.services.menus.changed()  # the next round sets it
    await emulator.wait_until(lambda: names(emulator.menu(ana)) == expected(Role.COORDINATOR))

    mei = await person(emulator, repos, "Mei", role="coordinator")
    emulator.faults.add("setMyCommands", status=400, description="Bad Request: chat not found")
    app.services.menus.changed()
    await emulator.wait_until(lambda: "gave up the menu" in caplog.text)
    for _ in range(50):
        if await stored_menu(repos, mei.id):
            break
        await asyncio.sleep(0.05)
    assert await stored_menu(repos, mei.id) == ["coordinator:en"]  # not asked again each round
    assert emulator.commands({"type": "chat", "chat_id": mei.id}) is None
