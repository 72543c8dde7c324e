"""All repositories over one database, built together, and the unit of work over them."""

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass

from config import Settings, SettingsError
from storage.calendar import CalendarRepository
from storage.channels import ChannelsRepository
from storage.chats import ChatsRepository
from storage.claims import ClaimsRepository
from storage.database import Database
from storage.decisions import DecisionsRepository
from storage.digests import DigestsRepository
from storage.drafts import DraftsRepository
from storage.experiences import ExperiencesRepository
from storage.groups import GroupsRepository
from storage.joining import JoiningRepository
from storage.meetings import MeetingsRepository
from storage.menus import MenusRepository
from storage.opportunities import OpportunitiesRepository
from storage.outbox import OutboxRepository
from storage.people import PeopleRepository
from storage.reviews import ReviewsRepository
from storage.roadmap import RoadmapRepository
from storage.roster import RosterRepository
from storage.web import WebRepository


@dataclass(frozen=True)
class Repositories:
    """The database and a repository per aggregate."""

    db: Database
    people: PeopleRepository
    chats: ChatsRepository
    groups: GroupsRepository
    drafts: DraftsRepository
    roster: RosterRepository
    outbox: OutboxRepository
    digests: DigestsRepository
    meetings: MeetingsRepository
    calendar: CalendarRepository
    experiences: ExperiencesRepository
    reviews: ReviewsRepository
    channels: ChannelsRepository
    web: WebRepository
    roadmap: RoadmapRepository
    decisions: DecisionsRepository
    joining: JoiningRepository
    claims: ClaimsRepository
    opportunities: OpportunitiesRepository
    menus: MenusRepository

    @asynccontextmanager
    async def unit(self) -> AsyncIterator["Repositories"]:
        """One use case's unit of work: every repository write inside commits together.

        ``async with repos.unit() as uow:`` opens one write transaction (BEGIN IMMEDIATE);
        the domain change, the outbox rows it causes and the draft it closes are written
        through ``uow`` and commit together when the block ends, or not at all when it
        raises. Reads through ``uow`` see the unit's own writes. A unit opened inside
        another joins it (the outer one commits). Reads outside a unit stay cheap: they
        go to the query-only readers.
        """
        async with self.db.transaction():
            yield self

    def after_commit(self, callback: Callable[[], None]) -> None:
        """Call ``callback`` once the running unit of work commits (never if it rolls back)."""
        self.db.after_commit(callback)

    @property
    def in_unit(self) -> bool:
        """Whether the running task is inside a unit of work."""
        return self.db.in_transaction()

    @classmethod
    def from_db(cls, db: Database) -> "Repositories":
        return cls(
            db=db,
            people=PeopleRepository(db),
            chats=ChatsRepository(db),
            groups=GroupsRepository(db),
            drafts=DraftsRepository(db),
            roster=RosterRepository(db),
            outbox=OutboxRepository(db),
            digests=DigestsRepository(db),
            meetings=MeetingsRepository(db),
            calendar=CalendarRepository(db),
            experiences=ExperiencesRepository(db),
            reviews=ReviewsRepository(db),
            channels=ChannelsRepository(db),
            web=WebRepository(db),
            roadmap=RoadmapRepository(db),
            decisions=DecisionsRepository(db),
            joining=JoiningRepository(db),
            claims=ClaimsRepository(db),
            opportunities=OpportunitiesRepository(db),
            menus=MenusRepository(db),
        )


@asynccontextmanager
async def existing_repositories(settings: Settings) -> AsyncIterator[Repositories]:
    """The repositories over the settings' existing database (for a command that reads it
    once, such as an export), closed afterwards; a missing file is the operator's one-line
    error."""
    if not settings.database_path.exists():
        raise SettingsError(
            "WNMRC_DATABASE_PATH",
            f"an existing database (none at {settings.database_path}; run `wnmrc-bot migrate`)",
        )
    db = await Database.open(settings.database_path)
    try:
        yield Repositories.from_db(db)
    finally:
        await db.close()
