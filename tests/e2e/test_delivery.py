"""The outbox sender against the emulator, rate-limit enforcement on: every message arrives, in
order within its chat and within Telegram's limits, through 429s, 403s, migrations and outages."""

from __future__ import annotations

import asyncio
import itertools
import os
import socket
from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from telegram.constants import ParseMode
from telegram.ext import Defaults, ExtBot

from bot.clock import SystemClock
from bot.context import WnmrcApplication
from bot.http import AiohttpRequest
from bot.outbox import DeliveryConfig, Sender, orphaned_claimants, outbox_report
from bot.runtime import DueWorkRuntime
from config import Settings
from sandbox.emulator import Emulator, LedgerEntry, SimUser
from storage import Database, Repositories
from storage.outbox import (
    OutboxDocument,
    OutboxKind,
    OutboxPayload,
    OutboxRepository,
    OutgoingMessage,
)

from ..conftest import FAST_DELIVERY, SECRETARIAT_ID


@pytest.fixture
def delivery() -> DeliveryConfig:
    """Short time-outs and back-offs for the sender, so retries fit a test."""
    return FAST_DELIVERY


@pytest.fixture
def publish_menus() -> bool:
    return False


@pytest.fixture
def telegram_speed() -> float:
    """Telegram's real limits in the emulator and the bot's production pacing: this module
    checks that the bot keeps under them."""
    return 1.0


@pytest.fixture
def outbox(repos: Repositories) -> OutboxRepository:
    return OutboxRepository(repos.db)


@pytest.fixture
def now(app: WnmrcApplication) -> datetime:
    return app.services.clock.now()


async def started_people(
    emulator: Emulator, repos: Repositories, count: int, now: datetime, prefix: str = "Member"
) -> list[tuple[SimUser, int]]:
    """People who started the bot, each with their row in the bot's database."""
    people = []
    for index in range(count):
        user = emulator.add_user(f"{prefix}{index}", started=True)
        person = await repos.people.upsert_from_telegram(
            telegram_id=user.id,
            first_name=user.first_name,
            last_name=None,
            username=None,
            language_code="en",
            private=True,
            now=now,
        )
        people.append((user, person.id))
    return people


def to_chat(
    chat_id: int,
    key: str,
    text: str,
    due_at: datetime,
    *,
    person_id: int | None = None,
    kind: OutboxKind = "announcement",
) -> OutgoingMessage:
    return OutgoingMessage(
        kind=kind,
        chat_id=chat_id,
        dedupe_key=key,
        payload=OutboxPayload(text=text),
        due_at=due_at,
        person_id=person_id,
    )


def texts(emulator: Emulator, chat_id: int) -> list[str]:
    return [entry.text or "" for entry in emulator.sent_to(chat_id)]


def sends(emulator: Emulator) -> list[LedgerEntry]:
    return [entry for entry in emulator.ledger if entry.kind == "send"]


def most_within(times: Sequence[float], window: float) -> int:
    """The most of the sorted ``times`` that fall inside one interval shorter than ``window``."""
    best, start = 0, 0
    for end, at in enumerate(times):
        while at - times[start] >= window:
            start += 1
        best = max(best, end - start + 1)
    return best


def delivered_everything(emulator: Emulator, expected: dict[int, list[str]]) -> Callable[[], bool]:
    def done() -> bool:
        return all(len(emulator.sent_to(chat)) >= len(want) for chat, want in expected.items())

    return done


async def until(check: Callable[[], Awaitable[bool]], seconds: float = 5.0) -> None:
    """Poll an async check (the database) until it holds."""
    for _ in range(int(seconds / 0.05)):
        if await check():
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"{check} still false after {seconds} s")


async def _finished(outbox: OutboxRepository, count: int) -> bool:
    summary = await outbox.summary()
    return summary.count(status="queued") + summary.count(status="sending") == 0 and (
        summary.count() == count
    )


async def _counted(repos: Repositories, **expected: int) -> bool:
    summary = await OutboxRepository(repos.db).summary()
    return all(summary.count(status=status) == n for status, n in expected.items())  # type: ignore[arg-type]


