"""Dates and times as people type them, in English, Spanish, Chinese and French.

The one parser of typed dates: /meet, /reschedule and every prompt that asks for a date call
:func:`read_typed`. Pure functions, table-tested per language in
``tests/unit/test_dates_<language>.py`` (docs/developers.md, "Typed dates").

How a text is read, in order:

1. folded (case, accents, full-width forms: ``Mañana`` = ``manana``, ``１５：００`` = ``15:00``);
2. a zone named in it is taken out and honoured: an abbreviation (``CET``, ``EST``, ``UTC+2``),
   ``<city> time``, ``hora de <city>``, ``heure de <city>``, ``<city>时间`` (``北京时间``), an
   IANA name;
3. "in 2 hours" and its equivalents are an instant from now;
4. the day (own rules: today, tomorrow, the day after tomorrow, ``next Tuesday`` and
   equivalents, ``in 3 days``, ``2026-10-15``, ``15/10``, ``15 Oct``, ``15 de octubre``,
   ``10月15日``) and the time (``15:00``, ``3pm``, ``15h30``, ``下午3点``, or a part of the day:
   morning 09:00, noon 12:00, afternoon 15:00, evening 19:00) are read by rules of our own,
   which know the four languages' words and refuse impossible values with the reason
   (``25:00``, ``9:75``, ``31 February``);
5. only a text the rules cannot read whole goes to dateparser (spelled-out forms such as
   ``October 15th 2026 at 3 PM``), and its answer is kept only with a time of day in it.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cache
from typing import Final
from zoneinfo import ZoneInfo

import dateparser
from babel import Locale

from bot import formats
from bot.countries import find_zone, format_offset
from bot.i18n import LANGUAGES, N_, I18n, Localised, Translator
from bot.textfold import fold

DAY_PARTS: Final[Mapping[str, time]] = {
    "morning": time(9, 0),
    "noon": time(12, 0),
    "afternoon": time(15, 0),
    "evening": time(19, 0),
}
"""The hour a part of the day stands for when no time is typed ("tomorrow afternoon": 15:00)."""


@dataclass(frozen=True)
class Unreadable:
    """Why a typed text gives no instant: a message id and the values it names."""

    message: str
    values: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Reading:
    """What a text was read as: the wall time and the zone it is in (the one typed, else the
    reader's); :attr:`at` is its instant (the first one, when the wall time happens twice)."""

    local: datetime
    """Naive wall time in :attr:`zone`."""
    zone: ZoneInfo
    typed_zone: TypedZone | None = None
    """The zone typed in the text (None: the reader's own)."""

    @property
    def at(self) -> datetime:
        return self.local.replace(tzinfo=self.zone)


@dataclass(frozen=True)
class TypedZone(Localised):
    """A zone typed in the text, said back as typed it: a city, a zone's name or ``UTC+2``."""

    zone: ZoneInfo
    kind: str = "city"
    """``city`` (named by its city), ``metazone`` (``Central European Time``), ``offset``."""
    typed: str = ""
    """The city as typed, said back when it is not the zone's own city (北京, Geneva)."""

    def localise(self, language: str) -> str:
        if self.kind == "city" and self.typed and not formats.is_zone_city(self.zone, self.typed):
            return self.typed.title() if self.typed.isascii() else self.typed
        if self.kind == "offset":
            return format_offset(datetime(2000, 1, 1, tzinfo=self.zone).utcoffset() or _ZERO)
        if self.kind == "metazone":
            return formats.metazone_name(self.zone, language)
        return formats.zone_name(self.zone, language)


_ZERO: Final = timedelta(0)

NO_TIME: Final = N_("Please type a time too, e.g. {examples}.")
NOT_READ: Final = N_("I could not read “{text}” as a date and time. Try e.g. {examples}.")
BAD_HOUR: Final = N_("{time} is not a time of day: hours go from 0 to 23.")
BAD_MINUTE: Final = N_("{time} is not a time of day: minutes go from 0 to 59.")
BAD_TWELVE: Final = N_("{time} is not a time of day: with am or pm, hours go from 1 to 12.")
BAD_DAY: Final = N_("{month} has no day {day}: it has {days} days in {year}.")
BAD_MONTH: Final = N_("{text} is not a date: months go from 1 to 12.")
UNKNOWN_ZONE: Final = N_("I do not know the time zone “{zone}”. Please name a city, e.g. {city}.")


@dataclass(frozen=True)
class MonthName(Localised):
    month: int

    def localise(self, language: str) -> str:
        return str(Locale.parse(language).months["format"]["wide"][self.month])


# --- words -------------------------------------------------------------------------------

_CN_DIGITS: Final = {"零": 0, "一": 1, "二": 2, "两": 2, "兩": 2, "三": 3, "四": 4, "五": 5}
_CN_DIGITS_MORE: Final = {"六": 6, "七": 7, "八": 8, "九": 9, "十": 10, "半": 0}


def _chinese_number(text: str) -> int | None:
    """``三`` -> 3, ``十二`` -> 12, ``二十`` -> 20, ``15`` -> 15 (up to 99)."""
    if text.isdigit():
        return int(text)
    digits = {**_CN_DIGITS, **_CN_DIGITS_MORE}
    if not text or any(char not in digits for char in text):
        return None
    if "十" not in text:
        return digits[text] if len(text) == 1 else None
    tens, _, ones = text.partition("十")
    return (digits[tens] if tens else 1) * 10 + (digits[ones] if ones else 0)


_NUMBER: Final = r"(\d+|[一二两兩三四五六七八九十]+)"

_TODAY: Final = ("today", "hoy", "aujourd'hui", "aujourd’hui", "aujourdhui", "今天", "今日")
_TOMORROW: Final = ("tomorrow", "manana", "demain", "明天", "明日")
_AFTER_TOMORROW: Final = (
    "the day after tomorrow",
    "day after tomorrow",
    "pasado manana",
    "apres-demain",
    "apres demain",
    "后天",
    "後天",
)
_THREE_DAYS: Final = ("大后天", "大後天")

_WEEKDAY_EXTRA: Final = {
    "mon": 0,
    "tue": 1,
    "tues": 1,
    "wed": 2,
    "thu": 3,
    "thur": 3,
    "thurs": 3,
    "fri": 4,
    "sat": 5,
    "sun": 6,
}
_CN_WEEKDAYS: Final = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}


