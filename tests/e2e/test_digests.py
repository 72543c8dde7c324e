"""Digests: a group's weekly digest, the network channel's, personal digests at 09:00 local,
skip-when-empty, no repeats, a digest due during downtime sent once, /digest and its rights.

The bot's clock starts on Wednesday 2026-03-25 12:00 UTC. Madrid (the default zone) springs
forward on Sunday 29 March, so the Monday digests at 09:00 Madrid go at 07:00 UTC; Santiago is
still at UTC-3 (09:00 = 12:00 UTC) and Sydney at UTC+11 (09:00 Monday = 22:00 UTC Sunday).
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.app import build_application, running
from bot.clock import ManualClock
from bot.context import WnmrcApplication
from config import Settings
from sandbox.emulator import Emulator, SimChat, SimUser
from storage import Repositories, WorkingGroup
from storage.digests import DigestsRepository
from storage.outbox import OutboxMessage

from ..conftest import bot_settings

NOW = datetime(2026, 3, 25, 12, 0, tzinfo=UTC)
MONDAY_MADRID = datetime(2026, 3, 30, 7, 0, tzinfo=UTC)
CHANNEL = "wnmrc_news"


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(NOW)


@pytest.fixture
def settings(emulator: Emulator, database_path: Path) -> Settings:
    """The tests' settings plus the network channel (a public channel the bot administers)."""
    emulator.add_group("WNMRC news", kind="channel", username=CHANNEL)
    return bot_settings(emulator, database_path, network_channel=f"@{CHANNEL}")


async def member(
    emulator: Emulator,
    repos: Repositories,
    first: str,
    last: str,
    *,
    joined: datetime,
    group: str = "climate",
    role: str = "member",
    language: str = "en",
    **profile: str,
) -> SimUser:
    user = emulator.add_user(first, last_name=last, language_code=language, started=True)
    person = await repos.people.upsert_from_telegram(
        telegram_id=user.id,
        first_name=first,
        last_name=last,
        username=None,
        language_code=language,
        private=True,
        now=joined,
    )
    if profile:
        await repos.people.update_profile(person.id, joined, **profile)
    found = await repos.groups.by_slug(group)
    assert found is not None
    await repos.groups.add_member(found.id, person.id, role, joined)
    return user


async def climate_chat(emulator: Emulator, repos: Repositories, *users: SimUser) -> SimChat:
    """The climate group's linked chat."""
    chat = emulator.add_group("Climate chat", members=list(users))
    await repos.chats.upsert(
        chat_id=chat.id, type="supergroup", title=chat.title, username=None, is_forum=False, now=NOW
    )
    climate = await climate_group(repos)
    await repos.groups.link_chat(climate.id, chat.id, None, NOW)
    return chat


async def climate_group(repos: Repositories) -> WorkingGroup:
    group = await repos.groups.by_slug("climate")
    assert group is not None
    return group


async def a_known_week(emulator: Emulator, repos: Repositories) -> tuple[SimUser, SimChat]:
    """Jorge coordinates climate since February; Ana and Li join it this week, Bo joins
    biodiversity. Returns Jorge and the climate chat."""
    jorge = await member(
        emulator, repos, "Jorge", "Ruiz", joined=NOW - timedelta(days=40), role="coordinator"
    )
    await member(
        emulator,
        repos,
        "Ana",
        "Quispe",
        joined=NOW + timedelta(days=1),
        country="PE",
        reserve="Cordillera Alta",
    )
    await member(emulator, repos, "Li", "<b>Wei</b>", joined=NOW + timedelta(days=2), country="CN")
    await member(
        emulator, repos, "Bo", "Berg", joined=NOW + timedelta(days=3), group="biodiversity"
    )
    return jorge, await climate_chat(emulator, repos, jorge)


def digest_rows(rows: list[OutboxMessage]) -> list[OutboxMessage]:
    return [row for row in rows if row.kind == "digest"]


async def all_digest_rows(repos: Repositories) -> list[OutboxMessage]:
    rows = await repos.db.fetch_all("SELECT id FROM outbox WHERE kind = 'digest' ORDER BY id")
    found = [await repos.outbox.get(int(row[0])) for row in rows]
    return [row for row in found if row is not None]


GROUP_DIGEST = [
    "Digest of Climate change",
    "",
    "New members",
    "• Ana Quispe — Cordillera Alta · Peru",
    "• Li <b>Wei</b> — China",
]

NETWORK_DIGEST = [
    "Network digest",
    "",
    "New members",
    "• Ana Quispe — Cordillera Alta · Peru → Climate change",
    "• Li <b>Wei</b> — China → Climate change",
    "• Bo Berg → Biodiversity",
]


