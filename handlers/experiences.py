"""/submit and /myexperiences: experiences written from a phone, edited, withdrawn.

``/submit`` walks through the steps of ``bot.experiences.STEPS``; every answer (and every photo
or document) is kept in the draft (kind ``experience``), so a restart resumes at the same step.
The preview shows the card as it will be published; Send hands the draft to the experiences
service (``bot/experiences/service.py``), which stores it as ``submitted``, queues a notice with
a Review button for the coordinators of its themes and the secretariat, and closes the draft,
all in one unit of work. ``/myexperiences`` lists the person's experiences; one can be edited
field by field (a draft of kind ``experience_edit``) while it is not in review, resubmitted
after changes were requested, or withdrawn while it is not yet decided.

Callback data: ``xs:<step>:<action>[:<argument>]`` for ``/submit``, the same with ``xe:`` for
editing one field (the step form's), and the kinds of ``bot/experiences/callbacks.py`` for
``/myexperiences``. A button is honoured only while its step is the one waiting in the
person's draft, or while the experience is the person's own and in a status that allows the
action; anything else is refused with an alert and changes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot import experiences as rules
from bot.context import BotContext
from bot.countries import country_name, is_country, normalise
from bot.experiences import PREVIEW, STEP_NAMES, STEPS, IncomingFile, Step
from bot.experiences.callbacks import EditField, MyExperience, MyExperiences
from bot.experiences.service import DRAFT_KIND, EDIT_DRAFT_KIND, ExperiencesService
from bot.i18n import N_
from bot.models import Draft, Experience, Person
from bot.profile import Refusal, split_list, theme_names
from bot.rendering import Html, echo, escape
from handlers import drafts
from handlers.forms import (
    NOT_UNDERSTOOD,
    Accept,
    Button,
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
    markup,
    modes,
    parse_callback,
    refusal,
    reply,
    rows_of,
    tick,
    typed_country,
)
from handlers.guard import command

FLOW: Final = Mode(kind=DRAFT_KIND, prefix="xs", editing=False)
"""The whole ``/submit`` conversation."""
EDIT: Final = Mode(kind=EDIT_DRAFT_KIND, prefix="xe", editing=True)
"""Editing one field of a sent experience."""
MODES: Final = modes(FLOW, EDIT)

LIST_LIMIT: Final = 30
"""/myexperiences shows the most recent this many."""
BUTTON_TITLE: Final = 40
NOW_LIMIT: Final = 200
"""How much of the current answer a step quotes back."""


def _service(context: BotContext) -> ExperiencesService:
    return context.services.experiences


async def theme_labels(context: BotContext) -> dict[str, str]:
    """Theme slug -> the working group's name in the reader's language."""
    return await _service(context).theme_names(context.tr.language)


# --- commands ----------------------------------------------------------------------------


async def submit_command(update: Update, context: BotContext) -> None:
    """Start an experience, or offer to continue the one in progress."""
    await _submit(update, context)


async def myexperiences_command(update: Update, context: BotContext) -> None:
    """The person's experiences with their statuses."""
    await _myexperiences(update, context)


@command("submit")
async def _submit(update: Update, context: BotContext) -> None:
    await FORM.start_or_resume(update, context)


@command("myexperiences")
async def _myexperiences(update: Update, context: BotContext) -> None:
    message = update.effective_message
    person = context.person
    if message is None or person is None:
        return
    mine = await _service(context).open_list(person.id)
    await reply(message, _list_view(context, mine))


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
    names = theme_names(await _service(context).groups())
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
    draft = await _service(context).current_draft(person.id)
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
        return await _preview_view(context, draft.data, note)
    if draft.step != "files":
        if draft.step not in STEP_NAMES:
            return View(_(NOT_UNDERSTOOD))
        note = _("Please type your answer as text here; photos and documents come at the end.")
        return await _step_view(context, mode, draft.step, draft.data, note)
    incoming = _incoming(message)
    if incoming is None:
        note = _("Please send a photo or a document here, or use the buttons.")
        return await _step_view(context, mode, draft.step, draft.data, note)
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


async def on_button(update: Update, context: BotContext) -> None:
    query = update.callback_query
    person = context.person
    if query is None:
        return
    data = query.data or ""
    view: View | None = None
    if person is not None:
        tap = parse_callback(data, MODES)
        view = None if tap is None else await FORM.answer_tap(context, person, tap)
    await answer_tap_with(query, context, view)


async def on_mine_button(update: Update, context: BotContext) -> None:
    """A tap on /myexperiences or on one of the person's experiences."""
    query = update.callback_query
    if query is None:
        return
    person, data = context.person, query.data
    view: View | None = None
    if person is not None:
        view = await _answer_mine(context, person, data)
    await answer_tap_with(query, context, view)


