"""Shared fixtures: the emulator on a free loopback port, the real bot against it, a real
SQLite file per test. A test reads like a conversation::

    async def test_welcome(bot, emulator):
        ana = emulator.add_user("Ana", language_code="es")
        reply = await emulator.says(ana, "/start")
        assert "Ana" in reply.text
"""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings

from bot.app import build_application, running
from bot.clock import Clock, SystemClock
from bot.context import WnmrcApplication
from bot.delivery import DeliveryConfig
from config import Settings, load_settings
from sandbox.emulator import Emulator
from storage import Repositories

hypothesis_settings.register_profile("wnmrc", deadline=None, print_blob=True)
hypothesis_settings.load_profile("wnmrc")
"""No per-example deadline: this 2-core machine is shared and noisy; speed lives in bench/."""

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


EMAIL_ADDRESS = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
"""Any e-mail address: a test person's, typed in a profile, imported, or sent in a card."""


@pytest.fixture(autouse=True)
def token_never_logged(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """Every test also proves that no log line carries the bot token nor any e-mail address
    (personal data never goes to a log, at any level): everything is captured down to DEBUG,
    and checked once the test and its fixtures are done (docs/developers.md, "Secrets and
    logs")."""
    caplog.set_level(logging.DEBUG)
    yield
    secret = TOKEN.split(":", 1)[1]
    records = [*caplog.get_records("setup"), *caplog.get_records("call"), *caplog.records]
    leaks = [record for record in records if secret in _logged_text(record)]
    assert not leaks, f"the bot token was logged by {sorted({r.name for r in leaks})}"
    emails = [record for record in records if EMAIL_ADDRESS.search(_logged_text(record))]
    assert not emails, f"an e-mail address was logged by {sorted({r.name for r in emails})}"


def _logged_text(record: logging.LogRecord) -> str:
    """What a handler would write for ``record``: message, traceback and stack."""
    return logging.Formatter("%(name)s %(message)s").format(record)
