"""/outbox (secretariat): what the bot has queued, sent and failed to send, per kind.

The outbox feature: ``bot/outbox/`` (the sender, the service), ``storage/outbox.py`` (the rows).
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.dates import format_skeleton
from telegram import Update
from telegram.ext import BaseHandler, CommandHandler

from bot.context import BotContext
from bot.formats import zone_name
from bot.i18n import N_, Translator
from bot.models import (
    OUTBOX_KINDS,
    OUTBOX_STATUSES,
    OutboxError,
    OutboxKind,
    OutboxStatus,
    OutboxSummary,
)
from bot.rendering import Html, bold
from handlers.guard import command

LATEST_ERRORS = 5
DESCRIPTION = N_("What the bot has queued, sent and failed to send")
"""The /outbox line of the command table (bot/commands.py) and menus."""

KIND_TITLES: dict[OutboxKind, str] = {
    "reminder": N_("Reminders"),
    "announcement": N_("Announcements"),
    "digest": N_("Digests"),
    "notice": N_("Notices"),
}
KIND_NAMES: dict[OutboxKind, str] = {
    "reminder": N_("reminder"),
    "announcement": N_("announcement"),
    "digest": N_("digest"),
    "notice": N_("notice"),
}
ERROR_STATES: dict[OutboxStatus, str] = {
    "queued": N_("will be retried"),
    "sending": N_("being sent"),
    "sent": N_("sent"),
    "unreachable": N_("unreachable"),
    "failed": N_("failed"),
}


def local_moment(moment: datetime, zone: str, language: str) -> str:
    """``moment`` in ``zone`` as "17 May 11:30 (Madrid)", written as ``language`` does."""
    try:
        tz = ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        tz, zone = ZoneInfo("UTC"), "UTC"
    here = moment.astimezone(tz)
    day = format_skeleton("MMMd", here, tzinfo=tz, locale=language)
    return f"{day} {here:%H:%M} ({zone_name(tz, language)})"


def render_summary(summary: OutboxSummary, tr: Translator, zone: str) -> Html:
    """The /outbox answer: a line per kind with its counts, the next due time, latest errors."""
    if not summary.counts:
        return tr("The outbox is empty: the bot has not queued any message yet.")
    lines: list[str] = [bold(tr("Outbox"))]
    for kind in OUTBOX_KINDS:
        counts = summary.counts.get(kind)
        if counts:
            lines.append(_kind_line(tr, kind, counts))
    if summary.by_email:
        parts = [
            _count(tr, status, n)
            for status in OUTBOX_STATUSES
            if (n := summary.by_email.get(status))
        ]
        # Translators: one line of /outbox: how many of the messages above went by e-mail.
        lines.append(tr("Of which by e-mail: {counts}", counts=Html(", ".join(parts))))
    if summary.next_due is not None:
        when = local_moment(summary.next_due, zone, tr.language)
        lines.append(tr("Next queued message due: {when}", when=when))
    if summary.latest_errors:
        lines += ["", bold(tr("Latest errors"))]
        lines += [_error_line(tr, error, zone) for error in summary.latest_errors]
    return Html("\n".join(lines))


def _kind_line(tr: Translator, kind: OutboxKind, counts: dict[OutboxStatus, int]) -> Html:
    parts = [_count(tr, status, n) for status in OUTBOX_STATUSES if (n := counts.get(status))]
    # Translators: one line of /outbox: the kind of message in bold (“Reminders”), then counts (“3
    # sent, 1 failed”).
    return tr("{kind}: {counts}", kind=bold(tr(KIND_TITLES[kind])), counts=Html(", ".join(parts)))


def _count(tr: Translator, status: OutboxStatus, n: int) -> Html:
    match status:
        case "queued":
            return tr.plural("{n} queued", "{n} queued", n)
        case "sending":
            return tr.plural("{n} being sent", "{n} being sent", n)
        case "sent":
            return tr.plural("{n} sent", "{n} sent", n)
        case "unreachable":
            return tr.plural("{n} unreachable", "{n} unreachable", n)
        case "failed":
            return tr.plural("{n} failed", "{n} failed", n)


def _error_line(tr: Translator, error: OutboxError, zone: str) -> Html:
    if error.channel == "email":
        # Translators: {kind} is “reminder”, “digest”…; {person} is the bot's number for the
        # person; {error} is the mail server's own text, in English.
        return tr(
            "• {when}: {kind} by e-mail to person #{person} ({state}): {error}",
            when=local_moment(error.at, zone, tr.language),
            kind=tr(KIND_NAMES[error.kind]),
            person=error.person_id,
            state=tr(ERROR_STATES[error.status]),
            error=_shorten(error.error),
        )
    # Translators: {kind} is “reminder”, “digest”…; {chat} is a Telegram chat id; {state} is
    # “failed”, “unreachable” or “will be retried”; {error} is Telegram's own text, in English.
    return tr(
        "• {when}: {kind} to chat {chat} ({state}): {error}",
        when=local_moment(error.at, zone, tr.language),
        kind=tr(KIND_NAMES[error.kind]),
        chat=error.chat_id,
        state=tr(ERROR_STATES[error.status]),
        error=_shorten(error.error),
    )


def _shorten(text: str, limit: int = 300) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


async def show_outbox(update: Update, context: BotContext) -> None:
    message = update.effective_message
    if message is None:
        return
    summary = await context.services.outbox.summary(errors=LATEST_ERRORS)
    person = context.person
    zone = (person.timezone if person else None) or context.settings.default_timezone
    await message.reply_text(render_summary(summary, context.tr, zone))


async def outbox_command(update: Update, context: BotContext) -> None:
    """/outbox behind the guard (looked up when used, so this module imports on its own)."""
    await command("outbox")(show_outbox)(update, context)


def handlers() -> list[tuple[BaseHandler[Update, BotContext, None], int]]:
    return [(CommandHandler("outbox", outbox_command), 0)]
