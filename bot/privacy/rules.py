"""Privacy rules: the /mydata document and the /forgetme confirmation buttons.

What each table contributes to /mydata, and what /forgetme does to it, is declared next to the
SQL in ``storage/privacy.py``; a new feature that stores anything about a person adds its part
there.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any, Final, Literal

from bot.i18n import N_
from bot.routing import CallbackData, callback_data

NOT_STORED: Final = (
    N_("What you write in group chats: only when the bot last saw you write there."),
    N_(
        "Our private chat: only the answers of a conversation still in progress "
        "(listed under drafts)."
    ),
    N_("Your phone number, photos, location or contacts."),
    N_(
        "When something fails, the server’s technical log may name our chat; "
        "that log is kept apart from this database."
    ),
    N_("Telegram keeps its own copy of our chat: delete the chat in Telegram to remove it."),
)
"""What the bot does not store about a person (message ids, translated for the reader)."""


@callback_data("fgt")
class ForgetButton(CallbackData):
    """A tap on a /forgetme button: delete (``y``) or keep (``n``), and whose data it was."""

    answer: Literal["y", "n"]
    person_id: int

    @property
    def confirm(self) -> bool:
        return self.answer == "y"


def export_filename(day: date) -> str:
    """The /mydata file name, dated in the person's own time zone."""
    return f"wnmrc-my-data-{day.isoformat()}.json"


def personal_document(
    data: Mapping[str, Any],
    *,
    generated_at: datetime,
    about: str,
    not_stored: Sequence[str],
) -> bytes:
    """The /mydata JSON document: a note, then every section of the person's data."""
    document: dict[str, Any] = {
        "about": about,
        "generated_at": generated_at.isoformat(),
        "not_stored": list(not_stored),
        **data,
    }
    text = json.dumps(document, ensure_ascii=False, indent=2, sort_keys=False)
    return (text + "\n").encode("utf-8")
