"""Joining: /policy, the approvers' Approve / Decline buttons under a request to join, the
Revoke button under an invitation link, and the secretariat's /claims and Confirm / Reject
under a claim of an imported row."""

from __future__ import annotations

import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest
from telegram.ext import CallbackQueryHandler

from bot.access import GROUP_REFUSAL, REFUSALS
from bot.claims import ClaimDecision, claim_notice, decision_buttons, waiting_summary
from bot.claims import decided_line as claim_decided_line
from bot.claims.service import ClaimOutcome
from bot.commands import CLAIMS, POLICY
from bot.context import BotContext
from bot.groups import group_names, split_group_and_rest, unknown_group
from bot.joining import POLICY_LABELS, RequestDecision, RevokeInvite, decided_line, parse_policy
from bot.joining.service import Decided, Decision
from bot.permissions import Role
from bot.rendering import Html, bold, echo
from handlers.groups.common import STALE_BUTTON, plain
from handlers.guard import Route, refuse_unless, route
from handlers.taps import refuse_stale, tapped

logger = logging.getLogger(__name__)

# /policy GROUP [open|approval|invite]


async def policy(update: Update, context: BotContext) -> None:
    message = update.effective_message
    if message is None:
        return
    tr = context.tr
    groups = await context.services.groups.active()
    group, rest = split_group_and_rest(groups, context.args or [])
    if group is None:
        if rest:
            await message.reply_text(unknown_group(tr, rest, groups))
        else:
            await message.reply_text(
                tr(
                    "Which working group? Write /policy GROUP open, approval or invite; "
                    "the groups are: {groups}.",
                    groups=group_names(groups, tr.language),
                )
            )
        return
    name = group.name(tr.language)
    if await refuse_unless(update, context, Role.COORDINATOR, group.id, name):
        return
    if not rest:
        await message.reply_text(
            tr(
                "The working group {group} is {policy}. Change it with /policy {slug} "
                "open, approval or invite.",
                group=bold(name),
                policy=tr(POLICY_LABELS[group.join_policy]),
                slug=group.slug,
            )
        )
        return
    chosen = parse_policy(rest)
    if chosen is None:
        await message.reply_text(
            tr("“{word}” is not a join policy: write open, approval or invite.", word=echo(rest))
        )
        return
    await context.services.joining.set_policy(group, chosen)
    await message.reply_text(
        tr(
            "The working group {group} is now {policy}.",
            group=bold(name),
            policy=tr(POLICY_LABELS[chosen]),
        )
    )


# Approve / Decline


async def tap_decision(update: Update, context: BotContext) -> None:
    tap = await tapped(update, context, RequestDecision)
    if tap is None:
        return
    tr, query, data = context.tr, tap.query, tap.data
    decision = await context.services.joining.decide(data.request_id, data.approve, tap.person)
    await query.answer(
        _toast(context, decision), show_alert=decision.outcome is not Decided.DECIDED
    )
    request = decision.request
    if decision.outcome in (Decided.DECIDED, Decided.ALREADY) and request is not None:
        approved = request.status == "approved"
        await _close(query.message, decided_line(tr, approved, decision.decider))
    elif decision.outcome is Decided.EXPIRED:
        await _close(query.message, tr("⌛ This request expired."))
    if decision.outcome is Decided.DECIDED and request is not None and request.chat_id:
        await _answer_chat_request(context, request.chat_id, decision)


def _toast(context: BotContext, decision: Decision) -> str:
    tr = context.tr
    request, group = decision.request, decision.group
    outcome = decision.outcome
    if outcome is Decided.DECIDED and request is not None:
        return tr("Approved.") if request.status == "approved" else tr("Declined.")
    if outcome is Decided.ALREADY and request is not None:
        if request.status == "approved":
            return plain(tr("{name} already approved this request."), name=decision.decider)
        return plain(tr("{name} already declined this request."), name=decision.decider)
    if outcome is Decided.EXPIRED:
        return tr("This request expired.")
    if outcome is Decided.NOT_ALLOWED and group is not None:
        return plain(tr(GROUP_REFUSAL), group=group.name(tr.language))
    return tr(STALE_BUTTON)


