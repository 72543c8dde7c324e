"""/profile, /me and editing one field: a member's profile, kept in a draft until it is saved.

``/profile`` walks through the steps of ``bot.profile.STEPS``; every answer is kept in the draft
(kind ``profile``) and reaches the person only when they tap Save on the summary, so nothing is
half-saved and a restart resumes at the same step. ``/me`` shows the profile card; its Edit
button opens a one-step conversation (kind ``profile_edit``) that saves a valid answer at once.

Callback data is ``pf:<step>:<action>:<argument>`` for ``/profile`` and the same with ``pe:``
for editing one field (typed, declared with the modes). A button is honoured only while its
step is the one waiting in the person's draft and its argument is one the step offers; anything
else is refused with an alert.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler

from bot import profile as rules
from bot.channels import CHOICE_LABELS
from bot.commands import ME, PROFILE
from bot.context import BotContext
from bot.conversations import Conversation
from bot.countries import is_country, is_zone
from bot.formats import format_parts
from bot.i18n import N_
from bot.models import PROFILE_ROLES, Draft, Person
from bot.profile import OPTIONAL, STEPS, SUMMARY, Refusal
from bot.rendering import Html, escape
from handlers.form_parts import (
    Accept,
    Goto,
    Outcome,
    Stay,
    Summary,
    Tap,
    View,
    answer_tap_with,
    button,
    parse_callback,
    refusal,
    reply,
    rows_of,
    theme_labels,
    theme_slugs,
)
from handlers.forms import StepForm
from handlers.guard import Route, route
from handlers.profile.steps import EDIT, FLOW, MODES, choices, read_typed, step_lines

# --- commands ----------------------------------------------------------------------------


async def profile_command(update: Update, context: BotContext) -> None:
    """Start the profile, or offer to continue the one in progress."""
    await FORM.start_or_resume(update, context)


async def me_command(update: Update, context: BotContext) -> None:
    """The person's profile card with an Edit button."""
    message = update.effective_message
    person = context.person
    if message is None or person is None:
        return
    await reply(message, await _card_view(context, person))


def _initial_answers(context: BotContext, person: Person) -> dict[str, Any]:
    return rules.initial_answers(person, context.tr.language)


def _resume_text(context: BotContext, draft: Draft) -> Html:
    _ = context.tr
    if draft.step == SUMMARY:
        return _("You have a profile in progress, ready to be saved.")
    return _(
        "You have a profile in progress (step {n} of {total}).",
        n=rules.step_number(draft.step),
        total=len(STEPS),
    )


# --- buttons -----------------------------------------------------------------------------


async def on_button(update: Update, context: BotContext) -> None:
    query = update.callback_query
    person = context.person
    if query is None:
        return
    tap = parse_callback(query.data, MODES)
    view = None if tap is None or person is None else await _answer_tap(context, person, tap)
    await answer_tap_with(query, context, view)


async def _answer_tap(context: BotContext, person: Person, tap: Tap) -> View | None:
    """The view after a tap, or None when the button is forged or stale (nothing changed)."""
    if tap.mode is EDIT and tap.step == "menu":
        return await _fields_menu(context, person)
    if tap.mode is EDIT and tap.step == "open":
        return await _open_edit(context, person, tap.argument)
    return await FORM.answer_tap(context, person, tap)


async def _cancelled_edit(context: BotContext, person: Person, draft: Draft) -> View:
    return await _card_view(context, person, context.tr("Nothing changed."))


async def _read_tap(context: BotContext, draft: Draft, tap: Tap) -> Outcome | None:
    """What a tap means at the draft's step; None for an action the step does not offer."""
    answers, step = dict(draft.data), draft.step
    action, argument = tap.action, tap.argument
    if action == "skip" and not tap.mode.editing and step in OPTIONAL:
        return Goto(rules.next_step(step, answers))
    if action == "keep" and not tap.mode.editing and answers.get(step):
        return Accept(answers[step])
    if action == "clear" and tap.mode.editing and step in OPTIONAL:
        return Accept([] if step in rules.LIST_STEPS else None)
    if action == "done" and step in rules.LIST_STEPS:
        return Accept(list(answers.get(step) or []))
    if action == "pick":
        return _picked(step, argument)
    if action == "toggle":
        return await _toggled(context, answers, step, argument)
    if action == "untag" and step == "interests":
        return _untagged(answers, argument)
    return None


def _picked(step: str, argument: str) -> Accept | None:
    valid = (
        (step == "country" and is_country(argument))
        or (step == "timezone" and is_zone(argument))
        or (step == "role" and argument in PROFILE_ROLES)
    )
    return Accept(argument) if valid else None


async def _toggled(
    context: BotContext, answers: dict[str, Any], step: str, argument: str
) -> Stay | None:
    if step == "languages" and rules.is_language(argument):
        chosen = rules.toggle(answers.get("languages") or [], argument)
        if len(chosen) > rules.MAX_LANGUAGES:
            return Stay(answers, refusal(context, _too_many_languages()))
        return Stay({**answers, "languages": chosen})
    if step == "interests" and argument in await theme_slugs(context):
        return Stay(
            {**answers, "interests": rules.toggle(answers.get("interests") or [], argument)}
        )
    return None


def _too_many_languages() -> Refusal:
    return Refusal(N_("At most {limit} languages, please."), {"limit": rules.MAX_LANGUAGES})


