"""The SMTP server the bot sends e-mail through, read from ``WNMRC_SMTP_URL``.

``smtp+starttls://user:password@host:587`` (STARTTLS), ``smtps://user:password@host:465``
(TLS from the start), ``smtp://host:25`` (plain; loopback and tests only). User and password
are percent-decoded; the password never appears in a log or an error.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final, Literal
from urllib.parse import unquote, urlsplit

from config.errors import SettingsError

SMTP_URL_EXPECTED: Final = (
    "an SMTP URL such as smtp+starttls://user:password@mail.example.org:587 "
    "(or smtps://... for TLS, smtp://localhost:25 plain)"
)
_SECURITY: Final[dict[str, Literal["plain", "starttls", "tls"]]] = {
    "smtp": "plain",
    "smtp+starttls": "starttls",
    "smtps": "tls",
}
_DEFAULT_PORTS: Final = {"plain": 25, "starttls": 587, "tls": 465}


@dataclass(frozen=True)
class SmtpServer:
    """Where and how to hand e-mail over."""

    host: str
    port: int
    security: Literal["plain", "starttls", "tls"]
    username: str | None = None
    password: str | None = field(default=None, repr=False)


def parse_smtp_url(url: str) -> SmtpServer:
    """The server an SMTP URL names; SettingsError (without the password) when malformed."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        raise SettingsError("WNMRC_SMTP_URL", SMTP_URL_EXPECTED) from None
    security = _SECURITY.get(parts.scheme.lower())
    if security is None or not parts.hostname:
        raise SettingsError("WNMRC_SMTP_URL", SMTP_URL_EXPECTED)
    return SmtpServer(
        host=parts.hostname,
        port=port or _DEFAULT_PORTS[security],
        security=security,
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
    )


def smtp_secrets(url: str) -> list[str]:
    """What of an SMTP URL must never be logged: the URL itself and its password (as typed
    and percent-decoded), even when the URL is malformed."""
    found = [url]
    userinfo = url.partition("://")[2].rpartition("@")[0]
    if userinfo:
        password = userinfo.partition(":")[2]
        found += [password, unquote(password)]
    return [secret for secret in found if len(secret) >= 3]
