"""How a proposal reads: the post (with live counts and who answered what in a group), the
nudge, the result and the outcome; in each reader's language and zone.

Pure functions: a :class:`ProposalView` and the reader's translator and zone in, HTML out; the
answer buttons as the Bot API spells an inline keyboard.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.decisions.buttons import AnswerTap, ReasonTap, option_code
from bot.decisions.rules import (
    CONSENT,
    CONSENT_LABELS,
    RESULT_LABELS,
    Ballot,
    Result,
    chosen_options,
)
from bot.digests import format_when
from bot.i18n import N_, Translator
from bot.rendering import Html, bold, escape

FORMER_MEMBER = N_("a former member")
BUTTON_TEXT = 40
"""An option's button shows at most this many characters (the post shows it whole)."""


@dataclass(frozen=True)
class ProposalView:
    """What every reader of a proposal sees, before their language and zone."""

    id: int
    title: str
    body: str
    ballot: Ballot
    audience: str
    """The working group's name in the reader's language, or the network."""
    closes_at: datetime
    proposer: str | None
    closed: bool = False
    answers: Sequence[tuple[str | None, str]] = field(default_factory=tuple)
    """(name or None for a former member, answer) of everyone who answered."""
    outcome: str | None = None


def name_of(tr: Translator, name: str | None) -> str:
    return name if name else tr(FORMER_MEMBER)


def answer_label(tr: Translator, ballot: Ballot, answer: str | None) -> str:
    """An answer as its reader reads it: a consent word, or the chosen options."""
    if not answer:
        return "—"
    if ballot.kind == "consent":
        return tr(CONSENT_LABELS.get(answer, answer))
    chosen = chosen_options(answer)
    return ", ".join(ballot.options[i] for i in chosen if i < len(ballot.options)) or "—"


def counts_lines(
    tr: Translator, view: ProposalView, counts: Mapping[str, int], names: bool
) -> list[Html]:
    """One line per answer with its count (and, for members, who chose it)."""
    who: dict[str, list[str]] = {key: [] for key in counts}
    for name, answer in view.answers:
        keys = (
            [answer] if view.ballot.kind == "consent" else [str(i) for i in chosen_options(answer)]
        )
        for key in keys:
            who.setdefault(key, []).append(name_of(tr, name))
    lines = []
    for key, count in counts.items():
        label = (
            tr(CONSENT_LABELS[key])
            if view.ballot.kind == "consent"
            else f"{int(key) + 1}. {view.ballot.options[int(key)]}"
        )
        line = tr("{answer}: {count}", answer=label, count=count)
        if names and who.get(key):
            line = Html(f"{line} ({escape(', '.join(who[key]))})")
        lines.append(line)
    return lines


def head_lines(tr: Translator, view: ProposalView, zone: ZoneInfo) -> list[Html]:
    lines = [
        tr("🗳 Proposal #{id} · {audience}", id=view.id, audience=view.audience),
        bold(view.title),
        escape(view.body),
    ]
    if view.ballot.kind == "choice":
        if view.ballot.multiple:
            lines.append(tr("Choose one or several options:"))
        else:
            lines.append(tr("Choose one option:"))
        lines += [Html(f"{i}. {escape(o)}") for i, o in enumerate(view.ballot.options, 1)]
    lines.append(tr("Proposed by {name}", name=name_of(tr, view.proposer)))
    when = format_when(view.closes_at, zone, tr.language)
    if view.closed:
        lines.append(tr("Closed on {when}", when=when))
    else:
        lines.append(tr("Open until {when}", when=when))
    return lines


def post_text(
    tr: Translator,
    view: ProposalView,
    zone: ZoneInfo,
    counts: Mapping[str, int] | None,
    mine: str | None = None,
) -> Html:
    """The proposal: in a group with live counts and who answered what, in a private chat
    with the reader's own answer."""
    lines = head_lines(tr, view, zone)
    if counts is not None:
        lines += [Html(""), *counts_lines(tr, view, counts, names=True)]
    else:
        lines += [Html(""), your_answer(tr, view.ballot, mine)]
    return Html("\n".join(lines))


def your_answer(tr: Translator, ballot: Ballot, mine: str | None) -> Html:
    if not mine:
        return tr("You have not answered yet.")
    return tr("Your answer: {answer}", answer=answer_label(tr, ballot, mine))


def keyboard(
    tr: Translator, proposal_id: int, ballot: Ballot, mine: str | None, *, private: bool
) -> dict[str, Any] | None:
    """The answer buttons (the reader's own answer marked) and, in private, Add a reason."""
    rows: list[list[dict[str, str]]]
    if ballot.kind == "consent":
        buttons = [
            _button(("• " if mine == word else "") + tr(CONSENT_LABELS[word]), proposal_id, word)
            for word in CONSENT
        ]
        rows = [buttons[:2], buttons[2:]]
    else:
        chosen = set(chosen_options(mine)) if private else set()
        rows = [
            [
                _button(
                    ("• " if index in chosen else "") + f"{index + 1}. {_short(option)}",
                    proposal_id,
                    option_code(index),
                )
            ]
            for index, option in enumerate(ballot.options)
        ]
    if private and mine:
        reason = {"text": tr("✍️ Add a reason"), "callback_data": ReasonTap(proposal_id).pack()}
        rows.append([reason])
    return {"inline_keyboard": rows}


def _button(text: str, proposal_id: int, code: str) -> dict[str, str]:
    return {"text": text, "callback_data": AnswerTap(proposal_id, code).pack()}


def _short(text: str) -> str:
    return text if len(text) <= BUTTON_TEXT else text[: BUTTON_TEXT - 1] + "…"


def result_line(tr: Translator, result: Result) -> Html:
    label = RESULT_LABELS[result.kind]
    return tr(label, options=", ".join(result.options)) if result.options else tr(label)


def result_text(
    tr: Translator, view: ProposalView, zone: ZoneInfo, counts: Mapping[str, int], result: Result
) -> Html:
    """The result, sent to the same places as the proposal when it closes."""
    lines = [
        tr("🏁 Proposal #{id} has closed: {title}", id=view.id, title=view.title),
        tr("Result: {result}", result=result_line(tr, result)),
        Html(""),
        *counts_lines(tr, view, counts, names=True),
    ]
    return Html("\n".join(lines))


def nudge_text(tr: Translator, view: ProposalView, zone: ZoneInfo) -> Html:
    lines = [
        tr("⏰ Proposal #{id} closes in 24 hours and you have not answered yet.", id=view.id),
        bold(view.title),
        tr("Open until {when}", when=format_when(view.closes_at, zone, tr.language)),
    ]
    return Html("\n".join(lines))


def outcome_request(tr: Translator, view: ProposalView) -> Html:
    return tr(
        "Your proposal #{id} has closed. Please record its outcome: /outcome {id}", id=view.id
    )


def outcome_text(tr: Translator, view: ProposalView, outcome: str) -> Html:
    return Html(
        "\n".join(
            [
                tr("📌 Outcome of proposal #{id}: {title}", id=view.id, title=view.title),
                escape(outcome),
            ]
        )
    )