async def test_the_weekly_group_and_network_digests_of_a_known_week_then_nothing_twice(
    app: WnmrcApplication, emulator: Emulator, repos: Repositories, clock: ManualClock
) -> None:
    _, chat = await a_known_week(emulator, repos)
    channel = emulator.chat(f"@{CHANNEL}")
    assert channel is not None

    clock.set(MONDAY_MADRID - timedelta(minutes=1))
    assert await app.services.digests.run_due() == 0
    clock.set(MONDAY_MADRID)
    app.services.runtime.wake()  # the runtime serves it
    await emulator.wait_until(lambda: emulator.sent_to(chat) and emulator.sent_to(channel))

    [posted] = emulator.sent_to(chat)
    assert (posted.text or "").split("\n") == GROUP_DIGEST
    assert "<b>Li &lt;b&gt;Wei&lt;/b&gt;</b>" in (posted.html or "")
    [news] = emulator.sent_to(channel)
    assert (news.text or "").split("\n") == NETWORK_DIGEST
    rows = await all_digest_rows(repos)
    schedules = DigestsRepository(repos.db)
    group_schedule = await schedules.for_group((await climate_group(repos)).id)
    assert group_schedule is not None
    assert f"digest:{group_schedule.id}:2026-03-30T07:00:00Z" in {row.dedupe_key for row in rows}
    assert all(row.due_at == MONDAY_MADRID for row in rows)
    assert group_schedule.next_due_at == datetime(2026, 4, 6, 7, tzinfo=UTC)

    # The next Monday: nobody new, nothing sent (and Ana is not repeated).
    clock.set(datetime(2026, 4, 6, 7, tzinfo=UTC))
    assert await app.services.digests.run_due() == 0
    assert len(await all_digest_rows(repos)) == len(rows)
    moved = await schedules.get(group_schedule.id)
    assert moved is not None
    assert moved.next_due_at == datetime(2026, 4, 13, 7, tzinfo=UTC)

    # A newcomer the week after: only she is in the next digest.
    await member(emulator, repos, "Zoe", "Diaz", joined=datetime(2026, 4, 8, tzinfo=UTC))
    clock.set(datetime(2026, 4, 13, 7, tzinfo=UTC))
    assert await app.services.digests.run_due() == 2
    await emulator.wait_until(lambda: len(emulator.sent_to(chat)) == 2)
    assert (emulator.sent_to(chat)[1].text or "").split("\n")[3:] == ["• Zoe Diaz"]


PERSONAL = {
    "en": [
        "Your digest",
        "",
        "New members",
        "• Ana Quispe — Cordillera Alta · Peru",
        "• Li <b>Wei</b> — China",
    ],
    "es": [
        "Tu boletín",
        "",
        "Nuevos miembros",
        "• Ana Quispe — Cordillera Alta · Perú",
        "• Li <b>Wei</b> — China",
    ],
}


async def test_personal_digests_at_nine_local_in_each_readers_language(
    app: WnmrcApplication, emulator: Emulator, repos: Repositories, clock: ManualClock
) -> None:
    await a_known_week(emulator, repos)
    earlier = NOW - timedelta(days=20)
    olivia = await member(emulator, repos, "Olivia", "Reid", joined=earlier)
    carmen = await member(emulator, repos, "Carmen", "Soto", joined=earlier, language="es")
    for user, zone in ((olivia, "Australia/Sydney"), (carmen, "America/Santiago")):
        person = await repos.people.by_telegram_id(user.id)
        assert person is not None
        await repos.people.set_timezone(person.id, zone, NOW)

    on = await emulator.says(olivia, "/digest weekly")
    es = await emulator.says(carmen, "/digest weekly")

    assert on.text == (
        "Your personal digest is now weekly, on Mondays. The next one comes "
        "Monday, March 30, 2026 09:00 (Sydney)."
    )
    assert es.text == (
        "Tu boletín personal ahora es semanal, los lunes. El próximo llega el "
        "lunes, 30 de marzo de 2026 09:00 (Santiago de Chile)."
    )

    sydney_monday = datetime(2026, 3, 29, 22, tzinfo=UTC)
    santiago_monday = datetime(2026, 3, 30, 12, tzinfo=UTC)
    clock.set(sydney_monday - timedelta(seconds=1))
    await app.services.digests.run_due()
    assert emulator.sent_to(olivia) == [on]
    clock.set(sydney_monday)
    await app.services.digests.run_due()
    await emulator.wait_until(lambda: len(emulator.sent_to(olivia)) == 2)
    assert (emulator.sent_to(olivia)[1].text or "").split("\n") == PERSONAL["en"]
    assert len(emulator.sent_to(carmen)) == 1

    clock.set(santiago_monday)
    await app.services.digests.run_due()
    await emulator.wait_until(lambda: len(emulator.sent_to(carmen)) == 2)
    assert (emulator.sent_to(carmen)[1].text or "").split("\n") == PERSONAL["es"]

    expected = sorted([(olivia.id, sydney_monday, "sent"), (carmen.id, santiago_monday, "sent")])

    async def personal_rows() -> list[tuple[int, datetime, str]]:
        rows = [r for r in await all_digest_rows(repos) if r.person_id is not None]
        return sorted((r.chat_id, r.due_at, r.status) for r in rows)

    for _ in range(200):  # the message arrives before its row is marked sent: wait up to 10 s
        if await personal_rows() == expected:
            break
        await asyncio.sleep(0.05)
    assert await personal_rows() == expected


