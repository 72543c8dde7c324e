"""The permission table: every command × every role × the right and the wrong kind of chat.

Derived from the declarations in ``bot.commands``: who may use each command, where, and whether
the role is needed in the working group it names. Each role speaks another language, so every
refusal is checked word for word in all four. A command added to ``bot.commands.COMMANDS`` must
get a row in ``TABLE`` (the first test fails until it has one): what to write after it.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

import pytest
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.commands import COMMANDS, Command, Where, by_name
from bot.context import WnmrcApplication
from bot.permissions import Role
from bot.routing import callback_prefixes
from handlers.dispatch import every_handler
from handlers.start import unknown_button
from sandbox.emulator import Emulator, SimChat, SimUser
from storage import Repositories

from ..conftest import SECRETARIAT_ID
from ..unit.test_layering import PENDING

pytestmark = pytest.mark.usefixtures("app")


@dataclass(frozen=True)
class Row:
    arguments: str = ""
    """What follows the command: chosen so that an allowed use changes nothing for the others."""


TABLE: dict[str, Row] = {
    "start": Row(),
    "help": Row(),
    "groups": Row(),
    "join": Row("climate"),
    "leave": Row("climate"),
    "profile": Row(),
    "me": Row(),
    "roster": Row("climate"),
    "whois": Row("@nobody_by_that_name"),
    "language": Row(),
    "notify": Row(),
    "timezone": Row(),
    "mydata": Row(),
    "forgetme": Row(),
    "digest": Row(),
    "cancel": Row(),
    "invite": Row("climate"),
    "remove": Row("climate @nobody_by_that_name"),
    "policy": Row("climate"),
    "announce": Row("climate"),
    "export": Row("roster climate"),
    "newgroup": Row(),
    "linkchat": Row(),
    "coordinator": Row(),
    "outbox": Row(),
    "claims": Row(),
    "upcoming": Row(),
    "calendar": Row(),
    "reminders": Row(),
    "meet": Row("climate"),
    "meeting": Row("999"),
    "reschedule": Row("999"),
    "cancelmeeting": Row("999"),
    "nudge": Row("999"),
    "slots": Row("climate"),
    "submit": Row(),
    "myexperiences": Row(),
    "experiences": Row(),
    "review": Row(),
    "rank": Row(),
    "shortlist": Row("999"),
    "vote": Row("climate"),
    "select": Row(),
    "decisions": Row(),
    "propose": Row("climate"),
    "outcome": Row("999"),
    "opportunity": Row(),
    "opportunities": Row(),
    "find": Row("glaciers"),
    "projects": Row(),
    "alerts": Row(),
    "intros": Row(),
    "roadmap": Row("all"),
    "mytasks": Row(),
    "progress": Row("999"),
    "action": Row(),
}


@dataclass(frozen=True)
class Player:
    role: Role
    language: str
    coordinates: str | None = None
    """The working group this person coordinates."""


PLAYERS = {
    "member": Player(Role.MEMBER, "es"),
    "coordinator of climate": Player(Role.COORDINATOR, "en", "climate"),
    "coordinator of biodiversity": Player(Role.COORDINATOR, "fr", "biodiversity"),
    "secretariat": Player(Role.SECRETARIAT, "zh"),
}

CLIMATE = {"en": "Climate change", "es": "Cambio climático", "fr": "Changement climatique"}

GROUP_CHAT_ONLY = {
    "en": "Use /{command} in a group chat of a working group.",
    "es": "Usa /{command} en el chat de grupo de un grupo de trabajo.",
    "fr": "Utilisez /{command} dans le groupe de discussion d’un groupe de travail.",
    "zh": "请在工作组的群聊中使用 /{command}。",
}
PRIVATE_ONLY = {
    "en": "Use /{command} in your private chat with me.",
    "es": "Usa /{command} en tu chat privado conmigo.",
    "fr": "Utilisez /{command} dans votre discussion privée avec moi.",
    "zh": "请在与我的私聊中使用 /{command}。",
}
COORDINATORS_ONLY = {
    "en": "Only coordinators of a working group and the secretariat can do that.",
    "es": "Solo los coordinadores de un grupo de trabajo y la secretaría pueden hacer eso.",
    "fr": "Seuls les coordinateurs d’un groupe de travail et le secrétariat peuvent faire cela.",
    "zh": "只有工作组协调人和秘书处可以执行此操作。",
}
SECRETARIAT_ONLY = {
    "en": "Only the network secretariat can do that.",
    "es": "Solo la secretaría de la red puede hacer eso.",
    "fr": "Seul le secrétariat du réseau peut faire cela.",
    "zh": "只有网络秘书处可以执行此操作。",
}
CLIMATE_COORDINATORS_ONLY = {
    "en": "Only the coordinators of Climate change and the secretariat can do that.",
    "es": "Solo los coordinadores de Cambio climático y la secretaría pueden hacer eso.",
    "fr": "Seuls les coordinateurs de Changement climatique et le secrétariat peuvent faire cela.",
}


def expected_refusal(command: Command, player: Player, private: bool) -> str | None:
    """The one line the person must get, or None when the command must run."""
    language = player.language
    if private and not command.where & Where.PRIVATE:
        return GROUP_CHAT_ONLY[language].format(command=command.name)
    if not private and not command.where & Where.GROUP:
        return PRIVATE_ONLY[language].format(command=command.name)
    if player.role < command.role:
        refusals = {Role.COORDINATOR: COORDINATORS_ONLY, Role.SECRETARIAT: SECRETARIAT_ONLY}
        return refusals[command.role][language]
    if command.per_group and player.role is Role.COORDINATOR and player.coordinates != "climate":
        return CLIMATE_COORDINATORS_ONLY[language]
    return None


def every_refusal(language: str) -> set[str]:
    lines = {COORDINATORS_ONLY[language], SECRETARIAT_ONLY[language]}
    lines |= {CLIMATE_COORDINATORS_ONLY.get(language, "")}
    for command in COMMANDS:
        lines.add(GROUP_CHAT_ONLY[language].format(command=command.name))
        lines.add(PRIVATE_ONLY[language].format(command=command.name))
    return lines


def test_every_command_has_a_row_in_the_table() -> None:
    missing = [c.name for c in COMMANDS if c.name not in TABLE]
    stale = [name for name in TABLE if name not in {c.name for c in COMMANDS}]
    assert missing == [], f"add these commands to TABLE: {missing}"
    assert stale == [], f"these commands are gone from COMMANDS: {stale}"


def test_every_declared_command_has_exactly_one_handler(app: WnmrcApplication) -> None:
    routed = Counter(
        name
        for handler in every_handler(app)
        if isinstance(handler, CommandHandler)
        for name in handler.commands
    )
    assert routed == Counter(command.name for command in COMMANDS)


def test_every_conversation_is_declared_once_and_held_by_the_application(
    app: WnmrcApplication,
) -> None:
    kinds = [conversation.kind for conversation in app.services.conversations]
    assert len(kinds) == len(set(kinds))
    assert {"profile", "profile_edit", "experience", "announcement"} <= set(kinds)


ROUTED_BY_HAND: frozenset[str] = frozenset()
"""Modules whose typed buttons are still matched by a hand-written pattern (the experience
form: use ``FLOW.data.pattern()`` and ``EDIT.data.pattern()``). It must be empty."""


def test_every_button_is_routed_by_a_declared_kind(app: WnmrcApplication) -> None:
    """Buttons are typed callback data from the registry (modules still in PENDING aside)."""
    declared = {kind.pattern().pattern for kind in callback_prefixes().values()}
    routed = [
        (handler.callback.__module__, handler.pattern)
        for handler in every_handler(app)
        if isinstance(handler, CallbackQueryHandler) and handler.callback is not unknown_button
    ]  # the one catch-all answers what no declared kind matches
    wrong = [
        module
        for module, pattern in routed
        if module not in PENDING | ROUTED_BY_HAND
        and not (isinstance(pattern, re.Pattern) and pattern.pattern in declared)
    ]
    assert len(routed) >= 8
    assert wrong == []


def test_the_table_expects_refusals_where_the_command_table_says() -> None:
    private_only = by_name("profile")
    secretariat = PLAYERS["secretariat"]
    member = PLAYERS["member"]
    assert expected_refusal(private_only, secretariat, private=True) is None
    assert expected_refusal(private_only, secretariat, private=False) == (
        "请在与我的私聊中使用 /profile。"
    )
    assert expected_refusal(by_name("newgroup"), member, private=True) == (
        "Solo la secretaría de la red puede hacer eso."
    )
    assert expected_refusal(by_name("invite"), PLAYERS["coordinator of biodiversity"], True) == (
        "Seuls les coordinateurs de Changement climatique et le secrétariat peuvent faire cela."
    )


async def _cast(emulator: Emulator, repos: Repositories) -> tuple[dict[str, SimUser], SimChat]:
    """The four players, each having started the bot, and a group chat with all of them."""
    users: dict[str, SimUser] = {}
    for index, (name, player) in enumerate(PLAYERS.items()):
        user_id = SECRETARIAT_ID if player.role is Role.SECRETARIAT else 700_001 + index
        user = emulator.add_user(name.title(), language_code=player.language, user_id=user_id)
        await emulator.says(user, "/start")
        users[name] = user
        if player.coordinates is not None:
            person = await repos.people.by_telegram_id(user.id)
            group = await repos.groups.by_slug(player.coordinates)
            assert person is not None
            assert group is not None
            await repos.groups.appoint(group.id, person.id, person.created_at)
    chat = emulator.add_group("Working group chat", members=list(users.values()))
    return users, chat


@pytest.mark.parametrize("name", [command.name for command in COMMANDS])
async def test_permission_table(emulator: Emulator, repos: Repositories, name: str) -> None:
    command = by_name(name)
    users, chat = await _cast(emulator, repos)
    text = f"/{name} {TABLE[name].arguments}".strip()

    for role_name, player in PLAYERS.items():
        for private in (True, False):
            reply = await emulator.says(users[role_name], text, chat=None if private else chat)
            said = reply.text or ""
            expected = expected_refusal(command, player, private)
            where = "private chat" if private else "group chat"
            context = f"/{name} by the {role_name} in a {where}"
            if expected is not None:
                assert said == expected, context
            else:
                assert said not in every_refusal(player.language), context
