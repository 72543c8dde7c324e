"""Opportunities: their kinds, who may see and answer them, and the two rankings.

``rank_members`` (matching) orders the members an opportunity fits, with the reasons shown to
each of them ("you work on glacier monitoring; it needs Spanish, which you speak");
``rank_people`` (``/find``) orders people by how their profile matches typed words. Both are
pure: words are compared folded (``bot.textfold``: case, accents and width ignored) and a word
matches another sharing its first five letters ("glaciares" finds "glaciers").
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, time, timedelta
from functools import lru_cache
from typing import Annotated, Final, Literal, get_args
from zoneinfo import ZoneInfo

from bot import dates
from bot.countries import find_country
from bot.i18n import N_
from bot.profile import Refusal, clean
from bot.routing import CallbackData, MaxLength, callback_data
from bot.textfold import fold, fold_words
from storage import Person

Kind = Literal["project", "funding", "internship", "exchange", "placement", "call"]
KINDS: Final[tuple[Kind, ...]] = get_args(Kind)
KIND_LABELS: Final[Mapping[str, str]] = {
    "project": N_("Project seeking partners"),
    "funding": N_("Funding call"),
    "internship": N_("Internship offered by a reserve"),
    "exchange": N_("Exchange visit offered"),
    "placement": N_("Young researcher seeking a placement"),
    "call": N_("Call for contributions or event"),
}
STATEMENT_KINDS: Final = frozenset({"internship", "placement"})
"""Kinds whose "I'm interested" asks for a short statement."""
ROLES_FOR_KIND: Final[Mapping[str, frozenset[str]]] = {
    "internship": frozenset({"young_researcher"}),
    "placement": frozenset({"reserve_manager", "researcher"}),
}
"""Internships go to young researchers; a placement sought, to those who can host one."""
ONLINE: Final = "online"
STEM: Final = 5
"""Letters two words must share from their start to match (a crude stem across languages)."""
TITLE_LIMIT: Final = 120
DESCRIPTION_LIMIT: Final = 1500
CONTACT_LIMIT: Final = 200
STATEMENT_LIMIT: Final = 500
OFFERS_PER_WEEK: Final = 3
"""At most this many opportunities are offered to one person in seven days (alerts on)."""
WEEKLY_OFFERS: Final = 1
"""... and this many with weekly alerts."""
OFFERED_TO: Final = 20
"""The best-fitting members an opportunity is offered to."""
PAGE_SIZE: Final = 5
FILTER_BYTES: Final = 24
AlertMode = Literal["on", "weekly", "off"]
ALERT_MODES: Final[tuple[AlertMode, ...]] = get_args(AlertMode)


# --- reasons --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reason:
    """Why an opportunity fits a person: a message id and what it names."""

    message: str
    values: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


WORKS_ON: Final = N_("you work on {interests}")
SPEAKS: Final = N_("it needs {languages}, which you speak")
IN_COUNTRY: Final = N_("it is in your country")
FOR_ROLE: Final = N_("it is for people in your role")


@dataclass(frozen=True)
class Match:
    """A person an opportunity fits, how well, and why."""

    person_id: int
    score: int
    reasons: tuple[Reason, ...]


@dataclass(frozen=True)
class Wanted:
    """What an opportunity asks for, as matching reads it."""

    kind: str
    themes: tuple[str, ...]
    places: tuple[str, ...]
    languages: tuple[str, ...]
    poster_id: int | None = None


def stem(word: str) -> str:
    return word[:STEM]


def is_chinese(word: str) -> bool:
    """The word holds Chinese characters (written without spaces between words)."""
    return any("\u3400" <= char <= "\u9fff" for char in word)


def words_match(one: str, other: str) -> bool:
    """Folded words that are the same, or share their first five letters; Chinese words
    (not split by spaces) match when one holds the other, two characters at least."""
    if one == other:
        return True
    if is_chinese(one) or is_chinese(other):
        shorter, longer = sorted((one, other), key=len)
        return len(shorter) >= 2 and shorter in longer
    return min(len(one), len(other)) >= STEM and stem(one) == stem(other)


def long_enough(word: str) -> bool:
    """Long enough to be matched inside a phrase (not "de", "en"; a Chinese word of two)."""
    return len(word) >= 3 or (len(word) == 2 and is_chinese(word))


def shared_items(wanted: Iterable[str], offered: Iterable[str]) -> tuple[str, ...]:
    """The ``offered`` items (as written) that match a ``wanted`` one, whole or by a word."""
    wanted_words = [_item_words(item) for item in wanted]
    found: list[str] = []
    for item in offered:
        mine = _item_words(item)
        if any(_overlap(mine, theirs) for theirs in wanted_words) and item not in found:
            found.append(item)
    return tuple(found)


@lru_cache(maxsize=8192)
def _item_words(item: str) -> frozenset[str]:
    """An item's folded words long enough to match, and the whole item folded (kept: the
    same few themes and interests come back for every member)."""
    return frozenset(word for word in {*fold_words(item), fold(item)} if long_enough(word))


@lru_cache(maxsize=65536)
def _overlap(mine: frozenset[str], theirs: frozenset[str]) -> bool:
    return any(words_match(a, b) for a in mine for b in theirs)


def fit(wanted: Wanted, person: Person) -> Match | None:
    """How well the opportunity fits the person, or None when it does not fit at all.

    A fit shares a theme or interest; needs a language the person speaks (when it names any);
    and is for the person's role (internships: young researchers).
    """
    if person.id == wanted.poster_id:
        return None
    roles = ROLES_FOR_KIND.get(wanted.kind)
    if roles is not None and person.role not in roles:
        return None
    interests = shared_items(wanted.themes, person.interests)
    if not interests:
        return None
    reasons = [Reason(WORKS_ON, {"interests": interests})]
    score = 3 * len(interests)
    if wanted.languages:
        spoken = tuple(code for code in wanted.languages if code in person.spoken_languages)
        if not spoken:
            return None
        reasons.append(Reason(SPEAKS, {"languages": spoken}))
        score += 2
    if person.country and person.country in wanted.places:
        reasons.append(Reason(IN_COUNTRY))
        score += 2
    if roles is not None:
        reasons.append(Reason(FOR_ROLE))
        score += 1
    return Match(person.id, score, tuple(reasons))


def rank_members(
    wanted: Wanted, people: Iterable[Person], topics: Sequence[Topic] = ()
) -> list[Match]:
    """The people the opportunity fits, best first (ties: the lower id first); a theme that
    names one of the ``topics`` also asks for its names in the four languages."""
    asked = replace(wanted, themes=with_topic_names(wanted.themes, topics))
    matches = [match for person in people if (match := fit(asked, person)) is not None]
    matches.sort(key=lambda match: (-match.score, match.person_id))
    return matches


def weekly_limit(mode: str) -> int:
    """How many offers a week an alert mode allows."""
    return {"on": OFFERS_PER_WEEK, "weekly": WEEKLY_OFFERS}.get(mode, 0)


def choose_offers(
    matches: Sequence[Match],
    modes: Mapping[int, str],
    offered_this_week: Mapping[int, int],
    already: frozenset[int],
    limit: int = OFFERED_TO,
) -> list[Match]:
    """The best matches still under their weekly limit, never offered it before."""
    chosen: list[Match] = []
    for match in matches:
        if len(chosen) >= limit:
            break
        allowed = weekly_limit(modes.get(match.person_id, "on"))
        if match.person_id in already or offered_this_week.get(match.person_id, 0) >= allowed:
            continue
        chosen.append(match)
    return chosen


WEEK: Final = timedelta(days=7)


# --- people by expertise (/find) ------------------------------------------------------------

FIND_WEIGHTS: Final[Mapping[str, int]] = {
    "interests": 3,
    "role": 2,
    "reserve": 2,
    "country": 2,
    "languages": 1,
}


@dataclass(frozen=True)
class Found:
    person_id: int
    score: int
    fields: tuple[str, ...]
    """The parts of the profile that matched, best first."""


TOPICS: Final[tuple[str, ...]] = (
    # Translators: topics people work on, as they would type them in /find (a plural noun or
    # a short phrase): the bot finds someone who wrote any of the four languages' names.
    N_("glaciers"),
    N_("snow"),
    N_("water"),
    N_("forests"),
    N_("wetlands"),
    N_("pollinators"),
    N_("wildlife"),
    N_("tourism"),
)
"""Topics whose names in the four languages are the same to /find ("冰川" finds "glaciers")."""

Topic = tuple[tuple[str, ...], ...]
"""A topic's names (in the four languages), each as its folded words."""


