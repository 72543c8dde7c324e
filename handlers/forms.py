"""Step forms: a conversation that asks one thing per step, kept in a draft until it is done.

A feature describes its form in a :class:`StepForm` (its two modes, its steps, the lines and
buttons of a step, what a typed answer or a tap means, and its :class:`Summary`) and gets the
machinery every form shares: the start-or-resume command, the button handler, Back and Skip,
saving the draft after each answer, the one-line confirmation, the summary at the end with its
three buttons (send, Edit or Back, Cancel), the menu of fields, asking for what is still
missing, dropping the draft and editing one field. ``/profile``, ``/submit``, ``/propose``,
``/action`` and ``/opportunity`` are step forms.

A mode is the whole conversation (``editing=False``) or editing one field (``editing=True``);
its buttons are typed callback data declared with the mode (``<prefix>:<step>:<action>:<argument>``,
checked like every other kind in ``bot.routing``). A form declares its conversations with
:meth:`StepForm.conversations`; the handler module returns them from its ``conversations()``.
The parts (modes, outcomes, views, buttons) live in ``handlers/form_parts.py``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.ext import CallbackQueryHandler

from bot.context import BotContext
from bot.conversations import STOP_QUESTION, Conversation
from bot.formats import format_names
from bot.models import Draft, Person
from bot.rendering import Html
from handlers.form_parts import (
    NOT_UNDERSTOOD,
    Accept,
    Answers,
    Button,
    Goto,
    Mode,
    Outcome,
    Rows,
    Stay,
    Summary,
    Tap,
    View,
    answer_tap_with,
    button,
    markup,
    modes,
    parse_callback,
    reply,
    rows_of,
)
from handlers.guard import Route

RESUME: Final = "resume"
"""The step name of the Continue / Start over buttons."""
DROP: Final = "drop"
"""The action that drops the draft once the person said yes to ``Summary.drop_question``."""

StepLines = Callable[[BotContext, Mode, str, Answers], Awaitable[list[str]]]
Choices = Callable[[BotContext, Mode, str, Answers], Awaitable[Rows]]
Navigation = Callable[[BotContext, Mode, str, Answers], list[Button]]


def _no_answers(context: BotContext, person: Person) -> dict[str, Any]:
    return {}


async def _no_field_editing(
    context: BotContext, draft: Draft, value: Any, confirmation: Html
) -> View:
    """A form that offers no one-field editing: drop the stray edit draft, confirm."""
    await context.services.drafts.delete(draft.person_id, draft.kind)
    return View(confirmation)


async def _nothing_changed(context: BotContext, person: Person, draft: Draft) -> View:
    return View(context.tr("Nothing changed."))


@dataclass(frozen=True, kw_only=True)
class StepForm:
    """One feature's form: its modes, steps, parsers and summary; the shared moves are
    methods."""

    flow: Mode
    edit: Mode
    steps: Sequence[str]
    final: str
    """The step after the last one: the summary the person saves or sends from."""
    summary: Summary
    resume_text: str | Callable[[BotContext, Draft], Html]
    """What the Continue / Start over question says of the draft (a message id, or made)."""
    step_lines: StepLines
    """A step's heading, question and current answer (what the note and buttons surround)."""
    choices: Choices
    """The buttons that answer a step (above its Back / Skip row)."""
    read_typed: Callable[[BotContext, Mode, Draft, str], Awaitable[Accept | Stay]]
    read_tap: Callable[[BotContext, Draft, Tap], Awaitable[Outcome | None]]
    field_label: Callable[[str], str]
    display: Callable[[BotContext, str, Any], Awaitable[Html]]
    next_step: Callable[[str, dict[str, Any]], str]
    previous_step: Callable[[str, Answers], str | None]
    initial_answers: Callable[[BotContext, Person], dict[str, Any]] = _no_answers
    skippable: frozenset[str] = frozenset()
    """Steps with a Skip button (action ``skip``, read by the form's ``read_tap``)."""
    clearable: frozenset[str] = frozenset()
    """Steps with a Clear button when editing one field that holds an answer."""
    navigation: Navigation | None = None
    """A form's own Back / Skip row, in place of the one built from the two sets above."""
    save_one_field: Callable[[BotContext, Draft, Any, Html], Awaitable[View]] = _no_field_editing
    cancelled_edit: Callable[[BotContext, Person, Draft], Awaitable[View]] = _nothing_changed
    by_prefix: dict[str, Mode] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_prefix", modes(self.flow, self.edit))

    # --- the command, the buttons and resuming -------------------------------------------

    async def start_or_resume(self, update: Update, context: BotContext) -> None:
        """Start the form, or offer to continue the one in progress (drops a field edit)."""
        message = update.effective_message
        person = context.person
        if message is None or person is None:
            return
        await context.services.drafts.delete(person.id, self.edit.kind)
        if await self.offered_resume(message, context, person):
            return
        await reply(message, await self.start_over(context, person, message.chat_id))

    async def offered_resume(self, message: Message, context: BotContext, person: Person) -> bool:
        """Offer to continue the draft in progress; False when there is none."""
        draft = await context.services.drafts.get(person.id, self.flow.kind)
        if draft is not None:
            await reply(message, self.resume_view(context, draft))
        return draft is not None

    async def start_over(self, context: BotContext, person: Person, chat_id: int | None) -> View:
        return await self.begin(context, person, chat_id, self.initial_answers(context, person))

    async def begin(
        self, context: BotContext, person: Person, chat_id: int | None, answers: dict[str, Any]
    ) -> View:
        """Save a new draft at the first step with these answers, and show that step."""
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
        said = self.resume_text
        text = _(said) if isinstance(said, str) else said(context, draft)
        return View(Html(f"{text}\n{question}"), InlineKeyboardMarkup([buttons]))

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

    async def on_button(self, update: Update, context: BotContext) -> None:
        """A tap on a button of the form (either mode); a forged or stale one is refused."""
        query, person = update.callback_query, context.person
        if query is None:
            return
        tap = parse_callback(query.data, self.by_prefix)
        view = (
            None if tap is None or person is None else await self.answer_tap(context, person, tap)
        )
        await answer_tap_with(query, context, view)

    def button_handlers(self) -> list[Route]:
        """The callback handlers of the form's two modes (a handler module's ``handlers()``)."""
        return [
            (CallbackQueryHandler(self.on_button, pattern=mode.data.pattern()), 0)
            for mode in (self.flow, self.edit)
        ]

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
            view = await self.final_view(context, draft.data, context.tr(self.summary.hint))
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
            return await self.summary_tap(context, person, draft, tap)
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

    # --- one step --------------------------------------------------------------------------

    async def step_view(
        self, context: BotContext, mode: Mode, step: str, answers: Answers, note: Html | None
    ) -> View:
        """The step as the person sees it: the note, its lines, its choices and Back / Skip."""
        lines: list[str] = [note, ""] if note else []
        lines += await self.step_lines(context, mode, step, answers)
        rows = await self.choices(context, mode, step, answers)
        rows.append(self.navigation_row(context, mode, step, answers))
        return View(Html("\n".join(lines)), markup(rows))

    def navigation_row(
        self, context: BotContext, mode: Mode, step: str, answers: Answers
    ) -> list[Button]:
        """Back and Skip (Clear and Cancel when editing one field), or the form's own row."""
        if self.navigation is not None:
            return self.navigation(context, mode, step, answers)
        _ = context.tr
        row: list[Button] = []
        if mode.editing:
            if step in self.clearable and answers.get(step):
                row.append(button(_("Clear"), mode, step, "clear"))
            return [*row, button(_("Cancel"), mode, step, "cancel")]
        if step in self.steps and self.previous_step(step, answers) is not None:
            row.append(button(_("« Back"), mode, step, "back"))
        if step in self.skippable:
            row.append(button(_("Skip"), mode, step, "skip"))
        return row

    # --- moving through the steps --------------------------------------------------------

    async def apply(self, context: BotContext, mode: Mode, draft: Draft, outcome: Outcome) -> View:
        """Act on an outcome at the draft's step and say what the person sees next."""
        step = draft.step
        if isinstance(outcome, Stay):
            if outcome.answers != draft.data:
                answers, chat_id = outcome.answers, draft.chat_id
                await self.save(context, mode, draft.person_id, step, answers, chat_id)
            if outcome.note is not None and outcome.extra:
                rows = [*outcome.extra, self.navigation_row(context, mode, step, outcome.answers)]
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
        answers: Answers,
        chat_id: int | None,
    ) -> None:
        await context.services.drafts.save(person_id, mode.kind, step, answers, chat_id)

    # --- the summary -----------------------------------------------------------------------

    async def final_view(self, context: BotContext, answers: Answers, note: Html | None) -> View:
        """The summary: the note, the form's lines, its question and its three buttons."""
        _, summary = context.tr, self.summary
        lines: list[str] = [note, ""] if note else []
        lines += await summary.lines(context, answers)
        if summary.question:
            lines += ["", _(summary.question)]
        middle = (
            self._at_summary(_("« Back"), "back")
            if summary.back
            else self._at_summary(_("Edit"), "edit")
        )
        buttons = [
            self._at_summary(_(summary.submit), summary.submit_action),
            middle,
            self._at_summary(_("Cancel"), summary.cancel_action),
        ]
        return View(Html("\n".join(lines)), InlineKeyboardMarkup([buttons]))

    def _at_summary(self, text: str, action: str, argument: str = "") -> Button:
        return button(text, self.flow, self.final, action, argument)

    async def summary_tap(
        self, context: BotContext, person: Person, draft: Draft, tap: Tap
    ) -> View | None:
        """What a button under the summary does; None for one it does not have."""
        summary, action = self.summary, tap.action
        if action == summary.submit_action:
            return await self.submit(context, person, draft)
        if action == summary.cancel_action and summary.drop_question is not None:
            return self._drop_question(context, summary.drop_question)
        if action == summary.cancel_action or (action == DROP and summary.drop_question):
            await context.services.drafts.delete(person.id, self.flow.kind)
            return View(context.tr(summary.dropped))
        if summary.back:
            return await self._summary_back(context, draft, action)
        return await self._summary_edit(context, draft, tap)

    async def _summary_back(self, context: BotContext, draft: Draft, action: str) -> View | None:
        target = self.previous_step(self.final, draft.data)
        if action != "back" or target is None:
            return None
        return await self.go(context, self.flow, draft, dict(draft.data), target, None)

    async def _summary_edit(self, context: BotContext, draft: Draft, tap: Tap) -> View | None:
        if tap.action == "edit":
            return self._fields_menu(context)
        if tap.action == "show":
            return await self.final_view(context, draft.data, None)
        if tap.action == "field" and tap.argument in self.steps:
            answers = {**draft.data, "return_to": self.final}
            return await self.go(context, self.flow, draft, answers, tap.argument, None)
        return None

    def _fields_menu(self, context: BotContext) -> View:
        _ = context.tr
        fields = [self._at_summary(_(self.field_label(s)), "field", s) for s in self.steps]
        back = self._at_summary(_("« Back"), "show")
        text = _("Which part do you want to change?")
        return View(text, InlineKeyboardMarkup([*rows_of(fields, 2), [back]]))

    def _drop_question(self, context: BotContext, question: str) -> View:
        _ = context.tr
        buttons = [
            self._at_summary(_("Yes, drop it"), DROP),
            self._at_summary(_("No, keep it"), "show"),
        ]
        return View(_(question), InlineKeyboardMarkup([buttons]))

    async def field_lines(
        self, context: BotContext, answers: Answers, template: str, name: str = "field"
    ) -> list[str]:
        """A summary line for every step: ``template`` takes the field as ``{<name>}`` and
        its answer as ``{value}``."""
        _ = context.tr
        lines: list[str] = []
        for step in self.steps:
            value = await self.display(context, step, answers.get(step))
            lines.append(_(template, **{name: _(self.field_label(step)), "value": value}))
        return lines

    async def submit(self, context: BotContext, person: Person, draft: Draft) -> View:
        """Hand the answers to the form's service, or ask for what is still missing."""
        missing = self.summary.missing(draft.data)
        if missing:
            _ = context.tr
            labels = format_names((_(self.field_label(step)) for step in missing), _.language)
            # Translators: {fields} are field names joined with commas.
            note = _("Still missing: {fields}.", fields=labels)
            answers = {**draft.data, "return_to": self.final}
            return await self.go(context, self.flow, draft, answers, missing[0], note)
        return await self.summary.on_submit(context, person, draft)


def _one_field(draft: Draft) -> int:
    """Editing one field: nothing to lose worth asking about."""
    return 0
