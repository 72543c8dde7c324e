"""Opportunities in Telegram: ``/opportunity`` (the form, ``form.py``), ``/opportunities
[THEME|KIND]`` (browse, page, show one), "I'm interested" (a short statement for internships
and placements), the poster's Accept / Decline, closing as filled or withdrawn, the
secretariat's Hide with a reason, ``/find WORDS`` and ``/alerts on|weekly|off``.

Buttons: ``op:<id>:<action>[:<argument>]`` (:class:`bot.opportunities.rules.OpportunityTap`)
and ``oi:<id>:<person>:accept|decline`` (:class:`bot.opportunities.rules.InterestTap`).
"""

from __future__ import annotations

from typing import Final

from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.ext import BaseHandler, CallbackQueryHandler

from bot import commands
from bot.context import BotContext
from bot.conversations import Conversation
from bot.i18n import N_
from bot.models import Draft, Person
from bot.opportunities import rules
from bot.opportunities.rules import ALERT_MODES, KIND_LABELS, InterestTap, OpportunityTap
from bot.opportunities.service import (
    HIDE_KIND,
    STATEMENT_KIND,
    Browse,
    Closed,
    Decided,
    Interested,
    NeedsStatement,
    NoPartners,
    OpportunitiesService,
    Project,
    interest_button,
)
from bot.opportunities.texts import card, person_card
from bot.profile import Refusal
from bot.rendering import Html, bold, escape
from handlers.form_parts import theme_labels
from handlers.guard import route
from handlers.opportunities import form
from handlers.opportunities import intros as introductions
from handlers.taps import refuse_stale, tapped

NOT_NOW: Final = N_("This opportunity is closed, or not yours to answer.")
STATEMENT_DESCRIPTION: Final = N_("writing why you are interested")
HIDE_DESCRIPTION: Final = N_("writing why an opportunity is hidden")


def _service(context: BotContext) -> OpportunitiesService:
    return context.services.opportunities


# --- /opportunities ------------------------------------------------------------------------


async def opportunities_command(update: Update, context: BotContext) -> None:
    """Open opportunities, filtered by a theme or a kind, one page at a time."""
    message = update.effective_message
    if message is None:
        return
    query = " ".join(context.args or [])
    token = await _service(context).filter_token(query) if query else ""
    text, markup = await _page_view(context, token, 0)
    await message.reply_text(text, reply_markup=markup)


async def _page_view(
    context: BotContext, token: str, page: int
) -> tuple[Html, InlineKeyboardMarkup | None]:
    tr = context.tr
    browse: Browse = await _service(context).browse(token, page, tr.language)
    if not browse.items:
        return tr("No open opportunities match. /opportunity posts one."), None
    lines = [bold(tr("Open opportunities"))]
    if browse.pages > 1:
        lines.append(tr("Page {page} of {pages}", page=browse.page + 1, pages=browse.pages))
    rows: list[list[InlineKeyboardButton]] = []
    start = browse.page * rules.PAGE_SIZE
    for number, item in enumerate(browse.items, start=start + 1):
        lines.append(Html(f"{number}. {escape(item.title)} — {tr(KIND_LABELS[item.kind])}"))
        data = OpportunityTap(item.id, "show").pack()
        rows.append([InlineKeyboardButton(f"{number}. {item.title}"[:60], callback_data=data)])
    paging = []
    if browse.page > 0:
        back = OpportunityTap(browse.page - 1, "page", token).pack()
        paging.append(InlineKeyboardButton("‹", callback_data=back))
    if browse.page + 1 < browse.pages:
        forward = OpportunityTap(browse.page + 1, "page", token).pack()
        paging.append(InlineKeyboardButton("›", callback_data=forward))
    if paging:
        rows.append(paging)
    return Html("\n".join(lines)), InlineKeyboardMarkup(rows)


async def _opportunity_view(
    context: BotContext, person: Person, opportunity_id: int
) -> tuple[Html, InlineKeyboardMarkup | None] | None:
    service = _service(context)
    opportunity = await service.get(opportunity_id)
    if opportunity is None or (
        opportunity.status == "hidden" and not service.is_secretariat(person)
    ):
        return None
    tr = context.tr
    text = card(tr, opportunity, await theme_labels(context), service.zone(person))
    rows: list[list[InlineKeyboardButton]] = []
    if not opportunity.is_open:
        return Html(f"{text}\n\n{tr('This opportunity is closed.')}"), None
    if opportunity.poster_id == person.id and opportunity.kind == "project":
        data = OpportunityTap(opportunity.id, "project").pack()
        rows.append([InlineKeyboardButton(tr("🤝 Start the joint project"), callback_data=data)])
    if opportunity.poster_id == person.id:
        rows.append(
            [
                InlineKeyboardButton(
                    tr("Filled"), callback_data=OpportunityTap(opportunity.id, "filled").pack()
                ),
                InlineKeyboardButton(
                    tr("Withdraw"), callback_data=OpportunityTap(opportunity.id, "withdrawn").pack()
                ),
            ]
        )
    elif await service.interest_of(opportunity.id, person.id) is None:
        button = interest_button(tr, opportunity)
        rows.append([InlineKeyboardButton(button["text"], callback_data=button["callback_data"])])
    if service.is_secretariat(person) and opportunity.poster_id != person.id:
        rows.append(
            [
                InlineKeyboardButton(
                    tr("Hide"), callback_data=OpportunityTap(opportunity.id, "hide").pack()
                )
            ]
        )
    return text, InlineKeyboardMarkup(rows) if rows else None


