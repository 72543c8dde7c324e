"""The roadmap service at storage speed: who may create an action, what is stored, the owners'
nudges planned at 09:00 their time and sent once through the outbox, progress notes."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest

from bot.clock import ManualClock
from bot.i18n import I18n
from bot.outbox import OutboxService
from bot.privacy.service import PrivacyService
from bot.roadmap.service import NO_PROGRESS_RIGHT, NOT_ALLOWED, RoadmapService
from config import load_network, load_settings
from storage import Repositories

from .conftest import START
from .test_email import imported_person

SECRETARIAT = 990001


class Wakes:
    def wake(self) -> None:
        pass


@pytest.fixture
async def service(repos: Repositories, clock: ManualClock, tmp_path: Path) -> RoadmapService:
    settings = load_settings(
        database_path=tmp_path / "unused.sqlite3", secretariat_ids=str(SECRETARIAT)
    )
    await repos.groups.seed(load_network().groups, START)
    outbox = OutboxService(repos, clock, Wakes())
    return RoadmapService(repos, clock, I18n(), settings, outbox)


async def person(
    repos: Repositories,
    telegram_id: int,
    name: str,
    language: str = "en",
    zone: str | None = None,
    role: str | None = None,
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
    if zone is not None:
        await repos.people.set_timezone(found.id, zone, START)
    if role is not None:
        climate = await repos.groups.by_slug("climate")
        assert climate is not None
        await repos.groups.add_member(climate.id, found.id, role, START)
    return found.id


async def climate_id(repos: Repositories) -> int:
    climate = await repos.groups.by_slug("climate")
    assert climate is not None
    return climate.id


async def test_a_coordinator_creates_an_action_with_an_owner_and_nudges_are_planned(
    service: RoadmapService, repos: Repositories
) -> None:
    coordinator = await person(repos, 1001, "Ana", zone="Europe/Madrid", role="coordinator")
    owner = await person(repos, 1002, "Li", "zh", zone="Asia/Shanghai", role="member")
    group = await climate_id(repos)

    result = await service.create_action(
        coordinator,
        title="  Draft the  methodology ",
        due_date=date(2026, 4, 15),
        owners=[owner],
        group_id=group,
    )

    assert result.created
    assert result.refusal is None
    assert result.action_id is not None
    action = await repos.roadmap.action(result.action_id)
    assert action is not None
    assert action.title == "Draft the methodology"
    assert action.owners == (owner,)
    assert action.due_zone == "Europe/Madrid"
    assert action.due_at == datetime(2026, 4, 15, 22, 0, tzinfo=UTC)  # end of the day in Madrid
    nudges = await repos.db.fetch_all(
        "SELECT kind, due_at FROM roadmap_nudges WHERE person_id = ? ORDER BY due_at", (owner,)
    )
    assert [(r["kind"], r["due_at"][:16]) for r in nudges] == [
        ("week", "2026-04-08T01:00"),  # 09:00 in Shanghai
        ("day", "2026-04-14T01:00"),
        ("overdue", "2026-04-16T01:00"),
    ]
    notices = await repos.db.fetch_all("SELECT chat_id, payload FROM outbox")
    assert [n["chat_id"] for n in notices] == [1002]
    assert "2026年4月15日" in notices[0]["payload"]


async def test_a_member_and_another_groups_coordinator_may_not_create(
    service: RoadmapService, repos: Repositories
) -> None:
    member = await person(repos, 1003, "Marta", role="member")
    group = await climate_id(repos)
    refused = await service.create_action(
        member, title="Something", due_date=date(2026, 5, 1), group_id=group
    )
    network = await service.create_action(member, title="Something", due_date=date(2026, 5, 1))
    assert refused.refusal == NOT_ALLOWED
    assert not refused.created
    assert network.refusal == NOT_ALLOWED
    assert await repos.roadmap.actions() == []


async def test_the_secretariat_creates_a_network_action_linked_to_a_proposal(
    service: RoadmapService, repos: Repositories
) -> None:
    secretariat = await person(repos, SECRETARIAT, "Sec", zone="Europe/Paris")
    result = await service.create_action(
        secretariat,
        title="Send the contribution",
        due_date=date(2026, 6, 1),
        due_time=time(17, 0),
        proposal_id=42,
    )
    assert result.action_id is not None
    action = await repos.roadmap.action(result.action_id)
    assert action is not None
    assert action.proposal_id == 42
    assert action.group_id is None
    assert action.due_at == datetime(2026, 6, 1, 15, 0, tzinfo=UTC)


async def test_nudges_go_once_at_nine_the_owners_time(
    service: RoadmapService, repos: Repositories, clock: ManualClock
) -> None:
    coordinator = await person(repos, 1001, "Ana", role="coordinator")
    owner = await person(repos, 1002, "Kofi", zone="America/Lima", role="member")
    result = await service.create_action(
        coordinator,
        title="Glacier year report",
        due_date=date(2026, 4, 10),
        owners=[owner],
        group_id=await climate_id(repos),
    )
    week = datetime(2026, 4, 3, 14, 0, tzinfo=UTC)  # 09:00 in Lima
    assert await service.next_nudge_at() == week
    clock.set(week - timedelta(minutes=1))
    assert await service.run_nudges(clock.now()) == 0
    clock.set(week)
    assert await service.run_nudges(clock.now()) == 1
    assert await service.run_nudges(clock.now()) == 0
    rows = await repos.db.fetch_all(
        "SELECT dedupe_key, payload FROM outbox WHERE dedupe_key LIKE 'roadmap:%:week:%'"
    )
    assert len(rows) == 1
    assert "One week left" in rows[0]["payload"]
    assert "Friday, April 10, 2026" in rows[0]["payload"]
    assert result.action_id is not None
    done = await service.progress(owner, result.action_id, status="done", note="Sent")
    assert done.action is not None
    assert done.action.status == "done"
    # Only the coordinator's weekly overdue list is left, and with nothing overdue it stays unsent.
    monday = datetime(2026, 4, 13, 7, 0, tzinfo=UTC)  # 09:00 in Madrid
    assert await service.next_nudge_at() == monday
    assert await service.run_nudges(monday) == 0
    assert await service.next_nudge_at() is None


async def test_progress_is_for_owners_coordinators_and_the_secretariat(
    service: RoadmapService, repos: Repositories
) -> None:
    coordinator = await person(repos, 1001, "Ana", role="coordinator")
    owner = await person(repos, 1002, "Kofi", role="member")
    other = await person(repos, 1003, "Eve", role="member")
    result = await service.create_action(
        coordinator,
        title="Survey",
        due_date=date(2026, 4, 10),
        owners=[owner],
        group_id=await climate_id(repos),
    )
    assert result.action_id is not None
    refused = await service.progress(other, result.action_id, note="me too")
    assert refused.refusal == NO_PROGRESS_RIGHT
    blocked = await service.progress(
        owner, result.action_id, status="blocked", reason="waiting for data"
    )
    assert blocked.action is not None
    assert blocked.action.blocked_reason == "waiting for data"
    notes = await service.notes(result.action_id)
    assert [(n.author_name, n.text, n.status) for n in notes] == [
        ("Kofi", "waiting for data", "blocked")
    ]


async def test_forgetting_an_owner_keeps_the_action_and_tells_the_coordinators(
    service: RoadmapService, repos: Repositories
) -> None:
    coordinator = await person(repos, 1001, "Ana", "es", role="coordinator")
    owner = await person(repos, 1002, "Kofi", role="member")
    result = await service.create_action(
        coordinator,
        title="Survey",
        due_date=date(2026, 4, 10),
        owners=[owner],
        group_id=await climate_id(repos),
    )
    assert result.action_id is not None
    await service.progress(owner, result.action_id, note="Half of the answers are in")
    privacy = PrivacyService(repos, service.outbox)
    privacy.before_forget(service.tell_orphaned)
    kofi = await repos.people.get(owner)
    assert kofi is not None

    mine = await privacy.personal_data(kofi)
    assert [a["title"] for a in mine["roadmap_actions_owned"]] == ["Survey"]
    assert [n["text"] for n in mine["roadmap_notes_written"]] == ["Half of the answers are in"]
    assert await privacy.forget(kofi)

    action = await repos.roadmap.action(result.action_id)
    assert action is not None
    assert action.owners == ()
    notes = await service.notes(result.action_id)
    assert [(n.author_id, n.text) for n in notes] == [(None, "Half of the answers are in")]
    told = await repos.db.fetch_all(
        "SELECT chat_id, payload FROM outbox WHERE dedupe_key LIKE 'roadmap:orphaned:%'"
    )
    assert [row["chat_id"] for row in told] == [1001]
    assert "Survey" in told[0]["payload"]


async def test_listing_puts_overdue_first_then_by_due_date_a_page_at_a_time(
    service: RoadmapService, repos: Repositories, clock: ManualClock
) -> None:
    coordinator = await person(repos, 1001, "Ana", role="coordinator")
    group = await climate_id(repos)
    for day in (20, 5, 12, 2, 28, 9, 15, 30, 3, 25):
        made = await service.create_action(
            coordinator, title=f"April {day}", due_date=date(2026, 4, day), group_id=group
        )
        assert made.action_id is not None
        if day == 3:
            await service.progress(coordinator, made.action_id, status="done")
    clock.set(datetime(2026, 4, 10, 12, 0, tzinfo=UTC))

    first = await service.page("climate", coordinator, 0)
    second = await service.page("climate", coordinator, 1)
    beyond = await service.page("climate", coordinator, 7)

    assert (first.total, first.pages) == (10, 2)
    assert [a.title for a in first.actions] == [
        "April 2",  # overdue, by due date
        "April 5",
        "April 9",
        "April 12",  # then the open ones by due date
        "April 15",
        "April 20",
        "April 25",
        "April 28",
    ]
    assert [a.title for a in second.actions] == ["April 30", "April 3"]  # done ones last
    assert beyond.page == 1
    assert [a.title for a in (await service.page("all", coordinator, 0)).actions][:1] == ["April 2"]


async def test_overdue_actions_nudge_weekly_and_coordinators_get_a_monday_list(
    service: RoadmapService, repos: Repositories
) -> None:
    coordinator = await person(repos, 1001, "Ana", zone="Europe/Madrid", role="coordinator")
    owner = await person(repos, 1002, "Kofi", zone="America/Lima", role="member")
    made = await service.create_action(
        coordinator,
        title="Glacier <year> report",
        due_date=date(2026, 4, 10),
        owners=[owner],
        group_id=await climate_id(repos),
    )
    assert made.action_id is not None
    overdue = datetime(2026, 4, 11, 14, 0, tzinfo=UTC)  # Saturday 09:00 in Lima
    monday = datetime(2026, 4, 13, 7, 0, tzinfo=UTC)  # Monday 09:00 in Madrid
    for moment in (
        datetime(2026, 4, 3, 14, 0, tzinfo=UTC),
        datetime(2026, 4, 9, 14, 0, tzinfo=UTC),
    ):
        assert await service.run_nudges(moment) == 1
    assert await service.run_nudges(overdue) == 1
    assert await service.run_nudges(monday) == 1
    assert await service.run_nudges(overdue + timedelta(days=7)) == 1  # a week later, again

    rows = await repos.db.fetch_all(
        "SELECT chat_id, dedupe_key, payload FROM outbox WHERE dedupe_key LIKE 'roadmap:%'"
        " AND dedupe_key NOT LIKE 'roadmap:new:%' ORDER BY id"
    )
    assert [(r["chat_id"], r["dedupe_key"]) for r in rows] == [
        (1002, "roadmap:1:2:week:2026-04-03T14:00"),
        (1002, "roadmap:1:2:day:2026-04-09T14:00"),
        (1002, "roadmap:1:2:overdue:2026-04-11T14:00"),
        (1001, "roadmap:list:1:2026-04-13T07:00"),
        (1002, "roadmap:1:2:overdue:2026-04-18T14:00"),
    ]
    assert "Overdue actions of your working groups" in rows[3]["payload"]
    assert "#1 Glacier &lt;year&gt; report — due Friday, April 10, 2026" in rows[3]["payload"]
    assert await service.next_nudge_at() == monday + timedelta(days=7)


async def test_an_owner_with_only_e_mail_gets_the_nudge_by_e_mail(
    service: RoadmapService, repos: Repositories, clock: ManualClock
) -> None:
    """Someone imported with an address who never started the bot still hears of their action."""
    repos.outbox.email_enabled = True
    coordinator = await person(repos, 1001, "Ana", role="coordinator")
    mei = await imported_person(repos, "Mei", "mei@example.cn", "zh")
    await repos.groups.add_member(await climate_id(repos), mei, "member", START)
    await repos.people.set_timezone(mei, "Asia/Shanghai", START)
    await service.create_action(
        coordinator,
        title="Glacier year report",
        due_date=date(2026, 4, 10),
        owners=[mei],
        group_id=await climate_id(repos),
    )
    week = datetime(2026, 4, 3, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai
    clock.set(week)
    assert await service.run_nudges(clock.now()) == 1
    rows = await repos.db.fetch_all(
        "SELECT channel, payload FROM outbox WHERE person_id = ? ORDER BY id", (mei,)
    )
    assert [row["channel"] for row in rows] == ["email", "email"]  # the new action, the nudge
    assert "2026年4月10日" in rows[-1]["payload"]
