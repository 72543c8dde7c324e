"""/calendar and the Add to calendar button: meetings as .ics files.

``/calendar`` in private chat sends the meetings of the person's groups (every group for the
secretariat); in a group chat linked to a working group, that group's meetings. The button
``cal:<occurrence id>`` under an announcement sends that one occurrence to the tapper's
private chat, whatever chat the button was in.
"""

from __future__ import annotations

from collections.abc import Sequence

from telegram import Chat, Message, Update
from telegram.error import Forbidden, TelegramError
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.context import BotContext
from bot.digests import format_when
from bot.groups import group_of_place
from bot.meetings.buttons import STALE, AddToCalendar
from bot.meetings.rules import Refusal
from bot.meetings.sharing import NO_GROUP, NOT_STARTED
from bot.models import WorkingGroup
from bot.roster import zone_of
from handlers.guard import actor_of, command


def _thread_of(message: Message) -> int | None:
    return message.message_thread_id if message.is_topic_message else None


# /calendar


@command("calendar")
async def calendar_command(update: Update, context: BotContext) -> None:
    message, person = update.effective_message, context.person
    if message is None or person is None:
        return
    _ = context.tr
    files = context.services.meetings.calendar
    if message.chat.type == Chat.PRIVATE:
        chosen = await files.groups_of(person.id, await actor_of(context))
        if not chosen:
            await message.reply_text(_(NO_GROUP))
            return
    else:
        groups = await context.services.meetings.groups()
        linked = group_of_place(groups, message.chat.id, _thread_of(message))
        if linked is None:
            await message.reply_text(
                _(
                    "This chat is not linked to a working group. "
                    "Ask me for /calendar in our private chat."
                )
            )
            return
        if not await files.in_some_group(person.id, await actor_of(context)):
            await message.reply_text(_(NO_GROUP))
            return
        chosen = [linked]
    await _send_calendar(message, context, chosen)


async def _send_calendar(
    message: Message, context: BotContext, groups: Sequence[WorkingGroup]
) -> None:
    _ = context.tr
    names = [group.name(_.language) for group in groups]
    found = await context.services.meetings.calendar.of_groups(groups, names)
    if found is None:
        await message.reply_text(
            _("There are no meetings of {groups} yet.", groups=", ".join(names))
        )
        return
    caption = _.plural(
        "{n} meeting of {groups}. Open the file to add it to your calendar.",
        "{n} meetings of {groups}. Open the file to add them to your calendar.",
        found.meetings,
        groups=", ".join(names),
    )
    await message.reply_document(document=found.content, filename=found.filename, caption=caption)


# The Add to calendar button


async def add_to_calendar(update: Update, context: BotContext) -> None:
    """``cal:<occurrence id>``: that occurrence's .ics in the tapper's private chat."""
    query, person = update.callback_query, context.person
    if query is None:
        return
    _ = context.tr
    tap = AddToCalendar.unpack_or_none(query.data)
    message = query.message if isinstance(query.message, Message) else None
    if tap is None or person is None:
        await query.answer(_(STALE), show_alert=True)
        return
    here = await _group_here(context, message)
    files = context.services.meetings.calendar
    found = await files.of_occurrence(tap.occurrence_id, person, await actor_of(context), here)
    if isinstance(found, Refusal):
        await query.answer(_(found.message), show_alert=found.message != NOT_STARTED)
        return
    zone = zone_of(person.timezone) or context.settings.default_zone
    when = format_when(found.starts_at, zone, _.language)
    caption = _(
        "📅 {title}: {when}. Open the file to add it to your calendar.",
        title=found.title,
        when=when,
    )
    try:
        await context.bot.send_document(
            chat_id=found.chat_id, document=found.content, filename=found.filename, caption=caption
        )
    except Forbidden:
        await query.answer(_(NOT_STARTED))
        return
    except TelegramError:
        await query.answer(_("I could not send the file just now. Please try again later."))
        return
    in_private = message is not None and message.chat.type == Chat.PRIVATE
    await query.answer(None if in_private else _("I sent you the file in our private chat."))


async def _group_here(context: BotContext, message: Message | None) -> int | None:
    """The working group linked to the chat (or topic) of the tapped message."""
    if message is None:
        return None
    groups = await context.services.meetings.groups()
    here = group_of_place(groups, message.chat.id, _thread_of(message))
    return None if here is None else here.id


def handlers() -> list[tuple[BaseHandler[Update, BotContext, None], int]]:
    return [
        (CommandHandler("calendar", calendar_command), 0),
        (CallbackQueryHandler(add_to_calendar, pattern=AddToCalendar.pattern()), 0),
    ]
