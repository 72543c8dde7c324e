"""Joining's due work, registered in ``bot/app.py``'s ``DUE_WORK``: requests to join that
nobody decided within their lifetime expire, and the person who asked is told."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from bot.joining.service import JoiningService

if TYPE_CHECKING:
    from bot.context import WnmrcApplication


class JoinRequestExpiry:
    """Expires undecided requests when their time runs out and tells the askers."""

    name = "join-request-expiry"

    def __init__(self, joining: JoiningService) -> None:
        self.joining = joining

    async def next_due(self, now: datetime) -> datetime | None:
        return await self.joining.next_expiry()

    async def run_due(self, now: datetime) -> None:
        await self.joining.expire_requests(now)


def join_request_expiry(application: WnmrcApplication) -> JoinRequestExpiry:
    return JoinRequestExpiry(application.services.joining)
