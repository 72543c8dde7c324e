"""/experiences (browse by theme, country or status, or one in full) and /export experiences.

Members see the published (selected) experiences; coordinators and the secretariat every one,
with its status. The export (called by ``/export`` in ``handlers/roster.py``) sends the CSV and
the JSON of the experiences of the themes the person coordinates (all: the secretariat).
"""

from __future__ import annotations

from typing import Final

from telegram import Update

from bot import reviews as rules
from bot.context import BotContext
from bot.experiences import booklet
from bot.rendering import Html, bold, echo
from bot.reviews.selection import SelectionService
from handlers.guard import actor_of, command
from handlers.reviews.common import reply

QUERY_LIMIT: Final = 100
NO_EXPERIENCE: Final = rules.NO_EXPERIENCE


def _service(context: BotContext) -> SelectionService:
    return context.services.selection


@command("experiences")
async def experiences_command(update: Update, context: BotContext) -> None:
    _ = context.tr
    query = " ".join(context.args or []).strip()
    if query.lstrip("#").isdigit() and len(query) < 10:
        await _show_one(update, context, int(query.lstrip("#")))
        return
    groups = await _service(context).groups()
    browse = rules.parse_browse(query, groups, _.language) if len(query) <= QUERY_LIMIT else None
    if browse is None:
        await reply(
            update,
            _(
                "There is no theme, country or status “{query}”. Try /experiences climate, "
                "/experiences PE or /experiences selected.",
                query=echo(query),
            ),
        )
        return
    found = await _service(context).browse(await actor_of(context), browse)
    if not found.experiences:
        await reply(update, _("No experiences to show."))
        return
    count = len(found.experiences)
    lines = [bold(_.plural("{n} experience:", "{n} experiences:", count))]
    lines += [rules.render_queue_line(_, e, found.groups) for e in found.experiences]
    lines.append(_("/experiences ID shows one in full."))
    await reply(update, "\n".join(lines))


async def _show_one(update: Update, context: BotContext, experience_id: int) -> None:
    _ = context.tr
    found = await _service(context).one(await actor_of(context), experience_id)
    if not found.experiences:
        await reply(update, _(NO_EXPERIENCE, id=experience_id))
        return
    [experience] = found.experiences
    card = rules.render_card(_, experience, found.groups, full=found.sees_all)
    if found.sees_all:
        status = _("Status: {status}", status=rules.status_label(_, experience.status))
        card = Html(f"{card}\n\n{status}")
    await reply(update, card)


async def export_experiences(update: Update, context: BotContext) -> None:
    """CSV and JSON of the experiences of the themes the person coordinates (all: secretariat)."""
    message = update.effective_message
    actor = await actor_of(context)
    if message is None or actor is None:
        return
    _ = context.tr
    service = _service(context)
    items = await service.export(actor)
    today = context.services.clock.now().date()
    caption = _.plural("{n} experience, with scores.", "{n} experiences, with scores.", len(items))
    await message.reply_document(
        document=booklet.experiences_csv(items, service.criteria),
        filename=booklet.export_filename(today, "csv"),
        caption=caption,
    )
    await message.reply_document(
        document=booklet.experiences_json(items, service.criteria),
        filename=booklet.export_filename(today, "json"),
    )
