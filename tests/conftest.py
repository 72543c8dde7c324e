"""Shared fixtures: the emulator on a free loopback port, the real bot against it, a real
SQLite file per test. A test reads like a conversation::

    async def test_welcome(bot, emulator):
        ana = emulator.add_user("Ana", language_code="es")
        reply = await emulator.says(ana, "/start")
        assert "Ana" in reply.text
"""

from __future__ import annotations

import gettext
import logging
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings as hypothesis_settings

from bot import i18n
from bot.app import build_application, running
from bot.clock import Clock, SystemClock
from bot.context import WnmrcApplication
from bot.delivery import DeliveryConfig
from bot.i18n import catalog_path
from bot.i18n import load_catalog as _load_catalog
from config import Settings, load_settings
from sandbox.emulator import Emulator
from storage import Repositories

hypothesis_settings.register_profile("wnmrc", deadline=None, print_blob=True)
hypothesis_settings.load_profile("wnmrc")
"""No per-example deadline: this 2-core machine is shared and noisy; speed lives in bench/."""

CatalogKey = tuple[Path, str, int, int]
_compiled: dict[CatalogKey, gettext.NullTranslations] = {}


def _load_catalog_once(locales_dir: Path, language: str) -> gettext.NullTranslations:
    """``bot.i18n.load_catalog``, compiled once per worker for each version of a catalog file.

    Every test builds the production application, and compiling the four ``.po`` files was a
    third of an end-to-end test's own time. A catalog that changes on disk (size or mtime) is
    compiled again; a missing one is still refused by the real function.
    """
    path = catalog_path(locales_dir, language)
    if not path.exists():
        return _load_catalog(locales_dir, language)
    stat = path.stat()
    key = (path.resolve(), language, stat.st_mtime_ns, stat.st_size)
    if key not in _compiled:
        _compiled[key] = _load_catalog(locales_dir, language)
    return _compiled[key]


i18n.load_catalog = _load_catalog_once

TOKEN = "123456789:TEST-emulator-token-abcdefghijklmnopq"
SECRETARIAT_ID = 990001
"""A Telegram user id the tests' settings name as secretariat."""


@pytest.fixture
async def emulator() -> AsyncIterator[Emulator]:
    async with Emulator(token=TOKEN, bot_username="wnmrc_test_bot") as emu:
        yield emu


@pytest.fixture
def database_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "wnmrc.sqlite3"


@pytest.fixture
def settings(emulator: Emulator, database_path: Path) -> Settings:
    return load_settings(
        bot_token=TOKEN,
        bot_api_url=emulator.api_root,
        database_path=database_path,
        secretariat_ids=str(SECRETARIAT_ID),
    )


@pytest.fixture
def clock() -> Clock:
    """The bot's clock; a test module that needs a fixed "now" overrides this fixture."""
    return SystemClock()


FAST_DELIVERY = DeliveryConfig(
    read_timeout=0.5,
    backoff_base_seconds=0.2,
    backoff_cap_seconds=1.0,
    sweep_seconds=1.0,
    stop_timeout=3.0,
)
"""Telegram's limits as in production; short time-outs and back-offs so retries fit a test."""


@pytest.fixture
def delivery() -> DeliveryConfig | None:
    """The outbox sender's settings; modules that test retries override it with FAST_DELIVERY."""
    return None


@pytest.fixture
def publish_menus() -> bool:
    """Whether the bot publishes its command menus at start (a module may turn it off)."""
    return True


@pytest.fixture
async def app(
    settings: Settings, clock: Clock, delivery: DeliveryConfig | None, publish_menus: bool
) -> AsyncIterator[WnmrcApplication]:
    """The production application, running (polling the emulator) for the test's duration."""
    application = build_application(
        settings, clock=clock, delivery=delivery, publish_command_menus=publish_menus
    )
    async with running(application, poll_timeout=1):
        yield application


