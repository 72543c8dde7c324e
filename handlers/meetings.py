"""The meetings once scheduled: RSVP buttons, /meeting, /reschedule, /cancelmeeting, /nudge,
/reminders and /upcoming; :func:`handlers` registers them and /meet (handlers/meeting_draft.py).

``/reschedule`` is a draft (kind ``reschedule``): new time, link, agenda, each keepable. The
use cases are ``bot/meetings/service.py``; the buttons ``bot/meetings/buttons.py`` (``rs``
/reschedule, ``mc`` /cancelmeeting, ``mr`` the answers, ``mt`` /meet; ``cal`` is
handlers/calendar.py's). A stale button says why in its toast.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot import meetings as rules
from bot.context import BotContext
from bot.conversations import Conversation
from bot.digests import format_when
from bot.formats import zone_name
from bot.groups import find_group, unknown_group
from bot.i18n import N_
from bot.meetings import drafts
from bot.meetings.buttons import STALE, CancelMeeting, MeetStep, RescheduleStep, Rsvp, parse_rsvp
from bot.meetings.drafts import RESCHEDULE_KIND, Answers
from bot.meetings.rules import Refusal
from bot.meetings.service import Changed, NotAllowed, StepBack
from bot.models import Draft, Meeting, Occurrence, WorkingGroup, parse_local
from bot.rendering import Html, bold, split_message
from bot.roster import zone_of
from handlers import meeting_draft
from handlers.guard import actor_of, command
from handlers.meeting_draft import (
    View,
    button,
    meet_command,
    on_meet_button,
    organiser_zone,
    replace_tapped,
)
from handlers.meeting_draft import start_meet_draft as start_meet_draft
from handlers.taps import refuse_stale, tapped

_MEETING_ID = re.compile(r"^#?([1-9]\d{0,9})$")


def _reader_zone(context: BotContext, meeting: Meeting) -> ZoneInfo:
    """The person's zone, else the meeting's."""
    person = context.person
    own = zone_of(person.timezone) if person else None
    return own or context.services.meetings.zone_of(meeting)


# --- the answer buttons ----------------------------------------------------------------


async def on_rsvp(update: Update, context: BotContext) -> None:
    query, person = update.callback_query, context.person
    if query is None:
        return
    tr = context.tr
    tap = parse_rsvp(query.data)
    if tap is None or person is None:
        await refuse_stale(query, context)
        return
    answer = tap.answer
    outcome = await context.services.meetings.answer(tap.occurrence_id, person, answer)
    if isinstance(outcome, Refusal):
        await query.answer(tr(outcome.message), show_alert=True)
        return
    await query.answer(tr("Your answer: {answer}", answer=tr(rules.ANSWER_LABELS[answer])))
    message = query.message
    if message is not None and message.chat.type == "private":
        keyboard = rules.rsvp_keyboard(tr, tap.occurrence_id, answer)
        try:
            await query.edit_message_reply_markup(InlineKeyboardMarkup.de_json(keyboard, None))
        except BadRequest as error:
            if "not modified" not in error.message.lower():
                raise


# --- commands on one meeting -----------------------------------------------------------


async def _meeting_arg(update: Update, context: BotContext, name: str) -> Meeting | None:
    """The meeting named by the first argument, if the person coordinates one of its groups."""
    message = update.effective_message
    if message is None:
        return None
    tr, args = context.tr, context.args or []
    match = _MEETING_ID.match(args[0]) if args else None
    if match is None:
        await message.reply_text(
            tr("Write /{command} followed by the meeting’s number.", command=name)
        )
        return None
    found = await context.services.meetings.meeting_for(int(match[1]), await actor_of(context))
    if found is None:
        await message.reply_text(tr("There is no meeting {id}.", id=match[1]))
        return None
    if isinstance(found, NotAllowed):
        group = found.group.name(tr.language) if found.group else ""
        await message.reply_text(tr(found.reason, group=group))
        return None
    return found


@command("meeting")
async def meeting_command(update: Update, context: BotContext) -> None:
    message = update.effective_message
    meeting = await _meeting_arg(update, context, "meeting")
    if message is None or meeting is None:
        return
    service = context.services.meetings
    report = await service.report(meeting)
    if report is None:
        return
    tr, zone = context.tr, _reader_zone(context, meeting)
    view = await service.view(meeting, report.occurrence, tr.language)
    lines: list[str] = [tr("Meeting #{id}", id=meeting.id)]
    if view.cancelled:
        lines.append(tr("❌ Cancelled"))
    lines += rules.meeting_lines(tr, view, zone)
    lines += ["", *rules.who_answered_lines(tr, report.by_answer, report.silent)]
    for part in split_message("\n".join(lines)):
        await message.reply_text(part)


@command("nudge")
async def nudge_command(update: Update, context: BotContext) -> None:
    found = await _upcoming_arg(update, context, "nudge")
    if found is None:
        return
    message, meeting, occurrence = found
    sent = await context.services.meetings.nudge(meeting, occurrence)
    await message.reply_text(
        context.tr.plural(
            "Nudged {n} person who has not answered.",
            "Nudged {n} people who have not answered.",
            sent,
        )
    )


async def _upcoming_arg(
    update: Update, context: BotContext, name: str
) -> tuple[Message, Meeting, Occurrence] | None:
    """The meeting named by the first argument and its next occurrence; else says why."""
    message = update.effective_message
    meeting = await _meeting_arg(update, context, name)
    if message is None or meeting is None:
        return None
    occurrence = await context.services.meetings.upcoming_occurrence(meeting)
    if occurrence is None:
        await message.reply_text(context.tr("Meeting #{id} has no upcoming date.", id=meeting.id))
        return None
    return message, meeting, occurrence


# /cancelmeeting


@command("cancelmeeting")
async def cancel_command(update: Update, context: BotContext) -> None:
    found = await _upcoming_arg(update, context, "cancelmeeting")
    if found is None:
        return
    message, meeting, occurrence = found
    tr, zone = context.tr, _reader_zone(context, meeting)
    buttons = [
        button(tr("Yes, cancel it"), CancelMeeting(meeting.id, "y").pack()),
        button(tr("No"), CancelMeeting(meeting.id, "n").pack()),
    ]
    await message.reply_text(
        tr(
            "Cancel {title} ({when})? Everyone who got the announcement is told.",
            title=meeting.title,
            when=format_when(occurrence.starts_at, zone, tr.language),
        ),
        reply_markup=InlineKeyboardMarkup([buttons]),
    )


async def on_cancel_button(update: Update, context: BotContext) -> None:
    pressed = await tapped(update, context, CancelMeeting)
    if pressed is None:
        return
    query, tap, tr = pressed.query, pressed.data, context.tr
    service = context.services.meetings
    actor = await actor_of(context)
    if tap.confirm == "n":
        found = await service.meeting_for(tap.meeting_id, actor)
        if found is None or isinstance(found, NotAllowed) or found.cancelled:
            await _refuse_tap(update, context, found)
            return
        await query.answer()
        await replace_tapped(update, View(tr("Nothing changed.")))
        return
    outcome = await service.cancel(tap.meeting_id, actor)
    if not isinstance(outcome, Changed):
        await query.answer(
            tr(outcome.message if isinstance(outcome, Refusal) else outcome.reason), show_alert=True
        )
        return
    await query.answer()
    text = tr.plural(
        "Meeting #{id} is cancelled; {n} chat is told.",
        "Meeting #{id} is cancelled; {n} chats are told.",
        outcome.told,
        id=outcome.meeting_id,
    )
    await replace_tapped(update, View(text))


async def _refuse_tap(update: Update, context: BotContext, found: object) -> None:
    query = update.callback_query
    if query is None:
        return
    reason = N_("You are not allowed to do that.") if isinstance(found, NotAllowed) else STALE
    await query.answer(context.tr(reason), show_alert=True)


# /reschedule


@command("reschedule")
async def reschedule_command(update: Update, context: BotContext) -> None:
    person = context.person
    found = await _upcoming_arg(update, context, "reschedule")
    if found is None or person is None:
        return
    message, meeting, occurrence = found
    service = context.services.meetings
    data = service.new_draft(
        organiser_zone(context, person), meeting=meeting.id, occurrence=occurrence.id
    )
    await service.save_reschedule(person.id, drafts.R_WHEN, data, message.chat_id)
    view = await _reschedule_view(context, drafts.R_WHEN, data)
    await message.reply_text(view.text, reply_markup=view.markup)


async def _reschedule_view(
    context: BotContext, step: str, data: Answers, note: Html | None = None
) -> View:
    tr = context.tr
    found = await context.services.meetings.draft_meeting(data)
    if found is None:
        return View(tr(STALE))
    meeting, occurrence = found
    token, zone = str(data["id"]), ZoneInfo(str(data["zone"]))
    lines: list[str] = [note] if note else []
    if step == drafts.R_CONFIRM:
        lines += _reschedule_check(context, meeting, occurrence.starts_at, data)
        keep = [
            button(tr("Save and tell everyone"), RescheduleStep(token, "save").pack()),
            button(tr("Cancel"), RescheduleStep(token, "cancel").pack()),
        ]
        return View(Html("\n".join(lines)), InlineKeyboardMarkup([keep]))
    if step == drafts.R_WHEN:
        when = format_when(occurrence.starts_at, zone, tr.language)
        lines.append(
            # Translators: “Keep” is the button below: use the same word as that button.
            tr(
                "Rescheduling {title}, now {when}. Type the new date and time in your zone "
                "({zone}), or Keep.",
                title=meeting.title,
                when=when,
                zone=zone_name(zone, tr.language),
            )
        )
    elif step == drafts.R_LINK:
        lines.append(
            tr("The new video link (https://…), or Keep: {link}", link=meeting.link or "—")
        )
    else:
        lines.append(tr("The new agenda in one message, or Keep."))
    # Translators: a button: keep the current value (meeting time, link, agenda, country…).
    keep = [button(tr("Keep"), RescheduleStep(token, "keep").pack())]
    return View(Html("\n".join(lines)), InlineKeyboardMarkup([keep]))


def _reschedule_check(
    context: BotContext, meeting: Meeting, current: datetime, data: Answers
) -> list[str]:
    zone = ZoneInfo(str(data["zone"]))
    new_start = current
    if "local" in data:
        new_start = rules.to_instant(parse_local(str(data["local"])), zone)
    link_to, agenda = data.get("link", meeting.link), data.get("agenda", meeting.agenda)
    return rules.reschedule_check(context.tr, new_start, current, zone, link_to, agenda)


async def on_reschedule_text(update: Update, context: BotContext, draft: Draft) -> None:
    message, person = update.effective_message, context.person
    if message is None or message.text is None or person is None:
        return
    service = context.services.meetings
    text, language = message.text.strip(), context.tr.language
    outcome = drafts.read_reschedule(draft.step, dict(draft.data), text, language, service.now())
    data, following = dict(draft.data), draft.step
    said = outcome if isinstance(outcome, Refusal) else outcome.note
    if not isinstance(outcome, Refusal):
        data, following = outcome.data, outcome.step or draft.step
    note = context.tr(said.message, **said.values) if said else None
    await service.save_reschedule(person.id, following, data, draft.chat_id)
    view = await _reschedule_view(context, following, data, note)
    await message.reply_text(view.text, reply_markup=view.markup)


async def on_reschedule_button(update: Update, context: BotContext) -> None:
    query, person = update.callback_query, context.person
    if query is None:
        return
    service = context.services.meetings
    tap = RescheduleStep.unpack_or_none(query.data)
    draft = None if person is None else await service.reschedule_draft(person.id)
    if tap is None or draft is None or person is None or str(draft.data.get("id")) != tap.token:
        await refuse_stale(query, context)
        return
    found = await service.meeting_for(int(draft.data["meeting"]), await actor_of(context))
    if found is None or isinstance(found, NotAllowed) or found.cancelled:
        if not isinstance(found, NotAllowed):
            await service.drop_draft(person.id, drafts.RESCHEDULE_KIND)
        await _refuse_tap(update, context, found)
        return
    view = await _reschedule_step(context, person.id, draft, tap.action)
    if view is None:
        await refuse_stale(query, context)
        return
    await query.answer()
    await replace_tapped(update, view)


async def _reschedule_step(
    context: BotContext, person_id: int, draft: Draft, action: str
) -> View | None:
    service, tr = context.services.meetings, context.tr
    confirming = draft.step == drafts.R_CONFIRM
    if action == "keep" and not confirming:
        following = drafts.after(draft.step)
        await service.save_reschedule(person_id, following, draft.data, draft.chat_id)
        return await _reschedule_view(context, following, draft.data)
    if action == "cancel" and confirming:
        await service.drop_draft(person_id, drafts.RESCHEDULE_KIND)
        return View(tr("Nothing changed."))
    if action != "save" or not confirming:
        return None
    outcome = await service.reschedule(person_id, draft)
    if isinstance(outcome, StepBack):
        note = tr(outcome.note.message, **outcome.note.values)
        return await _reschedule_view(context, outcome.step, outcome.data, note)
    if isinstance(outcome, Refusal):
        return View(tr(outcome.message, **outcome.values))
    return View(
        tr.plural(
            "Meeting #{id} is changed; {n} chat is told.",
            "Meeting #{id} is changed; {n} chats are told.",
            outcome.told,
            id=outcome.meeting_id,
        )
    )


# --- /reminders and /upcoming ----------------------------------------------------------


@command("reminders")
async def reminders_command(update: Update, context: BotContext) -> None:
    message, person = update.effective_message, context.person
    if message is None or person is None:
        return
    tr, args, service = context.tr, context.args or [], context.services.meetings
    groups = await service.groups()
    usage = tr("Write /reminders off GROUP or /reminders on GROUP.")
    if not args:
        muted = await service.muted_groups(person.id)
        names = [g.name(tr.language) for g in groups if g.id in muted]
        await message.reply_text(Html(f"{rules.reminders_state(tr, names)}\n{usage}"))
        return
    switch, query = args[0].lower(), " ".join(args[1:])
    if switch not in ("on", "off"):
        await message.reply_text(usage)
        return
    group = await _named_or_linked(context, groups, query, message.chat_id)
    if group is None:
        await message.reply_text(unknown_group(tr, query, groups))
        return
    await service.mute(person.id, group.id, muted=switch == "off")
    name = group.name(tr.language)
    await message.reply_text(rules.reminders_switched(tr, name, group.slug, off=switch == "off"))


async def _named_or_linked(
    context: BotContext, groups: Sequence[WorkingGroup], query: str, chat_id: int
) -> WorkingGroup | None:
    """The group named, else (in a chat linked to one group) the chat's own group."""
    if query:
        return find_group(groups, query)
    linked = await context.services.meetings.linked_groups(chat_id)
    return linked[0] if len(linked) == 1 else None