async def on_opportunity_tap(update: Update, context: BotContext) -> None:
    pressed = await tapped(update, context, OpportunityTap)
    if pressed is None:
        return
    query, tap, person = pressed.query, pressed.data, pressed.person
    tr = context.tr
    message = query.message if isinstance(query.message, Message) else None
    if tap.action == "page":
        text, markup = await _page_view(context, tap.argument, tap.opportunity_id)
        await query.answer()
        if message is not None:
            await message.edit_text(text, reply_markup=markup)
        return
    if tap.action == "show":
        view = await _opportunity_view(context, person, tap.opportunity_id)
        if view is None:
            await refuse_stale(query, context)
            return
        await query.answer()
        if message is not None:
            await message.reply_text(view[0], reply_markup=view[1])
        return
    if tap.action == "interest":
        await _interest(context, person, tap.opportunity_id, query, message)
        return
    if tap.action in ("filled", "withdrawn"):
        outcome = await _service(context).close(person, tap.opportunity_id, tap.action)
        if not isinstance(outcome, Closed):
            await query.answer(tr(NOT_NOW), show_alert=True)
            return
        await query.answer()
        done = tr("Closed as filled.") if tap.action == "filled" else tr("Withdrawn.")
        if message is not None:
            await message.reply_text(Html(f"{bold(outcome.opportunity.title)}\n{done}"))
        return
    if tap.action == "project":
        await _start_project(context, person, tap.opportunity_id, query, message)
        return
    if tap.action == "hide" and _service(context).is_secretariat(person):
        await _service(context).ask_hide_reason(person, tap.opportunity_id)
        await query.answer()
        if message is not None:
            await message.reply_text(tr("Why hide it? Type the reason; the poster will be told."))
        return
    await refuse_stale(query, context)


async def _interest(
    context: BotContext,
    person: Person,
    opportunity_id: int,
    query: CallbackQuery,
    message: Message | None,
) -> None:
    tr, answer = context.tr, query.answer
    outcome = await _service(context).tap_interest(person, opportunity_id)
    if isinstance(outcome, NeedsStatement):
        await answer()
        if message is not None:
            await message.reply_text(
                tr(
                    "In a few sentences, why are you interested in “{title}”? "
                    "(at most {limit} characters) /cancel stops.",
                    title=outcome.opportunity.title,
                    limit=rules.STATEMENT_LIMIT,
                )
            )
        return
    if not isinstance(outcome, Interested):
        await answer(tr(NOT_NOW), show_alert=True)
        return
    await answer()
    if message is not None:
        await message.reply_text(_interest_text(context, outcome))


def _interest_text(context: BotContext, outcome: Interested) -> Html:
    if outcome.already:
        return context.tr(
            "You already said you are interested in “{title}”.", title=outcome.opportunity.title
        )
    return context.tr(
        "Thank you! The poster of “{title}” was told you are interested.",
        title=outcome.opportunity.title,
    )


async def on_statement(update: Update, context: BotContext, draft: Draft) -> None:
    """The short statement of an internship's or a placement's interest."""
    message, person = update.effective_message, context.person
    if message is None or message.text is None or person is None:
        return
    statement = rules.read_text(message.text, rules.STATEMENT_LIMIT, multiline=True)
    if isinstance(statement, Refusal):
        await message.reply_text(context.tr(statement.message, **statement.values))
        return
    opportunity_id = int(draft.data.get("opportunity_id", 0))
    outcome = await _service(context).interested(person, opportunity_id, statement)
    if isinstance(outcome, Interested):
        await message.reply_text(_interest_text(context, outcome))
    else:
        await message.reply_text(context.tr(NOT_NOW))


async def on_hide_reason(update: Update, context: BotContext, draft: Draft) -> None:
    message, person = update.effective_message, context.person
    if message is None or message.text is None or person is None:
        return
    reason = rules.read_text(message.text, rules.STATEMENT_LIMIT)
    if isinstance(reason, Refusal):
        await message.reply_text(context.tr(reason.message, **reason.values))
        return
    await context.services.drafts.delete(person.id, HIDE_KIND)
    opportunity_id = int(draft.data.get("opportunity_id", 0))
    outcome = await _service(context).hide(person, opportunity_id, reason)
    if isinstance(outcome, Closed):
        await message.reply_text(context.tr("Hidden. The poster was told why."))
    else:
        await message.reply_text(context.tr(NOT_NOW))


