"""A small network for the experiences and reviews services: groups, people, a service each."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.access import Actor
from bot.clock import ManualClock
from bot.experiences.service import ExperiencesService
from bot.i18n import I18n
from bot.reviews.selection import SelectionService
from bot.reviews.service import ReviewsService
from config import load_network
from storage import Person, Repositories
from storage.outbox import OutboxMessage

SECRETARIAT = 9000
I18N = I18n()
CRITERIA = load_network().review.criteria


@dataclass
class Wakes:
    """Counts the times a service told the outbox to look."""

    count: int = 0

    def __call__(self) -> None:
        self.count += 1


@dataclass
class World:
    repos: Repositories
    clock: ManualClock
    wakes: Wakes = field(default_factory=Wakes)

    @property
    def experiences(self) -> ExperiencesService:
        return ExperiencesService(self.repos, self.clock, I18N, {SECRETARIAT}, self.wakes)

    @property
    def reviews(self) -> ReviewsService:
        return ReviewsService(self.repos, self.clock, I18N, CRITERIA, self.wakes)

    @property
    def selection(self) -> SelectionService:
        return SelectionService(self.repos, self.clock, I18N, CRITERIA, self.wakes)

    async def seed(self) -> None:
        await self.repos.groups.seed(load_network().groups, self.clock.now())

    async def person(
        self, telegram_id: int, name: str, language: str, *, coordinates: str | None = None
    ) -> Person:
        person = await self.repos.people.upsert_from_telegram(
            telegram_id=telegram_id,
            first_name=name,
            last_name=None,
            username=None,
            language_code=language,
            private=True,
            now=self.clock.now(),
        )
        if coordinates is not None:
            group = await self.repos.groups.by_slug(coordinates)
            assert group is not None
            await self.repos.groups.appoint(group.id, person.id, self.clock.now())
        return person

    async def actor(self, person: Person) -> Actor:
        coordinated = await self.repos.groups.coordinated_by(person.id)
        return Actor(
            person_id=person.id,
            telegram_id=person.telegram_id,
            secretariat=person.telegram_id == SECRETARIAT,
            coordinated=frozenset(coordinated),
        )

    async def outbox(self) -> list[OutboxMessage]:
        """Every queued row, in the order they were queued."""
        rows = await self.repos.db.fetch_all("SELECT id FROM outbox ORDER BY id")
        found = [await self.repos.outbox.get(int(row["id"])) for row in rows]
        return [row for row in found if row is not None]


ANSWERS = {
    "title": "Terrazas <vivas>",
    "reserve": "Sierra Nevada",
    "country": "ES",
    "themes": ["climate"],
    "summary": "Las terrazas retienen el agua.",
    "links": [],
    "files": [],
}
"""A draft with the required answers."""
