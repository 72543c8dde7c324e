"""/meet: scheduling a meeting step by step, in a draft, and the slot finder's way into it.

``/meet`` keeps its answers in a draft (kind ``meeting``; docs/developers.md, "Conversations in
drafts") and asks, one step at a time: the group(s), title, date and time (typed in the organiser's
zone), duration, link, agenda, recurrence and reminders; then it echoes the meeting back
(organiser's zone, UTC, the members' local times) and saves it only on Schedule. A step already
answered (the slot finder pre-fills groups, time and duration through :func:`start_meet_draft`) is
skipped.

Callback data: ``mt:<token>:<action>[:<arg>]``; a button is honoured only while its token and
step match the person's draft. ``handlers.meetings.handlers()`` registers these handlers.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest, Forbidden

from bot import meetings as rules
from bot.context import BotContext
from bot.groups import find_group, unknown_group
from bot.i18n import N_
from bot.meetings import Refusal, Start
from bot.permissions import Role
from bot.reminders import meetings_of, wake_reminders
from bot.rendering import Html, echo
from bot.roster import zone_of
from handlers import drafts
from handlers.guard import actor_of, command, refuse_unless
from storage import Draft, Person, WorkingGroup
from storage.meetings import LOCAL_FORMAT, NewMeeting, parse_local

KIND: Final = "meeting"
PREFIX: Final = "mt"
STALE: Final = N_("This button is no longer valid.")

GROUPS, TITLE, WHEN, FAR, DURATION, LINK, AGENDA, RECURRENCE, OFFSETS, CONFIRM = (
    "groups",
    "title",
    "when",
    "far",
    "duration",
    "link",
    "agenda",
    "recurrence",
    "offsets",
    "confirm",
)
ORDER: Final = (GROUPS, TITLE, WHEN, DURATION, LINK, AGENDA, RECURRENCE, OFFSETS)
"""The steps of /meet; the first one without an answer is asked next."""
ANSWER_KEYS: Final = {
    GROUPS: "groups",
    TITLE: "title",
    WHEN: "local",
    DURATION: "duration",
    LINK: "link",
    AGENDA: "agenda",
    RECURRENCE: "recurrence",
    OFFSETS: "offsets",
}
DURATION_CHOICES: Final = (30, 60, 90, 120)
URL = re.compile(r"^https?://[^\s<>\"]+\.[^\s<>\"]+$", re.IGNORECASE)


@dataclass(frozen=True)
class View:
    """A message to send, or to put in place of the tapped one."""

    text: Html
    markup: InlineKeyboardMarkup | None = None


class _Answered:
    """The tap was already answered (a refusal alert): nothing more to say."""


ANSWERED: Final = _Answered()


def button(text: str, data: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(text, callback_data=data)


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
    person = context.person
    chat = update.effective_chat
    if person is None or chat is None:
        return
    zone = local_start.tzinfo
    zone_name = getattr(zone, "key", None) or organiser_zone(context, person).key
    data: dict[str, Any] = {
        "id": secrets.token_hex(4),
        "groups": list(group_ids),
        "zone": zone_name,
        "local": local_start.replace(tzinfo=None).strftime(LOCAL_FORMAT),
        "duration": duration_minutes,
    }
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
    draft = await context.repos.drafts.get(person.id, KIND)
    if draft is not None:
        await message.reply_text(
            context.tr("You have a meeting in progress. Go on with it, or stop it with /cancel.")
        )
        view = await _step_view(context, draft.step, draft.data)
        await message.reply_text(view.text, reply_markup=view.markup)
        return
    data: dict[str, Any] = {
        "id": secrets.token_hex(4),
        "zone": organiser_zone(context, person).key,
    }
    query = " ".join(context.args or []).strip()
    if query:
        group_ids = await _typed_groups(update, context, query)
        if group_ids is None:
            return
        data["groups"] = group_ids
    else:
        allowed, everyone = await _allowed_groups(context)
        if len(allowed) == 1 and not everyone:
            data["groups"] = [allowed[0].id]
    await _save_and_ask(context, person, data, chat_id=message.chat_id)


def organiser_zone(context: BotContext, person: Person) -> ZoneInfo:
    return zone_of(person.timezone) or context.settings.default_zone


async def _allowed_groups(context: BotContext) -> tuple[list[WorkingGroup], bool]:
    """The groups the person may schedule for, and whether they may choose all of them."""
    actor = await actor_of(context)
    groups = await context.repos.groups.list()
    if actor is None:
        return [], False
    if actor.secretariat:
        return groups, True
    return [g for g in groups if g.id in actor.coordinated], False


async def _typed_groups(update: Update, context: BotContext, query: str) -> list[int] | None:
    """The group ids a typed name (or ``all``) means; else says why and returns None."""
    message = update.effective_message
    tr = context.tr
    groups = await context.repos.groups.list()
    _, everyone = await _allowed_groups(context)
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


def next_step(data: dict[str, Any]) -> str:
    """The first step without an answer (the confirmation once all are answered)."""
    for step in ORDER:
        if ANSWER_KEYS[step] not in data:
            return step
    return CONFIRM


async def _save_and_ask(
    context: BotContext,
    person: Person,
    data: dict[str, Any],
    *,
    chat_id: int | None,
    note: Html | None = None,
    step: str | None = None,
) -> None:
    step = step or next_step(data)
    now = context.services.clock.now()
    await context.repos.drafts.save(person.id, KIND, step, data, chat_id, now)
    view = await _step_view(context, step, data, note)
    if chat_id is not None:
        await context.bot.send_message(chat_id, view.text, reply_markup=view.markup)


async def _step_view(
    context: BotContext, step: str, data: dict[str, Any], note: Html | None = None
) -> View:
    tr = context.tr
    token = str(data["id"])
    lines: list[str] = [note] if note else []
    rows: list[list[InlineKeyboardButton]] = []

    def tap(text: str, action: str, arg: str = "") -> InlineKeyboardButton:
        suffix = f":{arg}" if arg else ""
        return button(text, f"{PREFIX}:{token}:{action}{suffix}")

    if step == GROUPS:
        allowed, everyone = await _allowed_groups(context)
        chosen = set(data.get("picked", []))
        lines.append(tr("Which working group is the meeting for? Tap to choose, then Next."))
        rows = [
            [tap(("✓ " if g.id in chosen else "") + g.name(tr.language), "g", str(g.id))]
            for g in allowed
        ]
        last = [tap(tr("Next"), "gnext")]
        if everyone:
            last.insert(0, tap(tr("All groups"), "gall"))
        rows.append(last)
    elif step == TITLE:
        lines.append(tr("What is the meeting’s title?"))
    elif step in (WHEN, FAR):
        if step == FAR:
            far = parse_local(str(data["far"]))
            lines.append(
                tr(
                    "{when} is more than a year away. Is that right?",
                    when=f"{far:%Y-%m-%d %H:%M} ({data['zone']})",
                )
            )
            rows.append([tap(tr("Yes, keep it"), "faryes"), tap(tr("No, type again"), "farno")])
        else:
            lines.append(
                tr(
                    "When does it start? Type the date and time in your zone ({zone}), e.g. "
                    "2026-10-15 15:00, 15 Oct 15:00 or tomorrow 9:00.",
                    zone=data["zone"],
                )
            )
    elif step == DURATION:
        lines.append(tr("How long is it? Tap or type it (e.g. 90 or 1h30)."))
        rows.append([tap(rules.format_duration(m), "d", str(m)) for m in DURATION_CHOICES])
    elif step == LINK:
        lines.append(tr("The video link (https://…), or Skip."))
        rows.append([tap(tr("Skip"), "skip")])
    elif step == AGENDA:
        lines.append(tr("The agenda in one message, or Skip."))
        rows.append([tap(tr("Skip"), "skip")])
    elif step == RECURRENCE:
        lines.append(tr("Does it repeat?"))
        rows = [[tap(tr(rules.RECURRENCE_LABELS[r]), "r", r)] for r in rules.RECURRENCES]
    elif step == OFFSETS:
        lines.append(
            tr(
                "Reminders before the start: tap to keep {offsets}, or type others "
                "(e.g. 2d, 1h, 15min, or none).",
                offsets=rules.format_offsets(rules.DEFAULT_OFFSETS),
            )
        )
        rows.append(
            [tap(tr("Keep {offsets}", offsets=rules.format_offsets(rules.DEFAULT_OFFSETS)), "o")]
        )
    else:
        return await _confirm_view(context, data, note)
    return View(Html("\n".join(lines)), InlineKeyboardMarkup(rows) if rows else None)


async def _confirm_view(context: BotContext, data: dict[str, Any], note: Html | None) -> View:
    tr = context.tr
    token = str(data["id"])
    zone = ZoneInfo(str(data["zone"]))
    local = parse_local(str(data["local"]))
    start = rules.to_instant(local, zone)
    groups = {g.id: g for g in await context.repos.groups.list()}
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
    reminders = rules.format_offsets(offsets) if offsets else tr("none")
    lines.append(tr("⏰ Reminders: {offsets}", offsets=reminders))
    spread = await _spread(context, data["groups"], start)
    if spread is not None:
        lines.append(spread)
    if rules.in_fold(local, zone):
        lines.append(
            tr(
                "Note: {time} happens twice that night in {zone} (the clocks go back); "
                "the meeting is at the first one, {utc} UTC.",
                time=f"{local:%H:%M}",
                zone=zone.key,
                utc=f"{start:%H:%M}",
            )
        )
    past = rules.past_offsets(start, offsets, context.services.clock.now())
    if past:
        lines.append(
            tr(
                "Reminders already past are not sent: {offsets}.",
                offsets=rules.format_offsets(past),
            )
        )
    buttons = [
        button(tr("Schedule"), f"{PREFIX}:{token}:save"),
        button(tr("Cancel"), f"{PREFIX}:{token}:cancel"),
    ]
    return View(Html("\n".join(lines)), InlineKeyboardMarkup([buttons]))


async def _spread(context: BotContext, group_ids: Sequence[int], start: datetime) -> Html | None:
    zones: dict[int, str | None] = {}
    for group_id in group_ids:
        for member in await context.repos.roster.members(int(group_id)):
            zones[member.person.id] = member.person.timezone
    return rules.render_spread(context.tr, rules.member_spread(start, zones.values()))


# typed answers


async def on_text(update: Update, context: BotContext, draft: Draft) -> None:
    message, person = update.effective_message, context.person
    if message is None or message.text is None or person is None:
        return
    text = message.text.strip()
    outcome = await _read_typed(context, draft, text)
    if isinstance(outcome, Refusal):
        note = context.tr(outcome.message, **outcome.values)
        view = await _step_view(context, draft.step, draft.data, note)
        await message.reply_text(view.text, reply_markup=view.markup)
        return
    data, step = outcome
    await _save_and_ask(context, person, data, chat_id=message.chat_id, step=step)


async def _read_typed(
    context: BotContext, draft: Draft, text: str
) -> tuple[dict[str, Any], str | None] | Refusal:
    """The draft's answers after a typed answer (and the step to go to), or why not."""
    data, step = dict(draft.data), draft.step
    if step == GROUPS:
        return Refusal(N_("Please tap the groups, then Next."))
    if step == TITLE:
        if not text or len(text) > rules.TITLE_LIMIT:
            return Refusal(
                N_("Please type a title of at most {n} characters."), {"n": rules.TITLE_LIMIT}
            )
        data["title"] = text
        return data, None
    if step in (WHEN, FAR):
        data.pop("far", None)
        return _typed_when(context, data, text)
    if step == DURATION:
        minutes = rules.parse_duration(text)
        if isinstance(minutes, Refusal):
            return minutes
        data["duration"] = minutes
        return data, None
    if step == LINK:
        if text.lower() in ("-", "skip"):
            data["link"] = None
        elif not URL.match(text) or len(text) > rules.LINK_LIMIT:
            return Refusal(N_("Please type a link starting with https://, or tap Skip."))
        else:
            data["link"] = text
        return data, None
    if step == AGENDA:
        if len(text) > rules.AGENDA_LIMIT:
            return Refusal(
                N_("Please keep the agenda under {n} characters."), {"n": rules.AGENDA_LIMIT}
            )
        data["agenda"] = None if text in ("-",) else text
        return data, None
    if step == OFFSETS:
        offsets = rules.parse_offsets(text)
        if isinstance(offsets, Refusal):
            return offsets
        data["offsets"] = list(offsets)
        return data, None
    return Refusal(N_("Please use the buttons."))