def _untagged(answers: dict[str, Any], argument: str) -> Stay | None:
    """Remove the free tag the button names by position and fingerprint."""
    index, _, check = argument.partition("-")
    interests: list[str] = list(answers.get("interests") or [])
    if not index.isdigit() or int(index) >= len(interests):
        return None
    tag = interests[int(index)]
    if rules.tag_check(tag) != check:
        return None
    return Stay({**answers, "interests": interests[: int(index)] + interests[int(index) + 1 :]})


async def _save_one_field(
    context: BotContext, draft: Draft, value: Any, confirmation: Html
) -> View:
    """Editing one field: write it now, keep a profile in progress in step, show the card."""
    person = await context.services.profile.save_field(draft.person_id, draft.step, value)
    saved = context.tr("Saved.")
    return await _card_view(context, person, Html(f"{confirmation}\n{saved}"))


# --- the summary -------------------------------------------------------------------------


async def _save_profile(context: BotContext, person: Person, draft: Draft) -> View:
    """Write every answer in one transaction, then drop the draft."""
    _ = context.tr
    saved = await context.services.profile.save(person.id, draft.data)
    return await _card_view(context, saved, _("Your profile is saved."))


async def _summary_lines(context: BotContext, answers: Mapping[str, Any]) -> list[str]:
    heading = context.tr("<b>Your profile: please check it</b>")
    return [heading, *await _card_lines(context, answers)]


# --- the card and editing one field --------------------------------------------------------


async def _card_view(context: BotContext, person: Person, note: Html | None = None) -> View:
    _ = context.tr
    lines = [note, ""] if note else []
    lines.append(_("<b>Your profile</b>"))
    lines += await _card_lines(context, rules.saved_answers(person))
    groups = await context.services.groups.names_of_groups_of(person.id, _.language)
    groups_text = escape(format_parts(groups, _.language)) if groups else Html("—")
    lines.append(rules.card_line(_, N_("Working groups"), groups_text))
    lines.append(await _channels_line(context, person))
    if not person.country:
        lines += ["", _("/profile fills it in, step by step.")]
    edit = button(_("Edit"), EDIT, "menu", "")
    return View(Html("\n".join(lines)), InlineKeyboardMarkup([[edit]]))


async def _channels_line(context: BotContext, person: Person) -> Html:
    """How the bot reaches the person, and where to change it (/notify)."""
    _ = context.tr
    state = await context.services.channels.state(person.id)
    reached = _(CHOICE_LABELS[state.choice if state else None])
    return rules.card_line(_, N_("Reached by"), Html(f"{reached} (/notify)"))


async def _fields_menu(context: BotContext, person: Person) -> View:
    _ = context.tr
    buttons = [button(_(rules.FIELD_LABELS[step]), EDIT, "open", "field", step) for step in STEPS]
    text = _("Which part of your profile do you want to change?")
    return View(text, InlineKeyboardMarkup(rows_of(buttons, 2)))


async def _open_edit(context: BotContext, person: Person, step: str) -> View | None:
    if step not in STEPS:
        return None
    answers = rules.saved_answers(person)
    chat_id = person.telegram_id
    await FORM.save(context, EDIT, person.id, step, answers, chat_id)
    return await FORM.step_view(context, EDIT, step, answers, None)


async def _display(context: BotContext, step: str, value: Any) -> Html:
    now = context.services.clock.now()
    return rules.display(context.tr, step, value, now, await theme_labels(context))


async def _card_lines(context: BotContext, answers: Mapping[str, Any]) -> list[Html]:
    themes = await theme_labels(context)
    return rules.card_lines(context.tr, answers, context.services.clock.now(), themes)


FORM: Final = StepForm(
    flow=FLOW,
    edit=EDIT,
    steps=STEPS,
    final=SUMMARY,
    summary=Summary(
        lines=_summary_lines,
        question=N_("Save it?"),
        submit=N_("Save"),
        submit_action="save",
        on_submit=_save_profile,
        missing=rules.missing_required,
        dropped=N_("Nothing was saved: your profile is as it was. /me shows it."),
        hint=N_("Please use the buttons: Save, Edit or Cancel."),
    ),
    resume_text=_resume_text,
    initial_answers=_initial_answers,
    step_lines=step_lines,
    choices=choices,
    read_typed=read_typed,
    read_tap=_read_tap,
    field_label=lambda step: rules.FIELD_LABELS[step],
    display=_display,
    next_step=rules.next_step,
    previous_step=rules.previous_step,
    skippable=rules.OPTIONAL_TEXT,
    clearable=OPTIONAL,
    save_one_field=_save_one_field,
    cancelled_edit=_cancelled_edit,
)


def conversations() -> tuple[Conversation, ...]:
    return FORM.conversations(
        # Translators: completes “Stopped: …” after /cancel.
        N_("filling in your profile"),
        # Translators: completes “Stopped: …” after /cancel.
        N_("editing your profile"),
        N_("Stop filling in your profile?"),
    )


def handlers() -> list[Route]:
    return [
        route(PROFILE, profile_command),
        route(ME, me_command),
        (CallbackQueryHandler(on_button, pattern=FLOW.data.pattern()), 0),
        (CallbackQueryHandler(on_button, pattern=EDIT.data.pattern()), 0),
    ]