@cache
def _weekday_names() -> dict[str, int]:
    """Folded weekday names of the four languages -> 0 (Monday) … 6."""
    names = dict(_WEEKDAY_EXTRA)
    for language in LANGUAGES:
        for number, name in Locale.parse(language).days["format"]["wide"].items():
            names[fold(str(name))] = int(number)
    return {name: number for name, number in names.items() if not name.startswith("星期")}


@cache
def _month_names() -> dict[str, int]:
    """Folded month names (wide and abbreviated, Latin scripts) -> 1 … 12."""
    names: dict[str, int] = {}
    for language in ("en", "es", "fr"):
        months = Locale.parse(language).months["format"]
        for width in ("wide", "abbreviated"):
            for number, name in months[width].items():
                names[fold(str(name)).rstrip(".")] = int(number)
    names["sep"] = 9
    return names


_PART_WORDS: Final = {
    "morning": (
        "in the morning",
        "this morning",
        "morning",
        "por la manana",
        "de la manana",
        "matin",
        "le matin",
        "上午",
        "早上",
        "早晨",
    ),
    "noon": ("noon", "midday", "mediodia", "midi", "中午"),
    "afternoon": (
        "in the afternoon",
        "afternoon",
        "por la tarde",
        "de la tarde",
        "tarde",
        "apres-midi",
        "apres midi",
        "l'apres-midi",
        "下午",
    ),
    "evening": (
        "in the evening",
        "evening",
        "tonight",
        "por la noche",
        "de la noche",
        "noche",
        "esta noche",
        "soir",
        "ce soir",
        "le soir",
        "晚上",
        "今晚",
    ),
}
_PM_PARTS: Final = frozenset({"afternoon", "evening"})

_NEXT_BEFORE: Final = ("next", "el proximo", "proximo", "el proxima", "this coming", "coming")
_NEXT_AFTER: Final = ("prochain", "que viene", "proximo")
_THIS_BEFORE: Final = ("this", "este", "ce", "el", "le", "on")

