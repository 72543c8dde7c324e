"""Working-group rules: finding the group and the person a command means, button data, the
form of ``/newgroup``, and what a change in a linked chat's membership amounts to."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Final

from bot.formats import format_parts
from bot.i18n import N_, Translator
from bot.rendering import Html, echo
from bot.routing import CallbackData, callback_data
from bot.textfold import fold
from config.network import SLUG_PATTERN
from storage import Person, WorkingGroup

NAME_LIMIT: Final = 64
THEME_LIMIT: Final = 100

PRESENT_STATUSES: Final = frozenset({"creator", "administrator", "member"})
"""Chat member statuses of people who are in the chat (``restricted`` depends on is_member)."""


fold_name: Final = functools.lru_cache(maxsize=65_536)(fold)
"""``bot.textfold.fold`` remembered for the names looked up again and again (people's names in
every /whois scan; 65,536 of them is a few MB)."""


def _normalise(text: str) -> str:
    return fold_name(text)


def _names_of(group: WorkingGroup) -> list[str]:
    return [fold(group.slug), *(fold(name) for name in group.names.values())]


def match_groups(groups: Sequence[WorkingGroup], query: str) -> list[WorkingGroup]:
    """The groups ``query`` may mean: the one whose slug or name (in any language) it is, else
    every group one of whose names begins with it; case, accents and width ignored."""
    wanted = fold(query).removeprefix("#")
    if not wanted:
        return []
    exact = [group for group in groups if wanted in _names_of(group)]
    if exact:
        return exact[:1]
    return [g for g in groups if any(name.startswith(wanted) for name in _names_of(g))]


def find_group(groups: Sequence[WorkingGroup], query: str) -> WorkingGroup | None:
    """The group named by ``query``: its slug, or its name in any language, or a unique prefix."""
    found = match_groups(groups, query)
    return found[0] if len(found) == 1 else None


def split_group_and_rest(
    groups: Sequence[WorkingGroup], words: Sequence[str]
) -> tuple[WorkingGroup | None, str]:
    """``["Climate", "change", "@ana"]`` -> (the climate group, "@ana").

    A group name may have several words, so the longest leading run of words that names a
    group wins; the rest is what follows it (a person). No group: (None, everything).
    """
    for cut in range(len(words), 0, -1):
        group = find_group(groups, " ".join(words[:cut]))
        if group is not None:
            return group, " ".join(words[cut:]).strip()
    return None, " ".join(words).strip()


def group_names(groups: Sequence[WorkingGroup], language: str) -> str:
    """Every group's name in ``language``, for a one-line list of valid answers."""
    return format_parts((group.name(language) for group in groups), language)


def unknown_group(tr: Translator, query: str, groups: Sequence[WorkingGroup]) -> Html:
    """The answer to a group name that matches none: what was typed and the valid names; to a
    beginning several groups share, those groups."""
    candidates = match_groups(groups, query)
    if len(candidates) > 1:
        return tr(
            "“{query}” could be several working groups: {groups}. Which one? Write more of "
            "its name.",
            query=echo(query),
            groups=group_names(candidates, tr.language),
        )
    return tr(
        "There is no working group “{query}”. The working groups are: {groups}.",
        query=echo(query),
        groups=group_names(groups, tr.language),
    )


# Buttons of /groups


@callback_data("gj")
class JoinButton(CallbackData):
    """The Join button of one group in /groups."""

    group_id: int


@callback_data("gl")
class LeaveButton(CallbackData):
    """The Leave button of one group in /groups."""

    group_id: int


MembershipButton = JoinButton | LeaveButton


def membership_button(data: str | None) -> MembershipButton | None:
    """The Join or Leave button ``data`` packs; None for anything else (forged, mangled)."""
    return JoinButton.unpack_or_none(data) or LeaveButton.unpack_or_none(data)


# People named in commands


@dataclass(frozen=True)
class PersonLookup:
    """Who a query names: exactly one person, or the candidates when it is ambiguous."""

    person: Person | None
    candidates: tuple[Person, ...] = ()