# the limits


@pytest.mark.slow
async def test_a_broadcast_to_300_people_and_10_groups_keeps_every_limit(
    app: WnmrcApplication,
    emulator: Emulator,
    repos: Repositories,
    outbox: OutboxRepository,
    now: datetime,
) -> None:
    people = await started_people(emulator, repos, 300, now)
    groups = [emulator.add_group(f"Working group {i}") for i in range(10)]
    expected: dict[int, list[str]] = defaultdict(list)
    messages = []
    for user, person_id in people:
        parts = 3 if user.first_name in ("Member0", "Member1", "Member2") else 1
        for part in range(1, parts + 1):
            text = f"Announcement part {part} for {user.first_name}"
            messages.append(to_chat(user.id, f"a:{user.id}:{part}", text, now, person_id=person_id))
            expected[user.id].append(text)
    for group in groups:
        for part in (1, 2):
            text = f"Digest part {part} for {group.title}"
            messages.append(to_chat(group.id, f"d:{group.id}:{part}", text, now, kind="digest"))
            expected[group.id].append(text)

    assert await app.services.outbox.send(messages) == 326
    await emulator.wait_until(delivered_everything(emulator, expected), timeout=40)

    assert emulator.stats.too_many_requests == 0
    for chat_id, want in expected.items():
        assert texts(emulator, chat_id) == want  # each once, in order
    ledger = sends(emulator)
    for user, _ in people:
        times = [entry.at for entry in ledger if entry.chat_id == user.id]
        assert all(later - earlier >= 1.0 for earlier, later in itertools.pairwise(times))
    for group in groups:
        times = [entry.at for entry in ledger if entry.chat_id == group.id]
        assert most_within(times, 60.0) <= 20
    overall = sorted(entry.at for entry in ledger)
    assert most_within(overall, 5.0) <= 5 * 30
    # Arrival times jitter under load (a stalled loop delivers a few requests at once): the
    # emulator's own limiter (no 429 above) is the authority, this bounds the bunching.
    assert most_within(overall, 1.0) <= 33
    await until(lambda: _finished(outbox, 326))
    summary = await outbox.summary()
    assert summary.count(status="sent") == 326
    assert summary.count() == 326
    row = await outbox.by_key(f"a:{people[7][0].id}:1")
    assert row is not None
    assert row.telegram_message_id == emulator.sent_to(people[7][0].id)[0].message_id


async def test_enqueuing_the_same_message_again_sends_it_once(
    app: WnmrcApplication, emulator: Emulator, repos: Repositories, now: datetime
) -> None:
    [(ana, _)] = await started_people(emulator, repos, 1, now)
    reminder = to_chat(ana.id, "reminder:1:2024-05-20:60:1", "Meeting in 1 hour", now)

    assert await app.services.outbox.send([reminder, reminder]) == 1
    await emulator.next_message(ana)
    assert await app.services.outbox.send([reminder]) == 0
    await emulator.settle(quiet=0.5)

    assert texts(emulator, ana.id) == ["Meeting in 1 hour"]


