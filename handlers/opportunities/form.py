"""``/opportunity``: the step form of a new opportunity (callback data ``os:`` / ``oe:``).

Kind, title, description, themes, where, languages, deadline (typed in the poster's zone with
the meetings' date reader), contact; then the preview and Post, which hands the draft to the
opportunities service (stored, offered to the best-fitting members, draft closed, in one unit).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Final
from zoneinfo import ZoneInfo

from telegram import Update

from bot.context import BotContext
from bot.dates import Examples
from bot.digests import format_when
from bot.formats import zone_name
from bot.i18n import LANGUAGES, N_
from bot.models import Draft, Person
from bot.opportunities import rules
from bot.opportunities.rules import KIND_LABELS, PREVIEW, STEP_NAMES, STEPS
from bot.opportunities.service import DRAFT_KIND
from bot.opportunities.texts import language_list, place_list, theme_list
from bot.profile import Refusal, language_name
from bot.rendering import Html, echo, escape
from handlers.form_parts import (
    Accept,
    Button,
    Mode,
    Outcome,
    Rows,
    Stay,
    Summary,
    Tap,
    View,
    accept_or_refuse,
    button,
    reader_zone,
    rows_of,
    theme_labels,
    tick,
)
from handlers.forms import StepForm

FLOW: Final = Mode(kind=DRAFT_KIND, prefix="os", editing=False)
EDIT: Final = Mode(kind="opportunity_edit", prefix="oe", editing=True)
LIST_STEPS: Final = ("themes", "languages")


async def opportunity_command(update: Update, context: BotContext) -> None:
    """Start an opportunity, or offer to continue the one in progress."""
    await FORM.start_or_resume(update, context)


def _initial(context: BotContext, person: Person) -> dict[str, Any]:
    return {"themes": [], "places": [], "languages": []}


# --- typed answers -----------------------------------------------------------------------


async def _read_typed(context: BotContext, mode: Mode, draft: Draft, text: str) -> Accept | Stay:
    step, answers = draft.step, dict(draft.data)
    if step in rules.LIMITS:
        value = rules.read_text(text, rules.LIMITS[step], multiline=step == "description")
        return accept_or_refuse(context, answers, value)
    if step == "themes":
        tags = rules.read_tags(text)
        if isinstance(tags, Refusal):
            return accept_or_refuse(context, answers, tags)
        chosen = list(answers.get("themes") or [])
        return Stay({**answers, "themes": chosen + [t for t in tags if t not in chosen]})
    if step == "places":
        return accept_or_refuse(context, answers, rules.read_places(text))
    if step == "deadline":
        return _typed_deadline(context, answers, text)
    return Stay(answers, context.tr("Please use the buttons."))


def _typed_deadline(context: BotContext, answers: dict[str, Any], text: str) -> Accept | Stay:
    now = context.services.clock.now()
    moment = rules.read_deadline(text, context.tr.language, ZoneInfo(reader_zone(context)), now)
    if isinstance(moment, Refusal):
        return Stay(answers, context.tr(moment.message, **moment.values))
    return Accept(moment.isoformat())


# --- taps --------------------------------------------------------------------------------


async def _read_tap(context: BotContext, draft: Draft, tap: Tap) -> Outcome | None:
    answers, step = dict(draft.data), draft.step
    if step == "kind" and tap.action == "pick" and rules.is_kind(tap.argument):
        return Accept(tap.argument)
    if tap.action == "skip" and rules.BY_NAME[step].optional:
        return Accept([] if step in ("places", "languages") else None)
    if tap.action == "keep" and answers.get(step):
        return Accept(answers[step])
    if step in LIST_STEPS and tap.action == "toggle":
        allowed = await theme_labels(context) if step == "themes" else dict.fromkeys(LANGUAGES)
        if tap.argument in allowed:
            return Stay({**answers, step: rules.toggle(answers.get(step) or [], tap.argument)})
    if step in LIST_STEPS and tap.action == "done":
        chosen = list(answers.get(step) or [])
        if step == "themes" and not chosen:
            return Stay(answers, context.tr("Please choose at least one theme."))
        return Accept(chosen)
    return None


# --- the preview -------------------------------------------------------------------------


async def _preview_lines(context: BotContext, answers: Mapping[str, Any]) -> list[str]:
    lines = [context.tr("<b>Preview of your opportunity</b>"), ""]
    return lines + await FORM.field_lines(context, answers, N_("<b>{label}:</b> {value}"), "label")


async def _post(context: BotContext, person: Person, draft: Draft) -> View:
    posted = await context.services.opportunities.post(person, draft.data)
    return View(
        context.tr.plural(
            "Posted. It was offered to {n} member it fits; /opportunities lists it.",
            "Posted. It was offered to {n} members it fits; /opportunities lists it.",
            posted.offered,
        )
    )


# --- one step ----------------------------------------------------------------------------


async def _step_lines(
    context: BotContext, mode: Mode, name: str, answers: Mapping[str, Any]
) -> list[str]:
    _ = context.tr
    step = rules.BY_NAME[name]
    lines: list[str] = []
    number = STEP_NAMES.index(name) + 1
    lines.append(_("<b>Your opportunity, step {n} of {total}</b>", n=number, total=len(STEPS)))
    limit = rules.LIMITS.get(name, 0)
    zone = ZoneInfo(reader_zone(context))
    examples = Examples(context.services.clock.now(), zone)
    lines.append(_(step.prompt, limit=limit, zone=zone_name(zone, _.language), examples=examples))
    value = answers.get(name)
    if value and name not in ("kind", *LIST_STEPS):
        lines.append(_("Now: {value}", value=await _display(context, name, value)))
    return lines


async def _choices(context: BotContext, mode: Mode, name: str, answers: Mapping[str, Any]) -> Rows:
    _ = context.tr
    chosen = list(answers.get(name) or [])
    if name == "kind":
        kinds = [
            button(tick(answers.get("kind") == k) + _(KIND_LABELS[k]), mode, name, "pick", k)
            for k in rules.KINDS
        ]
        return rows_of(kinds, 1)
    if name == "themes":
        labels = await theme_labels(context)
        shown = [
            button(tick(s in chosen) + label, mode, name, "toggle", s)
            for s, label in labels.items()
        ]
        tags = [t for t in chosen if t not in labels]
        rows = rows_of(shown, 2)
        if tags:
            rows.append([Button(", ".join(tags)[:60], callback_data=mode.pack(name, "done"))])
        return [*rows, [button(_("Done"), mode, name, "done")]]
    if name == "languages":
        spoken = [
            button(tick(c in chosen) + language_name(c, _.language), mode, name, "toggle", c)
            for c in LANGUAGES
        ]
        return [*rows_of(spoken, 2), [button(_("Done"), mode, name, "done")]]
    if answers.get(name) and not mode.editing:
        return [[button(_("Keep"), mode, name, "keep")]]
    return []


async def _display(context: BotContext, name: str, value: Any) -> Html:
    _ = context.tr
    if not value:
        return Html("—")
    if name == "kind":
        return _(KIND_LABELS[value]) if value in KIND_LABELS else escape(value)
    if name == "themes":
        return escape(theme_list(value, await theme_labels(context)))
    if name == "places":
        return escape(place_list(_, value))
    if name == "languages":
        return escape(language_list(_, value))
    if name == "deadline":
        moment = datetime.fromisoformat(str(value))
        return escape(format_when(moment, ZoneInfo(reader_zone(context)), _.language))
    return escape(echo(str(value), 200))


FORM: Final = StepForm(
    flow=FLOW,
    edit=EDIT,
    steps=STEP_NAMES,
    final=PREVIEW,
    summary=Summary(
        lines=_preview_lines,
        question=N_("Post it? It will be offered to the members it fits best."),
        submit=N_("Post"),
        submit_action="post",
        on_submit=_post,
        missing=rules.missing_required,
        cancel_action="drop",
        dropped=N_("Dropped. /opportunity starts a new one."),
        hint=N_("Please use the buttons: Post, Edit or Cancel."),
    ),
    resume_text=N_("You have an opportunity in progress."),
    initial_answers=_initial,
    step_lines=_step_lines,
    choices=_choices,
    read_typed=_read_typed,
    read_tap=_read_tap,
    field_label=lambda step: rules.BY_NAME[step].label,
    display=_display,
    next_step=rules.next_step,
    previous_step=rules.previous_step,
    skippable=frozenset(s.name for s in STEPS if s.optional and s.name not in LIST_STEPS),
)
