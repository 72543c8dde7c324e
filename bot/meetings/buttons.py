"""Every button of the meetings feature, declared once as typed callback data.

``mr`` answers a meeting, ``cal`` sends an occurrence as an ``.ics``, ``mt`` steps through a
/meet draft, ``rs`` through a /reschedule draft, ``mc`` confirms /cancelmeeting, ``sp`` posts
/slots proposals as a poll and ``sm`` starts /meet at a proposal. A draft's buttons carry its
token and are honoured only while the token matches the person's draft.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated, Final, Literal

from bot.i18n import N_
from bot.routing import CallbackData, MaxLength, callback_data

STALE: Final = N_("This button is no longer valid.")
"""What a button that no longer applies (or never did) answers."""

AnswerCode = Literal["g", "m", "n"]
TOKEN_BYTES: Final = 8
"""A draft's token: ``secrets.token_hex(4)``."""

Token = Annotated[str, MaxLength(TOKEN_BYTES)]
Digits = Annotated[str, MaxLength(10)]
"""A bounded number (epoch minutes, minutes) where an ``int`` field would not fit 64 bytes."""


@callback_data("mr")
class Rsvp(CallbackData):
    """Going / Maybe / Can't go under an announcement or reminder."""

    occurrence_id: int
    answer: AnswerCode


@callback_data("cal")
class AddToCalendar(CallbackData):
    """The occurrence's ``.ics`` in the tapper's private chat."""

    occurrence_id: int


MeetAction = Literal[
    "g", "gall", "gnext", "faryes", "farno", "d", "skip", "r", "o", "save", "cancel"
]


@callback_data("mt")
class MeetStep(CallbackData):
    """A button of a /meet draft: ``arg`` is a group id, a duration or a recurrence."""

    token: Token
    action: MeetAction
    arg: Annotated[str, MaxLength(10)] = ""


@callback_data("rs")
class RescheduleStep(CallbackData):
    """A button of a /reschedule draft."""

    token: Token
    action: Literal["keep", "save", "cancel"]


@callback_data("mc")
class CancelMeeting(CallbackData):
    """/cancelmeeting's Yes (``y``) or No (``n``)."""

    meeting_id: int
    confirm: Literal["y", "n"]


def _epoch_minutes(moment: datetime) -> str:
    return str(int(moment.timestamp()) // 60)


def _moment(digits: str) -> datetime | None:
    """The instant of epoch minutes written as digits; None for anything else."""
    if not digits.isdigit() or not digits.isascii():
        return None
    return datetime.fromtimestamp(int(digits) * 60, UTC)


def _minutes(digits: str, most: int) -> int | None:
    if not digits.isdigit() or not digits.isascii() or not 0 < int(digits) <= most:
        return None
    return int(digits)


MAX_MINUTES: Final = 24 * 60
MAX_WINDOW: Final = timedelta(days=61)


@callback_data("sp")
class SlotsPoll(CallbackData):
    """Post the /slots proposals of this group, duration and window as a poll: the proposals
    are computed again from these, so the button carries no list."""

    group_id: int
    minutes: Digits
    first: Digits
    last: Digits

    @classmethod
    def of(cls, group_id: int, minutes: int, window: tuple[datetime, datetime]) -> SlotsPoll:
        return cls(group_id, str(minutes), _epoch_minutes(window[0]), _epoch_minutes(window[1]))

    def duration(self) -> int | None:
        return _minutes(self.minutes, MAX_MINUTES)

    def window(self) -> tuple[datetime, datetime] | None:
        """The window, or None for anything forged or mangled."""
        start, end = _moment(self.first), _moment(self.last)
        if start is None or end is None or not start < end <= start + MAX_WINDOW:
            return None
        return start, end


@callback_data("sm")
class SlotsMeet(CallbackData):
    """Start /meet for this group at this proposal (private chat)."""

    group_id: int
    minutes: Digits
    at: Digits

    @classmethod
    def of(cls, group_id: int, minutes: int, start: datetime) -> SlotsMeet:
        return cls(group_id, str(minutes), _epoch_minutes(start))

    def duration(self) -> int | None:
        return _minutes(self.minutes, MAX_MINUTES)

    def start(self) -> datetime | None:
        """The proposal's start (on the half-hour grid), or None for anything forged."""
        moment = _moment(self.at)
        return None if moment is None or moment.minute % 30 else moment


Answer = Literal["going", "maybe", "no"]
ANSWER_BY_CODE: Final[dict[AnswerCode, Answer]] = {"g": "going", "m": "maybe", "n": "no"}
CODE_BY_ANSWER: Final[dict[Answer, AnswerCode]] = {a: c for c, a in ANSWER_BY_CODE.items()}


@dataclass(frozen=True)
class RsvpTap:
    occurrence_id: int
    answer: Answer


def parse_rsvp(data: str | None) -> RsvpTap | None:
    """An answer button's occurrence and answer; None for anything forged."""
    tap = Rsvp.unpack_or_none(data)
    if tap is None or tap.occurrence_id < 1:
        return None
    return RsvpTap(tap.occurrence_id, ANSWER_BY_CODE[tap.answer])