_HOURS_WORDS: Final = r"(?:hours?|hrs?|h|horas?|heures?|小时|小時|个小时|個小時)"
_MINUTES_WORDS: Final = r"(?:minutes?|mins?|minutos?|分钟|分鐘)"
_DAYS_WORDS: Final = r"(?:days?|dias?|jours?|天|日)"
_WEEKS_WORDS: Final = r"(?:weeks?|semanas?|semaines?|周|週|星期|个星期|個星期)"

_IN_AMOUNT: Final = re.compile(
    rf"(?:\bin|\bdentro de|\ben|\bdans|\bd'ici)\s+{_NUMBER}\s*"
    rf"(?P<unit>{_WEEKS_WORDS}|{_DAYS_WORDS}|{_HOURS_WORDS}|{_MINUTES_WORDS})\b"
)
_AMOUNT_LATER: Final = re.compile(
    rf"{_NUMBER}\s*(?P<unit>{_WEEKS_WORDS}|{_DAYS_WORDS}|{_HOURS_WORDS}|{_MINUTES_WORDS})"
    r"\s*(?:之后|以后|后|後|from now|later)"
)

# --- zones -------------------------------------------------------------------------------

_ABBREVIATIONS: Final = {
    "cet": "Europe/Brussels",
    "cest": "Europe/Brussels",
    "wet": "Europe/Lisbon",
    "west": "Europe/Lisbon",
    "eet": "Europe/Athens",
    "eest": "Europe/Athens",
    "est": "America/New_York",
    "edt": "America/New_York",
    "pst": "America/Los_Angeles",
    "pdt": "America/Los_Angeles",
    "jst": "Asia/Tokyo",
    "msk": "Europe/Moscow",
}
_UTC_WORDS: Final = ("utc", "gmt")
_OFFSET: Final = re.compile(r"\b(?:utc|gmt)\s*(?P<sign>[+\-−])\s*(?P<hours>\d{1,2})(?::?00)?\b")
_UTC_WORD: Final = re.compile(r"\b(?:utc|gmt)\b")
_ABBREVIATION: Final = re.compile(r"\b(" + "|".join(_ABBREVIATIONS) + r")\b")
_IANA: Final = re.compile(r"\b([a-z]+(?:_[a-z]+)*/[a-z_]+(?:/[a-z_]+)?)\b")
_CITY_BEFORE: Final = re.compile(r"(?P<words>(?:[a-z][a-z.'-]*\s+){1,3})time\b")
_CITY_AFTER: Final = re.compile(
    r"\b(?:hora|horario|heure)\s+(?:de\s+|del\s+|d'|d’)(?P<words>[a-z][a-z.'-]*(?:\s+[a-z][a-z.'-]*){0,2})"
)
_CITY_CHINESE: Final = re.compile(r"(?P<words>[\u4e00-\u9fff]{2,6})(?:时间|時間)")


def _city_zone(text: str) -> tuple[str, TypedZone] | None:
    """``10am lima time``, ``hora de Lima``, ``heure de Paris``, ``北京时间``: the city's zone."""
    found = _CITY_BEFORE.search(text)
    if found:
        words = found["words"].split()
        for size in range(len(words), 0, -1):
            zone = find_zone(" ".join(words[-size:])).match
            if zone:
                start = found.start() + found.group(0).rindex(words[-size])
                typed = " ".join(words[-size:])
                return f"{text[:start]} {text[found.end() :]}", _city(zone, typed)
    found = _CITY_AFTER.search(text)
    if found:
        words = found["words"].split()
        for size in range(len(words), 0, -1):
            zone = find_zone(" ".join(words[:size])).match
            if zone:
                typed = " ".join(words[:size])
                end = found.start("words") + len(typed)
                return f"{text[: found.start()]} {text[end:]}", _city(zone, typed)
    found = _CITY_CHINESE.search(text)
    if found:
        chars = found["words"]
        for start in range(len(chars) - 1):
            zone = find_zone(chars[start:]).match
            if zone:
                cut = found.start() + start
                return f"{text[:cut]} {text[found.end() :]}", _city(zone, chars[start:])
    return None


def _city(zone: str, typed: str) -> TypedZone:
    return TypedZone(ZoneInfo(zone), "city", typed)


