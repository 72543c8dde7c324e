"""The roadmap's due work, registered in ``bot/app.py``'s ``DUE_WORK``: the owners' nudges
(7 days and 1 day before a due date, weekly while overdue) and the coordinators' weekly
overdue lists, fanned into the outbox from their rows (``roadmap_nudges``)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.context import Services, WnmrcApplication


class RoadmapNudges:
    """Queues the due nudges; each row is marked in the unit that queues its message."""

    name = "roadmap"

    def __init__(self, services: Services) -> None:
        self._services = services

    async def next_due(self, now: datetime) -> datetime | None:
        return await self._services.roadmap.next_nudge_at()

    async def run_due(self, now: datetime) -> None:
        await self._services.roadmap.run_nudges(now)


def roadmap_nudges(application: WnmrcApplication) -> RoadmapNudges:
    return RoadmapNudges(application.services)
