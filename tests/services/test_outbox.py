"""The outbox service at storage speed: queueing inside a unit of work (the sender woken only
after the commit), retention, and what /forgetme leaves of the rows still held."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest

from bot.clock import ManualClock
from bot.outbox import NotInUnitError, OutboxRetention, OutboxService
from bot.outbox import service as outbox_service
from config import SettingsError, load_settings
from storage import Repositories
from storage.outbox import OutboxPayload, OutboxStatus, OutgoingMessage

from .conftest import START

ANA = 5001
GROUP_CHAT = -100777


class Wakes:
    """Counts the sender's wake-ups (what the runtime would be told)."""

    def __init__(self) -> None:
        self.count = 0

    def wake(self) -> None:
        self.count += 1


@pytest.fixture
def wakes() -> Wakes:
    return Wakes()


@pytest.fixture
def outbox(repos: Repositories, clock: ManualClock, wakes: Wakes) -> OutboxService:
    return OutboxService(repos, clock, wakes)


def message(key: str, text: str, chat_id: int = GROUP_CHAT, **extra: object) -> OutgoingMessage:
    return OutgoingMessage.model_validate(
        {
            "kind": "announcement",
            "chat_id": chat_id,
            "dedupe_key": key,
            "payload": OutboxPayload(text=text),
            "due_at": START,
            **extra,
        }
    )


async def ana(repos: Repositories) -> int:
    person = await repos.people.upsert_from_telegram(
        telegram_id=ANA,
        first_name="Ana",
        last_name="Quispe",
        username="anaq",
        language_code="es",
        private=True,
        now=START,
    )
    return person.id


async def finish(repos: Repositories, key: str, status: OutboxStatus, at: datetime) -> None:
    """Claim the row and give it a final status at ``at``, as the sender does."""
    row = await repos.outbox.by_key(key)
    assert row is not None
    claimed = await repos.outbox.claim(START, "test:1:x", 100, lease=timedelta(seconds=60))
    assert row.id in [other.id for other in claimed]
    if status == "sent":
        await repos.outbox.mark_sent(row.id, 42, at)
    elif status == "unreachable":
        await repos.outbox.mark_unreachable(row.id, "test:1:x", "403: Forbidden", at)
    else:
        await repos.outbox.mark_failed(row.id, "test:1:x", "400: Bad Request", at)
    await repos.outbox.release(["test:1:x"], START)


# queueing with the change that causes it


async def test_rows_queued_in_a_unit_commit_with_it_and_wake_the_sender_only_after(
    repos: Repositories, outbox: OutboxService, wakes: Wakes
) -> None:
    person_id = await ana(repos)
    async with repos.unit() as uow:
        await uow.people.set_timezone(person_id, "America/Lima", START)
        added = await outbox.enqueue(uow, [message("a:1", "Hello"), message("a:1", "Hello")])
        assert (added, wakes.count) == (1, 0)  # not before the commit: the row is not there yet

    assert wakes.count == 1
    row = await repos.outbox.by_key("a:1")
    assert row is not None
    assert (row.status, row.payload.text) == ("queued", "Hello")


async def test_a_unit_that_fails_after_queueing_leaves_neither_the_change_nor_the_rows(
    repos: Repositories, outbox: OutboxService, wakes: Wakes
) -> None:
    person_id = await ana(repos)

    async def change_and_queue_then_fail() -> None:
        async with repos.unit() as uow:
            await uow.people.set_timezone(person_id, "America/Lima", START)
            await outbox.enqueue(uow, [message("a:1", "Hello")])
            raise RuntimeError("the change failed")

    with pytest.raises(RuntimeError, match="the change failed"):
        await change_and_queue_then_fail()

    person = await repos.people.get(person_id)
    assert person is not None
    assert person.timezone is None
    assert await repos.outbox.by_key("a:1") is None
    assert wakes.count == 0


async def test_enqueue_outside_a_unit_is_refused_and_stores_nothing(
    repos: Repositories, outbox: OutboxService
) -> None:
    with pytest.raises(NotInUnitError):
        await outbox.enqueue(repos, [message("a:1", "Hello")])

    assert await repos.outbox.by_key("a:1") is None


async def test_send_queues_in_a_unit_of_its_own_and_wakes_once(
    repos: Repositories, outbox: OutboxService, wakes: Wakes
) -> None:
    assert await outbox.send([message("a:1", "One"), message("a:2", "Two")]) == 2
    assert await outbox.send([message("a:1", "One")]) == 0  # known key: nothing new, no wake

    assert wakes.count == 1
    assert (await outbox.summary()).count(status="queued") == 2


# retention


