"""/roster, /whois and /export roster: who is in a working group, and where and when they are.

The rules (who may see what, order, counts, pages, cards, the CSV) live in ``bot/roster.py``;
this module parses commands and buttons, calls the roster service and sends the result.
Pages and group choices are buttons of the typed callback data :class:`RosterPage`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Final

from telegram import Chat, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest
from telegram.ext import CallbackQueryHandler

from bot.access import Actor
from bot.commands import EXPORT, ROSTER, WHOIS
from bot.context import BotContext
from bot.formats import format_names, format_parts
from bot.groups import find_group, match_groups, unknown_group
from bot.i18n import Translator
from bot.models import Person, WorkingGroup
from bot.permissions import Role
from bot.rendering import Html, echo
from bot.roster import (
    ROSTER_REFUSAL,
    GroupPlace,
    RosterView,
    export_filename,
    linked_group,
    render_roster,
    roster_csv,
    whois_card,
    whois_matches,
    zone_of,
)
from bot.roster.service import Whois
from bot.routing import CallbackData, callback_data
from handlers.guard import Route, actor_of, refuse_unless, route
from handlers.taps import refuse_stale


@callback_data("ro")
class RosterPage(CallbackData):
    """A page of a group's roster (the group buttons open page 0)."""

    group_id: int
    page: int


QUERY_LIMIT: Final = 64


def _thread_of(message: Message) -> int | None:
    return message.message_thread_id if message.is_topic_message else None


def _unknown_group(_: Translator, query: str, groups: Sequence[WorkingGroup]) -> Html:
    if len(match_groups(groups, query)) > 1:
        return unknown_group(_, query, groups)  # lists the groups it could be
    names = format_parts((group.name(_.language) for group in groups), _.language)
    return _(
        "There is no working group “{query}”. The groups are: {groups}.",
        query=echo(query),
        groups=names,
    )


# /roster


async def roster_command(update: Update, context: BotContext) -> None:
    message = update.effective_message
    if message is None or context.person is None:
        return
    groups = await context.services.groups.active()
    query = " ".join(context.args or []).strip()
    if message.chat.type != Chat.PRIVATE:
        await _roster_in_group_chat(message, context, groups, query)
    elif query:
        group = find_group(groups, query)
        if group is None:
            await message.reply_text(
                _unknown_group(context.tr, query, groups),
                reply_markup=_roster_buttons(context.tr, match_groups(groups, query)),
            )
        else:
            await _send_roster(message, context, group, context.person)
    else:
        await _choose_group(message, context, groups, context.person)


async def _roster_in_group_chat(
    message: Message, context: BotContext, groups: Sequence[WorkingGroup], query: str
) -> None:
    """In a linked group chat, the roster of that group; other rosters only in private."""
    _ = context.tr
    linked = linked_group(groups, message.chat.id, _thread_of(message))
    wanted = find_group(groups, query) if query else linked
    if query and wanted is None:
        await message.reply_text(_unknown_group(_, query, groups))
    elif linked is None:
        await message.reply_text(
            _(
                "This chat is not linked to a working group. "
                "Ask me for a roster in our private chat."
            )
        )
    elif wanted is not None and wanted.id != linked.id:
        await message.reply_text(
            _(
                "Here I show only the roster of {group}. "
                "Ask me for other rosters in our private chat.",
                group=linked.name(_.language),
            )
        )
    elif not await _may_see(context, linked):
        await message.reply_text(_(ROSTER_REFUSAL, group=linked.name(_.language)))
    else:
        view = await _view(context, linked, 0)
        if view is not None:
            await message.reply_text(view.text, reply_markup=_pager(linked.id, view))


async def _may_see(context: BotContext, group: WorkingGroup) -> bool:
    actor = await actor_of(context)
    return actor is not None and await context.services.roster.may_see(actor, group.id)


async def _send_roster(
    message: Message, context: BotContext, group: WorkingGroup, person: Person
) -> None:
    _ = context.tr
    if not await _may_see(context, group):
        await message.reply_text(_(ROSTER_REFUSAL, group=group.name(_.language)))
        return
    view = await _view(context, group, 0)
    if view is not None:
        await message.reply_text(view.text, reply_markup=_pager(group.id, view))


async def _choose_group(
    message: Message, context: BotContext, groups: Sequence[WorkingGroup], person: Person
) -> None:
    """No group named in private: the person's only group, or buttons to pick one."""
    _ = context.tr
    own = await context.services.roster.own_groups(person.id)
    if len(own) == 1:
        await _send_roster(message, context, own[0], person)
        return
    actor = await actor_of(context)
    choices = own or (groups if actor is not None and actor.role >= Role.COORDINATOR else [])
    if not choices:
        await message.reply_text(
            _("You are not in any working group yet. /groups lists them and lets you join one.")
        )
        return
    await message.reply_text(
        _("Which working group’s roster?"), reply_markup=_roster_buttons(_, choices)
    )


def _roster_buttons(_: Translator, groups: Sequence[WorkingGroup]) -> InlineKeyboardMarkup | None:
    """A button per group that shows its roster (None for no group)."""
    if not groups:
        return None
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(g.name(_.language), callback_data=RosterPage(g.id, 0).pack())]
            for g in groups
        ]
    )


async def _view(context: BotContext, group: WorkingGroup, page: int) -> RosterView | None:
    members = await context.services.roster.members(group.id)
    _ = context.tr
    return render_roster(_, group.name(_.language), members, context.services.clock.now(), page)


