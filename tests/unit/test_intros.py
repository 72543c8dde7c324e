"""The monthly pairing of introductions, on 40 people over three months (hypothesis): nobody
is paired twice with the same person, every pair is across countries and shares an interest,
and both suggested times lie inside both people's working hours."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.digests.rules import DigestTarget, TargetKind
from bot.i18n import I18n
from bot.opportunities import intros
from bot.opportunities.digest import opportunities_section
from bot.opportunities.intros import Participant, pair_month, participant, suggested_times
from bot.opportunities.texts import met_line

ZONES = (
    "America/Lima", "America/Mexico_City", "Europe/Madrid", "Europe/Paris", "Africa/Nairobi",
    "Asia/Shanghai", "Asia/Kathmandu", "Australia/Sydney", "America/Argentina/Buenos_Aires",
)  # fmt: skip
COUNTRIES = ("PE", "MX", "ES", "FR", "KE", "CN", "NP", "AU", "AR")
INTERESTS = ("climate", "biodiversity", "community", "socioeconomics", "glaciers", "water")
MONTHS = (datetime(2026, 2, 1, tzinfo=UTC), datetime(2026, 3, 1, tzinfo=UTC),
          datetime(2026, 4, 1, tzinfo=UTC))  # fmt: skip

people_strategy = st.lists(
    st.tuples(
        st.integers(0, len(ZONES) - 1),
        st.sets(st.sampled_from(INTERESTS), min_size=1, max_size=3),
        st.integers(0, 3),
        st.sampled_from([(9 * 60, 18 * 60), (7 * 60, 15 * 60), (12 * 60, 20 * 60)]),
    ),
    min_size=40,
    max_size=40,
)


def build(drawn: list[tuple[int, set[str], int, tuple[int, int]]]) -> list[Participant]:
    return [
        participant(pid, COUNTRIES[z], ZONES[z], interests, f"Reserve {z}-{r}", hours)
        for pid, (z, interests, r, hours) in enumerate(drawn, start=1)
    ]


WORLDS = max(5, settings.default.max_examples // 4)
"""A quarter of the profile's examples (tests/conftest.py): each world of 40 people over three
months takes about a second; the thorough profile draws 125."""


@settings(deadline=None, max_examples=WORLDS)
@given(people_strategy)
def test_three_months_for_40_people_never_repeat_and_fit_both_days(
    drawn: list[tuple[int, set[str], int, tuple[int, int]]],
) -> None:
    people = build(drawn)
    by_id = {p.person_id: p for p in people}
    before: set[frozenset[int]] = set()
    for month in MONTHS:
        day = intros.reference_day(month)
        pairs = pair_month(people, before, day)
        seen: set[int] = set()
        for pair in pairs:
            one, other = by_id[pair.first], by_id[pair.second]
            assert intros.key(one.person_id, other.person_id) not in before
            assert one.country != other.country
            assert one.reserve != other.reserve
            assert set(pair.shared) == one.interests & other.interests != set()
            assert not {pair.first, pair.second} & seen
            seen.update((pair.first, pair.second))
            for start in suggested_times(one, other, month):
                assert intros.inside_hours(one, start, intros.CALL_MINUTES)
                assert intros.inside_hours(other, start, intros.CALL_MINUTES)
        before.update(intros.key(p.first, p.second) for p in pairs)


def test_a_month_pairs_across_countries_with_two_times_in_both_days() -> None:
    lima = participant(1, "PE", "America/Lima", ["Glaciers"], "Huascarán")
    madrid = participant(2, "ES", "Europe/Madrid", ["glaciers", "water"], "Sierra Nevada")
    cusco = participant(3, "PE", "America/Lima", ["glaciers"], "Manu")
    sydney = participant(4, "AU", "Australia/Sydney", ["water"])
    day = intros.reference_day(MONTHS[0])
    pairs = pair_month([lima, madrid, cusco, sydney], set(), day)
    assert [(p.first, p.second, p.shared) for p in pairs] == [(1, 2, ("glaciers",))]
    times = suggested_times(lima, madrid, MONTHS[0])
    assert len(times) == 2
    assert all(t.astimezone(UTC).hour == 14 for t in times)  # 09:00 in Lima, 15:00 in Madrid
    # Next month: Lima and Madrid were paired, so Cusco meets Madrid.
    second = pair_month([lima, madrid, cusco, sydney], {intros.key(1, 2)}, day)
    assert [(p.first, p.second) for p in second] == [(2, 3)]


def test_same_reserve_and_exclusions_are_never_paired() -> None:
    one = participant(1, "PE", "America/Lima", ["climate"], "Huascarán")
    same = participant(2, "ES", "America/Lima", ["climate"], "huascaran")
    other = participant(3, "MX", "America/Mexico_City", ["climate"])
    day = intros.reference_day(MONTHS[0])
    assert pair_month([one, same], set(), day) == []
    assert pair_month([one, other], {intros.key(1, 3)}, day) == []


def test_working_hours_are_read_from_what_people_type() -> None:
    assert intros.read_hours("9-18") == (540, 1080)
    assert intros.read_hours("08:30–17:00") == (510, 1020)
    assert intros.read_hours("18-9") is None
    assert intros.read_hours("soon") is None


def test_the_secretariat_reads_how_many_pairs_met_in_four_languages() -> None:
    i18n = I18n()
    lines = {
        lang: met_line(i18n.translator(lang), "2026-03", 20, 12)
        for lang in ("en", "es", "zh", "fr")
    }
    assert lines == {
        "en": "Introductions in March 2026: 12 of 20 pairs said they met.",
        "es": "Presentaciones de marzo de 2026: 12 de 20 parejas dijeron haberse reunido.",
        "zh": "2026年3月的介绍：20 对中有 12 对表示已见面。",
        "fr": "Rencontres de mars 2026\u202f: 12 sur 20 binômes ont dit s’être parlé.",
    }
    one = met_line(i18n.translator("fr"), "2026-12", 1, 0)
    assert one == "Rencontres de décembre 2026\u202f: 0 sur 1 binôme a dit s’être parlé."


def test_the_network_digest_tells_how_many_of_last_months_pairs_met() -> None:
    target = DigestTarget(TargetKind.NETWORK, 1, frozenset({1}), ZoneInfo("Asia/Shanghai"), "zh")
    section = opportunities_section(I18n().translator("zh"), target, [], ("2026-03", 20, 12))
    assert section is not None
    assert [(item.key, item.line) for item in section.items] == [
        ("intros:2026-03", "🤝 2026年3月的介绍：20 对中有 12 对表示已见面。")
    ]
    assert opportunities_section(I18n().translator("zh"), target, [], ("2026-03", 0, 0)) is None
