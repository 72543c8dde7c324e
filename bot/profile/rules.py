"""Profile rules: the steps of ``/profile``, what each accepts, and the limits it keeps.

The answers of a profile in progress live in a draft (a JSON object keyed by step name) and
reach the person's row only when they save it. Required steps (name, country, role, time zone)
cannot be skipped; the others can (languages and interests are skipped by tapping Done with
nothing chosen). Every reader function answers either the clean value or a :class:`Refusal`
(a message id and its values, translated by the handler), and never changes anything.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import Any, Final, cast

from babel import Locale

from bot.countries import NAME_LANGUAGES, country_name, local_time, normalise
from bot.formats import format_parts, zone_name
from bot.i18n import N_, Translator
from bot.rendering import Html, escape
from storage import Person, WorkingGroup

STEPS: Final = (
    "name",
    "reserve",
    "country",
    "organisation",
    "role",
    "timezone",
    "languages",
    "interests",
    "email",
)
"""The steps of ``/profile`` in order; each is one field of the profile."""

SUMMARY: Final = "summary"
"""The step after the last: the answers shown with Save / Edit / Cancel."""

COLUMNS: Final[Mapping[str, str]] = {
    "name": "display_name",
    "reserve": "reserve",
    "country": "country",
    "organisation": "organisation",
    "role": "role",
    "timezone": "timezone",
    "languages": "spoken_languages",
    "interests": "interests",
    "email": "email",
}
"""Each step's column in the people table."""

REQUIRED: Final = frozenset({"name", "country", "role", "timezone"})
OPTIONAL: Final = frozenset(STEPS) - REQUIRED
LIST_STEPS: Final = frozenset({"languages", "interests"})
OPTIONAL_TEXT: Final = OPTIONAL - LIST_STEPS
"""Typed optional answers: they have a Skip button and show the current value."""

NAME_LIMIT: Final = 64
TEXT_LIMIT: Final = 120
"""Biosphere reserve and organisation."""
EMAIL_LIMIT: Final = 254
TAG_LIMIT: Final = 40
MAX_TAGS: Final = 10
MAX_LANGUAGES: Final = 10

FIELD_LABELS: Final[Mapping[str, str]] = {
    "name": N_("Name"),
    "reserve": N_("Biosphere reserve"),
    "country": N_("Country"),
    "organisation": N_("Organisation"),
    "role": N_("Role"),
    "timezone": N_("Time zone"),
    "languages": N_("Languages"),
    "interests": N_("Interests"),
    "email": N_("Email"),
}

PROMPTS: Final[Mapping[str, str]] = {
    "name": N_(
        "What name should the other members see? Type it (at most {limit} characters), "
        "or keep the one below."
    ),
    "reserve": N_(
        "Which biosphere reserve do you work in or with? Type its name (at most {limit} "
        "characters)."
    ),
    "country": N_(
        "Which country are you in? Type its name in English, Spanish, Chinese or French, "
        "or its two-letter code (PE for Peru)."
    ),
    "organisation": N_(
        "Which organisation do you work for? Type its name (at most {limit} characters)."
    ),
    "role": N_("What is your role in the network?"),
    "timezone": N_(
        "Which time zone are you in? Choose it below, or type a city or a time zone name "
        "(Lima, America/Lima)."
    ),
    "languages": N_(
        "Which languages do you speak? Tap to choose; type others separated by commas "
        "(pt, Quechua). Tap Done when ready."
    ),
    "interests": N_(
        "What are your interests and expertise? Tap the themes of the network, and type your "
        "own tags separated by commas (at most {count}, of {limit} characters each). "
        "Tap Done when ready."
    ),
    "email": N_("Your email address, so that the secretariat can reach you outside Telegram."),
}

PROMPT_VALUES: Final[Mapping[str, Mapping[str, int]]] = {
    "name": {"limit": NAME_LIMIT},
    "reserve": {"limit": TEXT_LIMIT},
    "organisation": {"limit": TEXT_LIMIT},
    "interests": {"count": MAX_TAGS, "limit": TAG_LIMIT},
}

ROLE_LABELS: Final[Mapping[str, str]] = {
    "reserve_manager": N_("Reserve manager"),
    "researcher": N_("Researcher"),
    "young_researcher": N_("Young researcher"),
    "secretariat": N_("Secretariat"),
    # Translators: a role in the network, after “Reserve manager”, “Researcher”… (profile).
    "other": N_("Other"),
}

