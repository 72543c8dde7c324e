"""Reviews, selection votes and publications against a real, migrated database."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from config import load_network
from storage import Person, Repositories
from storage.outbox import OutboxPayload, OutgoingMessage
from storage.privacy import PrivacyRepository, Subject

from ..factories import experience


async def _person(repos: Repositories, now: datetime, telegram_id: int, name: str) -> Person:
    return await repos.people.upsert_from_telegram(
        telegram_id=telegram_id,
        first_name=name,
        last_name=None,
        username=None,
        language_code="es",
        private=True,
        now=now,
    )


@pytest.fixture
async def seeded(repos: Repositories, now: datetime) -> Repositories:
    await repos.groups.seed(load_network().groups, now)
    return repos


async def test_a_second_review_replaces_the_first_scores_and_comment(
    seeded: Repositories, now: datetime
) -> None:
    repos = seeded
    ana, bo = await _person(repos, now, 1, "Ana"), await _person(repos, now, 2, "Bo")
    e = await experience(repos, "Terrazas", author_id=ana.id)

    first = await repos.reviews.save_review(e.id, bo.id, {"relevance": 2, "results": 3}, now)
    await repos.reviews.set_comment(e.id, bo.id, "Needs numbers", now)
    later = now + timedelta(hours=1)
    second = await repos.reviews.save_review(e.id, bo.id, {"relevance": 5}, later)

    assert (first, second) == (False, True)
    [review] = await repos.reviews.reviews(e.id)
    assert review.scores == {"relevance": 5}
    assert review.comment is None
    assert (review.created_at, review.updated_at) == (now, later)
    assert await repos.reviews.review_of(e.id, ana.id) is None
    assert await repos.reviews.set_comment(e.id, ana.id, "x", now) is False


async def test_scores_outside_1_to_5_are_refused(seeded: Repositories, now: datetime) -> None:
    bo = await _person(seeded, now, 2, "Bo")
    e = await experience(seeded, "Terrazas")

    with pytest.raises(ValueError, match="1 to 5"):
        await seeded.reviews.save_review(e.id, bo.id, {"relevance": 6}, now)
    assert await seeded.reviews.reviews(e.id) == []


async def test_reviews_of_many_experiences_at_once(seeded: Repositories, now: datetime) -> None:
    repos = seeded
    bo, cy = await _person(repos, now, 2, "Bo"), await _person(repos, now, 3, "Cy")
    a = await experience(repos, "A")
    b = await experience(repos, "B")
    await repos.reviews.save_review(a.id, bo.id, {"relevance": 4}, now)
    await repos.reviews.save_review(a.id, cy.id, {"relevance": 2}, now)

    found = await repos.reviews.reviews_of([a.id, b.id])

    assert [r.scores["relevance"] for r in found[a.id]] == [4, 2]
    assert found[b.id] == []
    assert await repos.reviews.reviews_of([]) == {}


async def test_a_round_is_reused_while_open_and_votes_toggle(
    seeded: Repositories, now: datetime
) -> None:
    repos = seeded
    climate = await repos.groups.by_slug("climate")
    assert climate is not None
    bo, cy = await _person(repos, now, 2, "Bo"), await _person(repos, now, 3, "Cy")
    a = await experience(repos, "A", status="shortlisted")
    b = await experience(repos, "B", status="shortlisted")

    opened, created = await repos.reviews.open_round(climate.id, bo.id, now)
    again, created_again = await repos.reviews.open_round(climate.id, cy.id, now)
    assert (created, created_again, again.id) == (True, False, opened.id)
    assert opened.is_open

    assert await repos.reviews.toggle_vote(opened.id, a.id, bo.id, now) is True
    assert await repos.reviews.toggle_vote(opened.id, b.id, bo.id, now) is True
    assert await repos.reviews.toggle_vote(opened.id, a.id, cy.id, now) is True
    assert await repos.reviews.toggle_vote(opened.id, b.id, bo.id, now) is False

    assert await repos.reviews.votes_of(opened.id, bo.id) == {a.id}
    assert await repos.reviews.vote_counts() == {a.id: 2}
    assert await repos.reviews.close_rounds(now) == 1
    closed = await repos.reviews.round(opened.id)
    assert closed is not None
    assert not closed.is_open
    fresh, created = await repos.reviews.open_round(climate.id, bo.id, now)
    assert created
    assert fresh.id != opened.id


async def test_publications_know_their_message_once_sent(
    seeded: Repositories, now: datetime
) -> None:
    repos = seeded
    e = await experience(repos, "A", status="selected")
    key = f"pub:{e.id}:-100:1"
    await repos.outbox.enqueue(
        [
            OutgoingMessage(
                kind="announcement",
                chat_id=-100,
                dedupe_key=key,
                payload=OutboxPayload(text="card"),
                due_at=now,
            )
        ],
        now,
    )

    assert await repos.reviews.record_publication(e.id, -100, key, now) is True
    assert await repos.reviews.record_publication(e.id, -100, key, now) is False
    [publication] = await repos.reviews.publications(e.id)
    assert publication.telegram_message_id is None
    row = await repos.outbox.by_key(key)
    assert row is not None
    await repos.outbox.mark_sent(row.id, 77, now)

    [publication] = await repos.reviews.publications(e.id)
    assert (publication.chat_id, publication.telegram_message_id) == (-100, 77)
    published = await repos.experiences.get(e.id)
    assert published is not None
    assert published.published_at == now


async def test_a_forgotten_reviewer_leaves_the_scores_and_takes_the_votes(
    seeded: Repositories, now: datetime
) -> None:
    repos = seeded
    climate = await repos.groups.by_slug("climate")
    assert climate is not None
    bo = await _person(repos, now, 2, "Bo")
    e = await experience(repos, "A", status="shortlisted")
    await repos.reviews.save_review(e.id, bo.id, {"relevance": 4}, now)
    await repos.reviews.set_comment(e.id, bo.id, "Good <b>", now)
    vote_round, _ = await repos.reviews.open_round(climate.id, bo.id, now)
    await repos.reviews.toggle_vote(vote_round.id, e.id, bo.id, now)
    privacy = PrivacyRepository(repos.db)
    who = Subject(bo.id, bo.telegram_id)

    data = await privacy.personal_data(who)
    assert data["reviews_written"] == [
        {
            "experience_id": e.id,
            "comment": "Good <b>",
            "created_at": now.isoformat(),
            "updated_at": now.isoformat(),
            "scores": {"relevance": 4},
        }
    ]
    assert [v["experience_id"] for v in data["selection_votes"]] == [e.id]
    assert [r["id"] for r in data["selection_rounds_opened"]] == [vote_round.id]

    assert await privacy.forget(who)

    [review] = await repos.reviews.reviews(e.id)
    assert (review.reviewer_id, review.scores) == (None, {"relevance": 4})
    assert await repos.reviews.vote_counts() == {}
    kept = await repos.reviews.round(vote_round.id)
    assert kept is not None
    assert kept.opened_by is None
