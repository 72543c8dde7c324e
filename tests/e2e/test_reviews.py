"""Review, selection and publishing against the emulator: reviewers score with buttons and
decide, authors are told in their language, members vote, the secretariat selects, and the
network channel receives the card and the album."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.context import WnmrcApplication
from bot.outbox import DeliveryConfig
from config import Settings
from sandbox.emulator import CallbackAnswer, Emulator, LedgerEntry, SimChat, SimUser
from storage import Repositories
from storage.models import Experience

from ..conftest import FAST_DELIVERY, SECRETARIAT_ID, bot_settings
from ..emulator.test_files import tiny_png
from ..factories import experience

CHANNEL = "wnmbr_news"
CRITERIA = 6


@pytest.fixture
def delivery() -> DeliveryConfig:
    return FAST_DELIVERY


@pytest.fixture
def publish_menus() -> bool:
    return False


@pytest.fixture
def settings(emulator: Emulator, database_path: Path) -> Settings:
    """The tests' settings plus the network channel (a public channel the bot administers)."""
    emulator.add_group("WNMBR news", kind="channel", username=CHANNEL)
    return bot_settings(emulator, database_path, network_channel=f"@{CHANNEL}")


async def person(
    emulator: Emulator,
    repos: Repositories,
    name: str,
    language: str,
    *,
    member_of: str | None = "climate",
    coordinates: str | None = None,
    user_id: int | None = None,
) -> tuple[SimUser, int]:
    """Someone who started the bot (a member of ``member_of``); their user and person id."""
    user = emulator.add_user(name, language_code=language, user_id=user_id)
    await emulator.says(user, "/start")
    found = await repos.people.by_telegram_id(user.id)
    assert found is not None
    if member_of is not None:
        group = await repos.groups.by_slug(member_of)
        assert group is not None
        await repos.groups.add_member(group.id, found.id, "member", found.created_at)
    if coordinates is not None:
        group = await repos.groups.by_slug(coordinates)
        assert group is not None
        await repos.groups.appoint(group.id, found.id, found.created_at)
    return user, found.id


async def tap(emulator: Emulator, user: SimUser, entry: LedgerEntry, text: str) -> CallbackAnswer:
    """Tap a button; returns the bot's answer once it is done with everything it does."""
    return await _answered(emulator, emulator.tap(user, entry, text))


async def tap_data(
    emulator: Emulator, user: SimUser, entry: LedgerEntry, data: str
) -> CallbackAnswer:
    return await _answered(emulator, emulator.tap_data(user, entry, data))


async def _answered(emulator: Emulator, query_id: str) -> CallbackAnswer:
    await emulator.wait_until(
        lambda: any(a.callback_query_id == query_id for a in emulator.callback_answers)
    )
    await emulator.settle()
    return next(a for a in emulator.callback_answers if a.callback_query_id == query_id)


def current(emulator: Emulator, entry: LedgerEntry) -> str:
    message = emulator.message(entry.chat_id, entry.message_id)
    assert message is not None
    return message.plain


def last_to(emulator: Emulator, chat: SimUser | SimChat) -> LedgerEntry:
    return emulator.sent_to(chat)[-1]


async def open_review(emulator: Emulator, reviewer: SimUser, experience_id: int) -> LedgerEntry:
    """/review, then "Review #id": returns the scoring message (after the card)."""
    queue = await emulator.says(reviewer, "/review")
    mark = len(emulator.ledger)
    await tap(emulator, reviewer, queue, queue.button_texts[_index(queue, experience_id)])

    def prompt() -> LedgerEntry | None:
        sent = [e for e in emulator.ledger[mark:] if e.kind == "send" and e.chat_id == reviewer.id]
        return sent[-1] if sent and sent[-1].button_texts[:1] == ["1"] else None

    await emulator.wait_until(prompt)
    found = prompt()
    assert found is not None
    return found


def _index(queue: LedgerEntry, experience_id: int) -> int:
    for index, button in enumerate(queue.button_texts):
        if button.endswith(f"#{experience_id}"):
            return index
    raise LookupError(f"#{experience_id} is not in the queue: {queue.button_texts}")


