"""The buttons of ``/myexperiences``, declared once each (``bot/routing.py``).

``xl`` lists the person's experiences, ``xm:<action>:<experience>`` acts on one (open, edit,
withdraw and its confirmation ``wd``, resubmit), ``xf:<experience>:<field>`` starts editing one
field. The steps of ``/submit`` and of editing a field (``xs``, ``xe``) are the step form's
buttons (``handlers/forms.py``).
"""

from __future__ import annotations

from typing import Annotated, Literal

from bot.routing import CallbackData, MaxLength, callback_data

MineAction = Literal["open", "edit", "withdraw", "wd", "resubmit"]


@callback_data("xl")
class MyExperiences(CallbackData):
    """Back to the list of the person's experiences."""


@callback_data("xm")
class MyExperience(CallbackData):
    """An action on one of the person's experiences."""

    action: MineAction
    experience_id: int


@callback_data("xf")
class EditField(CallbackData):
    """Start editing one field (a step name of ``/submit``) of a sent experience."""

    experience_id: int
    field: Annotated[str, MaxLength(16)]
