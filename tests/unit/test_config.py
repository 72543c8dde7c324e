"""Settings from the environment and the network defaults file."""

from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from config import (
    SUPPORTED_LANGUAGES,
    NetworkConfig,
    Settings,
    SettingsError,
    load_network,
    load_settings,
)
from config.network import SHIPPED_NETWORK_FILE

TOKEN = "123456789:AAEhBP0av28L9xLzcI1qsAbCdEfGhIjKlMn"


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No WNMRC_* variables and no .env from the developer's machine."""
    import os

    for name in list(os.environ):
        if name.startswith("WNMRC_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


# --- settings ---------------------------------------------------------------------------------


def test_defaults() -> None:
    settings = load_settings()
    assert settings.bot_token is None
    assert settings.database_path == Path("data/wnmrc.sqlite3")
    assert settings.secretariat_ids == frozenset()
    assert settings.default_zone == ZoneInfo("Europe/Madrid")
    assert settings.default_language == "en"
    assert settings.log_level == "INFO"
    assert settings.base_url == "https://api.telegram.org/bot"
    assert settings.base_file_url == "https://api.telegram.org/file/bot"
    assert settings.network_path == SHIPPED_NETWORK_FILE


def test_environment_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WNMRC_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("WNMRC_DATABASE_PATH", "/srv/wnmrc/db.sqlite3")
    monkeypatch.setenv("WNMRC_SECRETARIAT_IDS", "1,2, 3")
    monkeypatch.setenv("WNMRC_DEFAULT_TIMEZONE", "Asia/Kathmandu")
    monkeypatch.setenv("WNMRC_DEFAULT_LANGUAGE", "ZH")
    monkeypatch.setenv("WNMRC_LOG_LEVEL", "debug")
    monkeypatch.setenv("WNMRC_NETWORK_FILE", "/etc/wnmrc/network.toml")
    settings = load_settings()
    assert settings.require_token() == TOKEN
    assert settings.database_path == Path("/srv/wnmrc/db.sqlite3")
    assert settings.secretariat_ids == frozenset({1, 2, 3})
    assert settings.default_zone == ZoneInfo("Asia/Kathmandu")
    assert settings.default_language == "zh"
    assert settings.log_level == "DEBUG"
    assert settings.network_path == Path("/etc/wnmrc/network.toml")


@pytest.mark.parametrize(("raw", "ids"), [("", set()), ("42", {42}), (" 7 ,8,,", {7, 8})])
def test_secretariat_ids_are_comma_separated(
    monkeypatch: pytest.MonkeyPatch, raw: str, ids: set[int]
) -> None:
    monkeypatch.setenv("WNMRC_SECRETARIAT_IDS", raw)
    assert load_settings().secretariat_ids == ids


def test_dotenv_file_is_read(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("WNMRC_SECRETARIAT_IDS=5,6\nOTHER_APP_SETTING=x\n")
    assert load_settings().secretariat_ids == {5, 6}


def test_overrides_win(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WNMRC_DEFAULT_LANGUAGE", "es")
    assert load_settings(default_language="fr").default_language == "fr"
    with pytest.raises(TypeError, match="default_langauge"):
        load_settings(default_langauge="fr")


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("WNMRC_DEFAULT_TIMEZONE", "Europe/Atlantis", "an IANA time zone such as Europe/Madrid"),
        ("WNMRC_DEFAULT_LANGUAGE", "de", "one of en, es, zh, fr"),
        ("WNMRC_SECRETARIAT_IDS", "1,two", "comma-separated Telegram user ids"),
        ("WNMRC_SECRETARIAT_IDS", "-5", "comma-separated Telegram user ids"),
        ("WNMRC_LOG_LEVEL", "LOUD", "one of DEBUG, INFO"),
        ("WNMRC_BOT_API_URL", "api.telegram.org", "an http(s) URL"),
        ("WNMRC_DATABASE_PATH", " ", "a file path"),
    ],
)
def test_bad_values_name_their_variable(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, expected: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError) as caught:
        load_settings()
    assert caught.value.variable == variable
    assert expected in caught.value.expected
    assert str(caught.value) == f"{variable}: expected {caught.value.expected}"


def test_bad_timezone_message() -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings(default_timezone="Nowhere/Special")
    assert str(caught.value) == (
        "WNMRC_DEFAULT_TIMEZONE: expected an IANA time zone such as Europe/Madrid"
    )


@pytest.mark.parametrize("token", [None, "", "not-a-token", "123456:short", "abc:" + "x" * 35])
def test_require_token_refuses_missing_or_malformed(token: str | None) -> None:
    settings = load_settings(bot_token=token)
    with pytest.raises(SettingsError) as caught:
        settings.require_token()
    assert caught.value.variable == "WNMRC_BOT_TOKEN"
    assert "@BotFather" in caught.value.expected


def test_token_never_shown(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WNMRC_BOT_TOKEN", TOKEN)
    settings = load_settings()
    for text in (repr(settings), str(settings), repr(settings.bot_token), str(settings.bot_token)):
        assert TOKEN not in text
        assert TOKEN.split(":")[1] not in text
    assert TOKEN not in settings.model_dump_json()


@pytest.mark.parametrize(
    "root", ["http://127.0.0.1:8081", "http://127.0.0.1:8081/", " http://127.0.0.1:8081// "]
)
def test_api_urls_from_the_root(root: str) -> None:
    settings = load_settings(bot_api_url=root)
    assert settings.base_url == "http://127.0.0.1:8081/bot"
    assert settings.base_file_url == "http://127.0.0.1:8081/file/bot"


def test_settings_are_immutable() -> None:
    settings = Settings()
    with pytest.raises(ValueError, match="frozen"):
        settings.log_level = "DEBUG"  # type: ignore[misc]


# --- network file -----------------------------------------------------------------------------

GOOD_GROUP = """
[[groups]]
slug = "climate"
theme = "climate change"
[groups.names]
en = "Climate"
es = "Clima"
zh = "气候"
fr = "Climat"
[groups.descriptions]
en = "About climate."
es = "Sobre el clima."
zh = "关于气候。"
fr = "Sur le climat."
"""


def _network_file(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "network.toml"
    head = (
        'name = "Test network"\nshort_name = "TN"\n'
        'names = { en = "Test network", es = "Red de prueba", zh = "测试网络",'
        ' fr = "Réseau test" }\n'
    )
    path.write_text(head + body, encoding="utf-8")
    return path


def test_shipped_network_file_is_valid() -> None:
    network = load_network()
    assert isinstance(network, NetworkConfig)
    assert network.name == "World Network of Mountain Biosphere Reserves"
    assert network.short_name == "WNMBR"
    assert [g.slug for g in network.groups] == [
        "climate",
        "biodiversity",
        "community",
        "socioeconomics",
    ]
    for group in network.groups:
        assert set(group.names) == set(SUPPORTED_LANGUAGES) == set(group.descriptions)
        assert group.theme
    assert network.review.criteria == [
        "relevance",
        "results",
        "replicability",
        "scalability",
        "participation",
        "innovation",
    ]


def test_a_custom_network_file(tmp_path: Path) -> None:
    network = load_network(_network_file(tmp_path, GOOD_GROUP))
    assert network.groups[0].names["zh"] == "气候"
    assert network.review.criteria == []


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (GOOD_GROUP.replace('fr = "Climat"\n', ""), "missing languages: fr"),
        (GOOD_GROUP.replace('zh = "气候"', 'zh = "气候"\nde = "Klima"'), "unknown languages: de"),
        (GOOD_GROUP.replace('"climate"', '"Climate!"'), "slug"),
        (GOOD_GROUP + GOOD_GROUP, "appears twice"),
        (GOOD_GROUP.replace('en = "Climate"', 'en = "  "'), "names.en"),
        (GOOD_GROUP.replace("theme =", "thema ="), "groups.0.theme: Field required"),
        (GOOD_GROUP.replace("theme =", 'colour = "red"\ntheme ='), "groups.0.colour"),
        ("[[groups]\n", "network.toml"),
    ],
)
def test_bad_network_files_are_refused(tmp_path: Path, body: str, reason: str) -> None:
    path = _network_file(tmp_path, body)
    with pytest.raises(SettingsError) as caught:
        load_network(path)
    assert caught.value.variable == "WNMRC_NETWORK_FILE"
    assert reason in caught.value.expected
    assert str(path) in str(caught.value)


def test_missing_network_file(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="No such file"):
        load_network(tmp_path / "absent.toml")
