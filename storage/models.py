"""What the repositories return: frozen pydantic models, datetimes aware in UTC."""

from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict

ChatType = Literal["private", "group", "supergroup", "channel"]
BotStatus = Literal["member", "administrator", "restricted", "left", "kicked"]
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
