"""The roster's rules as plain functions: order, counts, continents, pages, times, cards, CSV."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from typing import Any

import pytest
from babel import Locale

from bot.access import Actor
from bot.continents import CONTINENT_OF, continent_of
from bot.i18n import I18n
from bot.roster import (
    COORDINATOR_MARK,
    EXPORT_COLUMNS,
    ExportRecord,
    GroupPlace,
    count_continents,
    count_countries,
    export_filename,
    linked_group,
    local_time,
    may_see_roster,
    paginate,
    render_roster,
    roster_csv,
    shorten,
    sort_members,
    whois_card,
    whois_matches,
)
from storage import Person, RosterMember, WorkingGroup

NOW = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)
"""A Thursday; Sydney is in daylight saving time (UTC+11), Lima UTC-5, Madrid UTC+1."""

I18N = I18n()


def person(person_id: int, name: str, country: str | None = None, **fields: Any) -> Person:
    first, _, last = name.partition(" ")
    values: dict[str, Any] = {
        "id": person_id,
        "telegram_id": 1000 + person_id,
        "first_name": first,
        "last_name": last or None,
        "username": None,
        "display_name": None,
        "telegram_language": "en",
        "language": None,
        "timezone": None,
        "started_at": None,
        "reachable": True,
        "created_at": NOW,
        "updated_at": NOW,
        "last_seen_at": None,
        "country": country,
    }
    return Person(**{**values, **fields})


def member(p: Person, coordinator: bool = False) -> RosterMember:
    return RosterMember(person=p, role="coordinator" if coordinator else "member", joined_at=NOW)


def group(group_id: int, chat_id: int | None = None, topic_id: int | None = None) -> WorkingGroup:
    return WorkingGroup(
        id=group_id,
        slug=f"g{group_id}",
        theme="t",
        chat_id=chat_id,
        topic_id=topic_id,
        timezone=None,
        active=True,
        names={"en": f"Group {group_id}"},
        descriptions={},
    )


# local times


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "en",
            {
                "Australia/Sydney": "Thu 23:00",
                "America/Lima": "Thu 07:00",
                "Europe/Madrid": "Thu 13:00",
            },
        ),
        (
            "es",
            {
                "Australia/Sydney": "jue, 23:00",
                "America/Lima": "jue, 07:00",
                "Europe/Madrid": "jue, 13:00",
            },
        ),
        (
            "zh",
            {
                "Australia/Sydney": "周四23:00",
                "America/Lima": "周四07:00",
                "Europe/Madrid": "周四13:00",
            },
        ),
        (
            "fr",
            {
                "Australia/Sydney": "jeu. 23:00",
                "America/Lima": "jeu. 07:00",
                "Europe/Madrid": "jeu. 13:00",
            },
        ),
    ],
)
def test_local_time_is_a_short_weekday_and_24_hour_time_in_the_readers_language(
    language: str, expected: dict[str, str]
) -> None:
    assert {zone: local_time(NOW, zone, language) for zone in expected} == expected


def test_local_time_follows_daylight_saving_and_crosses_midnight() -> None:
    july = datetime(2026, 7, 15, 12, 0, tzinfo=UTC)
    assert local_time(july, "Australia/Sydney", "en") == "Wed 22:00"  # winter: UTC+10
    assert local_time(july, "Europe/Madrid", "en") == "Wed 14:00"  # summer: UTC+2
    assert local_time(datetime(2026, 1, 15, 13, 30, tzinfo=UTC), "Australia/Sydney", "en") == (
        "Fri 00:30"
    )


@pytest.mark.parametrize("zone", [None, "", "Mars/Olympus_Mons"])
def test_no_or_unknown_zone_shows_a_dash(zone: str | None) -> None:
    assert local_time(NOW, zone, "en") == "—"


# order and counts


def test_members_sorted_by_country_name_in_the_readers_language_then_name() -> None:
    people = [
        member(person(1, "Zoe", "DE")),
        member(person(2, "Bea", "ES")),
        member(person(3, "Ada", "DE")),
        member(person(4, "Nobody")),
        member(person(5, "Éric", "FR")),
    ]

    def names(language: str) -> list[str]:
        return [m.person.name for m in sort_members(people, language)]

    # en: France, Germany, Spain; es: Alemania, España, Francia; no country last.
    assert names("en") == ["Éric", "Ada", "Zoe", "Bea", "Nobody"]
    assert names("es") == ["Ada", "Zoe", "Bea", "Éric", "Nobody"]


def test_sorting_ignores_case_and_accents() -> None:
    people = [member(person(1, "zed", "PE")), member(person(2, "Álvaro", "PE"))]
    assert [m.person.name for m in sort_members(people, "en")] == ["Álvaro", "zed"]


def test_counts_by_country_most_first_and_by_continent_in_fixed_order() -> None:
    people = [
        person(1, "A", "PE"),
        person(2, "B", "PE"),
        person(3, "C", "ES"),
        person(4, "D", "AU"),
        person(5, "E", "ke"),
        person(6, "F"),
    ]

    assert count_countries(people, "en") == [("PE", 2), ("AU", 1), ("KE", 1), ("ES", 1), (None, 1)]
    assert count_continents(people) == [
        ("africa", 1),
        ("americas", 2),
        ("europe", 1),
        ("oceania", 1),
        (None, 1),
    ]


@pytest.mark.parametrize(
    ("code", "continent"),
    [
        ("PE", "americas"),
        ("CA", "americas"),
        ("JM", "americas"),
        ("ES", "europe"),
        ("RU", "europe"),
        ("CN", "asia"),
        ("NP", "asia"),
        ("TR", "asia"),
        ("KE", "africa"),
        ("MA", "africa"),
        ("AU", "oceania"),
        ("NZ", "oceania"),
        ("fj", "oceania"),
        ("AQ", None),
        ("ZZ", None),
        (None, None),
    ],
)
def test_continent_of_a_country(code: str | None, continent: str | None) -> None:
    assert continent_of(code) == continent


def test_every_country_babel_names_is_on_a_continent_except_antarctica() -> None:
    not_countries = {"EU", "EZ", "UN", "QO", "ZZ", "XA", "XB", "CQ", "DG"}
    antarctic = {"AQ", "BV", "GS", "HM", "TF"}
    codes = {
        code
        for code in Locale.parse("en").territories
        if len(code) == 2 and code.isalpha() and code not in not_countries | antarctic
    }
    assert codes - set(CONTINENT_OF) == set()
    assert set(CONTINENT_OF) - codes == set()


# pages


def test_pages_hold_at_most_twenty_lines() -> None:
    pages = paginate([f"line {i}" for i in range(45)], budget=10_000)
    assert [len(page) for page in pages] == [20, 20, 5]
    assert pages[2][-1] == "line 44"


def test_pages_stay_within_the_character_budget_and_hold_one_line_at_least() -> None:
    pages = paginate(["x" * 40] * 5 + ["y" * 500], budget=100)
    assert [len(page) for page in pages] == [2, 2, 1, 1]


def test_an_empty_roster_is_one_empty_page() -> None:
    assert paginate([], budget=100) == [[]]


def test_render_roster_pages_and_refuses_a_page_that_does_not_exist() -> None:
    _ = I18N.translator("en")
    members = [member(person(i, f"Person {i:02d}", "PE")) for i in range(25)]

    first = render_roster(_, "Climate", members, NOW, 0)
    second = render_roster(_, "Climate", members, NOW, 1)

    assert first is not None
    assert second is not None
    assert (first.pages, second.page) == (2, 1)
    assert first.text.count("•") == 20
    assert second.text.count("•") == 5
    assert "Page 2 of 2" in second.text
    assert render_roster(_, "Climate", members, NOW, 2) is None


def test_render_roster_header_lines_and_escaping() -> None:
    _ = I18N.translator("en")
    members = [
        member(
            person(
                1,
                "Ana <b>Q</b>",
                "PE",
                timezone="America/Lima",
                role="reserve_manager",
                reserve="Huascarán & co",
                username="anaq",
            ),
            coordinator=True,
        ),
        member(person(2, "Aroha", "NZ", timezone="Pacific/Auckland", email="a@example.org")),
    ]

    view = render_roster(_, "Climate & change", members, NOW, 0)

    assert view is not None
    assert view.pages == 1
    lines = view.text.split("\n")
    assert lines[0] == "<b>Climate &amp; change</b> — 2 members"
    assert lines[1] == "Countries: New Zealand 1 · Peru 1"
    assert lines[2] == "Continents: Americas 1 · Oceania 1"
    assert lines[5] == "• <b>Aroha</b> — New Zealand · 🕒 Fri 01:00"
    assert lines[6] == (
        f"{COORDINATOR_MARK} <b>Ana &lt;b&gt;Q&lt;/b&gt;</b> @anaq — Peru · Huascarán &amp; co"
        " · Reserve manager · 🕒 Thu 07:00"
    )
    assert "example.org" not in view.text


def test_render_roster_in_chinese_names_countries_continents_and_roles() -> None:
    _ = I18N.translator("zh")
    view = render_roster(
        _,
        "气候变化",
        [member(person(1, "Mei", "CN", timezone="Asia/Shanghai", role="researcher"))],
        NOW,
        0,
    )
    assert view is not None
    assert "国家：中国 1" in view.text
    assert "大洲：亚洲 1" in view.text
    assert "• <b>Mei</b> — 中国 · 研究人员 · 🕒 周四20:00" in view.text


def test_an_empty_group_says_so() -> None:
    view = render_roster(I18N.translator("fr"), "Climat", [], NOW, 0)
    assert view is not None
    assert view.text.endswith("Personne n’est encore dans ce groupe.")


def test_long_fields_are_shortened() -> None:
    assert shorten("x" * 100, 10) == "x" * 9 + "…"
    assert shorten("short", 10) == "short"


# who may see


def test_members_see_their_groups_coordinators_and_secretariat_see_any() -> None:
    plain = Actor(person_id=1, telegram_id=1, secretariat=False, coordinated=frozenset())
    coordinator = Actor(person_id=2, telegram_id=2, secretariat=False, coordinated=frozenset({9}))
    secretariat = Actor(person_id=3, telegram_id=3, secretariat=True, coordinated=frozenset())

    assert may_see_roster(plain, member_of_group=True)
    assert not may_see_roster(plain, member_of_group=False)
    assert may_see_roster(coordinator, member_of_group=False)
    assert may_see_roster(secretariat, member_of_group=False)


def test_linked_group_of_a_chat_and_of_a_forum_topic() -> None:
    groups = [
        group(1, chat_id=-100),
        group(2, chat_id=-200, topic_id=5),
        group(3, chat_id=-200, topic_id=7),
    ]

    assert linked_group(groups, -100, None) == groups[0]
    assert linked_group(groups, -200, 7) == groups[2]
    assert linked_group(groups, -200, None) is None
    assert linked_group(groups, -300, None) is None


# /whois


def test_whois_card_shows_the_profile_but_never_the_email() -> None:
    _ = I18N.translator("es")
    ana = person(
        1,
        "Ana Quispe",
        "PE",
        timezone="America/Lima",
        role="reserve_manager",
        reserve="Huascarán",
        organisation="SERNANP",
        username="anaq",
        email="ana@x.pe",
    )

    card = whois_card(
        _, ana, [GroupPlace("Cambio climático", True), GroupPlace("Biodiversidad", False)], NOW
    )

    assert card.split("\n") == [
        "<b>Ana Quispe</b> @anaq",
        "Reserva: Huascarán",
        "País: Perú · América",
        "Organización: SERNANP",
        "Rol: Gestor/a de reserva",
        "Grupos: Cambio climático ★, Biodiversidad",
        "Hora local: jue, 07:00 (Lima)",
    ]
    assert "ana@x.pe" not in card


def test_whois_matches_is_a_short_list() -> None:
    _ = I18N.translator("en")
    people = [person(i, f"Ana {i}", "PE") for i in range(12)]

    text = whois_matches(_, "ana", people, {0: ["Climate"]})

    lines = text.split("\n")
    assert lines[0] == "12 people match “ana”:"
    assert lines[1] == "• <b>Ana 0</b> — Peru · Climate"
    assert len([line for line in lines if line.startswith("•")]) == 10
    assert "…and more" in text


# export


def test_csv_has_a_bom_the_columns_and_one_row_per_person() -> None:
    mei = person(
        1,
        "Mei Wang",
        "CN",
        email="mei@example.cn",
        reserve="云岭",
        role="researcher",
        username="meiw",
        language="zh",
        timezone="Asia/Shanghai",
        display_name="王梅",
    )
    lea = person(2, "Léa Moreau", "FR", telegram_language="fr-FR")
    records = [
        ExportRecord(mei, ("climate", "biodiversity"), date(2026, 1, 2)),
        ExportRecord(lea, (), None),
    ]

    data = roster_csv(records)

    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == list(EXPORT_COLUMNS)
    assert rows[1] == ["Léa Moreau", "", "", "FR", "", "", "", "fr", "", ""]
    assert rows[2] == [
        "王梅",
        "mei@example.cn",
        "云岭",
        "CN",
        "researcher",
        "climate;biodiversity",
        "meiw",
        "zh",
        "Asia/Shanghai",
        "2026-01-02",
    ]


def test_csv_cells_that_a_spreadsheet_would_run_are_quoted() -> None:
    evil = person(1, "=HYPERLINK(1)", reserve="+1", display_name=None)
    rows = list(
        csv.reader(io.StringIO(roster_csv([ExportRecord(evil, (), None)]).decode("utf-8-sig")))
    )
    assert rows[1][0] == "'=HYPERLINK(1)"
    assert rows[1][2] == "'+1"


def test_export_filename() -> None:
    assert export_filename("climate", date(2026, 11, 24)) == "roster-climate-2026-11-24.csv"
    assert export_filename(None, date(2026, 11, 24)) == "roster-all-2026-11-24.csv"