def _typed_when(
    context: BotContext, data: dict[str, Any], text: str
) -> tuple[dict[str, Any], str | None] | Refusal:
    zone = ZoneInfo(str(data["zone"]))
    outcome = read_start(text, context.tr.language, zone, context.services.clock.now())
    if isinstance(outcome, Refusal):
        return outcome
    local = outcome.local.strftime(LOCAL_FORMAT)
    if outcome.far:
        data["far"] = local
        return data, FAR
    data["local"] = local
    return data, None


def read_start(text: str, language: str, zone: ZoneInfo, now: datetime) -> Start | Refusal:
    """A typed start in ``zone``: read, then checked (past, DST gap, far away)."""
    local_now = now.astimezone(zone)
    if not rules.has_time(text, local_now.date()) and text.strip():
        return Refusal(N_("Please type a time too, e.g. 15 Oct 15:00."))
    local = rules.read_when(text, language, local_now)
    if local is None:
        return Refusal(
            N_("I could not read “{text}” as a date and time (or that date does not exist)."),
            {"text": echo(text)},
        )
    return rules.check_start(local, zone, now)


# buttons


@dataclass(frozen=True)
class Tap:
    token: str
    action: str
    arg: str


def parse_tap(data: str | None, prefix: str) -> Tap | None:
    parts = (data or "").split(":")
    if len(parts) not in (3, 4) or parts[0] != prefix:
        return None
    return Tap(parts[1], parts[2], parts[3] if len(parts) == 4 else "")


