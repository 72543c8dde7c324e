"""The per-chat menu rules and the bot's profile texts within Telegram's limits."""

from __future__ import annotations

import pytest

from bot.i18n import LANGUAGES, I18n
from bot.menus import PROFILE_TEXTS, MenuChange, changes, group_menu, private_menu
from bot.permissions import Role

LIMITS = {"name": 64, "description": 512, "short_description": 120}


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_profile_texts_fit_telegrams_limits_in_every_language(language: str) -> None:
    tr = I18n("en").translator(language)
    for field, message in PROFILE_TEXTS.items():
        assert 1 <= len(tr(message)) <= LIMITS[field], (language, field)


def test_a_member_who_chose_no_language_keeps_the_broad_menu() -> None:
    assert private_menu(Role.MEMBER, None, "fr") is None
    assert private_menu(Role.MEMBER, "es", "fr") == "member:es"
    assert private_menu(Role.COORDINATOR, None, "fr-ca") == "coordinator:fr"
    assert private_menu(Role.SECRETARIAT, "zh", None) == "secretariat:zh"
    assert group_menu(None) is None
    assert group_menu("fr") == "group:fr"


def test_changes_set_what_differs_and_give_back_what_is_no_longer_wanted() -> None:
    wanted = {1: (10, "member:es"), 2: (20, "coordinator:fr"), 3: (30, None), 4: (None, "group:zh")}
    published = {1: "member:es", 2: "coordinator:en", 5: "member:fr"}

    assert changes(wanted, published) == [
        MenuChange(2, 20, "coordinator:fr", first=False),
        MenuChange(4, None, "group:zh", first=True),
        MenuChange(5, None, None, first=False),
    ]
