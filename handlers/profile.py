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
from datetime import datetime
from typing import Any, Final

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler

from bot import profile as rules
from bot.commands import ME, PROFILE
from bot.context import BotContext
from bot.conversations import Conversation
from bot.countries import (
    city_name,
    country_name,
    find_zone,
    format_offset,
    is_country,
    is_zone,
    normalise,
    utc_offset,
    zones_of,
)
from bot.i18n import LANGUAGE_NAMES, LANGUAGES, N_
from bot.models import PROFILE_ROLES, Draft, Person
from bot.profile import OPTIONAL, STEPS, SUMMARY, Refusal
from bot.profile.service import EDIT_KIND, FLOW_KIND
from bot.rendering import Html, echo, escape
from handlers.forms import (
    Accept,
    Button,
    Goto,
    Mode,
    Outcome,
    Rows,
    Stay,
    StepForm,
    Tap,
    View,
    accept_or_refuse,
    answer_tap_with,
    button,
    modes,
    parse_callback,
    refusal,
    reply,
    rows_of,
    theme_labels,
    theme_slugs,
    tick,
    typed_country,
)
from handlers.guard import Route, route

FLOW: Final = Mode(kind=FLOW_KIND, prefix="pf", editing=False)
"""The whole ``/profile`` conversation."""
EDIT: Final = Mode(kind=EDIT_KIND, prefix="pe", editing=True)
"""Editing one field from ``/me``."""
MODES: Final = modes(FLOW, EDIT)

MAX_ZONE_BUTTONS: Final = 48
"""At most this many zone buttons (a country with more lists the first, west to east)."""


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


# --- typed answers -----------------------------------------------------------------------


async def _read_typed(context: BotContext, mode: Mode, draft: Draft, text: str) -> Accept | Stay:
    """What a typed answer means for the draft's step; refusals keep the answers as they were."""
    step, answers = draft.step, dict(draft.data)
    if step == "name":
        return accept_or_refuse(context, answers, rules.read_name(text))
    if step in ("reserve", "organisation"):
        return accept_or_refuse(context, answers, rules.read_text(text, rules.TEXT_LIMIT))
    if step == "email":
        return accept_or_refuse(context, answers, rules.read_email(text))
    if step == "country":
        return typed_country(context, mode, answers, text)
    if step == "timezone":
        return _typed_zone(context, mode, answers, text)
    if step == "role":
        return _typed_role(context, answers, text)
    if step == "languages":
        chosen = rules.read_languages(text, answers.get("languages") or [])
        return _stay_with(context, answers, "languages", chosen)
    themes = rules.theme_names(await context.services.groups.active())
    chosen = rules.read_tags(text, answers.get("interests") or [], themes)
    return _stay_with(context, answers, "interests", chosen)


def _stay_with(
    context: BotContext, answers: dict[str, Any], step: str, value: list[str] | Refusal
) -> Stay:
    if isinstance(value, Refusal):
        return Stay(answers, refusal(context, value))
    return Stay({**answers, step: value})


def _typed_zone(
    context: BotContext, mode: Mode, answers: dict[str, Any], text: str
) -> Accept | Stay:
    _ = context.tr
    found = find_zone(text)
    if found.match is not None:
        return Accept(found.match)
    typed = rules.clean(text)
    if not found.suggestions:
        note = _(
            "I know no time zone or city called “{text}”. Type a bigger city nearby, "
            "or a time zone name like America/Lima.",
            text=echo(typed),
        )
        return Stay(answers, note)
    note = _("No time zone is called “{text}”. Did you mean one of these?", text=echo(typed))
    now = context.services.clock.now()
    buttons = [
        button(_zone_label(zone, now, _.language), mode, "timezone", "pick", zone)
        for zone in found.suggestions
    ]
    return Stay(answers, note, rows_of(buttons, 1))


def _typed_role(context: BotContext, answers: dict[str, Any], text: str) -> Accept | Stay:
    wanted = normalise(text)
    i18n = context.services.i18n
    for role, label in rules.ROLE_LABELS.items():
        names = {normalise(role), *(normalise(i18n.translator(lang)(label)) for lang in LANGUAGES)}
        if wanted in names:
            return Accept(role)
    return Stay(answers, context.tr("Please choose your role with the buttons."))


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


