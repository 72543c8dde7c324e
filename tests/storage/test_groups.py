"""GroupsRepository: seeding from the network file, texts, coordinators."""

import sqlite3
from datetime import datetime, timedelta

import pytest

from config import GroupSeed, load_network
from storage import Database, Repositories, SeedReport, to_db

LANGUAGES = ("en", "es", "zh", "fr")


def _seed(slug: str = "climate", suffix: str = "") -> GroupSeed:
    return GroupSeed(
        slug=slug,
        theme="climate change",
        names={lang: f"{slug} name {lang}{suffix}" for lang in LANGUAGES},
        descriptions={lang: f"{slug} description {lang}{suffix}" for lang in LANGUAGES},
    )


async def _add_member(
    db: Database, group_id: int, telegram_id: int, role: str, now: datetime, *, left: bool = False
) -> int:
    stamp = to_db(now)
    async with db.transaction() as conn:
        cursor = await conn.execute(
            "INSERT INTO people (telegram_id, first_name, created_at, updated_at)"
            " VALUES (?, 'P', ?, ?)",
            (telegram_id, stamp, stamp),
        )
        person_id = cursor.lastrowid
        await conn.execute(
            "INSERT INTO group_members (group_id, person_id, role, joined_at, left_at)"
            " VALUES (?, ?, ?, ?, ?)",
            (group_id, person_id, role, stamp, stamp if left else None),
        )
    assert person_id is not None
    return person_id


async def test_seed_from_the_shipped_network_is_idempotent(
    repos: Repositories, now: datetime
) -> None:
    network = load_network()
    assert await repos.groups.seed(network.groups, now) == SeedReport(added=4)
    assert await repos.groups.seed(network.groups, now) == SeedReport()

    groups = await repos.groups.list()
    assert [g.slug for g in groups] == ["climate", "biodiversity", "community", "socioeconomics"]
    for group in groups:
        assert set(group.names) == set(LANGUAGES) == set(group.descriptions)
        assert group.active
        assert group.chat_id is None
    climate = await repos.groups.by_slug("climate")
    assert climate is not None
    assert climate.name("es") == "Cambio climático"
    assert climate.name("zh") == "气候变化"


async def test_seed_updates_unedited_texts_but_keeps_edited_ones(
    repos: Repositories, now: datetime
) -> None:
    await repos.groups.seed([_seed()], now)
    group = await repos.groups.by_slug("climate")
    assert group is not None
    await repos.groups.edit_text(group.id, "fr", "Climat (nom choisi)", "Notre texte.", now)

    report = await repos.groups.seed([_seed(suffix=" v2")], now + timedelta(days=1))

    assert report == SeedReport(added=0, updated=3, kept=1)
    group = await repos.groups.by_slug("climate")
    assert group is not None
    assert group.names["fr"] == "Climat (nom choisi)"
    assert group.descriptions["fr"] == "Notre texte."
    assert group.names["en"] == "climate name en v2"
    assert group.description("es") == "climate description es v2"
    assert await repos.groups.seed([_seed(suffix=" v2")], now) == SeedReport(kept=1)


async def test_seed_leaves_other_fields_alone(
    db: Database, repos: Repositories, now: datetime
) -> None:
    await repos.groups.seed([_seed()], now)
    async with db.transaction() as conn:
        await conn.execute(
            "UPDATE working_groups SET theme = 'edited', timezone = 'Asia/Kathmandu', active = 0"
        )
    await repos.groups.seed([_seed()], now)
    assert await repos.groups.list() == []
    (group,) = await repos.groups.list(active_only=False)
    assert (group.theme, group.timezone, group.active) == ("edited", "Asia/Kathmandu", False)


async def test_edit_text_refuses_unknown_language(repos: Repositories, now: datetime) -> None:
    await repos.groups.seed([_seed()], now)
    group = await repos.groups.by_slug("climate")
    assert group is not None
    with pytest.raises(ValueError, match="language"):
        await repos.groups.edit_text(group.id, "de", "Klima", "Text", now)


async def test_name_falls_back(repos: Repositories, now: datetime) -> None:
    await repos.groups.seed([_seed()], now)
    group = await repos.groups.by_slug("climate")
    assert group is not None
    assert group.name("pt") == "climate name en"
    assert group.description("pt", fallback="es") == "climate description es"
    assert await repos.groups.by_slug("nope") is None


async def test_coordinators_and_members(db: Database, repos: Repositories, now: datetime) -> None:
    await repos.groups.seed([_seed("climate"), _seed("biodiversity")], now)
    climate = await repos.groups.by_slug("climate")
    biodiversity = await repos.groups.by_slug("biodiversity")
    assert climate is not None
    assert biodiversity is not None
    coordinator = await _add_member(db, climate.id, 1, "coordinator", now)
    member = await _add_member(db, climate.id, 2, "member", now)
    former = await _add_member(db, climate.id, 3, "coordinator", now, left=True)

    assert await repos.groups.coordinators(climate.id) == [coordinator]
    assert await repos.groups.coordinators(biodiversity.id) == []
    assert await repos.groups.is_coordinator(coordinator)
    assert await repos.groups.is_coordinator(coordinator, climate.id)
    assert not await repos.groups.is_coordinator(coordinator, biodiversity.id)
    assert not await repos.groups.is_coordinator(member)
    assert not await repos.groups.is_coordinator(former)
    assert await repos.groups.member_count(climate.id) == 2
    assert await repos.groups.member_count(biodiversity.id) == 0


async def test_the_group_list_is_read_again_after_any_commit(
    repos: Repositories, db: Database, now: datetime
) -> None:
    await repos.groups.seed([_seed("climate")], now)
    first = await repos.groups.list()
    assert first[0].chat_id is None
    assert await repos.groups.list() == first  # nothing committed: the same list, kept

    await _chat(repos, -100123, now)
    await repos.groups.link_chat(first[0].id, -100123, None, now)  # this process's writer
    assert (await repos.groups.list())[0].chat_id == -100123

    other = sqlite3.connect(db.path)  # another process (an operator's command) writes
    with other:
        other.execute("UPDATE working_groups SET active = 0 WHERE id = ?", (first[0].id,))
    other.close()
    assert await repos.groups.list() == []
    assert [g.active for g in await repos.groups.list(active_only=False)] == [False]


async def test_inside_a_unit_of_work_the_group_list_sees_its_own_writes(
    repos: Repositories, now: datetime
) -> None:
    await repos.groups.seed([_seed("climate")], now)
    group = (await repos.groups.list())[0]
    await _chat(repos, -100456, now)
    async with repos.unit() as uow:
        await uow.groups.link_chat(group.id, -100456, None, now)
        assert (await uow.groups.list())[0].chat_id == -100456
    assert (await repos.groups.list())[0].chat_id == -100456


async def _chat(repos: Repositories, chat_id: int, now: datetime) -> None:
    await repos.chats.upsert(
        chat_id=chat_id, type="supergroup", title="WG", username=None, is_forum=False, now=now
    )
