"""``/submit`` and editing one field of a sent experience: the step form of an experience.

Every answer (and every photo or document) is kept in the draft (kind ``experience``), so a
restart resumes at the same step. The preview shows the card as it will be published; Send hands
the draft to the experiences service, which stores it, queues the reviewers' notices and closes
the draft in one unit of work. Callback data ``xs:<step>:<action>[:<argument>]`` (``xe:`` when
editing one field) is the step form's (``handlers/forms.py``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from telegram import Message, Update

from bot import experiences as rules
from bot.context import BotContext
from bot.countries import country_name, is_country, normalise
from bot.experiences import PREVIEW, STEP_NAMES, STEPS, IncomingFile
from bot.experiences.service import DRAFT_KIND, EDIT_DRAFT_KIND
from bot.i18n import N_
from bot.models import Draft, Person
from bot.profile import Refusal, split_list, theme_names
from bot.rendering import Html, echo, escape
from handlers.experiences.views import (
    experience_view,
    service,
    theme_labels,
)
from handlers.form_parts import (
    NOT_UNDERSTOOD,
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
    modes,
    refusal,
    reply,
    rows_of,
    tick,
    typed_country,
)
from handlers.forms import StepForm

FLOW: Final = Mode(kind=DRAFT_KIND, prefix="xs", editing=False)
"""The whole ``/submit`` conversation."""
EDIT: Final = Mode(kind=EDIT_DRAFT_KIND, prefix="xe", editing=True)
"""Editing one field of a sent experience."""
MODES: Final = modes(FLOW, EDIT)

NOW_LIMIT: Final = 200
"""How much of the current answer a step quotes back."""


# --- commands ----------------------------------------------------------------------------


async def submit_command(update: Update, context: BotContext) -> None:
    """Start an experience, or offer to continue the one in progress."""
    await FORM.start_or_resume(update, context)


def _initial_answers(context: BotContext, person: Person) -> dict[str, Any]:
    return rules.initial_answers(person)


def _resume_text(context: BotContext, draft: Draft) -> Html:
    _ = context.tr
    if draft.step == PREVIEW:
        return _("You have an experience in progress, ready to be sent.")
    return _(
        "You have an experience in progress (step {n} of {total}).",
        n=rules.step_number(draft.step) if draft.step in STEP_NAMES else 1,
        total=len(STEPS),
    )


# --- typed answers -----------------------------------------------------------------------


async def _read_typed(context: BotContext, mode: Mode, draft: Draft, text: str) -> Accept | Stay:
    """What a typed answer means for the draft's step; refusals keep the answers as they were."""
    step, answers = rules.step_of(draft.step), dict(draft.data)
    if step.kind == "text":
        return accept_or_refuse(context, answers, rules.read_text(step, text))
    if step.kind == "links":
        return accept_or_refuse(context, answers, rules.read_links(text))
    if step.kind == "country":
        return typed_country(context, mode, answers, text)
    if step.kind == "themes":
        return await _typed_themes(context, answers, text)
    note = context.tr("Please send a photo or a document here, or use the buttons.")
    return Stay(answers, note)


async def _typed_themes(context: BotContext, answers: dict[str, Any], text: str) -> Stay:
    """Typed theme names toggle those themes; anything else asks for the buttons."""
    names = theme_names(await service(context).groups())
    chosen: list[str] = list(answers.get("themes") or [])
    for item in split_list(text):
        slug = names.get(normalise(item))
        if slug is None:
            note = context.tr("Please choose the themes with the buttons, then tap Done.")
            return Stay(answers, note)
        if slug not in chosen:
            chosen.append(slug)
    return Stay({**answers, "themes": chosen})


# --- photos and documents ------------------------------------------------------------------


async def on_media(update: Update, context: BotContext) -> None:
    """A photo or document in the private chat: a file of the experience being written."""
    message = update.effective_message
    person = context.person
    if message is None or person is None:
        return
    draft = await service(context).current_draft(person.id)
    mode = _mode_of(draft)
    if draft is None or mode is None:
        await message.reply_text(
            context.tr("I did not expect a photo or a document here. /help lists what you can do.")
        )
        return
    await reply(message, await _media_view(context, mode, draft, message))


def _mode_of(draft: Draft | None) -> Mode | None:
    if draft is None:
        return None
    return next((mode for mode in MODES.values() if mode.kind == draft.kind), None)


