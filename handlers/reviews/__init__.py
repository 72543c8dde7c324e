"""/review, /rank, /shortlist, /vote, /select, /experiences: from review to publishing.

One feature in three modules by concept: ``review`` (the queue, scores, comment, decision),
``selection`` (ranking, shortlist, the vote round, the final selection), ``browse``
(``/experiences`` and the export). The rules and use cases are in ``bot/reviews/``.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.context import BotContext
from bot.i18n import N_
from bot.reviews.callbacks import REVIEW_BUTTONS, CastVote
from handlers import drafts
from handlers.reviews.browse import experiences_command, export_experiences
from handlers.reviews.review import KIND, on_review_button, on_review_text, review_command
from handlers.reviews.selection import (
    on_vote_button,
    rank_command,
    select_command,
    shortlist_command,
    vote_command,
)

__all__ = ["export_experiences", "handlers"]


def handlers() -> list[tuple[BaseHandler[Update, BotContext, None], int]]:
    review_buttons = [
        (CallbackQueryHandler(on_review_button, pattern=kind.pattern()), 0)
        for kind in REVIEW_BUTTONS
    ]
    return [
        (CommandHandler("review", review_command), 0),
        (CommandHandler("rank", rank_command), 0),
        (CommandHandler("shortlist", shortlist_command), 0),
        (CommandHandler("vote", vote_command), 0),
        (CommandHandler("select", select_command), 0),
        (CommandHandler("experiences", experiences_command), 0),
        *review_buttons,
        (CallbackQueryHandler(on_vote_button, pattern=CastVote.pattern()), 0),
    ]


# Translators: completes “Stopped: …” after /cancel.
drafts.register(KIND, on_review_text, N_("reviewing an experience"))
