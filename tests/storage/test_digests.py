"""Digest schedules and sent items against a real database."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from config import load_network
from storage import Person, Repositories
from storage.digests import DigestsRepository
from storage.privacy import PrivacyRepository, Subject


@pytest.fixture
def digests(repos: Repositories) -> DigestsRepository:
    return DigestsRepository(repos.db)


async def _person(repos: Repositories, now: datetime, telegram_id: int, name: str) -> Person:
    return await repos.people.upsert_from_telegram(
        telegram_id=telegram_id,
        first_name=name,
        last_name=None,
        username=None,
        language_code="en",
        private=True,
        now=now,
    )


async def test_default_schedules_are_created_once(
    digests: DigestsRepository, repos: Repositories, now: datetime
) -> None:
    await repos.groups.seed(load_network().groups, now)
    climate = await repos.groups.by_slug("climate")
    assert climate is not None
    due = now + timedelta(days=3)
    week_ago = now - timedelta(days=7)

    first = await digests.ensure(
        "group", next_due_at=due, covered_until=week_ago, now=now, group_id=climate.id
    )
    again = await digests.ensure(
        "group",
        next_due_at=due + timedelta(days=7),
        covered_until=now,
        now=now,
        group_id=climate.id,
    )
    network = await digests.ensure("network", next_due_at=due, covered_until=week_ago, now=now)
    network_again = await digests.ensure("network", next_due_at=due, covered_until=now, now=now)

    assert (first, again, network, network_again) == (True, False, True, False)
    schedule = await digests.for_group(climate.id)
    assert schedule is not None
    assert (schedule.frequency, schedule.next_due_at, schedule.covered_until) == (
        "weekly",
        due,
        week_ago,
    )
    assert await digests.due(due - timedelta(seconds=1)) == []
    assert {s.target for s in await digests.due(due)} == {"group", "network"}
    assert await digests.next_due_at() == due


async def test_recording_marks_items_and_moves_on_only_from_the_period_served(
    digests: DigestsRepository, repos: Repositories, now: datetime
) -> None:
    await digests.ensure("network", next_due_at=now, covered_until=now - timedelta(days=7), now=now)
    schedule = await digests.network()
    assert schedule is not None
    following = now + timedelta(days=7)

    await digests.record(
        schedule.id,
        keys=["member:1:2", "member:1:3"],
        covered_until=now,
        now=now,
        period=now,
        next_due_at=following,
    )
    await digests.record(  # a late second round for the same period changes nothing
        schedule.id,
        keys=[],
        covered_until=now - timedelta(days=1),
        now=now,
        period=now,
        next_due_at=following + timedelta(days=7),
    )

    after = await digests.get(schedule.id)
    assert after is not None
    assert (after.next_due_at, after.covered_until, after.last_sent_at) == (following, now, now)
    assert await digests.sent_keys(schedule.id, ["member:1:2", "member:9:9"]) == {"member:1:2"}
    assert await digests.sent_keys(schedule.id, []) == frozenset()


async def test_new_members_in_the_window_who_are_still_members(
    digests: DigestsRepository, repos: Repositories, now: datetime
) -> None:
    await repos.groups.seed(load_network().groups, now)
    climate = await repos.groups.by_slug("climate")
    biodiversity = await repos.groups.by_slug("biodiversity")
    assert climate is not None
    assert biodiversity is not None
    ana = await _person(repos, now, 1, "Ana")
    bo = await _person(repos, now, 2, "Bo")
    cy = await _person(repos, now, 3, "Cy")
    await repos.groups.add_member(climate.id, ana.id, "member", now - timedelta(days=10))
    await repos.groups.add_member(climate.id, bo.id, "member", now - timedelta(days=2))
    await repos.groups.add_member(biodiversity.id, cy.id, "member", now - timedelta(days=1))
    await repos.groups.add_member(climate.id, cy.id, "member", now - timedelta(days=1))
    await repos.groups.leave(climate.id, cy.id, now)

    joined = await digests.new_members([climate.id, biodiversity.id], now - timedelta(days=7), now)
    only_climate = await digests.new_members([climate.id], now - timedelta(days=7), now)

    assert [(m.person.first_name, m.group_id) for m in joined] == [
        ("Bo", climate.id),
        ("Cy", biodiversity.id),
    ]
    assert joined[0].joined_at == now - timedelta(days=2)
    assert [m.person.first_name for m in only_climate] == ["Bo"]


async def test_a_personal_digest_is_switched_on_and_off_and_forgotten_with_the_person(
    digests: DigestsRepository, repos: Repositories, now: datetime
) -> None:
    ana = await _person(repos, now, 1, "Ana")
    due = now + timedelta(days=1)

    on = await digests.set_personal(ana.id, "daily", due, now - timedelta(days=1), now)
    off = await digests.set_personal(ana.id, "off", None, now - timedelta(days=31), now)

    assert (on.frequency, on.next_due_at) == ("daily", due)
    assert (off.id, off.frequency, off.next_due_at) == (on.id, "off", None)
    assert off.covered_until == now - timedelta(days=1)  # never moves back
    data = await PrivacyRepository(repos.db).personal_data(Subject(ana.id, ana.telegram_id))
    assert data["personal_digest"]["frequency"] == "off"
    await digests.record(on.id, keys=["member:1:1"], covered_until=now, now=now)
    assert await PrivacyRepository(repos.db).forget(Subject(ana.id, ana.telegram_id))
    assert await digests.for_person(ana.id) is None
    assert await repos.db.fetch_value("SELECT count(*) FROM digest_sent_items") == 0
