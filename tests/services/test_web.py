"""The web face's service against a real SQLite file: feed addresses and what they serve, the
published experiences and their photos kept on disk."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import pytest
from icalendar import Calendar

from bot.clock import ManualClock
from bot.i18n import I18n
from bot.meetings.service import MeetingsService
from bot.runtime import DueWorkRuntime
from bot.web.service import WebService
from config import Settings, load_network, load_settings
from storage import Person, Repositories
from storage.timecodec import to_db
from storage.web import FeedOwner

from ..factories import experience, meeting
from .conftest import START

SECRETARIAT = 990001


def wall(*fields: int) -> datetime:
    return datetime(*fields, tzinfo=UTC).replace(tzinfo=None)


async def someone(repos: Repositories, telegram_id: int, name: str, groups: list[str]) -> Person:
    found = await repos.people.upsert_from_telegram(
        telegram_id=telegram_id,
        first_name=name,
        last_name=None,
        username=None,
        language_code="es",
        private=True,
        now=START,
    )
    for slug in groups:
        group = await repos.groups.by_slug(slug)
        assert group is not None
        await repos.groups.add_member(group.id, found.id, "member", START)
    return found


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return load_settings(
        bot_token="1:x",
        database_path=tmp_path / "data" / "services.sqlite3",
        secretariat_ids=str(SECRETARIAT),
        public_url="https://wnmrc.example.org",
    )


@pytest.fixture
async def web(repos: Repositories, clock: ManualClock, settings: Settings) -> WebService:
    await repos.groups.seed(load_network(settings.network_file).groups, START)
    i18n = I18n("en")
    meetings = MeetingsService(repos, clock, i18n, settings, DueWorkRuntime(clock))
    return WebService(repos, clock, settings, meetings, "en")


async def group_id(repos: Repositories, slug: str) -> int:
    group = await repos.groups.by_slug(slug)
    assert group is not None
    return group.id


def summaries(content: bytes) -> list[str]:
    return sorted(str(e["SUMMARY"]) for e in Calendar.from_ical(content).events)


async def test_feeds_serve_the_meetings_their_owner_may_read(
    web: WebService, repos: Repositories
) -> None:
    climate, biodiversity = await group_id(repos, "climate"), await group_id(repos, "biodiversity")
    await meeting(
        repos,
        "Climate call",
        zone="Europe/Madrid",
        local_start=wall(2026, 4, 15, 15, 0),
        group_ids=[climate],
    )
    await meeting(
        repos,
        "Species call",
        zone="America/Lima",
        local_start=wall(2026, 4, 16, 9, 0),
        group_ids=[biodiversity],
    )
    ana = await someone(repos, 1001, "Ana", ["climate"])
    bo = await someone(repos, 1002, "Bo", [])
    secretariat = await someone(repos, SECRETARIAT, "Sec", [])

    async def served(owner: FeedOwner) -> list[str]:
        links = await web.feed_links(owner)
        assert links is not None
        assert links.webcal == links.url.replace("https://", "webcal://")
        feed = await web.feed(links.url.rsplit("/", 1)[1].removesuffix(".ics"))
        assert feed is not None
        return summaries(feed.content)

    assert await served(FeedOwner("person", ana.id)) == ["Climate call"]
    assert await served(FeedOwner("person", bo.id)) == []  # in no group: an empty calendar
    assert await served(FeedOwner("person", secretariat.id)) == ["Climate call", "Species call"]
    assert await served(FeedOwner("group", biodiversity)) == ["Species call"]


async def test_a_replaced_address_serves_nothing(web: WebService, repos: Repositories) -> None:
    ana = await someone(repos, 1001, "Ana", ["climate"])
    owner = FeedOwner("person", ana.id)
    together = await asyncio.gather(*(web.feed_token(owner) for _ in range(5)))
    first = together[0]
    assert set(together) == {first}  # first asks at once agree on one address
    assert await web.feed_token(owner) == first  # stable until replaced
    second = await web.replace_feed(owner)
    assert second != first
    assert await web.feed(first) is None
    assert await web.feed(second) is not None
    for wrong in ("", "short", "x" * 200, "../../etc/passwd", second + "'"):
        assert await web.feed(wrong) is None
    async with repos.db.transaction() as conn:  # what /forgetme does to the person's row
        await conn.execute("DELETE FROM people WHERE id = ?", (ana.id,))
    assert await web.feed(second) is None


async def test_only_published_experiences_and_their_photos_fetched_once(
    web: WebService, repos: Repositories, settings: Settings
) -> None:
    shown = await experience(repos, "Shown", status="selected", photos=("F1", "F2"))
    unpublished = await experience(repos, "Not yet", status="selected", photos=("F3",))
    await experience(repos, "Submitted", status="submitted")
    async with repos.db.transaction() as conn:
        await conn.execute(
            "UPDATE experiences SET published_at = ? WHERE id = ?", (to_db(START), shown.id)
        )
    assert [e.title for e in await web.published()] == ["Shown"]
    parts = await web.gallery("es")
    assert [(c.title, [e.title for e in c.experiences]) for c in parts] == [
        ("Cambio climático", ["Shown"])
    ]
    assert await web.experience(unpublished.id) is None

    fetched: list[str] = []

    async def from_telegram(file_id: str) -> bytes:
        fetched.append(file_id)
        await asyncio.sleep(0.05)  # a slow download: the other asks wait for it
        return f"photo {file_id}".encode()

    paths = await asyncio.gather(*(web.photo(shown.id, 2, from_telegram) for _ in range(3)))
    assert fetched == ["F2"]
    assert len(set(paths)) == 1
    path = paths[0]
    assert path is not None
    assert path.parent == settings.database_path.parent / "web-photos"
    assert path.read_bytes() == b"photo F2"
    assert await web.photo(shown.id, 2, from_telegram) == path
    assert fetched == ["F2"]
    assert await web.photo(shown.id, 3, from_telegram) is None  # no third photo
    assert await web.photo(unpublished.id, 1, from_telegram) is None
    assert fetched == ["F2"]
