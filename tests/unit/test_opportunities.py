"""The pure rules of opportunities: who an opportunity fits and why, the weekly limit of offers,
/find's ranking across languages and accents, and reading a deadline in the poster's zone."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from bot.opportunities import rules
from bot.opportunities.rules import (
    FOR_ROLE,
    IN_COUNTRY,
    SPEAKS,
    WORKS_ON,
    Match,
    Reason,
    Wanted,
    choose_offers,
    rank_members,
    rank_people,
    read_deadline,
)
from bot.profile import Refusal
from storage import Person

NOW = datetime(2026, 1, 13, 14, 5, tzinfo=UTC)


def person(
    pid: int,
    *,
    role: str | None = "researcher",
    country: str | None = None,
    interests: Sequence[str] = (),
    speaks: Sequence[str] = (),
    reserve: str | None = None,
) -> Person:
    return Person(
        id=pid,
        telegram_id=1000 + pid,
        first_name=f"P{pid}",
        last_name=None,
        username=None,
        display_name=None,
        telegram_language="en",
        language=None,
        timezone=None,
        started_at=NOW,
        reachable=True,
        created_at=NOW,
        updated_at=NOW,
        last_seen_at=None,
        reserve=reserve,
        country=country,
        role=role,  # type: ignore[arg-type]
        spoken_languages=tuple(speaks),
        interests=tuple(interests),
    )


INTERNSHIP = Wanted("internship", ("climate", "glacier monitoring"), ("PE",), ("es",), poster_id=1)


def test_an_internship_fits_young_researchers_who_share_a_theme_and_speak_its_language() -> None:
    people = [
        person(1, role="reserve_manager", interests=["climate"], speaks=["es"]),  # the poster
        person(2, role="young_researcher", interests=["Glacier monitoring"], speaks=["es"]),
        person(3, role="young_researcher", country="PE", interests=["climate"], speaks=["es"]),
        person(4, role="researcher", interests=["climate"], speaks=["es"]),  # not their role
        person(5, role="young_researcher", interests=["climate"], speaks=["en"]),  # no Spanish
        person(6, role="young_researcher", interests=["biodiversity"], speaks=["es"]),
    ]
    ranked = rank_members(INTERNSHIP, people)
    assert [m.person_id for m in ranked] == [3, 2]
    assert ranked[0].reasons == (
        Reason(WORKS_ON, {"interests": ("climate",)}),
        Reason(SPEAKS, {"languages": ("es",)}),
        Reason(IN_COUNTRY),
        Reason(FOR_ROLE),
    )
    assert ranked[1].reasons[0] == Reason(WORKS_ON, {"interests": ("Glacier monitoring",)})


def test_words_match_across_case_accents_and_a_shared_stem() -> None:
    assert rules.shared_items(["Glaciares andinos"], ["glaciers", "fire"]) == ("glaciers",)
    assert rules.shared_items(["ÉCOTOURISME"], ["ecotourisme"]) == ("ecotourisme",)
    assert rules.shared_items(["water"], ["waste"]) == ()


def test_offers_keep_the_weekly_limit_and_never_repeat() -> None:
    matches = [Match(pid, 10 - pid, ()) for pid in range(1, 6)]
    modes = {2: "off", 3: "weekly"}
    chosen = choose_offers(matches, modes, {3: 1, 4: 3}, frozenset({5}))
    assert [m.person_id for m in chosen] == [1]


@given(
    st.lists(st.integers(min_value=0, max_value=5), min_size=1, max_size=30),
    st.sampled_from(["on", "weekly", "off"]),
)
def test_nobody_is_offered_past_their_limit(counts: list[int], mode: str) -> None:
    matches = [Match(pid, 1, ()) for pid in range(len(counts))]
    offered = dict(enumerate(counts))
    modes = dict.fromkeys(range(len(counts)), mode)
    for match in choose_offers(matches, modes, offered, frozenset()):
        assert offered[match.person_id] < rules.weekly_limit(mode)


VOCABULARY = {
    "climate": ["Climate change", "Cambio climático", "气候变化", "Changement climatique"],
    "PE": ["Peru", "Perú", "秘鲁", "Pérou"],
    "es": ["Spanish", "español", "西班牙语", "espagnol"],
    "young_researcher": ["Young researcher", "Joven investigador", "青年研究人员", "Jeune"],
}


def test_find_ranks_by_profile_in_any_language() -> None:
    people = [
        person(1, interests=["glaciers"], country="PE", speaks=["es"]),
        person(2, interests=["climate"], country="FR", speaks=["fr"]),
        person(3, interests=["birds"], country="PE", speaks=["en"], reserve="Huascarán"),
    ]
    assert [f.person_id for f in rank_people("glaciares Perú", people, VOCABULARY)] == [1, 3]
    assert [f.person_id for f in rank_people("CAMBIO climatico", people, VOCABULARY)] == [2]
    assert [f.person_id for f in rank_people("huascaran", people, VOCABULARY)] == [3]
    assert [f.person_id for f in rank_people("秘鲁", people, VOCABULARY)] == [1, 3]
    assert rank_people("volcanoes", people, VOCABULARY) == []


GLACIERS = rules.topic(["glaciers", "glaciares", "冰川", "glaciers"])
WETLANDS = rules.topic(["wetlands", "humedales", "湿地", "zones humides"])


def test_find_knows_a_topic_by_its_names_in_the_four_languages() -> None:
    people = [
        person(1, interests=["glacier monitoring"]),
        person(2, interests=["冰川监测"]),
        person(3, interests=["glaciares"]),
        person(4, interests=["zones humides"]),
        person(5, interests=["humedales altoandinos"]),
        person(6, interests=["zones de montagne"]),  # "zones" alone names no topic
    ]
    topics = [GLACIERS, WETLANDS]

    def found(text: str) -> list[int]:
        return [f.person_id for f in rank_people(text, people, VOCABULARY, topics)]

    assert found("冰川") == [1, 2, 3]
    assert found("Glaciers") == [1, 2, 3]
    assert found("glaciar") == [1, 2, 3]
    assert found("湿地") == [4, 5]
    assert found("wetlands") == [4, 5]
    assert found("冰") == []  # a word of one character is not looked up
    assert [f.person_id for f in rank_people("冰川", people, VOCABULARY)] == [2]


def test_an_opportunity_on_a_topic_reaches_people_who_name_it_in_another_language() -> None:
    people = [
        person(1, role="young_researcher", interests=["冰川监测"], speaks=["es", "zh"]),
        person(2, role="young_researcher", interests=["湿地"], speaks=["es"]),
        person(3, role="young_researcher", interests=["glacier lakes"], speaks=["es"]),
    ]
    wanted = Wanted("internship", ("glaciares",), ("PE",), ("es",), poster_id=9)
    matches = rank_members(wanted, people, [GLACIERS, WETLANDS])
    assert [m.person_id for m in matches] == [1, 3]
    assert matches[0].reasons[0] == Reason(WORKS_ON, {"interests": ("冰川监测",)})
    assert [m.person_id for m in rank_members(wanted, people)] == [3]  # without the topics


def test_chinese_words_match_inside_a_phrase_and_english_by_stem() -> None:
    assert rules.words_match("冰川", "冰川监测")
    assert not rules.words_match("冰", "冰川监测")
    assert rules.shared_items(["冰川"], ["冰川监测", "森林"]) == ("冰川监测",)
    assert not rules.words_match("glacial", "glass")


def test_a_deadline_is_read_in_the_posters_zone() -> None:
    lima = ZoneInfo("America/Lima")
    assert read_deadline("15 de marzo de 2026", "es", lima, NOW) == datetime(
        2026, 3, 16, 4, 59, tzinfo=UTC
    )
    assert read_deadline("2026-02-01 17:00", "en", lima, NOW) == datetime(
        2026, 2, 1, 22, 0, tzinfo=UTC
    )
    assert isinstance(read_deadline("someday", "en", lima, NOW), Refusal)
    assert isinstance(read_deadline("2025-12-01", "en", lima, NOW), Refusal)


def test_places_are_countries_in_any_language_or_online() -> None:
    assert rules.read_places("Perú, Bolivia, online") == ["PE", "BO", "online"]
    refused = rules.read_places("Atlantis")
    assert isinstance(refused, Refusal)
    assert refused.values == {"text": "Atlantis"}


def test_the_digest_section_names_each_opportunity_with_its_deadline_in_the_readers_zone() -> None:
    from bot.digests.rules import DigestTarget, TargetKind
    from bot.i18n import I18n
    from bot.opportunities.digest import opportunities_section
    from storage.opportunities import Opportunity

    posted = Opportunity(
        id=4, poster_id=1, kind="funding", title="Alpine <fund>", description="Text.",
        themes=("climate",), places=(), languages=(),
        deadline_at=datetime(2026, 3, 9, 22, 59, tzinfo=UTC),
        timezone="Europe/Madrid", contact=None, status="open", hidden_reason=None,
        project_group_id=None, created_at=NOW, updated_at=NOW,
    )  # fmt: skip
    target = DigestTarget(TargetKind.NETWORK, 1, frozenset({1}), ZoneInfo("Europe/Madrid"), "es")
    section = opportunities_section(I18n().translator("es"), target, [posted])
    assert section is not None
    assert section.heading == "<b>💡 Oportunidades</b>"
    assert [(item.key, item.line) for item in section.items] == [
        (
            "opportunity:4",
            "• Convocatoria de financiación: <b>Alpine &lt;fund&gt;</b> — fecha límite "
            "lunes, 9 de marzo de 2026 23:59 (Madrid)",
        )
    ]
    assert opportunities_section(I18n().translator("es"), target, []) is None