def _take_zone(text: str, typed: str) -> tuple[str, TypedZone | None] | Unreadable:
    """The text without the zone it names, and that zone (None when none is named).

    ``text`` is folded; ``typed`` as typed: an abbreviation counts only in capitals there
    (``15:00 EST``), so the French word "est" is not a zone."""
    offset = _OFFSET.search(text)
    if offset:
        sign = -1 if offset["sign"] in "-−" else 1
        hours = int(offset["hours"])
        if hours > 14:
            return Unreadable(UNKNOWN_ZONE, {"zone": offset.group(0), "city": "Lima"})
        key = "UTC" if hours == 0 else f"Etc/GMT{-sign * hours:+d}"
        return _cut(text, offset), TypedZone(ZoneInfo(key), "offset")
    utc = _UTC_WORD.search(text)
    if utc:
        return _cut(text, utc), TypedZone(ZoneInfo("UTC"), "city")
    abbreviation = _ABBREVIATION.search(text)
    if abbreviation and re.search(rf"\b{abbreviation[1].upper()}\b", typed):
        zone = ZoneInfo(_ABBREVIATIONS[abbreviation[1]])
        return _cut(text, abbreviation), TypedZone(zone, "metazone")
    iana = _IANA.search(text)
    if iana:
        found = find_zone(iana[1]).match
        if found is None:
            return Unreadable(UNKNOWN_ZONE, {"zone": iana[1], "city": "Lima"})
        return _cut(text, iana), TypedZone(ZoneInfo(found), "city")
    return _city_zone(text) or (text, None)


def _cut(text: str, match: re.Match[str]) -> str:
    return f"{text[: match.start()]} {text[match.end() :]}"


# --- times of day --------------------------------------------------------------------------

_CLOCK: Final = re.compile(
    r"(?<![\d:])(?P<h>\d{1,2})\s*[:h.]\s*(?P<m>\d{2})(?![\d])\s*(?P<ampm>a\.?m\.?|p\.?m\.?)?"
)
_HOUR_AMPM: Final = re.compile(r"(?<![\d:])(?P<h>\d{1,2})\s*(?P<ampm>a\.?m\.?|p\.?m\.?)(?!\w)")
_FRENCH_HOUR: Final = re.compile(r"(?<![\d:])(?P<h>\d{1,2})\s*h(?:eures?)?(?![a-z\d])")
_SPANISH_HOUR: Final = re.compile(r"\b(?:a\s+las|a\s+la|las|a)\s+(?P<h>\d{1,2})(?![\d:])")
_CHINESE_HOUR: Final = re.compile(
    rf"(?P<h>{_NUMBER})\s*[点點时時](?:\s*(?P<half>半)|\s*(?P<m>\d{{1,2}}|[一二三四五六七八九十]+)\s*分?)?"
)


@dataclass(frozen=True)
class _Clock:
    hour: int
    minute: int
    ampm: str | None = None
    typed: str = ""


def _take_time(text: str) -> tuple[str, _Clock | None]:
    for pattern in (_CLOCK, _HOUR_AMPM, _CHINESE_HOUR, _FRENCH_HOUR, _SPANISH_HOUR):
        found = pattern.search(text)
        if found is None:
            continue
        groups = found.groupdict()
        hour = _chinese_number(groups["h"]) if pattern is _CHINESE_HOUR else int(groups["h"])
        minute_text = groups.get("m")
        minute = 0
        if minute_text:
            minute = _chinese_number(minute_text) or 0
        if groups.get("half"):
            minute = 30
        ampm = groups.get("ampm")
        return _cut(text, found), _Clock(
            hour or 0, minute, ampm[0] if ampm else None, found.group(0).strip()
        )
    return text, None


def _take_part(text: str) -> tuple[str, str | None]:
    """The part of the day named (morning, noon, afternoon, evening), longest words first."""
    words = sorted(
        ((word, part) for part, found in _PART_WORDS.items() for word in found),
        key=lambda item: -len(item[0]),
    )
    for word, part in words:
        found = _word(word).search(text)
        if found:
            return _cut(text, found), part
    return text, None


@cache
def _word(word: str) -> re.Pattern[str]:
    if re.match(r"[\u4e00-\u9fff]", word):
        return re.compile(re.escape(word))
    return re.compile(rf"(?<![\w'’-]){re.escape(word)}(?![\w'’-])")


