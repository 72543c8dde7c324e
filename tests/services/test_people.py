"""Roster, profile, privacy, presence and drafts use cases on a real SQLite file, no Telegram."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.clock import ManualClock
from bot.drafts import DraftsService
from bot.groups.service import GroupsService
from bot.outbox import OutboxService
from bot.presence import ChatSeen, PresenceService, Sender
from bot.privacy.service import PrivacyService
from bot.profile.service import EDIT_KIND, FLOW_KIND, ProfileService
from bot.roster import ExportRecord
from bot.roster.service import RosterService
from bot.runtime import DueWorkRuntime
from config import load_network
from storage import Person, Repositories, WorkingGroup
from storage.outbox import OutboxPayload, OutgoingMessage

from .conftest import START

SECRETARIAT = 990_001


@pytest.fixture
async def climate(repos: Repositories, clock: ManualClock) -> WorkingGroup:
    await repos.groups.seed(load_network().groups, clock.now())
    group = await repos.groups.by_slug("climate")
    assert group is not None
    return group


async def person(repos: Repositories, clock: ManualClock, telegram_id: int, name: str) -> Person:
    presence = PresenceService(repos, clock)
    return await presence.record_sender(
        Sender(telegram_id, name, None, name.lower(), "en"), private=True
    )


# --- roster ---------------------------------------------------------------------------------


async def test_members_see_their_own_roster_and_coordinators_any(
    repos: Repositories, clock: ManualClock, climate: WorkingGroup
) -> None:
    groups = GroupsService(repos, clock, frozenset({SECRETARIAT}))
    roster = RosterService(repos)
    ana = await person(repos, clock, 1, "Ana")
    leo = await person(repos, clock, 2, "Leo")
    biodiversity = await repos.groups.by_slug("biodiversity")
    assert biodiversity is not None
    await groups.join(climate.id, ana.id, "bot")
    await groups.appoint(biodiversity.id, leo.id)

    assert await roster.may_see(await groups.actor(ana), climate.id)
    assert not await roster.may_see(await groups.actor(ana), biodiversity.id)
    assert await roster.may_see(await groups.actor(leo), climate.id)
    assert [g.slug for g in await roster.own_groups(ana.id)] == ["climate"]
    assert [m.person.name for m in await roster.members(climate.id)] == ["Ana"]


async def test_whois_finds_people_with_their_groups_and_who_may_look(
    repos: Repositories, clock: ManualClock, climate: WorkingGroup
) -> None:
    groups = GroupsService(repos, clock, frozenset())
    roster = RosterService(repos)
    ana = await person(repos, clock, 1, "Ana")
    stranger = await person(repos, clock, 3, "Zoe")
    await groups.appoint(climate.id, ana.id)

    found = await roster.whois("@ana")

    assert [p.id for p in found.found] == [ana.id]
    assert found.groups[ana.id] == [(climate, True)]
    assert await roster.may_look_up(await groups.actor(ana))
    assert not await roster.may_look_up(await groups.actor(stranger))
    assert (await roster.whois(str(ana.id))).found == ()
    assert (await roster.whois(str(stranger.id))).found == ()


async def test_the_export_has_each_person_with_all_their_groups(
    repos: Repositories, clock: ManualClock, climate: WorkingGroup
) -> None:
    groups = GroupsService(repos, clock, frozenset())
    ana = await person(repos, clock, 1, "Ana")
    await groups.join(climate.id, ana.id, "bot")
    clock.advance(timedelta(days=2))
    biodiversity = await repos.groups.by_slug("biodiversity")
    assert biodiversity is not None
    await groups.join(biodiversity.id, ana.id, "bot")

    everyone = await RosterService(repos).export(None)

    assert everyone == [
        ExportRecord(
            person=everyone[0].person,
            groups=("climate", "biodiversity"),
            joined=(clock.now() - timedelta(days=2)).date(),
        )
    ]
    assert everyone[0].person.id == ana.id
    only_climate = await RosterService(repos).export(climate)
    assert [record.person.id for record in only_climate] == [ana.id]


# --- profile and language ---------------------------------------------------------------------


async def test_saving_the_profile_writes_it_and_closes_its_draft_together(
    repos: Repositories, clock: ManualClock
) -> None:
    ana = await person(repos, clock, 1, "Ana")
    drafts = DraftsService(repos, clock)
    answers = {"name": "Ana Q", "country": "PE", "timezone": "America/Lima", "role": "researcher"}
    await drafts.save(ana.id, FLOW_KIND, "summary", answers, 1)

    saved = await ProfileService(repos, clock).save(ana.id, answers)

    assert (saved.display_name, saved.country, saved.timezone) == ("Ana Q", "PE", "America/Lima")
    assert await drafts.get(ana.id, FLOW_KIND) is None


async def test_a_failing_profile_save_keeps_the_draft_and_the_old_profile(
    repos: Repositories, clock: ManualClock
) -> None:
    ana = await person(repos, clock, 1, "Ana")
    drafts = DraftsService(repos, clock)
    await drafts.save(ana.id, FLOW_KIND, "summary", {"name": "Ana Q"}, 1)

    with pytest.raises(Exception):  # noqa: B017, PT011 - whatever the database refuses
        await ProfileService(repos, clock).save(ana.id, {"name": "Ana Q", "role": "astronaut"})

    assert await drafts.get(ana.id, FLOW_KIND) is not None
    unchanged = await repos.people.get(ana.id)
    assert unchanged is not None
    assert unchanged.display_name is None


async def test_editing_one_field_saves_it_and_keeps_a_profile_in_progress_in_step(
    repos: Repositories, clock: ManualClock
) -> None:
    ana = await person(repos, clock, 1, "Ana")
    drafts = DraftsService(repos, clock)
    await drafts.save(ana.id, FLOW_KIND, "organisation", {"name": "Ana", "country": "PE"}, 1)
    await drafts.save(ana.id, EDIT_KIND, "country", {"country": "PE"}, 1)

    saved = await ProfileService(repos, clock).save_field(ana.id, "country", "CL")

    assert saved.country == "CL"
    assert await drafts.get(ana.id, EDIT_KIND) is None
    flow = await drafts.get(ana.id, FLOW_KIND)
    assert flow is not None
    assert (flow.step, flow.data["country"]) == ("organisation", "CL")


async def test_the_chosen_language_is_kept(repos: Repositories, clock: ManualClock) -> None:
    ana = await person(repos, clock, 1, "Ana")
    await ProfileService(repos, clock).set_language(ana.id, "zh")
    again = await repos.people.get(ana.id)
    assert again is not None
    assert again.language == "zh"


# --- privacy ------------------------------------------------------------------------------


async def test_my_data_then_forget_me(
    repos: Repositories, clock: ManualClock, climate: WorkingGroup
) -> None:
    ana = await person(repos, clock, 1, "Ana")
    await GroupsService(repos, clock, frozenset()).join(climate.id, ana.id, "bot")
    outbox = OutboxService(repos, clock, DueWorkRuntime(clock))
    privacy = PrivacyService(repos, outbox)
    await outbox.send([_notice("to-ana", "Your digest", 1, ana.id), _notice("news", NEWS, -5)])

    data = await privacy.personal_data(ana)
    assert data["person"]["first_name"] == "Ana"
    assert len(data["memberships"]) == 1

    assert await privacy.forget(ana)
    assert await repos.people.get(ana.id) is None
    assert await repos.outbox.by_key("to-ana") is None  # her own message goes
    news = await repos.outbox.by_key("news")  # her name leaves the group's message
    assert news is not None
    assert news.payload.text == "New members: <b>[…]</b> (ask […]) and <b>Li Wei</b>"
    assert not await privacy.forget(ana)


NEWS = "New members: <b>Ana</b> (ask @ana) and <b>Li Wei</b>"


def _notice(key: str, text: str, chat_id: int, person_id: int | None = None) -> OutgoingMessage:
    return OutgoingMessage(
        kind="notice",
        chat_id=chat_id,
        dedupe_key=key,
        payload=OutboxPayload(text=text),
        due_at=START,
        person_id=person_id,
    )


# --- presence -------------------------------------------------------------------------------


async def test_presence_records_people_and_chats_and_follows_a_migration(
    repos: Repositories, clock: ManualClock
) -> None:
    presence = PresenceService(repos, clock)
    ana = await presence.record_sender(Sender(7, "Ana", "Q", "ana", "es"), private=True)
    assert ana.started_at == clock.now()
    assert (await presence.person(7)) == ana

    await presence.record_chat(ChatSeen(-5, "group", "WG", None, is_forum=False))
    await presence.migrate_chat(-5, -1005)
    await presence.bot_status(-1005, "administrator")

    old = await repos.chats.get(-5)
    assert old is not None
    assert old.migrated_to == -1005
    moved = await repos.chats.get(-1005)
    assert moved is not None
    assert moved.bot_status == "administrator"


# --- drafts ---------------------------------------------------------------------------------


async def test_dropping_every_draft_of_a_person_leaves_the_others(
    repos: Repositories, clock: ManualClock
) -> None:
    drafts = DraftsService(repos, clock)
    ana = await person(repos, clock, 1, "Ana")
    leo = await person(repos, clock, 2, "Leo")
    await drafts.save(ana.id, "profile", "name", {}, 1)
    clock.advance(timedelta(seconds=1))
    await drafts.save(ana.id, "experience", "title", {"title": "T"}, 1)
    await drafts.save(leo.id, "profile", "name", {}, 2)

    dropped = await drafts.drop_all(ana.id)

    assert [d.kind for d in dropped] == ["experience", "profile"]
    assert await drafts.active(ana.id) == []
    assert [d.kind for d in await drafts.active(leo.id)] == ["profile"]
