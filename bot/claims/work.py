"""The claims' due work, registered in ``bot/app.py``'s ``DUE_WORK``: the secretariat's notices
of new claims (a claim is proposed while a person's details are recorded, where nothing can be
rendered; this queues its notices right after)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from bot.claims.service import ClaimsService

if TYPE_CHECKING:
    from bot.context import WnmrcApplication


class ClaimNotices:
    """Queues the notices of claims waiting for them."""

    name = "claim-notices"

    def __init__(self, claims: ClaimsService) -> None:
        self.claims = claims

    async def next_due(self, now: datetime) -> datetime | None:
        return await self.claims.next_notice_at()

    async def run_due(self, now: datetime) -> None:
        await self.claims.queue_notices(now)


def claim_notices(application: WnmrcApplication) -> ClaimNotices:
    return ClaimNotices(application.services.claims)