def _clock_time(clock: _Clock, part: str | None) -> time | Unreadable:
    """The time of day typed, or why it is impossible."""
    hour, minute = clock.hour, clock.minute
    if minute > 59:
        return Unreadable(BAD_MINUTE, {"time": clock.typed})
    if clock.ampm is not None:
        if not 1 <= hour <= 12:
            return Unreadable(BAD_TWELVE, {"time": clock.typed})
        hour = hour % 12 + (12 if clock.ampm == "p" else 0)
    elif (part in _PM_PARTS and hour < 12) or (part == "noon" and hour < 6):
        hour += 12
    if hour > 23:
        return Unreadable(BAD_HOUR, {"time": clock.typed})
    return time(hour, minute)


# --- days ----------------------------------------------------------------------------------

_ISO: Final = re.compile(r"\b(?P<y>\d{4})-(?P<mo>\d{1,2})-(?P<d>\d{1,2})\b")
_NUMERIC: Final = re.compile(
    r"(?<![\d:])(?P<d>\d{1,2})(?:/(?P<mo>\d{1,2})(?:/(?P<y>\d{2,4}))?"
    r"|\.(?P<mo2>\d{1,2})\.(?P<y2>\d{4}))(?![\d:])"
)
_CHINESE_DATE: Final = re.compile(
    r"(?:(?P<y>\d{4})\s*年\s*)?(?P<mo>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*[日号號]?"
)
_CN_NEXT_WEEKDAY: Final = re.compile(
    r"(?P<which>下下|下|这|這|本)?\s*(?:周|週|星期|礼拜|禮拜)(?P<d>[一二三四五六日天])"
)


@cache
def _named_date() -> re.Pattern[str]:
    """Built when first needed: the month names come from Babel's locale data (tens of
    milliseconds to load at every start otherwise)."""
    months = "|".join(sorted(map(re.escape, _month_names()), key=len, reverse=True))
    return re.compile(
        rf"(?:\b(?P<d1>\d{{1,2}})(?:st|nd|rd|th|er)?\s*(?:de\s+|of\s+)?(?P<m1>{months})\.?(?![a-z])"
        rf"|\b(?P<m2>{months})\.?\s+(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?(?![\d:]))"
        rf"(?:\s*(?:de\s+|,\s*)?(?P<y>\d{{4}}))?"
    )


@dataclass(frozen=True)
class _Day:
    day: date | None = None
    shift: timedelta | None = None
    """A time from now ("in 2 hours"): the instant is now plus this."""


def _calendar_day(year: int, month: int, day: int, typed: str) -> date | Unreadable:
    if not 1 <= month <= 12:
        return Unreadable(BAD_MONTH, {"text": typed})
    days = calendar.monthrange(year, month)[1]
    if not 1 <= day <= days:
        return Unreadable(
            BAD_DAY, {"month": MonthName(month), "day": day, "days": days, "year": year}
        )
    return date(year, month, day)


def _year_for(month: int, day: int, today: date) -> int:
    """A date without a year: this year's, or next year's once it has passed."""
    if (month, day) >= (today.month, today.day):
        return today.year
    return today.year + 1


def _full_year(text: str | None, month: int, day: int, today: date) -> int:
    if not text:
        return _year_for(min(month, 12), min(day, 28) if month == 2 else day, today)
    year = int(text)
    return year + 2000 if year < 100 else year


def _amount_minutes(number: str, unit: str) -> int | None:
    amount = _chinese_number(number)
    if amount is None:
        return None
    for pattern, size in (
        (_WEEKS_WORDS, 7 * 1440),
        (_DAYS_WORDS, 1440),
        (_HOURS_WORDS, 60),
        (_MINUTES_WORDS, 1),
    ):
        if re.fullmatch(pattern, unit):
            return amount * size
    return None


