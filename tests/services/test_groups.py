"""The working groups' use cases on a real SQLite file, without Telegram."""

from __future__ import annotations

import pytest

from bot.clock import ManualClock
from bot.groups import ChatMove, NewGroup
from bot.groups.service import GroupsService, Joined, Left, Removal
from bot.presence import ChatSeen, PresenceService, Sender
from config import load_network
from storage import Person, Repositories

SECRETARIAT = 990_001


@pytest.fixture
async def groups(repos: Repositories, clock: ManualClock) -> GroupsService:
    await repos.groups.seed(load_network().groups, clock.now())
    return GroupsService(repos, clock, frozenset({SECRETARIAT}))


async def group_chat(repos: Repositories, clock: ManualClock, chat_id: int) -> int:
    """The chat as the presence step records it before any handler runs."""
    seen = ChatSeen(chat_id, "supergroup", "Working group", None, is_forum=False)
    await PresenceService(repos, clock).record_chat(seen)
    return chat_id


async def person(repos: Repositories, clock: ManualClock, telegram_id: int, name: str) -> Person:
    return await repos.people.upsert_from_telegram(
        telegram_id=telegram_id,
        first_name=name,
        last_name=None,
        username=name.lower(),
        language_code="en",
        private=True,
        now=clock.now(),
    )


async def test_join_then_join_again_then_leave(
    groups: GroupsService, repos: Repositories, clock: ManualClock
) -> None:
    ana = await person(repos, clock, 1, "Ana")
    climate = await groups.find("climate")
    assert climate is not None

    assert await groups.join(climate.id, ana.id, "bot") is Joined.JOINED
    assert await groups.join(climate.id, ana.id, "bot") is Joined.ALREADY_MEMBER
    listing = await groups.listing(ana.id)
    assert listing.mine == {climate.id}
    assert listing.counts[climate.id] == 1

    assert await groups.leave(climate.id, ana.id) is Left.LEFT
    assert await groups.leave(climate.id, ana.id) is Left.NOT_MEMBER
    assert (await groups.listing(ana.id)).mine == frozenset()


async def test_a_coordinator_who_leaves_is_told_they_no_longer_coordinate(
    groups: GroupsService, repos: Repositories, clock: ManualClock
) -> None:
    ana = await person(repos, clock, 1, "Ana")
    climate = await groups.find("Cambio climático")
    assert climate is not None
    assert await groups.appoint(climate.id, ana.id)
    assert not await groups.appoint(climate.id, ana.id)
    assert (await groups.actor(ana)).coordinated == {climate.id}

    assert await groups.leave(climate.id, ana.id) is Left.LEFT_COORDINATING
    assert (await groups.actor(ana)).coordinated == frozenset()


async def test_only_the_secretariat_removes_a_coordinator(
    groups: GroupsService, repos: Repositories, clock: ManualClock
) -> None:
    coordinator = await person(repos, clock, 1, "Ana")
    other = await person(repos, clock, 2, "Leo")
    secretariat = await person(repos, clock, SECRETARIAT, "Sec")
    climate = await groups.find("climate")
    assert climate is not None
    await groups.appoint(climate.id, coordinator.id)
    await groups.appoint(climate.id, other.id)
    by_coordinator = await groups.actor(coordinator)
    by_secretariat = await groups.actor(secretariat)
    assert by_secretariat.secretariat
    assert not by_coordinator.secretariat

    assert await groups.remove(climate.id, other.id, by_coordinator) is Removal.COORDINATOR
    assert await repos.groups.membership(climate.id, other.id) is not None
    assert await groups.remove(climate.id, other.id, by_secretariat) is Removal.REMOVED
    assert await groups.remove(climate.id, other.id, by_secretariat) is Removal.NOT_MEMBER
    membership = await repos.groups.membership(climate.id, other.id)
    assert membership is not None
    assert not membership.current


