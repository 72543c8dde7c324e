"""Rendering the web pages: Jinja2 templates with autoescape and the bot's own catalogs.

One Jinja2 environment per language, each with Jinja2's i18n extension installed with that
language's translator: ``{{ _("Message {name}", name=value) }}`` in a template is the same
message id, the same ``{placeholder}`` filling and the same escaping of values as
``context.tr`` in a handler, so ``wnmrc-bot i18n`` extracts page strings from
``bot/web/templates`` with the rest and the catalog checks cover them.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from bot.countries import country_name
from bot.i18n import LANGUAGE_NAMES, LANGUAGES, I18n, Translator, negotiate

TEMPLATES: Final = Path(__file__).with_name("templates")


def _gettext(tr: Translator) -> Any:
    def gettext(message: str, **values: object) -> Markup:
        # The catalog's text is ours; every value was escaped by the translator.
        return Markup(tr(message, **values))

    return gettext


def _ngettext(tr: Translator) -> Any:
    def ngettext(singular: str, plural: str, n: int, **values: object) -> Markup:
        return Markup(tr.plural(singular, plural, n, **values))

    return ngettext


class Pages:
    """The templates, ready to render in each of the bot's languages."""

    def __init__(self, i18n: I18n) -> None:
        self._environments = {language: self._environment(i18n, language) for language in LANGUAGES}

    @staticmethod
    def _environment(i18n: I18n, language: str) -> Environment:
        environment = Environment(
            loader=FileSystemLoader(TEMPLATES),
            autoescape=select_autoescape(["html"]),
            extensions=["jinja2.ext.i18n"],
            enable_async=False,
        )
        tr = i18n.translator(language)
        environment.install_gettext_callables(  # type: ignore[attr-defined]
            _gettext(tr), _ngettext(tr), newstyle=False
        )
        environment.globals.update(
            lang=language,
            languages=LANGUAGE_NAMES,
            country=lambda code: country_name(code, language),
            direction="ltr",
        )
        return environment

    def render(self, language: str, template: str, **values: object) -> str:
        return self._environments[language].get_template(template).render(**values)


def visitor_language(query: Mapping[str, str], accept_language: str | None, default: str) -> str:
    """The page's language: ``?lang=`` (the switch), else the browser's Accept-Language
    (by preference, the first the bot speaks), else the network default."""
    chosen = query.get("lang", "")
    if chosen in LANGUAGES:
        return chosen
    for code in _by_preference(accept_language or ""):
        found = negotiate(code)
        if found is not None:
            return found
    return default


def _by_preference(header: str) -> list[str]:
    """Accept-Language's codes, highest quality first (``*`` and malformed parts skipped)."""
    ranked: list[tuple[float, int, str]] = []
    for index, part in enumerate(header.split(",")[:20]):
        code, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                continue
        if code and code != "*" and quality > 0:
            ranked.append((-quality, index, code))
    return [code for _, _, code in sorted(ranked)]
