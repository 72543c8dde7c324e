"""/propose GROUP|all as a step form: title, text, kind (consent or choice), the options and
whether several may be chosen (a choice), the closing time typed in the proposer's zone, then
the summary where Post hands the draft to the decisions service.

Callback data ``pp:<step>:<action>:<argument>`` (the form's flow) and ``pq:`` (its one-field
mode, which this form does not offer): honoured only while the step waits in the draft.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Final
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date
from telegram import Update

from bot.context import BotContext
from bot.dates import Examples
from bot.decisions import rules
from bot.decisions.service import PROPOSE_KIND, AskScope, NotAllowed, Proposed, UnknownGroup
from bot.digests import format_when
from bot.formats import zone_name
from bot.groups import group_names, unknown_group
from bot.i18n import N_
from bot.meetings.drafts import read_start
from bot.meetings.rules import Refusal as TimeRefusal
from bot.models import Draft, Person
from bot.profile import Refusal
from bot.rendering import Html, bold, escape
from handlers.form_parts import (
    Accept,
    Button,
    Mode,
    Outcome,
    Stay,
    Summary,
    Tap,
    View,
    accept_or_refuse,
    button,
    refusal,
    reply,
)
from handlers.forms import StepForm
from handlers.guard import actor_of

FLOW: Final = Mode(kind=PROPOSE_KIND, prefix="pp", editing=False)
EDIT: Final = Mode(kind="propose_edit", prefix="pq", editing=True)
STEPS: Final = ("title", "body", "kind", "options", "multiple", "closes")
SUMMARY: Final = "summary"
CHOICE_ONLY: Final = frozenset({"options", "multiple"})
LABELS: Final[dict[str, str]] = {
    "title": N_("Title"),
    "body": N_("Text"),
    "kind": N_("Kind"),
    "options": N_("Options"),
    "multiple": N_("Answers"),
    "closes": N_("Closes"),
}
PROMPTS: Final[dict[str, str]] = {
    "title": N_("What is the proposal's title?"),
    "body": N_("Type the text of the proposal: what you propose and why."),
    "kind": N_("How do members answer?"),
    "options": N_("Type the options, one a line (2 to 10)."),
    "multiple": N_("May members choose several options?"),
    # Translators: {zone} names the person's zone (a city); {examples} are dates to type,
    # computed from today (own message).
    "closes": N_(
        "When does it close? Type a date and time in your zone ({zone}), for example {examples}."
    ),
}
MULTIPLE_LABELS: Final = {"one": N_("One option"), "several": N_("Several options")}


def next_step(step: str, answers: dict[str, Any]) -> str:
    if answers.get("return_to") == SUMMARY and step != "kind":
        return SUMMARY
    following = [s for s in STEPS[STEPS.index(step) + 1 :] if _applies(s, answers)]
    return following[0] if following else SUMMARY


def previous_step(step: str, answers: Mapping[str, Any]) -> str | None:
    if step == SUMMARY:
        return "closes"
    earlier = [s for s in STEPS[: STEPS.index(step)] if _applies(s, answers)]
    return earlier[-1] if earlier else None


def _applies(step: str, answers: Mapping[str, Any]) -> bool:
    return step not in CHOICE_ONLY or answers.get("kind") == "choice"


def _zone(answers: Mapping[str, Any]) -> ZoneInfo:
    return ZoneInfo(str(answers.get("zone") or "UTC"))


# --- the command -------------------------------------------------------------------------


async def propose_command(update: Update, context: BotContext) -> None:
    """Start a proposal to a working group (or ``all``), or offer to continue the one begun."""
    message, person = update.effective_message, context.person
    if message is None or person is None or await FORM.offered_resume(message, context, person):
        return
    tr = context.tr
    scope = await context.services.decisions.scope(
        await actor_of(context), " ".join(context.args or [])
    )
    if isinstance(scope, AskScope):
        text = tr(
            "To whom? Write /propose GROUP, or /propose all for the whole network. "
            "The working groups are: {groups}.",
            groups=group_names(scope.groups, tr.language),
        )
        await message.reply_text(text)
        return
    if isinstance(scope, UnknownGroup):
        await message.reply_text(unknown_group(tr, scope.typed, scope.groups))
        return
    if isinstance(scope, NotAllowed):
        name = scope.group.name(tr.language) if scope.group else ""
        await message.reply_text(tr(scope.reason, group=name))
        return
    zone = context.services.settings.default_zone
    if person.timezone:
        zone = ZoneInfo(person.timezone)
    answers = {"scope": scope.group.id if scope.group else "all", "zone": zone.key}
    await reply(message, await FORM.begin(context, person, message.chat_id, answers))


async def _audience(context: BotContext, answers: Mapping[str, Any]) -> str:
    scope = answers.get("scope")
    if scope in (None, "all"):
        return context.tr("the whole network")
    groups = await context.services.decisions.groups()
    group = groups.get(int(scope))
    return group.name(context.tr.language) if group else "—"


# --- one step ----------------------------------------------------------------------------


async def _step_lines(
    context: BotContext, mode: Mode, step: str, answers: Mapping[str, Any]
) -> list[str]:
    _ = context.tr
    lines: list[str] = []
    lines.append(_("<b>Proposal to {audience}</b>", audience=await _audience(context, answers)))
    zone, now = _zone(answers), context.services.clock.now()
    lines.append(_(PROMPTS[step], zone=zone_name(zone, _.language), examples=Examples(now, zone)))
    return lines


async def _choices(
    context: BotContext, mode: Mode, step: str, answers: Mapping[str, Any]
) -> list[list[Button]]:
    _ = context.tr
    if step == "kind":
        return [
            [button(_(label), mode, step, "pick", kind)]
            for kind, label in rules.KIND_LABELS.items()
        ]
    if step == "multiple":
        return [
            [button(_(label), mode, step, "pick", key) for key, label in MULTIPLE_LABELS.items()]
        ]
    return []


async def read_typed(context: BotContext, mode: Mode, draft: Draft, text: str) -> Accept | Stay:
    step, answers = draft.step, dict(draft.data)
    if step == "title":
        return accept_or_refuse(context, answers, rules.read_text(text, rules.TITLE_LIMIT))
    if step == "body":
        return accept_or_refuse(context, answers, rules.read_text(text, rules.BODY_LIMIT))
    if step == "options":
        return accept_or_refuse(context, answers, rules.read_options(text))
    if step == "closes":
        return _typed_closing(context, answers, text)
    return Stay(answers, context.tr("Please choose with the buttons."))


def _typed_closing(context: BotContext, answers: dict[str, Any], text: str) -> Accept | Stay:
    zone, now = _zone(answers), context.services.clock.now()
    start = read_start(text, context.tr.language, zone, now)
    if isinstance(start, TimeRefusal):
        return Stay(answers, context.tr(start.message, **start.values))
    late = rules.check_closing(start.at, now)
    if late is not None:
        return Stay(answers, refusal(context, late))
    return Accept(start.at.astimezone(zone).isoformat())


async def read_tap(context: BotContext, draft: Draft, tap: Tap) -> Outcome | None:
    if tap.action != "pick":
        return None
    if draft.step == "kind" and tap.argument in rules.KIND_LABELS:
        return Accept(tap.argument)
    if draft.step == "multiple" and tap.argument in MULTIPLE_LABELS:
        return Accept(tap.argument == "several")
    return None


async def display(context: BotContext, step: str, value: Any) -> Html:
    _ = context.tr
    if step == "kind":
        return _(rules.KIND_LABELS.get(str(value), str(value)))
    if step == "multiple":
        return _(MULTIPLE_LABELS["several" if value else "one"])
    if step == "options":
        return escape("; ".join(value))
    if step == "closes":
        return escape(_local_when(datetime.fromisoformat(str(value)), _.language))
    return escape(value)


def _local_when(moment: datetime, language: str) -> str:
    """A typed closing time as the proposer typed it, with its UTC offset."""
    day = format_date(moment.date(), format="full", locale=Locale.parse(language))
    return f"{day} {moment:%H:%M} (UTC{moment:%z})"


# --- the summary -------------------------------------------------------------------------


async def _summary_lines(context: BotContext, answers: Mapping[str, Any]) -> list[str]:
    _ = context.tr
    lines: list[str] = []
    lines.append(
        _(
            "<b>Please check the proposal to {audience}:</b>",
            audience=await _audience(context, answers),
        )
    )
    lines.append(bold(str(answers.get("title", ""))))
    lines.append(escape(str(answers.get("body", ""))))
    lines.append(_("Kind: {kind}", kind=await display(context, "kind", answers.get("kind"))))
    if answers.get("kind") == "choice":
        lines += [Html(f"{i}. {escape(o)}") for i, o in enumerate(answers.get("options") or [], 1)]
        lines.append(
            _(
                "Answers: {answers}",
                answers=await display(context, "multiple", answers.get("multiple")),
            )
        )
    if answers.get("closes"):
        when = format_when(
            datetime.fromisoformat(str(answers["closes"])), _zone(answers), _.language
        )
        lines.append(_("Open until {when}", when=when))
    return lines


async def _post(context: BotContext, person: Person, draft: Draft) -> View:
    _ = context.tr
    outcome = await context.services.decisions.propose(
        person.id, dict(draft.data), await actor_of(context)
    )
    if isinstance(outcome, Refusal):
        answers = {k: v for k, v in draft.data.items() if k != "closes"}
        return await FORM.go(context, FLOW, draft, answers, "closes", refusal(context, outcome))
    if isinstance(outcome, NotAllowed):
        name = outcome.group.name(_.language) if outcome.group else ""
        return View(_(outcome.reason, group=name))
    assert isinstance(outcome, Proposed)
    return View(
        _(
            "Posted: proposal #{id}. It goes to {chats} chats; members answer until it closes.",
            id=outcome.proposal.id,
            chats=outcome.reached,
        )
    )


FORM: Final = StepForm(
    flow=FLOW,
    edit=EDIT,
    steps=STEPS,
    final=SUMMARY,
    summary=Summary(
        lines=_summary_lines,
        submit=N_("Post it"),
        submit_action="post",
        on_submit=_post,
        back=True,
        dropped=N_("The proposal was not posted."),
        hint=N_("Please use the buttons: Post it, Back or Cancel."),
    ),
    resume_text=N_("You have a proposal in progress."),
    step_lines=_step_lines,
    choices=_choices,
    read_typed=read_typed,
    read_tap=read_tap,
    field_label=lambda step: LABELS[step],
    display=display,
    next_step=next_step,
    previous_step=previous_step,
)
"""The /propose form (its Back, resume, summary and saving are the step forms' own)."""
