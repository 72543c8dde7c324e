"""/submit and /myexperiences: experiences written from a phone, edited, withdrawn.

``/submit`` walks through the steps of ``bot.experiences.STEPS``; every answer (and every photo
or document) is kept in the draft (kind ``experience``), so a restart resumes at the same step.
The preview shows the card as it will be published; Send stores the experience as
``submitted`` and queues a notice with a Review button (``rv:<id>``, handled by
``handlers/reviews.py``) for the coordinators of its themes and the secretariat.
``/myexperiences`` lists the person's experiences; one can be edited field by field (a draft of
kind ``experience_edit``), resubmitted after changes were requested, or withdrawn while it is
not yet decided.

Callback data: ``xs:<step>:<action>[:<argument>]`` for ``/submit``, the same with ``xe:`` for
editing one field, and ``xm:<action>:<experience id>[:<field>]`` for ``/myexperiences``. A
button is honoured only while its step is the one waiting in the person's draft, or while the
experience is the person's own and in a status that allows the action; anything else is
refused with an alert and changes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot import experiences as rules
from bot.context import BotContext
from bot.countries import country_name, is_country, normalise
from bot.delivery import enqueue
from bot.experiences import PREVIEW, STEP_NAMES, STEPS, IncomingFile, Reader, Step
from bot.i18n import N_
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
    theme_labels,
    theme_slugs,
    tick,
    typed_country,
)
from handlers.guard import command
from storage import Draft, Experience, ExperienceStatus, Person
from storage.models import OPEN_EXPERIENCE_STATUSES
from storage.outbox import OutboxPayload, OutgoingMessage

FLOW: Final = Mode(kind="experience", prefix="xs", editing=False)
"""The whole ``/submit`` conversation."""
EDIT: Final = Mode(kind="experience_edit", prefix="xe", editing=True)
"""Editing one field of a sent experience."""
MODES: Final = modes(FLOW, EDIT)
MINE: Final = "xm"
REVIEW_PREFIX: Final = "rv"
"""The reviews feature's button: ``rv:<experience id>`` opens the experience for review."""

LIST_LIMIT: Final = 30
"""/myexperiences shows the most recent this many."""
BUTTON_TITLE: Final = 40
NOW_LIMIT: Final = 200
"""How much of the current answer a step quotes back."""
RESUBMITTABLE: Final[tuple[ExperienceStatus, ...]] = ("changes_requested",)


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
    await context.repos.drafts.delete(person.id, EDIT.kind)
    await reply(message, await _list_view(context, person))


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
    names = theme_names(await context.repos.groups.list())
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
    active = await context.repos.drafts.active(person.id)
    draft = active[0] if active else None
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
        if data.startswith(f"{MINE}:"):
            view = await _answer_mine(context, person, data)
        else:
            tap = parse_callback(data, MODES)
            view = None if tap is None else await FORM.answer_tap(context, person, tap)
    await answer_tap_with(query, context, view)


async def _cancelled_edit(context: BotContext, person: Person, draft: Draft) -> View:
    unchanged = context.tr("Nothing changed.")
    experience = await _own(context, person, draft.data.get("experience_id"))
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
        if argument not in await theme_slugs(context):
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
        await context.repos.drafts.delete(person.id, FLOW.kind)
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
    repos = context.repos
    sent_id = draft.data.get("sent_id")
    experience = await repos.experiences.get(sent_id) if isinstance(sent_id, int) else None
    if experience is None:
        experience = await repos.experiences.create(
            person.id,
            context.tr.language,
            rules.experience_fields(draft.data),
            context.services.clock.now(),
            rules.files_of(draft.data.get("files") or []),
        )
        # Remembered until the notices are queued: a crash before then must not store it twice.
        answers = {**draft.data, "sent_id": experience.id}
        await FORM.save(context, FLOW, person.id, PREVIEW, answers, draft.chat_id)
    await _notify_reviewers(context, experience, person, resubmitted=False)
    await repos.drafts.delete(person.id, FLOW.kind)
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


# --- notices to the reviewers ----------------------------------------------------------------


