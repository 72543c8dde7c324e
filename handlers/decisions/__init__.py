"""/propose, the answers under a proposal, reasons, /outcome and /decisions.

The use cases are ``bot/decisions/service.py``; this package parses the commands, the taps
(``da:<proposal>:<answer>``, ``dw:<proposal>``: :mod:`bot.decisions.buttons`) and the typed
reasons and outcomes (drafts of kinds ``decision_reason`` and ``decision_outcome``), calls the
service and renders what it answers. The /propose form is ``handlers/decisions/form.py``.
"""

from __future__ import annotations

from typing import Any

from telegram import Chat, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import Forbidden
from telegram.ext import CallbackQueryHandler

from bot.commands import DECISIONS, OUTCOME, PROPOSE
from bot.context import BotContext
from bot.conversations import Conversation
from bot.decisions import rules, texts
from bot.decisions.buttons import ActionsDone, AnswerTap, ReasonTap
from bot.decisions.service import (
    ACTION_FORMAT,
    ACTIONS_KIND,
    OUTCOME_KIND,
    REASON_KIND,
    ActionAdded,
    Answered,
    NotAllowed,
    OutcomeRecorded,
    ballot_of,
)
from bot.groups import find_group, unknown_group
from bot.i18n import N_
from bot.models import Draft, Person
from bot.profile import Refusal
from bot.rendering import Html
from bot.roadmap.rules import Due, format_due
from handlers.decisions.form import FORM, propose_command
from handlers.decisions.listing import listing_lines
from handlers.form_parts import View, reply
from handlers.guard import Route, actor_of, route

__all__ = ["conversations", "handlers"]


# --- answering -----------------------------------------------------------------------------


async def on_answer(update: Update, context: BotContext) -> None:
    """A tap on an answer: recorded (or refused in one toast); in private the post follows."""
    query, person = update.callback_query, context.person
    tap = AnswerTap.unpack_or_none(query.data if query else None)
    if query is None:
        return
    if tap is None or person is None:
        await query.answer(context.tr(rules.GONE), show_alert=True)
        return
    service = context.services.decisions
    outcome = await service.answer(tap.proposal_id, person, tap.answer)
    if isinstance(outcome, Refusal):
        await query.answer(context.tr(outcome.message, **outcome.values))
        return
    await query.answer(_toast(context, outcome))
    message = query.message if isinstance(query.message, Message) else None
    private = message is not None and message.chat.type == Chat.PRIVATE
    if private and message is not None:
        await _refresh_private(context, message, person, outcome)
    if outcome.needs_reason and outcome.reachable:
        await _ask_reason(context, person, outcome, private)


def _toast(context: BotContext, outcome: Answered) -> str:
    _ = context.tr
    label = texts.answer_label(_, ballot_of(outcome.proposal), outcome.answer)
    if not outcome.needs_reason:
        return _("Your answer: {answer}", answer=label)
    if outcome.reachable:
        return _("Your answer: {answer}. Please tell me why in our private chat.", answer=label)
    return _(
        "Your answer: {answer}. Start a private chat with me to give your reason.", answer=label
    )


async def _refresh_private(
    context: BotContext, message: Message, person: Person, outcome: Answered
) -> None:
    """The private post with the person's answer marked (no coalescing needed: one reader)."""
    _ = context.tr
    proposal = outcome.proposal
    view = await context.services.decisions.view(proposal, _.language)
    zone = context.services.decisions.person_reader(person, proposal).zone
    text = texts.post_text(_, view, zone, None, outcome.answer)
    markup = texts.keyboard(_, proposal.id, ballot_of(proposal), outcome.answer, private=True)
    try:
        await message.edit_text(text, reply_markup=_markup(markup))
    except Exception:
        return


def _markup(keyboard: dict[str, Any] | None) -> InlineKeyboardMarkup | None:
    return None if keyboard is None else InlineKeyboardMarkup.de_json(keyboard, None)


