"""The unit of work: a use case's domain change, its outbox rows and its draft commit together."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import textwrap
from datetime import datetime
from pathlib import Path

import pytest

from storage import Database, Repositories
from storage.outbox import OutboxPayload, OutgoingMessage


def _notice(chat_id: int, now: datetime, key: str = "notice:1") -> OutgoingMessage:
    return OutgoingMessage(
        kind="notice", chat_id=chat_id, dedupe_key=key, payload=OutboxPayload(text="Hi"), due_at=now
    )


async def _person(repos: Repositories, now: datetime, telegram_id: int = 7) -> int:
    person = await repos.people.upsert_from_telegram(
        telegram_id=telegram_id,
        first_name="Ana",
        last_name=None,
        username=None,
        language_code="es",
        private=True,
        now=now,
    )
    return person.id


async def _counts(db: Database) -> tuple[int, int, int]:
    groups = await db.fetch_value("SELECT count(*) FROM working_groups")
    outbox = await db.fetch_value("SELECT count(*) FROM outbox")
    drafts = await db.fetch_value("SELECT count(*) FROM drafts")
    return int(groups), int(outbox), int(drafts)


NAMES = {"en": "Glaciers", "es": "Glaciares", "zh": "冰川", "fr": "Glaciers"}


async def test_the_parts_of_a_use_case_commit_together(repos: Repositories, now: datetime) -> None:
    person_id = await _person(repos, now)
    await repos.drafts.save(person_id, "newgroup", "confirm", {}, None, now)

    async with repos.unit() as uow:
        assert uow.in_unit
        group = await uow.groups.create("glaciers", "climate", NAMES, now)
        assert group is not None  # read back inside the unit: its own write is visible
        await uow.outbox.enqueue([_notice(7, now)], now)
        await uow.drafts.delete(person_id, "newgroup")
        # Readers outside the unit (another task) still see the state before it.
        outside = await asyncio.create_task(_counts(repos.db))
        assert outside == (0, 0, 1)

    assert not repos.in_unit
    assert await _counts(repos.db) == (1, 1, 0)


async def test_a_failure_inside_a_unit_leaves_nothing_half_done(
    repos: Repositories, now: datetime
) -> None:
    person_id = await _person(repos, now)
    await repos.drafts.save(person_id, "newgroup", "confirm", {}, None, now)

    async def create_then_fail() -> None:
        async with repos.unit() as uow:
            await uow.groups.create("glaciers", "climate", NAMES, now)
            await uow.outbox.enqueue([_notice(7, now)], now)
            raise RuntimeError("failed after the outbox, before the draft")

    with pytest.raises(RuntimeError, match="after the outbox"):
        await create_then_fail()

    assert await _counts(repos.db) == (0, 0, 1)
    async with repos.unit() as uow:  # the writer is usable again
        await uow.drafts.delete(person_id, "newgroup")
    assert await _counts(repos.db) == (0, 0, 0)


async def test_a_nested_unit_joins_the_outer_one(repos: Repositories, now: datetime) -> None:
    async def enqueue_notice() -> None:
        async with repos.unit() as uow:  # as a service called by another service would
            await uow.outbox.enqueue([_notice(7, now)], now)

    async def create_notify_then_fail() -> None:
        async with repos.unit() as uow:
            await uow.groups.create("glaciers", "climate", NAMES, now)
            await enqueue_notice()
            assert await _counts(repos.db) == (1, 1, 0)  # joined: visible inside
            raise ZeroDivisionError

    with pytest.raises(ZeroDivisionError):
        await create_notify_then_fail()

    assert await _counts(repos.db) == (0, 0, 0)  # the inner part rolled back with the outer


async def test_units_of_two_tasks_are_serialised(repos: Repositories, now: datetime) -> None:
    async def create(slug: str) -> None:
        async with repos.unit() as uow:
            await uow.groups.create(slug, "climate", NAMES, now)
            await asyncio.sleep(0)
            await uow.outbox.enqueue([_notice(7, now, key=f"notice:{slug}")], now)

    await asyncio.gather(*(create(f"g{n}") for n in range(20)))
    assert await _counts(repos.db) == (20, 20, 0)


KILLED_MID_UNIT = """
import asyncio, os, signal, sys
from datetime import UTC, datetime
from storage import Database, Repositories
from storage.outbox import OutboxPayload, OutgoingMessage

async def main():
    db = await Database.open(sys.argv[1])
    repos = Repositories.from_db(db)
    now = datetime(2024, 5, 17, 9, 30, tzinfo=UTC)
    names = {"en": "G", "es": "G", "zh": "G", "fr": "G"}
    async with repos.unit() as uow:
        await uow.groups.create("glaciers", "climate", names, now)
        await uow.outbox.enqueue([OutgoingMessage(kind="notice", chat_id=7, dedupe_key="k",
            payload=OutboxPayload(text="Hi"), due_at=now)], now)
        print("between", flush=True)
        os.kill(os.getpid(), signal.SIGKILL)  # after the domain change and its message

asyncio.run(main())
"""


@pytest.mark.slow
async def test_a_kill_inside_a_unit_leaves_neither_the_change_nor_its_messages(
    tmp_path: Path, db: Database
) -> None:
    script = tmp_path / "kill_mid_unit.py"
    script.write_text(textwrap.dedent(KILLED_MID_UNIT))
    root = Path(__file__).resolve().parents[2]
    done = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, str(script), str(db.path)],
        capture_output=True,
        text=True,
        cwd=root,
        env={**os.environ, "PYTHONPATH": str(root)},
        timeout=60,
        check=False,
    )
    assert done.returncode == -signal.SIGKILL, done.stderr
    assert done.stdout.strip() == "between"
    assert await _counts(db) == (0, 0, 0)
