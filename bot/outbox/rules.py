"""Pure rules of the outbox that are not about pacing: what /forgetme leaves of a stored text."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from typing import Final

REDACTED: Final = "[…]"
"""What stands where a forgotten person's name was (the same in every language)."""
MIN_NAME_LENGTH: Final = 2
"""Shorter name variants are ignored: they would blank out parts of other words."""

_TAG: Final = re.compile(r"(<[^>]*>)")


def searched_forms(variant: str) -> set[str]:
    """How a name variant can appear in a stored text: as typed, or HTML-escaped."""
    variant = variant.strip()
    if len(variant) < MIN_NAME_LENGTH:
        return set()
    return {variant, html.escape(variant, quote=False), html.escape(variant)}


def name_pattern(variants: Iterable[str]) -> re.Pattern[str] | None:
    """Matches any variant as a whole word, as typed or HTML-escaped (None: nothing to find)."""
    forms = {form for variant in variants for form in searched_forms(variant)}
    if not forms:
        return None
    alternatives = "|".join(re.escape(form) for form in sorted(forms, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)")


def redact(text: str, pattern: re.Pattern[str]) -> str:
    """Telegram HTML with every match outside tags replaced by :data:`REDACTED`."""
    parts = _TAG.split(text)
    return "".join(part if _TAG.fullmatch(part) else pattern.sub(REDACTED, part) for part in parts)
