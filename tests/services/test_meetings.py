"""The meetings service at storage speed: real SQLite, no Telegram.

The network: the climate group, linked to a group chat, coordinated by Jorge (Madrid), with Ana
(Lima, Spanish) and Olivia (Sydney) as members; Bo is in no group. The clock stands on
Wednesday 2026-03-25 12:00 UTC; the meeting is on 15 April at 15:00 in Madrid (13:00 UTC).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.access import Actor
from bot.clock import ManualClock
from bot.i18n import I18n
from bot.meetings import drafts, rules
from bot.meetings.service import (
    Answered,
    Changed,
    MeetingsService,
    NotAllowed,
    Scheduled,
    StepBack,
)
from bot.meetings.sharing import NO_GROUP
from bot.runtime import DueWorkRuntime
from config import load_network, load_settings
from storage import Draft, Person, Repositories

START = datetime(2026, 4, 15, 13, 0, tzinfo=UTC)
CHAT = -100777
SECRETARIAT = 990001


@pytest.fixture
def now(clock: ManualClock) -> datetime:
    return clock.now()


@dataclass(frozen=True)
class Network:
    service: MeetingsService
    climate: int
    jorge: Person
    ana: Person
    olivia: Person
    bo: Person

    def actor(self, person: Person) -> Actor:
        coordinated = frozenset({self.climate}) if person == self.jorge else frozenset()
        secretariat = person.telegram_id == SECRETARIAT
        return Actor(person.id, person.telegram_id, secretariat, coordinated)


async def person(
    repos: Repositories, telegram_id: int, name: str, zone: str, language: str, now: datetime
) -> Person:
    found = await repos.people.upsert_from_telegram(
        telegram_id=telegram_id,
        first_name=name,
        last_name=None,
        username=None,
        language_code=language,
        private=True,
        now=now,
    )
    await repos.people.set_timezone(found.id, zone, now)
    fresh = await repos.people.get(found.id)
    assert fresh is not None
    return fresh


@pytest.fixture
async def net(repos: Repositories, clock: ManualClock, now: datetime, tmp_path: Path) -> Network:
    settings = load_settings(
        bot_token="1:x", database_path=tmp_path / "unused.sqlite3", secretariat_ids=str(SECRETARIAT)
    )
    await repos.groups.seed(load_network(settings.network_file).groups, now)
    climate = await repos.groups.by_slug("climate")
    assert climate is not None
    await repos.chats.upsert(
        chat_id=CHAT,
        type="supergroup",
        title="Climate chat",
        username=None,
        is_forum=False,
        now=now,
    )
    await repos.groups.link_chat(climate.id, CHAT, None, now)
    jorge = await person(repos, 101, "Jorge", "Europe/Madrid", "en", now)
    ana = await person(repos, 102, "Ana", "America/Lima", "es", now)
    olivia = await person(repos, 103, "Olivia", "Australia/Sydney", "en", now)
    bo = await person(repos, SECRETARIAT, "Bo", "Asia/Kathmandu", "en", now)
    await repos.groups.add_member(climate.id, jorge.id, "coordinator", now)
    await repos.groups.add_member(climate.id, ana.id, "member", now)
    await repos.groups.add_member(climate.id, olivia.id, "member", now)
    service = MeetingsService(repos, clock, I18n("en"), settings, DueWorkRuntime(clock))
    return Network(service, climate.id, jorge, ana, olivia, bo)


def answers(net: Network, **more: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": "abcd1234",
        "zone": "Europe/Madrid",
        "groups": [net.climate],
        "title": "Follow-up",
        "local": "2026-04-15T15:00",
        "duration": 60,
        "link": "https://meet.example.org/x",
        "agenda": None,
        "recurrence": "none",
        "offsets": list(rules.DEFAULT_OFFSETS),
    }
    return {**data, **more}


async def a_draft(net: Network, who: Person, data: dict[str, Any]) -> Draft:
    await net.service.save_meet(who.id, data, who.telegram_id, drafts.CONFIRM)
    draft = await net.service.meet_draft(who.id)
    assert draft is not None
    return draft


async def scheduled(net: Network) -> Scheduled:
    draft = await a_draft(net, net.jorge, answers(net))
    done = await net.service.schedule(net.jorge.id, draft, net.actor(net.jorge))
    assert isinstance(done, Scheduled)
    return done


async def outbox_rows(repos: Repositories) -> list[tuple[str, int, str]]:
    rows = await repos.db.fetch_all("SELECT kind, chat_id, payload FROM outbox ORDER BY id")
    return [(row[0], int(row[1]), str(row[2])) for row in rows]


# scheduling


async def test_schedule_saves_the_meeting_its_announcements_and_posts_and_closes_the_draft(
    net: Network, repos: Repositories
) -> None:
    done = await scheduled(net)

    assert done.reached == 4  # the group chat and the three members
    assert done.meeting.starts_at == START
    assert await net.service.meet_draft(net.jorge.id) is None
    rows = await outbox_rows(repos)
    assert sorted(chat for kind, chat, _ in rows if kind == "announcement") == sorted(
        [CHAT, 101, 102, 103]
    )
    to_ana = next(payload for _, chat, payload in rows if chat == 102)
    assert "miércoles, 15 de abril de 2026 08:00 (Lima)" in to_ana
    posts = await repos.meetings.posts(done.meeting.id)
    assert len(posts) == 4
    assert all(post.outbox_id is not None for post in posts)
    reminders = await repos.meetings.reminders(posts[0].occurrence_id)
    assert [r.offset_minutes for r in reminders] == [10080, 1440, 60, 10]


async def test_a_failure_after_the_meeting_is_written_leaves_no_meeting_no_message_and_the_draft(
    net: Network, repos: Repositories, monkeypatch: pytest.MonkeyPatch
) -> None:
    draft = await a_draft(net, net.jorge, answers(net))

    async def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the process died between the meeting and its posts")

    monkeypatch.setattr(repos.meetings, "add_posts_by_key", broken)
    with pytest.raises(RuntimeError):
        await net.service.schedule(net.jorge.id, draft, net.actor(net.jorge))

    assert await repos.db.fetch_value("SELECT count(*) FROM meetings") == 0
    assert await repos.db.fetch_value("SELECT count(*) FROM meeting_reminders") == 0
    assert await outbox_rows(repos) == []
    assert await net.service.meet_draft(net.jorge.id) == draft


async def test_a_member_may_not_schedule_and_a_past_start_goes_back_to_the_when_step(
    net: Network, clock: ManualClock, repos: Repositories
) -> None:
    draft = await a_draft(net, net.ana, answers(net))
    refused = await net.service.schedule(net.ana.id, draft, net.actor(net.ana))
    assert isinstance(refused, NotAllowed)
    assert refused.group is not None
    assert refused.group.slug == "climate"

    draft = await a_draft(net, net.jorge, answers(net))
    clock.set(START + timedelta(hours=1))
    back = await net.service.schedule(net.jorge.id, draft, net.actor(net.jorge))
    assert isinstance(back, StepBack)
    assert back.step == drafts.WHEN
    assert back.note.message == "{when} is already past. Please type a time in the future."
    kept = await net.service.meet_draft(net.jorge.id)
    assert kept is not None
    assert kept.step == drafts.WHEN
    assert "local" not in kept.data
    assert await repos.db.fetch_value("SELECT count(*) FROM meetings") == 0


async def test_a_weekly_meeting_keeps_its_wall_time_across_daylight_saving(
    net: Network, repos: Repositories
) -> None:
    data = answers(net, local="2026-03-26T15:00", recurrence="weekly", offsets=[])
    draft = await a_draft(net, net.jorge, data)
    done = await net.service.schedule(net.jorge.id, draft, net.actor(net.jorge))
    assert isinstance(done, Scheduled)
    starts = [o.starts_at for o in await repos.meetings.occurrences(done.meeting.id)]
    # 15:00 in Madrid: 14:00 UTC before the clocks go forward on 29 March, 13:00 after.
    assert starts[:2] == [
        datetime(2026, 3, 26, 14, tzinfo=UTC),
        datetime(2026, 4, 2, 13, tzinfo=UTC),
    ]


# the draft's steps


async def test_meet_taps_walk_the_draft_and_refuse_a_group_the_person_may_not_choose(
    net: Network,
) -> None:
    start = {"id": "abcd1234", "zone": "Europe/Madrid"}
    await net.service.save_meet(net.jorge.id, start, 101)
    draft = await net.service.meet_draft(net.jorge.id)
    assert draft is not None
    assert draft.step == drafts.GROUPS
    actor = net.actor(net.jorge)
    assert await net.service.meet_tap(net.jorge.id, draft, "g", "999", actor) is None
    toggled = await net.service.meet_tap(net.jorge.id, draft, "g", str(net.climate), actor)
    assert toggled == drafts.Next({**start, "picked": [net.climate]}, drafts.GROUPS)
    draft = await net.service.meet_draft(net.jorge.id)
    assert draft is not None
    chosen = await net.service.meet_tap(net.jorge.id, draft, "gnext", "", actor)
    assert chosen == drafts.Next({**start, "groups": [net.climate]}, drafts.TITLE)
    saved = await net.service.meet_draft(net.jorge.id)
    assert saved is not None
    assert saved.step == drafts.TITLE


# answers


async def test_who_may_answer(net: Network, clock: ManualClock, repos: Repositories) -> None:
    done = await scheduled(net)
    occurrence = await repos.meetings.next_occurrence(done.meeting.id, clock.now())
    assert occurrence is not None

    assert await net.service.answer(occurrence.id, net.ana, "going") == Answered("going")
    assert await net.service.answer(occurrence.id, net.bo, "maybe") == Answered("maybe")
    outsider = await person(repos, 555, "Zed", "UTC", "en", clock.now())
    refused = await net.service.answer(occurrence.id, outsider, "no")
    assert refused == rules.Refusal(rules.MEMBERS_ONLY)
    assert await repos.meetings.counts(occurrence.id) == {"going": 1, "maybe": 1}

    clock.set(occurrence.ends_at)
    assert await net.service.answer(occurrence.id, net.ana, "no") == rules.Refusal(
        rules.MEETING_OVER
    )
    assert await net.service.answer(999, net.ana, "no") == rules.Refusal(
        "This meeting no longer exists."
    )


# changes


async def test_cancel_tells_every_chat_in_one_unit_and_a_member_may_not(
    net: Network, repos: Repositories
) -> None:
    done = await scheduled(net)
    before = len(await outbox_rows(repos))

    refused = await net.service.cancel(done.meeting.id, net.actor(net.ana))
    assert isinstance(refused, NotAllowed)
    meeting = await repos.meetings.get(done.meeting.id)
    assert meeting is not None
    assert not meeting.cancelled

    assert await net.service.cancel(done.meeting.id, net.actor(net.jorge)) == Changed(
        done.meeting.id, 4
    )
    rows = await outbox_rows(repos)
    notices = [payload for kind, _, payload in rows[before:] if kind == "notice"]
    assert len(notices) == 4
    assert any("❌ La reunión Follow-up está cancelada." in text for text in notices)
    statuses = await repos.db.fetch_all("SELECT DISTINCT status FROM meeting_reminders")
    assert [row[0] for row in statuses] == ["cancelled"]


async def test_reschedule_moves_the_meeting_resets_answers_and_closes_the_draft(
    net: Network, repos: Repositories, clock: ManualClock
) -> None:
    done = await scheduled(net)
    occurrence = await repos.meetings.next_occurrence(done.meeting.id, clock.now())
    assert occurrence is not None
    await net.service.answer(occurrence.id, net.ana, "going")
    data = net.service.new_draft(
        net.service.zone_of(done.meeting),
        meeting=done.meeting.id,
        occurrence=occurrence.id,
        local="2026-04-16T16:00",
    )
    await net.service.save_reschedule(net.jorge.id, drafts.R_CONFIRM, data, 101)
    draft = await net.service.reschedule_draft(net.jorge.id)
    assert draft is not None

    assert await net.service.reschedule(net.jorge.id, draft) == Changed(done.meeting.id, 4)

    moved = await repos.meetings.occurrence(occurrence.id)
    assert moved is not None
    assert moved.starts_at == datetime(2026, 4, 16, 14, tzinfo=UTC)
    assert await repos.meetings.counts(occurrence.id) == {}
    assert await net.service.reschedule_draft(net.jorge.id) is None
    notices = [payload for kind, _, payload in await outbox_rows(repos) if kind == "notice"]
    assert any("has moved" in text and "Thu, Apr 16 14:00 UTC" in text for text in notices)


async def test_no_message_of_a_meetings_life_names_a_zone_by_its_key(
    net: Network, repos: Repositories, clock: ManualClock
) -> None:
    """Announced, reminded (every offset), moved and cancelled, to readers in four languages
    and five zones: every queued text names the zones by their cities, never by IANA keys."""
    wang = await person(repos, 104, "Wang", "Asia/Shanghai", "zh", clock.now())
    lea = await person(repos, 105, "Léa", "Europe/Paris", "fr", clock.now())
    for member in (wang, lea):
        await repos.groups.add_member(net.climate, member.id, "member", clock.now())
    done = await scheduled(net)
    for offset in sorted(rules.DEFAULT_OFFSETS, reverse=True):
        clock.set(START - timedelta(minutes=offset))
        assert await net.service.reminders.serve(clock.now()) == 1
    occurrence = await repos.meetings.next_occurrence(done.meeting.id, clock.now())
    assert occurrence is not None
    data = net.service.new_draft(
        net.service.zone_of(done.meeting),
        meeting=done.meeting.id,
        occurrence=occurrence.id,
        local="2026-04-16T16:00",
    )
    await net.service.save_reschedule(net.jorge.id, drafts.R_CONFIRM, data, 101)
    draft = await net.service.reschedule_draft(net.jorge.id)
    assert draft is not None
    assert isinstance(await net.service.reschedule(net.jorge.id, draft), Changed)
    assert isinstance(await net.service.cancel(done.meeting.id, net.actor(net.jorge)), Changed)

    rows = await outbox_rows(repos)
    kinds = {kind for kind, _, _ in rows}
    assert kinds == {"announcement", "reminder", "notice"}
    assert all(sum(1 for _, c, _ in rows if c == chat) >= 5 for chat in (CHAT, 101, 104, 105))
    for _, _, payload in rows:
        assert not re.search(r"(?:America|Europe|Asia|Australia|Etc)/\w+|\(UTC\)", payload)
    by_chat = {chat: " ".join(p for _, c, p in rows if c == chat) for _, chat, _ in rows}
    assert "(北京)" in by_chat[104]
    assert "1小时" in by_chat[104]
    assert "(Paris)" in by_chat[105]
    assert "(Lima)" in by_chat[102]
    assert "(Sydney)" in by_chat[103]
    assert "1 day" in by_chat[101]


# reminders


async def test_a_reminder_is_queued_and_marked_together_once_and_skips_who_muted(
    net: Network, repos: Repositories, clock: ManualClock
) -> None:
    done = await scheduled(net)
    await net.service.mute(net.olivia.id, net.climate, muted=True)
    reminders = net.service.reminders
    announcements = len(await outbox_rows(repos))

    assert await reminders.next_due(clock.now()) == START - timedelta(days=7)
    clock.set(START - timedelta(days=7))
    assert await reminders.serve(clock.now()) == 1
    assert await reminders.serve(clock.now()) == 0

    sent = await outbox_rows(repos)
    chats = sorted(chat for kind, chat, _ in sent[announcements:] if kind == "reminder")
    assert chats == sorted([CHAT, 101, 102])
    occurrence = await repos.meetings.next_occurrence(done.meeting.id, clock.now())
    assert occurrence is not None
    statuses = [r.status for r in await repos.meetings.reminders(occurrence.id)]
    assert statuses == ["sent", "pending", "pending", "pending"]


async def test_a_failure_while_queueing_a_reminder_leaves_it_pending_and_queues_nothing(
    net: Network, repos: Repositories, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    await scheduled(net)
    before = await outbox_rows(repos)
    clock.set(START - timedelta(days=7))

    async def broken(*args: object, **kwargs: object) -> int:
        raise RuntimeError("the disk is full")

    original = repos.outbox.enqueue
    monkeypatch.setattr(repos.outbox, "enqueue", broken)
    assert await net.service.reminders.serve(clock.now()) == 0
    assert await outbox_rows(repos) == before
    pending = await repos.db.fetch_value(
        "SELECT count(*) FROM meeting_reminders WHERE status = 'pending'"
    )
    assert pending == 4

    monkeypatch.setattr(repos.outbox, "enqueue", original)
    assert await net.service.reminders.serve(clock.now()) == 1


async def test_reminders_due_during_downtime_send_the_nearest_late_and_miss_the_rest(
    net: Network, repos: Repositories, clock: ManualClock
) -> None:
    done = await scheduled(net)
    clock.set(START - timedelta(minutes=30))
    assert await net.service.reminders.serve(clock.now()) == 1
    occurrence = await repos.meetings.next_occurrence(done.meeting.id, clock.now())
    assert occurrence is not None
    fates = {r.offset_minutes: r.status for r in await repos.meetings.reminders(occurrence.id)}
    assert fates == {10080: "missed", 1440: "missed", 60: "late", 10: "pending"}


# lists


async def test_upcoming_lists_the_meetings_of_the_persons_groups_with_their_answer(
    net: Network, repos: Repositories, clock: ManualClock
) -> None:
    done = await scheduled(net)
    occurrence = await repos.meetings.next_occurrence(done.meeting.id, clock.now())
    assert occurrence is not None
    await net.service.answer(occurrence.id, net.ana, "maybe")

    [item] = await net.service.upcoming(net.ana.id)
    assert (item.meeting.title, item.occurrence.starts_at, item.answer) == (
        "Follow-up",
        START,
        "maybe",
    )
    assert await net.service.upcoming(net.bo.id) == []
    report = await net.service.report(done.meeting)
    assert report is not None
    assert report.by_answer["maybe"] == ["Ana"]
    assert report.silent == ["Jorge", "Olivia"]


# calendar files and the slot finder


async def test_calendar_files_for_members_and_refusals_for_others(
    net: Network, repos: Repositories, clock: ManualClock
) -> None:
    done = await scheduled(net)
    files = net.service.calendar
    groups = await files.groups_of(net.ana.id, net.actor(net.ana))
    assert [g.slug for g in groups] == ["climate"]
    assert len(await files.groups_of(net.bo.id, net.actor(net.bo))) > 1  # the secretariat

    found = await files.of_groups(groups, ["Cambio climático"])
    assert found is not None
    assert (found.filename, found.meetings) == ("meetings-climate.ics", 1)
    assert b"SUMMARY:Follow-up" in found.content
    assert b"DTSTART;TZID=Europe/Madrid:20260415T150000" in found.content

    occurrence = await repos.meetings.next_occurrence(done.meeting.id, clock.now())
    assert occurrence is not None
    mine = await files.of_occurrence(occurrence.id, net.ana, net.actor(net.ana), None)
    assert not isinstance(mine, rules.Refusal)
    assert (mine.chat_id, mine.starts_at, mine.title) == (102, START, "Follow-up")
    outsider = await person(repos, 556, "Zoe", "UTC", "en", clock.now())
    refused = await files.of_occurrence(occurrence.id, outsider, net.actor(outsider), None)
    assert refused == rules.Refusal(NO_GROUP)
    in_the_chat = await files.of_occurrence(  # members only, even in the group's chat
        occurrence.id, outsider, net.actor(outsider), net.climate
    )
    assert in_the_chat == rules.Refusal(NO_GROUP)

    await net.service.cancel(done.meeting.id, net.actor(net.jorge))
    gone = await files.of_occurrence(occurrence.id, net.ana, net.actor(net.ana), None)
    assert gone == rules.Refusal("This meeting was cancelled.")


async def test_the_slot_finder_proposes_times_and_names_who_has_no_zone(
    net: Network, repos: Repositories, clock: ManualClock
) -> None:
    from zoneinfo import ZoneInfo

    from bot.meetings.sharing import NoZones, Proposals
    from bot.meetings.slots import SlotsRefusal

    madrid = ZoneInfo("Europe/Madrid")
    found = await net.service.slots.propose(net.climate, ["90"], madrid)
    assert isinstance(found, Proposals)
    assert found.request.minutes == 90
    assert 3 <= len(found.slots) <= 5
    assert all(slot.known == 3 for slot in found.slots)
    assert found.unknown == []
    again = await net.service.slots.again(net.climate, found.window, 90)
    assert again is not None
    assert [s.start for s in again] == [s.start for s in found.slots]
    clock.set(found.window[1])
    assert await net.service.slots.again(net.climate, found.window, 90) is None

    refused = await net.service.slots.propose(net.climate, ["9x"], madrid)
    assert isinstance(refused, SlotsRefusal)
    biodiversity = await repos.groups.by_slug("biodiversity")
    assert biodiversity is not None
    await repos.groups.add_member(biodiversity.id, net.ana.id, "member", clock.now())
    nobody = await repos.people.upsert_from_telegram(
        telegram_id=557,
        first_name="Nobody",
        last_name=None,
        username=None,
        language_code="en",
        private=True,
        now=clock.now(),
    )
    await repos.groups.add_member(biodiversity.id, nobody.id, "member", clock.now())
    found = await net.service.slots.propose(biodiversity.id, [], madrid)
    assert isinstance(found, Proposals)
    assert [m.name for m in found.unknown] == ["Nobody"]
    empty = await repos.groups.by_slug("community")
    assert empty is not None
    assert await net.service.slots.propose(empty.id, [], madrid) == NoZones()
