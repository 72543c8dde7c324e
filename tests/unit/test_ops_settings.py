"""The operator's settings: webhook (from the environment only) and the operators' chat."""

from pathlib import Path

import pytest

from config import SettingsError, load_settings

SECRET = "Zx8-q_0123456789abcdefXYZ"


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import os

    for name in list(os.environ):
        if name.startswith("WNMRC_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


def test_defaults_poll_and_would_listen_on_loopback_only() -> None:
    settings = load_settings()

    assert settings.webhook_url is None
    assert settings.webhook_secret is None
    assert settings.webhook_listen == "127.0.0.1"
    assert settings.webhook_port == 8443
    assert settings.ops_chat_id is None


def test_webhook_and_operators_chat_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WNMRC_WEBHOOK_URL", " https://bot.example.org/telegram/updates ")
    monkeypatch.setenv("WNMRC_WEBHOOK_SECRET", SECRET)
    monkeypatch.setenv("WNMRC_WEBHOOK_LISTEN", "::1")
    monkeypatch.setenv("WNMRC_WEBHOOK_PORT", "9000")
    monkeypatch.setenv("WNMRC_OPS_CHAT_ID", "-1001234567890")

    settings = load_settings()

    assert settings.webhook_url == "https://bot.example.org/telegram/updates"
    assert settings.webhook_path == "/telegram/updates"
    assert settings.require_webhook_secret() == SECRET
    assert SECRET not in repr(settings)
    assert settings.webhook_listen == "::1"
    assert settings.webhook_port == 9000
    assert settings.ops_chat_id == -1001234567890


def test_a_webhook_without_a_secret_is_refused_naming_the_variable() -> None:
    settings = load_settings(webhook_url="https://bot.example.org/hook")

    with pytest.raises(SettingsError) as refused:
        settings.require_webhook_secret()

    assert refused.value.variable == "WNMRC_WEBHOOK_SECRET"
    assert "secrets.token_urlsafe" in str(refused.value)


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("WNMRC_WEBHOOK_SECRET", "too-short"),
        ("WNMRC_WEBHOOK_SECRET", "has spaces in it, which Telegram refuses"),
        ("WNMRC_WEBHOOK_SECRET", "x" * 257),
        ("WNMRC_WEBHOOK_URL", "bot.example.org/hook"),
        ("WNMRC_WEBHOOK_LISTEN", "localhost"),
        ("WNMRC_WEBHOOK_PORT", "0"),
        ("WNMRC_WEBHOOK_PORT", "65536"),
        ("WNMRC_OPS_CHAT_ID", "@operators"),
    ],
)
def test_a_malformed_setting_names_its_variable_and_never_echoes_a_secret(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    monkeypatch.setenv(variable, value)

    with pytest.raises(SettingsError) as refused:
        load_settings()

    assert refused.value.variable == variable
    if variable == "WNMRC_WEBHOOK_SECRET":
        assert value not in str(refused.value)


def test_blank_optional_settings_are_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("WNMRC_WEBHOOK_URL", "WNMRC_WEBHOOK_SECRET", "WNMRC_OPS_CHAT_ID"):
        monkeypatch.setenv(name, "  ")

    settings = load_settings()

    assert (settings.webhook_url, settings.webhook_secret, settings.ops_chat_id) == (
        None,
        None,
        None,
    )
