"""Proposals and decisions: consent or choice, answers with reasons, nudges, results, outcomes.

``rules`` (what a valid answer is, the count, the result), ``texts`` (how a proposal reads) and
``buttons`` (typed callback data) are pure; ``service`` holds the use cases and ``work`` is the
due work of the one runtime (the nudge and the close).
"""

from bot.decisions.rules import (
    CONSENT,
    CONSENT_LABELS,
    NEEDS_REASON,
    Ballot,
    Result,
    result,
    tally,
)

__all__ = ["CONSENT", "CONSENT_LABELS", "NEEDS_REASON", "Ballot", "Result", "result", "tally"]