def _take_day(text: str, today: date) -> tuple[str, _Day | None] | Unreadable:
    """The day named (or a time from now), and the text without it."""
    for pattern in (_IN_AMOUNT, _AMOUNT_LATER):
        found = pattern.search(text)
        if found:
            minutes = _amount_minutes(found.group(1), found["unit"])
            if minutes is not None:
                if minutes % 1440 == 0:
                    return _cut(text, found), _Day(day=today + timedelta(minutes=minutes))
                return _cut(text, found), _Day(shift=timedelta(minutes=minutes))
    for words, days in ((_THREE_DAYS, 3), (_AFTER_TOMORROW, 2), (_TOMORROW, 1), (_TODAY, 0)):
        for word in sorted(words, key=len, reverse=True):
            found = _word(word).search(text)
            if found:
                return _cut(text, found), _Day(day=today + timedelta(days=days))
    read = _absolute_day(text, today)
    if read is not None:
        return read
    return _weekday(text, today)


def _absolute_day(text: str, today: date) -> tuple[str, _Day] | Unreadable | None:
    named = _named_date()
    for pattern in (_ISO, _CHINESE_DATE, _NUMERIC, named):
        found = pattern.search(text)
        if found is None:
            continue
        groups = found.groupdict()
        if pattern is named:
            month = _month_names()[groups["m1"] or groups["m2"]]
            day = int(groups["d1"] or groups["d2"])
        else:
            month, day = int(groups.get("mo") or groups["mo2"]), int(groups["d"])
        year = _full_year(groups.get("y") or groups.get("y2"), month, day, today)
        checked = _calendar_day(year, month, day, found.group(0).strip())
        if isinstance(checked, Unreadable):
            return checked
        return _cut(text, found), _Day(day=checked)
    return None


def _weekday(text: str, today: date) -> tuple[str, _Day | None]:
    chinese = _CN_NEXT_WEEKDAY.search(text)
    if chinese:
        weekday = _CN_WEEKDAYS[chinese["d"]]
        monday = today - timedelta(days=today.weekday())
        weeks = {"下": 1, "下下": 2}.get(chinese["which"] or "", 0)
        day = monday + timedelta(days=7 * weeks + weekday)
        if weeks == 0 and day < today:
            day += timedelta(days=7)
        return _cut(text, chinese), _Day(day=day)
    names = "|".join(sorted(map(re.escape, _weekday_names()), key=len, reverse=True))
    before = "|".join(map(re.escape, _NEXT_BEFORE + _THIS_BEFORE))
    after = "|".join(map(re.escape, _NEXT_AFTER))
    found = re.search(
        rf"(?:\b(?:{before})\s+)?\b(?P<name>{names})\.?(?:\s+(?:{after})\b)?(?![\w])", text
    )
    if found is None:
        return text, None
    weekday = _weekday_names()[found["name"]]
    ahead = (weekday - today.weekday()) % 7 or 7
    return _cut(text, found), _Day(day=today + timedelta(days=ahead))


# --- reading a whole text -------------------------------------------------------------------

_FILLER: Final = re.compile(
    r"\b(?:at|on|the|a\s+las|a\s+la|a|las|la|el|le|de|del|du|a|à|vers|por|en|in|around|"
    r"sobre|hacia|on|this|next|el dia|le jour|day)\b|[,.;:!?()\-–—]|的|在|点|左右|号|號"
)


def _leftover(text: str) -> str:
    return " ".join(_FILLER.sub(" ", text).split())


def read_typed(text: str, language: str, zone: ZoneInfo, now: datetime) -> Reading | Unreadable:
    """The instant ``text`` names for a reader in ``zone`` at ``now`` (aware UTC), or why not.

    The instant may be in the past: the caller decides whether a past time is acceptable.
    """
    folded = " ".join(fold(text).replace("，", ",").split())
    if not folded:
        return Unreadable(NOT_READ, {"text": text, "examples": Examples(now, zone)})
    taken = _take_zone(folded, text)
    if isinstance(taken, Unreadable):
        return taken
    rest, typed_zone = taken
    here = typed_zone.zone if typed_zone else zone
    today = now.astimezone(here).date()
    read = _read_rules(rest, here, now, today)
    if isinstance(read, Unreadable):
        if read.message == NOT_READ:
            fallback = _read_dateparser(rest, language, now.astimezone(here))
            if fallback is not None and _same_clock(rest, fallback):
                return Reading(fallback, here, typed_zone)
            return Unreadable(NOT_READ, {"text": text, "examples": Examples(now, zone)})
        return read
    return Reading(read, here, typed_zone)


