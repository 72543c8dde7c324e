"""``/action``: the step form that adds an action to the roadmap.

Steps: the working group (or the whole network, for the secretariat), the objective it serves,
the title, a description or link, the owners, the due date (typed as in /meet, in the author's
zone). Every answer is kept in the draft (kind ``roadmap_action``), so a restart resumes at the
same step; Create hands the answers to the roadmap service, which stores the action, plans its
nudges, tells its owners and drops the draft in one unit of work. Callback data
``ra:<step>:<action>[:<argument>]`` is the step form's (``handlers/forms.py``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, time
from typing import Any, Final

from telegram import Update

from bot.context import BotContext
from bot.dates import Examples
from bot.formats import zone_name
from bot.groups import find_group
from bot.i18n import N_
from bot.models import Draft, Person
from bot.profile import split_list
from bot.rendering import Html, echo, escape
from bot.roadmap import rules
from bot.roadmap.rules import Due, format_due, read_due, zone_or_utc
from bot.roadmap.service import BLOCK_KIND, FORM_KIND, RoadmapService
from handlers.form_parts import (
    Accept,
    Button,
    Mode,
    Outcome,
    Stay,
    Summary,
    Tap,
    View,
    button,
    reader_zone,
    rows_of,
)
from handlers.forms import StepForm

FLOW: Final = Mode(kind=FORM_KIND, prefix="ra", editing=False)
EDIT: Final = Mode(kind=f"{FORM_KIND}_edit", prefix="rae", editing=True)
STEPS: Final = ("group", "objective", "title", "description", "owners", "due")
SUMMARY: Final = "summary"
NETWORK: Final = 0
"""The group answer that means the whole network."""
LABELS: Final = {
    "group": N_("Working group"),
    "objective": N_("Objective"),
    "title": N_("Title"),
    "description": N_("Description or link"),
    "owners": N_("Owners"),
    "due": N_("Due"),
}
PROMPTS: Final = {
    "group": N_("Which working group is this action for?"),
    "objective": N_("Which objective of the roadmap does it serve? Type it, or choose one."),
    "title": N_("What is the action? Type its title."),
    "description": N_("Describe it in a few lines or paste a link, or tap Skip."),
    "owners": N_("Who owns it? Type names or @usernames, separated by commas."),
    # Translators: {zone} names the person's zone (a city); {examples} are dates to type,
    # computed from today.
    "due": N_(
        "When is it due? Type a date, or a date and time, in your zone ({zone}); "
        "for example {examples}."
    ),
}
OPTIONAL: Final = frozenset({"objective", "description"})
TOO_LONG: Final = N_(
    "That is too long: at most {limit} characters here, and yours has {length}. Please type a "
    "shorter answer."
)


def service(context: BotContext) -> RoadmapService:
    return context.services.roadmap


async def action_command(update: Update, context: BotContext) -> None:
    """Start an action, or offer to continue the one in progress."""
    await FORM.start_or_resume(update, context)


def next_step(step: str, answers: dict[str, Any]) -> str:
    if answers.get("return_to") or step == STEPS[-1]:
        return SUMMARY
    return STEPS[STEPS.index(step) + 1]


def previous_step(step: str, answers: Mapping[str, Any]) -> str | None:
    index = STEPS.index(step) if step in STEPS else 0
    return STEPS[index - 1] if index > 0 else None


# --- typed answers -------------------------------------------------------------------------


async def _read_typed(context: BotContext, mode: Mode, draft: Draft, text: str) -> Accept | Stay:
    answers, step, _ = dict(draft.data), draft.step, context.tr
    cleaned = " ".join(text.split())
    if step == "group":
        return await _typed_group(context, answers, cleaned)
    limit = rules.DESCRIPTION_LIMIT if step == "description" else rules.TITLE_LIMIT
    if step in ("objective", "title", "description") and len(cleaned) > limit:
        return Stay(answers, _(TOO_LONG, limit=limit, length=len(cleaned)))
    if step in ("objective", "title") and cleaned:
        return Accept(cleaned)
    if step == "description" and cleaned:
        return Accept(text.strip())
    if step == "owners":
        return await _typed_owners(context, answers, text)
    if step == "due":
        return _typed_due(context, answers, text)
    return Stay(answers, _("Please type an answer, or use the buttons."))


async def _typed_group(context: BotContext, answers: dict[str, Any], text: str) -> Accept | Stay:
    person = context.person
    groups, _network = await service(context).creatable_groups(person.id if person else 0)
    found = find_group(groups, text)
    if found is None:
        return Stay(answers, context.tr("Please choose the working group with the buttons."))
    return Accept(found.id)


async def _typed_owners(context: BotContext, answers: dict[str, Any], text: str) -> Accept | Stay:
    _ = context.tr
    found = await service(context).find_owners(split_list(text))
    if found.unknown:
        names = ", ".join(found.unknown)
        return Stay(answers, _("Nobody is called {names}. Please check the names.", names=names))
    if found.ambiguous:
        names = ", ".join(found.ambiguous)
        note = _("Several people match {names}: please type a full name or @username.", names=names)
        return Stay(answers, note)
    if len(found.people) > rules.MAX_OWNERS:
        return Stay(answers, _("At most {n} owners, please.", n=rules.MAX_OWNERS))
    return Accept([p.id for p in found.people])


def _typed_due(context: BotContext, answers: dict[str, Any], text: str) -> Accept | Stay:
    zone = zone_or_utc(reader_zone(context))
    due = read_due(text, context.tr.language, zone, context.services.clock.now())
    if isinstance(due, rules.Refusal):
        return Stay(answers, context.tr(due.message, **due.values))
    clock = None if due.time is None else f"{due.time:%H:%M}"
    return Accept({"day": due.day.isoformat(), "time": clock, "zone": due.zone})


# --- taps ----------------------------------------------------------------------------------


async def _read_tap(context: BotContext, draft: Draft, tap: Tap) -> Outcome | None:
    answers, step = dict(draft.data), draft.step
    if step == "group" and tap.action == "pick":
        return await _picked_group(context, tap.argument)
    if step == "objective" and tap.action == "pick" and tap.argument.isdigit():
        titles = await service(context).objectives_of(_group_id(answers))
        index = int(tap.argument)
        return Accept(titles[index]) if index < len(titles) else None
    if step in OPTIONAL and tap.action == "skip":
        return Accept(None)
    if step == "owners" and tap.action == "me" and context.person is not None:
        return Accept([context.person.id])
    if step == "owners" and tap.action == "skip" and _group_id(answers) is not None:
        return Accept([])
    return None


async def _picked_group(context: BotContext, argument: str) -> Accept | None:
    person = context.person
    if person is None or not argument.isdigit():
        return None
    groups, network = await service(context).creatable_groups(person.id)
    chosen = int(argument)
    if chosen == NETWORK and network:
        return Accept(NETWORK)
    return Accept(chosen) if any(g.id == chosen for g in groups) else None


def _group_id(answers: Mapping[str, Any]) -> int | None:
    value = answers.get("group")
    return int(value) if value else None


# --- views -----------------------------------------------------------------------------------


async def _step_lines(
    context: BotContext, mode: Mode, name: str, answers: Mapping[str, Any]
) -> list[str]:
    _ = context.tr
    lines: list[str] = []
    n = STEPS.index(name) + 1
    lines.append(_("<b>New action, step {n} of {total}</b>", n=n, total=len(STEPS)))
    zone = zone_or_utc(reader_zone(context))
    examples = Examples(context.services.clock.now(), zone)
    lines.append(_(PROMPTS[name], zone=zone_name(zone, _.language), examples=examples))
    return lines


async def _choices(
    context: BotContext, mode: Mode, name: str, answers: Mapping[str, Any]
) -> list[list[Button]]:
    _ = context.tr
    if name == "group":
        person = context.person
        groups, network = await service(context).creatable_groups(person.id if person else 0)
        buttons = [button(g.name(_.language), mode, name, "pick", str(g.id)) for g in groups]
        if network:
            buttons.append(button(_("The whole network"), mode, name, "pick", str(NETWORK)))
        return rows_of(buttons, 2)
    if name == "objective":
        titles = await service(context).objectives_of(_group_id(answers))
        buttons = [button(echo(t, 40), mode, name, "pick", str(i)) for i, t in enumerate(titles)]
        return rows_of(buttons[:10], 1)
    if name == "owners":
        row = [button(_("Me"), mode, name, "me")]
        if _group_id(answers) is not None:
            row.append(button(_("Only the group"), mode, name, "skip"))
        return [row]
    return []


async def _display(context: BotContext, step: str, value: Any) -> Html:
    _ = context.tr
    if value in (None, "", []):
        return _("—")
    if step == "group":
        return await _group_name(context, int(value))
    if step == "owners":
        people = await service(context).people([int(v) for v in value])
        return escape(", ".join(p.name for p in people))
    if step == "due":
        due = _due_of(value)
        return escape(format_due(due, zone_or_utc(reader_zone(context)), _.language))
    return escape(echo(str(value)))


def _due_of(value: Mapping[str, Any]) -> Due:
    clock = time.fromisoformat(value["time"]) if value.get("time") else None
    return Due(date.fromisoformat(value["day"]), clock, str(value["zone"]))


async def _group_name(context: BotContext, group_id: int) -> Html:
    if group_id == NETWORK:
        return context.tr("The whole network")
    groups = await service(context).groups()
    found = next((g for g in groups if g.id == group_id), None)
    return escape(found.name(context.tr.language) if found else "?")


async def _summary_lines(context: BotContext, answers: Mapping[str, Any]) -> list[str]:
    lines = [context.tr("<b>The new action</b>")]
    return lines + await FORM.field_lines(context, answers, N_("{field}: {value}"))


async def _create(context: BotContext, person: Person, draft: Draft) -> View:
    _ = context.tr
    result = await service(context).create_from_form(person.id, dict(draft.data))
    if result.refusal is not None:
        return await FORM.final_view(context, draft.data, _(result.refusal))
    return View(_("✅ Action #{id} is on the roadmap. /roadmap shows it.", id=result.action_id))


FORM: Final = StepForm(
    flow=FLOW,
    edit=EDIT,
    steps=STEPS,
    final=SUMMARY,
    summary=Summary(
        lines=_summary_lines,
        question=N_("Add it to the roadmap?"),
        submit=N_("Create"),
        submit_action="create",
        on_submit=_create,
        dropped=N_("Dropped. /action starts a new one."),
        hint=N_("Please use the buttons: Create, Edit or Cancel."),
    ),
    resume_text=N_("You have an action of the roadmap in progress."),
    step_lines=_step_lines,
    choices=_choices,
    read_typed=_read_typed,
    read_tap=_read_tap,
    field_label=lambda step: LABELS[step],
    display=_display,
    next_step=next_step,
    previous_step=previous_step,
    skippable=OPTIONAL,
)
__all__ = ["BLOCK_KIND", "FORM", "action_command"]
