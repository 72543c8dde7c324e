"""Countries and time zones: finding the one a person means, in any of the network's languages.

Country names come from Babel's locale data (CLDR) in English, Spanish, Chinese and French;
a country is stored as its ISO 3166-1 alpha-2 code. Time zones are IANA names, validated with
``zoneinfo``; a person may type a zone's name or a city (in any of the four languages).
Both lookups answer with either the one match or a few close suggestions, never a guess.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Final, cast
from zoneinfo import ZoneInfo, available_timezones

from babel import Locale
from babel.core import get_global
from babel.dates import format_datetime, get_timezone_location, match_skeleton

NAME_LANGUAGES: Final = ("en", "es", "zh", "fr")
"""The languages country and city names are recognised in."""

NOT_COUNTRIES: Final = frozenset(
    # Two-letter codes CLDR names that are not ISO 3166-1 countries: exceptional
    # reservations (Ascension, Clipperton, Ceuta & Melilla, Canaries, Tristan da Cunha, Diego
    # Garcia, Sark), groupings (EU, eurozone, UN, Outlying Oceania) and user-assigned codes.
    {"AC", "CP", "CQ", "DG", "EA", "IC", "TA", "EU", "EZ", "UN", "QO", "XA", "XB", "XK", "ZZ"}
)

COUNTRY_ALIASES: Final[Mapping[str, str]] = {
    # Everyday names CLDR does not list (normalised).
    "czech republic": "CZ",
    "ivory coast": "CI",
    "turkey": "TR",
    "swaziland": "SZ",
    "east timor": "TL",
    "macedonia": "MK",
    "holland": "NL",
    "great britain": "GB",
    "england": "GB",
    "scotland": "GB",
    "wales": "GB",
    "hong kong": "HK",
    "macau": "MO",
    "macao": "MO",
    "vatican": "VA",
    "palestine": "PS",
}

CITIES_WITHOUT_A_ZONE: Final[Mapping[str, str]] = {
    # Capitals and big cities that share a zone named after another city (normalised).
    "beijing": "Asia/Shanghai",
    "北京": "Asia/Shanghai",
    "pekin": "Asia/Shanghai",
    "geneva": "Europe/Zurich",
    "geneve": "Europe/Zurich",
    "ginebra": "Europe/Zurich",
    "日内瓦": "Europe/Zurich",
    "bern": "Europe/Zurich",
    "berne": "Europe/Zurich",
    "berna": "Europe/Zurich",
    "quito": "America/Guayaquil",
    "基多": "America/Guayaquil",
    "delhi": "Asia/Kolkata",
    "new delhi": "Asia/Kolkata",
    "nueva delhi": "Asia/Kolkata",
    "new dehli": "Asia/Kolkata",
    "mumbai": "Asia/Kolkata",
    "washington": "America/New_York",
    "ottawa": "America/Toronto",
    "brasilia": "America/Sao_Paulo",
    "canberra": "Australia/Sydney",
    "wellington": "Pacific/Auckland",
    "cusco": "America/Lima",
    "cuzco": "America/Lima",
}

MAX_SUGGESTIONS: Final = 5
_CJK: Final = re.compile(r"[\u3000-\u9fff\uac00-\ud7af\uf900-\ufaff]")


@dataclass(frozen=True)
class Lookup:
    """The answer to "which one did they mean?": one match, or suggestions (maybe none)."""

    match: str | None = None
    suggestions: tuple[str, ...] = ()


def normalise(text: str) -> str:
    """Casefolded, without accents or punctuation, ``&`` read as "and", spaces collapsed."""
    decomposed = unicodedata.normalize("NFKD", text.replace("&", " and "))
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    words = re.sub(r"[\W_]+", " ", bare.casefold())
    return " ".join(words.split())


# --- countries ---------------------------------------------------------------------------


@cache
def country_codes() -> frozenset[str]:
    """Every ISO 3166-1 alpha-2 code CLDR names (249 of them)."""
    names = cast(Mapping[str, str], Locale.parse("en").territories)
    return frozenset(
        code for code in names if len(code) == 2 and code.isalpha() and code not in NOT_COUNTRIES
    )


def is_country(code: str) -> bool:
    return code in country_codes()


def country_name(code: str, language: str) -> str:
    """The country's name in ``language`` (English if that locale lacks it; else the code)."""
    for locale in (language, "en"):
        names = cast(Mapping[str, str], Locale.parse(locale).territories)
        if code in names:
            return names[code]
    return code


