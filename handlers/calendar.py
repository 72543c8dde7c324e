"""/calendar and the Add to calendar button: meetings as .ics files.

``/calendar`` in private chat sends the meetings of the person's groups (every group for the
secretariat); in a group chat linked to a working group, that group's meetings. The button
``cal:<occurrence id>`` under an announcement sends that one occurrence to the tapper's
private chat, whatever chat the button was in.
"""

from __future__ import annotations

from collections.abc import Sequence

from telegram import (
    Chat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    Message,
    Update,
)
from telegram.error import Forbidden, TelegramError
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.context import BotContext
from bot.digests import format_when
from bot.formats import format_names
from bot.groups import group_of_place
from bot.i18n import N_
from bot.meetings.buttons import AddToCalendar
from bot.meetings.rules import Refusal
from bot.meetings.sharing import NO_GROUP, NOT_STARTED
from bot.models import FeedOwner, WorkingGroup
from bot.rendering import escape
from bot.roster import zone_of
from bot.web.buttons import NewFeedAddress
from bot.web.service import FeedLinks
from handlers.guard import actor_of, command
from handlers.taps import refuse_stale, tapped


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
    owner = person.id if message.chat.type == Chat.PRIVATE else None
    await _send_calendar(message, context, chosen, owner)
    await _show_feed(message, context, chosen)


async def _send_calendar(
    message: Message,
    context: BotContext,
    groups: Sequence[WorkingGroup],
    owner_id: int | None = None,
) -> None:
    _ = context.tr
    names = [group.name(_.language) for group in groups]
    found = await context.services.meetings.calendar.of_groups(groups, names, owner_id)
    if found is None:
        await message.reply_text(
            _("There are no meetings of {groups} yet.", groups=format_names(names, _.language))
        )
        return
    listed = format_names(names, _.language)
    caption = _.plural(
        "{n} meeting of {groups}. Open the file to add it to your calendar.",
        "{n} meetings of {groups}. Open the file to add them to your calendar.",
        found.meetings,
        groups=listed,
    )
    await message.reply_document(document=found.content, filename=found.filename, caption=caption)


# Calendar feeds: a secret address calendar apps subscribe to


FEED_PRIVACY = N_(
    "Keep it to yourself: anyone with this address sees these meetings. If it got out, "
    "press New address and the old one stops working."
)


async def _show_feed(message: Message, context: BotContext, groups: Sequence[WorkingGroup]) -> None:
    """The feed address under /calendar: the person's own in private chat; asked in a linked
    chat by one of its coordinators, the group's, sent to their private chat (the address is a
    secret the whole chat need not see). Nothing when the web pages are off."""
    person, web = context.person, context.services.web
    if person is None:
        return
    private = message.chat.type == Chat.PRIVATE
    if private:
        owner = FeedOwner("person", person.id)
    elif web.may_manage_group_feed(await actor_of(context), groups[0].id):
        owner = FeedOwner("group", groups[0].id)
    else:
        return
    links = await web.feed_links(owner)
    if links is None:
        return
    group = None if private else groups[0]
    try:
        await context.bot.send_message(
            chat_id=message.chat.id if private else person.telegram_id or 0,
            text=_feed_text(context, links, group),
            reply_markup=_feed_buttons(context, owner),
            link_preview_options=LinkPreviewOptions(is_disabled=True),
        )
    except Forbidden:
        await message.reply_text(context.tr(NOT_STARTED))
        return
    if not private:
        await message.reply_text(
            context.tr("I sent you the group's calendar feed address in our private chat.")
        )


def _feed_text(context: BotContext, links: FeedLinks, group: WorkingGroup | None) -> str:
    _ = context.tr
    if group is None:
        head = _(
            "📡 Your calendar feed: subscribe to it in your calendar app and it shows every "
            "meeting of your groups, kept up to date."
        )
    else:
        head = _(
            "📡 The calendar feed of {group}: subscribe to it in a calendar app and it shows "
            "every meeting of the group, kept up to date.",
            group=group.name(_.language),
        )
    apps = _("Calendar apps: {link}", link=links.webcal)
    return f"{head}\n{escape(links.url)}\n{apps}\n\n{_(FEED_PRIVACY)}"


def _feed_buttons(context: BotContext, owner: FeedOwner) -> InlineKeyboardMarkup:
    group_id = owner.id if owner.kind == "group" else 0
    button = InlineKeyboardButton(
        context.tr("🔄 New address"), callback_data=NewFeedAddress(group_id).pack()
    )
    return InlineKeyboardMarkup([[button]])


async def new_feed_address(update: Update, context: BotContext) -> None:
    """``cfa:<group id>``: replace the tapper's own feed address (0) or their group's."""
    pressed = await tapped(update, context, NewFeedAddress, with_message=True)
    if pressed is None or pressed.message is None:
        return
    _, web = context.tr, context.services.web
    query, tap, person, message = pressed.query, pressed.data, pressed.person, pressed.message
    group = None
    if tap.group_id:
        group = await context.services.meetings.group(tap.group_id)
        if group is None or not web.may_manage_group_feed(await actor_of(context), group.id):
            await refuse_stale(query, context)
            return
    owner = FeedOwner("group", group.id) if group else FeedOwner("person", person.id)
    links = await web.feed_links(owner, replace=True)
    if links is None:
        await refuse_stale(query, context)
        return
    await query.answer(_("Done: the old address no longer works."))
    await message.edit_text(
        _feed_text(context, links, group),
        reply_markup=_feed_buttons(context, owner),
        link_preview_options=LinkPreviewOptions(is_disabled=True),
    )


# The Add to calendar button


async def add_to_calendar(update: Update, context: BotContext) -> None:
    """``cal:<occurrence id>``: that occurrence's .ics in the tapper's private chat."""
    pressed = await tapped(update, context, AddToCalendar)
    if pressed is None:
        return
    _ = context.tr
    query, tap, person, message = pressed.query, pressed.data, pressed.person, pressed.message
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
        (CallbackQueryHandler(new_feed_address, pattern=NewFeedAddress.pattern()), 0),
    ]
