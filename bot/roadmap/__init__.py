"""The roadmap: objectives, actions with owners and due dates, progress, nudges (issue 14)."""

from bot.roadmap.rules import (
    OPEN_STATUSES,
    STATUS_LABELS,
    STATUSES,
    Due,
    Refusal,
    format_due,
    is_overdue,
    read_due,
)

__all__ = [
    "OPEN_STATUSES",
    "STATUSES",
    "STATUS_LABELS",
    "Due",
    "Refusal",
    "format_due",
    "is_overdue",
    "read_due",
]