@dataclass(frozen=True)
class _CountryIndex:
    exact: Mapping[str, str]
    """Normalised name, part of a name, or code -> the one country it names."""
    names: Mapping[str, frozenset[str]]
    """Every normalised name and part -> the countries it may mean (for suggestions)."""


def _name_parts(name: str) -> list[str]:
    """A name and its parts: "Myanmar (Burma)" -> Myanmar, Burma; "Congo - Kinshasa" -> Congo."""
    parts = [name]
    parts += [part for part in re.split(r"\s+-\s+|[()（）]", name) if part.strip()]
    return [normalise(part) for part in parts if normalise(part)]


@cache
def _country_index() -> _CountryIndex:
    codes = country_codes()
    meanings: dict[str, set[str]] = {}
    full: dict[str, str] = {}
    for language in NAME_LANGUAGES:
        names = cast(Mapping[str, str], Locale.parse(language).territories)
        for code, name in names.items():
            if code not in codes:
                continue
            full.setdefault(normalise(name), code)
            for part in _name_parts(name):
                meanings.setdefault(part, set()).add(code)
    exact = {part: next(iter(found)) for part, found in meanings.items() if len(found) == 1}
    exact.update(full)
    exact.update(_code_aliases(codes))
    exact.update(COUNTRY_ALIASES)
    exact.update({code.lower(): code for code in codes})
    return _CountryIndex(exact, {part: frozenset(found) for part, found in meanings.items()})


def _code_aliases(codes: frozenset[str]) -> dict[str, str]:
    """Alpha-3 codes (PER, NPL) and old codes (UK) that stand for exactly one country."""
    aliases = cast(Mapping[str, list[str]], get_global("territory_aliases"))
    return {
        alias.lower(): targets[0]
        for alias, targets in aliases.items()
        if alias.isalpha() and len(targets) == 1 and targets[0] in codes
    }


def find_country(text: str) -> Lookup:
    """The country ``text`` names (code or name in en/es/zh/fr), else up to five suggestions."""
    wanted = normalise(text)
    if not wanted:
        return Lookup()
    index = _country_index()
    for candidate in (wanted, wanted.removeprefix("the ")):
        if candidate in index.exact:
            return Lookup(match=index.exact[candidate])
    return Lookup(suggestions=_suggest(wanted, index.names))


def _suggest(wanted: str, names: Mapping[str, Iterable[str]]) -> tuple[str, ...]:
    """Codes whose names start with ``wanted``, then those whose names are close to it."""
    found: list[str] = []
    if len(wanted) >= 3:
        for name, codes in names.items():
            if name.startswith(wanted) or f" {wanted}" in name:
                found += sorted(codes)
    cutoff = 0.5 if _CJK.search(wanted) else 0.7
    for name in difflib.get_close_matches(wanted, list(names), n=10, cutoff=cutoff):
        found += sorted(names[name])
    return tuple(dict.fromkeys(found))[:MAX_SUGGESTIONS]


# --- time zones --------------------------------------------------------------------------


@cache
def _territory_zones() -> Mapping[str, tuple[str, ...]]:
    zones = cast(Mapping[str, list[str]], get_global("territory_zones"))
    known = available_timezones()
    return {
        code: tuple(zone for zone in found if zone in known)
        for code, found in zones.items()
        if is_country(code)
    }


