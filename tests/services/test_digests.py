"""The digests service at storage speed: a due digest's rows and its bookkeeping commit
together (a failure between them leaves neither), nothing twice, personal digests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.clock import ManualClock
from bot.digests.schedule import DueDigests
from bot.digests.service import DigestsService
from bot.i18n import I18n
from bot.outbox import OutboxService
from config import load_network, load_settings
from storage import Repositories
from storage.outbox import OutboxMessage

from .conftest import START
from .test_email import imported_person

MONDAY_MADRID = datetime(2026, 3, 30, 7, 0, tzinfo=UTC)
CLIMATE_CHAT = -100555
CHANNEL = -100999


class Wakes:
    def __init__(self) -> None:
        self.count = 0

    def wake(self) -> None:
        self.count += 1


@pytest.fixture
def wakes() -> Wakes:
    return Wakes()


@pytest.fixture
async def digests(
    repos: Repositories, clock: ManualClock, wakes: Wakes, tmp_path: Path
) -> DigestsService:
    settings = load_settings(
        database_path=tmp_path / "unused.sqlite3", network_channel=str(CHANNEL)
    )
    await repos.groups.seed(load_network().groups, START)
    outbox = OutboxService(repos, clock, wakes)
    return DigestsService(repos, clock, I18n(), settings, wakes, outbox)


async def join(repos: Repositories, telegram_id: int, first: str, last: str, at: datetime) -> int:
    person = await repos.people.upsert_from_telegram(
        telegram_id=telegram_id,
        first_name=first,
        last_name=last,
        username=None,
        language_code="en",
        private=True,
        now=at,
    )
    climate = await repos.groups.by_slug("climate")
    assert climate is not None
    await repos.groups.add_member(climate.id, person.id, "member", at)
    return person.id


async def person_id_of(repos: Repositories, telegram_id: int) -> int:
    person = await repos.people.by_telegram_id(telegram_id)
    assert person is not None
    return person.id


async def link_climate(repos: Repositories) -> int:
    await repos.chats.upsert(
        chat_id=CLIMATE_CHAT,
        type="supergroup",
        title="Climate chat",
        username=None,
        is_forum=False,
        now=START,
    )
    climate = await repos.groups.by_slug("climate")
    assert climate is not None
    await repos.groups.link_chat(climate.id, CLIMATE_CHAT, None, START)
    return climate.id


async def digest_rows(repos: Repositories) -> list[OutboxMessage]:
    return [row for row in await repos.outbox.for_chat(CLIMATE_CHAT) if row.kind == "digest"]


async def test_a_due_digest_is_queued_and_its_schedule_moved_on_in_one_unit(
    repos: Repositories, digests: DigestsService, clock: ManualClock, wakes: Wakes
) -> None:
    climate = await link_climate(repos)
    await join(repos, 7001, "Ana", "Quispe", START + timedelta(days=1))
    assert await digests.run_due() == 0  # the schedules are made; nothing is due yet

    clock.set(MONDAY_MADRID)
    assert await digests.run_due() == 2  # the climate chat and the network channel

    schedule = await repos.digests.for_group(climate)
    assert schedule is not None
    [row] = await digest_rows(repos)
    assert row.dedupe_key == f"digest:{schedule.id}:2026-03-30T07:00:00Z"
    assert row.payload.text.split("\n") == [
        "<b>Digest of Climate change</b>",
        "",
        "<b>New members</b>",
        "• <b>Ana Quispe</b>",
    ]
    assert schedule.next_due_at == datetime(2026, 4, 6, 7, tzinfo=UTC)
    assert wakes.count >= 1
    assert await digests.run_due() == 0  # served: not due again this week


async def test_a_failure_between_queueing_and_recording_leaves_neither(
    repos: Repositories,
    digests: DigestsService,
    clock: ManualClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    climate = await link_climate(repos)
    await join(repos, 7001, "Ana", "Quispe", START + timedelta(days=1))
    await digests.run_due()
    clock.set(MONDAY_MADRID)

    async def disk_full(*args: object, **kwargs: object) -> None:
        raise OSError("disk full")

    with monkeypatch.context() as patched:
        patched.setattr(repos.digests, "record", disk_full)
        assert await digests.run_due() == 0  # logged; retried at the next round

    assert await digest_rows(repos) == []
    schedule = await repos.digests.for_group(climate)
    assert schedule is not None
    assert schedule.next_due_at == MONDAY_MADRID  # still due

    assert await digests.run_due() == 2
    assert len(await digest_rows(repos)) == 1


async def test_a_digest_missed_for_weeks_goes_out_once_and_the_schedule_skips_ahead(
    repos: Repositories, digests: DigestsService, clock: ManualClock
) -> None:
    climate = await link_climate(repos)
    await join(repos, 7001, "Ana", "Quispe", START + timedelta(days=1))
    await digests.run_due()

    clock.set(MONDAY_MADRID + timedelta(days=15))
    work = DueDigests(digests)
    assert await work.next_due(clock.now()) == MONDAY_MADRID
    await work.run_due(clock.now())

    assert len(await digest_rows(repos)) == 1
    schedule = await repos.digests.for_group(climate)
    assert schedule is not None
    assert schedule.next_due_at == datetime(2026, 4, 20, 7, tzinfo=UTC)


async def test_preview_marks_nothing_and_post_now_queues_once(
    repos: Repositories, digests: DigestsService, clock: ManualClock
) -> None:
    climate = await link_climate(repos)
    await join(repos, 7001, "Ana", "Quispe", START + timedelta(days=1))
    clock.set(START + timedelta(days=2))
    schedule = await digests.group_schedule(climate)
    assert schedule is not None

    preview = await digests.preview(schedule)
    assert preview is not None
    assert preview.keys == [f"member:{climate}:1"]
    assert await digest_rows(repos) == []

    assert await digests.post_now(schedule) == 1
    assert await digests.post_now(schedule) == 0  # nothing new since
    assert len(await digest_rows(repos)) == 1


async def test_a_personal_digest_is_set_in_the_readers_zone_and_wakes_the_runtime(
    repos: Repositories, digests: DigestsService, wakes: Wakes
) -> None:
    person_id = await join(repos, 7002, "Olivia", "Brown", START)
    await repos.people.set_timezone(person_id, "Australia/Sydney", START)

    schedule = await digests.set_personal(person_id, "weekly")

    assert schedule.next_due_at == datetime(2026, 3, 29, 22, tzinfo=UTC)  # Monday 09:00 Sydney
    assert (await digests.zone(schedule)).key == "Australia/Sydney"
    assert wakes.count == 1
    off = await digests.set_personal(person_id, "off")
    assert (off.frequency, off.next_due_at) == ("off", None)


async def test_a_member_with_only_e_mail_gets_a_weekly_digest_by_e_mail_at_nine_their_time(
    repos: Repositories, digests: DigestsService, clock: ManualClock
) -> None:
    """No Telegram to type /digest with: the weekly digest comes to them by default, by e-mail."""
    repos.outbox.email_enabled = True
    mei = await imported_person(repos, "Mei", "mei@example.cn", "zh")
    climate = await repos.groups.by_slug("climate")
    assert climate is not None
    await repos.groups.add_member(climate.id, mei, "member", START)
    await repos.people.set_timezone(mei, "Asia/Shanghai", START)
    await join(repos, 7003, "Ana", "Quispe", START)  # news for the digest; she has Telegram

    await digests.ensure_defaults()

    schedule = await digests.personal_schedule(mei)
    assert schedule is not None
    assert schedule.frequency == "weekly"
    assert schedule.next_due_at == datetime(2026, 3, 30, 1, tzinfo=UTC)  # Monday 09:00 Shanghai
    clock.set(datetime(2026, 3, 30, 1, tzinfo=UTC))
    assert await digests.run_due() >= 1
    rows = await repos.db.fetch_all(
        "SELECT channel, kind FROM outbox WHERE person_id = ? ORDER BY id", (mei,)
    )
    assert [(row["channel"], row["kind"]) for row in rows] == [("email", "digest")]
    assert await digests.personal_schedule(await person_id_of(repos, 7003)) is None
