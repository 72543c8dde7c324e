"""/meet: scheduling a meeting step by step, in a draft, and the slot finder's way into it.

``/meet`` keeps its answers in a draft (kind ``meeting``; docs/developers.md, "Conversations in
drafts") and asks, one step at a time: the group(s), title, date and time (typed in the organiser's
zone), duration, link, agenda, recurrence and reminders; then it echoes the meeting back
(organiser's zone, UTC, the members' local times) and saves it only on Schedule. A step already
answered (the slot finder pre-fills groups, time and duration through :func:`start_meet_draft`) is
skipped.

The steps are ``bot/meetings/drafts.py``, the saving ``bot/meetings/service.py``; buttons are
:class:`bot.meetings.buttons.MeetStep`, honoured only while their token matches the draft.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest, Forbidden

from bot import meetings as rules
from bot.context import BotContext
from bot.conversations import Conversation
from bot.dates import Examples
from bot.formats import format_when, zone_name
from bot.groups import find_group, unknown_group
from bot.i18n import N_
from bot.meetings import drafts
from bot.meetings.buttons import STALE, MeetAction, MeetStep
from bot.meetings.drafts import LOCAL_FORMAT, Answers
from bot.meetings.rules import Refusal
from bot.meetings.service import NotAllowed, Scheduled, StepBack
from bot.models import Draft, Person, parse_local
from bot.permissions import Role
from bot.rendering import Html
from bot.roster import zone_of
from handlers.guard import actor_of, command, refuse_unless
from handlers.taps import refuse_stale


@dataclass(frozen=True)
class View:
    """A message to send, or to put in place of the tapped one."""

    text: Html
    markup: InlineKeyboardMarkup | None = None


def button(text: str, data: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(text, callback_data=data)


def organiser_zone(context: BotContext, person: Person) -> ZoneInfo:
    return zone_of(person.timezone) or context.settings.default_zone


async def replace_tapped(update: Update, view: View) -> None:
    query = update.callback_query
    if query is None:
        return
    try:
        await query.edit_message_text(view.text, reply_markup=view.markup)
    except BadRequest as error:
        if "not modified" not in error.message.lower():
            raise


# --- the slot finder's entry point --------------------------------------------------------


async def start_meet_draft(
    update: Update,
    context: BotContext,
    group_ids: list[int],
    local_start: datetime,
    duration_minutes: int,
) -> None:
    """Start /meet at the title step with the groups, start and duration already answered.

    ``local_start`` is aware, in the organiser's zone (its wall time and zone are kept).
    """
    person, chat = context.person, update.effective_chat
    if person is None or chat is None:
        return
    zone = local_start.tzinfo if isinstance(local_start.tzinfo, ZoneInfo) else None
    data = context.services.meetings.new_draft(
        zone or organiser_zone(context, person),
        groups=list(group_ids),
        local=local_start.replace(tzinfo=None).strftime(LOCAL_FORMAT),
        duration=duration_minutes,
    )
    # A private chat: the draft's questions are asked there (the tap may come from a group).
    try:
        await _save_and_ask(context, person, data, chat_id=person.telegram_id or chat.id)
    except Forbidden:  # never started the bot: the draft waits for their first private word
        await context.bot.send_message(
            chat.id,
            context.tr(
                "{name}, please open a private chat with me and tap Start; then /meet goes on "
                "where you left it.",
                name=person.name,
            ),
        )


# --- /meet -----------------------------------------------------------------------------


@command("meet")
async def meet_command(update: Update, context: BotContext) -> None:
    message, person = update.effective_message, context.person
    if message is None or person is None:
        return
    service = context.services.meetings
    draft = await service.meet_draft(person.id)
    if draft is not None:
        await message.reply_text(
            context.tr("You have a meeting in progress. Go on with it, or stop it with /cancel.")
        )
        view = await _step_view(context, draft.step, draft.data)
        await message.reply_text(view.text, reply_markup=view.markup)
        return
    data = service.new_draft(organiser_zone(context, person))
    query = " ".join(context.args or []).strip()
    if query:
        group_ids = await _typed_groups(update, context, query)
        if group_ids is None:
            return
        data["groups"] = group_ids
    else:
        allowed, everyone = await service.allowed_groups(await actor_of(context))
        if len(allowed) == 1 and not everyone:
            data["groups"] = [allowed[0].id]
    await _save_and_ask(context, person, data, chat_id=message.chat_id)


async def _typed_groups(update: Update, context: BotContext, query: str) -> list[int] | None:
    """The group ids a typed name (or ``all``) means; else says why and returns None."""
    message = update.effective_message
    tr = context.tr
    groups = await context.services.meetings.groups()
    _, everyone = await context.services.meetings.allowed_groups(await actor_of(context))
    if query.strip().lower() in ("all", "todos", "tous", "全部"):
        if everyone:
            return [g.id for g in groups]
        if message is not None:
            await message.reply_text(tr("Only the network secretariat can do that."))
        return None
    group = find_group(groups, query)
    if group is None:
        if message is not None:
            await message.reply_text(unknown_group(tr, query, groups))
        return None
    if await refuse_unless(update, context, Role.COORDINATOR, group.id, group.name(tr.language)):
        return None
    return [group.id]


async def _save_and_ask(
    context: BotContext,
    person: Person,
    data: Answers,
    *,
    chat_id: int | None,
    note: Html | None = None,
    step: str | None = None,
) -> None:
    step = await context.services.meetings.save_meet(person.id, data, chat_id, step)
    view = await _step_view(context, step, data, note)
    if chat_id is not None:
        await context.bot.send_message(chat_id, view.text, reply_markup=view.markup)


# --- how each step asks ------------------------------------------------------------------


def _tap(token: str, text: str, action: MeetAction, arg: str = "") -> InlineKeyboardButton:
    return button(text, MeetStep(token, action, arg).pack())


async def _step_view(
    context: BotContext, step: str, data: Answers, note: Html | None = None
) -> View:
    if step == drafts.CONFIRM:
        return await _confirm_view(context, data, note)
    if step == drafts.GROUPS:
        lines, rows = await _groups_step(context, data)
    else:
        lines, rows = _plain_step(context, step, data)
    text = Html("\n".join([note, *lines] if note else lines))
    return View(text, InlineKeyboardMarkup(rows) if rows else None)


Rows = list[list[InlineKeyboardButton]]


async def _groups_step(context: BotContext, data: Answers) -> tuple[list[str], Rows]:
    tr, token = context.tr, str(data["id"])
    allowed, everyone = await context.services.meetings.allowed_groups(await actor_of(context))
    chosen = set(data.get("picked", []))
    rows = [
        [_tap(token, ("✓ " if g.id in chosen else "") + g.name(tr.language), "g", str(g.id))]
        for g in allowed
    ]
    # Translators: a button: go to the next step of scheduling a meeting.
    last = [_tap(token, tr("Next"), "gnext")]
    if everyone:
        last.insert(0, _tap(token, tr("All groups"), "gall"))
    rows.append(last)
    return [tr("Which working group is the meeting for? Tap to choose, then Next.")], rows


def _plain_step(context: BotContext, step: str, data: Answers) -> tuple[list[str], Rows]:
    tr, token = context.tr, str(data["id"])
    if step == drafts.FAR:
        zone = ZoneInfo(str(data["zone"]))
        when = format_when(rules.to_instant(parse_local(str(data["far"])), zone), zone, tr.language)
        buttons = [
            _tap(token, tr("Yes, keep it"), "faryes"),
            _tap(token, tr("No, type again"), "farno"),
        ]
        return [tr("{when} is more than a year away. Is that right?", when=when)], [buttons]
    if step == drafts.WHEN:
        zone = ZoneInfo(str(data["zone"]))
        return [
            # Translators: {zone} names the person's zone (a city); {examples} are dates to type,
            # computed from today (own message).
            tr(
                "When does it start? Type the date and time in your zone ({zone}), e.g. "
                "{examples}. Another zone works too: 15:00 CET, 10am Lima time.",
                zone=zone_name(zone, tr.language),
                examples=Examples(context.services.meetings.now(), zone),
            )
        ], []
    if step == drafts.DURATION:
        choices = [
            _tap(token, rules.format_duration(m, tr.language), "d", str(m))
            for m in drafts.DURATION_CHOICES
        ]
        return [tr("How long is it? Tap or type it (e.g. 90 or 1h30).")], [choices]
    if step in (drafts.LINK, drafts.AGENDA):
        ask = (
            tr("The video link (https://…), or Skip.")
            if step == drafts.LINK
            else tr("The agenda in one message, or Skip.")
        )
        return [ask], [[_tap(token, tr("Skip"), "skip")]]
    if step == drafts.RECURRENCE:
        rows = [[_tap(token, tr(rules.RECURRENCE_LABELS[r]), "r", r)] for r in rules.RECURRENCES]
        return [tr("Does it repeat?")], rows
    if step == drafts.OFFSETS:
        offsets = rules.format_offsets(rules.DEFAULT_OFFSETS, tr.language)
        ask = tr(
            "Reminders before the start: tap to keep {offsets}, or type others "
            "(e.g. 2d, 1h, 15min, or none).",
            offsets=offsets,
        )
        # Translators: button; {offsets} are the reminders before the meeting, as “1 day, 1 hour”.
        return [ask], [[_tap(token, tr("Keep {offsets}", offsets=offsets), "o")]]
    return [tr("What is the meeting’s title?")], []


async def _confirm_view(context: BotContext, data: Answers, note: Html | None) -> View:
    tr, service = context.tr, context.services.meetings
    token, zone = str(data["id"]), ZoneInfo(str(data["zone"]))
    local = parse_local(str(data["local"]))
    start = rules.to_instant(local, zone)
    groups = {g.id: g for g in await service.groups()}
    offsets = tuple(int(m) for m in data.get("offsets", []))
    view = rules.MeetingView(
        meeting_id=0,
        occurrence_id=0,
        title=str(data["title"]),
        groups=[groups[g].name(tr.language) for g in data["groups"] if g in groups],
        start=start,
        duration_minutes=int(data["duration"]),
        link=data.get("link"),
        agenda=data.get("agenda"),
        recurrence=data.get("recurrence", "none"),
    )
    lines: list[str] = [note] if note else []
    lines.append(tr("Please check the meeting:"))
    lines += rules.meeting_lines(tr, view, zone)
    # Translators: what to type, and what is shown, for a meeting without reminders.
    reminders = rules.format_offsets(offsets, tr.language) if offsets else tr("none")
    lines.append(tr("⏰ Reminders: {offsets}", offsets=reminders))
    zones = await service.member_zones(data["groups"])
    spread = rules.render_spread(tr, rules.member_spread(start, zones))
    if spread is not None:
        lines.append(spread)
    if rules.in_fold(local, zone):
        lines.append(
            # Translators: {time} is the local time typed; {zone} names the time zone; {utc} is the
            # same instant in UTC.
            tr(
                "Note: {time} happens twice that night in {zone} (the clocks go back); "
                "the meeting is at the first one, {utc} UTC.",
                time=f"{local:%H:%M}",
                zone=zone_name(zone, tr.language),
                utc=f"{start:%H:%M}",
            )
        )
    past = rules.past_offsets(start, offsets, service.now())
    if past:
        lines.append(
            tr(
                "Reminders already past are not sent: {offsets}.",
                offsets=rules.format_offsets(past, tr.language),
            )
        )
    buttons = [_tap(token, tr("Schedule"), "save"), _tap(token, tr("Cancel"), "cancel")]
    return View(Html("\n".join(lines)), InlineKeyboardMarkup([buttons]))


# --- typed answers ---------------------------------------------------------------------


async def on_text(update: Update, context: BotContext, draft: Draft) -> None:
    message, person = update.effective_message, context.person
    if message is None or message.text is None or person is None:
        return
    now = context.services.meetings.now()
    outcome = drafts.read_typed(
        draft.step, draft.data, message.text.strip(), context.tr.language, now
    )
    if isinstance(outcome, Refusal):
        note = context.tr(outcome.message, **outcome.values)
        view = await _step_view(context, draft.step, draft.data, note)
        await message.reply_text(view.text, reply_markup=view.markup)
        return
    said = context.tr(outcome.note.message, **outcome.note.values) if outcome.note else None
    await _save_and_ask(
        context, person, outcome.data, chat_id=message.chat_id, note=said, step=outcome.step
    )


# --- buttons -----------------------------------------------------------------------------


async def on_meet_button(update: Update, context: BotContext) -> None:
    query, person = update.callback_query, context.person
    if query is None:
        return
    tap = MeetStep.unpack_or_none(query.data)
    service = context.services.meetings
    draft = None if person is None else await service.meet_draft(person.id)
    if tap is None or draft is None or person is None or str(draft.data.get("id")) != tap.token:
        await refuse_stale(query, context)
        return
    result = await _meet_tap(update, context, person, draft, tap)
    if result is None:  # already answered (a refusal alert)
        return
    if isinstance(result, Refusal):
        await query.answer(context.tr(result.message, **result.values), show_alert=True)
        return
    await query.answer()
    await replace_tapped(update, result)


async def _meet_tap(
    update: Update, context: BotContext, person: Person, draft: Draft, tap: MeetStep
) -> View | Refusal | None:
    """What a /meet button leads to: the next step's view, a refusal, or None (answered)."""
    service = context.services.meetings
    if draft.step == drafts.CONFIRM and tap.action == "cancel":
        await service.drop_draft(person.id, drafts.MEET_KIND)
        return View(context.tr("Meeting not scheduled: nothing was saved."))
    if draft.step == drafts.CONFIRM and tap.action == "save":
        return await _schedule(update, context, person, draft)
    outcome = await service.meet_tap(person.id, draft, tap.action, tap.arg, await actor_of(context))
    if outcome is None:
        return Refusal(STALE)
    if isinstance(outcome, Refusal):
        return outcome
    return await _step_view(context, outcome.step or drafts.next_step(outcome.data), outcome.data)


