"""How an experience looks to its author: its card with the buttons its status allows, the
list of ``/myexperiences``, and the experiences service they come from."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from telegram import InlineKeyboardMarkup

from bot import experiences as rules
from bot.context import BotContext
from bot.experiences.callbacks import MyExperience, MyExperiences
from bot.experiences.service import ExperiencesService
from bot.models import Experience
from bot.rendering import Html, echo
from handlers.form_parts import (
    Button,
    Rows,
    View,
    refusal,
    rows_of,
)

LIST_LIMIT: Final = 30
"""/myexperiences shows the most recent this many."""
BUTTON_TITLE: Final = 40


def service(context: BotContext) -> ExperiencesService:
    return context.services.experiences


async def theme_labels(context: BotContext) -> dict[str, str]:
    """Theme slug -> the working group's name in the reader's language."""
    return await service(context).theme_names(context.tr.language)


async def locked(context: BotContext, experience: Experience) -> View | None:
    """The card with the one-line reason when its text may not change now; None if it may."""
    refused = rules.edit_refusal(experience)
    if refused is None:
        return None
    themes = await theme_labels(context)
    return experience_view(context, experience, themes, refusal(context, refused))


def list_view(context: BotContext, mine: list[Experience]) -> View:
    _ = context.tr
    if not mine:
        return View(_("You have not shared any experience yet. /submit shares one."))
    lines: list[str] = [_("<b>Your experiences</b>")]
    buttons: list[Button] = []
    for experience in mine[:LIST_LIMIT]:
        status = _(rules.STATUS_LABELS[experience.status])
        lines.append(_("• {title}: {status}", title=experience.title, status=status))
        buttons.append(
            Button(
                echo(experience.title, BUTTON_TITLE),
                callback_data=MyExperience("open", experience.id).pack(),
            )
        )
    lines += ["", _("Tap one to see it, edit it or withdraw it.")]
    return View(Html("\n".join(lines)), InlineKeyboardMarkup(rows_of(buttons, 1)))


def experience_view(
    context: BotContext,
    experience: Experience,
    themes: Mapping[str, str],
    note: Html | None = None,
) -> View:
    _ = context.tr
    lines: list[str] = [note, ""] if note else []
    answers = rules.answers_of(experience)
    lines.append(rules.card(_, answers, themes, status=experience.status))
    if experience.decision_note and experience.status in ("changes_requested", "declined"):
        lines += ["", _("<b>Reviewer’s note:</b> {note}", note=experience.decision_note)]
    rows: Rows = []
    if experience.status == "changes_requested":
        resubmit = MyExperience("resubmit", experience.id).pack()
        rows.append([Button(_("Resubmit"), callback_data=resubmit)])
    if experience.is_open:
        withdraw = Button(
            _("Withdraw"), callback_data=MyExperience("withdraw", experience.id).pack()
        )
        edit = Button(_("Edit"), callback_data=MyExperience("edit", experience.id).pack())
        rows.append([edit, withdraw] if rules.may_edit(experience.status) else [withdraw])
    rows.append([Button(_("« My experiences"), callback_data=MyExperiences().pack())])
    return View(Html("\n".join(lines)), InlineKeyboardMarkup(rows))
