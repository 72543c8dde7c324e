"""Working-group rules: finding groups and people, button data, /newgroup, chat moves."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.groups import (
    NEWGROUP_USAGE,
    ChatMove,
    FormError,
    JoinButton,
    LeaveButton,
    MembershipButton,
    NewGroup,
    PersonLookup,
    chat_link,
    chat_move,
    describe_person,
    find_group,
    group_names,
    group_of_place,
    match_groups,
    membership_button,
    name_taken,
    parse_new_group,
    pick_person,
    split_group_and_rest,
)
from storage import Person

from ..factories import working_group

GROUPS = [
    working_group(1, "climate", "Climate change", "Cambio climático"),
    working_group(2, "community", "Community empowerment", "Empoderamiento comunitario"),
]


def test_by_slug_name_in_any_language_and_unique_prefix() -> None:
    assert find_group(GROUPS, "climate") is GROUPS[0]
    assert find_group(GROUPS, " CAMBIO  climático ") is GROUPS[0]
    assert find_group(GROUPS, "#community") is GROUPS[1]
    assert find_group(GROUPS, "clim") is GROUPS[0]
    assert find_group(GROUPS, "c") is None  # ambiguous
    assert find_group(GROUPS, "mars") is None
    assert find_group(GROUPS, "") is None


def test_names_match_whatever_their_case_accents_and_width() -> None:
    assert find_group(GROUPS, "cambio climatico") is GROUPS[0]
    assert find_group(GROUPS, "ＣＬＩＭＡＴＥ") is GROUPS[0]
    assert find_group(GROUPS, "empoderamiénto") is GROUPS[1]
    assert match_groups(GROUPS, "c") == GROUPS  # both begin with c: the candidates
    assert match_groups(GROUPS, "Ｃ") == GROUPS
    assert match_groups(GROUPS, "climate") == [GROUPS[0]]
    assert match_groups(GROUPS, "mars") == []


def test_group_and_person_split_on_the_longest_group_name() -> None:
    words = ["Cambio", "climático", "Ana", "Quispe"]
    assert split_group_and_rest(GROUPS, words) == (GROUPS[0], "Ana Quispe")
    assert split_group_and_rest(GROUPS, ["climate", "@ana"]) == (GROUPS[0], "@ana")
    assert split_group_and_rest(GROUPS, ["community"]) == (GROUPS[1], "")
    assert split_group_and_rest(GROUPS, ["mars", "@ana"]) == (None, "mars @ana")
    assert split_group_and_rest(GROUPS, []) == (None, "")


def test_group_names_in_one_language() -> None:
    assert group_names(GROUPS, "es") == "Cambio climático, Empoderamiento comunitario"
    assert group_names(GROUPS, "fr") == "Climate change, Community empowerment"


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ("gj:1", JoinButton(1)),
        ("gl:42", LeaveButton(42)),
        ("gj:abc", None),
        ("gj:1:2", None),
        ("gx:1", None),
        ("gj:١", None),
        ("gj:12345678901234567890", None),
        ("", None),
        (None, None),
    ],
)
def test_membership_buttons_are_parsed_strictly(
    data: str | None, expected: MembershipButton | None
) -> None:
    assert membership_button(data) == expected


def test_membership_button_round_trip_is_short() -> None:
    data = LeaveButton(9_999_999_999).pack()
    assert membership_button(data) == LeaveButton(9_999_999_999)
    assert len(data.encode()) < 64


def _person(pid: int, first: str, last: str | None = None, username: str | None = None) -> Person:
    stamp = datetime(2024, 1, 1, tzinfo=UTC)
    return Person(
        id=pid,
        telegram_id=pid * 10,
        first_name=first,
        last_name=last,
        username=username,
        display_name=None,
        telegram_language=None,
        language=None,
        timezone=None,
        started_at=None,
        reachable=True,
        created_at=stamp,
        updated_at=stamp,
        last_seen_at=None,
    )


def test_pick_person() -> None:
    ana = _person(1, "Ana", "Quispe", "anaq")
    anabel = _person(2, "Anabel", "Ríos")
    assert pick_person("ana", [ana]) == PersonLookup(ana)
    assert pick_person("ana", []) == PersonLookup(None)
    assert pick_person("an", [ana, anabel]) == PersonLookup(None, (ana, anabel))
    assert pick_person("Ana Quispe", [ana, anabel]) == PersonLookup(ana)
    assert pick_person("@AnaQ", [ana, anabel]) == PersonLookup(ana)
    assert describe_person(ana) == "Ana Quispe @anaq (1)"
    assert describe_person(anabel) == "Anabel Ríos (2)"


@pytest.mark.parametrize(
    ("form", "expected"),
    [
        (
            "water | Water and glaciers",
            NewGroup("water", "Water and glaciers", "Water and glaciers"),
        ),
        (
            " Water |  Water   and glaciers | hydrology ",
            NewGroup("water", "Water and glaciers", "hydrology"),
        ),
        (
            "young-researchers|Young researchers|youth",
            NewGroup("young-researchers", "Young researchers", "youth"),
        ),
    ],
)
def test_new_group_form(form: str, expected: NewGroup) -> None:
    assert parse_new_group(form) == expected


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ("", NEWGROUP_USAGE),
        ("water", NEWGROUP_USAGE),
        ("water | ", NEWGROUP_USAGE),
        ("a | b | c | d", NEWGROUP_USAGE),
        ("w | Water", "“{slug}” cannot be a slug: use 2–32 lowercase letters, digits, - or _."),
        ("wäter | Water", "“{slug}” cannot be a slug: use 2–32 lowercase letters, digits, - or _."),
        ("water | " + "x" * 65, "The name is too long: at most {limit} characters."),
        ("water | Water | " + "x" * 101, "The theme is too long: at most {limit} characters."),
    ],
)
def test_new_group_form_refusals(form: str, message: str) -> None:
    refused = parse_new_group(form)
    assert isinstance(refused, FormError)
    assert refused.message == message


def test_name_taken_by_slug_or_any_language() -> None:
    assert name_taken(GROUPS, "climate", "Anything")
    assert name_taken(GROUPS, "water", "cambio CLIMÁTICO")
    assert name_taken(GROUPS, "water", "Community")
    assert not name_taken(GROUPS, "water", "Water")


@pytest.mark.parametrize(
    ("old", "new", "old_member", "new_member", "move"),
    [
        ("left", "member", None, None, ChatMove.JOINED),
        ("kicked", "member", None, None, ChatMove.JOINED),
        ("left", "restricted", None, True, ChatMove.JOINED),
        ("member", "left", None, None, ChatMove.LEFT),
        ("administrator", "kicked", None, None, ChatMove.LEFT),
        ("restricted", "left", True, None, ChatMove.LEFT),
        ("member", "restricted", None, False, ChatMove.LEFT),
        ("member", "administrator", None, None, None),
        ("member", "restricted", None, True, None),
        ("left", "kicked", None, None, None),
    ],
)
def test_chat_moves(
    old: str, new: str, old_member: bool | None, new_member: bool | None, move: ChatMove | None
) -> None:
    assert chat_move(old, new, old_member, new_member) is move


def test_group_of_place_prefers_the_topic() -> None:
    whole = GROUPS[0].model_copy(update={"chat_id": -100, "topic_id": None})
    topic = GROUPS[1].model_copy(update={"chat_id": -100, "topic_id": 7})
    assert group_of_place([whole, topic], -100, 7) is topic
    assert group_of_place([whole, topic], -100, 8) is whole
    assert group_of_place([whole, topic], -100, None) is whole
    assert group_of_place([topic], -100, None) is None
    assert group_of_place([whole, topic], -200, None) is None


def test_chat_link() -> None:
    assert chat_link("wg_climate", None) == "https://t.me/wg_climate"
    assert chat_link("wg_climate", 7) == "https://t.me/wg_climate/7"
    assert chat_link(None, 7) is None