async def _summary_tap(context: BotContext, person: Person, draft: Draft, tap: Tap) -> View | None:
    _ = context.tr
    answers = dict(draft.data)
    if tap.action == "save":
        return await _save_profile(context, person, draft)
    if tap.action == "cancel":
        await context.services.drafts.delete(person.id, FLOW.kind)
        return View(_("Nothing was saved: your profile is as it was. /me shows it."))
    if tap.action == "edit":
        buttons = [
            button(_(rules.FIELD_LABELS[step]), FLOW, SUMMARY, "field", step) for step in STEPS
        ]
        back = [button(_("« Back"), FLOW, SUMMARY, "show")]
        text = _("Which part do you want to change?")
        return View(text, InlineKeyboardMarkup([*rows_of(buttons, 2), back]))
    if tap.action == "show":
        return await _summary_view(context, answers)
    if tap.action == "field" and tap.argument in STEPS:
        answers["return_to"] = SUMMARY
        return await FORM.go(context, FLOW, draft, answers, tap.argument, None)
    return None


async def _save_profile(context: BotContext, person: Person, draft: Draft) -> View:
    """Write every answer in one transaction, then drop the draft."""
    _ = context.tr
    missing = rules.missing_required(draft.data)
    if missing:
        labels = ", ".join(_(rules.FIELD_LABELS[step]) for step in missing)
        note = _("Still missing: {fields}.", fields=labels)
        answers = {**draft.data, "return_to": SUMMARY}
        return await FORM.go(context, FLOW, draft, answers, missing[0], note)
    saved = await context.services.profile.save(person.id, draft.data)
    return await _card_view(context, saved, _("Your profile is saved."))


async def _summary_view(
    context: BotContext, answers: Mapping[str, Any], note: Html | None = None
) -> View:
    _ = context.tr
    lines: list[str] = [note, ""] if note else []
    lines.append(_("<b>Your profile: please check it</b>"))
    lines += await _card_lines(context, answers)
    lines += ["", _("Save it?")]
    buttons = [
        button(_("Save"), FLOW, SUMMARY, "save"),
        button(_("Edit"), FLOW, SUMMARY, "edit"),
        button(_("Cancel"), FLOW, SUMMARY, "cancel"),
    ]
    return View(Html("\n".join(lines)), InlineKeyboardMarkup([buttons]))


# --- the card and editing one field --------------------------------------------------------


async def _card_view(context: BotContext, person: Person, note: Html | None = None) -> View:
    _ = context.tr
    lines = [note, ""] if note else []
    lines.append(_("<b>Your profile</b>"))
    lines += await _card_lines(context, rules.saved_answers(person))
    groups = await context.services.groups.names_of_groups_of(person.id, _.language)
    groups_text = escape(", ".join(groups)) if groups else Html("—")
    lines.append(rules.card_line(_, N_("Working groups"), groups_text))
    if not person.country:
        lines += ["", _("/profile fills it in, step by step.")]
    edit = button(_("Edit"), EDIT, "menu", "")
    return View(Html("\n".join(lines)), InlineKeyboardMarkup([[edit]]))


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
    return await _step_view(context, EDIT, step, answers)


async def _display(context: BotContext, step: str, value: Any) -> Html:
    now = context.services.clock.now()
    return rules.display(context.tr, step, value, now, await theme_labels(context))


async def _card_lines(context: BotContext, answers: Mapping[str, Any]) -> list[Html]:
    themes = await theme_labels(context)
    return rules.card_lines(context.tr, answers, context.services.clock.now(), themes)


# --- one step as the person sees it --------------------------------------------------------


async def _step_view(
    context: BotContext,
    mode: Mode,
    step: str,
    answers: Mapping[str, Any],
    note: Html | None = None,
) -> View:
    _ = context.tr
    lines = [note, ""] if note else []
    if mode.editing:
        lines.append(_("<b>Your profile: {field}</b>", field=_(rules.FIELD_LABELS[step])))
    else:
        n, total = rules.step_number(step), len(STEPS)
        lines.append(_("<b>Your profile, step {n} of {total}</b>", n=n, total=total))
    lines.append(_(rules.PROMPTS[step], **rules.PROMPT_VALUES.get(step, {})))
    if step in rules.OPTIONAL_TEXT and answers.get(step):
        lines.append(_("Now: {value}", value=answers[step]))
    rows = await _choices(context, mode, step, answers)
    rows.append(_navigation(context, mode, step, answers))
    markup = InlineKeyboardMarkup([row for row in rows if row])
    return View(Html("\n".join(lines)), markup)


