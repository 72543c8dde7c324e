"""The rules of review, selection and publishing, as plain functions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.experiences.booklet import booklet_html, chapters, md_escape
from bot.i18n import I18n
from bot.reviews import (
    TRANSITIONS,
    Browse,
    Party,
    album_caption,
    album_photos,
    criterion_label,
    matches,
    may_move,
    parse_browse,
    parse_ids,
    parties,
    rank,
    render_card,
    render_ranking,
    sources,
    status_notice,
    tally,
)
from bot.reviews.callbacks import CastVote, Decide, OpenReview, ScoreCriterion, SkipComment
from config import load_network
from storage.models import EXPERIENCE_STATUSES, Experience, ExperienceFile
from storage.reviews import Review

from ..factories import working_group

I18N = I18n()
NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
GROUPS = [
    working_group(1, "climate", "Climate change", "Cambio climático"),
    working_group(2, "biodiversity", "Biodiversity", "Biodiversidad"),
]


def experience(eid: int = 1, **changes: Any) -> Experience:
    values: dict[str, Any] = {
        "id": eid,
        "author_id": 10,
        "status": "submitted",
        "language": "es",
        "title": "Terrazas <andinas>",
        "reserve": "Huascarán",
        "country": "PE",
        "themes": ("climate",),
        "summary": "Agua & suelo",
        "challenge": "Erosión",
        "building_blocks": None,
        "enabling_factors": None,
        "results": "30 % más agua",
        "lessons": None,
        "replicability": "Trabajo comunal",
        "partners": None,
        "contact": "ana@example.pe",
        "links": ("https://example.pe/terrazas",),
        "decision_note": None,
        "submitted_at": NOW,
        "decided_at": None,
        "published_at": None,
        "created_at": NOW,
        "updated_at": NOW,
    }
    return Experience.model_validate(values | changes)


def review(experience_id: int, reviewer: int, *scores: int) -> Review:
    criteria = ["relevance", "results", "replicability"]
    return Review(
        id=reviewer,
        experience_id=experience_id,
        reviewer_id=reviewer,
        comment=None,
        scores=dict(zip(criteria, scores, strict=False)),
        created_at=NOW,
        updated_at=NOW,
    )


# who may do what


def test_a_theme_coordinator_and_the_secretariat_review_but_never_their_own() -> None:
    e = experience(author_id=10)

    assert parties(e, 20, {"climate"}, secretariat=False) == {Party.REVIEWER}
    assert parties(e, 21, {"biodiversity"}, secretariat=False) == frozenset()
    assert parties(e, 22, set(), secretariat=True) == {Party.REVIEWER, Party.SECRETARIAT}
    assert parties(e, 10, {"climate"}, secretariat=True) == {Party.AUTHOR, Party.SECRETARIAT}
    assert parties(experience(author_id=None), 10, set(), secretariat=False) == frozenset()


@pytest.mark.parametrize(
    ("current", "target", "who", "allowed"),
    [
        ("submitted", "in_review", {Party.REVIEWER}, True),
        ("in_review", "accepted", {Party.REVIEWER}, True),
        ("in_review", "changes_requested", {Party.REVIEWER}, True),
        ("changes_requested", "submitted", {Party.AUTHOR}, True),
        ("changes_requested", "submitted", {Party.REVIEWER}, False),
        ("changes_requested", "accepted", {Party.REVIEWER}, False),
        ("in_review", "withdrawn", {Party.AUTHOR}, True),
        ("accepted", "withdrawn", {Party.AUTHOR}, False),
        ("in_review", "accepted", {Party.AUTHOR, Party.SECRETARIAT}, False),
        ("accepted", "shortlisted", {Party.REVIEWER}, True),
        ("shortlisted", "selected", {Party.REVIEWER}, False),
        ("shortlisted", "selected", {Party.SECRETARIAT}, True),
        ("accepted", "selected", {Party.SECRETARIAT}, True),
        ("declined", "accepted", {Party.REVIEWER, Party.SECRETARIAT}, False),
        ("selected", "declined", {Party.REVIEWER, Party.SECRETARIAT}, False),
        ("withdrawn", "submitted", {Party.AUTHOR}, False),
    ],
)
def test_the_status_machine(current: Any, target: Any, who: set[Party], allowed: bool) -> None:
    assert may_move(current, target, who) is allowed


def test_every_transition_names_real_statuses_and_someone() -> None:
    for (source, target), who in TRANSITIONS.items():
        assert source in EXPERIENCE_STATUSES
        assert target in EXPERIENCE_STATUSES
        assert source != target
        assert who


def test_sources_are_the_statuses_a_party_may_move_from() -> None:
    assert sources("accepted", {Party.REVIEWER}) == {"submitted", "in_review"}
    assert sources("declined", {Party.REVIEWER}) == {
        "submitted",
        "in_review",
        "changes_requested",
    }
    assert sources("selected", {Party.REVIEWER}) == frozenset()
    assert sources("selected", {Party.SECRETARIAT}) == {"accepted", "shortlisted"}


# scores and ranking


def test_tally_is_the_mean_of_reviewer_means_with_their_spread() -> None:
    t = tally([review(1, 1, 5, 5, 5), review(1, 2, 3, 3, 3), review(1, 3)])

    assert (t.count, t.mean, t.spread) == (2, 4.0, 2.0)
    assert t.by_criterion == {"relevance": 4.0, "results": 4.0, "replicability": 4.0}
    empty = tally([])
    assert (empty.count, empty.mean, empty.spread) == (0, None, 0.0)


def test_rank_by_mean_then_reviews_then_votes_unreviewed_last() -> None:
    a, b, c, d = (experience(i, status="accepted") for i in (1, 2, 3, 4))
    reviews = {
        1: [review(1, 1, 3, 3, 3)],
        2: [review(2, 1, 4, 4, 4), review(2, 2, 4, 4, 4)],
        3: [review(3, 1, 4, 4, 4)],
    }

    ranked = rank([a, b, c, d], reviews, {3: 2})

    assert [r.experience.id for r in ranked] == [2, 3, 1, 4]
    assert ranked[1].votes == 2


def test_the_ranking_reads_in_the_readers_language_with_titles_escaped() -> None:
    ranked = rank([experience(1, status="shortlisted")], {1: [review(1, 1, 4, 5, 3)]}, {1: 3})

    text = render_ranking(I18N.translator("en"), ranked, "Climate change")

    assert "Ranking: Climate change" in text
    assert "1. #1 Terrazas &lt;andinas&gt; — 4.0 (1 review, spread 0.0)" in text
    assert "shortlisted · 3 votes" in text
    none = render_ranking(I18N.translator("es"), [], "Cambio climático")
    assert "Cambio climático" in none
    assert none != render_ranking(I18N.translator("en"), [], "Cambio climático")


def test_criteria_of_the_network_file_all_have_a_translated_label() -> None:
    es = I18N.translator("es")
    for slug in load_network().review.criteria:
        assert criterion_label(I18N.translator("en"), slug) != criterion_label(es, slug)
    assert criterion_label(es, "water_use") == "Water use"


# the card, the album, the notices


def test_the_card_escapes_every_field_and_shows_the_published_parts() -> None:
    card = render_card(I18N.translator("en"), experience(), GROUPS)

    assert card.startswith("<b>Terrazas &lt;andinas&gt;</b>")
    assert "<i>Huascarán · Peru</i>" in card
    assert "Themes: Climate change" in card
    assert "Agua &amp; suelo" in card
    assert "<b>How to replicate</b>\nTrabajo comunal" in card
    assert "Erosión" not in card
    full = render_card(I18N.translator("es"), experience(), GROUPS, full=True)
    assert "Erosión" in full
    assert "Cambio climático" in full
    assert '<a href="https://example.pe/terrazas">' in full


def test_the_album_takes_photos_only_and_a_short_caption() -> None:
    files = (
        ExperienceFile(position=1, kind="photo", file_id="p1", file_unique_id="u1"),
        ExperienceFile(position=2, kind="document", file_id="d1", file_unique_id="u2"),
        ExperienceFile(position=3, kind="photo", file_id="p2", file_unique_id="u3"),
    )
    e = experience(files=files, title="<" * 300)

    assert album_photos(e) == ["p1", "p2"]
    caption = album_caption(e)
    assert caption.startswith("<b>&lt;")
    assert caption.endswith("…</b>")


def test_the_author_is_told_in_their_language_with_the_note() -> None:
    e = experience()

    es = status_notice(I18N.translator("es"), e, "changes_requested", "Añade <cifras>")
    en = status_notice(I18N.translator("en"), e, "changes_requested", "Add <numbers>")

    assert "Terrazas &lt;andinas&gt;" in es
    assert "Añade &lt;cifras&gt;" in es
    assert es != en.replace("Add &lt;numbers&gt;", "Añade &lt;cifras&gt;")
    declined = status_notice(I18N.translator("en"), e, "declined", "Off topic")
    assert "Reason: Off topic" in declined


# buttons and arguments


REVIEW_KINDS = (OpenReview, ScoreCriterion, SkipComment, Decide, CastVote)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ("rv:12", OpenReview(12)),
        ("rq:12:0:5", ScoreCriterion(12, 0, "5")),
        ("rk:12", SkipComment(12)),
        ("rd:12:a", Decide(12, "a")),
        ("vt:3:12", CastVote(3, 12)),
        ("rv:12:1", None),
        ("rq:12:0", None),
        ("rq:12:0:6", None),
        ("rd:12:x", None),
        ("rd:12", None),
        ("vt:3", None),
        ("zz:1", None),
        ("rv:x", None),
    ],
)
def test_callback_data_is_parsed_strictly(data: str, expected: Any) -> None:
    parsed = [kind.unpack_or_none(data) for kind in REVIEW_KINDS]
    found = [p for p in parsed if p is not None]
    assert found == ([] if expected is None else [expected])
    if expected is not None:
        assert expected.pack() == data


def test_ids_are_numbers_once_each() -> None:
    assert parse_ids(["12", "#15", "12,17"]) == [12, 15, 17]
    assert parse_ids([]) == []
    assert parse_ids(["12", "twelve"]) is None


def test_browse_by_theme_country_or_status() -> None:
    assert parse_browse("", GROUPS, "en") == Browse()
    assert parse_browse("Cambio climático", GROUPS, "es") == Browse(theme="climate")
    assert parse_browse("selected", GROUPS, "en") == Browse(status="selected")
    assert parse_browse("in review", GROUPS, "en") == Browse(status="in_review")
    assert parse_browse("Perú", GROUPS, "es") == Browse(country="PE")
    assert parse_browse("Atlantis", GROUPS, "en") is None
    e = experience()
    assert matches(e, Browse(theme="climate", country="PE"))
    assert not matches(e, Browse(theme="biodiversity"))
    assert not matches(e, Browse(status="selected"))
    assert matches(e.model_copy(update={"submitted_at": NOW + timedelta(1)}), Browse())


# the booklet


def test_markdown_escaping_keeps_text_literal() -> None:
    assert md_escape("# Title\n- item\n1. one") == "\\# Title  \n\\- item  \n\\1. one"
    assert md_escape("<b>*x*</b> [a](b) & `c`") == (
        "&lt;b&gt;\\*x\\*&lt;/b&gt; \\[a\\](b) &amp; \\`c\\`"
    )


def test_chapters_follow_the_groups_order_under_the_first_theme() -> None:
    parts = chapters(
        [
            experience(1, title="Zeta", themes=("biodiversity", "climate")),
            experience(2, title="alpha"),
            experience(3, title="Beta <i>"),
        ],
        GROUPS,
        "es",
    )

    assert [(c.slug, c.title) for c in parts] == [
        ("climate", "Cambio climático"),
        ("biodiversity", "Biodiversidad"),
    ]
    assert [e.title for e in parts[0].experiences] == ["alpha", "Beta <i>"]
    page = booklet_html(I18N.translator("es"), "Red & <b>", NOW.date(), parts)
    assert "<title>Red &amp; &lt;b&gt;</title>" in page
    assert "<h3>Beta &lt;i&gt;</h3>" in page
    assert page.index("<h3>Zeta</h3>") > page.index("<h2>Biodiversidad</h2>")
    assert '<article id="experience-1">' in page
    assert "Resumen" in page
