"""The steps of the /meet and /reschedule drafts, as pure functions over a draft's answers.

A draft (docs/developers.md, "Conversations in drafts") keeps the answers as a dict; these
functions read a typed answer or a tapped button into the next answers and the step to ask
next, or say why not (a :class:`~bot.meetings.rules.Refusal`). No Telegram, no database: the
service saves the draft, the handler renders the step.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Final
from zoneinfo import ZoneInfo

from bot import dates
from bot.formats import When
from bot.i18n import N_
from bot.meetings import rules
from bot.meetings.recurrence import in_fold, parse_recurrence
from bot.meetings.rules import Refusal, Start
from bot.rendering import echo

MEET_KIND: Final = "meeting"
RESCHEDULE_KIND: Final = "reschedule"
LOCAL_FORMAT: Final = "%Y-%m-%dT%H:%M"
"""How a drafted wall time is kept (as ``meetings.local_start``)."""

GROUPS, TITLE, WHEN, FAR, DURATION, LINK, AGENDA, RECURRENCE, OFFSETS, CONFIRM = (
    "groups",
    "title",
    "when",
    "far",
    "duration",
    "link",
    "agenda",
    "recurrence",
    "offsets",
    "confirm",
)
ORDER: Final = (GROUPS, TITLE, WHEN, DURATION, LINK, AGENDA, RECURRENCE, OFFSETS)
"""The steps of /meet; the first one without an answer is asked next."""
ANSWER_KEYS: Final = {
    GROUPS: "groups",
    TITLE: "title",
    WHEN: "local",
    DURATION: "duration",
    LINK: "link",
    AGENDA: "agenda",
    RECURRENCE: "recurrence",
    OFFSETS: "offsets",
}
DURATION_CHOICES: Final = (30, 60, 90, 120)
URL = re.compile(r"^https?://[^\s<>\"]+\.[^\s<>\"]+$", re.IGNORECASE)
USE_BUTTONS: Final = N_("Please use the buttons.")

R_WHEN, R_LINK, R_AGENDA, R_CONFIRM = "when", "link", "agenda", "confirm"
R_ORDER: Final = (R_WHEN, R_LINK, R_AGENDA, R_CONFIRM)

Answers = dict[str, Any]


@dataclass(frozen=True)
class Next:
    """The draft's answers after a step, and the step to ask (None: the first unanswered)."""

    data: Answers
    step: str | None = None
    note: Refusal | None = None
    """A message to show above the next step (how a typed date was read)."""


def next_step(data: Answers) -> str:
    """The first step without an answer (the confirmation once all are answered)."""
    for step in ORDER:
        if ANSWER_KEYS[step] not in data:
            return step
    return CONFIRM


def read_start(text: str, language: str, zone: ZoneInfo, now: datetime) -> Start | Refusal:
    """A typed start (``bot/dates.py``) for an organiser in ``zone``: read, then checked (past,
    DST gap, far away) in the zone it was typed in; :attr:`Start.local` is in ``zone``."""
    read = dates.read_typed(text, language, zone, now)
    if isinstance(read, dates.Unreadable):
        values = {**read.values, "text": echo(text)} if "text" in read.values else read.values
        return Refusal(read.message, values)
    checked = rules.check_start(read.local, read.zone, now)
    if isinstance(checked, Refusal) or read.typed_zone is None:
        return checked
    here = checked.at.astimezone(zone).replace(tzinfo=None)
    return replace(checked, local=here, ambiguous=in_fold(here, zone), typed_zone=read.typed_zone)


def read_back(start: Start, zone: ZoneInfo) -> Refusal:
    """How a typed start was read, to show with the next step (the zone typed said back)."""
    if start.typed_zone is None:
        # Translators: {when} is the date and time read from what the person typed.
        return Refusal(N_("🕒 Read as {when}."), {"when": When(start.at, zone)})
    typed = start.at.astimezone(start.typed_zone.zone)
    return Refusal(
        # Translators: {time} and {zone} as typed (“15:00”, “Central European Time”); {when} is
        # the same instant in the reader's own zone.
        N_("🕒 Read as {time} {zone}: {when} for you."),
        {"time": f"{typed:%H:%M}", "zone": start.typed_zone, "when": When(start.at, zone)},
    )


# /meet: typed answers


def read_typed(step: str, data: Answers, text: str, language: str, now: datetime) -> Next | Refusal:
    """The draft's answers after a typed answer at ``step``, or why not."""
    data = dict(data)
    if step in (WHEN, FAR):
        data.pop("far", None)
        return _typed_when(data, text, language, now)
    reader = _TYPED.get(step)
    if reader is None:
        return Refusal(N_("Please tap the groups, then Next.") if step == GROUPS else USE_BUTTONS)
    return reader(data, text)


def _typed_title(data: Answers, text: str) -> Next | Refusal:
    if not text or len(text) > rules.TITLE_LIMIT:
        return Refusal(
            N_("Please type a title of at most {n} characters."), {"n": rules.TITLE_LIMIT}
        )
    return Next({**data, "title": text})


def _typed_duration(data: Answers, text: str) -> Next | Refusal:
    minutes = rules.parse_duration(text)
    return minutes if isinstance(minutes, Refusal) else Next({**data, "duration": minutes})


def _typed_link(data: Answers, text: str) -> Next | Refusal:
    if text.lower() in ("-", "skip"):
        return Next({**data, "link": None})
    if not URL.match(text) or len(text) > rules.LINK_LIMIT:
        return Refusal(N_("Please type a link starting with https://, or tap Skip."))
    return Next({**data, "link": text})


