"""The catalogs follow the glossary: one term per concept and language, no forbidden word.

``docs/glossary.md`` is the single source: this test reads its tables, then checks every
message of the Spanish, French and Chinese catalogs against them, plus the register (您, not
你) and French typography (a narrow no-break space before ``: ; ? ! »`` and after ``«``).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from bot.commands import COMMANDS
from bot.i18n import LOCALES_DIR, catalog_path

GLOSSARY = Path(__file__).resolve().parents[2] / "docs" / "glossary.md"
SECTIONS = {"English": "en", "Español": "es", "Français": "fr", "中文": "zh"}
TRANSLATIONS = ("es", "fr", "zh")
NARROW_NBSP = "\u202f"
LOOSE_FRENCH_SPACE = re.compile(r"[ \u00a0](?=[:;?!»])|(?<=«)[ \u00a0]")
MIDDLE_DOT_IN_A_WORD = re.compile(r"\w·\w")
TAG = re.compile(r"<[^>]+>")
PLACEHOLDER = re.compile(r"\{\w+\}")
COMMAND = re.compile(r"/\w+")
COMMAND_WITH_ARGUMENT = re.compile(r"/\w+ [a-z]+")


@dataclass(frozen=True)
class Form:
    """One way of writing a word: a phrase, a word prefix (``evalu*``) or Chinese characters."""

    text: str
    language: str
    unless_inside: str = ""

    @property
    def pattern(self) -> re.Pattern[str]:
        if self.language == "zh":
            return re.compile(re.escape(self.text))
        prefix = self.text.endswith("*")
        words = self.text.rstrip("*").replace("’", "'").split()
        body = r"[\s\u00a0\u202f]+".join(re.escape(word) for word in words)
        body = body.replace("'", "['’]")
        tail = r"\w*" if prefix else ""
        flags = 0 if any(c.isupper() for c in self.text) else re.IGNORECASE
        return re.compile(rf"(?<!\w){body}{tail}(?!\w)", flags)

    def found_in(self, text: str) -> bool:
        if self.unless_inside:
            text = text.replace(self.unless_inside, "")
        return bool(self.pattern.search(text))


@dataclass
class Term:
    """A concept in one language: its term with the forms that count as it, and what not to say."""

    concept: str
    language: str
    term: str
    forms: list[Form]
    forbidden: list[Form] = field(default_factory=list)

    def used_in(self, text: str) -> bool:
        return any(form.found_in(text) for form in self.forms)


@dataclass(frozen=True)
class Avoid:
    language: str
    form: Form


@dataclass
class Glossary:
    terms: dict[str, dict[str, Term]]
    """language -> concept -> term"""
    avoid: list[Avoid]

    def concepts_named(self, english: str) -> set[str]:
        return {c for c, term in self.terms["en"].items() if term.used_in(english)}


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def _forms(cell: str, language: str) -> list[Form]:
    forms = []
    for item in (part.strip() for part in cell.split(",")):
        if not item:
            continue
        match = re.fullmatch(r"(.+?)\s*\(except (.+)\)", item)
        if match:
            forms.append(Form(match[1], language, unless_inside=match[2]))
        else:
            forms.append(Form(item, language))
    return forms


def _tables(text: str) -> Iterator[tuple[str, list[list[str]]]]:
    """Each table of the file with the heading it stands under."""
    heading, rows = "", []
    for line in [*text.splitlines(), ""]:
        if line.startswith("## "):
            heading = line[3:].strip()
        if line.startswith("|"):
            rows.append(_cells(line))
        elif rows:
            yield heading, list(rows[2:])
            rows = []


def read_glossary(path: Path = GLOSSARY) -> Glossary:
    terms: dict[str, dict[str, Term]] = {}
    avoid: list[Avoid] = []
    for heading, rows in _tables(path.read_text(encoding="utf-8")):
        language = SECTIONS.get(heading.split(" ")[0], "")
        if language:
            terms[language] = {
                concept: Term(
                    concept,
                    language,
                    term,
                    _forms(f"{term}, {forms}", language),
                    _forms(forbidden, language),
                )
                for concept, term, forms, forbidden, _why in rows
            }
        elif heading.startswith("Words to avoid"):
            for language, forbidden, _instead, _why in rows:
                avoid += [Avoid(language, form) for form in _forms(forbidden, language)]
    return Glossary(terms, avoid)


@dataclass(frozen=True)
class Message:
    msgid: str
    english: str
    """The English text as words: no tags, placeholders or commands."""
    text: str
    """The translation as words, the same way."""
    raw: str
    """The translation as it is in the catalog."""


def _joined(value: str | Iterable[str]) -> str:
    return value if isinstance(value, str) else "\n".join(value)


def as_words(english: str, translation: str) -> tuple[str, str]:
    """Both texts without tags, placeholders, commands and the literal arguments of commands."""
    english, translation = TAG.sub(" ", english), TAG.sub(" ", translation)
    english, translation = PLACEHOLDER.sub(" ", english), PLACEHOLDER.sub(" ", translation)
    for literal in COMMAND_WITH_ARGUMENT.findall(english):
        if literal in translation:
            english = english.replace(literal, " ")
            translation = translation.replace(literal, " ")
    return COMMAND.sub(" ", english), COMMAND.sub(" ", translation)


def read_messages(language: str, locales_dir: Path = LOCALES_DIR) -> list[Message]:
    with catalog_path(locales_dir, language).open("rb") as source:
        catalog = read_po(source, locale=language)
    messages = []
    for message in catalog:
        if not message.id or not message.string:
            continue
        english, raw = _joined(message.id), _joined(message.string)
        english_words, words = as_words(english, raw)
        messages.append(Message(english, english_words, words, raw))
    return messages


def forbidden_uses(glossary: Glossary, language: str, messages: list[Message]) -> list[str]:
    """Each message using a word the glossary forbids for a concept in that language."""
    terms = glossary.terms[language]
    problems = []
    for message in messages:
        named = glossary.concepts_named(message.english)
        for concept, term in terms.items():
            for form in term.forbidden:
                if not form.found_in(message.text):
                    continue
                owners = {c for c, t in terms.items() if c != concept and t.used_in(form.text)}
                if owners & named:
                    continue
                problems.append(
                    f"{language}: “{form.text}” is forbidden for {concept} "
                    f"(use “{term.term}”): {message.raw!r}"
                )
    return problems


def missing_terms(glossary: Glossary, language: str, messages: list[Message]) -> list[str]:
    """Each message whose English names a concept and whose translation lacks its term."""
    problems = []
    for message in messages:
        for concept in sorted(glossary.concepts_named(message.english)):
            term = glossary.terms[language][concept]
            if not term.used_in(message.text):
                problems.append(
                    f"{language}: {concept} is “{term.term}”, missing in {message.raw!r} "
                    f"(English: {message.msgid!r})"
                )
    return problems


def terms_per_concept(
    glossary: Glossary, language: str, messages: list[Message]
) -> dict[str, Counter[str]]:
    """For each concept, how many of its messages use the term and each forbidden word."""
    counts: dict[str, Counter[str]] = {}
    for message in messages:
        for concept in glossary.concepts_named(message.english):
            term = glossary.terms[language][concept]
            counter = counts.setdefault(concept, Counter())
            if term.used_in(message.text):
                counter[term.term] += 1
            for form in term.forbidden:
                if form.found_in(message.text):
                    counter[form.text] += 1
    return counts


def words_to_avoid(glossary: Glossary, language: str, messages: list[Message]) -> list[str]:
    problems = []
    for avoid in (a for a in glossary.avoid if a.language == language):
        for message in messages:
            if avoid.form.text == "·":
                found = bool(MIDDLE_DOT_IN_A_WORD.search(message.raw))
            else:
                found = avoid.form.found_in(message.text)
            if found:
                problems.append(f"{language}: avoid “{avoid.form.text}”: {message.raw!r}")
    return problems


def loose_french_spaces(messages: list[Message]) -> list[str]:
    return [
        f"fr: a space that can wrap next to high punctuation: {m.raw!r}"
        for m in messages
        if LOOSE_FRENCH_SPACE.search(m.raw)
    ]


@pytest.fixture(scope="module")
def glossary() -> Glossary:
    return read_glossary()


def test_the_glossary_defines_every_concept_in_every_language(glossary: Glossary) -> None:
    concepts = set(glossary.terms["en"])

    assert {"working group", "experience", "digest", "summary", "shortlist", "going"} <= concepts
    assert len(concepts) == 20
    for language in TRANSLATIONS:
        assert set(glossary.terms[language]) == concepts, language


@pytest.mark.parametrize("language", TRANSLATIONS)
def test_no_catalog_uses_a_word_the_glossary_forbids(glossary: Glossary, language: str) -> None:
    messages = read_messages(language)

    assert forbidden_uses(glossary, language, messages) == []
    assert words_to_avoid(glossary, language, messages) == []


@pytest.mark.parametrize("language", TRANSLATIONS)
def test_a_message_that_names_a_concept_uses_its_term(glossary: Glossary, language: str) -> None:
    messages = read_messages(language)

    assert missing_terms(glossary, language, messages) == []


@pytest.mark.parametrize("language", TRANSLATIONS)
def test_each_concept_is_rendered_by_one_term(glossary: Glossary, language: str) -> None:
    counts = terms_per_concept(glossary, language, read_messages(language))

    assert len(counts["experience"]) >= 1
    several = {concept: dict(c) for concept, c in counts.items() if len(c) != 1}
    assert several == {}


def test_french_keeps_high_punctuation_with_its_word() -> None:
    messages = read_messages("fr")

    assert loose_french_spaces(messages) == []
    assert sum(NARROW_NBSP in m.raw for m in messages) > 200


def test_command_descriptions_speak_in_one_mood_per_language() -> None:
    infinitive = {
        "es": re.compile(r"^\w+(ar|er|ir|ír)(te|se|me|lo|la)?$"),
        "fr": re.compile(r"^\w+(er|ir|re|oir)$"),
    }
    catalogs = {}
    for language in infinitive:
        with catalog_path(LOCALES_DIR, language).open("rb") as source:
            catalogs[language] = read_po(source, locale=language)
    wrong = []
    for command in COMMANDS:
        if command.description.split()[0] in {"The", "Your", "Who", "What", "A", "An"}:
            wrong.append(f"en: {command.description}")
        for language, mood in infinitive.items():
            message = catalogs[language].get(command.description)
            first = re.split(r"[\s:,]", message.string if message else "")[0]
            if not mood.match(first):
                wrong.append(f"{language}: {message.string if message else command.description}")

    assert wrong == []


def test_the_checks_catch_what_a_reviewer_would(glossary: Glossary) -> None:
    def message(english: str, translation: str) -> Message:
        words = as_words(english, translation)
        return Message(english, words[0], words[1], translation)

    zh = [
        message("Your experience “{title}” is accepted.", "你的经验“{title}”已被接受。"),
        message("Digest of {group}", "{group}摘要"),
        message("Summary", "摘要"),
        message("Lessons learned", "经验教训"),
        message("Try /experiences selected.", "试试 /experiences selected。"),
    ]
    es = [message("Your digest", "Tu resumen"), message("Summary", "Resumen")]
    fr = [
        message("#{id} is accepted.", "Le n° {id} est accepté : merci !"),
        message("Researcher", "Chercheur·se"),
        message("Tap Done.", "Touchez Terminé."),
    ]

    assert len(forbidden_uses(glossary, "zh", zh)) == 2
    assert len(words_to_avoid(glossary, "zh", zh)) == 1
    assert sorted(missing_terms(glossary, "zh", zh)) == [
        "zh: digest is “简报”, missing in '{group}摘要' (English: 'Digest of {group}')",
        "zh: experience is “案例”, missing in '你的经验“{title}”已被接受。' "
        "(English: 'Your experience “{title}” is accepted.')",
    ]
    assert terms_per_concept(glossary, "zh", zh)["experience"] == Counter({"经验": 1})
    assert len(forbidden_uses(glossary, "es", es)) == 1
    assert len(words_to_avoid(glossary, "fr", fr)) == 2
    assert len(loose_french_spaces(fr)) == 1
