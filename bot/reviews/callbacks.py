"""The buttons of review and selection, declared once each (``bot/routing.py``).

The wire format is the one these buttons always had, so a notice queued before an upgrade
still opens its review: ``rv:<experience>``, ``rq:<experience>:<criterion>:<score>``,
``rk:<experience>``, ``rd:<experience>:<a|c|d|l>``, ``vt:<round>:<experience>``.
"""

from __future__ import annotations

from typing import Literal

from bot.routing import CallbackData, callback_data

Decision = Literal["a", "c", "d", "l"]
"""Accept, request changes, decline, decide later."""
ScoreDigit = Literal["1", "2", "3", "4", "5"]
"""A score as its button carries it (three integer fields would not fit in 64 bytes)."""
SCORE_DIGITS: tuple[ScoreDigit, ...] = ("1", "2", "3", "4", "5")


@callback_data("rv")
class OpenReview(CallbackData):
    """Open the review of an experience (the new-submission notice's button and /review's)."""

    experience_id: int


@callback_data("rq")
class ScoreCriterion(CallbackData):
    """Give ``score`` (1-5) to the criterion at ``criterion`` (its index in the network's list)."""

    experience_id: int
    criterion: int
    score: ScoreDigit

    @property
    def value(self) -> int:
        return int(self.score)


@callback_data("rk")
class SkipComment(CallbackData):
    """No comment for the other reviewers: on to the decision."""

    experience_id: int


@callback_data("rd")
class Decide(CallbackData):
    """The reviewer's decision."""

    experience_id: int
    decision: Decision


@callback_data("vt")
class CastVote(CallbackData):
    """Vote for an experience in a selection round, or take the vote back."""

    round_id: int
    experience_id: int


REVIEW_BUTTONS: tuple[type[CallbackData], ...] = (OpenReview, ScoreCriterion, SkipComment, Decide)
"""The kinds of button of a review in progress (one handler answers them all)."""
