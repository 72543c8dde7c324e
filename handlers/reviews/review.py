"""/review and the review buttons: the queue, the card, scores, a comment, the decision.

Parses the command, the buttons (``bot/reviews/callbacks.py``) and typed comments, calls the
reviews service (``bot/reviews/service.py``) and renders what it answers. A review in progress
is a draft of kind ``review`` (it survives a restart).
"""

from __future__ import annotations

from typing import Final

from telegram import CallbackQuery, Chat, InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot import reviews as rules
from bot.access import Actor
from bot.context import BotContext
from bot.formats import format_score
from bot.i18n import N_, Translator
from bot.models import Draft, Experience
from bot.profile import Refusal
from bot.rendering import Html, bold
from bot.reviews.callbacks import (
    SCORE_DIGITS,
    Decide,
    Decision,
    OpenReview,
    ScoreCriterion,
    SkipComment,
)
from bot.reviews.rules import explain
from bot.reviews.service import (
    KIND,
    CommentSaved,
    Decided,
    Later,
    NextCriterion,
    NoteAsked,
    ReviewOpened,
    ReviewsService,
    ScoresSaved,
    Typed,
)
from handlers.guard import actor_of, command
from handlers.reviews.common import edit, reply

PRIVATE_ONLY: Final = N_("Use /{command} in your private chat with me.")
SHOWN_AT_MOST: Final = 30
NO_LONGER_WAITING: Final = N_("That experience is no longer waiting for a review.")


def _service(context: BotContext) -> ReviewsService:
    return context.services.reviews


@command("review")
async def review_command(update: Update, context: BotContext) -> None:
    _ = context.tr
    queue = await _service(context).queue(await actor_of(context))
    if not queue:
        await reply(update, _("Nothing is waiting for your review."))
        return
    groups = await _service(context).groups()
    shown = queue[:SHOWN_AT_MOST]
    lines = [bold(_.plural("{n} experience to review:", "{n} experiences to review:", len(queue)))]
    lines += [rules.render_queue_line(_, e, groups) for e in shown]
    buttons = [
        [InlineKeyboardButton(_("Review #{id}", id=e.id), callback_data=OpenReview(e.id).pack())]
        for e in shown
    ]
    message = update.effective_message
    assert message is not None
    *before, last = rules.card_parts(Html("\n".join(lines)))
    for part in before:
        await message.reply_text(part)
    await message.reply_text(last, reply_markup=InlineKeyboardMarkup(buttons))


# --- the review buttons ---------------------------------------------------------------------


async def on_review_button(update: Update, context: BotContext) -> None:
    query = update.callback_query
    if query is None or context.person is None:
        return
    _ = context.tr
    data = query.data
    tap = (
        OpenReview.unpack_or_none(data)
        or ScoreCriterion.unpack_or_none(data)
        or SkipComment.unpack_or_none(data)
        or Decide.unpack_or_none(data)
    )
    actor = await actor_of(context)
    if tap is None or actor is None:
        await _alert(query, _(rules.STALE))
        return
    if not _in_private(query):
        await _alert(query, _(PRIVATE_ONLY, command="review"))
        return
    if isinstance(tap, OpenReview):
        await _open(query, context, actor, tap.experience_id)
    elif isinstance(tap, ScoreCriterion):
        outcome = await _service(context).score(actor, tap.experience_id, tap.criterion, tap.value)
        await _after_score(query, context, outcome)
    elif isinstance(tap, SkipComment):
        skipped = await _service(context).skip_comment(actor, tap.experience_id)
        if isinstance(skipped, Refusal):
            await _alert(query, explain(_, skipped))
            return
        await query.answer()
        await edit(query, _decide_prompt(_, skipped), _decide_keyboard(_, skipped))
    else:
        decided = await _service(context).decide(actor, tap.experience_id, tap.decision)
        await _after_decision(query, context, decided)


def _in_private(query: CallbackQuery) -> bool:
    """Review and vote buttons live in private chats only (a forged one elsewhere is refused)."""
    message = query.message
    return message is not None and message.chat.type == Chat.PRIVATE


async def _alert(query: CallbackQuery, text: str) -> None:
    await query.answer(text, show_alert=True)


async def _open(
    query: CallbackQuery, context: BotContext, actor: Actor, experience_id: int
) -> None:
    """The card, then the first criterion with its 1-5 buttons; a draft keeps the scores."""
    chat_id = query.message.chat.id if query.message else actor.telegram_id
    opened = await _service(context).open(actor, experience_id, chat_id)
    if isinstance(opened, Refusal):
        await _alert(query, explain(context.tr, opened))
        return
    await query.answer()
    await _send_card(context, chat_id or 0, opened)
    text, markup = _score_prompt(context, opened.experience, 0, opened.replaces)
    await context.bot.send_message(chat_id or 0, text, reply_markup=markup)


