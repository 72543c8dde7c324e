"""Storage: SQLite through aiosqlite, migrations, models and one repository per aggregate."""

from storage.chats import ChatsRepository
from storage.database import MIGRATIONS_DIR, BackupError, Database, MigrationError
from storage.drafts import DraftsRepository
from storage.experiences import ExperiencesRepository
from storage.groups import GroupsRepository, SeedReport
from storage.membership import MemberRole, Membership, MembershipSource
from storage.models import (
    EXPERIENCE_STATUSES,
    PROFILE_ROLES,
    BotStatus,
    Chat,
    ChatType,
    Draft,
    Experience,
    ExperienceChange,
    ExperienceFile,
    ExperienceStatus,
    Person,
    ProfileRole,
    WorkingGroup,
)
from storage.people import PROFILE_FIELDS, PeopleRepository
from storage.repositories import Repositories
from storage.roster import RosterMember, RosterRepository
from storage.timecodec import from_db, to_db, utc_now

__all__ = [
    "EXPERIENCE_STATUSES",
    "MIGRATIONS_DIR",
    "PROFILE_FIELDS",
    "PROFILE_ROLES",
    "BackupError",
    "BotStatus",
    "Chat",
    "ChatType",
    "ChatsRepository",
    "Database",
    "Draft",
    "DraftsRepository",
    "Experience",
    "ExperienceChange",
    "ExperienceFile",
    "ExperienceStatus",
    "ExperiencesRepository",
    "GroupsRepository",
    "MemberRole",
    "Membership",
    "MembershipSource",
    "MigrationError",
    "PeopleRepository",
    "Person",
    "ProfileRole",
    "Repositories",
    "RosterMember",
    "RosterRepository",
    "SeedReport",
    "WorkingGroup",
    "from_db",
    "to_db",
    "utc_now",
]
