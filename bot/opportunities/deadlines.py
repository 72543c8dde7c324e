"""Deadline reminders (due work): a few days before an opportunity's deadline its poster and
the people interested in it (not those the poster declined) are reminded, each once, in their
language and zone."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Final

from bot.opportunities.service import OpportunitiesService

if TYPE_CHECKING:
    from bot.context import WnmrcApplication

REMIND_BEFORE: Final = timedelta(days=3)


class OpportunityDeadlines:
    """Queues the reminders of the deadlines coming within ``REMIND_BEFORE``."""

    name = "opportunity-deadlines"

    def __init__(self, service: OpportunitiesService) -> None:
        self.service = service

    async def next_due(self, now: datetime) -> datetime | None:
        deadline = await self.service.repos.opportunities.next_deadline()
        return None if deadline is None else deadline - REMIND_BEFORE

    async def run_due(self, now: datetime) -> None:
        for opportunity in await self.service.repos.opportunities.deadlines_before(
            now + REMIND_BEFORE
        ):
            await self.service.remind(opportunity.id, now)


def opportunity_deadlines(application: WnmrcApplication) -> OpportunityDeadlines:
    return OpportunityDeadlines(application.services.opportunities)
