"""Local formats (bot/formats.py): zones by their city, lengths, lists, numbers; the prompts'
examples of typed dates, read back in every language."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot import dates, formats
from bot.i18n import LANGUAGES

NOW = datetime(2026, 12, 2, 14, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("zone", "language", "name"),
    [
        ("Europe/Madrid", "en", "Madrid"),
        ("Europe/Madrid", "zh", "马德里"),
        ("America/Lima", "zh", "利马"),
        ("Asia/Shanghai", "en", "Shanghai"),
        ("Asia/Shanghai", "zh", "北京"),
        ("Europe/Paris", "es", "París"),
        ("UTC", "en", "Coordinated Universal Time"),
        ("Etc/UTC", "fr", "temps universel coordonné"),
        ("America/Argentina/Buenos_Aires", "en", "Buenos Aires"),
    ],
)
def test_a_zone_is_named_by_its_city_in_the_readers_language(
    zone: str, language: str, name: str
) -> None:
    assert formats.zone_name(zone, language) == name


def test_when_reads_in_the_readers_language_with_the_city() -> None:
    lima = ZoneInfo("America/Lima")
    assert formats.format_when(NOW, lima, "es") == "miércoles, 2 de diciembre de 2026 09:00 (Lima)"
    assert formats.format_when(NOW, ZoneInfo("Asia/Shanghai"), "zh") == (
        "2026年12月2日星期三 22:00 (北京)"
    )
    assert formats.format_utc(NOW, "fr") == "mer. 2 déc. 14:00"


@pytest.mark.parametrize(
    ("minutes", "language", "text"),
    [
        (90, "en", "1 hour 30 minutes"),
        (90, "zh", "1小时30分钟"),
        (90, "es", "1 hora 30 minutos"),
        (60, "fr", "1\u00a0heure"),
        (10080, "en", "7 days"),
        (1500, "es", "1 día 1 hora"),
        (10, "zh", "10分钟"),
    ],
)
def test_lengths_are_exact_and_in_the_readers_words(minutes: int, language: str, text: str) -> None:
    assert formats.format_minutes(minutes, language) == text


def test_lists_and_numbers_follow_the_locale() -> None:
    assert formats.format_names(["Ana", "Li", "Léa"], "zh") == "Ana、Li和Léa"
    assert formats.format_names(["Ana", "Li", "Léa"], "es") == "Ana, Li y Léa"
    assert formats.format_names(["Ana", "Li"], "fr") == "Ana et Li"
    assert formats.format_parts(["a", "b"], "zh") == "a、b"
    assert formats.format_score(3.8, "fr") == "3,8"
    assert formats.format_score(4, "en") == "4.0"
    assert formats.format_number(1234.5, "fr") == "1\u202f234,5"
    assert formats.format_number(12345.5, "en") == "12,345.5"


_SPLIT = re.compile(r",\s*|\s+(?:or|o|ou)\s+|、|或")


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("zone", ["America/Lima", "Asia/Shanghai", "Europe/Paris"])
@pytest.mark.parametrize("days", [0, 3, 200])
def test_the_prompts_examples_are_read_back_in_the_future(
    language: str, zone: str, days: int
) -> None:
    """Each example the prompt shows, typed back as shown, is a future instant."""
    here, now = ZoneInfo(zone), NOW + timedelta(days=days)
    shown = dates.example_text(now, here, language)
    examples = [part for part in _SPLIT.split(shown) if part]
    assert len(examples) == 3, shown
    for example in examples:
        read = dates.read_typed(example, language, here, now)
        assert isinstance(read, dates.Reading), f"{example!r} ({language}) not read: {read}"
        assert read.at > now, f"{example!r} ({language}) read in the past"


def test_counts_are_written_as_the_locale_writes_numbers() -> None:
    from bot.i18n import I18n

    i18n = I18n()
    assert i18n.translator("en").plural("{n} vote", "{n} votes", 1234) == "1,234 votes"
    assert i18n.translator("fr").plural("{n} vote", "{n} votes", 1234) == "1\u202f234 voix"
    assert i18n.translator("es").plural("{n} vote", "{n} votes", 1) == "1 voto"
