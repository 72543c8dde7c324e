"""Proposals and decisions end to end: a consent proposal to the climate group, answers with
reasons, live counts in the group, the nudge to the undecided only, the close on time (manual
clock), the outcome, /decisions and the refusals.

The bot's clock starts on Thursday 2026-10-01 12:00 UTC. The proposal closes on Thursday 8
October 2026 at 18:00 in Madrid (summer time, UTC+2): 16:00 UTC, 11:00 in Lima (UTC-5) and
03:00 on Friday 9 October in Sydney (summer time since 4 October, UTC+11).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.clock import ManualClock
from bot.context import WnmrcApplication
from bot.decisions.minutes import export_decisions
from bot.outbox import DeliveryConfig
from config import Settings
from sandbox.emulator import Emulator, SimChat, SimUser
from sandbox.emulator.journal import LedgerEntry
from storage import Repositories

from ..conftest import FAST_DELIVERY, SECRETARIAT_ID
from .test_meetings import current, member, tap

NOW = datetime(2026, 10, 1, 12, 0, tzinfo=UTC)
CLOSES = datetime(2026, 10, 8, 16, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(NOW)


@pytest.fixture
def delivery() -> DeliveryConfig:
    return FAST_DELIVERY


@pytest.fixture
def publish_menus() -> bool:
    return False


async def network(
    emulator: Emulator, repos: Repositories
) -> tuple[SimUser, SimUser, SimUser, SimUser, SimChat]:
    """Jorge coordinates climate from Madrid; Ana (Spanish) in Lima, Olivia in Sydney, Kofi in
    Nairobi are members."""
    jorge = await member(emulator, repos, "Jorge", "Europe/Madrid", role="coordinator")
    ana = await member(emulator, repos, "Ana", "America/Lima", language="es")
    olivia = await member(emulator, repos, "Olivia", "Australia/Sydney")
    kofi = await member(emulator, repos, "Kofi", "Africa/Nairobi")
    chat = emulator.add_group("Climate chat", members=[jorge, ana, olivia, kofi])
    await repos.chats.upsert(
        chat_id=chat.id, type="supergroup", title=chat.title, username=None, is_forum=False, now=NOW
    )
    climate = await repos.groups.by_slug("climate")
    assert climate is not None
    await repos.groups.link_chat(climate.id, chat.id, None, NOW)
    return jorge, ana, olivia, kofi, chat


async def propose(emulator: Emulator, jorge: SimUser) -> LedgerEntry:
    """Jorge walks through /propose; returns the message the form walked on."""
    first = await emulator.says(jorge, "/propose climate")
    assert "What is the proposal's title?" in (first.text or "")
    await emulator.says(jorge, "Adopt the <b>methodology</b> for best practices")
    kind = await emulator.says(jorge, "The working groups refined it in October.")
    assert "How do members answer?" in (kind.text or "")
    await tap(emulator, jorge, kind, "Consent (agree, abstain, disagree, block)")
    assert "in your zone (Madrid)" in current(emulator, kind)
    past = await emulator.says(jorge, "2026-09-01 10:00")
    assert "is already past" in (past.text or "")
    summary = await emulator.says(jorge, "8 Oct 18:00")
    text = summary.text or ""
    assert "Please check the proposal to Climate change:" in text
    assert "Open until Thursday, October 8, 2026 18:00 (Madrid)" in text
    await tap(emulator, jorge, summary, "Post it")
    assert current(emulator, summary).startswith("Posted: proposal #1.")
    return summary


def post_in(emulator: Emulator, chat: SimChat | SimUser) -> LedgerEntry:
    return next(e for e in emulator.sent_to(chat) if "#1" in (e.text or "") and e.buttons)


async def test_consent_proposal_answers_nudge_close_and_outcome(
    app: WnmrcApplication,
    emulator: Emulator,
    repos: Repositories,
    clock: ManualClock,
    settings: Settings,
    tmp_path: Path,
) -> None:
    jorge, ana, olivia, kofi, chat = await network(emulator, repos)
    outsider = emulator.add_user("Wen", language_code="zh", started=True)
    await propose(emulator, jorge)

    def posted() -> bool:
        return all(
            any("#1" in (e.text or "") for e in emulator.sent_to(who))
            for who in (chat, ana, olivia, kofi, jorge)
        )

    await emulator.wait_until(posted)
    in_chat, for_ana, for_olivia = (post_in(emulator, c) for c in (chat, ana, olivia))
    assert "Open until Thursday, October 8, 2026 18:00 (Madrid)" in (in_chat.text or "")
    assert "jueves, 8 de octubre de 2026 11:00 (Lima)" in (for_ana.text or "")
    assert "Friday, October 9, 2026 03:00 (Sydney)" in (for_olivia.text or "")
    assert "<b>Adopt the &lt;b&gt;methodology&lt;/b&gt; for best practices</b>" in (
        in_chat.html or ""
    )
    assert "👍 Agree: 0" in (in_chat.text or "")

    # Ana disagrees in her private chat and gives her reason; Jorge and Kofi agree in the group.
    toast = await tap(emulator, ana, for_ana, "👎 En desacuerdo")
    assert toast is not None
    assert toast.startswith("Tu respuesta: 👎 En desacuerdo.")
    await emulator.wait_until(
        lambda: any("escribe tu motivo" in (e.text or "") for e in emulator.sent_to(ana))
    )
    thanks = await emulator.says(ana, "Falta el caso de los Andes <y> la Patagonia.")
    assert "motivo" in (thanks.text or "")
    assert await tap(emulator, jorge, in_chat, "👍 Agree") == "Your answer: 👍 Agree"
    # Kofi disagrees in the group's chat first: the reason is asked in his private chat.
    toast = await tap(emulator, kofi, in_chat, "👎 Disagree")
    assert toast == "Your answer: 👎 Disagree. Please tell me why in our private chat."
    await emulator.wait_until(
        lambda: any(
            (e.text or "") == "You answered 👎 Disagree to proposal #1. Please type your reason."
            for e in emulator.sent_to(kofi)
        )
    )
    assert await tap(emulator, kofi, in_chat, "👍 Agree") == "Your answer: 👍 Agree"
    # Someone outside the group cannot answer.
    refused = await tap(emulator, outsider, in_chat, "✋ Block")
    assert refused == "只有此提案所面向的成员才能回答。"
    await emulator.wait_until(
        lambda: (
            "👍 Agree: 2 (Jorge, Kofi)" in current(emulator, in_chat)
            and "👎 Disagree: 1 (Ana)" in current(emulator, in_chat)
        ),
        timeout=10,
    )
    answers = await repos.decisions.answers(1)
    assert {(a.name, a.answer, a.reason) for a in answers} == {
        ("Ana", "disagree", "Falta el caso de los Andes <y> la Patagonia."),
        ("Jorge", "agree", None),
        ("Kofi", "agree", None),
    }

    # 24 hours before closing, only Olivia (undecided) is nudged, once.
    service = app.services.decisions
    clock.set(CLOSES - timedelta(hours=24, seconds=1))
    assert await service.serve(clock.now()) == 0
    clock.set(CLOSES - timedelta(hours=24))
    await service.serve(clock.now())
    await emulator.wait_until(
        lambda: any("closes in 24 hours" in (e.text or "") for e in emulator.sent_to(olivia))
    )
    assert await service.serve(clock.now()) == 0
    nudge = next(e for e in emulator.sent_to(olivia) if "closes in 24 hours" in (e.text or ""))
    assert "Friday, October 9, 2026 03:00 (Sydney)" in (nudge.text or "")
    for who in (ana, jorge, kofi):
        assert not any("⏰" in (e.text or "") for e in emulator.sent_to(who))

    # On time it closes: the result goes to the chat and the members, the proposer is asked.
    clock.set(CLOSES)
    await service.serve(clock.now())
    await emulator.wait_until(
        lambda: any("Result: Agreed" in (e.text or "") for e in emulator.sent_to(chat))
    )
    await emulator.wait_until(
        lambda: any("/outcome 1" in (e.text or "") for e in emulator.sent_to(jorge))
    )
    await emulator.wait_until(
        lambda: any("Resultado" in (e.text or "") for e in emulator.sent_to(ana))
    )
    await emulator.wait_until(lambda: "Closed on" in current(emulator, in_chat))
    assert emulator.message(in_chat.chat_id, in_chat.message_id).buttons == []  # type: ignore[union-attr]
    late = await tap(emulator, olivia, nudge, "👍 Agree")  # the nudge still has buttons
    assert late == "This proposal has closed: answers are no longer taken."

    # The outcome: refused to a member, recorded by the proposer and told to the chat.
    assert (await emulator.says(kofi, "/outcome 1")).text == (
        "Only coordinators of a working group and the secretariat can do that."
    )
    ask = await emulator.says(jorge, "/outcome 1")
    assert "Type the outcome of proposal #1" in (ask.text or "")
    done = await emulator.says(jorge, "The methodology is adopted; the Andes case is added.")
    assert done.text == "The outcome of proposal #1 is recorded."
    await emulator.wait_until(
        lambda: any(
            "Does it create roadmap actions?" in (e.text or "") for e in emulator.sent_to(jorge)
        )
    )

    # The outcome creates a roadmap action, linked to the decision; bad lines change nothing.
    bad = await emulator.says(jorge, "Add the Andes case")
    assert (bad.text or "").startswith("Type each action as: title; owner; due date")
    nobody = await emulator.says(jorge, "Add the Andes case; Wen; 30 Oct")
    assert nobody.text == "No member of this proposal's audience is called “Wen”."
    added = await emulator.says(jorge, "Add the Andes case to the methodology; Ana; 30 Oct")
    assert (added.text or "").startswith(
        "→ Action #1: Add the Andes case to the methodology (Ana, due"
    )
    actions = await repos.roadmap.actions()
    assert [(a.title, a.proposal_id, a.due_date.isoformat()) for a in actions] == [
        ("Add the Andes case to the methodology", 1, "2026-10-30")
    ]
    await tap(emulator, jorge, added, "Done")
    await emulator.wait_until(lambda: any("📌" in (e.text or "") for e in emulator.sent_to(chat)))
    mine = await emulator.says(ana, "/decisions")
    assert "Adopt the <b>methodology</b> for best practices" in (mine.text or "")
    assert "Resultado: Aprobada" in (mine.text or "")
    assert "The methodology is adopted; the Andes case is added." in (mine.text or "")
    assert "→ Acción #1: Add the Andes case to the methodology (Ana, fecha límite" in (
        mine.text or ""
    )

    # The minutes: every answer with its reason, the result and the outcome.
    minutes = tmp_path / "decisions.md"
    line = await export_decisions(settings, minutes, clock.now())
    assert line == f"{minutes}: 1 proposals, 3 answers"
    text = minutes.read_text("utf-8")
    assert "## #1 Adopt the &lt;b&gt;methodology&lt;/b&gt; for best practices" in text
    assert "- Put to: Climate change" in text
    assert "- Result: Agreed" in text
    assert "| Ana | 👎 Disagree | Falta el caso de los Andes &lt;y&gt; la Patagonia. |" in text
    assert "| Jorge | 👍 Agree | — |" in text
    assert "| Kofi | 👍 Agree | — |" in text
    assert "The methodology is adopted; the Andes case is added." in text
    assert "- → Action #1: Add the Andes case to the methodology (Ana, due" in text


async def test_a_choice_to_the_whole_network_by_the_secretariat(
    app: WnmrcApplication, emulator: Emulator, repos: Repositories, clock: ManualClock
) -> None:
    jorge, ana, _olivia, kofi, chat = await network(emulator, repos)
    lea = emulator.add_user("Léa", language_code="fr", user_id=SECRETARIAT_ID, started=True)
    # A coordinator may not put a proposal to the whole network.
    refused = await emulator.says(jorge, "/propose all")
    assert refused.text == "Only the network secretariat can do that."
    unknown = await emulator.says(jorge, "/propose nowhere")
    assert (unknown.text or "").startswith("There is no working group “nowhere”.")

    first = await emulator.says(lea, "/propose all")
    assert "<b>Proposition à tout le réseau</b>" in (first.html or "")
    await emulator.says(lea, "Contribution à l’Année des glaciers 2025")
    kind = await emulator.says(lea, "Que préparons-nous d’abord ?")
    await tap(emulator, lea, kind, "Choix entre des options")
    too_few = await emulator.says(lea, "Un récit photo")
    assert "entre 2 et 10 options" in (too_few.text or "")
    several = await emulator.says(lea, "Un récit photo\nDes webinaires\nUne déclaration commune")
    await tap(emulator, lea, several, "Plusieurs options")
    summary = await emulator.says(lea, "9 oct. 18h00")
    assert "Ouverte jusqu’au vendredi 9 octobre 2026 18:00" in (summary.text or "")
    await tap(emulator, lea, summary, "La publier")
    assert current(emulator, summary).startswith("Publiée\u202f: proposition n° 1.")

    await emulator.wait_until(
        lambda: all(any("#1" in (e.text or "") for e in emulator.sent_to(w)) for w in (chat, kofi))
    )
    for_kofi = post_in(emulator, kofi)
    assert "Choose one or several options:" in (for_kofi.text or "")
    await tap(emulator, kofi, for_kofi, "1. Un récit photo")
    await tap(emulator, kofi, for_kofi, "2. Des webinaires")
    await emulator.wait_until(
        lambda: "Your answer: Un récit photo, Des webinaires" in current(emulator, for_kofi)
    )
    in_chat = post_in(emulator, chat)
    await tap(emulator, ana, in_chat, "2. Des webinaires")
    await emulator.wait_until(
        lambda: "2. Des webinaires: 2 (Kofi, Ana)" in current(emulator, in_chat), timeout=10
    )
    assert "1. Un récit photo: 1 (Kofi)" in current(emulator, in_chat)
    answers = {a.name: a.answer for a in await repos.decisions.answers(1)}
    assert answers == {"Kofi": "0,1", "Ana": "1"}
    # In the climate chat, /decisions lists the climate group's proposals (none: this one is
    # the network's).
    listed = await emulator.says(kofi, "/decisions", chat=chat)
    assert listed.text == "No proposals yet."
    mine = await emulator.says(kofi, "/decisions")
    assert "Your answer: Un récit photo, Des webinaires" in (mine.text or "")