def pick_person(query: str, matches: Sequence[Person]) -> PersonLookup:
    """One match is the person; a name several people share is ambiguous, unless exactly one of
    them has precisely that name."""
    if len(matches) == 1:
        return PersonLookup(matches[0])
    wanted = _normalise(query).removeprefix("@")
    exact = [
        person
        for person in matches
        if wanted in (_normalise(person.name), _normalise(person.full_name))
        or wanted == (person.username or "").casefold()
    ]
    if len(exact) == 1:
        return PersonLookup(exact[0])
    return PersonLookup(None, tuple(matches))


def describe_person(person: Person) -> str:
    """How a candidate is listed: name, @username if any, and the id to type instead."""
    username = f" @{person.username}" if person.username else ""
    return f"{person.name}{username} ({person.id})"


# /newgroup slug | Name | theme


@dataclass(frozen=True)
class NewGroup:
    slug: str
    name: str
    theme: str


@dataclass(frozen=True)
class FormError:
    """Why a form was refused: a message id and the values it names."""

    message: str
    values: dict[str, object]


NEWGROUP_USAGE: Final = N_(
    "Write it on one line: /newgroup slug | Name | theme (the theme is optional). "
    "The slug is 2–32 lowercase letters, digits, - or _, e.g. /newgroup water | Water and glaciers"
)


def parse_new_group(text: str) -> NewGroup | FormError:
    """Read ``slug | Name | theme`` (theme optional, the name by default)."""
    parts = [part.strip() for part in text.split("|")]
    if len(parts) not in (2, 3) or not all(parts):
        return FormError(NEWGROUP_USAGE, {})
    slug, name = parts[0].lower(), " ".join(parts[1].split())
    theme = " ".join(parts[2].split()) if len(parts) == 3 else name
    if not SLUG_PATTERN.fullmatch(slug):
        return FormError(
            N_("“{slug}” cannot be a slug: use 2–32 lowercase letters, digits, - or _."),
            {"slug": parts[0]},
        )
    if len(name) > NAME_LIMIT:
        return FormError(
            N_("The name is too long: at most {limit} characters."), {"limit": NAME_LIMIT}
        )
    if len(theme) > THEME_LIMIT:
        return FormError(
            N_("The theme is too long: at most {limit} characters."), {"limit": THEME_LIMIT}
        )
    return NewGroup(slug=slug, name=name, theme=theme)


def name_taken(groups: Sequence[WorkingGroup], slug: str, name: str) -> bool:
    """Whether a group already has this slug, or this name as its slug or name in some
    language (find_group could not tell the two apart)."""
    wanted = _normalise(name)
    return any(
        slug == group.slug
        or wanted == group.slug
        or wanted in (_normalise(n) for n in group.names.values())
        for group in groups
    )


# Linked chats


class ChatMove(Enum):
    JOINED = "joined"
    LEFT = "left"


def is_present(status: str, is_member: bool | None = None) -> bool:
    """Whether a chat member with this status is in the chat."""
    return status in PRESENT_STATUSES or (status == "restricted" and bool(is_member))


def chat_move(
    old_status: str,
    new_status: str,
    old_is_member: bool | None = None,
    new_is_member: bool | None = None,
) -> ChatMove | None:
    """What a chat_member update means for the roster: joined, left, or nothing (a promotion,
    a restriction of someone who stays)."""
    before, after = is_present(old_status, old_is_member), is_present(new_status, new_is_member)
    if after and not before:
        return ChatMove.JOINED
    if before and not after:
        return ChatMove.LEFT
    return None


def group_of_place(
    groups: Sequence[WorkingGroup], chat_id: int, topic_id: int | None
) -> WorkingGroup | None:
    """The group whose chat this is: linked to exactly this topic, else to the whole chat."""
    here = [group for group in groups if group.chat_id == chat_id]
    for wanted in (topic_id, None):
        for group in here:
            if group.topic_id == wanted:
                return group
    return None


def chat_link(username: str | None, topic_id: int | None) -> str | None:
    """The public t.me address of a chat (and topic), None for a private chat."""
    if not username:
        return None
    return f"https://t.me/{username}" + (f"/{topic_id}" if topic_id else "")