async def _ask_reason(
    context: BotContext, person: Person, outcome: Answered, private: bool
) -> None:
    _ = context.tr
    label = texts.answer_label(_, ballot_of(outcome.proposal), outcome.answer)
    text = _(
        "You answered {answer} to proposal #{id}. Please type your reason.",
        answer=label,
        id=outcome.proposal.id,
    )
    if person.telegram_id is None:
        return
    try:
        await context.bot.send_message(person.telegram_id, text)
    except Forbidden:
        return


async def on_reason_tap(update: Update, context: BotContext) -> None:
    """Add a reason: the next text typed in the private chat is the reason."""
    query, person = update.callback_query, context.person
    tap = ReasonTap.unpack_or_none(query.data if query else None)
    if query is None:
        return
    service = context.services.decisions
    mine = None
    if tap is not None and person is not None:
        mine = await service.answer_of(tap.proposal_id, person.id)
    if tap is None or person is None or mine is None:
        await query.answer(context.tr(rules.GONE), show_alert=True)
        return
    await service.ask_reason(person, tap.proposal_id)
    await query.answer()
    await context.bot.send_message(
        person.telegram_id or query.from_user.id,
        context.tr("Please type your reason for proposal #{id}.", id=tap.proposal_id),
    )


async def on_reason_text(update: Update, context: BotContext, draft: Draft) -> None:
    message = update.effective_message
    if message is None or message.text is None:
        return
    proposal_id = int(draft.data["proposal"])
    service = context.services.decisions
    found = await service.give_reason(draft.person_id, proposal_id, message.text)
    if isinstance(found, Refusal):
        await message.reply_text(context.tr(found.message, **found.values))
        return
    await message.reply_text(
        context.tr("Thank you: your reason is recorded with your answer to #{id}.", id=proposal_id)
    )


# --- /outcome --------------------------------------------------------------------------------


async def outcome_command(update: Update, context: BotContext) -> None:
    """/outcome ID [statement]: record the outcome of a closed proposal."""
    message, person = update.effective_message, context.person
    if message is None or person is None:
        return
    args = context.args or []
    if not args or not args[0].lstrip("#").isdigit():
        await message.reply_text(context.tr("Write /outcome and the proposal's number."))
        return
    proposal_id = int(args[0].lstrip("#"))
    actor = await actor_of(context)
    started = await context.services.decisions.start_outcome(proposal_id, actor, message.chat_id)
    if isinstance(started, Refusal | NotAllowed):
        await message.reply_text(_refused(context, started))
        return
    statement = message.text.split(maxsplit=2)[2] if len(args) > 1 and message.text else None
    if statement:
        await _record(context, message, person, proposal_id, statement)
        return
    await message.reply_text(
        context.tr(
            "Type the outcome of proposal #{id} ({title}): what was decided and what happens next.",
            id=started.id,
            title=started.title,
        )
    )


async def on_outcome_text(update: Update, context: BotContext, draft: Draft) -> None:
    message, person = update.effective_message, context.person
    if message is None or message.text is None or person is None:
        return
    await _record(context, message, person, int(draft.data["proposal"]), message.text)


async def _record(
    context: BotContext, message: Message, person: Person, proposal_id: int, text: str
) -> None:
    service = context.services.decisions
    done = await service.record_outcome(person.id, proposal_id, text, await actor_of(context))
    if not isinstance(done, OutcomeRecorded):
        await message.reply_text(_refused(context, done))
        return
    _ = context.tr
    await message.reply_text(_("The outcome of proposal #{id} is recorded.", id=done.proposal.id))
    if done.asks_actions:
        ask = _("Does it create roadmap actions?") + " " + _(ACTION_FORMAT)
        done_button = InlineKeyboardButton(_("Done"), callback_data=ActionsDone(proposal_id).pack())
        await message.reply_text(ask, reply_markup=InlineKeyboardMarkup([[done_button]]))


# --- outcome -> roadmap actions ------------------------------------------------------------


