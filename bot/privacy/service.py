"""Privacy use cases: everything stored about a person, and forgetting it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from bot.outbox import OutboxService
from storage import Person, Repositories
from storage.privacy import PrivacyRepository, Subject


def _subject(person: Person) -> Subject:
    return Subject(person_id=person.id, telegram_id=person.telegram_id)


def name_variants(person: Person) -> list[str]:
    """The forms the person's name takes in texts the bot wrote: as the network sees them,
    their Telegram name, and their @username (never a first name alone: others share it)."""
    names = [person.name, person.full_name]
    if person.username:
        names.append(f"@{person.username}")
    return list(dict.fromkeys(name for name in names if name))


ForgetHook = Callable[[Repositories, Person], Awaitable[None]]


class PrivacyService:
    """/mydata and /forgetme."""

    def __init__(self, repos: Repositories, outbox: OutboxService) -> None:
        self._repos = repos
        self._privacy = PrivacyRepository(repos.db)
        self._outbox = outbox
        self._before_forget: list[ForgetHook] = []

    def before_forget(self, hook: ForgetHook) -> None:
        """Run ``hook(uow, person)`` in /forgetme's unit of work, before the person goes (a
        feature tells others what the person leaves behind)."""
        self._before_forget.append(hook)

    async def personal_data(self, person: Person) -> dict[str, Any]:
        """Each section of what is stored about the person, by section name."""
        return await self._privacy.personal_data(_subject(person))

    async def forget(self, person: Person) -> bool:
        """Delete the person (their own rows cascade) and take their name out of the messages
        still held for others, in one unit of work; False when already gone."""
        async with self._repos.unit() as uow:
            for hook in self._before_forget:
                await hook(uow, person)
            await self._outbox.forget(person.id, name_variants(person))
            return await self._privacy.forget(_subject(person))
