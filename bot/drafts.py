"""The drafts of conversations in progress, as the conversations use them (no SQL here)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.clock import Clock
from storage import Draft, Repositories


class DraftsService:
    """Read, save and drop the drafts of one person's conversations."""

    def __init__(self, repos: Repositories, clock: Clock) -> None:
        self._repos = repos
        self._clock = clock

    async def get(self, person_id: int, kind: str) -> Draft | None:
        return await self._repos.drafts.get(person_id, kind)

    async def active(self, person_id: int) -> list[Draft]:
        """The person's drafts, the most recently touched first."""
        return await self._repos.drafts.active(person_id)

    async def save(
        self,
        person_id: int,
        kind: str,
        step: str,
        answers: Mapping[str, Any],
        chat_id: int | None,
    ) -> None:
        """Keep the step now waiting and every answer so far."""
        now = self._clock.now()
        await self._repos.drafts.save(person_id, kind, step, dict(answers), chat_id, now)

    async def delete(self, person_id: int, kind: str) -> bool:
        """Drop one draft; True if there was one."""
        return await self._repos.drafts.delete(person_id, kind)

    async def drop_all(self, person_id: int) -> list[Draft]:
        """Drop every draft of the person in one unit of work; the drafts dropped."""
        async with self._repos.unit() as uow:
            dropped = await uow.drafts.active(person_id)
            for draft in dropped:
                await uow.drafts.delete(person_id, draft.kind)
        return dropped
