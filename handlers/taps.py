"""A tap on an inline button, read once: its typed data, who tapped and the tapped message.

Every button handler starts alike: no query, nothing to do; data that is not this kind's (forged
or from an older version) or a tap by nobody known is refused with one alert, "This button is
no longer valid.", and nothing changes. :func:`tapped` does that; the handler goes on with a
:class:`Tapped`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Generic, TypeVar

from telegram import CallbackQuery, Message, Update

from bot.context import BotContext
from bot.i18n import N_
from bot.models import Person
from bot.routing import CallbackData

STALE: Final = N_("This button is no longer valid.")

Data = TypeVar("Data", bound=CallbackData)


@dataclass(frozen=True)
class Tapped(Generic[Data]):
    """A button tapped by a known person, with its data unpacked."""

    query: CallbackQuery
    data: Data
    person: Person
    message: Message | None
    """The message under the button (None when Telegram no longer has it)."""


async def tapped(
    update: Update, context: BotContext, kind: type[Data], *, with_message: bool = False
) -> Tapped[Data] | None:
    """The tap on a button of ``kind``; None once a stale or forged one has been refused
    (also when ``with_message`` and the tapped message is gone)."""
    query = update.callback_query
    if query is None:
        return None
    data = kind.unpack_or_none(query.data)
    message = query.message if isinstance(query.message, Message) else None
    person = context.person
    if data is None or person is None or (with_message and message is None):
        await refuse_stale(query, context)
        return None
    return Tapped(query, data, person, message)


async def refuse_stale(query: CallbackQuery, context: BotContext) -> None:
    """Say in an alert that the button is no longer valid (nothing changed)."""
    await query.answer(context.tr(STALE), show_alert=True)
