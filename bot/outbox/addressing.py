"""Whom a feature may address a message to, across channels (docs/developers.md, "E-mail, the
second channel"): a person who started the bot has a Telegram chat; a person with an e-mail
address and no chat gets the stand-in chat of ``storage.outbox.mail_only_chat``. The outbox
then makes the rows their channels call for (Telegram, e-mail or both), or none."""

from __future__ import annotations

from storage import Person
from storage.outbox import mail_only_chat


def on_telegram(person: Person) -> bool:
    """Started the bot and never blocked it: the bot may write to them in private."""
    return person.telegram_id is not None and person.started_at is not None and person.reachable


def person_chat(person: Person) -> int | None:
    """The chat id to address a message to this person (None: no channel can reach them)."""
    if on_telegram(person) and person.telegram_id is not None:
        return person.telegram_id
    if person.email is not None:
        return mail_only_chat(person.id)
    return None
