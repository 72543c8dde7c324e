"""The one-click answer page in a real browser: Ana (Spanish, Lima) opens her "Going" link,
sees the meeting in her language and zone, presses the button; the answer is stored and the
group's announcement in the emulator counts it.

The meeting is scheduled through /meet as in ``tests/e2e/test_meetings.py``.
"""

from __future__ import annotations

import pytest
from playwright.async_api import BrowserContext

from bot.clock import ManualClock
from bot.outbox import DeliveryConfig
from bot.web.links import answer_url
from config import Settings
from sandbox.emulator import Emulator
from storage import Repositories

from ..conftest import FAST_DELIVERY
from ..e2e.test_meetings import NOW, announcement_of, current, network, schedule
from .conftest import needs_chromium, screenshot

pytestmark = [needs_chromium, pytest.mark.usefixtures("app")]


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(NOW)


@pytest.fixture
def delivery() -> DeliveryConfig:
    return FAST_DELIVERY


@pytest.fixture
def publish_menus() -> bool:
    return False


async def test_the_answer_page_records_going(
    browser: BrowserContext, emulator: Emulator, repos: Repositories, settings: Settings
) -> None:
    jorge, ana, _olivia, chat = await network(emulator, repos)
    await schedule(emulator, jorge)
    await emulator.wait_until(lambda: any("#1" in (e.text or "") for e in emulator.sent_to(chat)))
    in_chat = announcement_of(emulator, chat)
    occurrence = await repos.meetings.next_occurrence(1, NOW)
    person = await repos.people.by_telegram_id(ana.id)
    assert occurrence is not None
    assert person is not None
    url = answer_url(settings, occurrence.id, person.id, "going", occurrence.ends_at)
    assert url is not None

    page = await browser.new_page()
    await page.goto(url)
    assert await page.get_attribute("html", "lang") == "es"
    assert await page.inner_text("h1") == "Follow-up <b>meeting</b>"
    assert "miércoles, 15 de abril de 2026 08:00 (Lima)" in await page.inner_text("main")
    assert "Tu respuesta: ✅ Voy" in await page.inner_text("main")
    await screenshot(page, "answer-before-es")
    assert await repos.meetings.counts(occurrence.id) == {}  # opening the link records nothing

    await page.click("button")
    await page.wait_for_selector("[role=status]")
    assert "Gracias: tu respuesta quedó registrada." in await page.inner_text("[role=status]")
    assert await page.get_attribute("a[href^='webcal://']", "href") is not None  # her feed
    await screenshot(page, "answer-recorded-es")
    assert await repos.meetings.counts(occurrence.id) == {"going": 1}
    answer = await repos.meetings.answer_of(occurrence.id, person.id)
    assert answer == "going"
    await emulator.wait_until(
        lambda: "Going: 1 · Maybe: 0 · Can't go: 0" in current(emulator, in_chat)
    )
