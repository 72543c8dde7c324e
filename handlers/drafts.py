"""Conversations kept in the database: typed answers reach the conversation waiting for them.

A feature with a multi-step conversation keeps its state in a draft (``context.repos.drafts``,
one per person and kind; docs/developers.md, "Conversations in drafts") and registers what to do
with a typed answer::

    drafts.register("profile", on_text, N_("filling in your profile"))

Private text that is not a command goes to the person's most recently touched draft of a
registered kind; with no draft waiting, the person is pointed to /help. ``/cancel`` drops every
draft of the person through :func:`cancel_all` and names what it stopped.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Final

from telegram import Update
from telegram.ext import BaseHandler, MessageHandler, filters

from bot.context import BotContext
from storage import Draft

OnText = Callable[[Update, BotContext, Draft], Awaitable[None]]


@dataclass(frozen=True)
class Conversation:
    """A kind of draft and what to do with the text its person types."""

    kind: str
    on_text: OnText
    description: str
    """What the person is doing, as a message id ("filling in your profile"), for /cancel."""


_CONVERSATIONS: Final[dict[str, Conversation]] = {}


def register(kind: str, on_text: OnText, description: str) -> None:
    """Route typed answers of drafts of ``kind`` to ``on_text`` (registering again replaces)."""
    _CONVERSATIONS[kind] = Conversation(kind, on_text, description)


def conversation(kind: str) -> Conversation | None:
    return _CONVERSATIONS.get(kind)


async def route_text(update: Update, context: BotContext) -> None:
    """Give private text to the conversation waiting for it, else say it was not understood."""
    person = context.person
    if person is not None:
        for draft in await context.repos.drafts.active(person.id):
            registered = _CONVERSATIONS.get(draft.kind)
            if registered is not None:
                await registered.on_text(update, context, draft)
                return
    await not_understood(update, context)


async def not_understood(update: Update, context: BotContext) -> None:
    """Private text that no conversation is waiting for: point to /help."""
    message = update.effective_message
    if message is not None:
        await message.reply_text(
            context.tr("I did not understand that. /help lists what you can do.")
        )


async def cancel_all(context: BotContext) -> list[str]:
    """Drop every draft of the person; what they were doing, translated, for each one."""
    person = context.person
    if person is None:
        return []
    stopped: list[str] = []
    for draft in await context.repos.drafts.active(person.id):
        await context.repos.drafts.delete(person.id, draft.kind)
        registered = _CONVERSATIONS.get(draft.kind)
        stopped.append(context.tr(registered.description) if registered else draft.kind)
    return stopped


def text_handler() -> BaseHandler[Update, BotContext, None]:
    """The catch-all for private text: registered after every feature's own handlers."""
    return MessageHandler(filters.ChatType.PRIVATE & filters.TEXT & ~filters.COMMAND, route_text)