async def on_meet_button(update: Update, context: BotContext) -> None:
    query, person = update.callback_query, context.person
    if query is None:
        return
    tap = parse_tap(query.data, PREFIX)
    draft = None if person is None else await context.repos.drafts.get(person.id, KIND)
    if tap is None or draft is None or person is None or str(draft.data.get("id")) != tap.token:
        await query.answer(context.tr(STALE), show_alert=True)
        return
    result = await _meet_tap(update, context, person, draft, tap)
    if isinstance(result, _Answered):
        return
    if result is None:
        await query.answer(context.tr(STALE), show_alert=True)
        return
    if isinstance(result, Refusal):
        await query.answer(context.tr(result.message, **result.values), show_alert=True)
        return
    await query.answer()
    await replace_tapped(update, result)


async def replace_tapped(update: Update, view: View) -> None:
    query = update.callback_query
    if query is None:
        return
    try:
        await query.edit_message_text(view.text, reply_markup=view.markup)
    except BadRequest as error:
        if "not modified" not in error.message.lower():
            raise


async def _meet_tap(
    update: Update, context: BotContext, person: Person, draft: Draft, tap: Tap
) -> View | Refusal | _Answered | None:
    data, step, action = dict(draft.data), draft.step, tap.action
    now = context.services.clock.now()
    if step == GROUPS and action in ("g", "gall", "gnext"):
        allowed, everyone = await _allowed_groups(context)
        picked = {int(g) for g in data.get("picked", [])}
        if action == "g":
            if not tap.arg.isdigit() or int(tap.arg) not in {g.id for g in allowed}:
                return None
            picked ^= {int(tap.arg)}
            data["picked"] = sorted(picked)
            await context.repos.drafts.save(person.id, KIND, GROUPS, data, draft.chat_id, now)
            return await _step_view(context, GROUPS, data)
        if action == "gall":
            if not everyone:
                return None
            picked = {g.id for g in allowed}
        if not picked:
            return Refusal(N_("Please choose at least one group."))
        data["groups"] = sorted(picked)
        data.pop("picked", None)
    elif step == FAR and action in ("faryes", "farno"):
        far = data.pop("far", None)
        if action == "faryes" and far is not None:
            data["local"] = far
    elif step == DURATION and action == "d" and tap.arg.isdigit():
        if int(tap.arg) not in DURATION_CHOICES:
            return None
        data["duration"] = int(tap.arg)
    elif step in (LINK, AGENDA) and action == "skip":
        data[ANSWER_KEYS[step]] = None
    elif step == RECURRENCE and action == "r":
        recurrence = rules.parse_recurrence(tap.arg)
        if recurrence is None:
            return None
        data["recurrence"] = recurrence
    elif step == OFFSETS and action == "o":
        data["offsets"] = list(rules.DEFAULT_OFFSETS)
    elif step == CONFIRM and action == "cancel":
        await context.repos.drafts.delete(person.id, KIND)
        return View(context.tr("Meeting not scheduled: nothing was saved."))
    elif step == CONFIRM and action == "save":
        return await _schedule(update, context, person, draft)
    else:
        return None
    following = next_step(data)
    await context.repos.drafts.save(person.id, KIND, following, data, draft.chat_id, now)
    return await _step_view(context, following, data)


