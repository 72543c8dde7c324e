"""The reviews and selection services at storage speed: scores, decisions, the vote, publishing."""

from __future__ import annotations

import pytest

from bot.clock import ManualClock
from bot.profile import Refusal
from bot.reviews import rules
from bot.reviews.selection import EmptyBallot, Published, Ranking, UnknownTheme, Voted, VoteOpened
from bot.reviews.service import (
    KIND,
    CommentSaved,
    Decided,
    Later,
    NextCriterion,
    NoteAsked,
    ReviewOpened,
    ScoresSaved,
    Typed,
)
from storage import Experience, Person, Repositories

from ..factories import experience
from .experiences_world import CRITERIA, World


@pytest.fixture
async def world(repos: Repositories, clock: ManualClock) -> World:
    world = World(repos, clock)
    await world.seed()
    return world


async def _scored(world: World, reviewer: Person, item: Experience, score: int) -> ScoresSaved:
    actor = await world.actor(reviewer)
    opened = await world.reviews.open(actor, item.id, reviewer.telegram_id)
    assert isinstance(opened, ReviewOpened)
    outcome: object = None
    for index in range(len(CRITERIA)):
        outcome = await world.reviews.score(actor, item.id, index, score)
        if index < len(CRITERIA) - 1:
            assert outcome == NextCriterion(item, index + 1)
    assert isinstance(outcome, ScoresSaved)
    return outcome


async def test_scores_then_a_request_for_changes_tell_the_author_in_their_language(
    world: World,
) -> None:
    ana = await world.person(1, "Ana", "es")
    carlos = await world.person(2, "Carlos", "en", coordinates="climate")
    terraces = await experience(world.repos, "Terrazas", author_id=ana.id)

    saved = await _scored(world, carlos, terraces, 4)
    assert (saved.mean, saved.replaced) == (4.0, False)
    in_review = await world.repos.experiences.get(terraces.id)
    assert in_review is not None
    assert in_review.status == "in_review"
    [notice] = await world.outbox()
    assert (notice.chat_id, notice.payload.text) == (
        1,
        "Tu experiencia «Terrazas» está en evaluación.",
    )

    actor = await world.actor(carlos)
    draft = await world.repos.drafts.get(carlos.id, KIND)
    assert draft is not None
    assert await world.reviews.write(actor, draft, "Más cifras") == CommentSaved(in_review)
    asked = await world.reviews.decide(actor, terraces.id, "c")
    assert isinstance(asked, NoteAsked)
    assert asked.target == "changes_requested"
    draft = await world.repos.drafts.get(carlos.id, KIND)
    assert draft is not None
    decided = await world.reviews.write(actor, draft, "Show the <b>water</b>")
    assert isinstance(decided, Decided)
    assert (decided.status, decided.experience.decision_note) == (
        "changes_requested",
        "Show the <b>water</b>",
    )
    assert await world.repos.drafts.get(carlos.id, KIND) is None
    told = (await world.outbox())[-1]
    assert told.payload.text.startswith("Se solicitan cambios en tu experiencia «Terrazas»")
    [review] = await world.repos.reviews.reviews(terraces.id)
    assert (review.comment, set(review.scores.values())) == ("Más cifras", {4})
    assert world.wakes.count == 2


async def test_who_may_review_and_what_a_stale_button_meets(world: World) -> None:
    ana = await world.person(1, "Ana", "es", coordinates="climate")
    carlos = await world.person(2, "Carlos", "en", coordinates="climate")
    lea = await world.person(3, "Léa", "fr", coordinates="biodiversity")
    terraces = await experience(world.repos, "Terrazas", author_id=ana.id)

    own = await world.reviews.open(await world.actor(ana), terraces.id, 1)
    assert own == Refusal(rules.NOT_YOURS_TO_REVIEW, {"id": terraces.id})
    other_theme = await world.reviews.open(await world.actor(lea), terraces.id, 3)
    assert other_theme == Refusal(rules.NOT_YOURS_TO_REVIEW, {"id": terraces.id})
    missing = await world.reviews.open(await world.actor(carlos), 999_999, 2)
    assert missing == Refusal(rules.NO_EXPERIENCE, {"id": 999_999})
    forged = await world.reviews.open(await world.actor(carlos), 10**30, 2)
    assert forged == Refusal(rules.NO_EXPERIENCE, {"id": 10**30})
    no_draft = await world.reviews.score(await world.actor(carlos), terraces.id, 0, 5)
    assert no_draft == Refusal(rules.STALE)

    await _scored(world, carlos, terraces, 5)
    actor = await world.actor(carlos)
    assert await world.reviews.decide(actor, terraces.id, "l") is Later.LATER
    assert await world.reviews.decide(actor, terraces.id, "a") == Refusal(rules.STALE)
    await world.reviews.open(actor, terraces.id, 2)
    await world.repos.experiences.set_status(terraces.id, "withdrawn", world.clock.now())
    decided = await world.reviews.decide(actor, terraces.id, "a")
    assert decided == Refusal(rules.ALREADY_DECIDED, {"id": terraces.id, "status": "withdrawn"})
    draft = await world.repos.drafts.get(carlos.id, KIND)
    assert draft is not None
    assert await world.reviews.write(actor, draft, "late") is Typed.NO_LONGER_WAITING


