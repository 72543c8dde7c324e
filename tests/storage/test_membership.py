"""Membership of working groups: joining, leaving, coordinators, linked chats, who was seen."""

from datetime import datetime, timedelta

import pytest

from config import load_network
from storage import Database, Repositories, WorkingGroup

LANGUAGES = ("en", "es", "zh", "fr")


async def _person(repos: Repositories, telegram_id: int, now: datetime) -> int:
    person = await repos.people.upsert_from_telegram(
        telegram_id=telegram_id,
        first_name=f"P{telegram_id}",
        last_name=None,
        username=None,
        language_code=None,
        private=True,
        now=now,
    )
    return person.id


async def _chat(repos: Repositories, chat_id: int, now: datetime) -> int:
    await repos.chats.upsert(
        chat_id=chat_id, type="supergroup", title="WG", username=None, is_forum=True, now=now
    )
    return chat_id


@pytest.fixture
async def groups(repos: Repositories, now: datetime) -> list[WorkingGroup]:
    await repos.groups.seed(load_network().groups, now)
    return await repos.groups.list()


async def test_join_leave_and_rejoin(
    repos: Repositories, groups: list[WorkingGroup], now: datetime
) -> None:
    climate = groups[0]
    ana = await _person(repos, 1, now)

    assert await repos.groups.join(climate.id, ana, now, "bot")
    assert not await repos.groups.join(climate.id, ana, now + timedelta(hours=1), "link")
    joined = await repos.groups.membership(climate.id, ana)
    assert joined is not None
    assert (joined.role, joined.joined_at, joined.left_at, joined.source) == (
        "member",
        now,
        None,
        "bot",
    )
    assert await repos.groups.member_counts() == {climate.id: 1}

    later = now + timedelta(days=1)
    left = await repos.groups.leave(climate.id, ana, later)
    assert left is not None
    assert left.current
    assert await repos.groups.leave(climate.id, ana, later) is None
    gone = await repos.groups.membership(climate.id, ana)
    assert gone is not None
    assert gone.left_at == later
    assert not gone.current
    assert await repos.groups.member_counts() == {}
    assert await repos.groups.memberships_of(ana) == []

    back = now + timedelta(days=2)
    assert await repos.groups.join(climate.id, ana, back, "chat")
    rejoined = await repos.groups.membership(climate.id, ana)
    assert rejoined is not None
    assert (rejoined.joined_at, rejoined.left_at, rejoined.source) == (back, None, "chat")
    assert [m.group_id for m in await repos.groups.memberships_of(ana)] == [climate.id]


async def test_coordinators_are_appointed_dismissed_and_stop_when_they_leave(
    repos: Repositories, groups: list[WorkingGroup], now: datetime
) -> None:
    climate, biodiversity = groups[0], groups[1]
    ana = await _person(repos, 1, now)
    bob = await _person(repos, 2, now)
    await repos.groups.join(climate.id, bob, now, "bot")

    assert await repos.groups.appoint(climate.id, ana, now)  # not a member yet: joins too
    assert await repos.groups.appoint(climate.id, bob, now)  # a member already
    assert not await repos.groups.appoint(climate.id, bob, now)
    assert await repos.groups.coordinators(climate.id) == [ana, bob]
    appointed = await repos.groups.membership(climate.id, ana)
    assert appointed is not None
    assert (appointed.source, appointed.coordinator) == ("appointed", True)
    assert not await repos.groups.join(climate.id, ana, now, "chat")  # stays coordinator
    assert await repos.groups.coordinators(climate.id) == [ana, bob]

    assert await repos.groups.dismiss(climate.id, bob)
    assert not await repos.groups.dismiss(climate.id, bob)
    assert not await repos.groups.dismiss(biodiversity.id, bob)
    assert await repos.groups.member_counts() == {climate.id: 2}

    left = await repos.groups.leave(climate.id, ana, now)
    assert left is not None
    assert left.role == "coordinator"
    assert await repos.groups.coordinators(climate.id) == []
    assert await repos.groups.join(climate.id, ana, now, "bot")
    assert await repos.groups.coordinated_by(ana) == []


async def test_create_a_group_with_one_name_in_every_language(
    repos: Repositories, groups: list[WorkingGroup], now: datetime
) -> None:
    names = dict.fromkeys(LANGUAGES, "Water & <glaciers>")
    water = await repos.groups.create("water", "hydrology", names, now)

    assert water is not None
    assert (water.slug, water.theme, water.active, water.chat_id) == (
        "water",
        "hydrology",
        True,
        None,
    )
    assert water.names == names
    assert water.description("zh") == ""
    assert await repos.groups.create("water", "again", names, now) is None
    assert [g.slug for g in await repos.groups.list()][-1] == "water"
    with pytest.raises(ValueError, match="names missing"):
        await repos.groups.create("ice", "ice", {"en": "Ice"}, now)


async def test_linking_a_chat_or_topic_unlinks_the_group_there_before(
    repos: Repositories, groups: list[WorkingGroup], now: datetime
) -> None:
    climate, biodiversity, community = groups[0], groups[1], groups[2]
    chat = await _chat(repos, -1001, now)

    assert await repos.groups.link_chat_alone(climate.id, chat, None, now) == []
    assert await repos.groups.link_chat_alone(biodiversity.id, chat, 7, now) == []
    assert await repos.groups.link_chat_alone(community.id, chat, None, now) == [climate.id]
    linked = await repos.groups.linked_to_chat(chat)
    assert [(g.slug, g.topic_id) for g in linked] == [("biodiversity", 7), ("community", None)]
    unlinked = await repos.groups.by_slug("climate")
    assert unlinked is not None
    assert (unlinked.chat_id, unlinked.topic_id) == (None, None)
    assert await repos.groups.linked_to_chat(-999) == []


async def test_seen_in_the_linked_chat_or_topic(
    repos: Repositories, groups: list[WorkingGroup], now: datetime
) -> None:
    climate, biodiversity = groups[0], groups[1]
    chat = await _chat(repos, -1001, now)
    ana = await _person(repos, 1, now)
    await repos.groups.link_chat_alone(climate.id, chat, None, now)
    await repos.groups.link_chat_alone(biodiversity.id, chat, 7, now)

    assert not await repos.groups.record_seen(-2002, None, ana, now)
    assert await repos.groups.record_seen(chat, None, ana, now)
    assert await repos.groups.last_seen_in_chat(climate.id, ana) == now
    assert await repos.groups.last_seen_in_chat(biodiversity.id, ana) is None

    later = now + timedelta(minutes=5)
    assert await repos.groups.record_seen(chat, 7, ana, later)
    assert await repos.groups.last_seen_in_chat(climate.id, ana) == later
    assert await repos.groups.last_seen_in_chat(biodiversity.id, ana) == later


async def test_membership_survives_a_group_chat_becoming_a_supergroup(
    db: Database, repos: Repositories, groups: list[WorkingGroup], now: datetime
) -> None:
    climate = groups[0]
    await repos.chats.upsert(
        chat_id=-5, type="group", title="WG", username=None, is_forum=False, now=now
    )
    await repos.groups.link_chat_alone(climate.id, -5, None, now)

    await repos.chats.migrate(-5, -1005, now)

    assert [g.slug for g in await repos.groups.linked_to_chat(-1005)] == ["climate"]
    assert await db.fetch_value("PRAGMA foreign_key_check") is None