_EMAIL: Final = re.compile(r"[^@\s]+@[^@\s.]+(\.[^@\s.]+)+")
_LIST_SEPARATORS: Final = re.compile(r"[,;，、；\n]")
_LANGUAGE_CODE: Final = re.compile(r"[a-z]{2,3}")


@dataclass(frozen=True)
class Refusal:
    """Why an answer was not accepted: a message id and the values it names."""

    message: str
    values: Mapping[str, object] = field(default_factory=dict)


# --- the order of the steps ----------------------------------------------------------------


def step_number(step: str) -> int:
    """1 for the first step ... 9 for the last."""
    return STEPS.index(step) + 1


def next_step(step: str, answers: Mapping[str, Any]) -> str:
    """The step after ``step``; the summary after the last, or when editing from the summary."""
    if answers.get("return_to") == SUMMARY or step == STEPS[-1]:
        return SUMMARY
    return STEPS[STEPS.index(step) + 1]


def previous_step(step: str, answers: Mapping[str, Any]) -> str | None:
    """Where Back leads: the step before, the summary when editing from it, None on the first."""
    if answers.get("return_to") == SUMMARY:
        return SUMMARY
    index = STEPS.index(step)
    return STEPS[index - 1] if index > 0 else None


def initial_answers(person: Person, language: str) -> dict[str, Any]:
    """A new draft: the person's saved profile, the name from Telegram if they have none."""
    return {
        "name": person.display_name or person.full_name,
        "reserve": person.reserve,
        "country": person.country,
        "organisation": person.organisation,
        "role": person.role,
        "timezone": person.timezone,
        "languages": list(person.spoken_languages) or [language],
        "interests": list(person.interests),
        "email": person.email,
    }


def missing_required(answers: Mapping[str, Any]) -> list[str]:
    """Required steps still without an answer, in step order."""
    return [step for step in STEPS if step in REQUIRED and not answers.get(step)]


def profile_fields(answers: Mapping[str, Any], steps: Iterable[str] = STEPS) -> dict[str, Any]:
    """The people columns to write for these steps' answers."""
    return {COLUMNS[step]: _stored(step, answers.get(step)) for step in steps}


def _stored(step: str, value: Any) -> Any:
    if step in LIST_STEPS:
        return list(value or [])
    return value or None


# --- reading typed answers -----------------------------------------------------------------


def clean(text: str) -> str:
    """Trimmed, every run of white space (new lines too) made one space."""
    return " ".join(text.split())


def read_text(text: str, limit: int) -> str | Refusal:
    """A one-line answer of at most ``limit`` characters."""
    answer = clean(text)
    if not answer:
        return Refusal(N_("Please type an answer, or use the buttons."))
    if len(answer) > limit:
        return Refusal(
            N_(
                "That is too long: at most {limit} characters here, and yours has {length}. "
                "Please type a shorter answer."
            ),
            {"limit": limit, "length": len(answer)},
        )
    return answer


def read_name(text: str) -> str | Refusal:
    return read_text(text, NAME_LIMIT)


def read_email(text: str) -> str | Refusal:
    """An address that looks like one (name@domain.tld); nothing stricter."""
    answer = read_text(text, EMAIL_LIMIT)
    if isinstance(answer, Refusal):
        return answer
    if not _EMAIL.fullmatch(answer):
        return Refusal(N_("That does not look like an email address (like name@example.org)."))
    return answer


def split_list(text: str) -> list[str]:
    """Items typed separated by commas (also ，、; and new lines), cleaned, empty ones dropped."""
    return [item for item in (clean(part) for part in _LIST_SEPARATORS.split(text)) if item]


def toggle(items: Sequence[str], item: str) -> list[str]:
    """``items`` with ``item`` added at the end, or removed if it was there."""
    return [i for i in items if i != item] if item in items else [*items, item]


# --- languages spoken ----------------------------------------------------------------------


@cache
def _language_names() -> Mapping[str, str]:
    """Normalised language name in en/es/zh/fr -> its ISO 639 code."""
    names: dict[str, str] = {}
    for language in NAME_LANGUAGES:
        for code, name in cast(Mapping[str, str], Locale.parse(language).languages).items():
            if _LANGUAGE_CODE.fullmatch(code):
                names.setdefault(normalise(name), code)
    return names


def is_language(code: str) -> bool:
    """An ISO 639 code CLDR names (``pt``, ``qu`` for Quechua, ``ne`` for Nepali)."""
    return bool(_LANGUAGE_CODE.fullmatch(code)) and code in _language_codes()


@cache
def _language_codes() -> frozenset[str]:
    return frozenset(cast(Mapping[str, str], Locale.parse("en").languages))


