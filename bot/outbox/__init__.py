"""The outbox: every message the bot sends on its own, queued with the change that causes it
and delivered by one sender within Telegram's limits.

``service`` (queue inside a unit of work, prune, forget, the summary), ``sender`` (the due work
that delivers), ``pacing`` (Telegram's limits as pure rules), ``claims`` (whose claims are
dead), ``rules`` (what /forgetme leaves of a text), ``work`` (the due work registered in
``bot/app.py``), ``report`` (the operator's report). The rows are ``storage/outbox.py``; the
/outbox command is ``handlers/outbox.py``.
"""

from bot.outbox.claims import orphaned_claimants, pid_alive, sender_identity
from bot.outbox.pacing import Pacer, RateLimits, Window, backoff, is_private_chat
from bot.outbox.report import outbox_report, render_report
from bot.outbox.sender import (
    LOST_CHAT_NOTICE,
    DeliveryConfig,
    LostChatNotices,
    Sender,
    lost_chat,
    retry_after_seconds,
)
from bot.outbox.service import Forgotten, NotInUnitError, OutboxService
from bot.outbox.work import OutboxRetention, outbox_mailer, outbox_retention, outbox_sender

__all__ = [
    "LOST_CHAT_NOTICE",
    "DeliveryConfig",
    "Forgotten",
    "LostChatNotices",
    "NotInUnitError",
    "OutboxRetention",
    "OutboxService",
    "Pacer",
    "RateLimits",
    "Sender",
    "Window",
    "backoff",
    "is_private_chat",
    "lost_chat",
    "orphaned_claimants",
    "outbox_mailer",
    "outbox_report",
    "outbox_retention",
    "outbox_sender",
    "pid_alive",
    "render_report",
    "retry_after_seconds",
    "sender_identity",
]