@command("upcoming")
async def upcoming_command(update: Update, context: BotContext) -> None:
    message, person = update.effective_message, context.person
    if message is None or person is None:
        return
    tr, service = context.tr, context.services.meetings
    found = await service.upcoming(person.id)
    if not found:
        await message.reply_text(tr("No meetings ahead in your groups."))
        return
    lines: list[str] = [bold(tr("Your next meetings"))]
    for item in found:
        meeting, start = item.meeting, item.occurrence.starts_at
        zone = _reader_zone(context, meeting)
        lines += rules.upcoming_lines(
            tr, meeting.id, meeting.title, start, zone, meeting.link, item.answer
        )
    for part in split_message("\n".join(lines)):
        await message.reply_text(part)


def conversations() -> tuple[Conversation, ...]:
    rescheduling = Conversation(RESCHEDULE_KIND, on_reschedule_text, N_("rescheduling a meeting"))
    return meeting_draft.conversation(), rescheduling


def handlers() -> list[tuple[BaseHandler[Update, BotContext, None], int]]:
    return [
        (CommandHandler("meet", meet_command), 0),
        (CommandHandler("meeting", meeting_command), 0),
        (CommandHandler("reschedule", reschedule_command), 0),
        (CommandHandler("cancelmeeting", cancel_command), 0),
        (CommandHandler("nudge", nudge_command), 0),
        (CommandHandler("reminders", reminders_command), 0),
        (CommandHandler("upcoming", upcoming_command), 0),
        (CallbackQueryHandler(on_meet_button, pattern=MeetStep.pattern()), 0),
        (CallbackQueryHandler(on_reschedule_button, pattern=RescheduleStep.pattern()), 0),
        (CallbackQueryHandler(on_cancel_button, pattern=CancelMeeting.pattern()), 0),
        (CallbackQueryHandler(on_rsvp, pattern=Rsvp.pattern()), 0),
    ]
