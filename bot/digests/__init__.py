"""Digests: what is new for a working group, the network or a person, at 09:00 in their zone.

``rules`` (frequencies, due times, targets, composing the text), ``sections`` (new members,
experiences: pure), ``providers`` (the sections' items from the repositories), ``service``
(the use cases, each write in one unit of work), ``schedule`` (the due work). The rows are
``storage/digests.py``; /digest is ``handlers/digests.py``. This module re-exports the pure
rules other features use (the service and the due work are imported from their modules).
"""

from bot.digests.rules import (
    DEFAULT_FREQUENCY,
    DIGEST_TIME,
    FREQUENCIES,
    FREQUENCY_LABELS,
    DigestItem,
    DigestRequest,
    DigestSection,
    DigestTarget,
    Frequency,
    SectionProvider,
    TargetKind,
    compose,
    dedupe_key,
    digest_title,
    format_when,
    item_keys,
    local_slot,
    next_due,
    parse_frequency,
    period_length,
    render_section,
    unsent,
)
from bot.digests.sections import (
    EXPERIENCES_HEADING,
    NEW_MEMBERS_HEADING,
    NewMember,
    experience_line,
    experiences_section,
    member_line,
    new_members_section,
)

__all__ = [
    "DEFAULT_FREQUENCY",
    "DIGEST_TIME",
    "EXPERIENCES_HEADING",
    "FREQUENCIES",
    "FREQUENCY_LABELS",
    "NEW_MEMBERS_HEADING",
    "DigestItem",
    "DigestRequest",
    "DigestSection",
    "DigestTarget",
    "Frequency",
    "NewMember",
    "SectionProvider",
    "TargetKind",
    "compose",
    "dedupe_key",
    "digest_title",
    "experience_line",
    "experiences_section",
    "format_when",
    "item_keys",
    "local_slot",
    "member_line",
    "new_members_section",
    "next_due",
    "parse_frequency",
    "period_length",
    "render_section",
    "unsent",
]
