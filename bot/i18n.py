"""Translations: gettext catalogs (managed with Babel) for English, Spanish, Chinese and French.

Catalogs live as ``bot/locales/<lang>/LC_MESSAGES/messages.po`` and are compiled in memory when
the bot starts, so a fresh clone needs no build step and never runs with stale ``.mo`` files.
``wnmrc-bot i18n`` extracts new messages and updates the catalogs (see ``bot/catalogs.py``).
"""

from __future__ import annotations

import gettext
import io
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Final

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal

from bot.rendering import Html, escape

LANGUAGES: Final = ("en", "es", "zh", "fr")
"""The catalogs the bot ships, in the order they are offered to people."""

LANGUAGE_NAMES: Final[Mapping[str, str]] = {
    "en": "English",
    "es": "Español",
    "zh": "中文",
    "fr": "Français",
}
"""Each language named in itself, as shown on the language buttons."""

LOCALES_DIR: Final = Path(__file__).parent / "locales"
DOMAIN: Final = "messages"

NEAREST_CATALOG: Final[Mapping[str, str]] = {
    # Languages without a catalog, mapped to the one their speakers most likely read.
    "pt": "es",
    "gl": "es",
    "ca": "es",
    "eu": "es",
    "ast": "es",
    "an": "es",
    "yue": "zh",
    "wuu": "zh",
    "oc": "fr",
    "br": "fr",
    "wa": "fr",
    "co": "fr",
}


def N_(message: str) -> str:  # noqa: N802 - the conventional gettext marker name
    """Mark a string for extraction without translating it (translated later, per reader)."""
    return message


def negotiate(language_code: str | None) -> str | None:
    """Map a Telegram ``language_code`` (``es-419``, ``zh-hans``, ``pt-br``...) to a catalog."""
    if not language_code:
        return None
    base = language_code.strip().lower().replace("_", "-").split("-")[0]
    if base in LANGUAGES:
        return base
    return NEAREST_CATALOG.get(base)


def choose_language(chosen: str | None, telegram_code: str | None, default: str) -> str:
    """A person's language: their own choice, else Telegram's, else the network default."""
    if chosen in LANGUAGES:
        return chosen
    return negotiate(telegram_code) or default


class Localised:
    """A placeholder value written in the reader's language when the message is filled (a
    time, a zone, a duration: ``bot/formats.py``), so rules can name it without a translator."""

    __slots__ = ()

    def localise(self, language: str) -> str:
        raise NotImplementedError


class Translator:
    """Translates and fills messages for one language; placeholder values are HTML-escaped."""

    __slots__ = ("_catalog", "language")

    def __init__(self, language: str, catalog: gettext.NullTranslations) -> None:
        self.language = language
        self._catalog = catalog

    def __call__(self, message: str, /, **values: object) -> Html:
        return self._fill(self._catalog.gettext(message), values)

    def plural(self, singular: str, plural: str, n: int, /, **values: object) -> Html:
        """Translate a message whose form depends on ``n`` (``{n}`` is filled in too, written
        as the reader's locale writes numbers: 1,234 / 1.234 / 1 234)."""
        count = _decimal(n, self.language)
        return self._fill(self._catalog.ngettext(singular, plural, n), {"n": count, **values})

    def _fill(self, template: str, values: Mapping[str, object]) -> Html:
        if not values:
            return Html(template)
        filled = {key: escape(self._localise(value)) for key, value in values.items()}
        return Html(template.format(**filled))

    def _localise(self, value: object) -> object:
        """A value that depends on the reader's language (a time, a zone) written in theirs."""
        return value.localise(self.language) if isinstance(value, Localised) else value


@lru_cache(maxsize=4096)
def _decimal(n: int, language: str) -> str:
    """A count as the locale writes it, kept: Babel parses the locale's pattern at every call,
    and the same few counts (members of a group, votes) are written again and again."""
    return format_decimal(n, locale=language)


class I18n:
    """All catalogs, compiled once; hands out a :class:`Translator` per language."""

    def __init__(self, default_language: str = "en", locales_dir: Path = LOCALES_DIR) -> None:
        if default_language not in LANGUAGES:
            raise ValueError(f"no catalog for default language {default_language!r}")
        self.default_language = default_language
        self._translators = {
            language: Translator(language, load_catalog(locales_dir, language))
            for language in LANGUAGES
        }
        for language in LANGUAGES:  # Babel reads a locale's data at its first use: now, not
            _decimal(0, language)  # while the first person to write waits for an answer

    def translator(self, language: str | None) -> Translator:
        return self._translators.get(language or "", self._translators[self.default_language])

    def for_person(self, chosen: str | None, telegram_code: str | None) -> Translator:
        return self.translator(choose_language(chosen, telegram_code, self.default_language))


def catalog_path(locales_dir: Path, language: str) -> Path:
    return locales_dir / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def load_catalog(locales_dir: Path, language: str) -> gettext.NullTranslations:
    """Compile a ``.po`` catalog in memory; English falls back to the message ids themselves."""
    path = catalog_path(locales_dir, language)
    if not path.exists():
        if language == "en":
            return gettext.NullTranslations()
        raise FileNotFoundError(f"missing catalog {path}")
    with path.open("rb") as source:
        catalog = read_po(source, locale=language)
    compiled = io.BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)
