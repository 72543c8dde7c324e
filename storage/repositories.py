"""All repositories over one database, built together."""

from dataclasses import dataclass

from storage.calendar import CalendarRepository
from storage.chats import ChatsRepository
from storage.database import Database
from storage.digests import DigestsRepository
from storage.drafts import DraftsRepository
from storage.experiences import ExperiencesRepository
from storage.groups import GroupsRepository
from storage.meetings import MeetingsRepository
from storage.outbox import OutboxRepository
from storage.people import PeopleRepository
from storage.reviews import ReviewsRepository
from storage.roster import RosterRepository


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
        )