async def test_a_digest_due_during_downtime_goes_out_once_on_restart(
    settings: Settings, emulator: Emulator
) -> None:
    clock = ManualClock(NOW)
    first = build_application(settings, clock=clock, publish_command_menus=False)
    async with running(first, poll_timeout=1):
        _, chat = await a_known_week(emulator, first.services.repos)
        await first.services.runtime.stop()  # started by post_init, before the chat was linked
        await first.services.runtime.start()  # a start creates the climate chat's schedule
        await first.services.runtime.stop()

    clock.set(MONDAY_MADRID + timedelta(days=15))  # three Mondays missed
    second = build_application(settings, clock=clock, publish_command_menus=False)
    async with running(second, poll_timeout=1):
        await second.services.runtime.start()
        await second.services.runtime.start()  # idempotent
        await emulator.wait_until(lambda: emulator.sent_to(chat))
        await second.services.runtime.stop()
        await second.services.runtime.stop()
        repos = second.services.repos
        rows = [r for r in await all_digest_rows(repos) if r.chat_id == chat.id]
        schedule = await DigestsRepository(repos.db).for_group((await climate_group(repos)).id)

    assert schedule is not None
    assert [row.dedupe_key for row in rows] == [f"digest:{schedule.id}:2026-03-30T07:00:00Z"]
    assert len(emulator.sent_to(chat)) == 1
    assert schedule.next_due_at == datetime(2026, 4, 20, 7, tzinfo=UTC)


async def test_digest_preview_and_post_now_in_the_group_chat(
    app: WnmrcApplication, emulator: Emulator, repos: Repositories, clock: ManualClock
) -> None:
    jorge, chat = await a_known_week(emulator, repos)
    ana = emulator.find_user("Ana")
    assert ana is not None
    emulator.add_member(chat, ana)
    clock.set(NOW + timedelta(days=4))

    preview = await emulator.says(ana, "/digest", chat=chat)
    refused = await emulator.says(ana, "/digest now", chat=chat)
    bad = await emulator.says(ana, "/digest sometimes", chat=chat)

    assert (preview.text or "").split("\n") == [
        "Preview — the next digest of Climate change comes Monday, March 30, 2026 09:00 (Madrid):",
        "",
        *GROUP_DIGEST,
    ]
    assert (
        refused.text == "Only the coordinators of Climate change and the secretariat can do that."
    )
    assert bad.text is not None
    assert bad.text.startswith("Write /digest to preview the digest, /digest now to post it")
    assert await all_digest_rows(repos) == []

    mark = len(emulator.sent_to(chat))
    emulator.send_text(jorge, "/digest now", chat)
    await emulator.wait_until(lambda: len(emulator.sent_to(chat)) == mark + 1)
    assert (emulator.sent_to(chat)[-1].text or "").split("\n") == GROUP_DIGEST

    again = await emulator.says(jorge, "/digest now", chat=chat)
    assert again.text == "Nothing new for Climate change since the last digest: nothing to post."
    clock.set(MONDAY_MADRID)
    await app.services.digests.run_due()
    assert [r.chat_id for r in await all_digest_rows(repos)].count(chat.id) == 1

    unlinked = emulator.add_group("Elsewhere", members=[jorge])
    elsewhere = await emulator.says(jorge, "/digest", chat=unlinked)
    assert elsewhere.text == "This chat is not linked to a working group, so it gets no digest."


async def test_switching_a_personal_digest_on_and_off_in_two_languages(
    app: WnmrcApplication, emulator: Emulator, repos: Repositories
) -> None:
    li = emulator.add_user("Li", language_code="fr")
    ana = emulator.add_user("Ana", language_code="en")

    assert (await emulator.says(ana, "/digest")).text == (
        "Your personal digest is off. Switch it on with /digest daily, /digest weekly or "
        "/digest monthly."
    )
    monthly = await emulator.says(li, "/digest monthly")
    assert monthly.text == (
        "Votre bulletin personnel est désormais mensuel, le 1er. Le prochain arrive le "
        "mercredi 1 avril 2026 09:00 (Madrid)."
    )
    preview = await emulator.says(li, "/digest")
    assert preview.text == (
        "Rien de nouveau pour l’instant\u202f: votre prochain bulletin, le mercredi 1 avril 2026 "
        "09:00 (Madrid), n’est envoyé que s’il y a du nouveau."
    )
    assert (await emulator.says(ana, "/digest weekly")).text == (
        "Your personal digest is now weekly, on Mondays. The next one comes "
        "Monday, March 30, 2026 09:00 (Madrid)."
    )
    assert (await emulator.says(ana, "/digest hourly")).text == (
        "Write /digest daily, /digest weekly, /digest monthly or /digest off."
    )
    assert (await emulator.says(ana, "/digest off")).text == (
        "Your personal digest is off. Switch it on with /digest daily, /digest weekly or "
        "/digest monthly."
    )
    person = await repos.people.by_telegram_id(ana.id)
    assert person is not None
    schedule = await DigestsRepository(repos.db).for_person(person.id)
    assert schedule is not None
    assert (schedule.frequency, schedule.next_due_at) == ("off", None)
