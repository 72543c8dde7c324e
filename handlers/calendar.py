"""/calendar and the Add to calendar button: meetings as .ics files.

``/calendar`` in private chat sends the meetings of the person's groups (every group for the
secretariat); in a group chat linked to a working group, that group's meetings. The button
``cal:<occurrence id>`` under an announcement sends that one occurrence to the tapper's
private chat, whatever chat the button was in.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from telegram import Chat, Message, Update
from telegram.error import Forbidden, TelegramError
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.context import BotContext
from bot.digests import format_when
from bot.groups import group_of_place
from bot.i18n import N_
from bot.meetings.buttons import AddToCalendar
from bot.meetings.calendar import (
    calendar_file,
    calendar_filename,
    calendar_name,
    occurrence_file,
    occurrence_filename,
)
from bot.models import CalendarMeeting, Person, WorkingGroup
from bot.permissions import Role
from bot.roster import zone_of
from handlers.guard import actor_of, command

STALE_BUTTON: Final = N_("This button is no longer valid.")
NOT_STARTED: Final = N_(
    "Start a private chat with me first (open my profile and press Start), then tap again."
)


def _thread_of(message: Message) -> int | None:
    return message.message_thread_id if message.is_topic_message else None


# /calendar


@command("calendar")
async def calendar_command(update: Update, context: BotContext) -> None:
    message = update.effective_message
    if message is None or context.person is None:
        return
    _ = context.tr
    groups = await context.services.meetings.groups()
    if message.chat.type == Chat.PRIVATE:
        chosen = await _groups_of(context, context.person, groups)
        if not chosen:
            await message.reply_text(
                _("You are not in any working group yet. /groups lists them and lets you join one.")
            )
            return
    else:
        linked = group_of_place(groups, message.chat.id, _thread_of(message))
        if linked is None:
            await message.reply_text(
                _(
                    "This chat is not linked to a working group. "
                    "Ask me for /calendar in our private chat."
                )
            )
            return
        chosen = [linked]
    await _send_calendar(message, context, chosen)


async def _groups_of(
    context: BotContext, person: Person, groups: Sequence[WorkingGroup]
) -> list[WorkingGroup]:
    """The person's groups; the secretariat's calendar has every group."""
    actor = await actor_of(context)
    if actor is not None and actor.role is Role.SECRETARIAT:
        return list(groups)
    own = set(await context.services.meetings.group_ids_of(person.id))
    return [group for group in groups if group.id in own]


async def _send_calendar(
    message: Message, context: BotContext, groups: Sequence[WorkingGroup]
) -> None:
    _ = context.tr
    names = [group.name(_.language) for group in groups]
    meetings = await context.services.meetings.calendar_meetings([group.id for group in groups])
    if not meetings:
        await message.reply_text(
            _("There are no meetings of {groups} yet.", groups=", ".join(names))
        )
        return
    now = context.services.clock.now()
    content = calendar_file(meetings, now, calendar_name(names))
    scope = groups[0].slug if len(groups) == 1 else None
    caption = _.plural(
        "{n} meeting of {groups}. Open the file to add it to your calendar.",
        "{n} meetings of {groups}. Open the file to add them to your calendar.",
        len(meetings),
        groups=", ".join(names),
    )
    await message.reply_document(
        document=content, filename=calendar_filename(scope), caption=caption
    )


# The Add to calendar button


async def add_to_calendar(update: Update, context: BotContext) -> None:
    """``cal:<occurrence id>``: that occurrence's .ics in the tapper's private chat."""
    query = update.callback_query
    if query is None:
        return
    _ = context.tr
    person = context.person
    tap = AddToCalendar.unpack_or_none(query.data)
    found = await context.services.meetings.calendar_occurrence(tap.occurrence_id) if tap else None
    message = query.message if isinstance(query.message, Message) else None
    if found is None or person is None or not await _may_read(context, person, found[0], message):
        await query.answer(_(STALE_BUTTON), show_alert=True)
        return
    meeting, occurrence = found
    if meeting.status == "cancelled" or occurrence.status == "cancelled":
        await query.answer(_("This meeting was cancelled."), show_alert=True)
        return
    if person.telegram_id is None or person.started_at is None:
        await query.answer(_(NOT_STARTED))
        return
    zone = zone_of(person.timezone) or context.settings.default_zone
    caption = _(
        "📅 {title}: {when}. Open the file to add it to your calendar.",
        title=meeting.title,
        when=format_when(occurrence.starts_at, zone, _.language),
    )
    now = context.services.clock.now()
    try:
        await context.bot.send_document(
            chat_id=person.telegram_id,
            document=occurrence_file(meeting, occurrence, now),
            filename=occurrence_filename(meeting, occurrence),
            caption=caption,
        )
    except Forbidden:
        await query.answer(_(NOT_STARTED))
        return
    except TelegramError:
        await query.answer(_("I could not send the file just now. Please try again later."))
        return
    in_private = message is not None and message.chat.type == Chat.PRIVATE
    await query.answer(None if in_private else _("I sent you the file in our private chat."))


async def _may_read(
    context: BotContext, person: Person, meeting: CalendarMeeting, message: Message | None
) -> bool:
    """Members of the meeting's groups, anyone in their linked chats, coordinators and the
    secretariat; for anyone else the button is as good as forged."""
    if set(meeting.group_ids) & set(await context.services.meetings.group_ids_of(person.id)):
        return True
    actor = await actor_of(context)
    if actor is not None and actor.role >= Role.COORDINATOR:
        return True
    if message is None:
        return False
    groups = await context.services.meetings.groups()
    here = group_of_place(groups, message.chat.id, _thread_of(message))
    return here is not None and here.id in meeting.group_ids


def handlers() -> list[tuple[BaseHandler[Update, BotContext, None], int]]:
    return [
        (CommandHandler("calendar", calendar_command), 0),
        (CallbackQueryHandler(add_to_calendar, pattern=AddToCalendar.pattern()), 0),
    ]
