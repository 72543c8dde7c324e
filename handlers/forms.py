"""Step forms: a conversation that asks one thing per step, kept in a draft until it is done.

A feature describes its form in a :class:`StepForm` (its two modes, its steps, how a step looks,
what a typed answer or a tap means) and gets the machinery every form shares: the
start-or-resume command, Back, saving the draft after each answer, the one-line confirmation,
the summary at the end and editing one field. ``/profile`` and ``/submit`` are step forms.

A mode is the whole conversation (``editing=False``) or editing one field (``editing=True``);
its buttons are typed callback data declared with the mode (``<prefix>:<step>:<action>:<argument>``,
checked like every other kind in ``bot.routing``). A form declares its conversations with
:meth:`StepForm.conversations`; the handler module returns them from its ``conversations()``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Annotated, Any, Final

from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update

from bot.context import BotContext
from bot.conversations import STOP_QUESTION, Conversation
from bot.countries import country_name, find_country
from bot.i18n import N_
from bot.models import Draft, Person
from bot.profile import Refusal, clean
from bot.rendering import Html, echo, split_message
from bot.routing import CALLBACK_DATA_LIMIT, SEPARATOR, CallbackData, MaxLength, callback_data
from handlers.replies import answer, edit

Button = InlineKeyboardButton
Rows = list[list[InlineKeyboardButton]]

STALE: Final = N_("This button is no longer valid.")
NOT_UNDERSTOOD: Final = N_("I did not understand that. /help lists what you can do.")
RESUME: Final = "resume"
"""The step name of the Continue / Start over buttons."""


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


# --- the form ----------------------------------------------------------------------------

Answers = Mapping[str, Any]
StepView = Callable[[BotContext, Mode, str, Answers, Html | None], Awaitable[View]]
FinalView = Callable[[BotContext, Answers, Html | None], Awaitable[View]]


@dataclass(frozen=True, kw_only=True)
class StepForm:
    """One feature's form: its modes, steps and views; the shared moves are methods."""

    flow: Mode
    edit: Mode
    steps: Sequence[str]
    final: str
    """The step after the last one: the summary the person saves or sends from."""
    final_hint: str
    """The message id of the note shown when text is typed at the final step."""
    initial_answers: Callable[[BotContext, Person], dict[str, Any]]
    resume_text: Callable[[BotContext, Draft], Html]
    step_view: StepView
    final_view: FinalView
    final_tap: Callable[[BotContext, Person, Draft, Tap], Awaitable[View | None]]
    navigation: Callable[[BotContext, Mode, str, Answers], list[Button]]
    read_typed: Callable[[BotContext, Mode, Draft, str], Awaitable[Accept | Stay]]
    read_tap: Callable[[BotContext, Draft, Tap], Awaitable[Outcome | None]]
    field_label: Callable[[str], str]
    display: Callable[[BotContext, str, Any], Awaitable[Html]]
    save_one_field: Callable[[BotContext, Draft, Any, Html], Awaitable[View]]
    cancelled_edit: Callable[[BotContext, Person, Draft], Awaitable[View]]
    next_step: Callable[[str, dict[str, Any]], str]
    previous_step: Callable[[str, Answers], str | None]

    # --- the command and resuming --------------------------------------------------------

    async def start_or_resume(self, update: Update, context: BotContext) -> None:
        """Start the form, or offer to continue the one in progress (drops a field edit)."""
        message = update.effective_message
        person = context.person
        if message is None or person is None:
            return
        await context.services.drafts.delete(person.id, self.edit.kind)
        draft = await context.services.drafts.get(person.id, self.flow.kind)
        if draft is not None:
            await reply(message, self.resume_view(context, draft))
            return
        await reply(message, await self.start_over(context, person, message.chat_id))

    async def start_over(self, context: BotContext, person: Person, chat_id: int | None) -> View:
        answers = self.initial_answers(context, person)
        first = self.steps[0]
        await self.save(context, self.flow, person.id, first, answers, chat_id)
        return await self.step_view(context, self.flow, first, answers, None)

    def resume_view(self, context: BotContext, draft: Draft) -> View:
        _ = context.tr
        question = _("Continue where you stopped, or start over?")
        buttons = [
            button(_("Continue"), self.flow, RESUME, "continue"),
            button(_("Start over"), self.flow, RESUME, "restart"),
        ]
        text = Html(f"{self.resume_text(context, draft)}\n{question}")
        return View(text, InlineKeyboardMarkup([buttons]))

    async def resume(self, context: BotContext, person: Person, action: str) -> View | None:
        draft = await context.services.drafts.get(person.id, self.flow.kind)
        if action == "restart":
            chat_id = draft.chat_id if draft else person.telegram_id
            return await self.start_over(context, person, chat_id)
        if action != "continue" or draft is None:
            return None
        if draft.step == self.final:
            return await self.final_view(context, draft.data, None)
        if draft.step not in self.steps:
            return None
        return await self.step_view(context, self.flow, draft.step, draft.data, None)

    # --- typed answers and taps ----------------------------------------------------------

    async def on_flow_text(self, update: Update, context: BotContext, draft: Draft) -> None:
        """A typed answer in the whole conversation (a conversation's ``on_text``)."""
        await self.on_text(update, context, draft, self.flow)

    async def on_edit_text(self, update: Update, context: BotContext, draft: Draft) -> None:
        """A typed answer while editing one field (a conversation's ``on_text``)."""
        await self.on_text(update, context, draft, self.edit)

    def conversations(
        self, flow: str, edit: str, stop_question: str = STOP_QUESTION
    ) -> tuple[Conversation, Conversation]:
        """The form's two conversations; ``flow`` and ``edit`` say what the person is doing
        (message ids, for /cancel), ``stop_question`` what /cancel asks of a long draft."""
        return (
            Conversation(self.flow.kind, self.on_flow_text, flow, stop_question, self.answered),
            Conversation(self.edit.kind, self.on_edit_text, edit, answers=_one_field),
        )

    def answered(self, draft: Draft) -> int:
        """How many steps the person answered on the way to the draft's step."""
        passed = self.steps
        if draft.step in self.steps:
            passed = self.steps[: self.steps.index(draft.step)]
        return sum(1 for step in passed if draft.data.get(step) not in (None, "", []))

    async def on_text(self, update: Update, context: BotContext, draft: Draft, mode: Mode) -> None:
        message = update.effective_message
        if message is None or message.text is None:
            return
        if draft.step == self.final and not mode.editing:
            view = await self.final_view(context, draft.data, context.tr(self.final_hint))
        elif draft.step in self.steps:
            outcome = await self.read_typed(context, mode, draft, message.text)
            view = await self.apply(context, mode, draft, outcome)
        else:
            await context.services.drafts.delete(draft.person_id, draft.kind)
            view = View(context.tr(NOT_UNDERSTOOD))
        await reply(message, view)

    async def answer_tap(self, context: BotContext, person: Person, tap: Tap) -> View | None:
        """The view after a tap, or None when the button is forged or stale (nothing changed)."""
        if tap.mode is self.flow and tap.step == RESUME:
            return await self.resume(context, person, tap.action)
        draft = await context.services.drafts.get(person.id, tap.mode.kind)
        if draft is None or draft.step != tap.step:
            return None
        if tap.mode is self.flow and tap.step == self.final:
            return await self.final_tap(context, person, draft, tap)
        if tap.step not in self.steps:
            return None
        if tap.mode is self.edit and tap.action == "cancel":
            await context.services.drafts.delete(person.id, self.edit.kind)
            return await self.cancelled_edit(context, person, draft)
        outcome = await self._read_tap(context, draft, tap)
        if outcome is None:
            return None
        return await self.apply(context, tap.mode, draft, outcome)

    async def _read_tap(self, context: BotContext, draft: Draft, tap: Tap) -> Outcome | None:
        if tap.action == "back" and not tap.mode.editing:
            target = self.previous_step(draft.step, draft.data)
            return None if target is None else Goto(target)
        return await self.read_tap(context, draft, tap)

    # --- moving through the steps --------------------------------------------------------

    async def apply(self, context: BotContext, mode: Mode, draft: Draft, outcome: Outcome) -> View:
        """Act on an outcome at the draft's step and say what the person sees next."""
        step = draft.step
        if isinstance(outcome, Stay):
            if outcome.answers != draft.data:
                answers, chat_id = outcome.answers, draft.chat_id
                await self.save(context, mode, draft.person_id, step, answers, chat_id)
            if outcome.note is not None and outcome.extra:
                rows = [*outcome.extra, self.navigation(context, mode, step, outcome.answers)]
                return View(outcome.note, markup(rows))
            return await self.step_view(context, mode, step, outcome.answers, outcome.note)
        if isinstance(outcome, Goto):
            return await self.go(context, mode, draft, dict(draft.data), outcome.step, None)
        # Translators: one answered field in a form's summary.
        confirmation = context.tr(
            "✓ {field}: {value}",
            field=context.tr(self.field_label(step)),
            value=await self.display(context, step, outcome.value),
        )
        if mode.editing:
            return await self.save_one_field(context, draft, outcome.value, confirmation)
        answers = {**draft.data, step: outcome.value}
        following = self.next_step(step, answers)
        return await self.go(context, mode, draft, answers, following, confirmation)

    async def go(
        self,
        context: BotContext,
        mode: Mode,
        draft: Draft,
        answers: dict[str, Any],
        step: str,
        note: Html | None,
    ) -> View:
        """Save the draft at ``step`` and show it (leaving a return to the final step there)."""
        if step == self.final:
            answers.pop("return_to", None)
        await self.save(context, mode, draft.person_id, step, answers, draft.chat_id)
        if step == self.final:
            return await self.final_view(context, answers, note)
        return await self.step_view(context, mode, step, answers, note)

    async def save(
        self,
        context: BotContext,
        mode: Mode,
        person_id: int,
        step: str,
        answers: Mapping[str, Any],
        chat_id: int | None,
    ) -> None:
        await context.services.drafts.save(person_id, mode.kind, step, answers, chat_id)


def _one_field(draft: Draft) -> int:
    """Editing one field: nothing to lose worth asking about."""
    return 0


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
    _ = context.tr
    found = find_country(text)
    if found.match is not None:
        return Accept(found.match)
    typed = clean(text)
    if not found.suggestions:
        note = _(
            "No country matches “{text}”. Type its name or its two-letter code.", text=echo(typed)
        )
        return Stay(answers, note)
    note = _("No country is called “{text}”. Did you mean one of these?", text=echo(typed))
    buttons = [
        button(country_name(code, _.language), mode, "country", "pick", code)
        for code in found.suggestions
    ]
    return Stay(answers, note, rows_of(buttons, 2))


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
        await query.answer(context.tr(STALE), show_alert=True)
        return
    await query.answer()
    await show(query.message if isinstance(query.message, Message) else None, view)
