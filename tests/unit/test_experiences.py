"""The rules of /submit: steps, readers of answers, files, the card, the reviewers."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from bot import experiences as rules
from bot.experiences import PREVIEW, STEP_NAMES, IncomingFile, Reader
from bot.i18n import I18n
from bot.profile import Refusal
from bot.rendering import MESSAGE_LIMIT
from storage import Experience, ExperienceFile, Person

NOW = datetime(2026, 1, 13, 14, 5, tzinfo=UTC)
THEMES = {"climate": "Climate change", "biodiversity": "Biodiversity"}
EN = I18n().translator("en")
ES = I18n().translator("es")


def _person(**changes: Any) -> Person:
    values: dict[str, Any] = {
        "id": 7,
        "telegram_id": 1007,
        "first_name": "Ana",
        "last_name": None,
        "username": None,
        "display_name": None,
        "telegram_language": "es",
        "language": None,
        "timezone": None,
        "started_at": NOW,
        "reachable": True,
        "created_at": NOW,
        "updated_at": NOW,
        "last_seen_at": NOW,
        "reserve": "Manu",
        "country": "PE",
    }
    values.update(changes)
    return Person.model_validate(values)


def _experience(**changes: Any) -> Experience:
    values: dict[str, Any] = {
        "id": 3,
        "author_id": 7,
        "status": "submitted",
        "language": "es",
        "title": "Terrazas <b>",
        "reserve": "Manu",
        "country": "PE",
        "themes": ("climate",),
        "summary": "Agua.",
        "challenge": None,
        "building_blocks": None,
        "enabling_factors": None,
        "results": "40 ha",
        "lessons": None,
        "replicability": None,
        "partners": None,
        "contact": None,
        "links": ("https://example.org",),
        "decision_note": None,
        "submitted_at": NOW,
        "decided_at": None,
        "published_at": None,
        "created_at": NOW,
        "updated_at": NOW,
        "files": (ExperienceFile(position=1, kind="photo", file_id="f", file_unique_id="u"),),
    }
    values.update(changes)
    return Experience.model_validate(values)


# --- the steps ----------------------------------------------------------------------------------


def test_the_steps_cover_every_field_the_author_writes_once() -> None:
    from storage.experiences import EXPERIENCE_FIELDS, REQUIRED_FIELDS

    assert [name for name in STEP_NAMES if name != "files"] == list(EXPERIENCE_FIELDS)
    assert STEP_NAMES[-1] == "files"
    assert {s.name for s in rules.STEPS if not s.optional} == set(REQUIRED_FIELDS)
    assert len(STEP_NAMES) == len(set(STEP_NAMES)) == 15


def test_next_and_previous_steps() -> None:
    assert rules.step_number("title") == 1
    assert rules.step_number("summary") == 5
    assert rules.next_step("title", {}) == "reserve"
    assert rules.next_step("files", {}) == PREVIEW
    assert rules.next_step("title", {"return_to": PREVIEW}) == PREVIEW
    assert rules.previous_step("title", {}) is None
    assert rules.previous_step("reserve", {}) == "title"
    assert rules.previous_step("results", {"return_to": PREVIEW}) == PREVIEW


def test_a_new_draft_takes_reserve_and_country_from_the_profile() -> None:
    answers = rules.initial_answers(_person())
    assert (answers["reserve"], answers["country"]) == ("Manu", "PE")
    assert answers["themes"] == answers["files"] == []
    assert rules.missing_required(answers) == ["title", "themes", "summary"]


def test_every_prompt_fills_its_values() -> None:
    for step in rules.STEPS:
        prompt = EN(step.prompt, **rules.prompt_values(step))
        assert "{" not in prompt
    assert "at most 600 characters" in EN(
        rules.step_of("summary").prompt, **rules.prompt_values(rules.step_of("summary"))
    )


# --- reading answers ---------------------------------------------------------------------------


def test_read_text_cleans_and_keeps_paragraphs_of_long_fields() -> None:
    title = rules.step_of("title")
    assert rules.read_text(title, "  Terraces \n  of   Manu ") == "Terraces of Manu"
    summary = rules.step_of("summary")
    typed = " First  line \n\n\n\nSecond\n"
    assert rules.read_text(summary, typed) == "First line\n\nSecond"


def test_read_text_refuses_over_the_limit_stating_it() -> None:
    refusal = rules.read_text(rules.step_of("title"), "x" * 121)
    assert isinstance(refusal, Refusal)
    assert refusal.values == {"limit": 120, "length": 121}
    assert "at most 120 characters" in EN(refusal.message, **refusal.values)
    assert rules.read_text(rules.step_of("title"), "x" * 120) == "x" * 120
    assert isinstance(rules.read_text(rules.step_of("title"), "   "), Refusal)


@pytest.mark.parametrize(
    ("typed", "links"),
    [
        ("https://a.org", ["https://a.org"]),
        (
            "www.unesco.org/mab, http://b.net/x?y=1",
            ["https://www.unesco.org/mab", "http://b.net/x?y=1"],
        ),
        ("a.org\na.org", ["https://a.org"]),
    ],
)
def test_read_links(typed: str, links: list[str]) -> None:
    assert rules.read_links(typed) == links


@pytest.mark.parametrize("typed", ["not a link", "mailto:x@y.org", "javascript:alert(1)", ""])
def test_read_links_refuses_what_is_not_a_web_address(typed: str) -> None:
    assert isinstance(rules.read_links(typed), Refusal)


def test_read_links_refuses_more_than_five() -> None:
    refusal = rules.read_links(" ".join(f"https://{n}.org" for n in "abcdef"))
    assert isinstance(refusal, Refusal)
    assert refusal.values == {"limit": 5}


def test_toggle() -> None:
    assert rules.toggle(["a"], "b") == ["a", "b"]
    assert rules.toggle(["a", "b"], "a") == ["b"]


# --- files -------------------------------------------------------------------------------------


def _photo(unique: str, size: int | None = 1000) -> IncomingFile:
    return IncomingFile("photo", f"id-{unique}", unique, size)


def test_add_file_keeps_the_order_and_refuses_past_five() -> None:
    files: list[Any] = []
    for n in range(5):
        added = rules.add_file(files, _photo(str(n)))
        assert not isinstance(added, Refusal)
        files = added
    assert [f["file_unique_id"] for f in files] == ["0", "1", "2", "3", "4"]
    refusal = rules.add_file(files, _photo("5"))
    assert isinstance(refusal, Refusal)
    assert refusal.values == {"limit": 5}


def test_add_file_refuses_over_20_mb_stating_the_limit() -> None:
    refusal = rules.add_file([], _photo("big", 20 * 1024 * 1024 + 1))
    assert isinstance(refusal, Refusal)
    assert refusal.values == {"size": "20.0", "limit": 20}
    assert not isinstance(rules.add_file([], _photo("ok", 20 * 1024 * 1024)), Refusal)
    assert not isinstance(rules.add_file([], _photo("unknown", None)), Refusal)


def test_add_file_refuses_the_same_file_twice() -> None:
    files = rules.add_file([], _photo("a"))
    assert not isinstance(files, Refusal)
    assert isinstance(rules.add_file(files, _photo("a")), Refusal)


def test_files_of_numbers_positions() -> None:
    data = [_photo("a").as_data(), IncomingFile("document", "d", "b", 5, "x.pdf").as_data()]
    stored = rules.files_of(data)
    assert [(f.position, f.kind, f.file_name) for f in stored] == [
        (1, "photo", None),
        (2, "document", "x.pdf"),
    ]


# --- drafts and experiences -------------------------------------------------------------------


def test_experience_fields_and_answers_of_round_trip() -> None:
    experience = _experience()
    answers = rules.answers_of(experience)
    fields = rules.experience_fields(answers)
    assert fields["title"] == "Terrazas <b>"
    assert fields["themes"] == ["climate"]
    assert fields["links"] == ["https://example.org"]
    assert fields["challenge"] is None
    assert "files" not in fields
    assert rules.files_of(answers["files"]) == list(experience.files)
    assert rules.field_value("partners", "") is None
    assert rules.field_value("links", None) == []


# --- the card -----------------------------------------------------------------------------------


def test_the_card_escapes_every_value_and_names_things_in_the_readers_language() -> None:
    answers = rules.answers_of(_experience(contact="<a href='x'>me</a>"))
    card = rules.card(ES, answers, {"climate": "Cambio climático"}, status="in_review")
    assert card.startswith("<b>Terrazas &lt;b&gt;</b>\nManu · Perú\n<i>Cambio climático</i>")
    assert "<b>Estado:</b> En evaluación" in card
    assert "<b>Resultados e impactos</b>\n40 ha" in card
    assert "&lt;a href='x'&gt;me&lt;/a&gt;" in card
    assert "<b>Fotos y documentos:</b> 1 foto" in card
    assert "Desafío" not in card  # empty sections are left out


def test_a_card_at_every_limit_splits_below_telegrams_limit_on_balanced_lines() -> None:
    answers: dict[str, Any] = {"title": "<" * 120, "reserve": "&" * 120, "country": "PE"}
    for step in rules.STEPS:
        if step.kind == "text" and step.name not in answers:
            answers[step.name] = "<&>" * (step.limit // 3)
    answers["links"] = [f"https://example.org/{'x' * 250}{n}" for n in range(5)]
    answers["themes"] = ["climate", "biodiversity"]
    messages = rules.card_messages(rules.card(EN, answers, THEMES))
    assert len(messages) > 1
    for message in messages:
        assert len(message) < MESSAGE_LIMIT
        assert message.count("<b>") == message.count("</b>")


def test_files_summary() -> None:
    files = [{"kind": "photo"}, {"kind": "photo"}, {"kind": "document"}]
    assert rules.files_summary(EN, files) == "2 photos and 1 document"
    assert rules.files_summary(ES, files[2:]) == "1 documento"
    assert rules.files_summary(EN, []) == "—"


def test_every_status_has_a_label_in_every_language() -> None:
    from storage import EXPERIENCE_STATUSES

    assert set(rules.STATUS_LABELS) == set(EXPERIENCE_STATUSES)
    for language in ("es", "zh", "fr"):
        tr = I18n().translator(language)
        for label in rules.STATUS_LABELS.values():
            assert tr(label) != label


# --- reviewers ----------------------------------------------------------------------------------


def test_reviewers_are_each_told_once_and_never_the_author() -> None:
    author = _person()
    coordinators = [
        Reader(1007, 7, "es"),  # the author coordinates one of the themes
        Reader(2000, 8, "en"),
        Reader(2000, 8, "en"),  # coordinates two of the themes
    ]
    secretariat = [Reader(3000, None, "en"), Reader(2000, 8, "en")]
    assert rules.reviewers(coordinators, secretariat, author) == [
        Reader(2000, 8, "en"),
        Reader(3000, None, "en"),
    ]
    assert rules.reviewers([Reader(1007, None, "en")], [], author) == []


def test_notice_names_the_experience_escaped_in_the_readers_language() -> None:
    experience = _experience()
    text = rules.notice(EN, experience, "Ana <3", THEMES, resubmitted=False)
    assert text.splitlines() == [
        "A new experience was submitted for review:",
        "<b>Terrazas &lt;b&gt;</b>",
        "Manu · Peru",
        "<i>Climate change</i>",
        "By Ana &lt;3.",
    ]
    again = rules.notice(ES, experience, "Ana", THEMES, resubmitted=True)
    assert again.startswith("Una experiencia se volvió a enviar tras los cambios:")
    assert rules.notice_key(3, 2, 2000) == "experience:3:submitted:2:2000"
