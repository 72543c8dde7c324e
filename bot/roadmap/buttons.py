"""Every button of the roadmap, declared once as typed callback data.

``rp`` pages through /roadmap and /mytasks, ``rg`` changes an action's status under /progress;
the /action form's buttons are its step form's (``ra``, ``rae``: ``handlers/forms.py``).
"""

from __future__ import annotations

from typing import Annotated, Literal

from bot.routing import CallbackData, MaxLength, callback_data

StatusCode = Literal["planned", "in_progress", "done", "blocked", "dropped"]


@callback_data("rp")
class RoadmapPage(CallbackData):
    """A page of a listing: ``scope`` is a group's slug, ``all`` or ``mine``."""

    scope: Annotated[str, MaxLength(24)]
    page: int


@callback_data("rg")
class StatusChange(CallbackData):
    """A status button under /progress ID."""

    action_id: int
    status: StatusCode
