"""The decisions service at storage speed: a choice with several answers, the audience, the
nudge and the close once (as after a restart), the outcome, and /forgetme keeping the record
whole with "a former member"."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.access import Actor
from bot.clock import ManualClock
from bot.decisions import rules
from bot.decisions.minutes import load_minutes, minutes_markdown
from bot.decisions.service import (
    Answered,
    DecisionsService,
    NotAllowed,
    OutcomeRecorded,
    Proposed,
)
from bot.i18n import I18n
from bot.outbox import OutboxService
from bot.privacy.service import PrivacyService
from bot.profile import Refusal
from bot.roadmap.service import RoadmapService
from bot.runtime import DueWorkRuntime
from config import load_network, load_settings
from storage import Person, Repositories

from .conftest import START

SECRETARIAT = 990001
CLOSES = START + timedelta(days=3)


class Wakes:
    def wake(self) -> None:
        pass


@pytest.fixture
async def service(repos: Repositories, clock: ManualClock, tmp_path: Path) -> DecisionsService:
    settings = load_settings(
        database_path=tmp_path / "unused.sqlite3", secretariat_ids=str(SECRETARIAT)
    )
    await repos.groups.seed(load_network().groups, START)
    outbox = OutboxService(repos, clock, Wakes())
    decisions = DecisionsService(repos, clock, I18n(), settings, DueWorkRuntime(clock))
    decisions.roadmap = RoadmapService(repos, clock, I18n(), settings, outbox)
    return decisions


async def person(repos: Repositories, telegram_id: int, name: str, role: str | None) -> Person:
    found = await repos.people.upsert_from_telegram(
        telegram_id=telegram_id,
        first_name=name,
        last_name=None,
        username=None,
        language_code="en",
        private=True,
        now=START,
    )
    if role is not None:
        climate = await repos.groups.by_slug("climate")
        assert climate is not None
        await repos.groups.add_member(climate.id, found.id, role, START)
    return found


async def queued(repos: Repositories, key_part: str) -> list[tuple[int, str]]:
    """(chat, text) of the outbox rows whose dedupe key has ``key_part``."""
    rows = await repos.db.fetch_all(
        "SELECT chat_id, json_extract(payload, '$.text') FROM outbox"
        " WHERE instr(dedupe_key, ?) > 0 ORDER BY chat_id",
        (key_part,),
    )
    return [(int(row[0]), str(row[1])) for row in rows]


async def propose(service: DecisionsService, host: Person, actor: Actor) -> int:
    climate = await service.repos.groups.by_slug("climate")
    assert climate is not None
    data = {
        "scope": climate.id,
        "zone": "Europe/Madrid",
        "title": "Which contribution to the glacier year?",
        "body": "Choose what we prepare first.",
        "kind": "choice",
        "options": ["Photo story", "Webinars", "Statement"],
        "multiple": True,
        "closes": CLOSES.isoformat(),
    }
    done = await service.propose(host.id, data, actor)
    assert isinstance(done, Proposed), done
    return done.proposal.id


async def test_choice_answers_nudge_close_outcome_and_a_forgotten_member(
    service: DecisionsService, repos: Repositories, clock: ManualClock
) -> None:
    jorge = await person(repos, 1, "Jorge", "coordinator")
    ana = await person(repos, 2, "Ana", "member")
    olivia = await person(repos, 3, "Olivia", "member")
    outsider = await person(repos, 4, "Wen", None)
    climate = await repos.groups.by_slug("climate")
    assert climate is not None
    actor = Actor(jorge.id, 1, secretariat=False, coordinated=frozenset({climate.id}))
    member_actor = Actor(ana.id, 2, secretariat=False, coordinated=frozenset())
    proposal_id = await propose(service, jorge, actor)

    # A choice with several answers: taps toggle; someone outside the group is refused.
    for code in ("o0", "o1", "o0"):
        answered = await service.answer(proposal_id, ana, code)
        assert isinstance(answered, Answered)
    assert answered.answer == "1"
    assert not answered.needs_reason
    assert isinstance(await service.answer(proposal_id, jorge, "o1"), Answered)
    assert isinstance(await service.answer(proposal_id, jorge, "o9"), Refusal)
    refused = await service.answer(proposal_id, outsider, "o0")
    assert refused == Refusal(rules.NOT_IN_AUDIENCE)
    given = await service.give_reason(ana.id, proposal_id, "Webinars reach the most people.")
    assert not isinstance(given, Refusal)
    assert given.reason == "Webinars reach the most people."

    # The nudge once, to Olivia alone; served twice (as after a restart) it stays one.
    clock.set(CLOSES - timedelta(hours=24))
    assert await service.next_due() == CLOSES - timedelta(hours=24)
    assert await service.serve(clock.now()) == 1
    assert await service.serve(clock.now()) == 0
    assert [chat for chat, _ in await queued(repos, ":nudge:")] == [olivia.telegram_id]

    # The close once: the result to every post, the proposer asked; answers refused after.
    clock.set(CLOSES)
    assert await service.next_due() == CLOSES
    assert await service.serve(clock.now()) == 1
    assert await service.serve(clock.now()) == 0
    results = await queued(repos, ":result:")
    assert sorted(chat for chat, _ in results) == [1, 2, 3]
    assert "Result: Chosen: Webinars" in results[0][1]
    assert await service.answer(proposal_id, olivia, "o0") == Refusal(rules.CLOSED)
    assert isinstance(await service.start_outcome(proposal_id, member_actor, 2), NotAllowed)
    recorded = await service.record_outcome(jorge.id, proposal_id, "Webinars first.", actor)
    assert isinstance(recorded, OutcomeRecorded)
    assert recorded.asks_actions

    # /forgetme: Ana's answer and reason stay, shown as by "a former member".
    privacy = PrivacyService(repos, OutboxService(repos, clock, Wakes()))
    assert await privacy.forget(ana)
    answers = await repos.decisions.answers(proposal_id)
    assert [(a.name, a.answer, a.reason) for a in answers] == [
        (None, "1", "Webinars reach the most people."),
        ("Jorge", "1", None),
    ]
    tr = I18n().translator("en")
    groups = {g.id: g for g in await repos.groups.list()}
    text = minutes_markdown(
        tr, await load_minutes(repos), groups, ZoneInfo("Europe/Madrid"), clock.now()
    )
    assert "| a former member | Webinars | Webinars reach the most people. |" in text
    assert "- Result: Chosen: Webinars" in text
    assert "Webinars first." in text