async def score_all(emulator: Emulator, reviewer: SimUser, prompt: LedgerEntry, score: int) -> str:
    for _ in range(CRITERIA):
        await tap(emulator, reviewer, prompt, str(score))
    return current(emulator, prompt)


async def next_notice(emulator: Emulator, author: SimUser, mark: int) -> str:
    entry = await emulator.next_message(author, after=mark)
    return entry.text or ""


async def statuses(repos: Repositories, experience_id: int) -> list[str]:
    return [change.status for change in await repos.experiences.history(experience_id)]


# --- review -------------------------------------------------------------------------------


async def test_a_review_with_changes_requested_then_resubmission_and_acceptance(
    app: WnmrcApplication, emulator: Emulator, repos: Repositories
) -> None:
    ana, ana_id = await person(emulator, repos, "Ana", "es")
    carlos, carlos_id = await person(emulator, repos, "Carlos", "en", coordinates="climate")
    terraces = await experience(repos, "Terrazas <andinas>", author_id=ana_id)

    prompt = await open_review(emulator, carlos, terraces.id)
    card = emulator.sent_to(carlos)[-2]
    assert card.html is not None
    assert card.html.startswith("<b>Terrazas &lt;andinas&gt;</b>")
    assert "Criterion 1 of 6: Relevance to the theme" in (prompt.text or "")
    assert prompt.button_texts == ["1", "2", "3", "4", "5"]

    mark = len(emulator.ledger)
    after_scores = await score_all(emulator, carlos, prompt, 4)
    assert "Scores saved for #" in after_scores
    assert "mean 4.0" in after_scores
    assert "replace" not in after_scores
    assert "está en evaluación" in await next_notice(emulator, ana, mark)

    reply = await emulator.says(carlos, "Add <numbers> please")
    assert (reply.text or "").startswith("Comment saved.")
    await tap(emulator, carlos, reply, "Request changes")
    assert current(emulator, reply) == "Type the note for the author: what should change?"
    mark = len(emulator.ledger)
    done = await emulator.says(carlos, "Show the <b>water</b> numbers & photos")
    assert done.text == f"Changes requested on #{terraces.id}. The author has been told."
    notice = await emulator.next_message(ana, after=mark)
    assert "Se solicitan cambios en tu experiencia «Terrazas <andinas>»" in (notice.text or "")
    assert notice.html is not None
    assert (
        "Nota del evaluador: Show the &lt;b&gt;water&lt;/b&gt; numbers &amp; photos" in notice.html
    )

    stored = await repos.experiences.get(terraces.id)
    assert stored is not None
    assert stored.decision_note == "Show the <b>water</b> numbers & photos"
    [review] = await repos.reviews.reviews(terraces.id)
    assert (review.reviewer_id, review.comment) == (carlos_id, "Add <numbers> please")
    assert set(review.scores.values()) == {4}

    # Ana edits and sends it again (the submission feature's /myexperiences; here directly).
    await repos.experiences.set_status(
        terraces.id,
        "submitted",
        datetime.now(UTC),
        changed_by=ana_id,
        only_from=["changes_requested"],
    )
    prompt = await open_review(emulator, carlos, terraces.id)
    assert "your new scores will replace the earlier ones" in (prompt.text or "")
    after_scores = await score_all(emulator, carlos, prompt, 5)
    assert "They replace your earlier scores." in after_scores
    await tap(emulator, carlos, prompt, "Skip")
    mark = len(emulator.ledger)
    await tap(emulator, carlos, prompt, "Accept")
    assert current(emulator, prompt) == f"#{terraces.id} is accepted. The author has been told."
    accepted = await next_notice(emulator, ana, mark)
    while "aceptada" not in accepted:
        accepted = await next_notice(emulator, ana, mark)
    assert accepted == "Tu experiencia «Terrazas <andinas>» ha sido aceptada. ¡Gracias!"

    [review] = await repos.reviews.reviews(terraces.id)
    assert set(review.scores.values()) == {5}
    assert review.comment is None
    assert await statuses(repos, terraces.id) == [
        "submitted",
        "in_review",
        "changes_requested",
        "submitted",
        "in_review",
        "accepted",
    ]

    stale = await tap_data(emulator, carlos, prompt, f"rd:{terraces.id}:d")
    assert stale.show_alert
    assert stale.text == f"Experience #{terraces.id} has already been decided: it is accepted."
    own = await tap_data(emulator, ana, notice, f"rv:{terraces.id}")
    assert own.text is not None
    assert own.text.startswith("Solo los coordinadores de sus grupos de trabajo")
    forged = await tap_data(emulator, carlos, prompt, "rq:999999:0:5")
    assert forged.text == "There is no experience #999999."
    stored = await repos.experiences.get(terraces.id)
    assert stored is not None
    assert stored.status == "accepted"


