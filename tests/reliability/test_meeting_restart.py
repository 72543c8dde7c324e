"""Reminders due while the bot was down: on restart (same database file, same emulator) the
one nearest the start is sent once, marked late; the others, and every reminder of a meeting
that has started meanwhile, are recorded as missed — none silently dropped, none sent twice."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.app import build_application, running
from bot.clock import ManualClock
from bot.meetings import DEFAULT_OFFSETS
from config import Settings
from sandbox.emulator import Emulator, SimUser
from storage import Repositories
from storage.meetings import NewMeeting

from ..conftest import FAST_DELIVERY

NOW = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)
MADRID = ZoneInfo("Europe/Madrid")


async def a_member(emulator: Emulator, repos: Repositories) -> tuple[SimUser, int]:
    ana = emulator.add_user("Ana", language_code="en", started=True)
    person = await repos.people.upsert_from_telegram(
        telegram_id=ana.id,
        first_name="Ana",
        last_name=None,
        username=None,
        language_code="en",
        private=True,
        now=NOW,
    )
    climate = await repos.groups.by_slug("climate")
    assert climate is not None
    await repos.groups.add_member(climate.id, person.id, "member", NOW)
    return ana, climate.id


async def a_meeting(repos: Repositories, group_id: int, start: datetime, title: str) -> int:
    local = start.astimezone(MADRID).replace(tzinfo=None)
    meeting = await repos.meetings.create(
        NewMeeting(
            title=title,
            timezone="Europe/Madrid",
            local_start=local,
            starts_at=start,
            duration_minutes=60,
            reminder_offsets=DEFAULT_OFFSETS,
            group_ids=(group_id,),
        ),
        [start],
        NOW,
    )
    return meeting.id


def reminders_to(emulator: Emulator, user: SimUser, title: str) -> list[str]:
    return [
        (e.text or "").split("\n")[0]
        for e in emulator.sent_to(user)
        if (e.text or "").startswith(f"⏰ Reminder: {title}")
    ]


async def test_reminders_due_during_downtime_are_sent_once_or_missed(
    settings: Settings, emulator: Emulator
) -> None:
    clock = ManualClock(NOW)
    soon = NOW + timedelta(days=10)
    early = NOW + timedelta(days=3)
    first = build_application(
        settings, clock=clock, publish_command_menus=False, delivery=FAST_DELIVERY
    )
    async with running(first, poll_timeout=1):
        repos = first.services.repos
        ana, climate = await a_member(emulator, repos)
        later_id = await a_meeting(repos, climate, soon, "Follow-up")
        gone_id = await a_meeting(repos, climate, early, "Early")

    # Down from NOW until 30 minutes before the follow-up (the early one has started).
    clock.set(soon - timedelta(minutes=30))
    second = build_application(
        settings, clock=clock, publish_command_menus=False, delivery=FAST_DELIVERY
    )
    async with running(second, poll_timeout=1):
        repos = second.services.repos
        await emulator.wait_until(lambda: reminders_to(emulator, ana, "Follow-up"))
        assert await second.services.meetings.reminders.serve(clock.now()) == 0  # nothing twice
        later = await repos.meetings.next_occurrence(later_id, clock.now())
        assert later is not None
        fates = {r.offset_minutes: r.status for r in await repos.meetings.reminders(later.id)}
        assert fates == {10080: "missed", 1440: "missed", 60: "late", 10: "pending"}
        [early_occurrence] = await repos.meetings.occurrences(gone_id)
        early_fates = {r.status for r in await repos.meetings.reminders(early_occurrence.id)}
        assert early_fates == {"missed"}

        clock.set(soon - timedelta(minutes=10))
        assert await second.services.meetings.reminders.serve(clock.now()) == 1
        await emulator.wait_until(lambda: len(reminders_to(emulator, ana, "Follow-up")) == 2)
        assert await second.services.meetings.reminders.serve(clock.now()) == 0

    assert reminders_to(emulator, ana, "Follow-up") == [
        "⏰ Reminder: Follow-up in 30 minutes",
        "⏰ Reminder: Follow-up in 10 minutes",
    ]
    assert reminders_to(emulator, ana, "Early") == []