async def _schedule(
    update: Update, context: BotContext, person: Person, draft: Draft
) -> View | None:
    """Save the meeting, announce it, and plan its reminders."""
    tr = context.tr
    outcome = await context.services.meetings.schedule(person.id, draft, await actor_of(context))
    if outcome is None:
        return View(tr("That working group no longer exists; nothing was saved."))
    if isinstance(outcome, NotAllowed):
        name = outcome.group.name(tr.language) if outcome.group else ""
        assert update.callback_query is not None
        await update.callback_query.answer(tr(outcome.reason, group=name), show_alert=True)
        return None
    if isinstance(outcome, StepBack):
        note = tr(outcome.note.message, **outcome.note.values)
        return await _step_view(context, outcome.step, outcome.data, note)
    return _scheduled(context, outcome)


def _scheduled(context: BotContext, done: Scheduled) -> View:
    return View(
        context.tr.plural(
            "Scheduled: meeting #{id}, {title}. The announcement goes to {n} chat. "
            "/meeting {id} shows who answered.",
            "Scheduled: meeting #{id}, {title}. The announcement goes to {n} chats. "
            "/meeting {id} shows who answered.",
            done.reached,
            id=done.meeting.id,
            title=done.meeting.title,
        )
    )


def conversation() -> Conversation:
    """/meet's conversation (declared by ``handlers.meetings.conversations``)."""
    return Conversation(drafts.MEET_KIND, on_text, N_("scheduling a meeting"))