def topic(names: Iterable[str]) -> Topic:
    return tuple(words for name in names if (words := fold_words(name)))


def names_topic(topic: Topic, words: set[str]) -> bool:
    """Some name of the topic is among the words (each of the name's words matched)."""
    return any(all(any(words_match(n, w) for w in words) for n in name) for name in topic)


def with_topics(words: set[str], topics: Sequence[Topic]) -> set[str]:
    """The words, and every name of each topic they name (in the four languages)."""
    found = set(words)
    for each in topics:
        if names_topic(each, words):
            found.update(word for name in each for word in name)
    return found


def with_topic_names(themes: Sequence[str], topics: Sequence[Topic]) -> tuple[str, ...]:
    """The themes, and every name of each topic one of them names ("glaciares": 冰川 too)."""
    found = list(themes)
    for theme in themes:
        words = set(fold_words(theme))
        for each in topics:
            if names_topic(each, words):
                found += [name for name in map(" ".join, each) if name not in found]
    return tuple(found)


def profile_words(
    person: Person, vocabulary: Mapping[str, Sequence[str]], topics: Sequence[Topic] = ()
) -> dict[str, set[str]]:
    """The folded words of each part of a profile; ``vocabulary`` gives every name of a code
    (a theme slug's group names, a country's or a language's or a role's names, in the four
    languages), and ``topics`` every name of a topic an interest names, so a query in any of
    the four languages matches."""

    def words(items: Iterable[str]) -> set[str]:
        found: set[str] = set()
        for item in items:
            for name in (item, *vocabulary.get(item, ())):
                found.update(fold_words(name))
        return found

    return {
        "interests": with_topics(words(person.interests), topics),
        "role": words([person.role] if person.role else []),
        "reserve": words([person.reserve] if person.reserve else []),
        "country": words([person.country] if person.country else []),
        "languages": words(person.spoken_languages),
    }


