"""The operator's report (``wnmrc-bot outbox``), in English: counts per kind and status, the
next due time and the latest errors."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

from config import Settings
from storage import Database
from storage.outbox import OUTBOX_KINDS, OUTBOX_STATUSES, OutboxRepository, OutboxSummary


async def outbox_report(settings: Settings) -> str:
    """Counts per kind and status, the next due time and the latest errors, as plain text."""
    db = await Database.open(settings.database_path)
    try:
        summary = await OutboxRepository(db).summary(errors=5)
    except sqlite3.OperationalError as error:
        if "no such table" not in str(error):
            raise
        return f"{settings.database_path}: no outbox yet (run `wnmrc-bot migrate`)"
    finally:
        await db.close()
    return render_report(summary, str(settings.database_path))


def render_report(summary: OutboxSummary, where: str) -> str:
    """The summary as an aligned plain-text table."""
    lines = [f"Outbox of {where}"]
    header = f"{'kind':<14}" + "".join(f"{status:>13}" for status in OUTBOX_STATUSES)
    lines.append(header)
    for kind in OUTBOX_KINDS:
        counts = summary.counts.get(kind, {})
        cells = "".join(f"{counts.get(status, 0):>13}" for status in OUTBOX_STATUSES)
        lines.append(f"{kind:<14}{cells}")
    totals = "".join(f"{summary.count(status=status):>13}" for status in OUTBOX_STATUSES)
    lines.append(f"{'total':<14}{totals}")
    if summary.by_email:
        email = "".join(f"{summary.by_email.get(status, 0):>13}" for status in OUTBOX_STATUSES)
        lines.append(f"{'  by e-mail':<14}{email}")
    due = summary.next_due
    lines.append(f"next queued message due: {_utc(due) if due else 'none'}")
    if not summary.latest_errors:
        lines.append("latest errors: none")
        return "\n".join(lines)
    lines.append("latest errors:")
    for error in summary.latest_errors:
        to = (
            f"by e-mail to person {error.person_id}"
            if error.channel == "email"
            else f"to chat {error.chat_id}"
        )
        lines.append(
            f"  #{error.id} {error.kind} {to}, {error.status}, {_utc(error.at)}: {error.error}"
        )
    return "\n".join(lines)


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
