"""Profile use cases: saving a whole profile or one field, and the language a person chose.

A profile is filled in a draft (``/profile``) and reaches the person only when saved; the
profile change and the draft it closes commit together in one unit of work.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from bot.clock import Clock
from bot.profile.rules import profile_fields
from storage import Person, Repositories

FLOW_KIND: Final = "profile"
"""The draft of the whole ``/profile`` conversation."""
EDIT_KIND: Final = "profile_edit"
"""The draft of editing one field from ``/me``."""


class ProfileService:
    """A member's profile and language."""

    def __init__(self, repos: Repositories, clock: Clock) -> None:
        self._repos = repos
        self._clock = clock

    async def save(self, person_id: int, answers: Mapping[str, Any]) -> Person:
        """Write every answer of the profile draft and drop the draft, together."""
        fields = profile_fields(answers)
        async with self._repos.unit() as uow:
            saved = await uow.people.update_profile(person_id, self._clock.now(), **fields)
            await uow.drafts.delete(person_id, FLOW_KIND)
        return saved

    async def save_field(self, person_id: int, step: str, value: Any) -> Person:
        """Write one edited field now, close the edit, and keep a profile in progress in step."""
        fields = profile_fields({step: value}, [step])
        now = self._clock.now()
        async with self._repos.unit() as uow:
            saved = await uow.people.update_profile(person_id, now, **fields)
            await uow.drafts.delete(person_id, EDIT_KIND)
            flow = await uow.drafts.get(person_id, FLOW_KIND)
            if flow is not None:
                answers = {**flow.data, step: value}
                await uow.drafts.save(person_id, FLOW_KIND, flow.step, answers, flow.chat_id, now)
        return saved

    async def set_language(self, person_id: int, language: str) -> None:
        """The language the bot speaks to the person from now on."""
        await self._repos.people.set_language(person_id, language, self._clock.now())

    async def set_timezone(self, person_id: int, zone: str) -> None:
        """The zone the bot shows the person's times in from now on."""
        await self._repos.people.set_timezone(person_id, zone, self._clock.now())
