"""The ranking of experiences: what each one's reviews add up to, best first.

Pure functions over reviews and vote counts (no Telegram, no SQL). A reviewer's scores given
to an earlier text of the experience count like any other; the author cannot change the text
while it is in review (see ``bot.experiences.rules.edit_refusal``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from statistics import fmean
from typing import Final

from bot.formats import format_score
from bot.i18n import Translator
from bot.rendering import Html, bold, escape
from bot.reviews.rules import status_label
from storage.models import Experience, ExperienceStatus
from storage.reviews import Review


@dataclass(frozen=True)
class Tally:
    """What the reviews of one experience add up to."""

    count: int
    mean: float | None
    """The mean of the reviewers' own means (None without reviews)."""
    spread: float
    """Highest minus lowest reviewer mean: 0 when the reviewers agree (or there is one)."""
    by_criterion: Mapping[str, float]
    """The mean score of each criterion over the reviews that scored it."""


def review_mean(review: Review) -> float | None:
    return fmean(review.scores.values()) if review.scores else None


def tally(reviews: Iterable[Review]) -> Tally:
    """Mean, number and spread of the reviews' scores."""
    scored = [r for r in reviews if r.scores]
    means = [fmean(r.scores.values()) for r in scored]
    criteria: dict[str, list[int]] = {}
    for review in scored:
        for criterion, score in review.scores.items():
            criteria.setdefault(criterion, []).append(score)
    return Tally(
        count=len(scored),
        mean=fmean(means) if means else None,
        spread=max(means) - min(means) if means else 0.0,
        by_criterion={c: fmean(scores) for c, scores in criteria.items()},
    )


@dataclass(frozen=True)
class Ranked:
    """An experience in the ranking, with its tally and selection votes."""

    experience: Experience
    tally: Tally
    votes: int


RANKED_STATUSES: Final[tuple[ExperienceStatus, ...]] = ("accepted", "shortlisted", "selected")


def rank(
    experiences: Iterable[Experience],
    reviews: Mapping[int, Sequence[Review]],
    votes: Mapping[int, int],
) -> list[Ranked]:
    """Best mean first; ties by more reviews, then more votes, then the earlier submitted.
    Experiences without reviews come last."""
    ranked = [Ranked(e, tally(reviews.get(e.id, ())), votes.get(e.id, 0)) for e in experiences]
    return sorted(
        ranked,
        key=lambda r: (
            r.tally.mean is None,
            -(r.tally.mean or 0.0),
            -r.tally.count,
            -r.votes,
            r.experience.submitted_at,
            r.experience.id,
        ),
    )


def score_text(value: float | None, language: str) -> str:
    """A mean as people of ``language`` read it: one decimal (3.8, 3,8), a dash without reviews."""
    return "–" if value is None else format_score(value, language)


def render_ranking(
    _: Translator, ranked: Sequence[Ranked], title: str, show_votes: bool = True
) -> Html:
    """The /rank answer: one line per experience, best first."""
    if not ranked:
        # Translators: {scope} is a theme's name or “all themes”.
        return _("No accepted experiences in {scope} yet.", scope=title)
    # Translators: {scope} is a theme's name or “all themes”.
    lines = [bold(_("Ranking: {scope}", scope=title)), ""]
    for place, entry in enumerate(ranked, start=1):
        e, t = entry.experience, entry.tally
        # Translators: {place} is the rank; {mean} the mean score (1–5); {reviews} is “3 reviews”;
        # {spread} the difference between the highest and lowest score.
        line = _(
            "{place}. #{id} {title} — {mean} ({reviews}, spread {spread})",
            place=place,
            id=e.id,
            title=e.title,
            mean=score_text(t.mean, _.language),
            reviews=_.plural("{n} review", "{n} reviews", t.count),
            spread=format_score(t.spread, _.language),
        )
        extras = [status_label(_, e.status)]
        if show_votes:
            extras.append(_.plural("{n} vote", "{n} votes", entry.votes))
        lines.append(Html(f"{line} · {escape(' · '.join(extras))}"))
    return Html("\n".join(lines))