async def _cancelled_edit(context: BotContext, person: Person, draft: Draft) -> View:
    unchanged = context.tr("Nothing changed.")
    experience = await _service(context).own(person.id, draft.data.get("experience_id"))
    if experience is None:
        return View(unchanged)
    return _experience_view(context, experience, await theme_labels(context), unchanged)


async def _read_tap(context: BotContext, draft: Draft, tap: Tap) -> Outcome | None:
    """What a tap means at the draft's step; None for an action the step does not offer."""
    answers, step = dict(draft.data), rules.step_of(draft.step)
    action, argument, value = tap.action, tap.argument, answers.get(draft.step)
    if action == "keep" and value and step.kind in ("text", "country", "links"):
        return Accept(value)
    if action == "clear" and step.optional:
        return Accept([] if step.kind in ("links", "files") else None)
    if action == "pick" and step.kind == "country" and is_country(argument):
        return Accept(argument)
    if action == "toggle" and step.kind == "themes":
        if argument not in await theme_labels(context):
            return None
        return Stay({**answers, "themes": rules.toggle(value or [], argument)})
    if action == "done" and step.kind == "themes":
        if not value:
            return Stay(answers, context.tr("Please choose at least one theme."))
        return Accept(list(value))
    if action == "done" and step.kind == "files":
        return Accept(list(value or []))
    if action == "pop" and step.kind == "files" and value:
        return Stay({**answers, "files": list(value)[:-1]}, context.tr("Removed the last file."))
    return None


# --- the preview and sending ---------------------------------------------------------------


async def _preview_tap(context: BotContext, person: Person, draft: Draft, tap: Tap) -> View | None:
    _ = context.tr
    answers = dict(draft.data)
    if tap.action == "send":
        return await _send(context, person, draft)
    if tap.action == "cancel":
        buttons = [
            button(_("Yes, drop it"), FLOW, PREVIEW, "drop"),
            button(_("No, keep it"), FLOW, PREVIEW, "show"),
        ]
        text = _("Drop this experience? Everything you wrote in it will be lost.")
        return View(text, InlineKeyboardMarkup([buttons]))
    if tap.action == "drop":
        await _service(context).drop_draft(person.id)
        return View(_("Dropped. /submit starts a new experience."))
    if tap.action == "edit":
        return _fields_menu(
            context, FLOW, PREVIEW, "field", button(_("« Back"), FLOW, PREVIEW, "show")
        )
    if tap.action == "show":
        return await _preview_view(context, answers)
    if tap.action == "field" and tap.argument in STEP_NAMES:
        answers["return_to"] = PREVIEW
        return await FORM.go(context, FLOW, draft, answers, tap.argument, None)
    return None


async def _send(context: BotContext, person: Person, draft: Draft) -> View:
    """Store the experience, drop the draft, tell the reviewers."""
    _ = context.tr
    missing = rules.missing_required(draft.data)
    if missing:
        labels = ", ".join(_(rules.step_of(name).label) for name in missing)
        note = _("Still missing: {fields}.", fields=labels)
        answers = {**draft.data, "return_to": PREVIEW}
        return await FORM.go(context, FLOW, draft, answers, missing[0], note)
    experience = await _service(context).submit(person, context.tr.language, draft.data)
    text = _(
        "Thank you! “{title}” was sent for review. /myexperiences shows where it stands.",
        title=experience.title,
    )
    return View(text)


async def _preview_view(
    context: BotContext, answers: Mapping[str, Any], note: Html | None = None
) -> View:
    _ = context.tr
    lines: list[str] = [note, ""] if note else []
    lines.append(_("<b>Preview: this is how your experience will be published.</b>"))
    lines += ["", rules.card(_, answers, await theme_labels(context)), ""]
    lines.append(_("Send it for review?"))
    buttons = [
        button(_("Send"), FLOW, PREVIEW, "send"),
        button(_("Edit"), FLOW, PREVIEW, "edit"),
        button(_("Cancel"), FLOW, PREVIEW, "cancel"),
    ]
    return View(Html("\n".join(lines)), InlineKeyboardMarkup([buttons]))


def _fields_menu(context: BotContext, mode: Mode, step: str, action: str, back: Button) -> View:
    _ = context.tr
    buttons = [button(_(s.label), mode, step, action, s.name) for s in STEPS]
    text = _("Which part do you want to change?")
    return View(text, InlineKeyboardMarkup([*rows_of(buttons, 2), [back]]))


