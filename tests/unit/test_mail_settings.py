"""The SMTP settings: the URL's forms, the From address, the rate, and the password kept out of
every error and log line."""

import logging
from pathlib import Path

import pytest

from bot.logs import RedactSecrets
from config import SettingsError, load_settings
from config.mail import parse_smtp_url, smtp_secrets

PASSWORD = "p@ss:w0rd/S3cret"
URL = "smtp+starttls://bot%40example.org:p%40ss%3Aw0rd%2FS3cret@mail.example.org:587"


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import os

    for name in list(os.environ):
        if name.startswith("WNMRC_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


@pytest.mark.parametrize(
    ("url", "host", "port", "security", "user"),
    [
        (URL, "mail.example.org", 587, "starttls", "bot@example.org"),
        ("smtps://u:p@mail.example.org", "mail.example.org", 465, "tls", "u"),
        ("smtp://127.0.0.1:2525", "127.0.0.1", 2525, "plain", None),
        ("SMTP+STARTTLS://mail.example.org", "mail.example.org", 587, "starttls", None),
    ],
)
def test_the_smtp_url_names_host_port_security_and_user(
    url: str, host: str, port: int, security: str, user: str | None
) -> None:
    server = parse_smtp_url(url)
    assert (server.host, server.port, server.security, server.username) == (
        host,
        port,
        security,
        user,
    )
    if url == URL:
        assert server.password == PASSWORD
        assert PASSWORD not in repr(server)


def test_email_settings_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WNMRC_SMTP_URL", URL)
    monkeypatch.setenv("WNMRC_MAIL_FROM", "WNMRC network <bot@example.org>")
    monkeypatch.setenv("WNMRC_MAIL_RATE_PER_MINUTE", "30")

    settings = load_settings()

    server = settings.smtp_server()
    assert server is not None
    assert server.host == "mail.example.org"
    assert settings.mail_rate_per_minute == 30
    assert PASSWORD not in repr(settings)
    assert "S3cret" not in repr(settings)
    assert load_settings(smtp_url=None).smtp_server() is None


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("WNMRC_SMTP_URL", "http://u:p%40ss%3Aw0rd%2FS3cret@mail.example.org"),
        ("WNMRC_SMTP_URL", "smtp+starttls://u:p%40ss%3Aw0rd%2FS3cret@:587"),
        ("WNMRC_SMTP_URL", "smtp://u:p%40ss%3Aw0rd%2FS3cret@host:notaport"),
        ("WNMRC_MAIL_FROM", "nobody"),
        ("WNMRC_MAIL_RATE_PER_MINUTE", "0"),
    ],
)
def test_a_malformed_email_setting_names_its_variable_and_never_echoes_the_password(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    monkeypatch.setenv(variable, value)

    with pytest.raises(SettingsError) as refused:
        load_settings()

    assert refused.value.variable == variable
    assert "S3cret" not in str(refused.value)


def test_an_smtp_server_without_a_from_address_is_refused() -> None:
    with pytest.raises(SettingsError) as refused:
        load_settings(smtp_url="smtp://127.0.0.1:25").smtp_server()
    assert refused.value.variable == "WNMRC_MAIL_FROM"


def test_the_password_is_redacted_from_log_records_as_typed_and_decoded() -> None:
    secrets = smtp_secrets(URL)
    record = logging.LogRecord(
        "aiosmtplib", logging.WARNING, __file__, 1, "login %s with %s failed", (URL, PASSWORD), None
    )
    RedactSecrets(secrets).filter(record)
    line = record.getMessage()
    assert "S3cret" not in line
    assert "<redacted>" in line
    assert smtp_secrets("smtp://127.0.0.1:25") == ["smtp://127.0.0.1:25"]
