"""Digest rules as plain functions: due times across DST, sections, text, splitting."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.digests import (
    DigestItem,
    DigestSection,
    DigestTarget,
    NewMember,
    TargetKind,
    compose,
    dedupe_key,
    format_when,
    new_members_section,
    next_due,
    parse_frequency,
    unsent,
)
from bot.i18n import I18n
from bot.rendering import MESSAGE_LIMIT, Html, visible_length
from storage import Person

MADRID = ZoneInfo("Europe/Madrid")
SANTIAGO = ZoneInfo("America/Santiago")
I18N = I18n()


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


# next due time


@pytest.mark.parametrize(
    ("after", "expected"),
    [
        # Madrid springs forward on Sunday 29 March 2026: Monday 30 March 09:00 is UTC+2.
        (utc(2026, 3, 27, 12), utc(2026, 3, 30, 7)),
        # The Monday before is still winter time (UTC+1).
        (utc(2026, 3, 20, 12), utc(2026, 3, 23, 8)),
        # Madrid falls back on Sunday 25 October 2026: Monday 26 October 09:00 is UTC+1.
        (utc(2026, 10, 23, 12), utc(2026, 10, 26, 8)),
        (utc(2026, 10, 16, 12), utc(2026, 10, 19, 7)),
        # Exactly at the slot: the next one, a week later.
        (utc(2026, 3, 23, 8), utc(2026, 3, 30, 7)),
        # Monday just before 09:00 local: that same morning.
        (utc(2026, 3, 30, 6, 59), utc(2026, 3, 30, 7)),
    ],
)
def test_weekly_is_monday_nine_in_madrid_across_dst(after: datetime, expected: datetime) -> None:
    due = next_due("weekly", MADRID, after)
    assert due == expected
    assert due is not None
    local = due.astimezone(MADRID)
    assert (local.weekday(), local.hour, local.minute) == (0, 9, 0)


def test_daily_across_the_madrid_spring_forward_night() -> None:
    saturday = utc(2026, 3, 28, 8)  # 09:00 CET
    sunday = next_due("daily", MADRID, saturday)
    monday = next_due("daily", MADRID, sunday or saturday)
    assert sunday == utc(2026, 3, 29, 7)  # 09:00 CEST: only 23 hours later
    assert monday == utc(2026, 3, 30, 7)


def test_santiago_daily_and_weekly_across_its_dst_changes() -> None:
    # Chile ends DST on Sunday 5 April 2026 (UTC-3 -> UTC-4).
    assert next_due("daily", SANTIAGO, utc(2026, 4, 4, 12, 30)) == utc(2026, 4, 5, 13)
    assert next_due("daily", SANTIAGO, utc(2026, 4, 3, 12, 30)) == utc(2026, 4, 4, 12)
    # And starts it again on Sunday 6 September 2026 (UTC-4 -> UTC-3), at midnight.
    assert next_due("weekly", SANTIAGO, utc(2026, 9, 5)) == utc(2026, 9, 7, 12)
    assert next_due("weekly", SANTIAGO, utc(2026, 8, 29)) == utc(2026, 8, 31, 13)


def test_monthly_is_the_first_at_nine_and_rolls_over_the_year() -> None:
    assert next_due("monthly", MADRID, utc(2026, 12, 1, 8)) == utc(2027, 1, 1, 8)
    assert next_due("monthly", MADRID, utc(2026, 12, 1, 7, 59)) == utc(2026, 12, 1, 8)
    assert next_due("monthly", MADRID, utc(2026, 3, 15)) == utc(2026, 4, 1, 7)
    assert next_due("monthly", MADRID, utc(2026, 1, 31, 23)) == utc(2026, 2, 1, 8)


def test_off_has_no_due_time_and_frequencies_parse() -> None:
    assert next_due("off", MADRID, utc(2026, 1, 1)) is None
    assert parse_frequency(" Weekly ") == "weekly"
    assert parse_frequency("off") == "off"
    assert parse_frequency("hourly") is None


def test_when_is_written_in_the_readers_language_with_the_zone_named() -> None:
    moment = utc(2026, 3, 30, 7)
    assert format_when(moment, MADRID, "en") == "Monday, March 30, 2026 09:00 (Madrid)"
    assert format_when(moment, MADRID, "es") == "lunes, 30 de marzo de 2026 09:00 (Madrid)"
    assert format_when(moment, SANTIAGO, "fr") == "lundi 30 mars 2026 04:00 (Santiago)"


def test_dedupe_key_names_the_schedule_and_the_period() -> None:
    assert dedupe_key(7, utc(2026, 3, 30, 7)) == "digest:7:2026-03-30T07:00:00Z"
    assert dedupe_key(7, utc(2026, 3, 30, 7), 1) == "digest:7:2026-03-30T07:00:00Z:2"


# sections and text


def person(pid: int, first: str, last: str, **profile: str) -> Person:
    now = utc(2026, 1, 1)
    return Person(
        id=pid,
        telegram_id=1000 + pid,
        first_name=first,
        last_name=last,
        username=None,
        display_name=None,
        telegram_language=None,
        language=None,
        timezone=None,
        started_at=now,
        reachable=True,
        created_at=now,
        updated_at=now,
        last_seen_at=None,
        **profile,  # type: ignore[arg-type]
    )


ANA = person(1, "Ana", "Quispe", reserve="Cordillera Alta", country="PE")
LI = person(2, "Li", "<b>Wei</b>", country="CN")
JORGE = person(3, "Jorge", "Ruiz")


def target(kind: TargetKind, language: str, person_id: int | None = None) -> DigestTarget:
    return DigestTarget(
        kind, 5, frozenset({1, 2}), MADRID, language, person_id=person_id, title="Climate"
    )


JOINED = [
    NewMember(LI, 2, "Biodiversity", utc(2026, 3, 25, 10)),
    NewMember(ANA, 1, "Climate", utc(2026, 3, 24, 10)),
    NewMember(JORGE, 3, "Elsewhere", utc(2026, 3, 24, 11)),
]


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "en",
            [
                "<b>New members</b>",
                "• <b>Ana Quispe</b> — Cordillera Alta · Peru → Climate",
                "• <b>Li &lt;b&gt;Wei&lt;/b&gt;</b> — China → Biodiversity",
            ],
        ),
        (
            "es",
            [
                "<b>Nuevos miembros</b>",
                "• <b>Ana Quispe</b> — Cordillera Alta · Perú → Climate",
                "• <b>Li &lt;b&gt;Wei&lt;/b&gt;</b> — China → Biodiversity",
            ],
        ),
    ],
)
def test_new_members_of_the_targets_groups_in_the_readers_language(
    language: str, expected: list[str]
) -> None:
    tr = I18N.translator(language)
    section = new_members_section(tr, target(TargetKind.NETWORK, language), JOINED)
    assert section is not None
    assert [item.key for item in section.items] == ["member:1:1", "member:2:2"]
    text = compose("T", [section])[0]
    assert text.split("\n")[2:] == expected


def test_a_group_digest_leaves_the_group_name_out_and_a_reader_is_not_told_of_themself() -> None:
    tr = I18N.translator("en")
    group = new_members_section(tr, target(TargetKind.GROUP, "en"), JOINED)
    assert group is not None
    assert group.items[0].line == "• <b>Ana Quispe</b> — Cordillera Alta · Peru"
    mine = new_members_section(tr, target(TargetKind.PERSON, "en", person_id=1), JOINED)
    assert mine is not None
    assert [item.key for item in mine.items] == ["member:2:2"]
    assert new_members_section(tr, target(TargetKind.PERSON, "en", 1), JOINED[1:2]) is None


def _section(name: str, lines: int, width: int = 60) -> DigestSection:
    items = tuple(
        DigestItem(f"{name}:{i}", utc(2026, 1, 1), Html(f"• {name} {i} " + "x" * width))
        for i in range(lines)
    )
    return DigestSection(Html(name), items)


def test_nothing_to_say_is_no_message_and_sent_items_are_dropped() -> None:
    section = _section("a", 2)
    assert compose("T", []) == []
    assert unsent([section, None], frozenset({"a:0", "a:1"})) == []
    kept = unsent([section], frozenset({"a:0"}))
    assert [item.key for item in kept[0].items] == ["a:1"]


def test_long_digests_split_between_sections_and_inside_a_section_too_long() -> None:
    sections = [_section("a", 30), _section("b", 30), _section("c", 200)]
    messages = compose("<b>Title</b>", sections)
    assert all(visible_length(m) < MESSAGE_LIMIT for m in messages)
    assert messages[0].startswith("<b>Title</b>\n\n<b>a</b>")
    assert messages[1].startswith("<b>b</b>")  # a and b do not both fit: split between them
    assert messages[2].startswith("<b>c</b>")
    assert len(messages) > 3  # c alone is longer than a message: split on its lines
    lines = [line for m in messages for line in m.split("\n") if line]
    assert len(lines) == 1 + 3 + 30 + 30 + 200
