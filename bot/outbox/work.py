"""The outbox's due work, registered in ``bot/app.py``'s ``DUE_WORK``: the sender, and the
retention that prunes final rows."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Final

from bot.meetings.rules import ANSWERS
from bot.ops import reporter_of
from bot.outbox.email import AnswerLinks, MailIdentity
from bot.outbox.mailer import MailConfig, Mailer
from bot.outbox.sender import LostChatNotices, Sender
from bot.outbox.service import OutboxService
from bot.web.links import answer_url
from config import Settings
from storage.outbox import OutboxEvent

if TYPE_CHECKING:
    from bot.context import WnmrcApplication

PRUNE_EVERY: Final = timedelta(hours=6)


def outbox_sender(application: WnmrcApplication) -> Sender:
    """The application's sender, held by its outbox service."""
    services = application.services
    notices = LostChatNotices(services.settings.secretariat_ids, services.i18n)
    sender = Sender(
        application.bot,
        services.repos,
        services.clock,
        services.outbox.delivery,
        lost_chats=notices,
        runtime=services.runtime,
        ops=reporter_of(application),
    )
    services.outbox.attach_sender(sender)
    services.runtime.when_ended(sender.runtime_ended)
    return sender


class OutboxRetention:
    """Prunes the final rows older than the retention, at start and every few hours."""

    name = "outbox-retention"

    def __init__(self, outbox: OutboxService, every: timedelta = PRUNE_EVERY) -> None:
        self.outbox = outbox
        self.every = every
        self._next: datetime | None = None

    async def next_due(self, now: datetime) -> datetime | None:
        return self._next or now

    async def run_due(self, now: datetime) -> None:
        await self.outbox.prune(now)
        self._next = now + self.every


def outbox_retention(application: WnmrcApplication) -> OutboxRetention:
    return OutboxRetention(application.services.outbox)


def outbox_mailer(application: WnmrcApplication) -> Mailer:
    """The e-mail sender (idle when ``WNMRC_SMTP_URL`` is unset)."""
    services = application.services
    settings = services.settings
    config = services.mail or MailConfig(rate_per_minute=settings.mail_rate_per_minute)
    return Mailer(
        services.repos,
        services.clock,
        services.i18n,
        settings.smtp_server(),
        MailIdentity(settings.mail_from or "WNMRC <wnmrc-bot@localhost>"),
        config,
        runtime=services.runtime,
        ops=reporter_of(application),
        answer_link=one_click_answers(settings),
        unsubscribe_link=unsubscribe_links(settings),
    )


def unsubscribe_links(settings: Settings) -> Callable[[str], str] | None:
    """The web face's one-click unsubscribe address (None: no web pages, a mailto only)."""
    root = settings.public_url
    if root is None:
        return None
    return lambda token: f"{root}/unsubscribe/{token}"


def one_click_answers(settings: Settings) -> AnswerLinks:
    """Going / Maybe / Can't go links signed by the web face, valid until the meeting ends."""

    def link(event: OutboxEvent, person_id: int, answer: str) -> str | None:
        chosen = next((known for known in ANSWERS if known == answer), None)
        if event.occurrence_id is None or chosen is None:
            return None
        return answer_url(settings, event.occurrence_id, person_id, chosen, event.end)

    return link
