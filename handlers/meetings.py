"""The meetings once scheduled: RSVP buttons, /meeting, /reschedule, /cancelmeeting, /nudge,
/reminders and /upcoming; :func:`handlers` registers them and /meet (handlers/meeting_draft.py).

``/reschedule`` is a draft (kind ``reschedule``): new time, link, agenda, each keepable.

Callback data: ``rs:<token>:<action>`` for /reschedule, ``mc:<meeting>:<y|n>`` for
/cancelmeeting, ``mr:<occurrence>:<g|m|n>`` for the answers (``mt:`` belongs to /meet in
handlers/meeting_draft.py, ``cal:<occurrence>`` to handlers/calendar.py). A draft's buttons are
honoured only while its token and step match; a stale answer button says why in its toast.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Sequence
from datetime import datetime
from typing import Any, Final
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot import meetings as rules
from bot.access import refusal
from bot.context import BotContext
from bot.digests import format_when
from bot.groups import find_group, unknown_group
from bot.i18n import N_
from bot.meetings import Refusal
from bot.permissions import Role
from bot.reminders import meetings_of, wake_reminders
from bot.rendering import Html, bold, escape, split_message
from bot.roster import zone_of
from handlers import drafts
from handlers.guard import actor_of, command
from handlers.meeting_draft import (
    PREFIX,
    STALE,
    URL,
    View,
    button,
    meet_command,
    on_meet_button,
    organiser_zone,
    parse_tap,
    read_start,
    replace_tapped,
)
from handlers.meeting_draft import start_meet_draft as start_meet_draft
from storage import Draft, Person
from storage.meetings import LOCAL_FORMAT, Meeting, Occurrence, parse_local

RESCHEDULE_KIND: Final = "reschedule"
RESCHEDULE_PREFIX: Final = "rs"
CANCEL_PREFIX: Final = "mc"
_MEETING_ID = re.compile(r"^#?([1-9]\d{0,9})$")


# --- the answer buttons ----------------------------------------------------------------


async def on_rsvp(update: Update, context: BotContext) -> None:
    query, person = update.callback_query, context.person
    if query is None:
        return
    tr = context.tr
    tap = rules.parse_rsvp(query.data)
    if tap is None or person is None:
        await query.answer(tr(STALE), show_alert=True)
        return
    repos = context.repos
    occurrence = await repos.meetings.occurrence(tap.occurrence_id)
    meeting = await repos.meetings.get(occurrence.meeting_id) if occurrence else None
    if occurrence is None or meeting is None:
        await query.answer(tr("This meeting no longer exists."), show_alert=True)
        return
    now = context.services.clock.now()
    if meeting.cancelled or occurrence.status == "cancelled":
        await query.answer(tr("This meeting was cancelled: no answer is needed."), show_alert=True)
        return
    if occurrence.ends_at <= now:
        await query.answer(tr("This meeting is over."), show_alert=True)
        return
    if not await _may_answer(context, person, meeting):
        await query.answer(tr("Only members of the meeting’s groups can answer."), show_alert=True)
        return
    await repos.meetings.answer(occurrence.id, person.id, tap.answer, now)
    await query.answer(tr("Your answer: {answer}", answer=tr(rules.ANSWER_LABELS[tap.answer])))
    runtime = meetings_of(context.application)
    runtime.live.touch(meeting.id)
    message = query.message
    if message is not None and message.chat.type == "private":
        keyboard = rules.rsvp_keyboard(tr, occurrence.id, tap.answer)
        try:
            await query.edit_message_reply_markup(InlineKeyboardMarkup.de_json(keyboard, None))
        except BadRequest as error:
            if "not modified" not in error.message.lower():
                raise


async def _may_answer(context: BotContext, person: Person, meeting: Meeting) -> bool:
    groups = set(await context.repos.roster.group_ids_of(person.id))
    if groups & set(meeting.group_ids):
        return True
    actor = await actor_of(context)
    return actor is not None and actor.secretariat


# --- commands on one meeting -----------------------------------------------------------


async def _meeting_arg(update: Update, context: BotContext, name: str) -> Meeting | None:
    """The meeting named by the first argument, if the person coordinates one of its groups."""
    message = update.effective_message
    if message is None:
        return None
    tr = context.tr
    args = context.args or []
    match = _MEETING_ID.match(args[0]) if args else None
    if match is None:
        await message.reply_text(
            tr("Write /{command} followed by the meeting’s number.", command=name)
        )
        return None
    meeting = await context.repos.meetings.get(int(match[1]))
    if meeting is None:
        await message.reply_text(tr("There is no meeting {id}.", id=match[1]))
        return None
    actor = await actor_of(context)
    if actor is not None and (actor.secretariat or set(meeting.group_ids) & actor.coordinated):
        return meeting
    groups = {g.id: g for g in await context.repos.groups.list(active_only=False)}
    first = groups.get(meeting.group_ids[0]) if meeting.group_ids else None
    reason = refusal(actor, Role.COORDINATOR, first.id if first else None) if actor else STALE
    await message.reply_text(tr(reason or STALE, group=first.name(tr.language) if first else ""))
    return None


@command("meeting")
async def meeting_command(update: Update, context: BotContext) -> None:
    message = update.effective_message
    meeting = await _meeting_arg(update, context, "meeting")
    if message is None or meeting is None:
        return
    runtime = meetings_of(context.application)
    now = context.services.clock.now()
    occurrence = await context.repos.meetings.next_occurrence(meeting.id, now)
    occurrences = await context.repos.meetings.occurrences(meeting.id)
    occurrence = occurrence or (occurrences[-1] if occurrences else None)
    if occurrence is None:
        return
    tr = context.tr
    person = context.person
    zone = runtime.zone_of(meeting)
    if person is not None:
        zone = zone_of(person.timezone) or zone
    view = await runtime.view(meeting, occurrence, tr.language)
    lines: list[str] = [tr("Meeting #{id}", id=meeting.id)]
    if view.cancelled:
        lines.append(tr("❌ Cancelled"))
    lines += rules.meeting_lines(tr, view, zone)
    lines += ["", *await _who_answered(context, meeting, occurrence)]
    for part in _split(lines):
        await message.reply_text(part)


async def _who_answered(context: BotContext, meeting: Meeting, occurrence: Occurrence) -> list[str]:
    """Counts, then the names under each answer, then the members who have not answered."""
    tr = context.tr
    answered = await context.repos.meetings.answered(occurrence.id)
    by_answer: dict[str, list[str]] = {answer: [] for answer in rules.ANSWERS}
    for item in answered:
        by_answer[item.answer].append(item.person.name)
    everyone: dict[int, str] = {}
    for group_id in meeting.group_ids:
        for member in await context.repos.roster.members(group_id):
            everyone[member.person.id] = member.person.name
    answered_ids = {item.person.id for item in answered}
    silent = sorted(name for pid, name in everyone.items() if pid not in answered_ids)
    lines: list[str] = [str(rules.counts_line(tr, {a: len(n) for a, n in by_answer.items()}))]
    for answer in rules.ANSWERS:
        names = ", ".join(escape(n) for n in by_answer[answer]) or "—"
        lines.append(Html(f"{tr(rules.ANSWER_LABELS[answer])}: {names}"))
    silent_names = ", ".join(escape(n) for n in silent) or "—"
    lines.append(tr("Not answered: {names}", names=Html(silent_names)))
    return lines


def _split(lines: Sequence[str]) -> list[str]:
    return split_message("\n".join(lines))


@command("nudge")
async def nudge_command(update: Update, context: BotContext) -> None:
    found = await _upcoming_arg(update, context, "nudge")
    if found is None:
        return
    message, meeting, occurrence = found
    sent = await meetings_of(context.application).nudge(meeting, occurrence)
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
    occurrence = await _upcoming_occurrence(context, meeting)
    if occurrence is None:
        await message.reply_text(context.tr("Meeting #{id} has no upcoming date.", id=meeting.id))
        return None
    return message, meeting, occurrence


async def _upcoming_occurrence(context: BotContext, meeting: Meeting) -> Occurrence | None:
    if meeting.cancelled:
        return None
    now = context.services.clock.now()
    occurrence = await context.repos.meetings.next_occurrence(meeting.id, now)
    if occurrence is None or occurrence.starts_at <= now:
        return None
    return occurrence


# /cancelmeeting


@command("cancelmeeting")
async def cancel_command(update: Update, context: BotContext) -> None:
    found = await _upcoming_arg(update, context, "cancelmeeting")
    if found is None:
        return
    message, meeting, occurrence = found
    tr = context.tr
    zone = _reader_zone(context, meeting)
    buttons = [
        button(tr("Yes, cancel it"), f"{CANCEL_PREFIX}:{meeting.id}:y"),
        button(tr("No"), f"{CANCEL_PREFIX}:{meeting.id}:n"),
    ]
    await message.reply_text(
        tr(
            "Cancel {title} ({when})? Everyone who got the announcement is told.",
            title=meeting.title,
            when=format_when(occurrence.starts_at, zone, tr.language),
        ),
        reply_markup=InlineKeyboardMarkup([buttons]),
    )


def _reader_zone(context: BotContext, meeting: Meeting) -> ZoneInfo:
    person = context.person
    return (
        zone_of(person.timezone if person else None)
        or zone_of(meeting.timezone)
        or context.settings.default_zone
    )


async def on_cancel_button(update: Update, context: BotContext) -> None:
    query = update.callback_query
    if query is None:
        return
    tr = context.tr
    match = re.match(rf"^{CANCEL_PREFIX}:(\d{{1,10}}):([yn])$", query.data or "")
    meeting = await context.repos.meetings.get(int(match[1])) if match else None
    if match is None or meeting is None or meeting.cancelled:
        await query.answer(tr(STALE), show_alert=True)
        return
    if not await _coordinates(update, context, meeting):
        return
    if match[2] == "n":
        await query.answer()
        await replace_tapped(update, View(tr("Nothing changed.")))
        return
    occurrence = await _upcoming_occurrence(context, meeting)
    now = context.services.clock.now()
    if occurrence is None or not await context.repos.meetings.cancel(meeting.id, now):
        await query.answer(tr(STALE), show_alert=True)
        return
    cancelled = await context.repos.meetings.get(meeting.id)
    fresh = await context.repos.meetings.occurrence(occurrence.id)
    assert cancelled is not None
    assert fresh is not None
    told = await meetings_of(context.application).notify_change(cancelled, fresh, None)
    await query.answer()
    await replace_tapped(
        update,
        View(tr("Meeting #{id} is cancelled; {n} chats are told.", id=meeting.id, n=told)),
    )


async def _coordinates(update: Update, context: BotContext, meeting: Meeting) -> bool:
    """The role check again at the tap (a coordinator may have been dismissed meanwhile)."""
    actor = await actor_of(context)
    if actor is not None and (actor.secretariat or set(meeting.group_ids) & actor.coordinated):
        return True
    query = update.callback_query
    if query is not None:
        await query.answer(context.tr(N_("You are not allowed to do that.")), show_alert=True)
    return False


# /reschedule

R_WHEN, R_LINK, R_AGENDA, R_CONFIRM = "when", "link", "agenda", "confirm"


@command("reschedule")
async def reschedule_command(update: Update, context: BotContext) -> None:
    person = context.person
    found = await _upcoming_arg(update, context, "reschedule")
    if found is None or person is None:
        return
    message, meeting, occurrence = found
    data = {
        "id": secrets.token_hex(4),
        "meeting": meeting.id,
        "occurrence": occurrence.id,
        "zone": organiser_zone(context, person).key,
    }
    now = context.services.clock.now()
    await context.repos.drafts.save(person.id, RESCHEDULE_KIND, R_WHEN, data, message.chat_id, now)
    view = await _reschedule_view(context, R_WHEN, data)
    await message.reply_text(view.text, reply_markup=view.markup)


async def _reschedule_view(
    context: BotContext, step: str, data: dict[str, Any], note: Html | None = None
) -> View:
    tr = context.tr
    meeting = await context.repos.meetings.get(int(data["meeting"]))
    occurrence = await context.repos.meetings.occurrence(int(data["occurrence"]))
    if meeting is None or occurrence is None:
        return View(tr(STALE))
    token = str(data["id"])
    zone = ZoneInfo(str(data["zone"]))
    keep = [button(tr("Keep"), f"{RESCHEDULE_PREFIX}:{token}:keep")]
    lines: list[str] = [note] if note else []
    if step == R_WHEN:
        lines.append(
            tr(
                "Rescheduling {title}, now {when}. Type the new date and time in your zone "
                "({zone}), or Keep.",
                title=meeting.title,
                when=format_when(occurrence.starts_at, zone, tr.language),
                zone=zone.key,
            )
        )
    elif step == R_LINK:
        lines.append(
            tr("The new video link (https://…), or Keep: {link}", link=meeting.link or "—")
        )
    elif step == R_AGENDA:
        lines.append(tr("The new agenda in one message, or Keep."))
    else:
        new_start = _new_start(data, occurrence.starts_at)
        link = data.get("link", meeting.link)
        agenda = data.get("agenda", meeting.agenda)
        lines.append(tr("Please check the change:"))
        lines.append(tr("🕒 {when}", when=format_when(new_start, zone, tr.language)))
        lines.append(tr("🌐 {utc} UTC", utc=f"{new_start:%Y-%m-%d %H:%M}"))
        lines.append(tr("🔗 {link}", link=link or "—"))
        lines.append(tr("📋 Agenda:"))
        lines.append(escape(agenda or "—"))
        if new_start != occurrence.starts_at:
            lines.append(tr("The time changes: everyone’s answers are reset."))
        keep = [
            button(tr("Save and tell everyone"), f"{RESCHEDULE_PREFIX}:{token}:save"),
            button(tr("Cancel"), f"{RESCHEDULE_PREFIX}:{token}:cancel"),
        ]
    return View(Html("\n".join(lines)), InlineKeyboardMarkup([keep]))


def _new_start(data: dict[str, Any], current: datetime) -> datetime:
    if "local" not in data:
        return current
    local = parse_local(str(data["local"]))
    return rules.to_instant(local, ZoneInfo(str(data["zone"])))


R_ORDER: Final = (R_WHEN, R_LINK, R_AGENDA, R_CONFIRM)


def _after(step: str) -> str:
    return R_ORDER[min(R_ORDER.index(step) + 1, len(R_ORDER) - 1)]


async def on_reschedule_text(update: Update, context: BotContext, draft: Draft) -> None:
    message, person = update.effective_message, context.person
    if message is None or message.text is None or person is None:
        return
    data, step, text = dict(draft.data), draft.step, message.text.strip()
    refused: Refusal | None = None
    if step == R_WHEN:
        zone = ZoneInfo(str(data["zone"]))
        outcome = read_start(text, context.tr.language, zone, context.services.clock.now())
        if isinstance(outcome, Refusal):
            refused = outcome
        elif outcome.far:
            refused = Refusal(N_("That is more than a year away; please type a nearer date."))
        else:
            data["local"] = outcome.local.strftime(LOCAL_FORMAT)
    elif step == R_LINK:
        if not URL.match(text) or len(text) > rules.LINK_LIMIT:
            refused = Refusal(N_("Please type a link starting with https://, or tap Keep."))
        else:
            data["link"] = text
    elif step == R_AGENDA:
        if len(text) > rules.AGENDA_LIMIT:
            refused = Refusal(
                N_("Please keep the agenda under {n} characters."), {"n": rules.AGENDA_LIMIT}
            )
        else:
            data["agenda"] = text
    else:
        refused = Refusal(N_("Please use the buttons."))
    following = step if refused else _after(step)
    note = context.tr(refused.message, **refused.values) if refused else None
    now = context.services.clock.now()
    await context.repos.drafts.save(person.id, RESCHEDULE_KIND, following, data, draft.chat_id, now)
    view = await _reschedule_view(context, following, data, note)
    await message.reply_text(view.text, reply_markup=view.markup)


async def on_reschedule_button(update: Update, context: BotContext) -> None:
    query, person = update.callback_query, context.person
    if query is None:
        return
    tap = parse_tap(query.data, RESCHEDULE_PREFIX)
    draft = None if person is None else await context.repos.drafts.get(person.id, RESCHEDULE_KIND)
    if tap is None or draft is None or person is None or str(draft.data.get("id")) != tap.token:
        await query.answer(context.tr(STALE), show_alert=True)
        return
    meeting = await context.repos.meetings.get(int(draft.data["meeting"]))
    if meeting is None or meeting.cancelled:
        await context.repos.drafts.delete(person.id, RESCHEDULE_KIND)
        await query.answer(context.tr(STALE), show_alert=True)
        return
    if not await _coordinates(update, context, meeting):
        return
    now = context.services.clock.now()
    view: View
    if tap.action == "keep" and draft.step != R_CONFIRM:
        following = _after(draft.step)
        await context.repos.drafts.save(
            person.id, RESCHEDULE_KIND, following, draft.data, draft.chat_id, now
        )
        view = await _reschedule_view(context, following, draft.data)
    elif tap.action == "cancel" and draft.step == R_CONFIRM:
        await context.repos.drafts.delete(person.id, RESCHEDULE_KIND)
        view = View(context.tr("Nothing changed."))
    elif tap.action == "save" and draft.step == R_CONFIRM:
        view = await _apply_reschedule(context, person, meeting, draft)
    else:
        await query.answer(context.tr(STALE), show_alert=True)
        return
    await query.answer()
    await replace_tapped(update, view)


async def _apply_reschedule(
    context: BotContext, person: Person, meeting: Meeting, draft: Draft
) -> View:
    tr = context.tr
    data = draft.data
    repos = context.repos
    now = context.services.clock.now()
    occurrence = await repos.meetings.occurrence(int(data["occurrence"]))
    if occurrence is None or occurrence.starts_at <= now:
        await repos.drafts.delete(person.id, RESCHEDULE_KIND)
        return View(tr("Meeting #{id} has no upcoming date.", id=meeting.id))
    zone = zone_of(meeting.timezone) or context.settings.default_zone
    old_start = occurrence.starts_at
    link, agenda = data.get("link", meeting.link), data.get("agenda", meeting.agenda)
    if "local" not in data:
        await repos.meetings.change_details(meeting.id, link=link, agenda=agenda, now=now)
    else:
        typed = parse_local(str(data["local"]))
        checked = rules.check_start(typed, ZoneInfo(str(data["zone"])), now)
        if isinstance(checked, Refusal):
            await repos.drafts.save(person.id, RESCHEDULE_KIND, R_WHEN, data, draft.chat_id, now)
            note = tr(checked.message, **checked.values)
            return await _reschedule_view(context, R_WHEN, data, note)
        local_start = checked.at.astimezone(zone).replace(tzinfo=None)
        starts = [checked.at]
        if meeting.rrule:
            until = rules.materialise_until(now, meeting.reminder_offsets)
            starts = rules.occurrences(local_start, zone, meeting.rrule, now, until) or starts
        await repos.meetings.move(
            meeting.id,
            occurrence_id=occurrence.id,
            local_start=local_start,
            starts=starts,
            link=link,
            agenda=agenda,
            now=now,
        )
    await repos.drafts.delete(person.id, RESCHEDULE_KIND)
    changed = await repos.meetings.get(meeting.id)
    fresh = await repos.meetings.occurrence(occurrence.id)
    if changed is None or fresh is None:
        return View(tr(STALE))
    told = await meetings_of(context.application).notify_change(changed, fresh, old_start)
    wake_reminders(context.application)
    return View(tr("Meeting #{id} is changed; {n} chats are told.", id=meeting.id, n=told))


# --- /reminders and /upcoming ----------------------------------------------------------


@command("reminders")
async def reminders_command(update: Update, context: BotContext) -> None:
    message, person = update.effective_message, context.person
    if message is None or person is None:
        return
    tr = context.tr
    args = context.args or []
    groups = await context.repos.groups.list()
    usage = tr("Write /reminders off GROUP or /reminders on GROUP.")
    if not args:
        muted = await context.repos.meetings.muted_groups(person.id)
        names = [g.name(tr.language) for g in groups if g.id in muted]
        state = (
            tr("Reminders are muted for: {groups}.", groups=", ".join(names))
            if names
            else tr("You get the reminders of all your groups.")
        )
        await message.reply_text(Html(f"{state}\n{usage}"))
        return
    switch = args[0].lower()
    if switch not in ("on", "off"):
        await message.reply_text(usage)
        return
    query = " ".join(args[1:])
    group = find_group(groups, query) if query else None
    if not query:  # in a linked group chat the group may be left out
        linked = await context.repos.groups.linked_to_chat(message.chat_id)
        group = linked[0] if len(linked) == 1 else None
    if group is None:
        await message.reply_text(unknown_group(tr, query, groups))
        return
    now = context.services.clock.now()
    name = group.name(tr.language)
    if switch == "off":
        await context.repos.meetings.mute(person.id, group.id, now)
        await message.reply_text(
            tr(
                "Meeting reminders of {group} are off for you. /reminders on {slug} brings "
                "them back.",
                group=name,
                slug=group.slug,
            )
        )
    else:
        await context.repos.meetings.unmute(person.id, group.id)
        await message.reply_text(tr("Meeting reminders of {group} are on for you.", group=name))


@command("upcoming")
async def upcoming_command(update: Update, context: BotContext) -> None:
    message, person = update.effective_message, context.person
    if message is None or person is None:
        return
    tr = context.tr
    now = context.services.clock.now()
    runtime = meetings_of(context.application)
    occurrences = await context.repos.meetings.upcoming_for(person.id, now)
    if not occurrences:
        await message.reply_text(tr("No meetings ahead in your groups."))
        return
    lines: list[str] = [bold(tr("Your next meetings"))]
    for occurrence in occurrences:
        meeting = await context.repos.meetings.get(occurrence.meeting_id)
        if meeting is None:
            continue
        zone = zone_of(person.timezone) or runtime.zone_of(meeting)
        answer = await context.repos.meetings.answer_of(occurrence.id, person.id)
        lines.append("")
        lines.append(tr("#{id} {title}", id=meeting.id, title=meeting.title))
        lines.append(tr("🕒 {when}", when=format_when(occurrence.starts_at, zone, tr.language)))
        if meeting.link:
            lines.append(tr("🔗 {link}", link=meeting.link))
        lines.append(rules.your_answer_line(tr, answer))
    for part in _split(lines):
        await message.reply_text(part)


drafts.register(RESCHEDULE_KIND, on_reschedule_text, N_("rescheduling a meeting"))


def handlers() -> list[tuple[BaseHandler[Update, BotContext, None], int]]:
    return [
        (CommandHandler("meet", meet_command), 0),
        (CommandHandler("meeting", meeting_command), 0),
        (CommandHandler("reschedule", reschedule_command), 0),
        (CommandHandler("cancelmeeting", cancel_command), 0),
        (CommandHandler("nudge", nudge_command), 0),
        (CommandHandler("reminders", reminders_command), 0),
        (CommandHandler("upcoming", upcoming_command), 0),
        (CallbackQueryHandler(on_meet_button, pattern=rf"^{PREFIX}:"), 0),
        (CallbackQueryHandler(on_reschedule_button, pattern=rf"^{RESCHEDULE_PREFIX}:"), 0),
        (CallbackQueryHandler(on_cancel_button, pattern=rf"^{CANCEL_PREFIX}:"), 0),
        (CallbackQueryHandler(on_rsvp, pattern=rf"^{rules.RSVP_PREFIX}:"), 0),
    ]
