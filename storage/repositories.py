"""All repositories over one database, built together."""

from dataclasses import dataclass

from storage.chats import ChatsRepository
from storage.database import Database
from storage.groups import GroupsRepository
from storage.people import PeopleRepository


@dataclass(frozen=True)
class Repositories:
    """The database and a repository per aggregate."""

    db: Database
    people: PeopleRepository
    chats: ChatsRepository
    groups: GroupsRepository

    @classmethod
    def from_db(cls, db: Database) -> "Repositories":
        return cls(
            db=db,
            people=PeopleRepository(db),
            chats=ChatsRepository(db),
            groups=GroupsRepository(db),
        )