async def _notify_reviewers(
    context: BotContext, experience: Experience, author: Person, *, resubmitted: bool
) -> None:
    """Queue a notice with a Review button for each reviewer, in their language (once per
    submission round: queuing again after a crash is a no-op)."""
    history = await context.repos.experiences.history(experience.id)
    round_number = sum(1 for change in history if change.status == "submitted")
    groups = await context.repos.groups.list()
    now = context.services.clock.now()
    messages: list[OutgoingMessage] = []
    for reader in await _reviewers_of(context, experience, author):
        tr = context.services.i18n.translator(reader.language)
        themes = {g.slug: g.name(tr.language) for g in groups}
        text = rules.notice(tr, experience, author.name, themes, resubmitted=resubmitted)
        button = {"text": tr("Review"), "callback_data": f"{REVIEW_PREFIX}:{experience.id}"}
        messages.append(
            OutgoingMessage(
                kind="notice",
                chat_id=reader.telegram_id,
                person_id=reader.person_id,
                dedupe_key=rules.notice_key(experience.id, round_number, reader.telegram_id),
                payload=OutboxPayload(text=text, reply_markup={"inline_keyboard": [[button]]}),
                due_at=now,
            )
        )
    if messages:
        await enqueue(context.application, messages)


async def _reviewers_of(
    context: BotContext, experience: Experience, author: Person
) -> list[Reader]:
    """The coordinators of the experience's themes and the secretariat, never the author."""
    repos = context.repos
    coordinators: list[Reader] = []
    for group in await repos.groups.list():
        if group.slug not in experience.themes:
            continue
        for person_id in await repos.groups.coordinators(group.id):
            person = await repos.people.get(person_id)
            if person is not None and person.telegram_id is not None:
                coordinators.append(_reader(context, person.telegram_id, person))
    secretariat = [
        _reader(context, telegram_id, await repos.people.by_telegram_id(telegram_id))
        for telegram_id in sorted(context.settings.secretariat_ids)
    ]
    return rules.reviewers(coordinators, secretariat, author)


def _reader(context: BotContext, telegram_id: int, person: Person | None) -> Reader:
    i18n = context.services.i18n
    if person is None:
        return Reader(telegram_id, None, i18n.default_language)
    language = i18n.for_person(person.language, person.telegram_language).language
    return Reader(telegram_id, person.id, language)


# --- /myexperiences ----------------------------------------------------------------------


async def _answer_mine(context: BotContext, person: Person, data: str) -> View | None:
    """A tap on /myexperiences or on one experience; None when forged or stale."""
    parts = data.split(":")
    if len(parts) < 2:
        return None
    action = parts[1]
    if action == "list" and len(parts) == 2:
        return await _list_view(context, person)
    if len(parts) < 3 or not parts[2].isdigit():
        return None
    experience = await _own(context, person, int(parts[2]))
    if experience is None:
        return None
    argument = parts[3] if len(parts) > 3 else ""
    return await _mine_action(context, person, experience, action, argument)


async def _mine_action(
    context: BotContext, person: Person, experience: Experience, action: str, argument: str
) -> View | None:
    _ = context.tr
    themes = await theme_labels(context)
    if action == "open":
        return _experience_view(context, experience, themes)
    if not experience.is_open:
        return None
    if action == "edit":
        back = Button(_("« Back"), callback_data=f"{MINE}:open:{experience.id}")
        buttons = [
            Button(_(s.label), callback_data=f"{MINE}:field:{experience.id}:{s.name}")
            for s in STEPS
        ]
        text = _("Which part do you want to change?")
        return View(text, InlineKeyboardMarkup([*rows_of(buttons, 2), [back]]))
    if action == "field" and argument in STEP_NAMES:
        answers = {"experience_id": experience.id, **rules.answers_of(experience)}
        await FORM.save(context, EDIT, person.id, argument, answers, person.telegram_id)
        return await _step_view(context, EDIT, argument, answers)
    if action == "withdraw":
        buttons = [
            Button(_("Yes, withdraw it"), callback_data=f"{MINE}:wd:{experience.id}"),
            Button(_("No"), callback_data=f"{MINE}:open:{experience.id}"),
        ]
        text = _(
            "Withdraw “{title}”? The reviewers will no longer consider it. This cannot be undone.",
            title=experience.title,
        )
        return View(text, InlineKeyboardMarkup([buttons]))
    if action == "wd":
        return await _withdraw(context, person, experience, themes)
    if action == "resubmit" and experience.status == "changes_requested":
        return await _resubmit(context, person, experience, themes)
    return None


