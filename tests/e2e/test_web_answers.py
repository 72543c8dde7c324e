"""One-click answers: a signed link opens a page in the person's language; its confirm button
records the answer as a tap would, and the group's live counts follow. A tampered or expired
link changes nothing.

The meeting is scheduled through /meet as in ``test_meetings.py`` (15 April 2026, 15:00 in
Madrid); the web pages listen on a free loopback port of their own.
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import aiohttp
import pytest

from bot.clock import ManualClock
from bot.context import WnmrcApplication
from bot.outbox import DeliveryConfig
from bot.web.links import answer_url
from config import Settings, load_settings
from sandbox.emulator import Emulator
from storage import Repositories

from ..conftest import FAST_DELIVERY, TOKEN, web_settings
from .test_meetings import NOW, START, announcement_of, current, network, schedule


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(NOW)


@pytest.fixture
def delivery() -> DeliveryConfig:
    return FAST_DELIVERY


@pytest.fixture
def publish_menus() -> bool:
    return False


@pytest.fixture
def settings(emulator: Emulator, database_path: Path) -> Settings:
    return web_settings(emulator, database_path)


async def fetch(method: str, url: str) -> tuple[int, str]:
    async with aiohttp.ClientSession() as session, session.request(method, url) as response:
        return response.status, await response.text()


async def test_a_link_shows_a_page_and_its_button_records_the_answer(
    app: WnmrcApplication, emulator: Emulator, repos: Repositories, settings: Settings
) -> None:
    jorge, ana, _olivia, chat = await network(emulator, repos)
    await schedule(emulator, jorge)
    await emulator.wait_until(lambda: any("#1" in (e.text or "") for e in emulator.sent_to(chat)))
    in_chat = announcement_of(emulator, chat)
    assert "Going: 0 · Maybe: 0 · Can't go: 0" in current(emulator, in_chat)
    occurrence = await repos.meetings.next_occurrence(1, NOW)
    person = await repos.people.by_telegram_id(ana.id)
    assert occurrence is not None
    assert person is not None
    url = answer_url(settings, occurrence.id, person.id, "going", occurrence.ends_at)
    assert url is not None
    assert url.startswith(settings.public_url or "?")

    # Opening it (as a mail scanner would) shows the page in Spanish and records nothing.
    status, page = await fetch("GET", url)
    assert status == 200
    assert '<html lang="es">' in page
    assert "Follow-up &lt;b&gt;meeting&lt;/b&gt;" in page
    assert "miércoles, 15 de abril de 2026 08:00 (Lima)" in page
    assert "Confirmar mi respuesta" in page
    assert await repos.meetings.counts(occurrence.id) == {}

    # The button records it; the group's announcement counts it.
    status, page = await fetch("POST", url)
    assert status == 200
    assert "Gracias: tu respuesta quedó registrada." in page
    assert await repos.meetings.counts(occurrence.id) == {"going": 1}
    # Her own calendar feed is offered there (how a member without Telegram finds it).
    assert "Todas las reuniones en tu calendario" in page
    assert 'href="webcal://127.0.0.1:' in page
    feed = re.search(r"<code>(http://[^<]+\.ics)</code>", page)
    assert feed is not None
    status, calendar = await fetch("GET", feed.group(1))
    assert status == 200
    assert "SUMMARY:Follow-up <b>meeting</b>" in calendar
    await emulator.wait_until(
        lambda: "Going: 1 · Maybe: 0 · Can't go: 0" in current(emulator, in_chat)
    )


async def test_a_tampered_or_expired_link_changes_nothing(
    app: WnmrcApplication, emulator: Emulator, repos: Repositories, settings: Settings
) -> None:
    jorge, ana, olivia, _chat = await network(emulator, repos)
    await schedule(emulator, jorge)
    occurrence = await repos.meetings.next_occurrence(1, NOW)
    olivia_person = await repos.people.by_telegram_id(olivia.id)
    ana_person = await repos.people.by_telegram_id(ana.id)
    assert occurrence is not None
    assert olivia_person is not None
    assert ana_person is not None
    url = answer_url(settings, occurrence.id, olivia_person.id, "maybe", START)
    assert url is not None
    # Another person, another answer, a later expiry: each breaks the signature.
    parts = url.split("/")
    for index, value in ((-4, "going"), (-5, str(ana_person.id)), (-2, str(10**10))):
        forged = "/".join([*parts[:index], value, *parts[index + 1 :]])
        for method in ("GET", "POST"):
            status, page = await fetch(method, forged)
            assert status == 400, forged
            assert "This link is not valid." in page
    expired = answer_url(settings, occurrence.id, olivia_person.id, "maybe", NOW - timedelta(1))
    assert expired is not None
    status, page = await fetch("POST", expired)
    assert status == 410
    assert "This link has expired." in page
    status, _page = await fetch("GET", url.rsplit("/", 1)[0] + "/" + "A" * 43)
    assert status == 400
    assert await repos.meetings.counts(occurrence.id) == {}
    status, page = await fetch("GET", f"{settings.public_url}/answer/1/2")
    assert status == 404
    assert "<h1>Page not found</h1>" in page


async def test_the_pages_are_off_without_a_public_address(emulator: Emulator) -> None:
    plain = load_settings(bot_token=TOKEN, bot_api_url=emulator.api_root)
    assert answer_url(plain, 1, 1, "going", NOW) is None


async def test_a_refused_answer_gets_a_page_in_her_language_and_changes_nothing(
    app: WnmrcApplication, emulator: Emulator, repos: Repositories, settings: Settings
) -> None:
    jorge, ana, _olivia, _chat = await network(emulator, repos)
    await schedule(emulator, jorge)
    occurrence = await repos.meetings.next_occurrence(1, NOW)
    person = await repos.people.by_telegram_id(ana.id)
    assert occurrence is not None
    assert person is not None
    url = answer_url(settings, occurrence.id, person.id, "going", occurrence.ends_at)
    assert url is not None
    climate = await repos.groups.by_slug("climate")
    assert climate is not None
    await repos.groups.leave(climate.id, person.id, NOW)  # she left the group

    for method in ("GET", "POST"):  # no confirm button to press either
        status, page = await fetch(method, url)
        assert status == 409
        assert '<html lang="es">' in page
        assert "Tu respuesta no quedó registrada" in page
        assert "<button" not in page
    assert await repos.meetings.counts(occurrence.id) == {}
