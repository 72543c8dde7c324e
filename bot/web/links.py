"""Signed, expiring one-click answer links (docs/developers.md, "The web face").

A link says "person P answers A to occurrence O" until an expiry, signed with HMAC-SHA256:

    {WNMRC_PUBLIC_URL}/answer/{occurrence}/{person}/{answer}/{expires}/{signature}

``expires`` is a Unix time; the signature covers all four values, so changing any of them
(another person, another answer, a later expiry) makes the link invalid. The key is
``WNMRC_WEB_SECRET`` when set, else derived from the bot token (HMAC of a fixed label with the
token): nothing more to configure, and revoking the token also revokes every link sent.

Opening a link (GET) only shows a page with a confirm button; the answer is recorded by the
button's POST, so mail scanners that fetch every link of a message never answer for anyone.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import Enum
from typing import Final

from bot.meetings.rules import ANSWERS, Answer
from config import Settings

ANSWER_PATH: Final = "/answer"
_LABEL: Final = b"wnmrc-bot web links v1"


class LinkProblem(Enum):
    """Why a link cannot be used."""

    INVALID = "invalid"
    """Malformed or tampered with: the signature does not match."""
    EXPIRED = "expired"


@dataclass(frozen=True)
class SignedAnswer:
    """What a valid link asks for."""

    occurrence_id: int
    person_id: int
    answer: Answer
    expires_at: datetime


def signing_key(settings: Settings) -> bytes:
    """``WNMRC_WEB_SECRET``, else a key derived from the bot token."""
    if settings.web_secret is not None:
        return settings.web_secret.get_secret_value().strip().encode()
    token = settings.require_token().encode()
    return hmac.new(token, _LABEL, hashlib.sha256).digest()


def _signature(key: bytes, occurrence_id: int, person_id: int, answer: str, expires: int) -> str:
    message = f"answer:{occurrence_id}:{person_id}:{answer}:{expires}".encode()
    digest = hmac.new(key, message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def answer_path(
    settings: Settings, occurrence_id: int, person_id: int, answer: Answer, expires_at: datetime
) -> str:
    """The link's path (without the public address): what the web pages route."""
    if answer not in ANSWERS:
        raise ValueError(f"not an answer: {answer!r}")
    expires = int(expires_at.astimezone(UTC).timestamp())
    signature = _signature(signing_key(settings), occurrence_id, person_id, answer, expires)
    return f"{ANSWER_PATH}/{occurrence_id}/{person_id}/{answer}/{expires}/{signature}"


def answer_url(
    settings: Settings, occurrence_id: int, person_id: int, answer: Answer, expires_at: datetime
) -> str | None:
    """The signed link that records ``answer`` for the person, valid until ``expires_at``
    (the occurrence's end is a good choice); None when no WNMRC_PUBLIC_URL is set."""
    if settings.public_url is None:
        return None
    path = answer_path(settings, occurrence_id, person_id, answer, expires_at)
    return settings.public_url + path


def verify_answer(
    settings: Settings,
    occurrence: str,
    person: str,
    answer: str,
    expires: str,
    signature: str,
    now: datetime,
) -> SignedAnswer | LinkProblem:
    """The answer a link's parts ask for, or why they cannot be used (checked in that order:
    the signature, then the expiry — an expired forgery is reported as invalid)."""
    if not (occurrence.isdigit() and person.isdigit() and expires.isdigit()):
        return LinkProblem.INVALID
    if answer not in ANSWERS or len(occurrence) > 18 or len(person) > 18 or len(expires) > 12:
        return LinkProblem.INVALID
    expected = _signature(signing_key(settings), int(occurrence), int(person), answer, int(expires))
    if not hmac.compare_digest(expected.encode(), signature.encode()):
        return LinkProblem.INVALID
    expires_at = datetime.fromtimestamp(int(expires), UTC)
    if expires_at <= now:
        return LinkProblem.EXPIRED
    checked: Answer = next(a for a in ANSWERS if a == answer)
    return SignedAnswer(int(occurrence), int(person), checked, expires_at)