async def _choices(context: BotContext, mode: Mode, step: str, answers: Mapping[str, Any]) -> Rows:
    """The buttons that answer the step."""
    _ = context.tr
    value = answers.get(step)
    if step == "name" and value and not mode.editing:
        return [[button(_("Keep “{name}”", name=Html(value)), mode, step, "keep")]]
    if step == "country" and value and not mode.editing:
        label = _("Keep {country}", country=Html(country_name(value, _.language)))
        return [[button(label, mode, step, "keep")]]
    if step == "role":
        roles = [
            button(tick(role == value) + _(label), mode, step, "pick", role)
            for role, label in rules.ROLE_LABELS.items()
        ]
        return rows_of(roles, 2)
    if step == "timezone":
        return _zone_choices(context, mode, answers)
    if step == "languages":
        return _language_choices(context, mode, answers)
    if step == "interests":
        return await _interest_choices(context, mode, answers)
    return []


def _zone_choices(context: BotContext, mode: Mode, answers: Mapping[str, Any]) -> Rows:
    now = context.services.clock.now()
    current = answers.get("timezone")
    country = answers.get("country")
    zones = list(zones_of(country, now)[:MAX_ZONE_BUTTONS]) if country else []
    if current and current not in zones:
        zones.insert(0, current)
    buttons = [
        button(
            tick(zone == current) + _zone_label(zone, now, context.tr.language),
            mode,
            "timezone",
            "pick",
            zone,
        )
        for zone in zones
    ]
    return rows_of(buttons, 2)


def _zone_label(zone: str, now: datetime, language: str) -> str:
    return f"{city_name(zone, language)} · {format_offset(utc_offset(zone, now))}"


def _language_choices(context: BotContext, mode: Mode, answers: Mapping[str, Any]) -> Rows:
    chosen: list[str] = list(answers.get("languages") or [])
    codes = [*LANGUAGES, *(code for code in chosen if code not in LANGUAGES)]
    buttons = [
        button(
            tick(code in chosen) + _language_label(code, context.tr.language),
            mode,
            "languages",
            "toggle",
            code,
        )
        for code in codes
    ]
    return [*rows_of(buttons, 2), [button(context.tr("Done"), mode, "languages", "done")]]


def _language_label(code: str, language: str) -> str:
    """The four network languages named in themselves, others in the reader's language."""
    return LANGUAGE_NAMES.get(code) or rules.language_name(code, language)


async def _interest_choices(context: BotContext, mode: Mode, answers: Mapping[str, Any]) -> Rows:
    chosen: list[str] = list(answers.get("interests") or [])
    groups = await context.services.groups.active()
    themes = [
        button(
            tick(group.slug in chosen) + group.name(context.tr.language),
            mode,
            "interests",
            "toggle",
            group.slug,
        )
        for group in groups
    ]
    slugs = {group.slug for group in groups}
    tags = [
        button(f"✕ {tag}", mode, "interests", "untag", f"{index}-{rules.tag_check(tag)}")
        for index, tag in enumerate(chosen)
        if tag not in slugs
    ]
    done = [button(context.tr("Done"), mode, "interests", "done")]
    return [*rows_of(themes, 2), *rows_of(tags, 2), done]


def _navigation(
    context: BotContext, mode: Mode, step: str, answers: Mapping[str, Any]
) -> list[Button]:
    _ = context.tr
    row: list[Button] = []
    if mode.editing:
        if step in OPTIONAL and answers.get(step):
            row.append(button(_("Clear"), mode, step, "clear"))
        row.append(button(_("Cancel"), mode, step, "cancel"))
        return row
    if rules.previous_step(step, answers) is not None:
        row.append(button(_("« Back"), mode, step, "back"))
    if step in rules.OPTIONAL_TEXT:
        row.append(button(_("Skip"), mode, step, "skip"))
    return row


FORM: Final = StepForm(
    flow=FLOW,
    edit=EDIT,
    steps=STEPS,
    final=SUMMARY,
    final_hint=N_("Please use the buttons: Save, Edit or Cancel."),
    initial_answers=_initial_answers,
    resume_text=_resume_text,
    step_view=_step_view,
    final_view=_summary_view,
    final_tap=_summary_tap,
    navigation=_navigation,
    read_typed=_read_typed,
    read_tap=_read_tap,
    field_label=lambda step: rules.FIELD_LABELS[step],
    display=_display,
    save_one_field=_save_one_field,
    cancelled_edit=_cancelled_edit,
    next_step=rules.next_step,
    previous_step=rules.previous_step,
)


def conversations() -> tuple[Conversation, ...]:
    return FORM.conversations(
        N_("filling in your profile"),
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
