"""The experiences service at storage speed: sending, resubmitting, withdrawing, editing."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from bot.clock import ManualClock
from bot.experiences.service import DRAFT_KIND, EDIT_DRAFT_KIND
from storage import Repositories

from .experiences_world import ANSWERS, SECRETARIAT, World


@pytest.fixture
async def world(repos: Repositories, clock: ManualClock) -> World:
    world = World(repos, clock)
    await world.seed()
    return world


async def test_sending_stores_the_experience_queues_the_notices_and_closes_the_draft(
    world: World,
) -> None:
    ana = await world.person(1, "Ana", "es")
    tom = await world.person(2, "Tom", "en", coordinates="climate")
    await world.person(SECRETARIAT, "Jorge", "fr")
    await world.repos.drafts.save(ana.id, DRAFT_KIND, "preview", ANSWERS, 1, world.clock.now())

    sent = await world.experiences.submit(ana, "es", ANSWERS)

    assert (sent.title, sent.status, sent.themes) == ("Terrazas <vivas>", "submitted", ("climate",))
    assert await world.repos.drafts.get(ana.id, DRAFT_KIND) is None
    notices = await world.outbox()
    assert [(n.chat_id, n.person_id) for n in notices] == [(2, tom.id), (SECRETARIAT, 3)]
    assert notices[0].payload.text.startswith("A new experience was submitted for review:")
    assert notices[1].payload.text.startswith("Une nouvelle expérience")
    button = {"text": "Review", "callback_data": f"rv:{sent.id}"}
    assert notices[0].payload.reply_markup == {"inline_keyboard": [[button]]}
    assert world.wakes.count == 1


async def test_a_failure_before_the_notices_are_queued_leaves_nothing_half_done(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    ana = await world.person(1, "Ana", "es")
    await world.person(2, "Tom", "en", coordinates="climate")
    await world.repos.drafts.save(ana.id, DRAFT_KIND, "preview", ANSWERS, 1, world.clock.now())

    async def broken(*_: object) -> int:
        raise OSError("disk full")

    monkeypatch.setattr(world.repos.outbox, "enqueue", broken)
    with pytest.raises(OSError, match="disk full"):
        await world.experiences.submit(ana, "es", ANSWERS)

    assert await world.repos.experiences.by_author(ana.id) == []
    draft = await world.repos.drafts.get(ana.id, DRAFT_KIND)
    assert draft is not None
    assert draft.data["title"] == "Terrazas <vivas>"
    assert world.wakes.count == 0
    monkeypatch.undo()
    sent = await world.experiences.submit(ana, "es", draft.data)  # sending again works once
    assert [e.id for e in await world.repos.experiences.by_author(ana.id)] == [sent.id]
    assert [n.chat_id for n in await world.outbox()] == [2, SECRETARIAT]


async def test_a_draft_that_names_an_experience_already_stored_is_not_stored_twice(
    world: World,
) -> None:
    ana = await world.person(1, "Ana", "es")
    first = await world.experiences.submit(ana, "es", ANSWERS)
    again = await world.experiences.submit(ana, "es", {**ANSWERS, "sent_id": first.id})
    assert again.id == first.id
    assert len(await world.repos.experiences.by_author(ana.id)) == 1


async def test_an_experience_in_review_is_locked_and_the_edit_draft_closed(world: World) -> None:
    ana = await world.person(1, "Ana", "es")
    sent = await world.experiences.submit(ana, "es", ANSWERS)
    now = world.clock.now()

    await world.repos.drafts.save(ana.id, EDIT_DRAFT_KIND, "summary", {}, 1, now)
    edit = await world.experiences.save_field(ana.id, sent.id, "summary", "Agua.")
    assert edit is not None
    assert (edit.refusal, edit.experience.summary) == (None, "Agua.")

    await world.repos.experiences.set_status(sent.id, "in_review", now, only_from=["submitted"])
    await world.repos.drafts.save(ana.id, EDIT_DRAFT_KIND, "summary", {}, 1, now)
    locked = await world.experiences.save_field(ana.id, sent.id, "summary", "https://spam")
    assert locked is not None
    assert locked.refusal is not None
    assert locked.refusal.values == {"title": "Terrazas <vivas>"}
    stored = await world.repos.experiences.get(sent.id)
    assert stored is not None
    assert stored.summary == "Agua."
    assert await world.repos.drafts.get(ana.id, EDIT_DRAFT_KIND) is None

    bob = await world.person(3, "Bob", "en")
    assert await world.experiences.save_field(bob.id, sent.id, "summary", "x") is None


async def test_withdraw_and_resubmit_only_from_the_statuses_that_allow_them(world: World) -> None:
    ana = await world.person(1, "Ana", "es")
    await world.person(2, "Tom", "en", coordinates="climate")
    bob = await world.person(3, "Bob", "en")
    sent = await world.experiences.submit(ana, "es", ANSWERS)
    now = world.clock.now()

    assert await world.experiences.resubmit(ana, sent.id) is None  # not waiting for changes
    assert await world.experiences.withdraw(bob.id, sent.id) is None  # not Bob's
    await world.repos.experiences.set_status(sent.id, "changes_requested", now)
    again = await world.experiences.resubmit(ana, sent.id)
    assert again is not None
    assert again.status == "submitted"
    notices = [n for n in await world.outbox() if n.chat_id == 2]
    assert [n.dedupe_key for n in notices] == [
        f"experience:{sent.id}:submitted:1:2",
        f"experience:{sent.id}:submitted:2:2",
    ]
    assert notices[1].payload.text.startswith("An experience was resubmitted after changes:")

    await world.repos.drafts.save(ana.id, EDIT_DRAFT_KIND, "title", {}, 1, now)
    withdrawn = await world.experiences.withdraw(ana.id, sent.id)
    assert withdrawn is not None
    assert withdrawn.status == "withdrawn"
    assert await world.repos.drafts.get(ana.id, EDIT_DRAFT_KIND) is None
    assert await world.experiences.withdraw(ana.id, sent.id) is None  # decided: stays


KILLED_WHILE_SENDING = """
import asyncio, os, signal, sys
from bot.clock import ManualClock
from bot.experiences.service import DRAFT_KIND, ExperiencesService
from bot.i18n import I18n
from datetime import UTC, datetime
from storage import Database, Repositories

