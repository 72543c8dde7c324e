"""Conversations, declared once: what each kind of draft is, and what a typed answer does.

A multi-step conversation keeps its state in a draft (one per person and kind, decision 3 of
the design). Each handler module declares its conversations in a ``conversations()`` function;
the composition root (``bot/app.py``) collects them into the application's
:class:`Conversations`, which routes a person's typed text to the draft waiting for it and
names what ``/cancel`` stops. Nothing is registered as a side effect of an import.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

from bot.i18n import N_
from storage import Draft

if TYPE_CHECKING:
    from telegram import Update

    from bot.context import BotContext

OnText = Callable[["Update", "BotContext", Draft], Awaitable[None]]

LONG_DRAFT: Final = 2
"""``/cancel`` asks before it throws away a draft with more answers than this."""
STOP_QUESTION: Final = N_("Stop {what}?")
"""The question of a conversation that declares none of its own."""
NOT_ANSWERS: Final = frozenset({"return_to"})
"""Keys a draft keeps for its own bookkeeping, never counted as answers."""


def count_answers(draft: Draft) -> int:
    """How many answers a draft holds: its keys with a value (empty lists and texts aside)."""
    return sum(1 for key, value in draft.data.items() if key not in NOT_ANSWERS and _given(value))


def _given(value: Any) -> bool:
    return value is not None and value != "" and value != [] and value != {}


@dataclass(frozen=True)
class Conversation:
    """A kind of draft: what to do with the text its person types, and how it is named."""

    kind: str
    on_text: OnText
    description: str
    """What the person is doing, as a message id ("filling in your profile"), for /cancel."""
    stop_question: str = STOP_QUESTION
    """What /cancel asks before dropping a long draft ("Stop filling in your profile?")."""
    answers: Callable[[Draft], int] = count_answers
    """How many answers a draft of this kind holds (what /cancel would throw away)."""


@dataclass
class Conversations:
    """Every conversation of one application, by the kind of its draft."""

    _by_kind: dict[str, Conversation] = field(default_factory=dict)

    def declare(self, conversations: Iterable[Conversation]) -> None:
        """Add conversations; a kind declared twice is a bug, found when the bot is built."""
        for conversation in conversations:
            if conversation.kind in self._by_kind:
                raise ValueError(f"conversation {conversation.kind!r} is declared twice")
            self._by_kind[conversation.kind] = conversation

    def get(self, kind: str) -> Conversation | None:
        return self._by_kind.get(kind)

    def __iter__(self) -> Iterator[Conversation]:
        return iter(self._by_kind.values())

    def __len__(self) -> int:
        return len(self._by_kind)
