"""The web face's one button: a new calendar feed address (``cfa:<group id>``, 0: the tapper's
own feed). Honoured only for the tapper's own feed or a group they coordinate."""

from __future__ import annotations

from bot.routing import CallbackData, callback_data


@callback_data("cfa")
class NewFeedAddress(CallbackData):
    """Replace a calendar feed address: the person's own (``group_id`` 0) or a group's."""

    group_id: int
