"""The one gate every command passes: the right kind of chat, and the right role.

A feature routes each of its commands from its declaration in ``bot.commands``::

    route(ROSTER, roster_command)   # (CommandHandler("roster", <guarded>), 0)

The guard refuses, in one translated line, a command used in the wrong kind of chat or by
someone whose role is too low. Handlers that act on one working group check the group-level
role with :func:`refuse_unless` once they know the group. ``@command("roster")`` is the older
spelling of the same guard, kept while feature modules move to :func:`route`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Coroutine
from typing import Any

from telegram import Chat, Update
from telegram.ext import BaseHandler, CommandHandler

from bot.access import Actor, refusal, wrong_place
from bot.commands import Command, by_name
from bot.context import BotContext
from bot.i18n import N_
from bot.permissions import Role
from handlers.replies import answer

Handler = Callable[[Update, BotContext], Coroutine[Any, Any, None]]
Route = tuple[BaseHandler[Update, BotContext, None], int]

NOT_ALLOWED = N_("You are not allowed to do that.")


async def actor_of(context: BotContext) -> Actor | None:
    """The person behind the update with their roles (None for an anonymous sender), read
    once per update."""
    person = context.person
    if person is None:
        return None
    if context.actor is None or context.actor.person_id != person.id:
        context.actor = await context.services.groups.actor(person)
    return context.actor


def route(spec: Command, callback: Handler, group: int = 0) -> Route:
    """The guarded ``CommandHandler`` of a declared command, in handler group ``group``."""
    return CommandHandler(spec.name, guarded(spec, callback)), group


def guarded(spec: Command, handler: Handler) -> Handler:
    """``handler`` behind the place and role checks of ``spec``."""

    @functools.wraps(handler)
    async def guard(update: Update, context: BotContext) -> None:
        message = update.effective_message
        if message is None:
            return
        place = wrong_place(spec, private=message.chat.type == Chat.PRIVATE)
        if place is not None:
            await answer(message, context.tr(place, command=spec.name))
            return
        reason = await _command_refusal(context, spec.role)
        if reason is not None:
            await answer(message, context.tr(reason))
            return
        await handler(update, context)

    return guard


def command(name: str) -> Callable[[Handler], Handler]:
    """Guard a command handler with its place and role from the command table."""
    spec = by_name(name)
    return functools.partial(guarded, spec)


async def _command_refusal(context: BotContext, required: Role) -> str | None:
    """Why the sender may not use a command needing ``required``; None when they may."""
    if required <= Role.MEMBER:
        return None  # everyone is a member: no need to read their roles
    actor = await actor_of(context)
    return refusal(actor, required) if actor else NOT_ALLOWED


async def refuse_unless(
    update: Update, context: BotContext, required: Role, group_id: int, group_name: str
) -> bool:
    """Answer why and return True when the person lacks ``required`` in that group."""
    actor = await actor_of(context)
    reason = refusal(actor, required, group_id) if actor else NOT_ALLOWED
    if reason is None:
        return False
    message = update.effective_message
    text = context.tr(reason, group=group_name)
    if update.callback_query is not None:
        await update.callback_query.answer(text, show_alert=True)
    elif message is not None:
        await answer(message, text)
    return True
