"""Shared fixtures: the emulator on a free loopback port, the real bot against it, a real
SQLite file per test. A test reads like a conversation::

    async def test_welcome(bot, emulator):
        ana = emulator.add_user("Ana", language_code="es")
        reply = await emulator.says(ana, "/start")
        assert "Ana" in reply.text

How the suite runs: ``pytest`` uses 6 workers (pyproject's ``--numprocesses``; the tests mostly
wait on sockets, processes and real time, so more workers than the 2 cores pays); ``-n 0`` or
``-p no:xdist`` runs in one process; ``--durations=20`` lists the slowest. Every test has its
own port (the emulator binds port 0), folder (``tmp_path``, also its working directory) and
environment (no ``WNMRC_*`` variable of the caller reaches it).

The long tests read these variables when they are collected (the defaults keep the run short):

``WNMRC_FUZZ_EXAMPLES``   runs of the hypothesis fuzz of the whole bot (default 10; 200 soaks)
``WNMRC_KILL_LOOP``       kills in each ``kill -9`` loop (default 2, 3 in test_kill_loop; 100 soaks)
``WNMRC_KILL_SEED``       the seed of the kills' random moments
``WNMRC_OUTAGE_SECONDS``  how long the Bot API is down in the fault test (default 5)
``WNMRC_HYPOTHESIS_PROFILE`` ``thorough``: 500 examples per property test (default 20)
``WNMRC_TELEGRAM_SPEED``  how many times faster than Telegram's the emulator's flood limits and
                          the bot's own pacing run, together (default 10; 1 is real time)

Sped-up limits: most end-to-end tests would otherwise wait a second between two messages to one
person. The ``telegram_speed`` fixture scales the emulator's limits (``TelegramLimits.sped_up``)
and the bot's pacing (``RateLimits.sped_up``) by the same factor, so the bot still has to keep
under them and a test still fails when it breaks one. The tests of the limits themselves (the
broadcasts, the announcements, ``tests/reliability``, ``tests/emulator``) run at real speed.
"""

from __future__ import annotations

import asyncio
import gettext
import logging
import os
import re
import shutil
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings

from bot import i18n
from bot.app import build_application, running
from bot.clock import Clock, SystemClock
from bot.context import WnmrcApplication
from bot.i18n import catalog_path
from bot.i18n import load_catalog as _load_catalog
from bot.outbox import DeliveryConfig
from config import Settings, load_settings
from sandbox.emulator import Emulator, TelegramLimits
from sandbox.mail import free_port
from storage import Database, Repositories

hypothesis_settings.register_profile("wnmrc", deadline=None, print_blob=True, max_examples=20)
hypothesis_settings.register_profile(
    "thorough", parent=hypothesis_settings.get_profile("wnmrc"), max_examples=500
)
hypothesis_settings.load_profile(os.environ.get("WNMRC_HYPOTHESIS_PROFILE", "wnmrc"))
"""No per-example deadline: this 2-core machine is shared and noisy; speed lives in bench/.
20 examples per property by default; ``WNMRC_HYPOTHESIS_PROFILE=thorough`` runs 500."""

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


TELEGRAM_SPEED = float(os.environ.get("WNMRC_TELEGRAM_SPEED", "10"))
"""The default of the ``telegram_speed`` fixture (read once, when the tests are collected)."""


@pytest.fixture
def telegram_speed() -> float:
    """How many times faster than Telegram's the emulator's flood limits and the bot's pacing
    run, together; a module that tests the limits themselves overrides it with 1."""
    return TELEGRAM_SPEED


@pytest.fixture
async def emulator(telegram_speed: float) -> AsyncIterator[Emulator]:
    limits = TelegramLimits().sped_up(telegram_speed)
    async with Emulator(token=TOKEN, bot_username="wnmrc_test_bot", limits=limits) as emu:
        yield emu


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database file with every migration applied, made once per worker: each test's
    database starts as a copy of it (migrating a new file costs about 80 ms of CPU, and a
    thousand tests open one)."""
    path = tmp_path_factory.mktemp("template") / "migrated.sqlite3"

    async def migrate() -> None:
        database = await Database.open(path)
        try:
            await database.migrate()
        finally:
            await database.close()

    with ThreadPoolExecutor(1) as pool:  # its own event loop, whatever runs in this thread
        pool.submit(asyncio.run, migrate()).result()
    return path


def migrated_copy(template: Path, target: Path) -> Path:
    """``target``, a fresh copy of the migrated template (its folder made)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(template, target)
    return target


@pytest.fixture
def database_path(tmp_path: Path, migrated_template: Path) -> Path:
    """The bot's database file, already migrated (the bot's own migrate finds it current)."""
    return migrated_copy(migrated_template, tmp_path / "data" / "wnmrc.sqlite3")


def bot_settings(emulator: Emulator, database_path: Path, **more: object) -> Settings:
    """The tests' settings (the emulator, the database, one secretariat member) and ``more``."""
    return load_settings(
        bot_token=TOKEN,
        bot_api_url=emulator.api_root,
        database_path=database_path,
        secretariat_ids=str(SECRETARIAT_ID),
        **more,
    )