def find_score(query: Sequence[str], words: Mapping[str, set[str]]) -> Found | None:
    """How a profile's words match the query's (None: no query word found anywhere)."""
    score, fields = 0, []
    for part, weight in FIND_WEIGHTS.items():
        hits = sum(1 for asked in query if any(words_match(asked, w) for w in words[part]))
        if hits:
            score += weight * hits
            fields.append(part)
    return Found(0, score, tuple(fields)) if score else None


def rank_people(
    text: str,
    people: Iterable[Person],
    vocabulary: Mapping[str, Sequence[str]],
    topics: Sequence[Topic] = (),
) -> list[Found]:
    """People whose profile matches the typed words, best first (ties: by id)."""
    query = [word for word in fold_words(text) if len(word) >= 2]
    found: list[Found] = []
    for person in people:
        scored = find_score(query, profile_words(person, vocabulary, topics))
        if scored is not None:
            found.append(Found(person.id, scored.score, scored.fields))
    found.sort(key=lambda item: (-item.score, item.person_id))
    return found


# --- the steps of /opportunity ---------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    name: str
    label: str
    prompt: str
    optional: bool = False


STEPS: Final[tuple[Step, ...]] = (
    Step("kind", N_("Kind"), N_("What kind of opportunity is it?")),
    Step("title", N_("Title"), N_("Its title, in one line (at most {limit} characters)?")),
    Step(
        "description",
        N_("Description"),
        N_("Describe it: what, for whom, what it offers or asks (at most {limit} characters)."),
    ),
    Step(
        "themes",
        N_("Themes"),
        N_("Which themes? Tap the working groups' themes, or type your own words, then Done."),
    ),
    Step(
        "places",
        N_("Where"),
        N_("Where? Type countries (names or codes, separated by commas), or “online”."),
        optional=True,
    ),
    Step(
        "languages",
        N_("Languages"),
        N_("Which languages does it need? Tap them, then Done."),
        optional=True,
    ),
    Step(
        "deadline",
        N_("Deadline"),
        # Translators: {zone} names the person's zone (a city); {examples} are dates to type,
        # computed from today.
        N_("Its deadline, in your time zone ({zone})? A date, or a date and time: {examples}."),
        optional=True,
    ),
    Step(
        "contact",
        N_("Contact"),
        N_("How should people reach you (e-mail, website, @username)?"),
        optional=True,
    ),
)
STEP_NAMES: Final = tuple(step.name for step in STEPS)
BY_NAME: Final = {step.name: step for step in STEPS}
PREVIEW: Final = "preview"
LIMITS: Final[Mapping[str, int]] = {
    "title": TITLE_LIMIT,
    "description": DESCRIPTION_LIMIT,
    "contact": CONTACT_LIMIT,
}


