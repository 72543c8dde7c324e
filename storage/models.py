"""What the repositories return: frozen pydantic models, datetimes aware in UTC."""

from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict

ChatType = Literal["private", "group", "supergroup", "channel"]
BotStatus = Literal["member", "administrator", "restricted", "left", "kicked"]
JoinPolicy = Literal["open", "approval", "invite"]
JOIN_POLICIES: tuple[JoinPolicy, ...] = ("open", "approval", "invite")
ProfileRole = Literal["reserve_manager", "researcher", "young_researcher", "secretariat", "other"]
PROFILE_ROLES: tuple[ProfileRole, ...] = (
    "reserve_manager",
    "researcher",
    "young_researcher",
    "secretariat",
    "other",
)


class _Record(BaseModel):
    model_config = ConfigDict(frozen=True)


class Person(_Record):
    """Someone the bot knows, from Telegram or from an imported list."""

    id: int
    telegram_id: int | None
    first_name: str
    last_name: str | None
    username: str | None
    display_name: str | None
    telegram_language: str | None
    language: str | None
    timezone: str | None
    started_at: AwareDatetime | None
    reachable: bool
    created_at: AwareDatetime
    updated_at: AwareDatetime
    last_seen_at: AwareDatetime | None
    reserve: str | None = None
    country: str | None = None
    """ISO 3166-1 alpha-2."""
    organisation: str | None = None
    role: ProfileRole | None = None
    spoken_languages: tuple[str, ...] = ()
    interests: tuple[str, ...] = ()
    """Theme slugs of the network and free tags."""
    email: str | None = None

    @property
    def name(self) -> str:
        """How the network sees the person: their display name, else Telegram's name."""
        return self.display_name or self.full_name

    @property
    def full_name(self) -> str:
        """First and last name as Telegram shows them."""
        return f"{self.first_name} {self.last_name}" if self.last_name else self.first_name


class Chat(_Record):
    """A Telegram chat the bot has seen."""

    id: int
    type: ChatType
    title: str | None
    username: str | None
    is_forum: bool
    language: str | None
    timezone: str | None
    migrated_to: int | None
    bot_status: BotStatus | None


class WorkingGroup(_Record):
    """A working group with its name and description in every language it has."""

    id: int
    slug: str
    theme: str
    chat_id: int | None
    topic_id: int | None
    timezone: str | None
    active: bool
    names: dict[str, str]
    descriptions: dict[str, str]
    join_policy: JoinPolicy = "approval"
    """Who may join: anyone, on a coordinator's approval, or by invitation only."""

    def name(self, language: str, fallback: str = "en") -> str:
        """The name in `language`, else in `fallback`, else the slug."""
        return self.names.get(language) or self.names.get(fallback) or self.slug

    def description(self, language: str, fallback: str = "en") -> str:
        """The description in `language`, else in `fallback`, else empty."""
        return self.descriptions.get(language) or self.descriptions.get(fallback) or ""


class Draft(_Record):
    """A conversation in progress: the step waiting for an answer and the answers so far."""

    person_id: int
    kind: str
    step: str
    data: dict[str, Any]
    chat_id: int | None
    created_at: AwareDatetime
    updated_at: AwareDatetime


ExperienceStatus = Literal[
    "submitted",
    "in_review",
    "changes_requested",
    "accepted",
    "shortlisted",
    "selected",
    "declined",
    "withdrawn",
]
EXPERIENCE_STATUSES: tuple[ExperienceStatus, ...] = (
    "submitted",
    "in_review",
    "changes_requested",
    "accepted",
    "shortlisted",
    "selected",
    "declined",
    "withdrawn",
)
OPEN_EXPERIENCE_STATUSES: tuple[ExperienceStatus, ...] = (
    "submitted",
    "in_review",
    "changes_requested",
)
"""Not yet decided: the author may still edit or withdraw."""
ExperienceFileKind = Literal["photo", "document"]


class ExperienceFile(_Record):
    """A photo or document of an experience, as Telegram knows it (sent again by file_id)."""

    position: int
    """1 to 5, the order the author sent them in."""
    kind: ExperienceFileKind
    file_id: str
    file_unique_id: str
    file_name: str | None = None
    mime_type: str | None = None
    file_size: int | None = None


class Experience(_Record):
    """A good practice of a reserve, submitted for review (storage/migrations/0008)."""

    id: int
    author_id: int | None
    status: ExperienceStatus
    language: str
    title: str
    reserve: str
    country: str
    """ISO 3166-1 alpha-2."""
    themes: tuple[str, ...]
    """Theme slugs (the working groups' slugs)."""
    summary: str
    challenge: str | None
    building_blocks: str | None
    enabling_factors: str | None
    results: str | None
    lessons: str | None
    replicability: str | None
    partners: str | None
    contact: str | None
    links: tuple[str, ...]
    decision_note: str | None
    submitted_at: AwareDatetime
    decided_at: AwareDatetime | None
    published_at: AwareDatetime | None
    created_at: AwareDatetime
    updated_at: AwareDatetime
    files: tuple[ExperienceFile, ...] = ()

    @property
    def is_open(self) -> bool:
        """Not yet decided: the author may still edit or withdraw it."""
        return self.status in OPEN_EXPERIENCE_STATUSES


class ExperienceChange(_Record):
    """A row of an experience's history: a change of status, who made it, the note."""

    id: int
    experience_id: int
    status: str
    changed_by: int | None
    note: str | None
    changed_at: AwareDatetime


class ExperienceNews(_Record):
    """An experience submitted or selected at ``at`` (first time), for the digests."""

    experience_id: int
    event: Literal["submitted", "selected"]
    at: AwareDatetime
    title: str
    reserve: str
    country: str
    themes: tuple[str, ...]