@pytest.fixture
def repos(app: WnmrcApplication) -> Repositories:
    """The running bot's repositories, to check what was stored."""
    return app.services.repos


@pytest.fixture(autouse=True)
def isolated_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No operator's WNMRC_* variables or .env file leak into a test."""
    import os

    for name in list(os.environ):
        if name.startswith("WNMRC_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


class TokenWatch(logging.Handler):
    """Checks every record, down to DEBUG, for the bot token as a handler would write it."""

    def __init__(self, secret: str) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(logging.Formatter("%(name)s %(message)s"))
        self.secret = secret
        self.leaked_by: set[str] = set()

    def emit(self, record: logging.LogRecord) -> None:
        if self.secret in self.format(record):
            self.leaked_by.add(record.name)


@pytest.fixture(autouse=True)
def token_never_logged() -> Iterator[None]:
    """Every test also proves that no log line carries the bot token (docs/developers.md,
    "Secrets and logs"): every record down to DEBUG is checked as it is emitted, by one handler
    that keeps nothing; pytest's own capture stays at ``log_level`` (WARNING: cheap, readable)."""
    root = logging.getLogger()
    watch = TokenWatch(TOKEN.split(":", 1)[1])
    root.addHandler(watch)
    try:
        yield
    finally:
        root.removeHandler(watch)
    assert not watch.leaked_by, f"the bot token was logged by {sorted(watch.leaked_by)}"


@contextmanager
def _every_record() -> Iterator[None]:
    """The root logger at DEBUG for one phase of a test (pytest resets it after each)."""
    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.DEBUG)
    try:
        yield
    finally:
        root.setLevel(level)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item: pytest.Item) -> Iterator[None]:
    with _every_record():
        return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    with _every_record():
        return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    with _every_record():
        return (yield)


DURATIONS_KEY = "wnmrc/durations"
"""Where the last run's test durations are kept (pytest's cache folder), to order the next."""
_durations: dict[str, float] = {}


def pytest_addoption(parser: pytest.Parser, pluginmanager: pytest.PytestPluginManager) -> None:
    """``-p no:xdist`` keeps working although the default options (pyproject) set workers."""
    if not pluginmanager.has_plugin("xdist"):
        parser.addoption("--numprocesses", help="ignored: pytest-xdist is switched off")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Longest first, so that with ``-n`` no worker starts a long test when the others are done:
    by the durations of the last run where pytest's cache has them, else by a guess."""
    known = _known_durations(config)
    items.sort(key=lambda item: -known.get(item.nodeid, _guess(item)))


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    """xdist: every worker orders by the controller's copy, so all collect the same order."""
    node.workerinput[DURATIONS_KEY] = _known_durations(node.config)


def _known_durations(config: pytest.Config) -> dict[str, float]:
    workerinput = getattr(config, "workerinput", None)
    if workerinput is not None:
        return dict(workerinput.get(DURATIONS_KEY, {}))
    cache = getattr(config, "cache", None)
    known = cache.get(DURATIONS_KEY, {}) if cache is not None else {}
    return known if isinstance(known, dict) else {}


def _guess(item: pytest.Item) -> float:
    """Seconds a test not seen before may take: ``slow`` ones (processes, real waits) most."""
    if item.get_closest_marker("slow") is not None:
        return 10.0
    return 1.0 if {"e2e", "reliability"} & set(item.nodeid.split("/")[:2]) else 0.1


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    _durations[report.nodeid] = _durations.get(report.nodeid, 0.0) + report.duration


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Keep this run's durations (under xdist the controller sees every worker's reports)."""
    cache = getattr(session.config, "cache", None)
    if cache is None or hasattr(session.config, "workerinput") or not _durations:
        return
    known: dict[str, float] = cache.get(DURATIONS_KEY, {})
    known.update({nodeid: round(seconds, 2) for nodeid, seconds in _durations.items()})
    cache.set(DURATIONS_KEY, known)
