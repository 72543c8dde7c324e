"""/slots: the best meeting times for a group across its members' zones.

``/slots GROUP [DURATION] [FROM TO]`` answers with 3 to 5 proposals (rules in
``bot/meetings/slots.py``). Buttons (``bot/meetings/buttons.py``): ``sp:…`` posts them as a
native non-anonymous poll in the group's linked chat; ``sm:…`` (private chat only, as /meet)
starts a /meet draft at that time. The buttons carry the group, duration and window or start,
and everything is computed again and checked on a tap.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Final
from zoneinfo import ZoneInfo

from telegram import Chat, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.context import BotContext
from bot.groups import find_group, group_names, group_of_place, match_groups, unknown_group
from bot.i18n import N_, Translator
from bot.meetings.buttons import SlotsMeet, SlotsPoll
from bot.meetings.sharing import NoZones
from bot.meetings.slots import (
    USAGE,
    Slot,
    SlotsRefusal,
    day_label,
    meet_data,
    parse_meet_data,
    parse_poll_data,
    poll_data,
    poll_option,
    poll_question,
    render_slots,
    usage_example,
)
from bot.models import Person, WorkingGroup
from bot.permissions import Role
from bot.rendering import echo, split_message
from bot.roster import zone_of
from handlers.guard import actor_of, command, refuse_unless
from handlers.taps import refuse_stale

OUT_OF_DATE: Final = N_("These times have passed. Run /slots again for new ones.")


def _thread_of(message: Message) -> int | None:
    return message.message_thread_id if message.is_topic_message else None


def _zone_of(context: BotContext, person: Person | None) -> ZoneInfo:
    return zone_of(person.timezone if person else None) or context.settings.default_zone


def _is_option(word: str) -> bool:
    """A duration or a date (valid or not): group names never start with a digit."""
    return word[:1].isdigit()


def _split(words: Sequence[str]) -> tuple[str, list[str]]:
    """``["Climate", "change", "90"]`` -> ("Climate change", ["90"]): trailing durations and
    dates (at most three) are the options; what comes before names the group."""
    cut = len(words)
    while cut > 0 and len(words) - cut < 3 and _is_option(words[cut - 1]):
        cut -= 1
    return " ".join(words[:cut]).strip(), list(words[cut:])


async def _only_coordinated(context: BotContext) -> WorkingGroup | None:
    """With no group named in private chat: the one group the person coordinates, if one."""
    actor = await actor_of(context)
    if actor is None or len(actor.coordinated) != 1:
        return None
    (group_id,) = actor.coordinated
    return await _tapped_group(context, group_id)


# /slots


@command("slots")
async def slots_command(update: Update, context: BotContext) -> None:
    message = update.effective_message
    if message is None or context.person is None:
        return
    _ = context.tr
    groups = await context.services.meetings.groups()
    private = message.chat.type == Chat.PRIVATE
    here = None if private else group_of_place(groups, message.chat.id, _thread_of(message))
    query, options = _split(context.args or [])
    group = find_group(groups, query) if query else here or await _only_coordinated(context)
    if query and group is None and len(match_groups(groups, query)) > 1:
        await message.reply_text(unknown_group(_, query, groups))  # the groups it could be
        return
    if query and group is None:
        await message.reply_text(
            _(
                "There is no working group “{query}”. The groups are: {groups}.",
                query=echo(query),
                groups=group_names(groups, _.language),
            )
        )
        return
    if group is None:
        today = context.services.clock.now().astimezone(_zone_of(context, context.person)).date()
        await message.reply_text(_(USAGE, **usage_example(today)))
        return
    if await refuse_unless(update, context, Role.COORDINATOR, group.id, group.name(_.language)):
        return
    if not private and (here is None or here.id != group.id):
        await message.reply_text(
            _(
                "Here I find times only for the group of this chat. "
                "Ask me for {group} in our private chat.",
                group=group.name(_.language),
            )
        )
        return
    await _answer_slots(message, context, group, options, private)


async def _answer_slots(
    message: Message,
    context: BotContext,
    group: WorkingGroup,
    options: Sequence[str],
    private: bool,
) -> None:
    _ = context.tr
    zone = _zone_of(context, context.person)
    found = await context.services.meetings.slots.propose(group.id, options, zone)
    if isinstance(found, SlotsRefusal):
        await message.reply_text(_(found.message, **found.values))
        return
    if isinstance(found, NoZones):
        await message.reply_text(
            _(
                "No member of {group} has a time zone yet, so I cannot compare times. "
                "Members set theirs with /profile.",
                group=group.name(_.language),
            )
        )
        return
    minutes, name = found.request.minutes, group.name(_.language)
    text = render_slots(_, name, found.slots, minutes, found.request, zone, found.unknown)
    markup = _buttons(_, group, found.slots, minutes, found.window, zone, private)
    chunks = split_message(text)
    for chunk in chunks[:-1]:
        await message.reply_text(chunk)
    await message.reply_text(chunks[-1], reply_markup=markup)


def _buttons(
    _: Translator,
    group: WorkingGroup,
    slots: Sequence[Slot],
    minutes: int,
    window: tuple[datetime, datetime],
    zone: ZoneInfo,
    private: bool,
) -> InlineKeyboardMarkup | None:
    rows: list[list[InlineKeyboardButton]] = []
    if private:
        for number, slot in enumerate(slots, start=1):
            local = slot.start.astimezone(zone)
            # Translators: a button: schedule the meeting at proposed time number {number}.
            label = _(
                "🗓 Schedule {number}: {when}",
                number=number,
                when=f"{day_label(local, _.language)} {local:%H:%M}",
            )
            rows.append(
                [
                    InlineKeyboardButton(
                        label, callback_data=meet_data(group.id, minutes, slot.start)
                    )
                ]
            )
    if len(slots) >= 2:
        rows.append(
            [
                InlineKeyboardButton(
                    _("📊 Post as poll"), callback_data=poll_data(group.id, minutes, window)
                )
            ]
        )
    return InlineKeyboardMarkup(rows) if rows else None


async def _tapped_group(context: BotContext, group_id: int) -> WorkingGroup | None:
    return await context.services.meetings.group(group_id)


# Post as poll


async def post_poll(update: Update, context: BotContext) -> None:
    """``sp:…``: the proposals as a native, non-anonymous poll in the group's chat."""
    query = update.callback_query
    if query is None:
        return
    _ = context.tr
    tap = parse_poll_data(query.data)
    group = await _tapped_group(context, tap.group_id) if tap else None
    if tap is None or group is None:
        await refuse_stale(query, context)
        return
    name = group.name(_.language)
    if await refuse_unless(update, context, Role.COORDINATOR, group.id, name):
        return
    if group.chat_id is None:
        await query.answer(
            _("{group} has no group chat linked to it, so there is nowhere to post.", group=name),
            show_alert=True,
        )
        return
    window = (tap.window_start, tap.window_end)
    slots = await context.services.meetings.slots.again(group.id, window, tap.minutes)
    if slots is None:
        await query.answer(_(OUT_OF_DATE), show_alert=True)
        return
    chat_zone = zone_of(group.timezone) or context.settings.default_zone
    members = await context.services.meetings.member_zones([group.id])
    zones = [zone for zone in map(zone_of, members) if zone is not None]
    try:
        await context.bot.send_poll(
            chat_id=group.chat_id,
            message_thread_id=group.topic_id,
            question=poll_question(_, name, tap.minutes, chat_zone),
            question_parse_mode=ParseMode.HTML,
            options=[poll_option(slot, chat_zone, zones, _.language) for slot in slots],
            is_anonymous=False,
            allows_multiple_answers=True,
        )
    except TelegramError:
        await query.answer(
            _(
                "I could not post the poll in the chat of {group}. Am I still a member there?",
                group=name,
            ),
            show_alert=True,
        )
        return
    await query.answer(_("Poll posted in the chat of {group}.", group=name))


