"""The outbox table: idempotent enqueue, claims in order, outcomes, leases, migration, report."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from storage import Database, Repositories
from storage.outbox import (
    EXPIRED,
    OutboxDocument,
    OutboxPayload,
    OutboxRepository,
    OutgoingMessage,
)

LEASE = timedelta(seconds=60)
ME = "host:1:aaaa"


@pytest.fixture
def outbox(db: Database) -> OutboxRepository:
    return OutboxRepository(db)


def message(
    key: str,
    chat_id: int,
    due_at: datetime,
    *,
    text: str = "Hello",
    person_id: int | None = None,
    expires_at: datetime | None = None,
) -> OutgoingMessage:
    return OutgoingMessage(
        kind="announcement",
        chat_id=chat_id,
        dedupe_key=key,
        payload=OutboxPayload(text=text),
        due_at=due_at,
        person_id=person_id,
        expires_at=expires_at,
    )


async def test_enqueue_twice_is_a_no_op_and_keeps_the_payload(
    outbox: OutboxRepository, now: datetime
) -> None:
    markup = {"inline_keyboard": [[{"text": "Open", "callback_data": "x:1"}]]}
    first = OutgoingMessage(
        kind="reminder",
        chat_id=42,
        message_thread_id=7,
        dedupe_key="reminder:1:2024-05-20:60:42",
        payload=OutboxPayload(
            text="<b>Meeting</b> in 1 hour",
            reply_markup=markup,
            document=OutboxDocument.of("meeting.ics", b"BEGIN:VCALENDAR"),
        ),
        due_at=now,
    )

    assert await outbox.enqueue([first, first], now) == 1
    assert await outbox.enqueue([first], now + timedelta(minutes=5)) == 0

    stored = await outbox.by_key("reminder:1:2024-05-20:60:42")
    assert stored is not None
    assert (stored.kind, stored.chat_id, stored.message_thread_id) == ("reminder", 42, 7)
    assert stored.payload.text == "<b>Meeting</b> in 1 hour"
    assert stored.payload.reply_markup == markup
    assert stored.payload.document is not None
    assert stored.payload.document.content == b"BEGIN:VCALENDAR"
    assert (stored.status, stored.attempts, stored.next_attempt_at) == ("queued", 0, now)


async def test_claim_takes_due_heads_in_due_order_one_per_chat(
    outbox: OutboxRepository, now: datetime
) -> None:
    second = now - timedelta(minutes=1)
    first = now - timedelta(minutes=2)
    await outbox.enqueue(
        [
            message("a2", 1, second),
            message("a1", 1, first),
            message("b1", 2, second),
            message("c-later", 3, now + timedelta(hours=1)),
        ],
        now,
    )

    claimed = await outbox.claim(now, ME, 10, lease=LEASE)

    assert [row.dedupe_key for row in claimed] == ["a1", "b1"]
    assert all(row.status == "sending" and row.claimed_by == ME for row in claimed)
    assert await outbox.claim(now, "other", 10, lease=LEASE) == []
    await outbox.mark_sent(claimed[0].id, 501, now)
    again = await outbox.claim(now, ME, 10, lease=LEASE)
    assert [row.dedupe_key for row in again] == ["a2"]


async def test_claim_respects_the_limit_and_excluded_chats(
    outbox: OutboxRepository, now: datetime
) -> None:
    await outbox.enqueue([message(f"m{chat}", chat, now) for chat in range(1, 6)], now)

    claimed = await outbox.claim(now, ME, 2, lease=LEASE, exclude_chats={1, 3})

    assert [row.chat_id for row in claimed] == [2, 4]


async def test_a_stale_claim_is_taken_again_a_fresh_one_is_not(
    outbox: OutboxRepository, now: datetime
) -> None:
    await outbox.enqueue([message("m", 1, now)], now)
    [row] = await outbox.claim(now, "dead-sender", 5, lease=LEASE)

    assert await outbox.claim(now + timedelta(seconds=59), ME, 5, lease=LEASE) == []
    [again] = await outbox.claim(now + timedelta(seconds=61), ME, 5, lease=LEASE)

    assert again.id == row.id
    assert again.claimed_by == ME
    assert not await outbox.mark_failed(row.id, "dead-sender", "late", now)


async def test_reschedule_waits_and_keeps_the_chat_in_order(
    outbox: OutboxRepository, now: datetime
) -> None:
    await outbox.enqueue([message("first", 1, now), message("second", 1, now)], now)
    [first] = await outbox.claim(now, ME, 5, lease=LEASE)

    later = now + timedelta(seconds=3)
    assert await outbox.reschedule(first.id, ME, later, "429: retry after 3 s", now)

    assert await outbox.claim(now, ME, 5, lease=LEASE) == []
    assert await outbox.next_attempt_after(now) == later
    [retried] = await outbox.claim(later, ME, 5, lease=LEASE)
    assert retried.dedupe_key == "first"
    assert (retried.attempts, retried.last_error) == (1, "429: retry after 3 s")


async def test_unreachable_marks_the_person_and_failed_keeps_the_reason(
    outbox: OutboxRepository, repos: Repositories, now: datetime
) -> None:
    person = await repos.people.upsert_from_telegram(
        telegram_id=4242,
        first_name="Ana",
        last_name=None,
        username=None,
        language_code="es",
        private=True,
        now=now,
    )
    await outbox.enqueue(
        [message("blocked", 4242, now, person_id=person.id), message("bad", -100, now)], now
    )
    blocked, bad = await outbox.claim(now, ME, 5, lease=LEASE)

    await outbox.mark_unreachable(blocked.id, ME, "403: bot was blocked by the user", now)
    await outbox.mark_failed(bad.id, ME, "400: can't parse entities", now)

    refreshed = await repos.people.get(person.id)
    assert refreshed is not None
    assert not refreshed.reachable
    stored = await outbox.get(bad.id)
    assert stored is not None
    assert (stored.status, stored.last_error, stored.attempts) == (
        "failed",
        "400: can't parse entities",
        1,
    )


async def test_retarget_moves_only_pending_rows(outbox: OutboxRepository, now: datetime) -> None:
    await outbox.enqueue([message(f"g{i}", -5, now) for i in range(3)], now)
    [head] = await outbox.claim(now, ME, 5, lease=LEASE)
    await outbox.mark_sent(head.id, 1, now)

    moved = await outbox.retarget(-5, -1005, now)

    assert moved == 2
    assert [row.dedupe_key for row in await outbox.for_chat(-1005)] == ["g1", "g2"]
    assert [row.dedupe_key for row in await outbox.for_chat(-5)] == ["g0"]


async def test_release_puts_claims_back_without_counting_an_attempt(
    outbox: OutboxRepository, now: datetime
) -> None:
    await outbox.enqueue([message("m1", 1, now), message("m2", 2, now)], now)
    await outbox.claim(now, "dead:1:x", 1, lease=LEASE)
    await outbox.claim(now, ME, 1, lease=LEASE)

    assert await outbox.claimants() == ["dead:1:x", ME]
    assert await outbox.release(["dead:1:x"], now) == 1

    assert await outbox.claimants() == [ME]
    stored = await outbox.by_key("m1")
    assert stored is not None
    assert (stored.status, stored.attempts, stored.claimed_by) == ("queued", 0, None)


async def test_an_expired_row_fails_instead_of_going_late(
    outbox: OutboxRepository, now: datetime
) -> None:
    await outbox.enqueue([message("late", 1, now, expires_at=now + timedelta(minutes=5))], now)

    assert await outbox.claim(now + timedelta(minutes=6), ME, 5, lease=LEASE) == []

    stored = await outbox.by_key("late")
    assert stored is not None
    assert (stored.status, stored.last_error) == ("failed", EXPIRED)


async def test_summary_counts_per_kind_and_status_and_lists_latest_errors(
    outbox: OutboxRepository, now: datetime
) -> None:
    await outbox.enqueue([message(f"m{i}", i, now) for i in range(1, 5)], now)
    later = now + timedelta(days=1)
    await outbox.enqueue(
        [
            OutgoingMessage(
                kind="digest",
                chat_id=-7,
                dedupe_key="digest",
                payload=OutboxPayload(text="Digest"),
                due_at=later,
            )
        ],
        now,
    )
    rows = await outbox.claim(now, ME, 3, lease=LEASE)
    await outbox.mark_sent(rows[0].id, 10, now)
    await outbox.mark_failed(rows[1].id, ME, "400: first", now + timedelta(seconds=1))
    await outbox.mark_unreachable(rows[2].id, ME, "403: second", now + timedelta(seconds=2))

    summary = await outbox.summary(errors=5)

    assert summary.counts == {
        "announcement": {"queued": 1, "sent": 1, "failed": 1, "unreachable": 1},
        "digest": {"queued": 1},
    }
    assert summary.count(status="queued") == 2
    assert summary.count(kind="announcement") == 4
    assert [error.error for error in summary.latest_errors] == ["403: second", "400: first"]
    assert summary.next_due == now
