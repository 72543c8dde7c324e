"""Deep-link payloads, the command table, roles and menus."""

from __future__ import annotations

import pytest

from bot.commands import COMMANDS, Where, available
from bot.i18n import I18n
from bot.menus import menus
from bot.permissions import Role, allows, refusal, role_of
from bot.start import StartPayload, deep_link, parse_start_payload


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("join_climate", StartPayload("join", "climate")),
        ("join_Biodiversity", StartPayload("join", "biodiversity")),
        ("join_", None),
        ("hello", None),
        ("", None),
        (None, None),
        ("join_" + "a" * 60, None),
        ("evil_climate", None),
        ("join_a b", None),
    ],
)
def test_start_payloads(text: str | None, expected: StartPayload | None) -> None:
    assert parse_start_payload(text) == expected


def test_deep_link() -> None:
    link = deep_link("wnmrc_bot", StartPayload("join", "climate"))
    assert link == "https://t.me/wnmrc_bot?start=join_climate"


def test_roles() -> None:
    secretariat = frozenset({7})
    assert role_of(7, secretariat_ids=secretariat, coordinates=False) is Role.SECRETARIAT
    assert role_of(8, secretariat_ids=secretariat, coordinates=True) is Role.COORDINATOR
    assert role_of(8, secretariat_ids=secretariat, coordinates=False) is Role.MEMBER
    assert role_of(None, secretariat_ids=secretariat, coordinates=False) is Role.MEMBER
    assert allows(Role.SECRETARIAT, Role.COORDINATOR)
    assert not allows(Role.MEMBER, Role.COORDINATOR)
    assert refusal(Role.SECRETARIAT) != refusal(Role.COORDINATOR)


def test_available_commands_depend_on_where() -> None:
    private = [c.name for c in available(Role.MEMBER, Where.PRIVATE)]
    group = [c.name for c in available(Role.MEMBER, Where.GROUP)]
    assert private == ["start", "help", "language", "cancel"]
    assert "cancel" not in group


def test_command_names_are_valid_for_telegram() -> None:
    for command in COMMANDS:
        assert command.name.isascii()
        assert command.name == command.name.lower()
        assert 1 <= len(command.name) <= 32


def test_menus_cover_every_scope_and_language_with_short_descriptions() -> None:
    published = list(menus(I18n("en"), secretariat_ids=frozenset({5})))

    assert len(published) == 4 * 4
    assert {m.language_code for m in published} == {"", "es", "zh", "fr"}
    for menu in published:
        assert menu.commands
        assert all(3 <= len(c.description) <= 256 for c in menu.commands)
