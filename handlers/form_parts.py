"""The parts every step form is built of: modes and their typed buttons, the outcomes of an
answer, views and how they are sent, and the answers several forms read alike.

:class:`handlers.forms.StepForm` puts them together; a form module imports them from
``handlers.forms``, which re-exports them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Annotated, Any, Final

from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

from bot.context import BotContext
from bot.countries import Lookup, country_name, find_country
from bot.i18n import N_
from bot.models import Draft, Person
from bot.profile import Refusal, clean
from bot.rendering import Html, echo, split_message
from bot.routing import CALLBACK_DATA_LIMIT, SEPARATOR, CallbackData, MaxLength, callback_data
from handlers.replies import answer, edit
from handlers.taps import refuse_stale

Button = InlineKeyboardButton
Rows = list[list[InlineKeyboardButton]]
Answers = Mapping[str, Any]

NOT_UNDERSTOOD: Final = N_("I did not understand that. /help lists what you can do.")

STEP_BYTES: Final = 16
ACTION_BYTES: Final = 8


def _step_data(prefix: str) -> type[CallbackData]:
    """Declare the buttons of one mode: step, action and an argument filling the 64 bytes."""
    argument = CALLBACK_DATA_LIMIT - len(prefix) - 3 * len(SEPARATOR) - STEP_BYTES - ACTION_BYTES
    annotations = {
        "step": Annotated[str, MaxLength(STEP_BYTES)],
        "action": Annotated[str, MaxLength(ACTION_BYTES)],
        "argument": Annotated[str, MaxLength(argument)],
    }
    namespace = {"__annotations__": annotations, "__module__": __name__}
    kind = type(f"StepButton_{prefix}", (CallbackData,), namespace)
    return callback_data(prefix)(kind)


@dataclass(frozen=True)
class Mode:
    """The whole conversation, or editing one field; ``kind`` names its draft."""

    kind: str
    prefix: str
    editing: bool
    data: type[CallbackData] = field(init=False, repr=False, compare=False)
    """The typed callback data of this mode's buttons (declared, so its prefix is unique)."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "data", _step_data(self.prefix))

    def pack(self, step: str, action: str, argument: str = "") -> str:
        return self.data(step, action, argument).pack()  # type: ignore[call-arg]

    def unpack(self, data: str) -> tuple[str, str, str] | None:
        """(step, action, argument) of a button of this mode; None for any other data."""
        tap = self.data.unpack_or_none(data)
        if tap is None:
            return None
        return tap.step, tap.action, tap.argument  # type: ignore[attr-defined]


def modes(*of: Mode) -> dict[str, Mode]:
    """The modes by their callback prefix."""
    return {mode.prefix: mode for mode in of}


# --- outcomes of an answer ---------------------------------------------------------------


@dataclass(frozen=True)
class Accept:
    """A valid answer for the step."""

    value: Any


@dataclass(frozen=True)
class Stay:
    """The same step again: with changed answers (toggles, files), a note, or suggestions."""

    answers: dict[str, Any]
    note: Html | None = None
    extra: Rows = field(default_factory=list)


@dataclass(frozen=True)
class Goto:
    """Move to another step without answering (Back, Skip)."""

    step: str


Outcome = Accept | Stay | Goto


@dataclass(frozen=True)
class View:
    """What to show: a text (split below 4096 when long) and the buttons under its end."""

    text: Html
    markup: InlineKeyboardMarkup | None = None


@dataclass(frozen=True)
class Tap:
    """A parsed callback: which conversation, which step, what was tapped."""

    mode: Mode
    step: str
    action: str
    argument: str


def parse_callback(data: str | None, by_prefix: Mapping[str, Mode]) -> Tap | None:
    """The tap a button of one of these modes carries; None for forged or other data."""
    prefix = (data or "").partition(SEPARATOR)[0]
    mode = by_prefix.get(prefix)
    parsed = None if mode is None or data is None else mode.unpack(data)
    if mode is None or parsed is None:
        return None
    return Tap(mode, *parsed)


# --- the summary ---------------------------------------------------------------------------

Submit = Callable[[BotContext, Person, Draft], Awaitable[View]]


def _nothing_missing(answers: Answers) -> Sequence[str]:
    return ()


@dataclass(frozen=True, kw_only=True)
class Summary:
    """The step after the last one: what the person checks, and its three buttons
    (``submit``, then Edit — a menu of the fields — or Back, then Cancel)."""

    lines: Callable[[BotContext, Answers], Awaitable[list[str]]]
    """Its heading and the answers as the person checks them."""
    submit: str
    """The message id of the first button (``Save``, ``Post``, …)."""
    submit_action: str
    on_submit: Submit
    """Store the answers (and close the draft); called once nothing required is missing."""
    dropped: str
    """The message id shown once Cancel dropped the draft."""
    hint: str
    """The message id of the note shown when text is typed at the summary."""
    question: str | None = None
    """The message id asked under the answers (``Save it?``)."""
    missing: Callable[[Answers], Sequence[str]] = _nothing_missing
    """The required steps still unanswered: submit asks for the first of them."""
    back: bool = False
    """The middle button goes back to the last step instead of opening the menu of fields."""
    cancel_action: str = "cancel"
    drop_question: str | None = None
    """The message id Cancel asks before dropping (None drops at once)."""