async def main():
    db = await Database.open(sys.argv[1])
    repos = Repositories.from_db(db)
    ana = await repos.people.by_telegram_id(1)
    draft = await repos.drafts.get(ana.id, DRAFT_KIND)

    async def killed(*_):
        rows = await repos.db.fetch_value("SELECT count(*) FROM outbox")
        print("killed after", rows, "notices", flush=True)
        os.kill(os.getpid(), signal.SIGKILL)  # the experience and its notices are written

    repos.drafts.delete = killed
    service = ExperiencesService(
        repos, ManualClock(datetime(2026, 3, 25, tzinfo=UTC)), I18n(), {9000}, lambda: None
    )
    await service.submit(ana, "es", draft.data)

asyncio.run(main())
"""


@pytest.mark.slow
async def test_a_kill_while_sending_leaves_neither_the_experience_nor_its_notices(
    world: World, tmp_path: Path
) -> None:
    ana = await world.person(1, "Ana", "es")
    await world.person(2, "Tom", "en", coordinates="climate")
    await world.repos.drafts.save(ana.id, DRAFT_KIND, "preview", ANSWERS, 1, world.clock.now())
    script = tmp_path / "kill_while_sending.py"
    script.write_text(textwrap.dedent(KILLED_WHILE_SENDING))
    root = Path(__file__).resolve().parents[2]
    done = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, str(script), str(world.repos.db.path)],
        capture_output=True,
        text=True,
        cwd=root,
        env={**os.environ, "PYTHONPATH": str(root)},
        timeout=60,
        check=False,
    )
    assert done.returncode == -signal.SIGKILL, done.stderr
    assert done.stdout.strip() == "killed after 2 notices"
    assert await world.repos.experiences.by_author(ana.id) == []
    assert await world.outbox() == []
    assert await world.repos.drafts.get(ana.id, DRAFT_KIND) is not None
