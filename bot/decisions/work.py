"""The decisions' due work: nudge the undecided 24 hours before a proposal closes, and close it
on time (the result to the same places, the proposer asked for the outcome).

Each nudge and close is marked in the same unit of work as its outbox rows (dedupe keys
``decision:<id>:nudge:<chat>`` and ``decision:<id>:result:<chat>``), so it happens once across
crashes and restarts (docs/developers.md, "The due-work runtime").
"""

from __future__ import annotations

from datetime import datetime

from bot.context import WnmrcApplication
from bot.meetings.wiring import TelegramEditor, running_pacer


class DecisionDeadlines:
    """Registered with one line in ``bot/app.py``'s ``DUE_WORK``."""

    name = "decisions"

    def __init__(self, application: WnmrcApplication) -> None:
        self._services = application.services

    async def next_due(self, now: datetime) -> datetime | None:
        return await self._services.decisions.next_due()

    async def run_due(self, now: datetime) -> None:
        await self._services.decisions.serve(now)


def connect_decisions(application: WnmrcApplication) -> None:
    """Give the proposals' live counts their way to edit (in post_init, the database open)."""
    decisions = application.services.decisions
    decisions.live.connect(TelegramEditor(application.bot), lambda: running_pacer(application))


async def stop_decisions(application: WnmrcApplication) -> None:
    """The live counts stop editing (with the application)."""
    decisions = getattr(application.services, "decisions", None)  # None: never attached
    if decisions is not None:
        await decisions.stop()