async def _media_view(context: BotContext, mode: Mode, draft: Draft, message: Message) -> View:
    _ = context.tr
    if draft.step == PREVIEW and not mode.editing:
        note = _("Please use the buttons: Send, Edit or Cancel.")
        return await FORM.final_view(context, draft.data, note)
    if draft.step != "files":
        if draft.step not in STEP_NAMES:
            return View(_(NOT_UNDERSTOOD))
        note = _("Please type your answer as text here; photos and documents come at the end.")
        return await FORM.step_view(context, mode, draft.step, draft.data, note)
    incoming = _incoming(message)
    if incoming is None:
        note = _("Please send a photo or a document here, or use the buttons.")
        return await FORM.step_view(context, mode, draft.step, draft.data, note)
    files = rules.add_file(draft.data.get("files") or [], incoming)
    if isinstance(files, Refusal):
        refused = Stay(dict(draft.data), refusal(context, files))
        return await FORM.apply(context, mode, draft, refused)
    note = _("✓ Received ({n} of {limit}).", n=len(files), limit=rules.MAX_FILES)
    return await FORM.apply(context, mode, draft, Stay({**draft.data, "files": files}, note))


def _incoming(message: Message) -> IncomingFile | None:
    if message.photo:
        largest = message.photo[-1]
        return IncomingFile("photo", largest.file_id, largest.file_unique_id, largest.file_size)
    document = message.document
    if document is not None:
        return IncomingFile(
            "document",
            document.file_id,
            document.file_unique_id,
            document.file_size,
            document.file_name,
            document.mime_type,
        )
    return None


# --- buttons -----------------------------------------------------------------------------


async def _cancelled_edit(context: BotContext, person: Person, draft: Draft) -> View:
    unchanged = context.tr("Nothing changed.")
    experience = await service(context).own(person.id, draft.data.get("experience_id"))
    if experience is None:
        return View(unchanged)
    return experience_view(context, experience, await theme_labels(context), unchanged)


async def _read_tap(context: BotContext, draft: Draft, tap: Tap) -> Outcome | None:
    """What a tap means at the draft's step; None for an action the step does not offer."""
    answers, step = dict(draft.data), rules.step_of(draft.step)
    value = answers.get(draft.step)
    if tap.action == "keep" and value and step.kind in ("text", "country", "links"):
        return Accept(value)
    if tap.action == "clear" and step.optional:
        return Accept([] if step.kind in ("links", "files") else None)
    if tap.action == "pick" and step.kind == "country" and is_country(tap.argument):
        return Accept(tap.argument)
    if step.kind == "themes":
        return await _themes_tap(context, answers, tap)
    if step.kind == "files":
        return _files_tap(context, answers, tap)
    return None


async def _themes_tap(context: BotContext, answers: dict[str, Any], tap: Tap) -> Outcome | None:
    """Toggle a theme, or Done (at least one chosen)."""
    chosen = answers.get("themes") or []
    if tap.action == "toggle" and tap.argument in await theme_labels(context):
        return Stay({**answers, "themes": rules.toggle(chosen, tap.argument)})
    if tap.action == "done" and not chosen:
        return Stay(answers, context.tr("Please choose at least one theme."))
    if tap.action == "done":
        return Accept(list(chosen))
    return None


def _files_tap(context: BotContext, answers: dict[str, Any], tap: Tap) -> Outcome | None:
    """Done with the files, or drop the last one."""
    files = list(answers.get("files") or [])
    if tap.action == "done":
        return Accept(files)
    if tap.action == "pop" and files:
        return Stay({**answers, "files": files[:-1]}, context.tr("Removed the last file."))
    return None


# --- the preview and sending ---------------------------------------------------------------


async def _send(context: BotContext, person: Person, draft: Draft) -> View:
    """Store the experience, drop the draft, tell the reviewers."""
    _ = context.tr
    experience = await service(context).submit(person, context.tr.language, draft.data)
    text = _(
        "Thank you! “{title}” was sent for review. /myexperiences shows where it stands.",
        title=experience.title,
    )
    return View(text)


async def _preview_lines(context: BotContext, answers: Mapping[str, Any]) -> list[str]:
    _ = context.tr
    lines = [_("<b>Preview: this is how your experience will be published.</b>")]
    return [*lines, "", rules.card(_, answers, await theme_labels(context))]


async def _save_one_field(
    context: BotContext, draft: Draft, value: Any, confirmation: Html
) -> View:
    """Editing one field of a sent experience: write it now (unless it is in review or
    decided), show the card."""
    experience_id = draft.data.get("experience_id")
    edit = await service(context).save_field(draft.person_id, experience_id, draft.step, value)
    if edit is None:
        return View(context.tr(NOT_UNDERSTOOD))
    themes = await theme_labels(context)
    if edit.refusal is not None:
        return experience_view(context, edit.experience, themes, refusal(context, edit.refusal))
    saved = context.tr("Saved.")
    return experience_view(context, edit.experience, themes, Html(f"{confirmation}\n{saved}"))


