"""Privacy rules: the /mydata document and the /forgetme confirmation buttons.

What each table contributes to /mydata, and what /forgetme does to it, is declared next to the
SQL in ``storage/privacy.py``; a new feature that stores anything about a person adds its part
there.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Final

from bot.i18n import N_

FORGET_PREFIX: Final = "fgt"

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


@dataclass(frozen=True)
class ForgetAnswer:
    """A tap on a /forgetme button: delete or keep, and whose data the question was about."""

    confirm: bool
    person_id: int


def forget_button_data(confirm: bool, person_id: int) -> str:
    """Callback data of a /forgetme button, such as ``fgt:y:42`` (well under 64 bytes)."""
    return f"{FORGET_PREFIX}:{'y' if confirm else 'n'}:{person_id}"


def parse_forget_data(data: str) -> ForgetAnswer | None:
    """The answer a /forgetme button carries; None for anything else (forged or malformed)."""
    parts = data.split(":")
    if len(parts) != 3 or parts[0] != FORGET_PREFIX or parts[1] not in ("y", "n"):
        return None
    if not parts[2].isascii() or not parts[2].isdigit():
        return None
    return ForgetAnswer(confirm=parts[1] == "y", person_id=int(parts[2]))


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
