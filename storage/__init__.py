"""Storage: SQLite through aiosqlite, migrations, models and one repository per aggregate."""

from storage.chats import ChatsRepository
from storage.database import MIGRATIONS_DIR, BackupError, Database, MigrationError
from storage.groups import GroupsRepository, SeedReport
from storage.models import BotStatus, Chat, ChatType, Person, WorkingGroup
from storage.people import PeopleRepository
from storage.repositories import Repositories
from storage.timecodec import from_db, to_db, utc_now

__all__ = [
    "MIGRATIONS_DIR",
    "BackupError",
    "BotStatus",
    "Chat",
    "ChatType",
    "ChatsRepository",
    "Database",
    "GroupsRepository",
    "MigrationError",
    "PeopleRepository",
    "Person",
    "Repositories",
    "SeedReport",
    "WorkingGroup",
    "from_db",
    "to_db",
    "utc_now",
]
