"""The announcements service at storage speed: who may announce where, the draft's steps, and
Send queueing every recipient's rows and dropping the draft in one unit of work."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.access import GROUP_REFUSAL, REFUSALS
from bot.announcements.service import (
    AnnouncementsService,
    AskScope,
    Cancelled,
    InProgress,
    Nobody,
    Previewing,
    Queued,
    Refused,
    Stale,
    Started,
    TextRefused,
    UnknownGroup,
)
from bot.clock import ManualClock
from bot.i18n import I18n
from bot.outbox import OutboxService
from bot.permissions import Role
from config import load_network, load_settings
from storage import Draft, Repositories

from .conftest import START
from .test_email import imported_person

SECRETARIAT = 990001
CLIMATE_CHAT = -100555


class Wakes:
    def __init__(self) -> None:
        self.count = 0

    def wake(self) -> None:
        self.count += 1


@pytest.fixture
def wakes() -> Wakes:
    return Wakes()


@pytest.fixture
async def service(
    repos: Repositories, clock: ManualClock, wakes: Wakes, tmp_path: Path
) -> AnnouncementsService:
    settings = load_settings(
        database_path=tmp_path / "unused.sqlite3", secretariat_ids=str(SECRETARIAT)
    )
    await repos.groups.seed(load_network().groups, START)
    return AnnouncementsService(repos, clock, I18n(), settings, OutboxService(repos, clock, wakes))


async def person(
    repos: Repositories, telegram_id: int, name: str, language: str, role: str | None = None
) -> int:
    found = await repos.people.upsert_from_telegram(
        telegram_id=telegram_id,
        first_name=name,
        last_name=None,
        username=None,
        language_code=language,
        private=True,
        now=START,
    )
    if role is not None:
        climate = await repos.groups.by_slug("climate")
        assert climate is not None
        await repos.groups.add_member(climate.id, found.id, role, START)
    return found.id


async def climate_id(repos: Repositories) -> int:
    climate = await repos.groups.by_slug("climate")
    assert climate is not None
    return climate.id


async def at_preview(service: AnnouncementsService, person_id: int, text: str) -> Draft:
    started = await service.start(person_id, 1, "climate")
    assert isinstance(started, Started)
    assert isinstance(await service.type_text(started.draft, text), Previewing)
    draft = await service.draft(person_id)
    assert draft is not None
    return draft


async def test_who_may_start_an_announcement_and_to_whom(
    repos: Repositories, service: AnnouncementsService
) -> None:
    carmen = await person(repos, 1001, "Carmen", "es", role="coordinator")
    ana = await person(repos, 1002, "Ana", "en", role="member")
    jorge = await person(repos, SECRETARIAT, "Jorge", "es")

    assert isinstance(await service.start(carmen, 1, ""), AskScope)
    assert isinstance(await service.start(carmen, 1, "glaciers"), UnknownGroup)
    assert await service.start(ana, 1, "climate") == Refused(
        GROUP_REFUSAL, (await repos.groups.by_slug("climate"))
    )
    assert await service.start(carmen, 1, "all") == Refused(REFUSALS[Role.SECRETARIAT], None)
    assert isinstance(await service.start(jorge, 1, "all"), Started)
    started = await service.start(carmen, 1, "climate")
    assert isinstance(started, Started)
    assert started.draft.data["scope"] == await climate_id(repos)
    assert await service.start(carmen, 1, "biodiversity") == InProgress(started.draft)
    assert await service.draft(ana) is None


async def test_a_text_too_long_for_one_message_is_refused_and_the_draft_waits(
    repos: Repositories, service: AnnouncementsService
) -> None:
    carmen = await person(repos, 1001, "Carmen", "es", role="coordinator")
    started = await service.start(carmen, 1, "climate")
    assert isinstance(started, Started)

    outcome = await service.type_text(started.draft, "x" * 5000)

    assert isinstance(outcome, TextRefused)
    assert outcome.refusal.values["length"] == 5000
    draft = await service.draft(carmen)
    assert draft is not None
    assert draft.step == "text"


async def test_send_queues_each_recipient_in_their_language_and_drops_the_draft_once(
    repos: Repositories, service: AnnouncementsService, wakes: Wakes
) -> None:
    carmen = await person(repos, 1001, "Carmen", "es", role="coordinator")
    await person(repos, 1002, "Ana", "en", role="member")
    await person(repos, 1003, "Li", "zh", role="member")
    await repos.chats.upsert(
        chat_id=CLIMATE_CHAT,
        type="supergroup",
        title="Climate chat",
        username=None,
        is_forum=False,
        now=START,
    )
    await repos.groups.link_chat(await climate_id(repos), CLIMATE_CHAT, None, START)
    draft = await at_preview(service, carmen, "The follow-up meeting is on Monday.")
    token = str(draft.data["id"])

    queued = await service.tap(carmen, token, "send")

    assert isinstance(queued, Queued)
    assert (len(queued.recipients.people), len(queued.recipients.places)) == (3, 1)
    assert not queued.by_secretariat
    assert await service.draft(carmen) is None
    assert wakes.count == 1
    headers = {
        chat: (await repos.outbox.for_chat(chat))[0].payload.text.split("\n")[0]
        for chat in (1001, 1002, 1003, CLIMATE_CHAT)
    }
    assert headers == {
        1001: "<b>📣 Anuncio — Cambio climático</b>",
        1002: "<b>📣 Announcement — Climate change</b>",
        1003: "<b>📣 公告 — 气候变化</b>",
        CLIMATE_CHAT: "<b>📣 Announcement — Climate change</b>",
    }
    ana_row = (await repos.outbox.for_chat(1002))[0]
    assert ana_row.dedupe_key == f"announcement:{token}:1002"
    assert ana_row.payload.text.endswith("— <i>Carmen</i>")
    assert await service.tap(carmen, token, "send") == Stale()  # a double tap sends nothing
    assert (await repos.outbox.summary()).count() == 4


async def test_a_linked_chat_that_chose_its_language_reads_the_announcement_in_it(
    repos: Repositories, service: AnnouncementsService
) -> None:
    carmen = await person(repos, 1001, "Carmen", "es", role="coordinator")
    await repos.chats.upsert(
        chat_id=CLIMATE_CHAT,
        type="supergroup",
        title="Climate chat",
        username=None,
        is_forum=False,
        now=START,
    )
    await repos.groups.link_chat(await climate_id(repos), CLIMATE_CHAT, None, START)
    await repos.chats.set_language(CLIMATE_CHAT, "fr", START)
    draft = await at_preview(service, carmen, "La réunion de suivi est lundi.")

    assert isinstance(await service.tap(carmen, str(draft.data["id"]), "send"), Queued)
    [row] = await repos.outbox.for_chat(CLIMATE_CHAT)
    assert row.payload.text.split("\n")[0] == "<b>📣 Annonce — Changement climatique</b>"


async def test_a_coordinator_dismissed_before_send_is_refused_and_nothing_is_queued(
    repos: Repositories, service: AnnouncementsService
) -> None:
    carmen = await person(repos, 1001, "Carmen", "es", role="coordinator")
    await person(repos, 1002, "Ana", "en", role="member")
    draft = await at_preview(service, carmen, "Hello")
    await repos.groups.dismiss(await climate_id(repos), carmen)

    outcome = await service.tap(carmen, str(draft.data["id"]), "send")

    assert isinstance(outcome, Refused)
    assert outcome.reason == GROUP_REFUSAL
    assert (await repos.outbox.summary()).count() == 0
    assert await service.draft(carmen) is not None


async def test_audience_edit_cancel_and_an_audience_that_reaches_nobody(
    repos: Repositories, service: AnnouncementsService
) -> None:
    carmen = await person(repos, 1001, "Carmen", "es", role="coordinator")
    draft = await at_preview(service, carmen, "Hello")
    token = str(draft.data["id"])

    chats = await service.tap(carmen, token, "chats")
    assert isinstance(chats, Previewing)
    assert (await service.control(chats.data)).recipients.empty  # no linked chat
    assert await service.tap(carmen, token, "send") == Nobody()
    assert await service.tap(carmen, "00000000", "send") == Stale()
    assert await service.tap(carmen, token, "cancel") == Cancelled()
    assert await service.draft(carmen) is None
    assert (await repos.outbox.summary()).count() == 0


async def test_a_member_with_only_e_mail_gets_the_announcement_by_e_mail(
    repos: Repositories, service: AnnouncementsService
) -> None:
    """Someone the secretariat imported with an address, who has no Telegram, is not left out."""
    repos.outbox.email_enabled = True
    carmen = await person(repos, 1001, "Carmen", "es", role="coordinator")
    mei = await imported_person(repos, "Mei", "mei@example.cn", "zh")
    await repos.groups.add_member(await climate_id(repos), mei, "member", START)
    draft = await at_preview(service, carmen, "The follow-up meeting is on Monday.")

    queued = await service.tap(carmen, str(draft.data["id"]), "send")

    assert isinstance(queued, Queued)
    assert [p.id for p in queued.recipients.people] == [carmen, mei]
    rows = await repos.db.fetch_all(
        "SELECT channel, payload FROM outbox WHERE person_id = ? ORDER BY id", (mei,)
    )
    assert [row["channel"] for row in rows] == ["email"]
    assert "公告 — 气候变化" in rows[0]["payload"]