def _pager(group_id: int, view: RosterView) -> InlineKeyboardMarkup | None:
    """◀ ▶ buttons to the neighbouring pages (none for a one-page roster)."""
    buttons = []
    if view.page > 0:
        buttons.append(
            InlineKeyboardButton("◀", callback_data=RosterPage(group_id, view.page - 1).pack())
        )
    if view.page < view.pages - 1:
        buttons.append(
            InlineKeyboardButton("▶", callback_data=RosterPage(group_id, view.page + 1).pack())
        )
    return InlineKeyboardMarkup([buttons]) if buttons else None


async def roster_page(update: Update, context: BotContext) -> None:
    """A ◀ ▶ or group button: edit the message into that page of the roster."""
    query = update.callback_query
    if query is None:
        return
    _ = context.tr
    tap = RosterPage.unpack_or_none(query.data)
    message = query.message if isinstance(query.message, Message) else None
    groups = await context.services.groups.active()
    group = next((g for g in groups if tap and g.id == tap.group_id), None)
    if tap is None or message is None or group is None or context.person is None:
        await refuse_stale(query, context)
        return
    shown_to_chat = linked_group(groups, message.chat.id, _thread_of(message)) == group
    if not shown_to_chat and not await _may_see(context, group):
        await query.answer(_(ROSTER_REFUSAL, group=group.name(_.language)), show_alert=True)
        return
    view = await _view(context, group, tap.page)
    if view is None:
        await refuse_stale(query, context)
        return
    await query.answer()
    try:
        await query.edit_message_text(view.text, reply_markup=_pager(group.id, view))
    except BadRequest as error:
        if "not modified" not in error.message.lower():
            raise


# /whois


async def whois_command(update: Update, context: BotContext) -> None:
    message = update.effective_message
    if message is None or context.person is None:
        return
    _ = context.tr
    query = " ".join(context.args or []).strip()
    if not query:
        await message.reply_text(
            _("Write /whois and a name or @username, for example /whois @ana.")
        )
        return
    if len(query) > QUERY_LIMIT:
        await message.reply_text(
            _("That is too long for a name: at most {limit} characters.", limit=QUERY_LIMIT)
        )
        return
    if not await _may_look_up(context):
        await message.reply_text(
            _("Only members of a working group can look people up. /groups lists the groups.")
        )
        return
    found = await context.services.roster.whois(query)
    await message.reply_text(_whois_answer(context, query, found))


async def _may_look_up(context: BotContext) -> bool:
    """Members of a working group, coordinators and the secretariat."""
    actor = await actor_of(context)
    return actor is not None and await context.services.roster.may_look_up(actor)


def _whois_answer(context: BotContext, query: str, whois: Whois) -> Html:
    _ = context.tr
    found = whois.found
    if not found:
        return _("I found no one matching “{query}”.", query=echo(query))
    if len(found) == 1:
        places = [
            GroupPlace(group.name(_.language), coordinates)
            for group, coordinates in whois.groups.get(found[0].id, [])
        ]
        return whois_card(_, found[0], places, context.services.clock.now())
    groups = {
        person_id: [group.name(_.language) for group, _coordinates in places]
        for person_id, places in whois.groups.items()
    }
    return whois_matches(_, query, found, groups)


# /export roster


async def export_command(update: Update, context: BotContext) -> None:
    message = update.effective_message
    actor = await actor_of(context)
    if message is None or actor is None or context.person is None:
        return
    _ = context.tr
    if message.chat.type != Chat.PRIVATE:
        await message.reply_text(
            _("Use /{command} in your private chat with me.", command="export")
        )
        return
    args = context.args or []
    if args and args[0].casefold() == "experiences":
        from handlers.reviews import export_experiences

        await export_experiences(update, context)
        return
    if not args or args[0].casefold() != "roster":
        await message.reply_text(
            _("Write /export roster, or /export roster GROUP for one working group.")
        )
        return
    group, decided = await _export_scope(update, context, actor, " ".join(args[1:]).strip())
    if not decided:
        return
    records = await context.services.roster.export(group)
    today = _today(context, context.person)
    name = group.name(_.language) if group else ""
    caption = (
        _.plural(
            "Roster of {group}: {n} person.",
            "Roster of {group}: {n} people.",
            len(records),
            group=name,
        )
        if group
        else _.plural(
            "Roster of all working groups: {n} person.",
            "Roster of all working groups: {n} people.",
            len(records),
        )
    )
    await message.reply_document(
        document=roster_csv(records),
        filename=export_filename(group.slug if group else None, today),
        caption=caption,
    )


async def _export_scope(
    update: Update, context: BotContext, actor: Actor, query: str
) -> tuple[WorkingGroup | None, bool]:
    """The group to export (None = every group) and whether to go on (False: answered)."""
    message = update.effective_message
    assert message is not None
    _ = context.tr
    groups = await context.services.groups.active()
    if query:
        group = find_group(groups, query)
        if group is None:
            await message.reply_text(_unknown_group(_, query, groups))
            return None, False
        refused = await refuse_unless(
            update, context, Role.COORDINATOR, group.id, group.name(_.language)
        )
        return group, not refused
    if actor.role is Role.SECRETARIAT:
        return None, True
    mine = [group for group in groups if group.id in actor.coordinated]
    if len(mine) == 1:
        return mine[0], True
    await message.reply_text(
        _(
            "Name the group: /export roster GROUP. You coordinate: {groups}.",
            groups=format_names((group.name(_.language) for group in mine), _.language),
        )
    )
    return None, False


def _today(context: BotContext, person: Person) -> date:
    """Today's date where the reader is (their zone, else the network's)."""
    zone = zone_of(person.timezone) or context.settings.default_zone
    return context.services.clock.now().astimezone(zone).date()


def handlers() -> list[Route]:
    return [
        route(ROSTER, roster_command),
        route(WHOIS, whois_command),
        route(EXPORT, export_command),
        (CallbackQueryHandler(roster_page, pattern=RosterPage.pattern()), 0),
    ]
