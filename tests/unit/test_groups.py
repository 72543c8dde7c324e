"""Finding the working group a person means."""

from __future__ import annotations

from bot.groups import find_group
from storage import WorkingGroup


def _group(gid: int, slug: str, en: str, es: str) -> WorkingGroup:
    return WorkingGroup(
        id=gid,
        slug=slug,
        theme=slug,
        chat_id=None,
        topic_id=None,
        timezone=None,
        active=True,
        names={"en": en, "es": es},
        descriptions={},
    )


GROUPS = [
    _group(1, "climate", "Climate change", "Cambio climático"),
    _group(2, "community", "Community empowerment", "Empoderamiento comunitario"),
]


def test_by_slug_name_in_any_language_and_unique_prefix() -> None:
    assert find_group(GROUPS, "climate") is GROUPS[0]
    assert find_group(GROUPS, " CAMBIO  climático ") is GROUPS[0]
    assert find_group(GROUPS, "#community") is GROUPS[1]
    assert find_group(GROUPS, "clim") is GROUPS[0]
    assert find_group(GROUPS, "c") is None  # ambiguous
    assert find_group(GROUPS, "mars") is None
    assert find_group(GROUPS, "") is None
