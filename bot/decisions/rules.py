"""The rules of proposals and decisions, as pure functions (no Telegram, no database).

A proposal is *consent* (Agree / Abstain / Disagree / Block; a reason is asked for Disagree
and Block and may be added to any) or *choice* (2 to 10 options, one or several answers).
Members answer until it closes; the result is counted from their answers: a consent passes
when nobody blocks and more agree than disagree; a choice is won by the most chosen options.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final, Literal

from bot.i18n import N_
from bot.profile import Refusal

Kind = Literal["consent", "choice"]
Consent = Literal["agree", "abstain", "disagree", "block"]
CONSENT: Final[tuple[Consent, ...]] = ("agree", "abstain", "disagree", "block")
NEEDS_REASON: Final = frozenset({"disagree", "block"})
CONSENT_LABELS: Final[dict[str, str]] = {
    # Translators: the answers to a consent proposal (buttons and counts).
    "agree": N_("👍 Agree"),
    "abstain": N_("🤷 Abstain"),
    "disagree": N_("👎 Disagree"),
    "block": N_("✋ Block"),
}
KIND_LABELS: Final[dict[str, str]] = {
    "consent": N_("Consent (agree, abstain, disagree, block)"),
    "choice": N_("Choice between options"),
}
TITLE_LIMIT: Final = 150
BODY_LIMIT: Final = 3000
OPTION_LIMIT: Final = 100
REASON_LIMIT: Final = 1000
OUTCOME_LIMIT: Final = 3000
MIN_OPTIONS: Final = 2
MAX_OPTIONS: Final = 10
SHORTEST: Final = timedelta(hours=1)
"""A proposal stays open at least this long."""
LONGEST: Final = timedelta(days=90)

CLOSED: Final = N_("This proposal has closed: answers are no longer taken.")
NOT_IN_AUDIENCE: Final = N_("Only the members this proposal was put to can answer it.")
GONE: Final = N_("This proposal no longer exists.")


def clean(text: str) -> str:
    """Spaces trimmed, lines kept (the body and reasons may have several)."""
    return "\n".join(line.rstrip() for line in text.strip().splitlines()).strip()


def read_text(text: str, limit: int) -> str | Refusal:
    """A typed title, text, reason or outcome: not empty, at most ``limit`` characters."""
    cleaned = clean(text)
    if not cleaned:
        return Refusal(N_("Please type some text."))
    if len(cleaned) > limit:
        return Refusal(
            N_("That is {length} characters; at most {limit}, please."),
            {"length": len(cleaned), "limit": limit},
        )
    return cleaned


def read_options(text: str) -> list[str] | Refusal:
    """The options of a choice, one a line: 2 to 10, each short, none twice."""
    options = [clean(line).lstrip("-•*").strip() for line in text.splitlines()]
    options = [option for option in options if option]
    if not MIN_OPTIONS <= len(options) <= MAX_OPTIONS:
        return Refusal(
            N_("Please type between {least} and {most} options, one a line."),
            {"least": MIN_OPTIONS, "most": MAX_OPTIONS},
        )
    too_long = next((o for o in options if len(o) > OPTION_LIMIT), None)
    if too_long is not None:
        return Refusal(
            N_("An option is at most {limit} characters, please."), {"limit": OPTION_LIMIT}
        )
    if len({o.casefold() for o in options}) < len(options):
        return Refusal(N_("Each option only once, please."))
    return options


def check_closing(at: datetime, now: datetime) -> Refusal | None:
    """A closing time at least an hour and at most 90 days ahead."""
    if at < now + SHORTEST:
        return Refusal(N_("Please give it at least an hour: type a later time."))
    if at > now + LONGEST:
        return Refusal(N_("At most 90 days ahead, please: type an earlier time."))
    return None


# answers


def choice_answer(chosen: Iterable[int]) -> str:
    """How chosen options are stored: their numbers, sorted ("0,2")."""
    return ",".join(str(i) for i in sorted(set(chosen)))


def chosen_options(answer: str | None) -> list[int]:
    if not answer:
        return []
    return [int(part) for part in answer.split(",") if part.isdigit()]


def toggled(answer: str | None, option: int, multiple: bool) -> str:
    """The answer after tapping an option: a single choice replaces, several toggle."""
    if not multiple:
        return choice_answer([option])
    chosen = set(chosen_options(answer))
    chosen ^= {option}
    return choice_answer(chosen)


@dataclass(frozen=True)
class Ballot:
    """What a proposal asks: its kind and options (for a choice)."""

    kind: Kind
    options: Sequence[str] = ()
    multiple: bool = False


def valid_answer(ballot: Ballot, answer: str) -> bool:
    if ballot.kind == "consent":
        return answer in CONSENT
    chosen = chosen_options(answer)
    if not chosen and answer:
        return False
    return all(0 <= i < len(ballot.options) for i in chosen) and (
        ballot.multiple or len(chosen) <= 1
    )


def answer_refusal(
    *, closed: bool, in_audience: bool, closes_at: datetime, now: datetime
) -> str | None:
    """Why an answer is not taken (a message id), or None when it is."""
    if closed or now >= closes_at:
        return CLOSED
    if not in_audience:
        return NOT_IN_AUDIENCE
    return None


# the count and the result


def tally(ballot: Ballot, answers: Iterable[str]) -> dict[str, int]:
    """How many chose each answer: consent words, or option numbers as text."""
    keys = CONSENT if ballot.kind == "consent" else [str(i) for i in range(len(ballot.options))]
    counts = dict.fromkeys(keys, 0)
    for answer in answers:
        if ballot.kind == "consent":
            if answer in counts:
                counts[answer] += 1
        else:
            for option in chosen_options(answer):
                if str(option) in counts:
                    counts[str(option)] += 1
    return counts


ResultKind = Literal["agreed", "not_agreed", "blocked", "no_answers", "chosen", "tie"]
RESULT_LABELS: Final[dict[str, str]] = {
    "agreed": N_("Agreed"),
    "not_agreed": N_("Not agreed"),
    "blocked": N_("Blocked"),
    "no_answers": N_("Nobody answered"),
    "chosen": N_("Chosen: {options}"),
    "tie": N_("A tie between: {options}"),
}


@dataclass(frozen=True)
class Result:
    kind: ResultKind
    options: tuple[str, ...] = ()
    """The winning options of a choice."""


def result(ballot: Ballot, counts: Mapping[str, int], answered: int) -> Result:
    """The decision the answers make."""
    if answered == 0:
        return Result("no_answers")
    if ballot.kind == "consent":
        if counts.get("block", 0):
            return Result("blocked")
        if counts.get("agree", 0) > counts.get("disagree", 0):
            return Result("agreed")
        return Result("not_agreed")
    best = max(counts.values(), default=0)
    if best == 0:
        return Result("no_answers")
    winners = tuple(ballot.options[int(k)] for k, n in counts.items() if n == best)
    return Result("chosen" if len(winners) == 1 else "tie", winners)


def undecided(audience: Iterable[int], answered: Iterable[int | None]) -> list[int]:
    """The members of the audience who have not answered (ids, in the audience's order)."""
    done = set(answered)
    return [person for person in audience if person not in done]
