"""Fixtures for testing the emulator on its own, over real HTTP.

``emu`` has flood limits off so that feature tests may send freely; the limit tests
build their own emulator with Telegram's limits.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import aiohttp
import pytest
import telegram

from sandbox.emulator import Emulator, SimUser, TelegramLimits

TOKEN = "123456:TEST-token"


@dataclass
class Answer:
    status: int
    body: dict[str, Any]

    @property
    def result(self) -> Any:
        assert self.body["ok"] is True, self.body
        return self.body["result"]

    @property
    def description(self) -> str:
        assert self.body["ok"] is False, self.body
        return str(self.body["description"])


class RawApi:
    """Posts Bot API calls the way PTB does (form-encoded), or as JSON / multipart / GET."""

    def __init__(self, session: aiohttp.ClientSession, emu: Emulator) -> None:
        self.session = session
        self.emu = emu

    def url(self, method: str, token: str | None = None) -> str:
        return f"{self.emu.base_url}{token or self.emu.token}/{method}"

    async def form(self, method: str, token: str | None = None, **params: Any) -> Answer:
        data = {name: _form_value(value) for name, value in params.items()}
        async with self.session.post(self.url(method, token), data=data) as response:
            return Answer(response.status, await response.json())

    async def json(self, method: str, **params: Any) -> Answer:
        async with self.session.post(self.url(method), json=params) as response:
            return Answer(response.status, await response.json())

    async def get(self, method: str, **params: Any) -> Answer:
        query = {name: _form_value(value) for name, value in params.items()}
        async with self.session.get(self.url(method), params=query) as response:
            return Answer(response.status, await response.json())

    async def multipart(self, method: str, data: aiohttp.FormData) -> Answer:
        async with self.session.post(self.url(method), data=data) as response:
            return Answer(response.status, await response.json())


def _form_value(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


@pytest.fixture
async def emu() -> AsyncIterator[Emulator]:
    async with Emulator(TOKEN, limits=TelegramLimits.unlimited()) as emulator:
        yield emulator


@pytest.fixture
async def bot(emu: Emulator) -> AsyncIterator[telegram.Bot]:
    async with telegram.Bot(
        emu.token, base_url=emu.base_url, base_file_url=emu.base_file_url
    ) as ptb_bot:
        yield ptb_bot


@pytest.fixture
async def api(emu: Emulator) -> AsyncIterator[RawApi]:
    async with aiohttp.ClientSession() as session:
        yield RawApi(session, emu)


@pytest.fixture
def ana(emu: Emulator) -> SimUser:
    """A person who has started the bot."""
    return emu.add_user("Ana", last_name="Pérez", username="ana", language_code="es", started=True)