# --- one step as the person sees it --------------------------------------------------------


async def _step_lines(
    context: BotContext, mode: Mode, name: str, answers: Mapping[str, Any]
) -> list[str]:
    _ = context.tr
    step = rules.step_of(name)
    lines: list[str] = []
    if mode.editing:
        lines.append(_("<b>Editing your experience: {field}</b>", field=_(step.label)))
    else:
        n, total = rules.step_number(name), len(STEPS)
        lines.append(_("<b>Your experience, step {n} of {total}</b>", n=n, total=total))
    lines.append(_(step.prompt, **rules.prompt_values(step)))
    value = answers.get(name)
    if value and step.kind in ("text", "links"):
        shown = " ".join(value) if isinstance(value, list) else str(value)
        # Translators: the current value of the field being edited.
        lines.append(_("Now: {value}", value=echo(shown, NOW_LIMIT)))
    if value and step.kind == "files":
        lines.append(_("Now: {value}", value=rules.files_summary(_, value)))
    return lines


async def _choices(context: BotContext, mode: Mode, name: str, answers: Mapping[str, Any]) -> Rows:
    """The buttons that answer the step."""
    _ = context.tr
    step = rules.step_of(name)
    value = answers.get(step.name)
    if step.kind == "country" and value and not mode.editing:
        # Translators: a button: keep the country already in the profile ({country}).
        label = _("Keep {country}", country=Html(country_name(value, _.language)))
        return [[button(label, mode, step.name, "keep")]]
    if step.kind == "themes":
        groups = await service(context).groups()
        chosen = list(value or [])
        buttons = [
            button(tick(g.slug in chosen) + g.name(_.language), mode, step.name, "toggle", g.slug)
            for g in groups
        ]
        return [*rows_of(buttons, 2), [button(_("Done"), mode, step.name, "done")]]
    if step.kind == "files":
        row = [button(_("Done") if value else _("Skip"), mode, step.name, "done")]
        if value:
            row.insert(0, button(_("Remove the last file"), mode, step.name, "pop"))
        return [row]
    if step.kind in ("text", "links") and value and not mode.editing:
        return [[button(_("Keep"), mode, step.name, "keep")]]
    return []


def _navigation(
    context: BotContext, mode: Mode, name: str, answers: Mapping[str, Any]
) -> list[Button]:
    _ = context.tr
    step = rules.step_of(name)
    row: list[Button] = []
    value = answers.get(step.name)
    if mode.editing:
        if step.optional and value and step.kind != "files":
            # Translators: a button that empties an optional field of a form.
            row.append(button(_("Clear"), mode, step.name, "clear"))
        row.append(button(_("Cancel"), mode, step.name, "cancel"))
        return row
    if rules.previous_step(step.name, answers) is not None:
        row.append(button(_("« Back"), mode, step.name, "back"))
    if step.optional and step.kind != "files":
        row.append(button(_("Clear") if value else _("Skip"), mode, step.name, "clear"))
    return row


async def _short_display(context: BotContext, name: str, value: Any) -> Html:
    """An accepted answer in the one-line confirmation, cut when long."""
    shown = rules.display(context.tr, name, value, await theme_labels(context))
    if rules.step_of(name).kind == "text" and value:
        return escape(echo(" ".join(str(value).split())))
    return shown


FORM: Final = StepForm(
    flow=FLOW,
    edit=EDIT,
    steps=STEP_NAMES,
    final=PREVIEW,
    summary=Summary(
        lines=_preview_lines,
        question=N_("Send it for review?"),
        submit=N_("Send"),
        submit_action="send",
        on_submit=_send,
        missing=rules.missing_required,
        drop_question=N_("Drop this experience? Everything you wrote in it will be lost."),
        dropped=N_("Dropped. /submit starts a new experience."),
        hint=N_("Please use the buttons: Send, Edit or Cancel."),
    ),
    resume_text=_resume_text,
    initial_answers=_initial_answers,
    step_lines=_step_lines,
    choices=_choices,
    navigation=_navigation,
    read_typed=_read_typed,
    read_tap=_read_tap,
    field_label=lambda step: rules.step_of(step).label,
    display=_short_display,
    save_one_field=_save_one_field,
    cancelled_edit=_cancelled_edit,
    next_step=rules.next_step,
    previous_step=rules.previous_step,
)