def _typed_agenda(data: Answers, text: str) -> Next | Refusal:
    if len(text) > rules.AGENDA_LIMIT:
        return Refusal(
            N_("Please keep the agenda under {n} characters."), {"n": rules.AGENDA_LIMIT}
        )
    return Next({**data, "agenda": None if text == "-" else text})


def _typed_offsets(data: Answers, text: str) -> Next | Refusal:
    offsets = rules.parse_offsets(text)
    return offsets if isinstance(offsets, Refusal) else Next({**data, "offsets": list(offsets)})


_TYPED: Final[dict[str, Callable[[Answers, str], Next | Refusal]]] = {
    TITLE: _typed_title,
    DURATION: _typed_duration,
    LINK: _typed_link,
    AGENDA: _typed_agenda,
    OFFSETS: _typed_offsets,
}


def _typed_when(data: Answers, text: str, language: str, now: datetime) -> Next | Refusal:
    outcome = read_start(text, language, ZoneInfo(str(data["zone"])), now)
    if isinstance(outcome, Refusal):
        return outcome
    local = outcome.local.strftime(LOCAL_FORMAT)
    said = read_back(outcome, ZoneInfo(str(data["zone"])))
    if outcome.far:
        return Next({**data, "far": local}, FAR, said)
    return Next({**data, "local": local}, note=said)


# /meet: buttons


@dataclass(frozen=True)
class Tapped:
    """A /meet button: its action and argument, and what the person may choose from."""

    action: str
    arg: str
    allowed: frozenset[int]
    """The groups the person may schedule for."""
    everyone: bool
    """Whether they may choose all groups (the secretariat)."""


def apply_tap(step: str, data: Answers, tap: Tapped) -> Next | Refusal | None:
    """The draft's answers after a tap at ``step`` (None: the button does not belong here).

    Toggling a group stays at the groups step; Schedule and Cancel are the service's.
    """
    handler = _TAPS.get((step, tap.action))
    return None if handler is None else handler(dict(data), tap)


def _toggle_group(data: Answers, tap: Tapped) -> Next | None:
    if not tap.arg.isdigit() or int(tap.arg) not in tap.allowed:
        return None
    picked = {int(g) for g in data.get("picked", [])} ^ {int(tap.arg)}
    return Next({**data, "picked": sorted(picked)}, GROUPS)


def _choose_groups(data: Answers, tap: Tapped) -> Next | Refusal | None:
    if tap.action == "gall" and not tap.everyone:
        return None
    picked = set(tap.allowed) if tap.action == "gall" else {int(g) for g in data.get("picked", [])}
    if not picked:
        return Refusal(N_("Please choose at least one group."))
    data.pop("picked", None)
    return Next({**data, "groups": sorted(picked)})


def _far(data: Answers, tap: Tapped) -> Next:
    far = data.pop("far", None)
    if tap.action == "faryes" and far is not None:
        data["local"] = far
    return Next(data)


def _duration(data: Answers, tap: Tapped) -> Next | None:
    if not tap.arg.isdigit() or int(tap.arg) not in DURATION_CHOICES:
        return None
    return Next({**data, "duration": int(tap.arg)})


def _skip(key: str) -> Any:
    return lambda data, tap: Next({**data, key: None})


def _recurrence(data: Answers, tap: Tapped) -> Next | None:
    recurrence = parse_recurrence(tap.arg)
    return None if recurrence is None else Next({**data, "recurrence": recurrence})


def _default_offsets(data: Answers, tap: Tapped) -> Next:
    return Next({**data, "offsets": list(rules.DEFAULT_OFFSETS)})


_TAPS: Final[dict[tuple[str, str], Any]] = {
    (GROUPS, "g"): _toggle_group,
    (GROUPS, "gall"): _choose_groups,
    (GROUPS, "gnext"): _choose_groups,
    (FAR, "faryes"): _far,
    (FAR, "farno"): _far,
    (DURATION, "d"): _duration,
    (LINK, "skip"): _skip("link"),
    (AGENDA, "skip"): _skip("agenda"),
    (RECURRENCE, "r"): _recurrence,
    (OFFSETS, "o"): _default_offsets,
}


# /reschedule


def after(step: str) -> str:
    """The /reschedule step after ``step``."""
    return R_ORDER[min(R_ORDER.index(step) + 1, len(R_ORDER) - 1)]


def read_reschedule(
    step: str, data: Answers, text: str, language: str, now: datetime
) -> Next | Refusal:
    """The /reschedule answers after a typed answer at ``step`` (next: the following step)."""
    if step == R_WHEN:
        outcome = read_start(text, language, ZoneInfo(str(data["zone"])), now)
        if isinstance(outcome, Refusal):
            return outcome
        if outcome.far:
            return Refusal(N_("That is more than a year away; please type a nearer date."))
        said = read_back(outcome, ZoneInfo(str(data["zone"])))
        return Next({**data, "local": outcome.local.strftime(LOCAL_FORMAT)}, after(step), said)
    if step == R_LINK:
        if not URL.match(text) or len(text) > rules.LINK_LIMIT:
            return Refusal(N_("Please type a link starting with https://, or tap Keep."))
        return Next({**data, "link": text}, after(step))
    if step == R_AGENDA:
        if len(text) > rules.AGENDA_LIMIT:
            return Refusal(
                N_("Please keep the agenda under {n} characters."), {"n": rules.AGENDA_LIMIT}
            )
        return Next({**data, "agenda": text}, after(step))
    return Refusal(USE_BUTTONS)
