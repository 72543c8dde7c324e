"""Pure rules of a person's channels: the codes that verify an address, and how a choice reads."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import datetime, timedelta
from typing import Final, Literal

from bot.i18n import N_

CODE_DIGITS: Final = 6
CODE_VALID: Final = timedelta(minutes=30)
CODE_ATTEMPTS: Final = 5
"""Wrong codes typed before the code stops working."""
CODE_RESEND_AFTER: Final = timedelta(minutes=1)

ChannelChoice = Literal["telegram", "email", "both"]
CHOICES: Final[tuple[ChannelChoice, ...]] = ("telegram", "email", "both")

CHOICE_LABELS: Final[dict[ChannelChoice | None, str]] = {
    "telegram": N_("Telegram"),
    "email": N_("e-mail"),
    "both": N_("Telegram and e-mail"),
    None: N_("automatically (Telegram once you have started the bot, else e-mail)"),
}
_CODE_SHAPE: Final = re.compile(r"\d{6}")

CodeCheck = Literal["right", "wrong", "expired", "none"]


def new_code() -> str:
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


def code_hash(person_id: int, code: str) -> str:
    """What is stored of a code: never the code itself."""
    return hashlib.sha256(f"{person_id}:{code}".encode()).hexdigest()


def typed_code(text: str) -> str | None:
    """The six digits a person typed (spaces allowed), or None."""
    digits = "".join(text.split())
    return digits if _CODE_SHAPE.fullmatch(digits) else None


def check_code(
    person_id: int,
    typed: str,
    stored_hash: str | None,
    expires_at: datetime | None,
    attempts: int,
    now: datetime,
) -> CodeCheck:
    """Whether the typed code is the one waiting, and still usable."""
    if stored_hash is None or expires_at is None:
        return "none"
    if expires_at <= now or attempts >= CODE_ATTEMPTS:
        return "expired"
    return "right" if hmac.compare_digest(code_hash(person_id, typed), stored_hash) else "wrong"


def may_resend(expires_at: datetime | None, now: datetime) -> bool:
    """A new code only a minute after the last one (the mailbox is not flooded)."""
    return expires_at is None or now >= expires_at - CODE_VALID + CODE_RESEND_AFTER