async def test_buttons_documents_and_topics_arrive_as_queued(
    app: WnmrcApplication, emulator: Emulator, repos: Repositories, now: datetime
) -> None:
    [(ana, _)] = await started_people(emulator, repos, 1, now)
    forum = emulator.add_group("Climate", is_forum=True)
    topic = emulator.add_topic(forum, "Meetings")
    markup = {"inline_keyboard": [[{"text": "I will come", "callback_data": "rsvp:1:y"}]]}
    messages = [
        OutgoingMessage(
            kind="reminder",
            chat_id=ana.id,
            dedupe_key="with-buttons",
            payload=OutboxPayload(text="<b>Follow-up meeting</b> &amp; more", reply_markup=markup),
            due_at=now,
        ),
        OutgoingMessage(
            kind="reminder",
            chat_id=ana.id,
            dedupe_key="with-file",
            payload=OutboxPayload(
                text="The calendar file",
                document=OutboxDocument.of("meeting.ics", b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"),
            ),
            due_at=now,
        ),
        OutgoingMessage(
            kind="digest",
            chat_id=forum.id,
            message_thread_id=topic,
            dedupe_key="in-topic",
            payload=OutboxPayload(text="Weekly digest"),
            due_at=now,
        ),
    ]

    await app.services.outbox.send(messages)
    first = await emulator.next_message(ana)
    second = await emulator.next_message(ana)
    in_topic = await emulator.next_message(forum)

    assert first.text == "Follow-up meeting & more"
    assert first.html == "<b>Follow-up meeting</b> &amp; more"
    assert first.button("I will come").data == "rsvp:1:y"
    assert second.document is not None
    assert second.document.filename == "meeting.ics"
    assert second.document.content.startswith(b"BEGIN:VCALENDAR")
    assert second.text == "The calendar file"
    assert (in_topic.text, in_topic.message_thread_id) == ("Weekly digest", topic)


async def test_a_message_waits_for_its_due_time(
    app: WnmrcApplication, emulator: Emulator, repos: Repositories, now: datetime
) -> None:
    [(ana, _)] = await started_people(emulator, repos, 1, now)

    await app.services.outbox.send(
        [to_chat(ana.id, "later", "Reminder", now + timedelta(seconds=1.5))]
    )
    await emulator.settle(quiet=0.5)
    assert texts(emulator, ana.id) == []

    entry = await emulator.next_message(ana, timeout=5)
    assert entry.text == "Reminder"
    assert app.services.clock.now() >= now + timedelta(seconds=1.5)


# Telegram's refusals


@pytest.mark.slow
async def test_429s_are_waited_out_and_the_chat_keeps_its_order(
    app: WnmrcApplication,
    emulator: Emulator,
    repos: Repositories,
    outbox: OutboxRepository,
    now: datetime,
) -> None:
    [(ana, _)] = await started_people(emulator, repos, 1, now)
    # three 429s in a row: whatever PTB's own rate limiter retries, the sender sees the last one
    emulator.faults.add("sendMessage", status=429, retry_after=1, nth=1, times=3)

    await app.services.outbox.send(
        [to_chat(ana.id, "part:1", "Part 1", now), to_chat(ana.id, "part:2", "Part 2", now)]
    )
    await emulator.wait_until(lambda: len(emulator.sent_to(ana)) == 2, timeout=15)

    assert texts(emulator, ana.id) == ["Part 1", "Part 2"]
    refused = [call for call in emulator.calls if call.status == 429]
    assert len(refused) == 3
    assert emulator.sent_to(ana)[0].at - refused[-1].at >= 1.0
    row = await outbox.by_key("part:1")
    assert row is not None
    assert (row.status, row.last_error) == ("sent", "429: retry after 1 s")


@pytest.mark.slow
async def test_while_one_chat_waits_out_a_429_the_others_go_on(
    emulator: Emulator, settings: Settings, tmp_path: Path
) -> None:
    """The sender alone (no PTB rate limiter in front of it): a 429 holds only its chat."""
    db = await Database.open(tmp_path / "sender.sqlite3")
    await db.migrate()
    bare = ExtBot(
        settings.require_token(),
        base_url=settings.base_url,
        request=AiohttpRequest(),
        defaults=Defaults(parse_mode=ParseMode.HTML),
    )
    clock = SystemClock()
    runtime = DueWorkRuntime(clock)
    runtime.register(Sender(bare, Repositories.from_db(db), clock, FAST_DELIVERY, runtime=runtime))
    ana, *others = [emulator.add_user(f"Member{i}", started=True) for i in range(6)]
    now = clock.now()
    emulator.faults.add("sendMessage", status=429, retry_after=2, nth=1)
    await OutboxRepository(db).enqueue(
        [to_chat(ana.id, "first", "Hello", now - timedelta(seconds=1))]
        + [to_chat(user.id, f"m:{user.id}", "Hello", now) for user in others],
        now,
    )
    async with bare:
        await runtime.start()
        try:
            await emulator.wait_until(lambda: len(sends(emulator)) == 6, timeout=10)
        finally:
            await runtime.stop()
            await db.close()

    refused = next(call for call in emulator.calls if call.status == 429)
    assert int(refused.params["chat_id"]) == ana.id
    ana_arrival = emulator.sent_to(ana)[0].at
    assert ana_arrival - refused.at >= 2.0
    assert all(emulator.sent_to(user)[0].at < ana_arrival for user in others)


async def test_people_who_blocked_the_bot_are_marked_unreachable_and_the_rest_continue(
    app: WnmrcApplication,
    emulator: Emulator,
    repos: Repositories,
    outbox: OutboxRepository,
    now: datetime,
) -> None:
    people = await started_people(emulator, repos, 10, now)
    blockers = people[2:5]
    for user, _ in blockers:
        emulator.block_bot(user)

    await app.services.outbox.send(
        [to_chat(u.id, f"m:{u.id}", "News", now, person_id=p) for u, p in people]
    )
    await emulator.wait_until(lambda: len(sends(emulator)) == 7, timeout=10)
    await until(lambda: _finished(outbox, 10))

    for user, person_id in people:
        person = await repos.people.get(person_id)
        row = await outbox.by_key(f"m:{user.id}")
        assert person is not None
        assert row is not None
        if (user, person_id) in blockers:
            assert texts(emulator, user.id) == []
            assert row.status == "unreachable"
            assert row.last_error == "403: Forbidden: bot was blocked by the user"
            assert not person.reachable
        else:
            assert texts(emulator, user.id) == ["News"]
            assert row.status == "sent"
            assert person.reachable


async def test_a_group_that_becomes_a_supergroup_mid_broadcast_gets_the_rest_at_its_new_id(
    app: WnmrcApplication,
    emulator: Emulator,
    repos: Repositories,
    outbox: OutboxRepository,
    now: datetime,
) -> None:
    coordinator = emulator.add_user("Carmen", started=True)
    group = emulator.add_group("Biodiversity", admins=[coordinator], kind="group")
    people = await started_people(emulator, repos, 20, now)
    messages = [to_chat(u.id, f"m:{u.id}", "Announcement", now) for u, _ in people]
    messages.append(to_chat(group.id, "g:1", "Part 1", now))
    messages += [
        to_chat(group.id, f"g:{part}", f"Part {part}", now + timedelta(seconds=1))
        for part in (2, 3)
    ]

    await app.services.outbox.send(messages)
    await emulator.next_message(group)
    supergroup = emulator.migrate_group(group)
    await emulator.wait_until(lambda: len(emulator.sent_to(supergroup)) == 2, timeout=10)
    await emulator.wait_until(lambda: all(emulator.sent_to(u) for u, _ in people), timeout=10)

    assert texts(emulator, group.id) == ["Part 1"]
    assert texts(emulator, supergroup.id) == ["Part 2", "Part 3"]
    assert [row.dedupe_key for row in await outbox.for_chat(supergroup.id)] == ["g:2", "g:3"]
    stored = await repos.chats.get(group.id)
    assert stored is not None
    assert stored.migrated_to == supergroup.id


async def test_a_message_telegram_refuses_fails_with_its_reason_and_is_not_retried(
    app: WnmrcApplication,
    emulator: Emulator,
    repos: Repositories,
    outbox: OutboxRepository,
    now: datetime,
) -> None:
    [(ana, _)] = await started_people(emulator, repos, 1, now)

    await app.services.outbox.send(
        [to_chat(ana.id, "bad", "<b>unclosed", now), to_chat(ana.id, "next", "After it", now)],
    )
    await emulator.next_message(ana)
    await emulator.settle(quiet=0.3)

    row = await outbox.by_key("bad")
    assert row is not None
    assert row.status == "failed"
    assert row.last_error is not None
    assert row.last_error.startswith("400: Can't parse entities")
    assert texts(emulator, ana.id) == ["After it"]
    assert [c.status for c in emulator.calls if c.method == "sendMessage"] == [400, 200]


# the network


async def test_a_time_out_is_retried_and_may_double_only_that_message(
    app: WnmrcApplication,
    emulator: Emulator,
    repos: Repositories,
    outbox: OutboxRepository,
    now: datetime,
) -> None:
    people = await started_people(emulator, repos, 8, now)
    # the 4th send acts, but answers after the client gave up waiting (read time-out 0.5 s)
    emulator.faults.add("sendMessage", delay=1.5, nth=4)

    await app.services.outbox.send([to_chat(u.id, f"m:{u.id}", "Hello", now) for u, _ in people])
    await until(lambda: _finished(outbox, 8))
    await emulator.wait_until(lambda: any(c.status == 499 for c in emulator.calls), timeout=3)

    abandoned = [c for c in emulator.calls if c.status == 499]
    assert len(abandoned) == 1
    slow_chat = int(abandoned[0].params["chat_id"])
    assert texts(emulator, slow_chat) == ["Hello", "Hello"]  # Telegram had it: the retry doubles
    assert all(texts(emulator, u.id) == ["Hello"] for u, _ in people if u.id != slow_chat)
    row = await outbox.by_key(f"m:{slow_chat}")
    assert row is not None
    assert row.status == "sent"
    assert row.attempts == 2
    assert (row.last_error or "").startswith("TimedOut")


@pytest.mark.slow
async def test_while_the_api_is_unreachable_the_sender_waits_and_then_resumes(
    app: WnmrcApplication,
    emulator: Emulator,
    repos: Repositories,
    outbox: OutboxRepository,
    now: datetime,
) -> None:
    people = await started_people(emulator, repos, 10, now)
    await app.services.outbox.send(
        [to_chat(u.id, f"m:{u.id}", "Hello", now) for u, _ in people[:3]]
    )
    await until(lambda: _finished(outbox, 3))

    emulator.faults.unreachable(2.0)
    await app.services.outbox.send(
        [to_chat(u.id, f"m:{u.id}", "Hello", now) for u, _ in people[3:]]
    )
    await until(lambda: _finished(outbox, 10), seconds=15)

    assert all(texts(emulator, u.id) == ["Hello"] for u, _ in people)
    retried = [
        row for u, _ in people[3:] for row in await outbox.for_chat(u.id) if row.attempts > 1
    ]
    assert retried
    assert all((row.last_error or "").startswith("NetworkError") for row in retried)
    dropped = [c for c in emulator.calls if c.method == "sendMessage" and c.status != 200]
    assert len(dropped) <= 8, "while the API is away the sender probes, it does not hammer"


# stop, restart, crash


async def test_stop_puts_claimed_rows_back_and_a_restart_sends_the_rest_once(
    app: WnmrcApplication,
    emulator: Emulator,
    repos: Repositories,
    outbox: OutboxRepository,
    now: datetime,
) -> None:
    people = await started_people(emulator, repos, 40, now)
    await app.services.outbox.send([to_chat(u.id, f"m:{u.id}", "Hello", now) for u, _ in people])
    await emulator.wait_until(lambda: len(sends(emulator)) >= 10, timeout=10)

    await app.services.runtime.stop()
    stopped = await outbox.summary()
    assert stopped.count(status="sending") == 0
    assert stopped.count(status="sent") == len(sends(emulator))
    assert stopped.count(status="queued") == 40 - len(sends(emulator))
    assert app.services.outbox.running_sender() is None

    await app.services.runtime.start()
    await emulator.wait_until(lambda: len(sends(emulator)) >= 40, timeout=10)
    await emulator.settle(quiet=0.3)

    assert all(texts(emulator, u.id) == ["Hello"] for u, _ in people)


async def test_rows_claimed_by_a_dead_process_are_sent_at_start(
    app: WnmrcApplication,
    emulator: Emulator,
    repos: Repositories,
    outbox: OutboxRepository,
    now: datetime,
) -> None:
    await app.services.runtime.stop()
    people = await started_people(emulator, repos, 3, now)
    await app.services.outbox.send([to_chat(u.id, f"m:{u.id}", "Hello", now) for u, _ in people])
    dead = f"{socket.gethostname()}:{_dead_pid()}:0000"
    assert len(await outbox.claim(now, dead, 2, lease=timedelta(hours=1))) == 2

    await app.services.runtime.start()
    await emulator.wait_until(lambda: all(emulator.sent_to(u) for u, _ in people), timeout=5)

    await until(lambda: _finished(outbox, 3))
    assert await outbox.claimants() == []


def _dead_pid() -> int:
    """A pid no process has (the highest pid the kernel can hand out, plus one)."""
    with open("/proc/sys/kernel/pid_max") as limit:
        return int(limit.read()) + 1


def test_orphaned_claimants_are_dead_processes_of_this_host_only() -> None:
    alive = {100, os.getpid()}
    claimants = ["h:100:a", "h:200:b", "other:200:c", "h:7:own", "h:7:old", "garbage"]

    orphans = orphaned_claimants(
        claimants, "h:7:own", host="h", pid=7, alive=lambda pid: pid in alive
    )

    assert orphans == ["h:200:b", "h:7:old"]


# what the secretariat and the operator see


@pytest.mark.parametrize("language", ["en", "es"])
async def test_outbox_command_shows_counts_per_kind_and_the_latest_errors(
    app: WnmrcApplication,
    emulator: Emulator,
    repos: Repositories,
    now: datetime,
    language: str,
) -> None:
    jorge = emulator.add_user("Jorge", user_id=SECRETARIAT_ID, language_code=language)
    people = await started_people(emulator, repos, 3, now)
    emulator.block_bot(people[0][0])
    messages = [to_chat(u.id, f"m:{u.id}", "News", now, person_id=p) for u, p in people]
    messages.append(to_chat(people[1][0].id, "later", "Reminder", now + timedelta(days=1)))
    await app.services.outbox.send(messages)
    await until(lambda: _counted(repos, sent=2, unreachable=1))

    reply = await emulator.says(jorge, "/outbox")

    lines = reply.text.splitlines()
    if language == "en":
        assert lines[:3] == [
            "Outbox",
            "Announcements: 1 queued, 2 sent, 1 unreachable",
            lines[2],
        ]
        assert lines[2].startswith("Next queued message due: ")
        assert lines[4] == "Latest errors"
        assert lines[5].endswith(
            f": announcement to chat {people[0][0].id} (unreachable): "
            "403: Forbidden: bot was blocked by the user"
        )
    else:
        assert lines[0] == "Bandeja de salida"
        assert lines[1] == "Anuncios: 1 en cola, 2 enviados, 1 inalcanzable"
        assert lines[2].startswith("Próximo mensaje en cola: ")
        assert lines[4] == "Últimos errores"
        assert f"anuncio al chat {people[0][0].id} (inalcanzable)" in lines[5]
    assert "(Madrid)" in lines[2]


async def test_outbox_command_is_for_the_secretariat_only(
    app: WnmrcApplication, emulator: Emulator
) -> None:
    ana = emulator.add_user("Ana", language_code="en")

    reply = await emulator.says(ana, "/outbox")

    assert reply.text == "Only the network secretariat can do that."


async def test_outbox_command_on_an_empty_outbox(app: WnmrcApplication, emulator: Emulator) -> None:
    jorge = emulator.add_user("Jorge", user_id=SECRETARIAT_ID, language_code="en")

    reply = await emulator.says(jorge, "/outbox")

    assert reply.text == "The outbox is empty: the bot has not queued any message yet."


async def test_the_operator_report_prints_the_same_in_english(
    app: WnmrcApplication,
    emulator: Emulator,
    repos: Repositories,
    settings: Settings,
    now: datetime,
) -> None:
    people = await started_people(emulator, repos, 2, now)
    emulator.block_bot(people[1][0])
    await app.services.outbox.send(
        [to_chat(u.id, f"m:{u.id}", "News", now, person_id=p) for u, p in people]
    )
    await until(lambda: _counted(repos, sent=1, unreachable=1))

    report = await outbox_report(settings)

    lines = report.splitlines()
    assert lines[1].split() == ["kind", "queued", "sending", "sent", "unreachable", "failed"]
    assert lines[3].split() == ["announcement", "0", "0", "1", "1", "0"]
    assert "next queued message due: none" in lines
    assert lines[-1].endswith(": 403: Forbidden: bot was blocked by the user")
    assert "TEST-emulator-token" not in report
