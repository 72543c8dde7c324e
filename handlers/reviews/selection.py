"""/rank, /shortlist, /vote (and its ballot buttons) and /select: from accepted to published.

Parses, calls the selection service (``bot/reviews/selection.py``), renders. The network
channel named in the settings is looked up here (a Telegram call) and handed to the service.
"""

from __future__ import annotations

from collections.abc import Sequence

from telegram import CallbackQuery, Chat, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import TelegramError

from bot import reviews as rules
from bot.context import BotContext
from bot.i18n import Translator
from bot.models import WorkingGroup
from bot.profile import Refusal
from bot.rendering import Html, bold, echo
from bot.reviews.callbacks import CastVote
from bot.reviews.rules import ButtonRows, explain
from bot.reviews.selection import EmptyBallot, Published, SelectionService, UnknownTheme
from handlers.guard import actor_of, command
from handlers.reviews.common import edit, reply
from handlers.taps import refuse_stale


def _service(context: BotContext) -> SelectionService:
    return context.services.selection


def _markup(rows: ButtonRows) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=data) for label, data in row] for row in rows]
    )


# --- /rank and /shortlist -------------------------------------------------------------------


@command("rank")
async def rank_command(update: Update, context: BotContext) -> None:
    _ = context.tr
    ranking = await _service(context).ranking(" ".join(context.args or []).strip())
    if isinstance(ranking, UnknownTheme):
        await reply(update, _unknown_theme(_, ranking.query, ranking.groups))
        return
    title = ranking.theme.name(_.language) if ranking.theme else _("all themes")
    await reply(update, rules.render_ranking(_, ranking.ranked, title))


def _unknown_theme(_: Translator, query: str, groups: Sequence[WorkingGroup]) -> Html:
    return _(
        "There is no theme “{query}”. The themes are: {themes}.",
        query=echo(query),
        themes=", ".join(g.slug for g in groups if g.active),
    )


@command("shortlist")
async def shortlist_command(update: Update, context: BotContext) -> None:
    _ = context.tr
    ids = rules.parse_ids(context.args or [])
    if not ids or len(ids) != 1:
        await reply(update, _("Write /shortlist ID, e.g. /shortlist 12 (the ids are in /rank)."))
        return
    moved = await _service(context).shortlist(await actor_of(context), ids[0])
    if isinstance(moved, Refusal):
        await reply(update, explain(_, moved))
        return
    await reply(update, _("#{id} {title} is on the shortlist.", id=moved.id, title=moved.title))


# --- /vote ----------------------------------------------------------------------------------


@command("vote")
async def vote_command(update: Update, context: BotContext) -> None:
    _ = context.tr
    person = context.person
    query = " ".join(context.args or []).strip()
    opened = await _service(context).open_vote(person.id if person else None, query)
    if opened is None:
        await reply(update, _("Write /vote GROUP, e.g. /vote climate."))
        return
    group = opened.group.name(_.language)
    if isinstance(opened, EmptyBallot):
        await reply(
            update,
            _(
                "Nothing is shortlisted in {group} yet: coordinators use /shortlist first.",
                group=group,
            ),
        )
        return
    text = (
        _("The selection vote of {group} is open.", group=group)
        if opened.created
        else _("The selection vote of {group} was already open.", group=group)
    )
    sent = _.plural(
        "{n} member gets the ballot now.", "{n} members get the ballot now.", opened.sent
    )
    await reply(update, f"{text} {sent}")


async def on_vote_button(update: Update, context: BotContext) -> None:
    query = update.callback_query
    person = context.person
    if query is None or person is None:
        return
    _ = context.tr
    tap = CastVote.unpack_or_none(query.data)
    if tap is None or not _in_private(query):
        await refuse_stale(query, context)
        return
    voted = await _service(context).vote(person.id, tap.round_id, tap.experience_id)
    if isinstance(voted, Refusal):
        await query.answer(explain(_, voted), show_alert=True)
        return
    await query.answer(
        _("Your vote for #{id} is counted.", id=tap.experience_id)
        if voted.stands
        else _("Your vote for #{id} is taken back.", id=tap.experience_id)
    )
    text, rows = rules.ballot(_, voted.round_id, voted.group, voted.ballot, voted.voted)
    await edit(query, text, _markup(rows))


def _in_private(query: CallbackQuery) -> bool:
    message = query.message
    return message is not None and message.chat.type == Chat.PRIVATE


# --- /select and publishing -----------------------------------------------------------------


@command("select")
async def select_command(update: Update, context: BotContext) -> None:
    _ = context.tr
    ids = rules.parse_ids(context.args or [])
    if not ids:
        await reply(update, _("Write /select ID [ID...], e.g. /select 12 15 17."))
        return
    actor = await actor_of(context)
    selected = await _service(context).select(actor, ids, await _channel_id(context))
    problems = [explain(_, item) for item in selected if isinstance(item, Refusal)]
    if problems:
        await reply(update, "\n".join([*problems, _("Nothing was selected.")]))
        return
    lines: list[str] = [bold(_("Selected and published:"))]
    lines += [_published(_, item) for item in selected if isinstance(item, Published)]
    if not context.settings.network_channel:
        lines.append(_("No network channel is configured (WNMRC_NETWORK_CHANNEL)."))
    await reply(update, "\n".join(lines))


def _published(_: Translator, item: Published) -> str:
    return _.plural(
        "#{id} {title}: posted to {n} chat",
        "#{id} {title}: posted to {n} chats",
        item.places,
        id=item.experience.id,
        title=item.experience.title,
    )


async def _channel_id(context: BotContext) -> int | None:
    """The network channel of the settings (a name is looked up; None if none or unknown)."""
    configured = (context.settings.network_channel or "").strip()
    if not configured:
        return None
    if configured.lstrip("-").isdigit():
        return int(configured)
    try:
        return (await context.bot.get_chat(configured)).id
    except TelegramError:
        return None
