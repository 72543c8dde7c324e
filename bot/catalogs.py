"""Maintaining the translation catalogs: extract messages from the code, update, check.

``wnmrc-bot i18n`` runs all three: it writes ``bot/locales/messages.pot`` from the source,
merges it into each language's ``messages.po`` (new messages arrive untranslated, removed ones
become obsolete), and reports every message a catalog still lacks. The tests run the same
check, so a message without a translation fails CI.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

from bot.i18n import DOMAIN, LANGUAGES, LOCALES_DIR, catalog_path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SOURCE_DIRS = ("bot", "handlers")
KEYWORDS = {
    "_": None,
    "tr": None,
    "N_": None,
    "gettext": None,
    "plural": (1, 2),
    "ngettext": (1, 2),
}
PLACEHOLDER = re.compile(r"\{(\w+)\}")
TAG = re.compile(r"</?([a-z-]+)")


@dataclass(frozen=True)
class Problem:
    """One thing a catalog lacks or gets wrong."""

    language: str
    msgid: str
    reason: str

    def __str__(self) -> str:
        return f"{self.language}: {self.reason}: {self.msgid!r}"


def extract(root: Path = PROJECT_ROOT) -> Catalog:
    """Every translatable message in the source, as a template catalog."""
    template = Catalog(project="wnmrc-bot", domain=DOMAIN)
    for folder in SOURCE_DIRS:
        found = extract_from_dir(
            root / folder,
            method_map=[
                ("**.py", "python"),
                ("web/templates/**.html", "jinja2.ext:babel_extract"),
            ],
            keywords=KEYWORDS,
            comment_tags=("Translators:",),
        )
        for filename, lineno, message, comments, context in found:
            location = (f"{folder}/{filename}", lineno)
            template.add(message, locations=[location], auto_comments=comments, context=context)
    return template


def update(template: Catalog, locales_dir: Path = LOCALES_DIR) -> None:
    """Write the template and merge it into each language's catalog.

    A file whose messages did not change is left as it is (its creation date included), so
    running this twice, or on two branches, changes nothing that could conflict.
    """
    _write_if_changed(locales_dir / f"{DOMAIN}.pot", template, omit_header=False)
    for language in LANGUAGES:
        path = catalog_path(locales_dir, language)
        catalog = _read(path, language) if path.exists() else Catalog(locale=language)
        catalog.update(template, no_fuzzy_matching=True)
        path.parent.mkdir(parents=True, exist_ok=True)
        _write_if_changed(path, catalog, ignore_obsolete=True)


_CREATION_DATE = re.compile(rb'^"POT-Creation-Date: [^"]*"\n', re.MULTILINE)


def _write_if_changed(path: Path, catalog: Catalog, **options: bool) -> None:
    out = io.BytesIO()
    write_po(out, catalog, width=100, sort_output=True, include_lineno=False, **options)
    new = out.getvalue()
    old = path.read_bytes() if path.exists() else b""
    if _CREATION_DATE.sub(b"", new) != _CREATION_DATE.sub(b"", old):
        path.write_bytes(new)


def check(template: Catalog, locales_dir: Path = LOCALES_DIR) -> list[Problem]:
    """Messages missing, untranslated, fuzzy or with mismatched placeholders or tags."""
    problems: list[Problem] = []
    for language in LANGUAGES:
        path = catalog_path(locales_dir, language)
        catalog = _read(path, language) if path.exists() else Catalog(locale=language)
        problems.extend(_check_language(template, catalog, language))
    return problems


def _check_language(template: Catalog, catalog: Catalog, language: str) -> Iterator[Problem]:
    for wanted in template:
        if not wanted.id:
            continue
        found = catalog.get(wanted.id, context=wanted.context)
        if found is None:
            yield Problem(language, _msgid(wanted), "missing")
            continue
        if language == "en" and not _has_text(found):
            continue  # English reads the message id itself
        if not _has_text(found) or found.fuzzy:
            yield Problem(language, _msgid(wanted), "untranslated" if not found.fuzzy else "fuzzy")
            continue
        yield from _check_shape(wanted, found, language)


def _check_shape(wanted: Message, found: Message, language: str) -> Iterator[Problem]:
    """The translation keeps the message's placeholders and HTML tags."""
    source = _msgid(wanted)
    for text in _strings(found):
        if set(PLACEHOLDER.findall(text)) != set(PLACEHOLDER.findall(source)):
            yield Problem(language, source, "placeholders differ")
        if sorted(TAG.findall(text)) != sorted(TAG.findall(source)):
            yield Problem(language, source, "HTML tags differ")


def _read(path: Path, language: str) -> Catalog:
    with path.open("rb") as source:
        return read_po(source, locale=language)


def _msgid(message: Message) -> str:
    return message.id if isinstance(message.id, str) else message.id[0]


def _strings(message: Message) -> list[str]:
    if isinstance(message.string, str):
        return [message.string]
    return [text for text in message.string or () if text]


def _has_text(message: Message) -> bool:
    return any(_strings(message))


def main() -> int:
    """Extract, update and check all catalogs; print what is still missing."""
    template = extract()
    update(template)
    problems = check(template)
    for problem in problems:
        print(problem)
    print(f"{len(template)} messages, {len(problems)} problems in {', '.join(LANGUAGES)}")
    return 1 if problems else 0
