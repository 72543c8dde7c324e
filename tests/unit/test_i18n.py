"""Language negotiation and the completeness of the four catalogs."""

from __future__ import annotations

import pytest

from bot import catalogs
from bot.i18n import LANGUAGES, I18n, choose_language, negotiate


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("en", "en"),
        ("en-GB", "en"),
        ("es", "es"),
        ("es-419", "es"),
        ("ES_mx", "es"),
        ("zh-hans", "zh"),
        ("zh-hant", "zh"),
        ("zh-TW", "zh"),
        ("fr-CA", "fr"),
        ("pt-br", "es"),
        ("ca", "es"),
        ("de", None),
        ("", None),
        (None, None),
    ],
)
def test_telegram_language_codes_map_to_the_nearest_catalog(
    code: str | None, expected: str | None
) -> None:
    assert negotiate(code) == expected


def test_the_persons_choice_wins_then_telegram_then_the_default() -> None:
    assert choose_language("fr", "es", "en") == "fr"
    assert choose_language(None, "es-419", "en") == "es"
    assert choose_language(None, "de", "zh") == "zh"
    assert choose_language("xx", None, "en") == "en"


def test_every_message_in_the_code_is_translated_in_every_catalog() -> None:
    template = catalogs.extract()

    problems = catalogs.check(template)

    assert len(template) > 10
    assert [str(problem) for problem in problems] == []


def test_the_check_notices_a_missing_translation() -> None:
    template = catalogs.extract()
    template.add("A message nobody translated yet")

    problems = catalogs.check(template)

    missing = {p.language for p in problems if p.msgid == "A message nobody translated yet"}
    assert missing == set(LANGUAGES)


def test_translations_fill_placeholders_with_escaped_values() -> None:
    tr = I18n("en").translator("es")

    text = tr("From now on I will speak to you in {language}.", language="<Español>")

    assert text == "A partir de ahora te hablaré en &lt;Español&gt;."
