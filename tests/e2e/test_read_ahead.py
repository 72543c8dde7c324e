"""The getUpdates read-ahead (``bot/inbox.py``): the next batch is fetched and stored while PTB
is still busy with the last one, one call at a time, confirming only stored updates.

Through PTB's real ``Bot`` and the bot's own request classes, against the emulator and a real
SQLite file.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
from telegram import Bot, Update

from bot.clock import SystemClock
from bot.http import AiohttpRequest
from bot.inbox import Inbox, InboxRequest
from bot.processing import ChatOrderedUpdateProcessor
from sandbox.emulator import Emulator
from storage import Database
from storage.inbox import InboxRepository

from ..conftest import TOKEN


async def _eventually(predicate: Callable[[], bool], timeout: float = 5.0) -> None:  # noqa: ASYNC109
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "still false after the time-out"
        await asyncio.sleep(0.01)


class _Polling:
    """What the running bot has for fetching updates: the inbox, its request, PTB's Bot."""

    def __init__(self, db: Database, emulator: Emulator) -> None:
        self.inbox = Inbox(db, SystemClock(), ChatOrderedUpdateProcessor())
        self.request = InboxRequest(AiohttpRequest(pool_size=1, read_timeout=30.0))
        self.bot = Bot(
            TOKEN,
            base_url=emulator.base_url,
            request=AiohttpRequest(),
            get_updates_request=self.request,
        )
        self.offset = 0

    async def start(self) -> None:
        await self.inbox.replay()
        self.request.attach(self.inbox)
        await self.bot.initialize()

    async def fetch(self, timeout: int = 5) -> list[str]:  # noqa: ASYNC109
        """One getUpdates as PTB's polling makes it; the texts it brings."""
        updates = await self.bot.get_updates(offset=self.offset, timeout=timeout)
        if updates:
            self.offset = updates[-1].update_id + 1
        return [_text(update) for update in updates]


def _text(update: Update) -> str:
    assert update.message is not None
    return update.message.text or ""


@pytest.fixture
async def polling(db: Database, emulator: Emulator) -> AsyncIterator[_Polling]:
    fetching = _Polling(db, emulator)
    await fetching.start()
    yield fetching
    await fetching.bot.shutdown()


@pytest.fixture
async def db(database_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(database_path)
    yield database
    await database.close()


def _conflicts(emulator: Emulator) -> list[int]:
    return [call.status for call in emulator.calls if call.status == 409]


async def test_the_next_batch_is_fetched_and_stored_before_it_is_asked_for(
    polling: _Polling, emulator: Emulator, db: Database
) -> None:
    ana = emulator.add_user("Ana", language_code="es")
    emulator.send_text(ana, "uno")
    assert await polling.fetch() == ["uno"]

    emulator.send_text(ana, "dos")  # the call read ahead is waiting for it at the emulator
    await _eventually(lambda: polling.inbox.in_hand == 2)
    assert emulator.pending_updates == 1  # the call read ahead confirmed "uno", which is stored
    pending = await InboxRepository(db).pending()
    assert [payload.count("dos") for _, payload in pending] == [0, 1]  # stored, not handled

    began = time.monotonic()
    assert await polling.fetch() == ["dos"]
    assert time.monotonic() - began < 0.5  # its answer was in hand
    assert _conflicts(emulator) == []  # never two getUpdates at once


async def test_a_burst_arrives_whole_in_order_and_once(
    polling: _Polling, emulator: Emulator
) -> None:
    people = [emulator.add_user(f"Person {n}") for n in range(25)]
    sent: list[str] = []
    for k in range(10):  # ten each: within a chat's share of updates in hand
        for n, person in enumerate(people):
            sent.append(f"{n}: {k}")
            emulator.send_text(person, sent[-1])

    received: list[str] = []
    while len(received) < len(sent):
        received += await polling.fetch()

    assert received == sent  # 250 updates in batches of 100, none lost, none twice
    assert _conflicts(emulator) == []


async def test_the_last_call_at_a_stop_does_not_wait_for_the_read_ahead(
    polling: _Polling, emulator: Emulator, database_path: Path
) -> None:
    ana = emulator.add_user("Ana")
    emulator.send_text(ana, "one")
    assert await polling.fetch(timeout=30) == ["one"]  # a long poll now waits, read ahead

    began = time.monotonic()
    assert await polling.fetch(timeout=0) == []  # PTB's last call as it stops
    assert time.monotonic() - began < 2

    emulator.send_text(ana, "two")  # after the stop: the next start gets it
    assert await polling.fetch(timeout=0) == ["two"]


async def test_a_batch_read_ahead_and_never_asked_for_is_handled_after_a_restart(
    polling: _Polling, emulator: Emulator, database_path: Path
) -> None:
    ana = emulator.add_user("Ana")
    emulator.send_text(ana, "one")
    assert await polling.fetch() == ["one"]
    emulator.send_text(ana, "two")
    await _eventually(lambda: polling.inbox.in_hand == 2)
    await polling.bot.shutdown()  # the bot stops: "two" was stored, never handed to PTB

    restarted = await Database.open(database_path)
    try:
        replayed = await Inbox(restarted, SystemClock(), ChatOrderedUpdateProcessor()).replay()
    finally:
        await restarted.close()
    assert [update["message"]["text"] for update in replayed] == ["one", "two"]