async def test_a_failed_notice_leaves_the_decision_undone(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    ana = await world.person(1, "Ana", "es")
    carlos = await world.person(2, "Carlos", "en", coordinates="climate")
    terraces = await experience(world.repos, "Terrazas", author_id=ana.id, status="in_review")
    actor = await world.actor(carlos)
    await world.reviews.open(actor, terraces.id, 2)
    draft = await world.repos.drafts.get(carlos.id, KIND)
    assert draft is not None
    await world.repos.drafts.save(carlos.id, KIND, "decide", draft.data, 2, world.clock.now())

    async def broken(*_: object) -> int:
        raise OSError("disk full")

    monkeypatch.setattr(world.repos.outbox, "enqueue", broken)
    with pytest.raises(OSError, match="disk full"):
        await world.reviews.decide(actor, terraces.id, "a")
    stored = await world.repos.experiences.get(terraces.id)
    assert stored is not None
    assert stored.status == "in_review"
    assert await world.repos.drafts.get(carlos.id, KIND) is not None
    monkeypatch.undo()
    accepted = await world.reviews.decide(actor, terraces.id, "a")
    assert isinstance(accepted, Decided)
    assert accepted.experience.status == "accepted"


async def test_shortlist_vote_and_select_publish_once_and_close_the_round(world: World) -> None:
    ana = await world.person(1, "Ana", "es")
    carlos = await world.person(2, "Carlos", "en", coordinates="climate")
    jorge = await world.person(9000, "Jorge", "es")
    climate = await world.repos.groups.by_slug("climate")
    assert climate is not None
    await world.repos.chats.upsert(
        chat_id=-100,
        type="supergroup",
        title="Clima",
        username=None,
        is_forum=False,
        now=world.clock.now(),
    )
    await world.repos.groups.link_chat(climate.id, -100, None, world.clock.now())
    await world.repos.groups.add_member(climate.id, ana.id, "member", world.clock.now())
    terraces = await experience(world.repos, "Terrazas", author_id=ana.id, status="accepted")
    selection = world.selection

    assert isinstance(await selection.ranking("nowhere"), UnknownTheme)
    ranking = await selection.ranking("climate")
    assert isinstance(ranking, Ranking)
    assert [r.experience.id for r in ranking.ranked] == [terraces.id]
    assert isinstance(await selection.open_vote(carlos.id, "climate"), EmptyBallot)
    assert await selection.open_vote(carlos.id, "nowhere") is None

    shortlisted = await selection.shortlist(await world.actor(carlos), terraces.id)
    assert isinstance(shortlisted, Experience)
    assert shortlisted.status == "shortlisted"
    opened = await selection.open_vote(carlos.id, "climate")
    assert isinstance(opened, VoteOpened)
    assert (opened.created, opened.sent) == (True, 2)  # Ana and Carlos, the coordinator
    [ballot] = [n for n in await world.outbox() if n.dedupe_key == f"vote:1:{ana.id}"]
    assert ballot.chat_id == 1
    assert ballot.payload.text.startswith("<b>Votación de selección")
    [[button]] = ballot.payload.reply_markup["inline_keyboard"]  # type: ignore[index]
    assert button["callback_data"] == f"vt:1:{terraces.id}"
    again = await selection.open_vote(carlos.id, "climate")
    assert isinstance(again, VoteOpened)
    assert (again.created, again.sent) == (False, 0)

    voted = await selection.vote(ana.id, 1, terraces.id)
    assert isinstance(voted, Voted)
    assert (voted.stands, voted.voted) == (True, {terraces.id})
    outsider = await world.person(4, "Bo", "zh")
    assert await selection.vote(outsider.id, 1, terraces.id) == Refusal(rules.MEMBERS_VOTE)

    refused = await selection.select(await world.actor(jorge), [terraces.id, 77], channel_id=None)
    assert refused == [Refusal(rules.NO_EXPERIENCE, {"id": 77})]
    published = await selection.select(await world.actor(jorge), [terraces.id], channel_id=-200)
    assert len(published) == 1
    first = published[0]
    assert isinstance(first, Published)
    assert (first.experience.status, first.places) == ("selected", 2)
    posts = [n for n in await world.outbox() if n.chat_id in (-100, -200)]
    assert sorted(n.chat_id for n in posts) == [-200, -100]
    assert await selection.vote(ana.id, 1, terraces.id) == Refusal(rules.VOTE_CLOSED)
    again_published = await selection.select(await world.actor(jorge), [terraces.id], -200)
    assert len(again_published) == 1
    assert len([n for n in await world.outbox() if n.chat_id in (-100, -200)]) == 2