@pytest.fixture
def settings(emulator: Emulator, database_path: Path) -> Settings:
    return bot_settings(emulator, database_path)


def web_settings(emulator: Emulator, database_path: Path, **more: object) -> Settings:
    """The bot's settings with its web pages served on a free local port."""
    port = free_port()
    return bot_settings(
        emulator, database_path, public_url=f"http://127.0.0.1:{port}", web_port=port, **more
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
    """Whether the bot publishes its command menus at start: off here, since the forty-odd
    ``setMyCommands`` calls were a quarter of an end-to-end test's CPU; the modules that check
    the menus (``tests/e2e/test_menus.py``, ``tests/e2e/test_errors_and_menus.py``) turn it on,
    and every ``wnmrc-bot run`` of ``tests/reliability`` and the sandbox tests publishes them."""
    return False


def sped_up_delivery(
    delivery: DeliveryConfig | None, settings: Settings, speed: float
) -> DeliveryConfig:
    """The sender's settings (production's when None) with its pacing sped up ``speed`` times."""
    chosen = delivery or DeliveryConfig(max_in_flight=settings.outbox_in_flight)
    return replace(chosen, limits=chosen.limits.sped_up(speed))


@pytest.fixture
async def app(
    settings: Settings,
    clock: Clock,
    delivery: DeliveryConfig | None,
    publish_menus: bool,
    telegram_speed: float,
) -> AsyncIterator[WnmrcApplication]:
    """The production application, running (polling the emulator) for the test's duration,
    its pacing sped up as much as the emulator's limits (``telegram_speed``)."""
    application = build_application(
        settings,
        clock=clock,
        delivery=sped_up_delivery(delivery, settings, telegram_speed),
        publish_command_menus=publish_menus,
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
    for name in list(os.environ):
        if name.startswith("WNMRC_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


EMAIL_ADDRESS = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
"""Any e-mail address: a test person's, typed in a profile, imported, or sent in a card."""


class LogWatch(logging.Handler):
    """Checks every record, down to DEBUG, for the bot token and for any e-mail address, as a
    handler would write it (message, traceback and stack)."""

    def __init__(self, secret: str) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(logging.Formatter("%(name)s %(message)s"))
        self.secret = secret
        self.token_by: set[str] = set()
        self.email_by: set[str] = set()

    def emit(self, record: logging.LogRecord) -> None:
        text = self.format(record)
        if self.secret in text:
            self.token_by.add(record.name)
        if EMAIL_ADDRESS.search(text):
            self.email_by.add(record.name)


@pytest.fixture(autouse=True)
def token_never_logged() -> Iterator[None]:
    """Every test also proves that no log line carries the bot token nor any e-mail address
    (personal data never goes to a log, at any level; docs/developers.md, "Secrets and logs"):
    every record down to DEBUG is checked as it is emitted, by one handler that keeps nothing;
    pytest's own capture stays at ``log_level`` (WARNING: cheap, readable)."""
    root = logging.getLogger()
    watch = LogWatch(TOKEN.split(":", 1)[1])
    root.addHandler(watch)
    try:
        yield
    finally:
        root.removeHandler(watch)
    assert not watch.token_by, f"the bot token was logged by {sorted(watch.token_by)}"
    assert not watch.email_by, f"an e-mail address was logged by {sorted(watch.email_by)}"


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


SOAK_VARIABLES = (
    "WNMRC_FUZZ_EXAMPLES",
    "WNMRC_KILL_LOOP",
    "WNMRC_KILL_SEED",
    "WNMRC_OUTAGE_SECONDS",
    "WNMRC_TELEGRAM_SPEED",
    "WNMRC_HYPOTHESIS_PROFILE",
)


def pytest_report_header() -> str:
    """Say which soak settings this run uses, so a long run is not mistaken for the default."""
    chosen = [f"{name}={os.environ[name]}" for name in SOAK_VARIABLES if name in os.environ]
    return "soak settings: " + (", ".join(chosen) if chosen else "defaults (see tests/conftest.py)")


def _runs_long(item: pytest.Item) -> bool:
    """Tests that spawn processes or wait on real time (``slow``, or in ``tests/reliability``)."""
    return item.get_closest_marker("slow") is not None or "reliability" in item.path.parts


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The long tests first. With ``--maxschedchunk=1`` (pyproject) xdist hands out one test at
    a time to whichever worker is free, so the long ones spread over the workers and the run
    ends on short ones, rather than one worker finishing a row of kill loops alone."""
    items.sort(key=lambda item: not _runs_long(item))


def pytest_addoption(parser: pytest.Parser, pluginmanager: pytest.PytestPluginManager) -> None:
    """``-p no:xdist`` keeps working although the default options (pyproject) set workers."""
    if not pluginmanager.has_plugin("xdist"):
        parser.addoption("--numprocesses", help="ignored: pytest-xdist is switched off")
        parser.addoption("--maxschedchunk", help="ignored: pytest-xdist is switched off")
