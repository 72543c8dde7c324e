"""Small builders of the storage models for tests of pure rules."""

from __future__ import annotations

from storage import WorkingGroup


def working_group(gid: int, slug: str, en: str, es: str) -> WorkingGroup:
    """A working group as the repositories return it, named in English and Spanish."""
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
