"""The languages the network works in."""

from typing import Final

SUPPORTED_LANGUAGES: Final[tuple[str, ...]] = ("en", "es", "zh", "fr")
