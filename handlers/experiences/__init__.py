"""/submit and /myexperiences: experiences written from a phone, edited, withdrawn.

``/submit`` walks through the steps of ``bot.experiences.STEPS``; every answer (and every photo
or document) is kept in the draft (kind ``experience``), so a restart resumes at the same step.
The preview shows the card as it will be published; Send hands the draft to the experiences
service (``bot/experiences/service.py``), which stores it as ``submitted``, queues a notice with
a Review button for the coordinators of its themes and the secretariat, and closes the draft,
all in one unit of work. ``/myexperiences`` lists the person's experiences; one can be edited
field by field (a draft of kind ``experience_edit``) while it is not in review, resubmitted
after changes were requested, or withdrawn while it is not yet decided.

Callback data: ``xs:<step>:<action>[:<argument>]`` for ``/submit``, the same with ``xe:`` for
editing one field (the step form's), and the kinds of ``bot/experiences/callbacks.py`` for
``/myexperiences``. A button is honoured only while its step is the one waiting in the
person's draft, or while the experience is the person's own and in a status that allows the
action; anything else is refused with an alert and changes nothing.
"""

from __future__ import annotations

from telegram.ext import CallbackQueryHandler, MessageHandler, filters

from bot.commands import MYEXPERIENCES, SUBMIT
from bot.conversations import Conversation
from bot.experiences.callbacks import EditField, MyExperience, MyExperiences
from bot.i18n import N_
from handlers.experiences.form import FORM, on_media, submit_command
from handlers.experiences.mine import myexperiences_command, on_mine_button
from handlers.guard import Route, route

__all__ = ["handlers"]


def conversations() -> tuple[Conversation, ...]:
    return FORM.conversations(
        # Translators: completes “Stopped: …” after /cancel.
        N_("writing an experience"),
        # Translators: completes “Stopped: …” after /cancel.
        N_("editing an experience"),
        N_("Stop writing your experience?"),
    )


def handlers() -> list[Route]:
    media = filters.ChatType.PRIVATE & (filters.PHOTO | filters.Document.ALL)
    return [
        route(SUBMIT, submit_command),
        route(MYEXPERIENCES, myexperiences_command),
        *FORM.button_handlers(),
        (CallbackQueryHandler(on_mine_button, pattern=MyExperience.pattern()), 0),
        (CallbackQueryHandler(on_mine_button, pattern=MyExperiences.pattern()), 0),
        (CallbackQueryHandler(on_mine_button, pattern=EditField.pattern()), 0),
        (MessageHandler(media, on_media), 0),
    ]