def read_day(text: str, language: str, zone: ZoneInfo, now: datetime) -> date | Unreadable:
    """A day typed without a time (a due date: ``30 Oct``, ``mañana``, ``下周二``), or why not."""
    folded = " ".join(fold(text).replace("，", ",").split())
    today = now.astimezone(zone).date()
    taken = _take_day(folded, today)
    if isinstance(taken, Unreadable):
        return taken
    rest, day = taken
    if day is None or day.day is None or _leftover(rest):
        return Unreadable(NOT_READ, {"text": text, "examples": Examples(now, zone)})
    return day.day


def _read_rules(text: str, zone: ZoneInfo, now: datetime, today: date) -> datetime | Unreadable:
    rest, part = _take_part(text)
    taken = _take_day(rest, today)
    if isinstance(taken, Unreadable):
        return taken
    rest, day = taken
    rest, clock = _take_time(rest)
    if _leftover(rest):
        return Unreadable(NOT_READ)
    if day is not None and day.shift is not None:
        if clock is not None or part is not None:
            return Unreadable(NOT_READ)
        return (now + day.shift).astimezone(zone).replace(tzinfo=None, second=0, microsecond=0)
    at: time | Unreadable
    if clock is not None:
        at = _clock_time(clock, part)
    elif part is not None:
        at = DAY_PARTS[part]
    else:
        return Unreadable(NO_TIME, {"examples": Examples(now, zone)})
    if isinstance(at, Unreadable):
        return at
    if day is None:
        local_now = now.astimezone(zone)
        on = today if at > local_now.time().replace(tzinfo=None) else today + timedelta(days=1)
    else:
        assert day.day is not None
        on = day.day
    return datetime.combine(on, at)


def _same_clock(text: str, read: datetime) -> bool:
    """Whether dateparser kept the time typed (it shifts it by words it takes for zones)."""
    _, clock = _take_time(text)
    if clock is None:
        return True
    typed = _clock_time(clock, _take_part(text)[1])
    return isinstance(typed, time) and typed == read.time()


_HAS_TIME: Final = re.compile(r"\d{1,2}\s*[:h点點时時]|\d\s*(?:am|pm)\b", re.IGNORECASE)


def _read_dateparser(text: str, language: str, local_now: datetime) -> datetime | None:
    """Forms the rules do not read ("October 15th 2026 3 PM"): dateparser, with a time typed."""
    if not _HAS_TIME.search(text):
        return None
    settings = {
        "RELATIVE_BASE": local_now.replace(tzinfo=None, second=0, microsecond=0),
        "PREFER_DATES_FROM": "future",
        "DATE_ORDER": "DMY",
        "RETURN_AS_TIMEZONE_AWARE": False,
    }
    for candidate in [language, *(other for other in LANGUAGES if other != language)]:
        try:
            parsed = dateparser.parse(text, languages=[candidate], settings=settings)
        except (ValueError, OverflowError):
            parsed = None
        if isinstance(parsed, datetime):
            return parsed.replace(tzinfo=None, second=0, microsecond=0)
    return None


# --- examples for prompts -----------------------------------------------------------------

EXAMPLES: Final = N_("{date} 15:00, tomorrow 9:00 or next {weekday} 15:00")
"""Translators: examples of dates a person may type; keep the words the parser reads in your
language (tomorrow, next …): docs/members.md, "Typing dates"."""


@dataclass(frozen=True)
class Examples(Localised):
    """Examples of typed dates, always in the future, in the reader's language."""

    now: datetime
    zone: ZoneInfo

    def localise(self, language: str) -> str:
        return example_text(self.now, self.zone, language)


def example_text(now: datetime, zone: ZoneInfo, language: str) -> str:
    """``2026-12-10 15:00, tomorrow 9:00 or next Tuesday 15:00`` from the clock, translated."""
    local = now.astimezone(zone).date()
    ahead = local + timedelta(days=9)
    weekday = str(Locale.parse(language).days["format"]["wide"][(local.weekday() + 2) % 7])
    if language in ("es", "fr"):
        weekday = weekday.lower()
    tr = _translator(language if language in LANGUAGES else "en")
    return str(tr(EXAMPLES, date=ahead.isoformat(), weekday=weekday))


@cache
def _translator(language: str) -> Translator:
    return I18n().translator(language)