# --- /myexperiences ----------------------------------------------------------------------


async def _answer_mine(context: BotContext, person: Person, data: str | None) -> View | None:
    """A tap on /myexperiences or on one experience; None when forged or stale."""
    if MyExperiences.unpack_or_none(data) is not None:
        return _list_view(context, await _service(context).mine(person.id))
    field = EditField.unpack_or_none(data)
    if field is not None:
        return await _start_edit(context, person, field)
    tap = MyExperience.unpack_or_none(data)
    if tap is None:
        return None
    experience = await _service(context).own(person.id, tap.experience_id)
    if experience is None:
        return None
    return await _mine_action(context, person, experience, tap.action)


async def _mine_action(
    context: BotContext, person: Person, experience: Experience, action: str
) -> View | None:
    if action == "open":
        return _experience_view(context, experience, await theme_labels(context))
    if not experience.is_open:
        return None
    if action == "edit":
        return await _edit_menu(context, experience)
    if action == "withdraw":
        return _withdraw_question(context, experience)
    if action == "wd":
        withdrawn = await _service(context).withdraw(person.id, experience.id)
        return await _after_change(context, withdrawn, N_("“{title}” is withdrawn."))
    if action == "resubmit" and experience.status == "changes_requested":
        again = await _service(context).resubmit(person, experience.id)
        return await _after_change(context, again, N_("“{title}” was sent again for review."))
    return None


async def _after_change(
    context: BotContext, experience: Experience | None, note: str
) -> View | None:
    """The experience in its new status with a note naming it; None when it did not move."""
    if experience is None:
        return None
    text = context.tr(note, title=experience.title)
    return _experience_view(context, experience, await theme_labels(context), text)


async def _locked(context: BotContext, experience: Experience) -> View | None:
    """The card with the one-line reason when its text may not change now; None if it may."""
    refused = rules.edit_refusal(experience)
    if refused is None:
        return None
    themes = await theme_labels(context)
    return _experience_view(context, experience, themes, refusal(context, refused))


async def _edit_menu(context: BotContext, experience: Experience) -> View:
    tr = context.tr
    locked = await _locked(context, experience)
    if locked is not None:
        return locked
    back = Button(tr("« Back"), callback_data=MyExperience("open", experience.id).pack())
    buttons = [
        Button(tr(s.label), callback_data=EditField(experience.id, s.name).pack()) for s in STEPS
    ]
    text = tr("Which part do you want to change?")
    return View(text, InlineKeyboardMarkup([*rows_of(buttons, 2), [back]]))


def _withdraw_question(context: BotContext, experience: Experience) -> View:
    tr = context.tr
    buttons = [
        Button(tr("Yes, withdraw it"), callback_data=MyExperience("wd", experience.id).pack()),
        Button(tr("No"), callback_data=MyExperience("open", experience.id).pack()),
    ]
    text = tr(
        "Withdraw “{title}”? The reviewers will no longer consider it. This cannot be undone.",
        title=experience.title,
    )
    return View(text, InlineKeyboardMarkup([buttons]))


async def _start_edit(context: BotContext, person: Person, tap: EditField) -> View | None:
    """Editing one field: refused in one line while the experience is in review."""
    experience = await _service(context).own(person.id, tap.experience_id)
    if experience is None or not experience.is_open or tap.field not in STEP_NAMES:
        return None
    locked = await _locked(context, experience)
    if locked is not None:
        return locked
    answers = {"experience_id": experience.id, **rules.answers_of(experience)}
    await FORM.save(context, EDIT, person.id, tap.field, answers, person.telegram_id)
    return await _step_view(context, EDIT, tap.field, answers)


def _list_view(context: BotContext, mine: list[Experience]) -> View:
    _ = context.tr
    if not mine:
        return View(_("You have not shared any experience yet. /submit shares one."))
    lines: list[str] = [_("<b>Your experiences</b>")]
    buttons: list[Button] = []
    for experience in mine[:LIST_LIMIT]:
        status = _(rules.STATUS_LABELS[experience.status])
        lines.append(_("• {title}: {status}", title=experience.title, status=status))
        buttons.append(
            Button(
                echo(experience.title, BUTTON_TITLE),
                callback_data=MyExperience("open", experience.id).pack(),
            )
        )
    lines += ["", _("Tap one to see it, edit it or withdraw it.")]
    return View(Html("\n".join(lines)), InlineKeyboardMarkup(rows_of(buttons, 1)))


