"""Finding the country and the time zone a person means, in any of the four languages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.countries import (
    country_codes,
    country_name,
    find_country,
    find_zone,
    format_offset,
    is_country,
    local_time,
    normalise,
    utc_offset,
    zones_of,
)

WINTER = datetime(2026, 1, 13, 14, 5, tzinfo=UTC)
SUMMER = datetime(2026, 7, 14, 14, 5, tzinfo=UTC)


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("Peru", "PE"),
        ("perú", "PE"),
        ("Pérou", "PE"),
        ("秘鲁", "PE"),
        ("pe", "PE"),
        ("PER", "PE"),
        ("  Nepal ", "NP"),
        ("尼泊尔", "NP"),
        ("Népal", "NP"),
        ("Estados Unidos", "US"),
        ("États-Unis", "US"),
        ("Etats Unis", "US"),
        ("USA", "US"),
        ("the Netherlands", "NL"),
        ("Bosnia and Herzegovina", "BA"),
        ("Bosnia & Herzegovina", "BA"),
        ("Bosnie-Herzégovine", "BA"),
        ("Cote d'Ivoire", "CI"),
        ("Myanmar", "MM"),
        ("Burma", "MM"),
        ("UK", "GB"),
        ("瑞士", "CH"),
        ("Suiza", "CH"),
        ("中国", "CN"),
        ("Chine", "CN"),
        ("Czech Republic", "CZ"),
    ],
)
def test_a_country_is_found_by_name_in_any_language_or_by_code(typed: str, code: str) -> None:
    found = find_country(typed)

    assert found.match == code
    assert found.suggestions == ()


@pytest.mark.parametrize(
    ("typed", "suggested"),
    [
        ("Peruu", "PE"),
        ("Prue", "PE"),
        ("秘路", "PE"),
        ("Equador", "EC"),
        ("Kyrgystan", "KG"),
        ("Swizerland", "CH"),
        ("Argentinia", "AR"),
        ("Bosnia", "BA"),
    ],
)
def test_a_typo_is_not_guessed_but_close_countries_are_suggested(
    typed: str, suggested: str
) -> None:
    found = find_country(typed)

    assert found.match is None
    assert found.suggestions[0] == suggested
    assert len(found.suggestions) <= 5


def test_an_ambiguous_name_suggests_every_country_it_may_mean() -> None:
    found = find_country("Korea")

    assert found.match is None
    assert set(found.suggestions) == {"KP", "KR"}


@pytest.mark.parametrize("typed", ["xyz", "EU", "ZZ", "UN", "", "  ", "!!"])
def test_regions_and_nonsense_are_no_country(typed: str) -> None:
    assert find_country(typed).match is None


def test_only_real_countries_count() -> None:
    assert len(country_codes()) == 249
    assert is_country("PE")
    assert not is_country("EU")
    assert not is_country("419")
    assert not is_country("pe")


def test_country_names_in_the_readers_language() -> None:
    assert [country_name("PE", lang) for lang in ("en", "es", "zh", "fr")] == [
        "Peru",
        "Perú",
        "秘鲁",
        "Pérou",
    ]


def test_normalise_drops_case_accents_and_punctuation() -> None:
    assert normalise("  Côte d’Ivoire ") == "cote d ivoire"
    assert normalise("Trinidad & Tobago") == "trinidad and tobago"
    assert normalise("中国") == "中国"


def test_the_zones_of_a_country_run_west_to_east() -> None:
    zones = zones_of("CN", WINTER)

    assert zones == ("Asia/Urumqi", "Asia/Shanghai")
    assert zones_of("PE") == ("America/Lima",)
    assert zones_of("ZZ") == ()


@pytest.mark.parametrize(
    ("typed", "zone"),
    [
        ("Lima", "America/Lima"),
        ("america/lima", "America/Lima"),
        ("AMERICA/LIMA", "America/Lima"),
        ("Europe / Paris", "Europe/Paris"),
        ("Kathmandu", "Asia/Kathmandu"),
        ("利马", "America/Lima"),
        ("Nueva York", "America/New_York"),
        ("new york", "America/New_York"),
        ("Buenos Aires", "America/Argentina/Buenos_Aires"),
        ("Ciudad de México", "America/Mexico_City"),
        ("Zürich", "Europe/Zurich"),
        ("Ginebra", "Europe/Zurich"),
        ("Beijing", "Asia/Shanghai"),
        ("上海", "Asia/Shanghai"),
        ("Asia/Calcutta", "Asia/Kolkata"),
        ("Asia/Katmandu", "Asia/Kathmandu"),
        ("Nepal", "Asia/Kathmandu"),
        ("UTC", "Etc/UTC"),
    ],
)
def test_a_zone_is_found_by_iana_name_city_or_one_zone_country(typed: str, zone: str) -> None:
    assert find_zone(typed).match == zone


def test_a_mistyped_city_suggests_zones() -> None:
    found = find_zone("Kathmandoo")

    assert found.match is None
    assert found.suggestions == ("Asia/Kathmandu",)


def test_a_country_with_several_zones_suggests_them() -> None:
    found = find_zone("Argentina")

    assert found.match is None
    assert "America/Argentina/Buenos_Aires" in found.suggestions


def test_an_unknown_place_finds_nothing() -> None:
    assert find_zone("Atlantis Prime") == find_zone("Mars/Olympus")
    assert find_zone("Atlantis Prime").match is None
    assert find_zone("Atlantis Prime").suggestions == ()


@pytest.mark.parametrize(
    ("zone", "moment", "expected"),
    [
        ("Asia/Kathmandu", WINTER, "UTC+5:45"),
        ("America/St_Johns", WINTER, "UTC−3:30"),
        ("America/New_York", WINTER, "UTC−5"),
        ("America/New_York", SUMMER, "UTC−4"),
        ("Europe/London", WINTER, "UTC+0"),
    ],
)
def test_offsets_follow_daylight_saving_time(zone: str, moment: datetime, expected: str) -> None:
    assert format_offset(utc_offset(zone, moment)) == expected


def test_format_offset_of_a_negative_half_hour() -> None:
    assert format_offset(timedelta(minutes=-30)) == "UTC−0:30"


@pytest.mark.parametrize(
    ("zone", "language", "expected"),
    [
        ("America/Lima", "en", "Tue 09:05"),
        ("America/Lima", "es", "mar, 09:05"),
        ("Asia/Kathmandu", "zh", "周二19:50"),
        ("Pacific/Auckland", "fr", "mer. 03:05"),
    ],
)
def test_local_time_is_the_weekday_and_time_there(zone: str, language: str, expected: str) -> None:
    assert local_time(zone, WINTER, language) == expected
