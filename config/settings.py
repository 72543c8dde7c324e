"""Runtime settings from WNMRC_* environment variables and an optional .env file."""

import ipaddress
import re
from email.utils import parseaddr
from pathlib import Path
from typing import Annotated, Any, Final
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from config.errors import SettingsError
from config.languages import SUPPORTED_LANGUAGES
from config.mail import SMTP_URL_EXPECTED, SmtpServer, parse_smtp_url
from config.network import SHIPPED_NETWORK_FILE

ENV_PREFIX: Final = "WNMRC_"
LOG_LEVELS: Final = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")

# Bot API tokens look like "123456789:AAE...": the bot's numeric id, a colon, ~35 url-safe chars.
_TOKEN_SHAPE: Final = re.compile(r"\d+:[A-Za-z0-9_-]{30,}")
_TOKEN_EXPECTED: Final = "a bot token from @BotFather, like 123456:ABC-DEF..."

# What each field should look like, phrased for the one-line error the CLI prints.
_EXPECTED: Final[dict[str, str]] = {
    "bot_token": _TOKEN_EXPECTED,
    "database_path": "a file path such as ./data/wnmrc.sqlite3",
    "secretariat_ids": "comma-separated Telegram user ids such as 12345,67890",
    "default_timezone": "an IANA time zone such as Europe/Madrid",
    "default_language": "one of " + ", ".join(SUPPORTED_LANGUAGES),
    "bot_api_url": "an http(s) URL such as https://api.telegram.org",
    "log_level": "one of " + ", ".join(LOG_LEVELS),
    "network_file": "the path of a network TOML file",
    "network_channel": "a channel's chat id such as -1001234567890, or its @username",
    "webhook_url": "the bot's public https URL such as https://bot.example.org/telegram",
    "webhook_secret": "16 to 256 characters from A-Z, a-z, 0-9, _ and - "
    "(python3 -c 'import secrets; print(secrets.token_urlsafe(32))')",
    "webhook_listen": "an IP address to listen on such as 127.0.0.1",
    "webhook_port": "a TCP port from 1 to 65535",
    "ops_chat_id": "the chat id of the operators' chat such as -1001234567890",
    "outbox_retention_days": "a whole number of days, at least 1, such as 90",
    "smtp_url": SMTP_URL_EXPECTED,
    "mail_from": "an address such as WNMRC network <bot@example.org>",
    "mail_rate_per_minute": "a whole number of e-mails a minute, at least 1, such as 60",
    "public_url": "the public https address of the bot's web pages such as https://wnmrc.example.org",
    "web_listen": "an IP address for the web pages to listen on such as 127.0.0.1",
    "web_port": "a TCP port from 1 to 65535 (0: any free port)",
    "web_secret": "at least 32 characters "
    "(python3 -c 'import secrets; print(secrets.token_urlsafe(32))')",
    "outbox_in_flight": "a whole number from 1 to 32, such as 1",
}

# Telegram accepts 1-256 of these characters as a webhook secret; we ask for at least 16.
_WEBHOOK_SECRET_SHAPE: Final = re.compile(r"[A-Za-z0-9_-]{16,256}")


def _is_blank(value: object) -> bool:
    return isinstance(value, str) and not value.strip()


def parse_id_list(text: str) -> frozenset[int]:
    """Parse "1,2, 3" (empty parts ignored) into a set of ints."""
    return frozenset(int(part) for part in text.split(",") if part.strip())


