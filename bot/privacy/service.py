"""Privacy use cases: everything stored about a person, and forgetting it."""

from __future__ import annotations

from typing import Any

from storage import Person, Repositories
from storage.privacy import PrivacyRepository, Subject


def _subject(person: Person) -> Subject:
    return Subject(person_id=person.id, telegram_id=person.telegram_id)


class PrivacyService:
    """/mydata and /forgetme."""

    def __init__(self, repos: Repositories) -> None:
        self._privacy = PrivacyRepository(repos.db)

    async def personal_data(self, person: Person) -> dict[str, Any]:
        """Each section of what is stored about the person, by section name."""
        return await self._privacy.personal_data(_subject(person))

    async def forget(self, person: Person) -> bool:
        """Delete the person (their own rows cascade); False when already gone."""
        return await self._privacy.forget(_subject(person))
