"""The rules of /profile: step order, what each step accepts, limits, and the card."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot import profile as rules
from bot.i18n import I18n
from bot.profile import Refusal
from storage import PROFILE_ROLES, Person

NOW = datetime(2026, 1, 13, 14, 5, tzinfo=UTC)
THEMES = {"climate": "climate", "climate change": "climate", "cambio climatico": "climate"}


def _person(**fields: object) -> Person:
    values: dict[str, object] = {
        "id": 1,
        "telegram_id": 42,
        "first_name": "Ana",
        "last_name": "Quispe",
        "username": None,
        "display_name": None,
        "telegram_language": "es",
        "language": None,
        "timezone": None,
        "started_at": None,
        "reachable": True,
        "created_at": NOW,
        "updated_at": NOW,
        "last_seen_at": None,
    }
    return Person.model_validate(values | fields)


def test_nine_steps_in_order_then_the_summary() -> None:
    assert len(rules.STEPS) == 9
    assert rules.step_number("country") == 3
    assert rules.next_step("name", {}) == "reserve"
    assert rules.next_step("email", {}) == rules.SUMMARY
    assert rules.previous_step("reserve", {}) == "name"
    assert rules.previous_step("name", {}) is None


def test_every_role_has_a_label() -> None:
    assert tuple(rules.ROLE_LABELS) == PROFILE_ROLES


def test_a_step_edited_from_the_summary_returns_to_it() -> None:
    answers = {"return_to": rules.SUMMARY}

    assert rules.next_step("country", answers) == rules.SUMMARY
    assert rules.previous_step("country", answers) == rules.SUMMARY


def test_required_and_optional_steps() -> None:
    assert {"name", "country", "role", "timezone"} == rules.REQUIRED
    assert {"reserve", "organisation", "languages", "interests", "email"} == rules.OPTIONAL
    answers = {"name": "Ana", "country": "PE", "role": None, "timezone": ""}
    assert rules.missing_required(answers) == ["role", "timezone"]


def test_a_new_draft_starts_from_the_saved_profile_and_telegrams_name() -> None:
    answers = rules.initial_answers(_person(country="PE"), "es")

    assert answers["name"] == "Ana Quispe"
    assert answers["country"] == "PE"
    assert answers["languages"] == ["es"]
    assert answers["interests"] == []
    assert rules.initial_answers(_person(display_name="Ana Q."), "en")["name"] == "Ana Q."


def test_answers_become_people_columns() -> None:
    fields = rules.profile_fields({"name": "Ana", "languages": ["es"], "email": ""})

    assert fields["display_name"] == "Ana"
    assert fields["spoken_languages"] == ["es"]
    assert fields["interests"] == []
    assert fields["email"] is None
    assert rules.profile_fields({"country": "PE"}, ["country"]) == {"country": "PE"}


def test_text_is_trimmed_and_its_white_space_collapsed() -> None:
    assert rules.read_name("  Ana \n  María  ") == "Ana María"


@pytest.mark.parametrize(
    ("reader", "limit"),
    [(rules.read_name, 64), (lambda text: rules.read_text(text, rules.TEXT_LIMIT), 120)],
)
def test_answers_over_the_limit_are_refused_with_the_limit(reader: object, limit: int) -> None:
    assert callable(reader)
    assert reader("x" * limit) == "x" * limit

    refused = reader("x" * (limit + 1))

    assert isinstance(refused, Refusal)
    assert refused.values == {"limit": limit, "length": limit + 1}


def test_an_empty_answer_is_refused() -> None:
    assert isinstance(rules.read_name("   "), Refusal)


@pytest.mark.parametrize("email", ["ana@example.org", "a.b+c@sub.example.co", "李@例子.中国"])
def test_plausible_emails_pass(email: str) -> None:
    assert rules.read_email(email) == email


@pytest.mark.parametrize("email", ["ana", "ana@", "@example.org", "ana@example", "a b@x.org"])
def test_implausible_emails_are_refused(email: str) -> None:
    assert isinstance(rules.read_email(email), Refusal)


def test_languages_by_code_or_by_name_in_any_language() -> None:
    chosen = rules.read_languages("qu, Portuguese；葡萄牙语、allemand, portugués", ["es"])

    assert chosen == ["es", "qu", "pt", "de"]


def test_an_unknown_language_is_refused_and_named() -> None:
    refused = rules.read_languages("es, Klingonish", ["en"])

    assert isinstance(refused, Refusal)
    assert refused.values == {"language": "Klingonish"}


def test_at_most_ten_languages() -> None:
    many = ["en", "es", "zh", "fr", "de", "it", "pt", "ru", "ja"]

    assert rules.read_languages("ko", many) == [*many, "ko"]
    assert isinstance(rules.read_languages("ko, ar", many), Refusal)


def test_language_names_in_the_readers_language() -> None:
    assert rules.language_name("qu", "es") == "quechua"
    assert rules.language_name("fr", "zh") == "法语"
    assert rules.language_name("xx", "en") == "xx"
    assert not rules.is_language("xx")


def test_tags_split_on_commas_map_theme_names_and_skip_duplicates() -> None:
    chosen = rules.read_tags("glaciers，Cambio climático, Glaciers,  water  ", [], THEMES)

    assert chosen == ["glaciers", "climate", "water"]


def test_a_tag_over_forty_characters_is_refused() -> None:
    refused = rules.read_tags("ok, " + "t" * 41, ["climate"], THEMES)

    assert isinstance(refused, Refusal)
    assert refused.values == {"limit": 40, "tag": "t" * 41, "length": 41}


def test_at_most_ten_free_tags_besides_the_themes() -> None:
    nine = [f"tag{i}" for i in range(9)]

    assert rules.read_tags("tag9", ["climate", *nine], THEMES) == ["climate", *nine, "tag9"]
    refused = rules.read_tags("tag9, tag10", nine, THEMES)
    assert isinstance(refused, Refusal)
    assert refused.values == {"limit": 10, "count": 11}


def test_toggle_adds_or_removes() -> None:
    assert rules.toggle(["en"], "es") == ["en", "es"]
    assert rules.toggle(["en", "es"], "en") == ["es"]


def test_the_tag_fingerprint_tells_tags_apart() -> None:
    assert rules.tag_check("water") == rules.tag_check("water")
    assert rules.tag_check("water") != rules.tag_check("Water")
    assert len(rules.tag_check("water")) == 8


def test_the_card_escapes_what_people_typed_and_translates_the_rest() -> None:
    tr = I18n("en").translator("es")
    answers = rules.saved_answers(
        _person(
            display_name="<b>Ana</b> & co",
            country="NP",
            role="young_researcher",
            timezone="Asia/Kathmandu",
            spoken_languages=("ne", "en"),
            interests=("climate", "<script>"),
        )
    )

    lines = rules.card_lines(tr, answers, NOW, {"climate": "Cambio climático"})

    assert lines == [
        "<b>Nombre:</b> &lt;b&gt;Ana&lt;/b&gt; &amp; co",
        "<b>Reserva de biosfera:</b> —",
        "<b>País:</b> Nepal",
        "<b>Organización:</b> —",
        "<b>Función:</b> Joven investigador/a",
        "<b>Zona horaria:</b> Katmandú (ahora mar, 19:50)",
        "<b>Idiomas:</b> nepalí, inglés",
        "<b>Intereses:</b> Cambio climático, &lt;script&gt;",
        "<b>Correo electrónico:</b> —",
    ]
