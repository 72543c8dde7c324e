"""ChatsRepository, including a group's migration to a supergroup."""

from datetime import datetime, timedelta

from storage import Database, Repositories, to_db

OLD, NEW = -4001, -1004001


async def _link_group(db: Database, slug: str, chat_id: int, now: datetime) -> None:
    stamp = to_db(now)
    async with db.transaction() as conn:
        await conn.execute(
            "INSERT INTO working_groups (slug, theme, chat_id, created_at, updated_at)"
            " VALUES (?, 'theme', ?, ?, ?)",
            (slug, chat_id, stamp, stamp),
        )


async def _group_chat_id(db: Database, slug: str) -> int | None:
    value = await db.fetch_value("SELECT chat_id FROM working_groups WHERE slug = ?", (slug,))
    return None if value is None else int(value)


async def test_upsert_round_trip(repos: Repositories, now: datetime) -> None:
    chat = await repos.chats.upsert(
        chat_id=OLD, type="group", title="Andes", username=None, is_forum=False, now=now
    )
    assert (chat.id, chat.type, chat.title, chat.is_forum) == (OLD, "group", "Andes", False)
    assert chat.migrated_to is None
    assert chat.bot_status is None
    assert await repos.chats.get(OLD) == chat
    assert await repos.chats.get(12345) is None


async def test_upsert_keeps_the_bots_own_settings(
    db: Database, repos: Repositories, now: datetime
) -> None:
    await repos.chats.upsert(
        chat_id=OLD, type="group", title="Andes", username=None, is_forum=False, now=now
    )
    async with db.transaction() as conn:
        await conn.execute("UPDATE chats SET language = 'es' WHERE id = ?", (OLD,))
    chat = await repos.chats.upsert(
        chat_id=OLD, type="group", title="Andes WG", username="andes", is_forum=True, now=now
    )
    assert (chat.title, chat.username, chat.is_forum, chat.language) == (
        "Andes WG",
        "andes",
        True,
        "es",
    )


async def test_bot_status(repos: Repositories, now: datetime) -> None:
    await repos.chats.upsert(
        chat_id=OLD, type="group", title="Andes", username=None, is_forum=False, now=now
    )
    await repos.chats.set_bot_status(OLD, "administrator", now)
    chat = await repos.chats.get(OLD)
    assert chat is not None
    assert chat.bot_status == "administrator"
    await repos.chats.set_bot_status(OLD, None, now)
    chat = await repos.chats.get(OLD)
    assert chat is not None
    assert chat.bot_status is None


async def test_migration_moves_a_linked_group(
    db: Database, repos: Repositories, now: datetime
) -> None:
    await repos.chats.upsert(
        chat_id=OLD, type="group", title="Andes", username=None, is_forum=False, now=now
    )
    async with db.transaction() as conn:
        await conn.execute("UPDATE chats SET timezone = 'America/Lima' WHERE id = ?", (OLD,))
    await _link_group(db, "climate", OLD, now)

    await repos.chats.migrate(OLD, NEW, now + timedelta(seconds=1))

    assert await _group_chat_id(db, "climate") == NEW
    new = await repos.chats.get(NEW)
    assert new is not None
    assert (new.type, new.title, new.timezone, new.migrated_to) == (
        "supergroup",
        "Andes",
        "America/Lima",
        None,
    )
    old = await repos.chats.get(OLD)
    assert old is not None
    assert old.migrated_to == NEW


async def test_migration_when_the_supergroup_was_already_seen(
    db: Database, repos: Repositories, now: datetime
) -> None:
    await repos.chats.upsert(
        chat_id=OLD, type="group", title="Old title", username=None, is_forum=False, now=now
    )
    async with db.transaction() as conn:
        await conn.execute("UPDATE chats SET language = 'fr' WHERE id = ?", (OLD,))
    await _link_group(db, "biodiversity", OLD, now)
    await repos.chats.upsert(
        chat_id=NEW, type="supergroup", title="New title", username=None, is_forum=True, now=now
    )

    await repos.chats.migrate(OLD, NEW, now)

    assert await _group_chat_id(db, "biodiversity") == NEW
    new = await repos.chats.get(NEW)
    assert new is not None
    assert (new.title, new.is_forum, new.language) == ("New title", True, "fr")


async def test_migration_of_an_unseen_group(repos: Repositories, now: datetime) -> None:
    await repos.chats.migrate(OLD, NEW, now)
    old, new = await repos.chats.get(OLD), await repos.chats.get(NEW)
    assert old is not None
    assert new is not None
    assert old.migrated_to == NEW
    assert new.type == "supergroup"
