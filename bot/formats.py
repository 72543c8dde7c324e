"""Every time, zone, duration, number and list a person reads, in their language (Babel, CLDR).

One convention for zones, used by every text (docs/developers.md, "Local formats"): a zone is
named by its city in the reader's language (Madrid, 马德里, Lima, 利马; CLDR's exemplar city),
and UTC by its CLDR name (Coordinated Universal Time, 协调世界时). An IANA key
("Europe/Madrid") is never shown to a reader. Pure functions, tested in
``tests/unit/test_formats.py``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import cache
from typing import Final, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale
from babel.dates import format_date, format_skeleton, get_timezone_location, get_timezone_name
from babel.lists import format_list
from babel.numbers import format_decimal
from babel.units import format_unit

from bot.i18n import LANGUAGES, Localised
from bot.textfold import fold

UTC_KEYS: Final = frozenset({"UTC", "Etc/UTC", "Etc/UCT", "Etc/Zulu", "UCT", "Zulu", "GMT"})
"""Zone keys that mean universal time itself (named by CLDR's name for it, not a city)."""


def _key(zone: ZoneInfo | str) -> str:
    return zone if isinstance(zone, str) else zone.key


CITY_OVERRIDES: Final[dict[tuple[str, str], str]] = {("Asia/Shanghai", "zh"): "北京"}
"""Where readers know the zone by another city than CLDR's (北京时间, not 上海)."""


@cache
def zone_name(zone: ZoneInfo | str, language: str) -> str:
    """The zone as people of ``language`` know it: its city (Madrid, 利马), or universal time."""
    key = _key(zone)
    locale = Locale.parse(language)
    if key in UTC_KEYS:
        names = locale.time_zones.get("Etc/UTC", {}).get("long", {})
        return str(names.get("standard", "UTC"))
    if (key, language) in CITY_OVERRIDES:
        return CITY_OVERRIDES[key, language]
    try:
        ZoneInfo(key)
    except (ZoneInfoNotFoundError, ValueError):
        return key
    return str(get_timezone_location(key, locale=locale, return_city=True))


def is_zone_city(zone: ZoneInfo | str, typed: str) -> bool:
    """Whether ``typed`` is the zone's own city in one of the four languages."""
    wanted = fold(typed)
    return any(fold(zone_name(zone, language)) == wanted for language in LANGUAGES)


def clock(moment: datetime, zone: ZoneInfo) -> str:
    """The 24-hour time in ``zone`` (``15:00``), the way all four languages write it."""
    return f"{moment.astimezone(zone):%H:%M}"


def format_day(moment: datetime, zone: ZoneInfo, language: str) -> str:
    """The full date in ``zone``: ``Thursday, October 15, 2026`` / ``2026年10月15日星期四``."""
    return str(format_date(moment.astimezone(zone).date(), format="full", locale=language))


def format_short_day(moment: datetime, zone: ZoneInfo, language: str) -> str:
    """``Thu, Oct 15`` / ``jue, 15 oct`` / ``10月15日周四``, in ``zone``."""
    return str(format_skeleton("MMMEd", moment.astimezone(zone), locale=language))


def format_when(moment: datetime, zone: ZoneInfo, language: str) -> str:
    """``Thursday, October 15, 2026 15:00 (Madrid)``: in the reader's zone, the zone named."""
    day = format_day(moment, zone, language)
    return f"{day} {clock(moment, zone)} ({zone_name(zone, language)})"


def format_short_when(moment: datetime, zone: ZoneInfo, language: str) -> str:
    """``Thu, Oct 15 15:00 (Madrid)``."""
    day = format_short_day(moment, zone, language)
    return f"{day} {clock(moment, zone)} ({zone_name(zone, language)})"


def format_utc(moment: datetime, language: str) -> str:
    """``Thu, Oct 15 13:00``: the same instant in universal time (the caller adds ``UTC``)."""
    return f"{format_short_day(moment, ZoneInfo('UTC'), language)} {moment.astimezone(UTC):%H:%M}"


# --- durations -----------------------------------------------------------------------------

_PARTS: Final = (("duration-day", 1440), ("duration-hour", 60), ("duration-minute", 1))


def format_minutes(minutes: int, language: str, *, short: bool = False) -> str:
    """An exact length: ``1 hour 30 minutes``, ``1小时30分钟``, ``7 jours`` (``1 h 30 min`` short).

    Babel's ``format_timedelta`` rounds to one unit (90 minutes reads "2 hours", 10 days "1
    week"), so each whole unit is written with ``format_unit`` and the parts are joined as the
    locale joins units.
    """
    length: Literal["short", "long"] = "short" if short else "long"
    parts: list[str] = []
    rest = abs(minutes)
    for unit, size in _PARTS:
        amount, rest = divmod(rest, size)
        if amount:
            parts.append(str(format_unit(amount, unit, length=length, locale=language)))
    if not parts:
        parts.append(str(format_unit(0, "duration-minute", length=length, locale=language)))
    return str(format_list(parts, style="unit-narrow", locale=language))


def format_offsets(offsets: Iterable[int], language: str) -> str:
    """Reminder offsets as a list: ``7 days, 1 day, 1 hour and 10 minutes``."""
    return format_names([format_minutes(m, language) for m in offsets], language)


# --- numbers and lists ---------------------------------------------------------------------


def format_number(value: float | int | Decimal, language: str, *, places: int = 1) -> str:
    """``3.8`` / ``3,8`` / ``1,234`` / ``1 234``, at most ``places`` decimals."""
    pattern = "#,##0." + "#" * places if places else "#,##0"
    return str(format_decimal(value, format=pattern, locale=language))


def format_score(value: float, language: str) -> str:
    """A mean with one decimal always shown: ``4.0``, ``3,8`` (French, Spanish)."""
    return str(format_decimal(round(value, 1), format="0.0", locale=language))


def format_names(items: Iterable[str], language: str) -> str:
    """``Ana, Li and Léa`` / ``Ana、Li和Léa`` / ``Ana, Li y Léa`` / ``Ana, Li et Léa``."""
    shown = [item for item in items if item]
    return str(format_list(shown, locale=language)) if shown else ""


def format_parts(items: Iterable[str], language: str) -> str:
    """Items side by side, not a sentence: ``a, b, c`` / ``a、b、c`` (no "and")."""
    separator = "、" if language == "zh" else ", "
    return separator.join(item for item in items if item)


# --- values a rule names without knowing the reader (filled in by the translator) ----------


@dataclass(frozen=True)
class When(Localised):
    """An instant to be shown in ``zone``, the zone named, in the reader's language."""

    moment: datetime
    zone: ZoneInfo

    def localise(self, language: str) -> str:
        return format_when(self.moment, self.zone, language)


@dataclass(frozen=True)
class ZoneName(Localised):
    """A zone, named as the reader knows it."""

    zone: ZoneInfo | str

    def localise(self, language: str) -> str:
        return zone_name(self.zone, language)


@dataclass(frozen=True)
class Length(Localised):
    """A length of time in minutes, written out in the reader's language."""

    minutes: int

    def localise(self, language: str) -> str:
        return format_minutes(self.minutes, language)


@dataclass(frozen=True)
class Day(Localised):
    """A calendar day, in full, in the reader's language."""

    day: date

    def localise(self, language: str) -> str:
        return str(format_date(self.day, format="full", locale=language))


def metazone_name(zone: ZoneInfo | str, language: str) -> str:
    """The zone's generic name: ``Central European Time``, ``中欧时间`` (for a typed ``CET``)."""
    return str(get_timezone_name(_key(zone), width="long", locale=language))
