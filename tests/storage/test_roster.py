"""The roster's queries on a real SQLite file: members with profiles, memberships, who is in."""

from __future__ import annotations

from datetime import datetime, timedelta

from config import load_network
from storage import Person, Repositories


async def _person(repos: Repositories, telegram_id: int, name: str, now: datetime) -> Person:
    return await repos.people.upsert_from_telegram(
        telegram_id=telegram_id,
        first_name=name,
        last_name=None,
        username=name.lower(),
        language_code="en",
        private=True,
        now=now,
    )


async def _group_ids(repos: Repositories) -> dict[str, int]:
    await repos.groups.seed(load_network().groups, datetime.fromisoformat("2024-01-01T00:00Z"))
    return {group.slug: group.id for group in await repos.groups.list()}


async def test_members_are_current_members_with_their_profile_and_role(
    repos: Repositories, now: datetime
) -> None:
    groups = await _group_ids(repos)
    ana = await _person(repos, 1, "Ana", now)
    leo = await _person(repos, 2, "Leo", now)
    gone = await _person(repos, 3, "Gone", now)
    await repos.people.update_profile(
        ana.id, now, country="PE", reserve="Huascarán", role="researcher"
    )
    await repos.groups.add_member(groups["climate"], ana.id, "coordinator", now)
    await repos.groups.add_member(groups["climate"], leo.id, "member", now + timedelta(days=1))
    await repos.groups.add_member(groups["climate"], gone.id, "member", now)
    await repos.groups.add_member(groups["biodiversity"], leo.id, "member", now)
    async with repos.db.transaction() as conn:
        await conn.execute(
            "UPDATE group_members SET left_at = joined_at WHERE person_id = ?", (gone.id,)
        )

    members = await repos.roster.members(groups["climate"])

    by_name = {m.person.name: m for m in members}
    assert set(by_name) == {"Ana", "Leo"}
    assert by_name["Ana"].coordinator
    assert not by_name["Leo"].coordinator
    assert by_name["Ana"].person.country == "PE"
    assert by_name["Ana"].person.reserve == "Huascarán"
    assert by_name["Ana"].person.role == "researcher"
    assert by_name["Leo"].joined_at == now + timedelta(days=1)
    assert await repos.roster.members(groups["community"]) == []


async def test_memberships_group_ids_and_is_member_skip_left_and_inactive_groups(
    repos: Repositories, now: datetime
) -> None:
    groups = await _group_ids(repos)
    ana = await _person(repos, 1, "Ana", now)
    leo = await _person(repos, 2, "Leo", now)
    loner = await _person(repos, 3, "Loner", now)
    for slug in ("climate", "biodiversity", "community"):
        await repos.groups.add_member(groups[slug], ana.id, "member", now)
    await repos.groups.add_member(groups["socioeconomics"], leo.id, "coordinator", now)
    async with repos.db.transaction() as conn:
        await conn.execute("UPDATE working_groups SET active = 0 WHERE slug = 'community'")
        await conn.execute(
            "UPDATE group_members SET left_at = joined_at WHERE person_id = ? AND group_id = ?",
            (ana.id, groups["biodiversity"]),
        )

    assert await repos.roster.group_ids_of(ana.id) == [groups["climate"]]
    assert await repos.roster.group_ids_of(loner.id) == []
    assert await repos.roster.is_member(ana.id, groups["climate"])
    assert not await repos.roster.is_member(ana.id, groups["biodiversity"])
    every = await repos.roster.memberships()
    assert [(m.person_id, m.group_id, m.role) for m in every] == [
        (ana.id, groups["climate"], "member"),
        (leo.id, groups["socioeconomics"], "coordinator"),
    ]
    assert [m.person_id for m in await repos.roster.memberships([leo.id, loner.id])] == [leo.id]
    assert await repos.roster.memberships([]) == []
    assert [p.name for p in await repos.roster.network_members()] == ["Ana", "Leo"]
