"""``/myexperiences``: the person's experiences; one is opened, edited field by field while
it is not in review, resubmitted after changes were requested, or withdrawn.

Callback data: the kinds of ``bot/experiences/callbacks.py``. A button is honoured only while
the experience is the person's own and in a status that allows the action; anything else is
refused with an alert and changes nothing.
"""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Update

from bot import experiences as rules
from bot.context import BotContext
from bot.experiences import STEP_NAMES, STEPS
from bot.experiences.callbacks import EditField, MyExperience, MyExperiences
from bot.i18n import N_
from bot.models import Experience, Person
from handlers.experiences.form import EDIT, FORM
from handlers.experiences.views import (
    experience_view,
    list_view,
    locked,
    service,
    theme_labels,
)
from handlers.form_parts import (
    Button,
    View,
    answer_tap_with,
    reply,
    rows_of,
)


async def myexperiences_command(update: Update, context: BotContext) -> None:
    """The person's experiences with their statuses."""
    message = update.effective_message
    person = context.person
    if message is None or person is None:
        return
    mine = await service(context).open_list(person.id)
    await reply(message, list_view(context, mine))


async def on_mine_button(update: Update, context: BotContext) -> None:
    """A tap on /myexperiences or on one of the person's experiences."""
    query = update.callback_query
    if query is None:
        return
    person, data = context.person, query.data
    view: View | None = None
    if person is not None:
        view = await _answer_mine(context, person, data)
    await answer_tap_with(query, context, view)


# --- /myexperiences ----------------------------------------------------------------------


async def _answer_mine(context: BotContext, person: Person, data: str | None) -> View | None:
    """A tap on /myexperiences or on one experience; None when forged or stale."""
    if MyExperiences.unpack_or_none(data) is not None:
        return list_view(context, await service(context).mine(person.id))
    field = EditField.unpack_or_none(data)
    if field is not None:
        return await _start_edit(context, person, field)
    tap = MyExperience.unpack_or_none(data)
    if tap is None:
        return None
    experience = await service(context).own(person.id, tap.experience_id)
    if experience is None:
        return None
    return await _mine_action(context, person, experience, tap.action)


async def _mine_action(
    context: BotContext, person: Person, experience: Experience, action: str
) -> View | None:
    if action == "open":
        return experience_view(context, experience, await theme_labels(context))
    if not experience.is_open:
        return None
    if action == "edit":
        return await _edit_menu(context, experience)
    if action == "withdraw":
        return _withdraw_question(context, experience)
    if action == "wd":
        withdrawn = await service(context).withdraw(person.id, experience.id)
        return await _after_change(context, withdrawn, N_("“{title}” is withdrawn."))
    if action == "resubmit" and experience.status == "changes_requested":
        again = await service(context).resubmit(person, experience.id)
        return await _after_change(context, again, N_("“{title}” was sent again for review."))
    return None


async def _after_change(
    context: BotContext, experience: Experience | None, note: str
) -> View | None:
    """The experience in its new status with a note naming it; None when it did not move."""
    if experience is None:
        return None
    text = context.tr(note, title=experience.title)
    return experience_view(context, experience, await theme_labels(context), text)


async def _edit_menu(context: BotContext, experience: Experience) -> View:
    tr = context.tr
    refused = await locked(context, experience)
    if refused is not None:
        return refused
    back = Button(tr("« Back"), callback_data=MyExperience("open", experience.id).pack())
    buttons = [
        Button(tr(s.label), callback_data=EditField(experience.id, s.name).pack()) for s in STEPS
    ]
    text = tr("Which part do you want to change?")
    return View(text, InlineKeyboardMarkup([*rows_of(buttons, 2), [back]]))


def _withdraw_question(context: BotContext, experience: Experience) -> View:
    tr = context.tr
    buttons = [
        Button(tr("Yes, withdraw it"), callback_data=MyExperience("wd", experience.id).pack()),
        Button(tr("No"), callback_data=MyExperience("open", experience.id).pack()),
    ]
    text = tr(
        "Withdraw “{title}”? The reviewers will no longer consider it. This cannot be undone.",
        title=experience.title,
    )
    return View(text, InlineKeyboardMarkup([buttons]))


async def _start_edit(context: BotContext, person: Person, tap: EditField) -> View | None:
    """Editing one field: refused in one line while the experience is in review."""
    experience = await service(context).own(person.id, tap.experience_id)
    if experience is None or not experience.is_open or tap.field not in STEP_NAMES:
        return None
    refused = await locked(context, experience)
    if refused is not None:
        return refused
    answers = {"experience_id": experience.id, **rules.answers_of(experience)}
    await FORM.save(context, EDIT, person.id, tap.field, answers, person.telegram_id)
    return await FORM.step_view(context, EDIT, tap.field, answers, None)