async def _send_card(context: BotContext, chat_id: int, opened: ReviewOpened) -> None:
    card = rules.render_card(context.tr, opened.experience, opened.groups, full=True)
    for part in rules.card_parts(card):
        await context.bot.send_message(chat_id, part)


def _score_prompt(
    context: BotContext, experience: Experience, index: int, replaces: bool
) -> tuple[str, InlineKeyboardMarkup]:
    _ = context.tr
    criteria = _service(context).criteria
    lines = [
        _("Review of #{id} {title}", id=experience.id, title=experience.title),
        _(
            "Criterion {number} of {total}: {criterion}",
            number=index + 1,
            total=len(criteria),
            criterion=rules.criterion_label(_, criteria[index]),
        ),
        _("Score from 1 (weak) to 5 (excellent)."),
    ]
    if replaces and index == 0:
        lines.append(_("You reviewed it before: your new scores will replace the earlier ones."))
    row = [
        InlineKeyboardButton(
            digit, callback_data=ScoreCriterion(experience.id, index, digit).pack()
        )
        for digit in SCORE_DIGITS
    ]
    return "\n".join(lines), InlineKeyboardMarkup([row])


async def _after_score(
    query: CallbackQuery, context: BotContext, outcome: NextCriterion | ScoresSaved | Refusal
) -> None:
    _ = context.tr
    if isinstance(outcome, Refusal):
        await _alert(query, explain(_, outcome))
        return
    await query.answer()
    if isinstance(outcome, NextCriterion):
        text, markup = _score_prompt(context, outcome.experience, outcome.index, False)
        await edit(query, text, markup)
        return
    experience = outcome.experience
    lines = [
        _(
            "Scores saved for #{id}: mean {mean}.",
            id=experience.id,
            mean=format_score(outcome.mean, _.language),
        )
    ]
    if outcome.replaced:
        lines.append(_("They replace your earlier scores."))
    lines.append(_("Type a comment for the other reviewers, or skip it."))
    skip = InlineKeyboardButton(_("Skip"), callback_data=SkipComment(experience.id).pack())
    await edit(query, "\n".join(lines), InlineKeyboardMarkup([[skip]]))


def _decide_prompt(_: Translator, experience: Experience) -> str:
    return _("What do you decide on #{id} {title}?", id=experience.id, title=experience.title)


def _decide_keyboard(_: Translator, experience: Experience) -> InlineKeyboardMarkup:
    def button(label: str, decision: Decision) -> InlineKeyboardButton:
        return InlineKeyboardButton(label, callback_data=Decide(experience.id, decision).pack())

    return InlineKeyboardMarkup(
        [
            [button(_("Accept"), "a"), button(_("Request changes"), "c")],
            [button(_("Decline"), "d"), button(_("Decide later"), "l")],
        ]
    )


async def _after_decision(
    query: CallbackQuery, context: BotContext, decided: Later | NoteAsked | Decided | Refusal
) -> None:
    _ = context.tr
    if isinstance(decided, Refusal):
        await _alert(query, explain(_, decided))
        return
    await query.answer()
    if isinstance(decided, Later):
        await edit(query, _("Saved. Decide later from /review."), None)
    elif isinstance(decided, NoteAsked):
        ask = (
            _("Type the note for the author: what should change?")
            if decided.target == "changes_requested"
            else _("Type the reason for declining, for the author.")
        )
        await edit(query, ask, None)
    else:
        done = _("#{id} is accepted. The author has been told.", id=decided.experience.id)
        await edit(query, done, None)


# --- typed text ---------------------------------------------------------------------------


async def on_review_text(update: Update, context: BotContext, draft: Draft) -> None:
    """A typed comment (after the scores) or note to the author (after the decision)."""
    message = update.effective_message
    actor = await actor_of(context)
    if message is None or actor is None or not message.text:
        return
    _ = context.tr
    written = await _service(context).write(actor, draft, message.text.strip())
    if isinstance(written, Refusal):
        await message.reply_text(explain(_, written))
    elif isinstance(written, CommentSaved):
        saved = _("Comment saved.")
        await message.reply_text(
            f"{saved}\n{_decide_prompt(_, written.experience)}",
            reply_markup=_decide_keyboard(_, written.experience),
        )
    elif isinstance(written, Decided):
        await message.reply_text(_decision_done(_, written))
    elif written is Typed.NO_LONGER_WAITING:
        await message.reply_text(_(NO_LONGER_WAITING))
    else:
        await message.reply_text(_("Use the buttons above, or /cancel."))


def _decision_done(_: Translator, decided: Decided) -> str:
    experience_id = decided.experience.id
    if decided.status == "changes_requested":
        return _("Changes requested on #{id}. The author has been told.", id=experience_id)
    return _("#{id} is declined. The author has been told.", id=experience_id)


__all__ = ["KIND", "on_review_button", "on_review_text", "review_command"]