# Schedule a proposal


async def schedule_slot(update: Update, context: BotContext) -> None:
    """``sm:…``: start a /meet draft for the group at that time, in the tapper's zone."""
    query = update.callback_query
    if query is None:
        return
    _ = context.tr
    tap = parse_meet_data(query.data)
    group = await _tapped_group(context, tap.group_id) if tap else None
    if tap is None or group is None:
        await refuse_stale(query, context)
        return
    if await refuse_unless(update, context, Role.COORDINATOR, group.id, group.name(_.language)):
        return
    if tap.start <= context.services.clock.now():
        await query.answer(_(OUT_OF_DATE), show_alert=True)
        return
    from handlers import meetings  # the meetings feature owns /meet; imported when used

    start_meet_draft = getattr(meetings, "start_meet_draft", None)
    if start_meet_draft is None:
        await query.answer(_("Scheduling is not available yet."), show_alert=True)
        return
    await query.answer()
    await start_meet_draft(
        update,
        context,
        group_ids=[group.id],
        local_start=tap.start.astimezone(_zone_of(context, context.person)),
        duration_minutes=tap.minutes,
    )


def handlers() -> list[tuple[BaseHandler[Update, BotContext, None], int]]:
    return [
        (CommandHandler("slots", slots_command), 0),
        (CallbackQueryHandler(post_poll, pattern=SlotsPoll.pattern()), 0),
        (CallbackQueryHandler(schedule_slot, pattern=SlotsMeet.pattern()), 0),
    ]