async def _start_project(
    context: BotContext,
    person: Person,
    opportunity_id: int,
    query: CallbackQuery,
    message: Message | None,
) -> None:
    tr = context.tr
    outcome = await _service(context).start_project(person, opportunity_id)
    if isinstance(outcome, NoPartners):
        await query.answer(tr("Accept at least one partner first."), show_alert=True)
        return
    if not isinstance(outcome, Project):
        await query.answer(tr(NOT_NOW), show_alert=True)
        return
    await query.answer()
    if message is not None:
        await message.reply_text(
            tr(
                "🤝 “{title}” is now a joint project with {n} members, and you coordinate it. "
                "/roster {slug} shows them; /meet {slug} schedules its first meeting.",
                title=outcome.group.theme,
                n=outcome.members,
                slug=outcome.group.slug,
            )
        )


async def projects_command(update: Update, context: BotContext) -> None:
    """The joint projects, each with its members and how to reach its roster."""
    message = update.effective_message
    if message is None:
        return
    tr = context.tr
    projects = await _service(context).projects()
    if not projects:
        await message.reply_text(tr("No joint projects yet: a proposal with partners becomes one."))
        return
    lines = [bold(tr("Joint projects"))]
    for group, members in projects:
        count = tr.plural("{n} member", "{n} members", members)
        lines.append(Html(f"• {escape(group.name(tr.language))} — {count} · /roster {group.slug}"))
    await message.reply_text(Html("\n".join(lines)))


# --- the poster's answer -------------------------------------------------------------------


async def on_interest_tap(update: Update, context: BotContext) -> None:
    pressed = await tapped(update, context, InterestTap)
    if pressed is None:
        return
    query, tap, person = pressed.query, pressed.data, pressed.person
    accept = tap.action == "accept"
    outcome = await _service(context).decide(person, tap.opportunity_id, tap.person_id, accept)
    if not isinstance(outcome, Decided):
        await refuse_stale(query, context)
        return
    await query.answer()
    tr = context.tr
    name = outcome.person.name
    done = (
        tr("You accepted {name}; they were told.", name=name)
        if accept
        else tr("You declined {name}; they were told.", name=name)
    )
    message = query.message if isinstance(query.message, Message) else None
    if message is not None:
        await message.edit_text(Html(f"{message.text_html}\n\n{done}"), reply_markup=None)


# --- /find and /alerts ---------------------------------------------------------------------


async def find_command(update: Update, context: BotContext) -> None:
    """People ranked by how their profile matches the words, each with their card."""
    message, person = update.effective_message, context.person
    if message is None or person is None:
        return
    tr = context.tr
    if not await context.services.roster.own_groups(person.id) and not _service(
        context
    ).is_secretariat(person):
        await message.reply_text(tr("Only members of a working group can look people up."))
        return
    words = " ".join(context.args or []).strip()
    if not words:
        await message.reply_text(
            tr("Write /find and what you are looking for, e.g. /find glaciers Spanish.")
        )
        return
    found = await _service(context).find(words, tr.language)
    if not found:
        await message.reply_text(tr("Nobody matches “{words}”.", words=words))
        return
    labels = await theme_labels(context)
    now = context.services.clock.now()
    cards = [person_card(tr, f.person, f.groups, labels, now) for f in found]
    header = tr("People matching “{words}”, best first:", words=words)
    await message.reply_text(Html("\n\n".join([header, *cards])))


async def alerts_command(update: Update, context: BotContext) -> None:
    message, person = update.effective_message, context.person
    if message is None or person is None:
        return
    tr = context.tr
    mode = (context.args or [""])[0].lower() if context.args else ""
    if mode not in ALERT_MODES:
        current = await _service(context).alerts(person.id)
        await message.reply_text(
            tr(
                "Opportunity alerts are {mode}. Write /alerts on, /alerts weekly or /alerts off.",
                mode=tr(ALERT_LABELS[current]),
            )
        )
        return
    await _service(context).set_alerts(person.id, mode)
    await message.reply_text(tr("Opportunity alerts: {mode}.", mode=tr(ALERT_LABELS[mode])))


ALERT_LABELS: Final = {
    "on": N_("on (up to 3 a week)"),
    "weekly": N_("weekly (at most 1 a week)"),
    "off": N_("off"),
}


def conversations() -> tuple[Conversation, ...]:
    return (
        *form.FORM.conversations(
            N_("writing an opportunity"),
            N_("editing an opportunity"),
            N_("Stop writing this opportunity?"),
        ),
        Conversation(STATEMENT_KIND, on_statement, STATEMENT_DESCRIPTION),
        Conversation(HIDE_KIND, on_hide_reason, HIDE_DESCRIPTION),
    )


def handlers() -> list[tuple[BaseHandler[Update, BotContext, None], int]]:
    return [
        route(commands.OPPORTUNITY, form.opportunity_command),
        route(commands.OPPORTUNITIES, opportunities_command),
        route(commands.FIND, find_command),
        route(commands.PROJECTS, projects_command),
        route(commands.ALERTS, alerts_command),
        *form.FORM.button_handlers(),
        (CallbackQueryHandler(on_opportunity_tap, pattern=OpportunityTap.pattern()), 0),
        (CallbackQueryHandler(on_interest_tap, pattern=InterestTap.pattern()), 0),
        *introductions.handlers(),
    ]