# --- answers several forms read alike ------------------------------------------------------


def accept_or_refuse(
    context: BotContext, answers: dict[str, Any], value: str | list[str] | Refusal
) -> Accept | Stay:
    if isinstance(value, Refusal):
        return Stay(answers, refusal(context, value))
    return Accept(value)


def refusal(context: BotContext, refused: Refusal) -> Html:
    return context.tr(refused.message, **refused.values)


def typed_country(
    context: BotContext, mode: Mode, answers: dict[str, Any], text: str
) -> Accept | Stay:
    """A typed country, or suggestions as buttons (``pick``) when it is not exact."""
    unknown = N_("No country matches “{text}”. Type its name or its two-letter code.")
    suggest = N_("No country is called “{text}”. Did you mean one of these?")
    pick = Pick(mode, "country", 2, lambda code: country_name(code, context.tr.language))
    return match_or_pick(context, answers, text, find_country(text), (unknown, suggest), pick)


@dataclass(frozen=True)
class Pick:
    """The suggestion buttons of a step: ``pick`` taps, ``width`` a row, labelled by ``label``."""

    mode: Mode
    step: str
    width: int
    label: Callable[[str], str]


def match_or_pick(
    context: BotContext,
    answers: dict[str, Any],
    text: str,
    found: Lookup,
    notes: tuple[str, str],
    pick: Pick,
) -> Accept | Stay:
    """The exact match of a typed name; else the note for no suggestion, or the one over the
    suggestions as buttons (both message ids take ``{text}``, what was typed)."""
    if found.match is not None:
        return Accept(found.match)
    typed = echo(clean(text))
    unknown, suggest = notes
    if not found.suggestions:
        return Stay(answers, context.tr(unknown, text=typed))
    buttons = [
        button(pick.label(value), pick.mode, pick.step, "pick", value)
        for value in found.suggestions
    ]
    return Stay(answers, context.tr(suggest, text=typed), rows_of(buttons, pick.width))


def reader_zone(context: BotContext) -> str:
    """The zone (IANA key) of the person writing, else the network's default."""
    person = context.person
    zone = person.timezone if person is not None and person.timezone else None
    return zone or context.settings.default_timezone


async def theme_labels(context: BotContext) -> dict[str, str]:
    """Theme slug -> the working group's name in the reader's language (joint projects are
    no themes)."""
    language = context.tr.language
    return {group.slug: group.name(language) for group in await context.services.groups.themes()}


async def theme_slugs(context: BotContext) -> set[str]:
    return {group.slug for group in await context.services.groups.themes()}


# --- buttons and sending views -------------------------------------------------------------


def tick(on: bool) -> str:
    return "✓ " if on else ""


def button(text: str, mode: Mode, step: str, action: str, argument: str = "") -> Button:
    return Button(text, callback_data=mode.pack(step, action, argument))


def rows_of(buttons: Sequence[Button], width: int) -> Rows:
    return [list(buttons[i : i + width]) for i in range(0, len(buttons), width)]


def markup(rows: Rows) -> InlineKeyboardMarkup | None:
    """The keyboard of the non-empty rows; None without any (Telegram refuses an empty one)."""
    kept = [row for row in rows if row]
    return InlineKeyboardMarkup(kept) if kept else None


async def reply(message: Message, view: View) -> None:
    """Answer with the view, split below Telegram's limit; the buttons go under the last part."""
    chunks = split_message(view.text)
    for index, chunk in enumerate(chunks):
        last = index == len(chunks) - 1
        await answer(message, chunk, view.markup if last else None)


async def show(message: Message | None, view: View) -> None:
    """Put the view in place of the tapped message (more parts follow as new messages)."""
    if message is None:
        return
    chunks = split_message(view.text)
    first_markup = view.markup if len(chunks) == 1 else None
    await edit(message, chunks[0], first_markup)
    for index, chunk in enumerate(chunks[1:], start=2):
        last = index == len(chunks)
        await answer(message, chunk, view.markup if last else None)


async def answer_tap_with(query: CallbackQuery, context: BotContext, view: View | None) -> None:
    """Put the view in place of the tapped message; None refuses a forged or stale button."""
    if view is None:
        await refuse_stale(query, context)
        return
    await query.answer()
    await show(query.message if isinstance(query.message, Message) else None, view)
