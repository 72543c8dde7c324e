"""One-click answers from the invitation e-mail: Mei, who has only e-mail, gets Going / Maybe /
Can't go links (HTML and text parts) signed by the web face; opening hers records nothing,
confirming it counts her in the group's live counts in the chat."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import pytest

from bot.clock import ManualClock
from bot.context import WnmrcApplication
from bot.outbox import DeliveryConfig
from config import Settings
from sandbox.emulator import Emulator
from sandbox.mail import MailCatcher
from storage import Repositories

from ..conftest import FAST_DELIVERY, web_settings
from .test_email import MEI, mail_only_member, text_of, wait_for_mail
from .test_meetings import NOW, announcement_of, current, network, schedule


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
def catcher(tmp_path: Path) -> Iterator[MailCatcher]:
    with MailCatcher(tmp_path / "mail") as server:
        yield server


@pytest.fixture
def settings(emulator: Emulator, database_path: Path, catcher: MailCatcher) -> Settings:
    return web_settings(
        emulator,
        database_path,
        smtp_url=catcher.url,
        mail_from="WNMRC <bot@wnmrc.example.org>",
        mail_rate_per_minute=600,
    )


async def fetch(method: str, url: str) -> tuple[int, str]:
    async with aiohttp.ClientSession() as session, session.request(method, url) as response:
        return response.status, await response.text()


async def test_her_going_from_the_email_is_counted_in_the_group(
    app: WnmrcApplication, emulator: Emulator, repos: Repositories, catcher: MailCatcher
) -> None:
    jorge, _, _, chat = await network(emulator, repos)
    await mail_only_member(repos)
    await schedule(emulator, jorge)
    [invitation] = await wait_for_mail(emulator, catcher, 1)
    assert invitation.recipients == (MEI,)

    plain = text_of(invitation.message, "plain")
    html = text_of(invitation.message, "html")
    links = dict(re.findall(r"^(✅ Voy|🤔 Quizás|❌ No puedo): (http\S+)$", plain, re.M))
    assert set(links) == {"✅ Voy", "🤔 Quizás", "❌ No puedo"}, plain
    for url in links.values():
        assert f'href="{url}"' in html.replace("&amp;", "&")
    assert "Para responder" not in plain  # the links replace the line about the buttons

    status, page = await fetch("GET", links["✅ Voy"])
    assert status == 200
    assert '<html lang="es">' in page
    occurrence = await repos.meetings.next_occurrence(1, NOW)
    assert occurrence is not None
    assert await repos.meetings.counts(occurrence.id) == {}

    status, page = await fetch("POST", links["✅ Voy"])
    assert status == 200
    assert await repos.meetings.counts(occurrence.id) == {"going": 1}
    in_chat = announcement_of(emulator, chat)
    await emulator.wait_until(
        lambda: "Going: 1 · Maybe: 0 · Can't go: 0" in current(emulator, in_chat)
    )


async def test_one_click_unsubscribe_from_the_email_stops_her_emails(
    app: WnmrcApplication, emulator: Emulator, repos: Repositories, catcher: MailCatcher
) -> None:
    jorge, _, _, _ = await network(emulator, repos)
    mei = await mail_only_member(repos)
    await schedule(emulator, jorge)
    [invitation] = await wait_for_mail(emulator, catcher, 1)
    message = invitation.message
    assert str(message["List-Unsubscribe-Post"]).strip() == "List-Unsubscribe=One-Click"
    header = " ".join(str(message["List-Unsubscribe"]).split())
    found = re.fullmatch(r"<(http://\S+/unsubscribe/(\S+))>, <mailto:\S+>", header)
    assert found is not None, header
    url, token = found[1], found[2]
    assert url in text_of(message, "plain")  # the footer's link

    status, page = await fetch("GET", url)  # a mail scanner: nothing changes
    assert status == 200
    assert "¿Dejar de recibir los correos del bot?" in page
    state = await repos.channels.state(mei)
    assert state is not None
    assert state.choice is None

    status, page = await fetch("POST", url)  # the mail program's one-click (RFC 8058)
    assert status == 200
    assert "Hecho: el bot ya no te envía correos." in page
    state = await repos.channels.state(mei)
    assert state is not None
    assert state.choice == "telegram"
    status, _page = await fetch("POST", url.replace(token, "not-a-token"))
    assert status == 404

    # The next message to her is not e-mailed (and she has no Telegram chat).
    nudged = await emulator.says(jorge, "/nudge 1")
    assert nudged.text
    await emulator.settle(quiet=0.5)
    assert len(catcher.to(MEI)) == 1