async def test_two_reviewers_score_and_the_ranking_shows_mean_reviews_and_spread(
    app: WnmrcApplication, emulator: Emulator, repos: Repositories
) -> None:
    _, ana_id = await person(emulator, repos, "Ana", "es")
    carlos, _ = await person(emulator, repos, "Carlos", "en", coordinates="climate")
    jorge, _ = await person(emulator, repos, "Jorge", "es", user_id=SECRETARIAT_ID)
    lea, _ = await person(emulator, repos, "Léa", "fr", coordinates="biodiversity")
    terraces = await experience(repos, "Terrazas", author_id=ana_id)
    honey = await experience(repos, "Miel de altura", author_id=ana_id)

    prompt = await open_review(emulator, carlos, terraces.id)
    await score_all(emulator, carlos, prompt, 5)
    await tap(emulator, carlos, prompt, "Skip")
    await tap(emulator, carlos, prompt, "Decide later")
    assert current(emulator, prompt) == "Saved. Decide later from /review."

    prompt = await open_review(emulator, jorge, terraces.id)
    assert "Criterio 1 de 6: Pertinencia para el tema" in (prompt.text or "")
    await score_all(emulator, jorge, prompt, 3)
    await tap(emulator, jorge, prompt, "Omitir")
    await tap(emulator, jorge, prompt, "Aceptar")

    prompt = await open_review(emulator, carlos, honey.id)
    await score_all(emulator, carlos, prompt, 3)
    await tap(emulator, carlos, prompt, "Skip")
    await tap(emulator, carlos, prompt, "Accept")

    ranking = await emulator.says(carlos, "/rank climate")
    lines = (ranking.text or "").splitlines()
    assert lines[0] == "Ranking: Climate change"
    assert lines[2].startswith(f"1. #{terraces.id} Terrazas — 4.0 (2 reviews, spread 2.0)")
    assert lines[3].startswith(f"2. #{honey.id} Miel de altura — 3.0 (1 review, spread 0.0)")
    assert lines[2].endswith("accepted · 0 votes")
    french = await emulator.says(lea, "/rank")
    assert (french.text or "").startswith("Classement\u202f: tous les thèmes")
    nothing = await emulator.says(lea, "/rank biodiversity")
    assert nothing.text == "Aucune expérience acceptée dans Biodiversité pour l’instant."
    queue = await emulator.says(lea, "/review")
    assert queue.text == "Rien n’attend votre évaluation."


# --- selection and publishing -----------------------------------------------------------


async def _accepted(
    emulator: Emulator, repos: Repositories, author_id: int, title: str, **kwargs: object
) -> Experience:
    return await experience(repos, title, author_id=author_id, status="accepted", **kwargs)  # type: ignore[arg-type]