def language_name(code: str, language: str) -> str:
    """The language's name as a reader of ``language`` writes it; the code if unknown."""
    names = cast(Mapping[str, str], Locale.parse(language).languages)
    return names.get(code, code)


def find_language(text: str) -> str | None:
    """The code a typed code or name (in en/es/zh/fr) stands for."""
    wanted = clean(text).lower()
    if is_language(wanted):
        return wanted
    return _language_names().get(normalise(text))


def read_languages(text: str, current: Sequence[str]) -> list[str] | Refusal:
    """``current`` plus the languages typed (codes or names, separated by commas)."""
    chosen = list(current)
    for item in split_list(text):
        code = find_language(item)
        if code is None:
            return Refusal(
                N_("I don't know the language “{language}”. Type a code like pt or a name."),
                {"language": item},
            )
        if code not in chosen:
            chosen.append(code)
    if len(chosen) > MAX_LANGUAGES:
        return Refusal(N_("At most {limit} languages, please."), {"limit": MAX_LANGUAGES})
    return chosen


# --- interests: the network's themes and free tags ------------------------------------------


def theme_names(groups: Iterable[WorkingGroup]) -> dict[str, str]:
    """Normalised slug and names (every language) of the working groups -> theme slug."""
    names: dict[str, str] = {}
    for group in groups:
        names[normalise(group.slug)] = group.slug
        for name in group.names.values():
            names[normalise(name)] = group.slug
    return names


def free_tags(interests: Sequence[str], themes: Iterable[str]) -> list[str]:
    """The interests that are not one of the ``themes`` slugs."""
    slugs = set(themes)
    return [tag for tag in interests if tag not in slugs]


def read_tags(text: str, current: Sequence[str], themes: Mapping[str, str]) -> list[str] | Refusal:
    """``current`` plus the tags typed; a tag naming a theme becomes that theme."""
    chosen = list(current)
    known = {normalise(item) for item in chosen}
    for item in split_list(text):
        if len(item) > TAG_LIMIT:
            return Refusal(
                N_("A tag can have at most {limit} characters; “{tag}” has {length}."),
                {"limit": TAG_LIMIT, "tag": item, "length": len(item)},
            )
        tag = themes.get(normalise(item), item)
        if normalise(tag) not in known:
            chosen.append(tag)
            known.add(normalise(tag))
    count = len(free_tags(chosen, themes.values()))
    if count > MAX_TAGS:
        return Refusal(
            N_("At most {limit} tags of your own, please (that would make {count})."),
            {"limit": MAX_TAGS, "count": count},
        )
    return chosen


def tag_check(tag: str) -> str:
    """A short fingerprint of a tag, so a button removing "tag n" removes that very tag."""
    return f"{zlib.crc32(tag.encode()):08x}"


# --- the profile as the reader sees it ----------------------------------------------------


def saved_answers(person: Person) -> dict[str, Any]:
    """The person's profile as it is stored, keyed by step."""
    return {
        "name": person.name,
        "reserve": person.reserve,
        "country": person.country,
        "organisation": person.organisation,
        "role": person.role,
        "timezone": person.timezone,
        "languages": list(person.spoken_languages),
        "interests": list(person.interests),
        "email": person.email,
    }


def card_lines(
    tr: Translator, answers: Mapping[str, Any], now: datetime, themes: Mapping[str, str]
) -> list[Html]:
    """One line per field, labelled; ``themes`` names the theme slugs in the reader's language."""
    return [
        card_line(tr, FIELD_LABELS[step], display(tr, step, answers.get(step), now, themes))
        for step in STEPS
    ]


def card_line(tr: Translator, label: str, value: Html) -> Html:
    return tr("<b>{label}:</b> {value}", label=tr(label), value=value)


def display(
    tr: Translator, step: str, value: Any, now: datetime, themes: Mapping[str, str]
) -> Html:
    """An answer as the reader sees it, escaped; a dash for none."""
    if not value:
        return Html("—")
    language = tr.language
    if step == "country":
        return escape(country_name(value, language))
    if step == "role":
        return tr(ROLE_LABELS[value]) if value in ROLE_LABELS else escape(value)
    if step == "timezone":
        # Translators: a button to choose a time zone: its name and its current local time.
        return tr(
            "{zone} (now {time})",
            zone=zone_name(value, language),
            time=local_time(value, now, language),
        )
    if step == "languages":
        return escape(format_parts((language_name(code, language) for code in value), language))
    if step == "interests":
        return escape(format_parts((themes.get(item, item) for item in value), language))
    return escape(value)
