"""Opportunities' use cases against a real SQLite file: three months of introductions for 40
opted-in people (no repeat, across countries, two times inside both working days, both told),
and an offer never made twice nor past a person's weekly limit."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.clock import ManualClock
from bot.digests.rules import DigestRequest, DigestTarget, TargetKind
from bot.i18n import I18n
from bot.opportunities import intros
from bot.opportunities.digest import OpportunitiesProvider
from bot.opportunities.introductions import MonthlyIntroductions
from bot.opportunities.service import OpportunitiesService
from bot.outbox import OutboxService
from config import load_network, load_settings
from storage import Repositories

from .conftest import START
from .test_email import imported_person

PLACES = (
    ("PE", "America/Lima"), ("ES", "Europe/Madrid"), ("CN", "Asia/Shanghai"),
    ("FR", "Europe/Paris"), ("KE", "Africa/Nairobi"), ("MX", "America/Mexico_City"),
    ("NP", "Asia/Kathmandu"), ("AR", "America/Argentina/Buenos_Aires"),
)  # fmt: skip
INTERESTS = ("climate", "biodiversity", "glaciers", "water", "tourism")


class Wakes:
    def wake(self) -> None:
        pass


@pytest.fixture
async def service(repos: Repositories, clock: ManualClock, tmp_path: Path) -> OpportunitiesService:
    settings = load_settings(database_path=tmp_path / "unused.sqlite3")
    await repos.groups.seed(load_network().groups, START)
    return OpportunitiesService(
        repos, clock, I18n(), settings, OutboxService(repos, clock, Wakes())
    )


async def person(repos: Repositories, number: int, **profile: object) -> int:
    made = await repos.people.upsert_from_telegram(
        telegram_id=5000 + number,
        first_name=f"P{number}",
        last_name=None,
        username=None,
        language_code=("en", "es", "zh", "fr")[number % 4],
        private=True,
        now=START,
    )
    await repos.people.update_profile(made.id, START, **profile)
    climate = await repos.groups.by_slug("climate")
    assert climate is not None
    await repos.groups.add_member(climate.id, made.id, "member", START)
    return made.id


async def test_three_months_of_introductions_for_40_people(
    service: OpportunitiesService, repos: Repositories, clock: ManualClock
) -> None:
    for number in range(40):
        country, zone = PLACES[number % len(PLACES)]
        interests = [INTERESTS[number % 5], INTERESTS[(number * 3 + 1) % 5]]
        pid = await person(
            repos, number, country=country, timezone=zone, interests=interests,
            reserve=f"Reserve {number % 13}",
        )  # fmt: skip
        hours = (8 * 60, 17 * 60) if number % 3 else intros.DEFAULT_HOURS
        made = await repos.people.get(pid)
        assert made is not None
        await service.intros.join(made, hours)
    due = MonthlyIntroductions(service.intros)
    hours = await repos.opportunities.intro_hours()
    people = {p.id: p for p in [await repos.people.get(pid) for pid in hours] if p is not None}
    seen: set[frozenset[int]] = set()
    for month in (datetime(2026, 4, 1, 6, tzinfo=UTC), datetime(2026, 5, 1, 6, tzinfo=UTC),
                  datetime(2026, 6, 1, 6, tzinfo=UTC)):  # fmt: skip
        clock.set(month)
        assert await due.next_due(clock.now()) == clock.now()
        await due.run_due(clock.now())
        assert await due.next_due(clock.now()) == intros.next_month_start(month)
        pairs = await repos.opportunities.intro_pairs(intros.month_of(month))
        assert len(pairs) >= 14
        in_month: set[int] = set()
        for pair in pairs:
            couple = frozenset((pair.person_a, pair.person_b))
            assert couple not in seen
            seen.add(couple)
            assert not couple & in_month
            in_month |= couple
            one, other = people[pair.person_a], people[pair.person_b]
            assert one.country != other.country
            assert set(one.interests) & set(other.interests)
            for start in (pair.first_start, pair.second_start):
                assert start >= month
                for someone in (one, other):
                    local = start.astimezone(ZoneInfo(someone.timezone or "UTC"))
                    begin, end = hours[someone.id]
                    minute = local.hour * 60 + local.minute
                    assert local.weekday() < 5
                    assert begin <= minute
                    assert minute + intros.CALL_MINUTES <= end
        prefix = f"intro:{intros.month_of(month)}:"
        told = {
            row.person_id
            for row in await repos.outbox.containing("👋")
            if row.dedupe_key.startswith(prefix)
        }
        assert told == in_month


async def test_a_month_with_one_placeable_participant_runs_once_and_tells_them(
    service: OpportunitiesService, repos: Repositories, clock: ManualClock
) -> None:
    placed = await person(repos, 1, country="PE", timezone="America/Lima", interests=["water"])
    unplaced = await person(repos, 2, timezone="Europe/Paris", interests=["water"])  # no country
    for pid in (placed, unplaced):
        someone = await repos.people.get(pid)
        assert someone is not None
        await service.intros.join(someone)
    due = MonthlyIntroductions(service.intros)
    clock.set(datetime(2026, 4, 1, 6, tzinfo=UTC))
    assert await due.next_due(clock.now()) == clock.now()

    await due.run_due(clock.now())

    assert await due.next_due(clock.now()) == datetime(2026, 5, 1, tzinfo=UTC)  # not again
    assert await repos.opportunities.intro_months() == {"2026-04"}
    told = await repos.outbox.containing("⏳")
    assert [row.person_id for row in told] == [placed]


async def test_people_joining_mid_month_wait_for_the_next_round_even_on_a_sweep(
    service: OpportunitiesService, repos: Repositories, clock: ManualClock
) -> None:
    clock.set(datetime(2026, 4, 14, 10, tzinfo=UTC))
    for number, (country, zone) in enumerate(PLACES[:2]):
        pid = await person(repos, number, country=country, timezone=zone, interests=["water"])
        someone = await repos.people.get(pid)
        assert someone is not None
        await service.intros.join(someone)
    due = MonthlyIntroductions(service.intros)
    assert await due.next_due(clock.now()) == datetime(2026, 5, 1, tzinfo=UTC)

    await due.run_due(clock.now())  # the runtime's sweep calls every work, due or not

    assert await repos.opportunities.intro_months() == frozenset()
    clock.set(datetime(2026, 5, 1, 6, tzinfo=UTC))
    await due.run_due(clock.now())
    assert len(await repos.opportunities.intro_pairs("2026-05")) == 1


async def test_the_network_digest_carries_last_months_introductions_once_over(
    service: OpportunitiesService, repos: Repositories, clock: ManualClock
) -> None:
    ids = [await person(repos, n, country="PE", timezone="America/Lima") for n in range(4)]
    march = datetime(2026, 3, 2, 9, tzinfo=UTC)
    made = await repos.opportunities.record_round(
        "2026-03", [(ids[0], ids[1], march, march), (ids[2], ids[3], march, march)], march
    )
    assert await repos.opportunities.mark_met(made[0].id, ids[1])
    provider = OpportunitiesProvider(repos)
    tr = I18n().translator("en")
    network = DigestTarget(TargetKind.NETWORK, 1, frozenset({1}), ZoneInfo("America/Lima"), "en")
    group = DigestTarget(TargetKind.GROUP, 2, frozenset({1}), ZoneInfo("America/Lima"), "en")

    def request(target: DigestTarget, until: datetime) -> DigestRequest:
        return DigestRequest(target, until - timedelta(days=7), until, tr)

    in_march = await provider.section(request(network, datetime(2026, 3, 30, tzinfo=UTC)))
    assert in_march is None  # the month is not over
    april = await provider.section(request(network, datetime(2026, 4, 6, tzinfo=UTC)))
    assert april is not None
    assert [item.line for item in april.items] == [
        "🤝 Introductions in March 2026: 1 of 2 pairs said they met."
    ]
    assert await provider.section(request(group, datetime(2026, 4, 6, tzinfo=UTC))) is None


async def test_an_internship_is_offered_by_e_mail_to_a_young_researcher_without_telegram(
    service: OpportunitiesService, repos: Repositories
) -> None:
    """The matching reaches people the secretariat imported with only an address."""
    repos.outbox.email_enabled = True
    poster_id = await person(repos, 1, role="reserve_manager", country="PE")
    mei = await imported_person(repos, "Mei", "mei@example.cn", "zh")
    await repos.people.update_profile(
        mei, START, role="young_researcher", interests=["climate"], spoken_languages=["es", "zh"]
    )
    climate = await repos.groups.by_slug("climate")
    assert climate is not None
    await repos.groups.add_member(climate.id, mei, "member", START)
    poster = await repos.people.get(poster_id)
    assert poster is not None

    posted = await service.post(
        poster,
        {
            "kind": "internship",
            "title": "Glacier monitoring internship",
            "description": "Three months in Huascarán.",
            "themes": ["climate"],
            "places": ["PE"],
            "languages": ["es"],
        },
    )

    assert posted.offered == 1
    rows = await repos.db.fetch_all(
        "SELECT channel, payload FROM outbox WHERE person_id = ? ORDER BY id", (mei,)
    )
    assert [row["channel"] for row in rows] == ["email"]
    assert "Glacier monitoring internship" in rows[0]["payload"]