async def test_a_new_group_is_refused_when_its_name_or_slug_is_taken(
    groups: GroupsService, repos: Repositories
) -> None:
    created = await groups.create(NewGroup(slug="water", name="Water and glaciers", theme="w"))
    assert created is not None
    assert created.name("zh") == "Water and glaciers"
    assert await groups.create(NewGroup(slug="water", name="Other", theme="w")) is None
    assert await groups.create(NewGroup(slug="ice", name="water", theme="w")) is None
    assert await groups.create(NewGroup(slug="ice", name="Climate change", theme="w")) is None
    assert [g.slug for g in await repos.groups.list() if g.slug in ("water", "ice")] == ["water"]


async def test_linking_a_chat_replaces_the_group_linked_there(
    groups: GroupsService, repos: Repositories, clock: ManualClock
) -> None:
    await group_chat(repos, clock, -100_1)
    climate = await groups.find("climate")
    biodiversity = await groups.find("biodiversity")
    assert climate is not None
    assert biodiversity is not None

    first = await groups.link_chat(climate, -100_1, None)
    second = await groups.link_chat(biodiversity, -100_1, None)

    assert first.replaced == ()
    assert [g.slug for g in second.replaced] == ["climate"]
    found = await groups.of_place(-100_1, None)
    assert found is not None
    assert found.slug == "biodiversity"


async def test_joining_and_leaving_a_linked_chat_follows_the_group(
    groups: GroupsService, repos: Repositories, clock: ManualClock
) -> None:
    climate = await groups.find("climate")
    assert climate is not None
    await groups.link_chat(climate, await group_chat(repos, clock, -100_7), None)
    leo = Sender(42, "Leo", None, "leo", "es")

    assert await groups.follow_chat_move(-100_7, leo, ChatMove.JOINED) == 1
    recorded = await repos.people.by_telegram_id(42)
    assert recorded is not None
    assert recorded.started_at is None
    assert (await groups.listing(recorded.id)).mine == frozenset()  # only the policy admits
    await groups.join(climate.id, recorded.id, "chat")

    await groups.follow_chat_move(-100_7, leo, ChatMove.LEFT)
    assert (await groups.listing(recorded.id)).mine == frozenset()
    assert (
        await groups.follow_chat_move(-100_8, Sender(43, "Eve", None, None, None), ChatMove.JOINED)
        == 0
    )
    assert await repos.people.by_telegram_id(43) is None


async def test_only_members_of_its_groups_may_enter_a_linked_chat_by_request(
    groups: GroupsService, repos: Repositories, clock: ManualClock
) -> None:
    climate = await groups.find("climate")
    biodiversity = await groups.find("biodiversity")
    assert climate is not None
    assert biodiversity is not None
    await groups.link_chat(climate, await group_chat(repos, clock, -100_7), None)
    ana = await person(repos, clock, 1, "Ana")
    bob = await person(repos, clock, 2, "Bob")
    await groups.join(climate.id, ana.id, "bot")
    await groups.join(biodiversity.id, bob.id, "bot")

    assert await groups.may_enter_chat(-100_7, 1)
    assert not await groups.may_enter_chat(-100_7, 2)  # a member of another group
    assert not await groups.may_enter_chat(-100_7, 99)  # unknown to the bot
    assert not await groups.may_enter_chat(-100_8, 1)  # a chat linked to no group
    await groups.leave(climate.id, ana.id)
    assert not await groups.may_enter_chat(-100_7, 1)


async def test_a_person_is_found_by_username_or_listed_when_ambiguous(
    groups: GroupsService, repos: Repositories, clock: ManualClock
) -> None:
    await person(repos, clock, 1, "Ana")
    await person(repos, clock, 2, "Anabel")

    assert (await groups.find_person("@ana")).person is not None
    ambiguous = await groups.find_person("an")
    assert ambiguous.person is None
    assert len(ambiguous.candidates) == 2
