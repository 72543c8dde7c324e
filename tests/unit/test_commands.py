"""Deep-link payloads, the command table, roles and menus."""

from __future__ import annotations

import pytest

from bot.access import Actor, refusal, wrong_place
from bot.commands import COMMANDS, Where, available, by_name
from bot.i18n import I18n
from bot.menus import menus
from bot.permissions import Role
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


def _actor(*, secretariat: bool = False, coordinated: frozenset[int] = frozenset()) -> Actor:
    return Actor(person_id=1, telegram_id=10, secretariat=secretariat, coordinated=coordinated)


def test_roles_overall_and_per_group() -> None:
    member = _actor()
    coordinator = _actor(coordinated=frozenset({3}))
    secretariat = _actor(secretariat=True)

    assert (member.role, coordinator.role, secretariat.role) == (
        Role.MEMBER,
        Role.COORDINATOR,
        Role.SECRETARIAT,
    )
    assert coordinator.role_in(3) is Role.COORDINATOR
    assert coordinator.role_in(4) is Role.MEMBER
    assert secretariat.role_in(4) is Role.SECRETARIAT


def test_refusals_say_why() -> None:
    coordinator = _actor(coordinated=frozenset({3}))

    assert refusal(coordinator, Role.COORDINATOR) is None
    assert refusal(coordinator, Role.COORDINATOR, group_id=3) is None
    assert "{group}" in (refusal(coordinator, Role.COORDINATOR, group_id=4) or "")
    assert refusal(coordinator, Role.SECRETARIAT) == "Only the network secretariat can do that."
    assert refusal(_actor(), Role.COORDINATOR) == (
        "Only coordinators of a working group and the secretariat can do that."
    )


def test_wrong_place() -> None:
    assert wrong_place(by_name("profile"), private=False) is not None
    assert wrong_place(by_name("profile"), private=True) is None
    assert wrong_place(by_name("linkchat"), private=True) is not None
    assert wrong_place(by_name("help"), private=False) is None


def test_available_commands_depend_on_where() -> None:
    private = [c.name for c in available(Role.MEMBER, Where.PRIVATE)]
    group = [c.name for c in available(Role.MEMBER, Where.GROUP)]
    assert private[:3] == ["start", "help", "groups"]
    assert "cancel" in private
    assert "cancel" not in group
    assert "newgroup" not in private
    assert "newgroup" in [c.name for c in available(Role.SECRETARIAT, Where.PRIVATE)]


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