def zones_of(country: str, now: datetime | None = None) -> tuple[str, ...]:
    """The IANA zones in use in a country, west to east when ``now`` is given."""
    zones = _territory_zones().get(country, ())
    if now is None:
        return zones
    return tuple(sorted(zones, key=lambda zone: (utc_offset(zone, now), zone)))


@cache
def _canonical_zones() -> dict[str, str]:
    """Lower-cased IANA name (current or old) -> the current name."""
    aliases = cast(Mapping[str, str], get_global("zone_aliases"))
    known = available_timezones()
    canonical = {zone.lower(): zone for zone in known}
    for old, new in aliases.items():
        if old in known and new in known:
            canonical[old.lower()] = new
    return canonical


def is_zone(zone: str) -> bool:
    """A zone name ``zoneinfo`` knows, exactly as written."""
    return zone in available_timezones()


def city_name(zone: str, language: str) -> str:
    """The zone's exemplar city in ``language`` (Lima, 利马), from CLDR."""
    if zone in ("UTC", "Etc/UTC"):
        return "UTC"
    return get_timezone_location(zone, locale=language, return_city=True)


@cache
def _city_index() -> dict[str, frozenset[str]]:
    """Normalised city name (any language), last part or whole IANA name -> zones."""
    meanings: dict[str, set[str]] = {}
    zones = {zone for found in _territory_zones().values() for zone in found}
    for zone in zones:
        names = {zone, zone.rsplit("/", 1)[-1]}
        names |= {city_name(zone, language) for language in NAME_LANGUAGES}
        for name in names:
            meanings.setdefault(normalise(name), set()).add(zone)
    for city, zone in CITIES_WITHOUT_A_ZONE.items():
        meanings.setdefault(city, set()).add(zone)
    return {name: frozenset(found) for name, found in meanings.items() if name}


def find_zone(text: str) -> Lookup:
    """The IANA zone ``text`` names: a zone name, a city, or a country with one zone."""
    typed = "/".join(part.strip().replace(" ", "_") for part in text.strip().split("/"))
    canonical = _canonical_zones().get(typed.lower())
    if canonical is not None:
        return Lookup(match=canonical)
    wanted = normalise(text)
    cities = _city_index()
    if wanted in cities:
        return _one_or_suggestions(sorted(cities[wanted]))
    country = find_country(text).match
    if country is not None and zones_of(country):
        return _one_or_suggestions(list(zones_of(country)))
    close = difflib.get_close_matches(wanted, list(cities), n=8, cutoff=0.75)
    found = [zone for name in close for zone in sorted(cities[name])]
    return Lookup(suggestions=tuple(dict.fromkeys(found))[:MAX_SUGGESTIONS])


def _one_or_suggestions(zones: list[str]) -> Lookup:
    if len(zones) == 1:
        return Lookup(match=zones[0])
    return Lookup(suggestions=tuple(zones[:MAX_SUGGESTIONS]))


def utc_offset(zone: str, now: datetime) -> timedelta:
    offset = now.astimezone(ZoneInfo(zone)).utcoffset()
    return offset if offset is not None else timedelta(0)


def format_offset(offset: timedelta) -> str:
    """UTC+1, UTC−5, UTC+5:45 (a true minus sign, minutes only when there are some)."""
    minutes = int(offset.total_seconds()) // 60
    sign = "+" if minutes >= 0 else "−"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")


def local_time(zone: str, now: datetime, language: str) -> str:
    """The weekday and time in ``zone`` right now, as people of ``language`` write it."""
    locale = Locale.parse(language)
    return str(
        format_datetime(now, weekday_time_pattern(language), tzinfo=ZoneInfo(zone), locale=locale)
    )


@cache
def weekday_time_pattern(language: str) -> str:
    """The locale's pattern for a short weekday and a 24-hour time, hours in two digits."""
    skeletons = Locale.parse(language).datetime_skeletons
    key = match_skeleton("EHHmm", skeletons) or "EHm"
    return re.sub(r"(?<!H)H(?!H)", "HH", str(skeletons[key].pattern))
