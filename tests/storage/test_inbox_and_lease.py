"""The update inbox and the database lease, against a real SQLite file."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.clock import SystemClock
from bot.inbox import Inbox
from bot.processing import ChatOrderedUpdateProcessor, Flooding
from storage import Database
from storage.inbox import InboxRepository, InboxUpdate
from storage.lease import Lease, LeaseRepository
from storage.privacy import PrivacyRepository, Subject


def _update(update_id: int, sender: int | None = 1001) -> InboxUpdate:
    return InboxUpdate(update_id, sender, f'{{"update_id": {update_id}, "text": "hola"}}')


async def test_stored_updates_are_pending_until_handled_then_keep_no_content(
    db: Database, now: datetime
) -> None:
    inbox = InboxRepository(db)
    await inbox.store(
        [_update(10), _update(11), InboxUpdate(12, None, None)], now, confirmed_below=None
    )

    assert await inbox.known([9, 10, 11, 12, 13]) == {10, 11, 12}
    assert [update_id for update_id, _ in await inbox.pending()] == [10, 11]

    await inbox.mark_handled([10], now)

    assert [update_id for update_id, _ in await inbox.pending()] == [11]
    row = await db.fetch_one(
        "SELECT sender_id, payload, handled_at FROM update_inbox WHERE update_id = 10"
    )
    assert row is not None
    assert row["sender_id"] is None
    assert row["payload"] is None
    assert row["handled_at"] is not None


async def test_handled_rows_are_deleted_once_telegram_confirmed_them(
    db: Database, now: datetime
) -> None:
    inbox = InboxRepository(db)
    await inbox.store([_update(10), _update(11)], now, confirmed_below=None)
    await inbox.mark_handled([10, 11], now)

    await inbox.store([_update(12)], now, confirmed_below=11)

    assert await inbox.known([10, 11, 12]) == {11, 12}  # 11 is not confirmed yet
    assert await inbox.counts() == (1, 1)


async def test_mydata_shows_and_forgetme_clears_what_a_person_sent_and_is_not_handled(
    db: Database, now: datetime
) -> None:
    inbox = InboxRepository(db)
    await inbox.store([_update(10, 1001), _update(11, 1002)], now, confirmed_below=None)
    privacy = PrivacyRepository(db)

    data = await privacy.personal_data(Subject(1, 1001))
    assert [row["update_id"] for row in data["updates_in_hand"]] == [10]
    assert data["updates_in_hand"][0]["payload"] == {"update_id": 10, "text": "hola"}

    async with db.transaction() as conn:
        await conn.execute(
            "INSERT INTO people (id, telegram_id, first_name, created_at, updated_at)"
            " VALUES (1, 1001, 'Ana', '2024-05-17T09:30:00.000000Z', '2024-05-17T09:30:00.000000Z')"
        )
    assert await privacy.forget(Subject(1, 1001)) is True

    assert [update_id for update_id, _ in await inbox.pending()] == [11]
    assert await inbox.known([10]) == {10}  # delivered again, it is still recognised
    assert (await privacy.personal_data(Subject(1, 1001)))["updates_in_hand"] == []


def _lease(holder: str, at: datetime, host: str = "elsewhere", pid: int = 4242) -> Lease:
    return Lease(holder, host, pid, at, at)


async def test_the_lease_refuses_a_second_bot_while_the_holder_is_alive(
    db: Database, now: datetime
) -> None:
    leases = LeaseRepository(db)
    assert await leases.take(_lease("a", now), stale_before=now, gone=lambda _: False) is None

    soon = now + timedelta(seconds=5)
    held = await leases.take(
        _lease("b", soon), stale_before=soon - timedelta(seconds=30), gone=lambda _: False
    )

    assert held is not None
    assert held.holder == "a"
    assert await leases.renew("a", now + timedelta(seconds=5)) is True
    assert await leases.renew("b", now + timedelta(seconds=5)) is False


async def test_the_lease_is_taken_over_when_stale_or_when_the_holder_is_gone(
    db: Database, now: datetime
) -> None:
    leases = LeaseRepository(db)
    await leases.take(_lease("a", now), stale_before=now, gone=lambda _: False)
    later = now + timedelta(seconds=31)

    stale = await leases.take(
        _lease("b", later), stale_before=later - timedelta(seconds=30), gone=lambda _: False
    )
    assert stale is None
    assert (await leases.current() or _lease("?", now)).holder == "b"

    gone = await leases.take(
        _lease("c", later), stale_before=now, gone=lambda held: held.holder == "b"
    )
    assert gone is None
    assert await leases.renew("b", later) is False  # b learns it lost the lease
    await leases.release("c")
    assert await leases.current() is None


def _telegram_update(update_id: int, chat_id: int = 1001) -> dict[str, object]:
    person = {"id": chat_id, "is_bot": False, "first_name": "Ana", "language_code": "es"}
    chat = {"id": chat_id, "type": "private", "first_name": "Ana"}
    message = {"message_id": update_id, "date": 0, "chat": chat, "from": person, "text": "hola"}
    return {"update_id": update_id, "message": message}


async def test_an_update_delivered_again_is_recognised_and_not_handled_twice(
    db: Database,
) -> None:
    processor = ChatOrderedUpdateProcessor()
    inbox = Inbox(db, SystemClock(), processor)
    batch = [_telegram_update(7), _telegram_update(8)]

    first = await inbox.take_in(batch, offset=None)
    again = await inbox.take_in(batch, offset=None)  # killed before the next getUpdates

    assert [update["update_id"] for update in first] == [7, 8]
    assert again == []
    assert inbox.confirm_from == 9
    restarted = Inbox(db, SystemClock(), ChatOrderedUpdateProcessor())
    assert [update["update_id"] for update in await restarted.replay()] == [7, 8]
    restarted.handled(7)
    await restarted.flush()
    assert [update_id for update_id, _ in await InboxRepository(db).pending()] == [8]
    assert await restarted.take_in([_telegram_update(7), _telegram_update(9)], offset=7) == [
        _telegram_update(9)
    ]


async def test_a_flood_beyond_the_chats_share_is_dropped_unstored_and_told_once(
    db: Database,
) -> None:
    told: list[Flooding] = []
    processor = ChatOrderedUpdateProcessor(per_chat=3, on_flood=told.append)
    inbox = Inbox(db, SystemClock(), processor)

    kept = await inbox.take_in([_telegram_update(i) for i in range(1, 11)], offset=None)

    assert [update["update_id"] for update in kept] == [1, 2, 3]
    assert told == [Flooding(1001, 1001, "es")]
    assert await InboxRepository(db).counts() == (3, 0)
    assert inbox.in_hand == 3
    assert inbox.confirm_from == 11  # the dropped ones are confirmed too: done with