async def test_shortlist_vote_select_and_publish_to_the_channel_and_the_group_chat(
    app: WnmrcApplication, emulator: Emulator, repos: Repositories
) -> None:
    ana, ana_id = await person(emulator, repos, "Ana", "es")
    carlos, _ = await person(emulator, repos, "Carlos", "en", coordinates="climate")
    jorge, _ = await person(emulator, repos, "Jorge", "en", member_of=None, user_id=SECRETARIAT_ID)
    bo, _ = await person(emulator, repos, "Bo", "en", member_of="biodiversity")
    chat = emulator.add_group("Climate chat", members=[ana, carlos])
    climate = await repos.groups.by_slug("climate")
    assert climate is not None
    await repos.chats.upsert(
        chat_id=chat.id,
        type=chat.type,
        title="Climate chat",
        username=None,
        is_forum=False,
        now=datetime.now(UTC),
    )
    await repos.groups.link_chat(climate.id, chat.id, None, datetime.now(UTC))
    photos = tuple(
        emulator.world.store_file(tiny_png(), "photo", size=(3, 2)).file_id for _ in "ab"
    )
    terraces = await _accepted(
        emulator, repos, ana_id, "Terrazas <andinas>", photos=photos, replicability="Mingas"
    )
    honey = await _accepted(emulator, repos, ana_id, "Miel de altura")
    forest = await _accepted(emulator, repos, ana_id, "Bosque", themes=("biodiversity",))

    mark = len(emulator.ledger)
    reply = await emulator.says(carlos, f"/shortlist {terraces.id}")
    assert reply.text == f"#{terraces.id} Terrazas <andinas> is on the shortlist."
    assert "preselección" in await next_notice(emulator, ana, mark)
    mark = len(emulator.ledger)
    await emulator.says(carlos, f"/shortlist {honey.id}")
    assert "Miel de altura" in await next_notice(emulator, ana, mark)
    refused = await emulator.says(carlos, f"/shortlist {forest.id}")
    assert (refused.text or "").startswith("Only the coordinators of its working groups")
    again = await emulator.says(carlos, f"/shortlist {honey.id}")
    assert (
        again.text == f"Only accepted experiences go on the shortlist; #{honey.id} is shortlisted."
    )

    mark = len(emulator.ledger)
    opened = await emulator.says(jorge, "/vote climate")
    assert opened.text == (
        "The selection vote of Climate change is open. 2 members get the ballot now."
    )
    ballot = await emulator.next_message(ana, after=mark)
    assert (ballot.text or "").startswith("Votación de selección de Cambio climático")
    assert ballot.button_texts == [
        f"☐ #{terraces.id} Terrazas <andinas>",
        f"☐ #{honey.id} Miel de altura",
    ]
    counted = await tap(emulator, ana, ballot, ballot.button_texts[0])
    assert counted.text == f"Tu voto por #{terraces.id} se ha contado."
    assert emulator.message(ana.id, ballot.message_id).buttons[0][0].text.startswith("✅")  # type: ignore[union-attr]
    taken = await tap(emulator, ana, ballot, f"✅ #{terraces.id} Terrazas <andinas>")
    assert taken.text == f"Has retirado tu voto por #{terraces.id}."
    await tap(emulator, ana, ballot, f"☐ #{terraces.id} Terrazas <andinas>")
    carlos_ballot = next(
        e for e in emulator.sent_to(carlos) if e.text and e.text.startswith("Selection vote")
    )
    await tap(emulator, carlos, carlos_ballot, carlos_ballot.button_texts[0])
    await tap(emulator, carlos, carlos_ballot, carlos_ballot.button_texts[1])
    outsider = await tap_data(emulator, bo, ballot, f"vt:1:{terraces.id}")
    assert outsider.text == "Only members of the working group vote."
    again = await emulator.says(jorge, "/vote climate")
    assert again.text == (
        "The selection vote of Climate change was already open. 0 members get the ballot now."
    )

    ranking = await emulator.says(carlos, "/rank climate")
    assert "shortlisted · 2 votes" in (ranking.text or "")
    assert "shortlisted · 1 vote" in (ranking.text or "")

    channel = emulator.chat(f"@{CHANNEL}")
    assert channel is not None
    mark = len(emulator.ledger)
    bad = await emulator.says(jorge, f"/select {terraces.id} 999999")
    assert bad.text == "There is no experience #999999.\nNothing was selected."
    selected = await emulator.says(jorge, f"/select {terraces.id}")
    assert (selected.text or "").splitlines() == [
        "Selected and published:",
        f"#{terraces.id} Terrazas <andinas>: posted to 2 chats",
    ]
    await emulator.wait_until(lambda: len(emulator.sent_to(channel)) == 3)
    await emulator.wait_until(lambda: len(emulator.sent_to(chat)) >= 3)
    card, *album = emulator.sent_to(channel)
    assert card.html is not None
    assert card.html.startswith("<b>Terrazas &lt;andinas&gt;</b>\n<i>Huascarán · Peru</i>")
    assert "<b>How to replicate</b>\nMingas" in card.html
    assert "contact@example.org" in card.html
    assert [e.method for e in album] == ["sendMediaGroup", "sendMediaGroup"]
    assert [e.photo.file_id if e.photo else None for e in album] == list(photos)
    assert album[0].html == "<b>Terrazas &lt;andinas&gt;</b>"
    group_card = emulator.sent_to(chat)[0]
    assert (group_card.text or "").startswith("Terrazas <andinas>")
    assert "seleccionada" in await next_notice(emulator, ana, mark)
    [publication, _] = sorted(
        await repos.reviews.publications(terraces.id), key=lambda p: p.chat_id
    )
    assert publication.telegram_message_id is not None
    closed = await tap(emulator, ana, ballot, ballot.button_texts[1])
    assert closed.text == "Esta votación está cerrada."

    browse = await emulator.says(bo, "/experiences")
    assert (browse.text or "").splitlines()[1].startswith(f"#{terraces.id} Terrazas <andinas>")
    assert "Miel" not in (browse.text or "")
    one = await emulator.says(bo, f"/experiences {terraces.id}")
    assert (one.text or "").startswith("Terrazas <andinas>")
    hidden = await emulator.says(bo, f"/experiences {honey.id}")
    assert hidden.text == f"There is no experience #{honey.id}."
    everything = await emulator.says(carlos, "/experiences climate")
    assert "Miel de altura" in (everything.text or "")
    assert "Bosque" not in (everything.text or "")
    peru = await emulator.says(carlos, "/experiences Peru")
    assert "Bosque" in (peru.text or "")
    unknown = await emulator.says(bo, "/experiences <Atlantis>")
    assert (unknown.text or "").startswith("There is no theme, country or status “<Atlantis>”")