async def test_prune_deletes_only_final_rows_older_than_the_retention(
    repos: Repositories, outbox: OutboxService, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(outbox_service, "PRUNE_BATCH", 2)  # several batches
    old = START - timedelta(days=91)
    recent = START - timedelta(days=89)
    statuses: list[tuple[str, OutboxStatus, datetime]] = [
        ("old-sent", "sent", old),
        ("old-unreachable", "unreachable", old),
        ("old-failed", "failed", old),
        ("old-sent-2", "sent", old),
        ("old-sent-3", "sent", old),
        ("recent-sent", "sent", recent),
    ]
    for number, (key, status, at) in enumerate(statuses):
        await outbox.send([message(key, key, chat_id=6000 + number)])
        await finish(repos, key, status, at)
    await outbox.send([message("old-but-queued", "Later", chat_id=7000)])

    assert await outbox.prune(START) == 5

    left = {key for key in ("recent-sent", "old-but-queued") if await repos.outbox.by_key(key)}
    assert left == {"recent-sent", "old-but-queued"}
    assert (await outbox.summary()).count() == 2


async def test_the_retention_comes_from_the_settings_and_refuses_less_than_a_day(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WNMRC_OUTBOX_RETENTION_DAYS", "30")
    assert load_settings(database_path=tmp_path / "x.sqlite3").outbox_retention_days == 30
    monkeypatch.delenv("WNMRC_OUTBOX_RETENTION_DAYS")
    assert load_settings(database_path=tmp_path / "x.sqlite3").outbox_retention_days == 90

    monkeypatch.setenv("WNMRC_OUTBOX_RETENTION_DAYS", "0")
    with pytest.raises(SettingsError) as refused:
        load_settings(database_path=tmp_path / "x.sqlite3")
    assert "\n" not in str(refused.value)
    assert "outbox_retention_days" in str(refused.value).lower().replace("wnmrc_", "")


async def test_retention_is_due_work_that_runs_at_start_then_every_few_hours(
    repos: Repositories, outbox: OutboxService
) -> None:
    await outbox.send([message("old", "Old")])
    await finish(repos, "old", "sent", START - timedelta(days=100))
    retention = OutboxRetention(outbox)

    assert await retention.next_due(START) == START
    await retention.run_due(START)

    assert await repos.outbox.by_key("old") is None
    assert await retention.next_due(START) == START + timedelta(hours=6)


# /forgetme


async def test_forget_deletes_the_persons_messages_and_blanks_their_name_elsewhere(
    repos: Repositories, outbox: OutboxService
) -> None:
    person_id = await ana(repos)
    await outbox.send(
        [
            message("to-ana", "Your digest", chat_id=ANA, person_id=person_id),
            message("digest", "<b>New members</b>\n• <b>Ana Quispe</b> — Cordillera Alta · Peru"),
            message("signed", "<b>📣 News</b>\n\nSee you.\n\n— <i>Ana Quispe</i>", chat_id=-2),
            message("handle", "Ask @anaq or Anabel Quispel", chat_id=-3),
            message("other", "• <b>Li Wei</b> — China", chat_id=-4),
        ]
    )
    await finish(repos, "signed", "sent", START)

    forgotten = await outbox.forget(person_id, ["Ana Quispe", "@anaq"])

    assert (forgotten.deleted, forgotten.redacted) == (1, 3)
    assert await repos.outbox.by_key("to-ana") is None
    texts = {}
    for key in ("digest", "signed", "handle", "other"):
        row = await repos.outbox.by_key(key)
        assert row is not None
        texts[key] = row.payload.text
    assert texts == {
        "digest": "<b>New members</b>\n• <b>[…]</b> — Cordillera Alta · Peru",
        "signed": "<b>📣 News</b>\n\nSee you.\n\n— <i>[…]</i>",
        "handle": "Ask […] or Anabel Quispel",
        "other": "• <b>Li Wei</b> — China",
    }
    signed = await repos.outbox.by_key("signed")
    assert signed is not None
    assert (signed.status, signed.telegram_message_id) == ("sent", 42)


async def test_forget_finds_a_name_stored_escaped_and_never_touches_markup(
    repos: Repositories, outbox: OutboxService
) -> None:
    await outbox.send([message("escaped", "• <b>Li &lt;b&gt;Wei&lt;/b&gt;</b> — China")])

    forgotten = await outbox.forget(999, ["Li <b>Wei</b>", "b"])

    assert forgotten.redacted == 1
    row = await repos.outbox.by_key("escaped")
    assert row is not None
    assert row.payload.text == "• <b>[…]</b> — China"


async def test_forget_inside_a_unit_that_fails_changes_nothing(
    repos: Repositories, outbox: OutboxService
) -> None:
    person_id = await ana(repos)
    await outbox.send([message("digest", "• <b>Ana Quispe</b>")])

    async def forget_then_fail() -> None:
        async with repos.unit():
            await outbox.forget(person_id, ["Ana Quispe"])
            raise RuntimeError("deleting the person failed")

    with pytest.raises(RuntimeError, match="deleting the person failed"):
        await forget_then_fail()

    row = await repos.outbox.by_key("digest")
    assert row is not None
    assert row.payload.text == "• <b>Ana Quispe</b>"
