"""One handler in front of a group's handlers: tries only those that can match the update.

PTB tries a group's handlers in turn until one matches. The bot's group 0 holds over a hundred
(a command handler per command, a button handler per kind of button), so a plain text was
checked against every one of them. :class:`Dispatcher` keeps the same handlers in the same
order but indexes them: a command goes to the handlers of its name, a button to those of its
prefix (``bot.routing``), and every update also to the handlers no key describes. Among those
it tries them in registration order, as PTB would, so the first that matches still wins, and
that handler handles the update exactly as it would have.

A command handler is indexed only with PTB's default filter (messages and edited messages):
it can then match nothing but a command of its own name. A button handler is indexed only when
its pattern is a declared kind's (``^prefix(?::|$)``): it can then match nothing but data of
that prefix. Every other handler is tried for every update.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, cast

from telegram import MessageEntity, Update
from telegram.ext import (
    Application,
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    filters,
)

from bot.context import BotContext
from bot.routing import SEPARATOR, callback_prefixes

Handler = BaseHandler[Update, BotContext, Any]
Candidates = tuple[Handler, ...]


class Dispatcher(BaseHandler[Update, BotContext, Any]):
    """A group's handlers behind one, indexed by command name and button prefix."""

    __slots__ = ("_by_command", "_by_prefix", "_others", "handlers")

    def __init__(self, handlers: Sequence[Handler]) -> None:
        super().__init__(_never_called)
        if any(handler.block is False for handler in handlers):
            raise ValueError("a Dispatcher awaits every handler: none may be non-blocking")
        self.handlers: Candidates = tuple(handlers)
        """Every handler, in the order PTB would try them."""
        commands = _keyed(self.handlers, _command_names)
        buttons = _keyed(self.handlers, _button_prefixes)
        indexed = {id(h) for group in (*commands.values(), *buttons.values()) for h in group}
        self._others = tuple(h for h in self.handlers if id(h) not in indexed)
        self._by_command = {name: self._in_order(found) for name, found in commands.items()}
        self._by_prefix = {prefix: self._in_order(found) for prefix, found in buttons.items()}

    def _in_order(self, keyed: Iterable[Handler]) -> Candidates:
        """These handlers and the unindexed ones, in registration order."""
        chosen = {id(h) for h in keyed} | {id(h) for h in self._others}
        return tuple(h for h in self.handlers if id(h) in chosen)

    def candidates(self, update: object) -> Candidates:
        """The handlers that can match ``update``, in the order PTB would try them."""
        if not isinstance(update, Update):
            return self._others
        query = update.callback_query
        if query is not None:
            data = query.data
            if isinstance(data, str) and data:
                return self._by_prefix.get(data.split(SEPARATOR, 1)[0], self._others)
            return self.handlers  # PTB passes a button without data to any button handler
        name = command_name(update)
        if name is not None:
            return self._by_command.get(name, self._others)
        return self._others

    def check_update(self, update: object) -> tuple[Handler, object] | None:
        for handler in self.candidates(update):
            check = handler.check_update(update)
            if check is not None and check is not False:
                return handler, check
        return None

    async def handle_update(
        self,
        update: Update,
        application: Application[Any, BotContext, Any, Any, Any, Any],
        check_result: object,
        context: BotContext,
    ) -> Any:
        handler, check = cast(tuple[Handler, object], check_result)
        return await handler.handle_update(update, application, check, context)


def command_name(update: Update) -> str | None:
    """The command an update's message starts with, as ``CommandHandler`` reads it."""
    message = update.effective_message
    if message is None or not message.entities or not message.text:
        return None
    first = message.entities[0]
    if first.type != MessageEntity.BOT_COMMAND or first.offset != 0:
        return None
    return message.text[1 : first.length].split("@", 1)[0].lower()


def _command_names(handler: Handler) -> frozenset[str]:
    if isinstance(handler, CommandHandler) and handler.filters is filters.UpdateType.MESSAGES:
        return handler.commands
    return frozenset()


def _button_prefixes(handler: Handler) -> frozenset[str]:
    """The prefix of a button handler whose pattern is a declared kind's (none otherwise)."""
    if not isinstance(handler, CallbackQueryHandler) or handler.pattern is None:
        return frozenset()
    pattern = getattr(handler.pattern, "pattern", None)
    return frozenset(
        prefix for prefix, kind in callback_prefixes().items() if kind.pattern().pattern == pattern
    )


def _keyed(
    handlers: Iterable[Handler], keys_of: Callable[[Handler], frozenset[str]]
) -> dict[str, list[Handler]]:
    """The handlers under each key they can be found by, in their order."""
    found: dict[str, list[Handler]] = {}
    for handler in handlers:
        for key in keys_of(handler):
            found.setdefault(key, []).append(handler)
    return found


def every_handler(application: Application[Any, Any, Any, Any, Any, Any]) -> Iterator[Handler]:
    """Every handler of the application, those behind a dispatcher included."""
    for handlers in application.handlers.values():
        for handler in handlers:
            if isinstance(handler, Dispatcher):
                yield from handler.handlers
            else:
                yield handler


async def _never_called(update: Update, context: BotContext) -> None:
    """The dispatcher's own callback: the handler it chose handles the update instead."""
    raise AssertionError("a Dispatcher hands each update to the handler it chose")
