"""Working-group rules: finding the group a person means."""

from __future__ import annotations

from collections.abc import Sequence

from storage import WorkingGroup


def _normalise(text: str) -> str:
    return " ".join(text.casefold().split())


def find_group(groups: Sequence[WorkingGroup], query: str) -> WorkingGroup | None:
    """The group named by ``query``: its slug, or its name in any language, or a unique prefix."""
    wanted = _normalise(query).removeprefix("#")
    if not wanted:
        return None
    for group in groups:
        if wanted == group.slug or wanted in (_normalise(n) for n in group.names.values()):
            return group
    prefixed = [
        group
        for group in groups
        if group.slug.startswith(wanted)
        or any(_normalise(n).startswith(wanted) for n in group.names.values())
    ]
    return prefixed[0] if len(prefixed) == 1 else None