async def on_action_text(update: Update, context: BotContext, draft: Draft) -> None:
    """``title; owner; due date``: a roadmap action linked to the decision."""
    message, person = update.effective_message, context.person
    if message is None or message.text is None or person is None:
        return
    _ = context.tr
    proposal_id = int(draft.data["proposal"])
    added = await context.services.decisions.add_action(
        person.id, proposal_id, message.text, await actor_of(context), _.language
    )
    if not isinstance(added, ActionAdded):
        await message.reply_text(_refused(context, added))
        return
    zone = context.services.decisions.person_reader(person, None).zone
    action = added.action
    due = format_due(Due(action.due_date, action.due_time, action.due_zone), zone, _.language)
    text = _(
        "→ Action #{id}: {title} ({owners}, due {due})",
        id=action.id,
        title=action.title,
        owners=added.owner.name,
        due=due,
    )
    more = _("Type another action the same way, or tap Done.")
    done_button = InlineKeyboardButton(_("Done"), callback_data=ActionsDone(proposal_id).pack())
    await message.reply_text(
        Html(f"{text}\n{more}"), reply_markup=InlineKeyboardMarkup([[done_button]])
    )


async def on_actions_done(update: Update, context: BotContext) -> None:
    query, person = update.callback_query, context.person
    if query is None:
        return
    tap = ActionsDone.unpack_or_none(query.data)
    stopped = tap is not None and person is not None
    if stopped and person is not None:
        stopped = await context.services.drafts.delete(person.id, ACTIONS_KIND)
    if not stopped or tap is None:
        await query.answer(context.tr(rules.GONE), show_alert=True)
        return
    await query.answer()
    await context.bot.send_message(
        query.from_user.id,
        context.tr("Done. /decisions shows proposal #{id} with its actions.", id=tap.proposal_id),
    )


def _refused(context: BotContext, refused: Refusal | NotAllowed) -> Html:
    if isinstance(refused, NotAllowed):
        return context.tr(refused.reason, group="")
    return context.tr(refused.message, **refused.values)


# --- /decisions ------------------------------------------------------------------------------


async def decisions_command(update: Update, context: BotContext) -> None:
    """Open proposals with my answer, closed ones with their result and outcome."""
    message, person = update.effective_message, context.person
    if message is None or person is None:
        return
    _ = context.tr
    service = context.services.decisions
    query = " ".join(context.args or []).strip()
    group = None
    if query:
        groups = list((await service.groups()).values())
        group = find_group(groups, query)
        if group is None:
            await message.reply_text(unknown_group(_, query, groups))
            return
    elif message.chat.type != Chat.PRIVATE:  # a group's chat: that group's proposals
        group = await service.group_of_chat(message.chat_id)
    listed = await service.listed(person, await actor_of(context), group)
    if not listed.open and not listed.closed:
        await message.reply_text(_("No proposals yet."))
        return
    zone = service.person_reader(person, None).zone
    lines = await listing_lines(context, listed, zone)
    await reply(message, View(Html("\n".join(lines))))


def conversations() -> tuple[Conversation, ...]:
    return (
        *FORM.conversations(
            # Translators: completes “Stopped: …” after /cancel.
            N_("writing a proposal"),
            # Translators: completes “Stopped: …” after /cancel.
            N_("editing a proposal"),
            N_("Stop writing your proposal?"),
        ),
        # Translators: completes “Stopped: …” after /cancel.
        Conversation(REASON_KIND, on_reason_text, N_("giving the reason of your answer")),
        # Translators: completes “Stopped: …” after /cancel.
        Conversation(OUTCOME_KIND, on_outcome_text, N_("recording an outcome")),
        # Translators: completes “Stopped: …” after /cancel.
        Conversation(ACTIONS_KIND, on_action_text, N_("adding the actions of a decision")),
    )


def handlers() -> list[Route]:
    return [
        route(PROPOSE, propose_command),
        route(OUTCOME, outcome_command),
        route(DECISIONS, decisions_command),
        *FORM.button_handlers(),
        (CallbackQueryHandler(on_answer, pattern=AnswerTap.pattern()), 0),
        (CallbackQueryHandler(on_reason_tap, pattern=ReasonTap.pattern()), 0),
        (CallbackQueryHandler(on_actions_done, pattern=ActionsDone.pattern()), 0),
    ]