async def _withdraw(
    context: BotContext, person: Person, experience: Experience, themes: Mapping[str, str]
) -> View | None:
    withdrawn = await _set_status(
        context, person, experience, "withdrawn", OPEN_EXPERIENCE_STATUSES
    )
    if withdrawn is None:
        return None
    await context.repos.drafts.delete(person.id, EDIT.kind)
    note = context.tr("“{title}” is withdrawn.", title=withdrawn.title)
    return _experience_view(context, withdrawn, themes, note)


async def _resubmit(
    context: BotContext, person: Person, experience: Experience, themes: Mapping[str, str]
) -> View | None:
    again = await _set_status(context, person, experience, "submitted", RESUBMITTABLE)
    if again is None:
        return None
    await _notify_reviewers(context, again, person, resubmitted=True)
    note = context.tr("“{title}” was sent again for review.", title=again.title)
    return _experience_view(context, again, themes, note)


async def _set_status(
    context: BotContext,
    person: Person,
    experience: Experience,
    status: ExperienceStatus,
    only_from: Sequence[ExperienceStatus],
) -> Experience | None:
    """The experience in its new status, or None when it was no longer in one of ``only_from``."""
    return await context.repos.experiences.set_status(
        experience.id,
        status,
        context.services.clock.now(),
        changed_by=person.id,
        only_from=only_from,
    )


async def _list_view(context: BotContext, person: Person) -> View:
    _ = context.tr
    mine = await context.repos.experiences.by_author(person.id)
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
                callback_data=f"{MINE}:open:{experience.id}",
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
        rows.append([Button(_("Resubmit"), callback_data=f"{MINE}:resubmit:{experience.id}")])
    if experience.is_open:
        rows.append(
            [
                Button(_("Edit"), callback_data=f"{MINE}:edit:{experience.id}"),
                Button(_("Withdraw"), callback_data=f"{MINE}:withdraw:{experience.id}"),
            ]
        )
    rows.append([Button(_("« My experiences"), callback_data=f"{MINE}:list")])
    return View(Html("\n".join(lines)), InlineKeyboardMarkup(rows))


async def _own(context: BotContext, person: Person, experience_id: object) -> Experience | None:
    """The experience if it is the person's own."""
    if not isinstance(experience_id, int):
        return None
    experience = await context.repos.experiences.get(experience_id)
    if experience is None or experience.author_id != person.id:
        return None
    return experience


async def _save_one_field(
    context: BotContext, draft: Draft, value: Any, confirmation: Html
) -> View:
    """Editing one field of a sent experience: write it now (if still open), show the card."""
    repos, now = context.repos, context.services.clock.now()
    person = context.person
    experience = (
        None if person is None else await _own(context, person, draft.data.get("experience_id"))
    )
    await repos.drafts.delete(draft.person_id, EDIT.kind)
    if experience is None:
        return View(context.tr(NOT_UNDERSTOOD))
    themes = await theme_labels(context)
    if not experience.is_open:
        note = context.tr("This experience was decided meanwhile: nothing changed.")
        return _experience_view(context, experience, themes, note)
    if draft.step == "files":
        updated = await repos.experiences.replace_files(experience.id, rules.files_of(value), now)
    else:
        fields = {draft.step: rules.field_value(draft.step, value)}
        updated = await repos.experiences.update_fields(experience.id, now, **fields)
    saved = context.tr("Saved.")
    return _experience_view(
        context, updated or experience, themes, Html(f"{confirmation}\n{saved}")
    )


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
        groups = await context.repos.groups.list()
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
        (CallbackQueryHandler(on_button, pattern=r"^x[sem]:"), 0),
        (MessageHandler(media, on_media), 0),
    ]