async def _close(message: object, line: Html) -> None:
    """The notice keeps its text, loses its buttons and gains the line saying how it ended."""
    if not isinstance(message, Message):
        return
    try:
        await message.edit_text(f"{message.text_html}\n\n{line}", reply_markup=None)
    except BadRequest as error:
        if "not modified" not in error.message:
            raise


async def _answer_chat_request(context: BotContext, chat_id: int, decision: Decision) -> None:
    """A request to join a linked chat is approved or declined in Telegram too."""
    request, user_id = decision.request, decision.telegram_id
    if request is None or user_id is None:
        return
    try:
        if request.status == "approved":
            await context.bot.approve_chat_join_request(chat_id, user_id)
        else:
            await context.bot.decline_chat_join_request(chat_id, user_id)
    except BadRequest as error:
        logger.info("Join request in chat %s not answered: %s", chat_id, error.message)


# Revoke an invitation link


async def tap_revoke(update: Update, context: BotContext) -> None:
    query = update.callback_query
    tap = RevokeInvite.unpack_or_none(None if query is None else query.data)
    if query is None:
        return
    tr = context.tr
    revoked = None
    if tap is not None and context.person is not None:
        revoked = await context.services.joining.revoke_invite(tap.invite_id, context.person)
    if revoked is None:
        await refuse_stale(query, context)
        return
    await query.answer(tr("Revoked."))
    await _close(query.message, tr("🚫 This link was revoked: it lets nobody in any more."))


# /claims: the matches waiting for the secretariat, each with Confirm / Reject


async def claims(update: Update, context: BotContext) -> None:
    message = update.effective_message
    if message is None or context.person is None:
        return
    tr = context.tr
    waiting = await context.services.claims.waiting(context.person)
    if waiting is None:
        await message.reply_text(tr(REFUSALS[Role.SECRETARIAT]))
        return
    shown, total = waiting
    await message.reply_text(waiting_summary(tr, len(shown), total))
    for item in shown:
        buttons = decision_buttons(tr, item.claim.id)["inline_keyboard"]
        markup = InlineKeyboardMarkup(
            [
                [InlineKeyboardButton(b["text"], callback_data=b["callback_data"]) for b in row]
                for row in buttons
            ]
        )
        await message.reply_text(claim_notice(tr, item.account, item.imported), reply_markup=markup)


# Confirm / Reject a claim of an imported row


async def tap_claim(update: Update, context: BotContext) -> None:
    tap = await tapped(update, context, ClaimDecision)
    if tap is None:
        return
    tr, query = context.tr, tap.query
    result = await context.services.claims.decide(tap.data.claim_id, tap.data.confirm, tap.person)
    claim = result.claim
    if result.outcome is ClaimOutcome.NOT_ALLOWED:
        await query.answer(tr(REFUSALS[Role.SECRETARIAT]), show_alert=True)
        return
    if claim is None or result.outcome is ClaimOutcome.GONE:
        await refuse_stale(query, context)
        return
    confirmed = claim.status == "confirmed"
    if result.outcome is ClaimOutcome.ALREADY:
        toast = (
            tr("{name} already confirmed this match.")
            if confirmed
            else tr("{name} already rejected this match.")
        )
        await query.answer(plain(toast, name=result.decider), show_alert=True)
    else:
        await query.answer(tr("Confirmed.") if confirmed else tr("Rejected."))
    await _close(query.message, claim_decided_line(tr, confirmed, result.decider))


def handlers() -> list[Route]:
    return [
        route(POLICY, policy),
        route(CLAIMS, claims),
        (CallbackQueryHandler(tap_decision, pattern=RequestDecision.pattern()), 0),
        (CallbackQueryHandler(tap_revoke, pattern=RevokeInvite.pattern()), 0),
        (CallbackQueryHandler(tap_claim, pattern=ClaimDecision.pattern()), 0),
    ]
