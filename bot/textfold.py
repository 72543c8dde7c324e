"""Text as people type it: one form for comparing names, words and tags.

``fold`` ignores case, accents and character width, so "lea" finds "Léa", "SOFIA" finds
"Sofía" and a full-width "ＡＢＣ" typed on a Chinese keyboard finds "abc". Chinese characters
are left as they are.
"""

from __future__ import annotations

import unicodedata

__all__ = ["fold", "fold_words"]


def fold(text: str) -> str:
    """Case-, accent- and width-insensitive form of ``text`` with single spaces."""
    wide_to_narrow = unicodedata.normalize("NFKC", text)
    decomposed = unicodedata.normalize("NFKD", wide_to_narrow)
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(bare.casefold().split())


def fold_words(text: str) -> tuple[str, ...]:
    """The folded words of ``text``, split on anything that is not a letter or a digit."""
    folded = fold(text)
    words = "".join(char if char.isalnum() else " " for char in folded)
    return tuple(words.split())