async def test_export_experiences_sends_csv_and_json_with_scores(
    app: WnmrcApplication, emulator: Emulator, repos: Repositories
) -> None:
    _, ana_id = await person(emulator, repos, "Ana", "es")
    jorge, jorge_id = await person(emulator, repos, "Jorge", "en", user_id=SECRETARIAT_ID)
    terraces = await _accepted(emulator, repos, ana_id, "=Terrazas, <andinas>")
    await repos.reviews.save_review(
        terraces.id, jorge_id, {"relevance": 4, "results": 2}, datetime.now(UTC), "Bien"
    )

    first = await emulator.says(jorge, "/export experiences")
    await emulator.wait_until(lambda: len(emulator.sent_to(jorge)) >= 3)
    second = emulator.sent_to(jorge)[-1]

    assert first.document is not None
    assert first.document.filename is not None
    assert first.document.filename.endswith(".csv")
    assert first.text == "1 experience, with scores."
    [row] = list(csv.DictReader(io.StringIO(first.document.content.decode("utf-8-sig"))))
    assert row["title"] == "'=Terrazas, <andinas>"
    assert (row["mean_score"], row["reviews_count"], row["score_relevance"]) == ("3.0", "1", "4.0")
    assert row["author"] == "Ana"
    assert second.document is not None
    data = json.loads(second.document.content)
    [exported] = data["experiences"]
    assert exported["title"] == "=Terrazas, <andinas>"
    assert exported["reviews"][0]["scores"] == {"relevance": 4, "results": 2}
    assert exported["reviews"][0]["comment"] == "Bien"