class Settings(BaseSettings):
    """Everything the bot reads from its environment."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        frozen=True,
    )

    bot_token: SecretStr | None = None
    database_path: Path = Path("./data/wnmrc.sqlite3")
    secretariat_ids: Annotated[frozenset[int], NoDecode] = frozenset()
    default_timezone: str = "Europe/Madrid"
    default_language: str = "en"
    bot_api_url: str = "https://api.telegram.org"
    log_level: str = "INFO"
    network_file: Path | None = None
    network_channel: str | None = None
    """The network's channel for the network digest: its chat id or @username."""
    webhook_url: str | None = None
    """Set: ``run`` receives updates by webhook at this URL (its path is served); else polls."""
    webhook_secret: SecretStr | None = None
    """What Telegram sends back in X-Telegram-Bot-Api-Secret-Token; required with a webhook."""
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = 8443
    ops_chat_id: int | None = None
    """The operators' chat: errors are reported there, one line each."""
    outbox_retention_days: Annotated[int, Field(ge=1)] = 90
    """Sent, unreachable and failed outbox rows are deleted after this many days."""
    smtp_url: SecretStr | None = None
    """Set: the bot sends e-mail through this server (``config/mail.py``); else only Telegram."""
    mail_from: str | None = None
    """The From of every e-mail; required with ``smtp_url``."""
    mail_rate_per_minute: Annotated[int, Field(ge=1)] = 60
    """E-mails handed to the SMTP server per minute at most."""
    public_url: str | None = None
    """Set: the bot serves its web pages (answer links, calendar feeds, the gallery) there."""
    web_listen: str = "127.0.0.1"
    web_port: Annotated[int, Field(ge=0, le=65535)] = 8080
    web_secret: SecretStr | None = None
    """Signs one-click answer links; unset, a key derived from the bot token signs them."""
    outbox_in_flight: Annotated[int, Field(ge=1, le=32)] = 1
    """Outbox sends awaiting Telegram's answer at once; each may arrive twice after a crash."""

    @field_validator(
        "bot_token",
        "network_file",
        "network_channel",
        "webhook_url",
        "webhook_secret",
        "ops_chat_id",
        "smtp_url",
        "mail_from",
        "public_url",
        "web_secret",
        mode="before",
    )
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        return None if _is_blank(value) else value

    @field_validator("database_path", mode="before")
    @classmethod
    def _path_not_blank(cls, value: object) -> object:
        if _is_blank(value):
            raise ValueError("empty path")
        return value

    @field_validator("secretariat_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        return parse_id_list(value) if isinstance(value, str) else value

    @field_validator("secretariat_ids")
    @classmethod
    def _ids_positive(cls, value: frozenset[int]) -> frozenset[int]:
        if any(user_id <= 0 for user_id in value):
            raise ValueError("Telegram user ids are positive")
        return value

    @field_validator("default_timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        value = value.strip()
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @field_validator("default_language")
    @classmethod
    def _supported_language(cls, value: str) -> str:
        value = value.strip().lower()
        if value not in SUPPORTED_LANGUAGES:
            raise ValueError(f"unsupported language {value!r}")
        return value

    @field_validator("bot_api_url")
    @classmethod
    def _http_root(cls, value: str) -> str:
        value = value.strip().rstrip("/")
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"not an http(s) URL: {value!r}")
        return value

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        value = value.strip().upper()
        if value not in LOG_LEVELS:
            raise ValueError(f"unknown log level {value!r}")
        return value

    @field_validator("webhook_url")
    @classmethod
    def _webhook_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        value = value.strip()
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"not an http(s) URL: {value!r}")
        return value

    @field_validator("public_url")
    @classmethod
    def _public_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        value = value.strip().rstrip("/")
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname or parts.query:
            raise ValueError(f"not an http(s) URL: {value!r}")
        return value

    @field_validator("web_secret")
    @classmethod
    def _web_secret(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and len(value.get_secret_value().strip()) < 32:
            raise ValueError("too short a web secret")
        return value

    @field_validator("web_listen")
    @classmethod
    def _web_ip_address(cls, value: str) -> str:
        value = value.strip()
        ipaddress.ip_address(value)  # ValueError when it is not one
        return value

    @field_validator("webhook_secret")
    @classmethod
    def _webhook_secret(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not _WEBHOOK_SECRET_SHAPE.fullmatch(value.get_secret_value()):
            raise ValueError("not a usable webhook secret")
        return value

    @field_validator("smtp_url")
    @classmethod
    def _smtp_url(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None:
            try:
                parse_smtp_url(value.get_secret_value())
            except SettingsError:
                raise ValueError("not an SMTP URL") from None
        return value

    @field_validator("mail_from")
    @classmethod
    def _mail_from(cls, value: str | None) -> str | None:
        if value is not None and "@" not in parseaddr(value)[1]:
            raise ValueError("not an e-mail address")
        return value

    @field_validator("webhook_listen")
    @classmethod
    def _ip_address(cls, value: str) -> str:
        value = value.strip()
        ipaddress.ip_address(value)  # ValueError when it is not one
        return value

    @field_validator("webhook_port")
    @classmethod
    def _port(cls, value: int) -> int:
        if not 1 <= value <= 65535:
            raise ValueError(f"port out of range: {value}")
        return value

    @property
    def webhook_path(self) -> str:
        """The path the webhook server serves: the one of ``webhook_url``."""
        return urlsplit(self.webhook_url or "").path or "/"

    def require_webhook_secret(self) -> str:
        """The webhook secret, or SettingsError: a webhook without one trusts anyone."""
        if self.webhook_secret is None:
            raise SettingsError(env_var("webhook_secret"), _EXPECTED["webhook_secret"])
        return self.webhook_secret.get_secret_value()

    @property
    def default_zone(self) -> ZoneInfo:
        return ZoneInfo(self.default_timezone)

    @property
    def base_url(self) -> str:
        """Bot API method root; PTB appends the token."""
        return f"{self.bot_api_url}/bot"

    @property
    def base_file_url(self) -> str:
        """Bot API file-download root; PTB appends the token."""
        return f"{self.bot_api_url}/file/bot"

    @property
    def network_path(self) -> Path:
        """The network file in use: WNMRC_NETWORK_FILE or the shipped one."""
        return self.network_file or SHIPPED_NETWORK_FILE

    def smtp_server(self) -> SmtpServer | None:
        """The SMTP server when e-mail is configured (None: Telegram only); SettingsError when
        the URL is malformed or no From address is set."""
        if self.smtp_url is None:
            return None
        server = parse_smtp_url(self.smtp_url.get_secret_value())
        if not self.mail_from:
            raise SettingsError(env_var("mail_from"), _EXPECTED["mail_from"])
        return server

    def require_token(self) -> str:
        """The bot token, or SettingsError when it is missing or malformed."""
        token = self.bot_token.get_secret_value().strip() if self.bot_token else ""
        if not _TOKEN_SHAPE.fullmatch(token):
            raise SettingsError(env_var("bot_token"), _TOKEN_EXPECTED)
        return token


def env_var(field: str) -> str:
    """The environment variable that sets a settings field."""
    return ENV_PREFIX + field.upper()


def _as_settings_error(error: ValidationError) -> SettingsError:
    first = error.errors()[0]
    field = str(first["loc"][0]) if first["loc"] else ""
    return SettingsError(env_var(field), _EXPECTED.get(field, first["msg"]))


def load_settings(**overrides: Any) -> Settings:
    """Read settings (overrides by field name win); errors become one-line SettingsError."""
    unknown = sorted(
        name for name in overrides if name not in Settings.model_fields and not name.startswith("_")
    )
    if unknown:
        raise TypeError(f"unknown settings: {', '.join(unknown)}")
    try:
        return Settings(**overrides)
    except ValidationError as error:
        raise _as_settings_error(error) from error
