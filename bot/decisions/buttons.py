"""The buttons of proposals, declared once as typed callback data.

``da`` answers a proposal (a consent word, or ``o<n>`` for option n of a choice), ``dw`` asks
to add a reason to one's answer in the private chat. The /propose form's buttons are declared
with its step-form modes (``handlers/decisions.py``).
"""

from __future__ import annotations

from typing import Annotated, Final

from bot.routing import CallbackData, MaxLength, callback_data

ANSWER_BYTES: Final = 8


@callback_data("da")
class AnswerTap(CallbackData):
    """An answer under a proposal: ``agree`` ... ``block``, or ``o0`` ... ``o9``."""

    proposal_id: int
    answer: Annotated[str, MaxLength(ANSWER_BYTES)]


@callback_data("dw")
class ReasonTap(CallbackData):
    """Add (or change) the reason of one's answer."""

    proposal_id: int


def option_code(index: int) -> str:
    return f"o{index}"


def option_of(code: str) -> int | None:
    """The option number a button carries, or None for a consent word or a forged code."""
    if code.startswith("o") and code[1:].isdigit():
        return int(code[1:])
    return None


@callback_data("dx")
class ActionsDone(CallbackData):
    """No more roadmap actions for this decision's outcome."""

    proposal_id: int