async def _schedule(
    update: Update, context: BotContext, person: Person, draft: Draft
) -> View | _Answered:
    """Save the meeting, announce it, and plan its reminders."""
    data = dict(draft.data)
    tr = context.tr
    groups = {g.id: g for g in await context.repos.groups.list()}
    group_ids = [int(g) for g in data["groups"] if int(g) in groups]
    if not group_ids:
        await context.repos.drafts.delete(person.id, KIND)
        return View(tr("That working group no longer exists; nothing was saved."))
    for group_id in group_ids:
        group = groups[group_id]
        if await refuse_unless(
            update, context, Role.COORDINATOR, group_id, group.name(tr.language)
        ):
            return ANSWERED
    zone = ZoneInfo(str(data["zone"]))
    now = context.services.clock.now()
    local = parse_local(str(data["local"]))
    checked = rules.check_start(local, zone, now)
    if isinstance(checked, Refusal):
        data.pop("local", None)
        await context.repos.drafts.save(person.id, KIND, WHEN, data, draft.chat_id, now)
        return await _step_view(context, WHEN, data, tr(checked.message, **checked.values))
    recurrence = data.get("recurrence", "none")
    rrule = rules.rrule_for(recurrence, local)
    offsets = tuple(int(m) for m in data.get("offsets", []))
    starts = [checked.at]
    if rrule:
        until = rules.materialise_until(now, offsets)
        starts = rules.occurrences(local, zone, rrule, now, until) or [checked.at]
    meeting = await context.repos.meetings.create(
        NewMeeting(
            title=str(data["title"]),
            timezone=zone.key,
            local_start=local,
            starts_at=checked.at,
            duration_minutes=int(data["duration"]),
            link=data.get("link"),
            agenda=data.get("agenda"),
            rrule=rrule,
            reminder_offsets=offsets,
            created_by=person.id,
            group_ids=tuple(group_ids),
        ),
        starts,
        now,
    )
    await context.repos.drafts.delete(person.id, KIND)
    reached = await meetings_of(context.application).announce(meeting)
    wake_reminders(context.application)
    return View(
        tr(
            "Scheduled: meeting #{id}, {title}. The announcement goes to {n} chats. "
            "/meeting {id} shows who answered.",
            id=meeting.id,
            title=meeting.title,
            n=reached,
        )
    )


drafts.register(KIND, on_text, N_("scheduling a meeting"))
