"""Calendar feeds: /calendar shows a secret feed address; the address serves the meetings of
the person's groups as text/calendar (the same builder as the file), and stops working when
replaced. A group's coordinators get the group's feed in its linked chat.

The network and its meetings are those of ``test_calendar.py`` (clock stopped on 2026-10-01).
"""

from __future__ import annotations

from pathlib import Path

import aiohttp
import pytest
from icalendar import Calendar
from multidict import CIMultiDict

from config import Settings
from sandbox.emulator import Emulator, LedgerEntry
from storage import Repositories

from ..conftest import web_settings
from . import test_calendar
from .test_calendar import NOW, Network, answer_to, instants_of, linked_chat

clock = test_calendar.clock
network = test_calendar.network
"""The fixtures of ``test_calendar.py``: its clock and its network with meetings."""


@pytest.fixture
def settings(emulator: Emulator, database_path: Path) -> Settings:
    return web_settings(emulator, database_path)


async def get(url: str, **headers: str) -> tuple[int, bytes, CIMultiDict[str]]:
    async with aiohttp.ClientSession() as session, session.get(url, headers=headers) as response:
        return response.status, await response.read(), CIMultiDict(response.headers)


async def feed_message(emulator: Emulator, user: object, chat: object = None) -> LedgerEntry:
    mark = len(emulator.ledger)
    emulator.send_text(user, "/calendar", chat)  # type: ignore[arg-type]

    def shown() -> bool:
        return any("📡" in (e.text or "") for e in emulator.ledger[mark:])

    await emulator.wait_until(shown)
    return next(e for e in emulator.ledger[mark:] if "📡" in (e.text or ""))


def address_in(entry: LedgerEntry) -> str:
    lines = (entry.text or "").splitlines()
    return next(line for line in lines if line.startswith("http://"))


async def test_a_member_subscribes_and_replaces_her_feed(
    emulator: Emulator, network: Network, settings: Settings, repos: Repositories
) -> None:
    shown = await feed_message(emulator, network.ana)
    text = shown.text or ""
    assert text.startswith("📡 Tu canal de calendario:")
    url = address_in(shown)
    assert url.startswith(f"{settings.public_url}/calendar/")
    assert url.endswith(".ics")
    assert "webcal://127.0.0.1:" in text
    assert [b.text for row in shown.buttons for b in row] == ["🔄 Nueva dirección"]

    status, body, headers = await get(url)
    assert status == 200
    assert str(headers["Content-Type"]).startswith("text/calendar")
    assert headers["Referrer-Policy"] == "no-referrer"  # the address is a secret
    events = {str(e["SUMMARY"]): e for e in Calendar.from_ical(body).events}
    assert sorted(events) == ["Follow-up meeting", "Weekly check-in"]  # not biodiversity's
    assert [s.hour for s in instants_of(events["Weekly check-in"])] == [13, 14, 14]
    status, _, _ = await get(url, **{"If-None-Match": str(headers["ETag"])})
    assert status == 304
    # A meeting changes: the feed says so to the calendar app asking again.
    await repos.meetings.change_details(
        1, link="https://meet.example.org/new", agenda=None, now=NOW
    )
    status, body, changed = await get(url, **{"If-None-Match": str(headers["ETag"])})
    assert status == 200
    assert changed["ETag"] != headers["ETag"]
    assert "https://meet.example.org/new" in Calendar.from_ical(body).events[0]["LOCATION"]
    # The same address each time she asks.
    assert address_in(await feed_message(emulator, network.ana)) == url

    query = emulator.tap(network.ana, shown, "🔄 Nueva dirección")
    answer = await answer_to(emulator, query)
    assert answer.text == "Hecho: la dirección anterior ya no funciona."

    def replaced() -> bool:
        now = emulator.message(shown.chat_id, shown.message_id)
        return now is not None and url not in (now.text or "")

    await emulator.wait_until(replaced)
    edited = emulator.message(shown.chat_id, shown.message_id)
    assert edited is not None
    new_url = address_in(edited)  # type: ignore[arg-type]
    assert (await get(url))[0] == 404
    assert (await get(new_url))[0] == 200
    assert (await get(url.replace(".ics", "x.ics")))[0] == 404


async def test_a_group_feed_for_its_coordinators_only(
    emulator: Emulator, network: Network, repos: Repositories
) -> None:
    chat = await linked_chat(emulator, repos, "climate", [network.ana, network.aroha])
    shown = await feed_message(emulator, network.ana, chat)  # Ana coordinates climate
    assert shown.chat_id == network.ana.id  # in her private chat: the address is a secret
    told = "Te envié la dirección del calendario del grupo en nuestro chat privado."
    await emulator.wait_until(lambda: told in [e.text for e in emulator.sent_to(chat)])
    assert not any("/calendar/" in (e.text or "") for e in emulator.sent_to(chat))
    assert (shown.text or "").startswith("📡 El canal de calendario de Cambio climático:")
    status, body, _ = await get(address_in(shown))
    assert status == 200
    events = sorted(str(e["SUMMARY"]) for e in Calendar.from_ical(body).events)
    assert events == ["Follow-up meeting", "Weekly check-in"]

    mark = len(emulator.ledger)
    await emulator.says(network.aroha, "/calendar", chat)
    await emulator.settle()
    assert not any("📡" in (e.text or "") for e in emulator.ledger[mark:])
    # A forged tap on the group's button by a member changes nothing.
    query = emulator.tap(network.aroha, shown, "🔄 Nueva dirección")
    assert (await answer_to(emulator, query)).text == "This button is no longer valid."
    assert (await get(address_in(shown)))[0] == 200