def next_step(name: str, answers: Mapping[str, object]) -> str:
    if answers.get("return_to") == PREVIEW or name == STEP_NAMES[-1]:
        return PREVIEW
    return STEP_NAMES[STEP_NAMES.index(name) + 1]


def previous_step(name: str, answers: Mapping[str, object]) -> str | None:
    if answers.get("return_to") == PREVIEW:
        return PREVIEW
    index = STEP_NAMES.index(name)
    return STEP_NAMES[index - 1] if index > 0 else None


def missing_required(answers: Mapping[str, object]) -> list[str]:
    return [s.name for s in STEPS if not s.optional and not answers.get(s.name)]


def toggle(items: Sequence[str], item: str) -> list[str]:
    return [i for i in items if i != item] if item in items else [*items, item]


def read_tags(text: str) -> list[str] | Refusal:
    """Typed themes or tags, separated by commas."""
    tags = [clean(part) for part in text.replace("，", ",").split(",") if clean(part)]
    if not tags or any(len(tag) > 60 for tag in tags):
        return Refusal(N_("Type words separated by commas, each at most 60 characters."))
    return tags


# --- reading answers ------------------------------------------------------------------------


def read_text(text: str, limit: int, multiline: bool = False) -> str | Refusal:
    """A typed answer within ``limit`` characters (line breaks kept when ``multiline``)."""
    lines = [clean(line) for line in text.strip().splitlines()]
    answer = "\n".join(line for line in lines if line) if multiline else clean(text)
    if not answer:
        return Refusal(N_("Please type a few words."))
    if len(answer) > limit:
        return Refusal(
            N_("At most {limit} characters, please; yours has {length}."),
            {"limit": limit, "length": len(answer)},
        )
    return answer


def read_deadline(text: str, language: str, zone: ZoneInfo, now: datetime) -> datetime | Refusal:
    """A deadline typed in the poster's zone (a date alone means its end), as UTC.

    Read by the one parser of typed dates (``bot/dates.py``): an impossible date or time is
    refused with its reason, a zone typed in the text is honoured."""
    read = dates.read_typed(text, language, zone, now)
    if isinstance(read, dates.Reading):
        moment = read.at.astimezone(now.tzinfo)
    elif read.message == dates.NO_TIME:
        day = dates.read_day(text, language, zone, now)
        if isinstance(day, dates.Unreadable):
            return Refusal(day.message, day.values)
        moment = datetime.combine(day, time(23, 59), tzinfo=zone).astimezone(now.tzinfo)
    else:
        return Refusal(read.message, read.values)
    if moment <= now:
        return Refusal(N_("That date has passed. Type a date in the future."))
    return moment


def is_kind(value: str) -> bool:
    return value in KINDS


# --- buttons --------------------------------------------------------------------------------

BrowseAction = Literal[
    "page", "show", "interest", "close", "filled", "withdrawn", "hide", "project"
]


@callback_data("op")
class OpportunityTap(CallbackData):
    """A button of an opportunity: its id, what was tapped, and a page or a filter."""

    opportunity_id: int
    action: BrowseAction
    argument: Annotated[str, MaxLength(FILTER_BYTES)] = ""


@callback_data("oi")
class InterestTap(CallbackData):
    """The poster's answer to one interested person."""

    opportunity_id: int
    person_id: int
    action: Literal["accept", "decline"]


def read_places(text: str) -> list[str] | Refusal:
    """Typed countries (names in any of the four languages, or codes), or ``online``."""
    places: list[str] = []
    for part in text.replace("，", ",").replace(";", ",").split(","):
        typed = clean(part)
        if not typed:
            continue
        if fold(typed) in ONLINE_WORDS:
            code: str | None = ONLINE
        else:
            code = find_country(typed).match
        if code is None:
            return Refusal(
                N_("No country matches “{text}”. Type its name or its two-letter code."),
                {"text": typed},
            )
        if code not in places:
            places.append(code)
    if not places:
        return Refusal(N_("Type countries separated by commas, or “online”."))
    return places


ONLINE_WORDS: Final = frozenset({"online", "en linea", "en ligne", "线上", "在线", "virtual"})


@callback_data("in")
class IntroTap(CallbackData):
    """Under an introduction: "We met" (counted) or "Not again" (never paired again)."""

    pair_id: int
    action: Literal["met", "avoid"]