def _experience_view(
    context: BotContext,
    experience: Experience,
    themes: Mapping[str, str],
    note: Html | None = None,
) -> View:
    _ = context.tr
    lines: list[str] = [note, ""] if note else []
    answers = rules.answers_of(experience)
    lines.append(rules.card(_, answers, themes, status=experience.status))
    if experience.decision_note and experience.status in ("changes_requested", "declined"):
        lines += ["", _("<b>Reviewer’s note:</b> {note}", note=experience.decision_note)]
    rows: Rows = []
    if experience.status == "changes_requested":
        resubmit = MyExperience("resubmit", experience.id).pack()
        rows.append([Button(_("Resubmit"), callback_data=resubmit)])
    if experience.is_open:
        withdraw = Button(
            _("Withdraw"), callback_data=MyExperience("withdraw", experience.id).pack()
        )
        edit = Button(_("Edit"), callback_data=MyExperience("edit", experience.id).pack())
        rows.append([edit, withdraw] if rules.may_edit(experience.status) else [withdraw])
    rows.append([Button(_("« My experiences"), callback_data=MyExperiences().pack())])
    return View(Html("\n".join(lines)), InlineKeyboardMarkup(rows))


async def _save_one_field(
    context: BotContext, draft: Draft, value: Any, confirmation: Html
) -> View:
    """Editing one field of a sent experience: write it now (unless it is in review or
    decided), show the card."""
    experience_id = draft.data.get("experience_id")
    edit = await _service(context).save_field(draft.person_id, experience_id, draft.step, value)
    if edit is None:
        return View(context.tr(NOT_UNDERSTOOD))
    themes = await theme_labels(context)
    if edit.refusal is not None:
        return _experience_view(context, edit.experience, themes, refusal(context, edit.refusal))
    saved = context.tr("Saved.")
    return _experience_view(context, edit.experience, themes, Html(f"{confirmation}\n{saved}"))


# --- one step as the person sees it --------------------------------------------------------


async def _step_view(
    context: BotContext,
    mode: Mode,
    name: str,
    answers: Mapping[str, Any],
    note: Html | None = None,
) -> View:
    _ = context.tr
    step = rules.step_of(name)
    lines: list[str] = [note, ""] if note else []
    if mode.editing:
        lines.append(_("<b>Editing your experience: {field}</b>", field=_(step.label)))
    else:
        n, total = rules.step_number(name), len(STEPS)
        lines.append(_("<b>Your experience, step {n} of {total}</b>", n=n, total=total))
    lines.append(_(step.prompt, **rules.prompt_values(step)))
    value = answers.get(name)
    if value and step.kind in ("text", "links"):
        shown = " ".join(value) if isinstance(value, list) else str(value)
        lines.append(_("Now: {value}", value=echo(shown, NOW_LIMIT)))
    if value and step.kind == "files":
        lines.append(_("Now: {value}", value=rules.files_summary(_, value)))
    rows = await _choices(context, mode, step, answers)
    rows.append(_navigation(context, mode, name, answers))
    return View(Html("\n".join(lines)), markup(rows))


async def _choices(context: BotContext, mode: Mode, step: Step, answers: Mapping[str, Any]) -> Rows:
    """The buttons that answer the step."""
    _ = context.tr
    value = answers.get(step.name)
    if step.kind == "country" and value and not mode.editing:
        label = _("Keep {country}", country=Html(country_name(value, _.language)))
        return [[button(label, mode, step.name, "keep")]]
    if step.kind == "themes":
        groups = await _service(context).groups()
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
    final_hint=N_("Please use the buttons: Send, Edit or Cancel."),
    initial_answers=_initial_answers,
    resume_text=_resume_text,
    step_view=_step_view,
    final_view=_preview_view,
    final_tap=_preview_tap,
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

drafts.register(FLOW.kind, FORM.on_flow_text, N_("writing an experience"))
drafts.register(EDIT.kind, FORM.on_edit_text, N_("editing an experience"))


def handlers() -> list[tuple[BaseHandler[Update, BotContext, None], int]]:
    media = filters.ChatType.PRIVATE & (filters.PHOTO | filters.Document.ALL)
    return [
        (CommandHandler("submit", submit_command), 0),
        (CommandHandler("myexperiences", myexperiences_command), 0),
        (CallbackQueryHandler(on_button, pattern=f"^({FLOW.prefix}|{EDIT.prefix}):"), 0),
        (CallbackQueryHandler(on_mine_button, pattern=MyExperience.pattern()), 0),
        (CallbackQueryHandler(on_mine_button, pattern=MyExperiences.pattern()), 0),
        (CallbackQueryHandler(on_mine_button, pattern=EditField.pattern()), 0),
        (MessageHandler(media, on_media), 0),
    ]
