"""MeetingsRepository against real SQLite: create, answers, reminders, change, cancel, mutes."""

from __future__ import annotations

from datetime import datetime, timedelta

from config import load_network
from storage import Repositories
from storage.meetings import MeetingPost, NewMeeting


async def setup(repos: Repositories, now: datetime) -> tuple[int, int]:
    await repos.groups.seed(load_network().groups, now)
    group = await repos.groups.by_slug("climate")
    assert group is not None
    person = await repos.people.upsert_from_telegram(
        telegram_id=501,
        first_name="Ana",
        last_name=None,
        username=None,
        language_code="es",
        private=True,
        now=now,
    )
    await repos.groups.add_member(group.id, person.id, "member", now)
    return group.id, person.id


def a_meeting(group_id: int, start: datetime, offsets: tuple[int, ...] = (1440, 60)) -> NewMeeting:
    return NewMeeting(
        title="Follow-up",
        timezone="Europe/Madrid",
        local_start=start.replace(tzinfo=None),
        starts_at=start,
        duration_minutes=60,
        reminder_offsets=offsets,
        group_ids=(group_id,),
    )


async def test_create_answer_and_remind(repos: Repositories, now: datetime) -> None:
    group_id, person_id = await setup(repos, now)
    start = now + timedelta(hours=10)
    meeting = await repos.meetings.create(a_meeting(group_id, start), [start], now)
    assert meeting.group_ids == (group_id,)
    assert meeting.reminder_offsets == (1440, 60)
    [occurrence] = await repos.meetings.occurrences(meeting.id)
    # The 1-day reminder would already be past: only the 1-hour one is a row.
    [reminder] = await repos.meetings.reminders(occurrence.id)
    assert (reminder.offset_minutes, reminder.due_at) == (60, start - timedelta(hours=1))
    assert await repos.meetings.next_reminder_due() == start - timedelta(hours=1)
    assert await repos.meetings.due_reminders(now) == []
    [due] = await repos.meetings.due_reminders(start)
    assert await repos.meetings.mark_reminder(due.id, "sent", start) is True
    assert await repos.meetings.mark_reminder(due.id, "sent", start) is False  # never twice

    assert await repos.meetings.answer(occurrence.id, person_id, "maybe", now) is None
    assert await repos.meetings.answer(occurrence.id, person_id, "going", now) == "maybe"
    assert await repos.meetings.counts(occurrence.id) == {"going": 1}
    [answered] = await repos.meetings.answered(occurrence.id)
    assert (answered.person.first_name, answered.answer) == ("Ana", "going")
    [upcoming] = await repos.meetings.upcoming_for(person_id, now)
    assert upcoming.id == occurrence.id
    assert await repos.meetings.upcoming_in_groups([group_id], now, start) == [upcoming]


async def test_change_resets_answers_and_cancel_stops_reminders(
    repos: Repositories, now: datetime
) -> None:
    group_id, person_id = await setup(repos, now)
    start = now + timedelta(days=3)
    meeting = await repos.meetings.create(a_meeting(group_id, start), [start], now)
    [occurrence] = await repos.meetings.occurrences(meeting.id)
    await repos.meetings.answer(occurrence.id, person_id, "going", now)
    await repos.meetings.add_posts(
        [
            MeetingPost(
                occurrence_id=occurrence.id,
                chat_id=501,
                outbox_id=None,
                person_id=person_id,
                kind="announcement",
            )
        ]
    )

    # A new link only: the answer stays.
    await repos.meetings.change_details(meeting.id, link="https://x.org/m", agenda=None, now=now)
    assert await repos.meetings.counts(occurrence.id) == {"going": 1}
    changed = await repos.meetings.get(meeting.id)
    assert changed is not None
    assert changed.link == "https://x.org/m"
    # A new time: same occurrence (its posts stay), answers reset, reminders recomputed.
    later = start + timedelta(days=1)
    await repos.meetings.move(
        meeting.id,
        occurrence_id=occurrence.id,
        local_start=later.replace(tzinfo=None),
        starts=[later],
        link=None,
        agenda=None,
        now=now,
    )
    moved = await repos.meetings.occurrence(occurrence.id)
    assert moved is not None
    assert moved.starts_at == later
    assert await repos.meetings.counts(occurrence.id) == {}
    assert [r.due_at for r in await repos.meetings.reminders(occurrence.id)] == [
        later - timedelta(days=1),
        later - timedelta(hours=1),
    ]
    assert len(await repos.meetings.posts(meeting.id)) == 1

    assert await repos.meetings.cancel(meeting.id, now) is True
    assert await repos.meetings.cancel(meeting.id, now) is False
    assert {r.status for r in await repos.meetings.reminders(occurrence.id)} == {"cancelled"}
    assert await repos.meetings.upcoming_for(person_id, now) == []


async def test_mutes(repos: Repositories, now: datetime) -> None:
    group_id, person_id = await setup(repos, now)
    await repos.meetings.mute(person_id, group_id, now)
    await repos.meetings.mute(person_id, group_id, now)
    assert await repos.meetings.muted_groups(person_id) == {group_id}
    assert await repos.meetings.mutes([group_id]) == {(person_id, group_id)}
    await repos.meetings.unmute(person_id, group_id)
    assert await repos.meetings.muted_groups(person_id) == set()


async def test_a_recurring_meeting_moves_from_its_next_date_on(
    repos: Repositories, now: datetime
) -> None:
    group_id, person_id = await setup(repos, now)
    starts = [now + timedelta(days=1 + 7 * n) for n in range(4)]
    new = a_meeting(group_id, starts[0]).model_copy(update={"rrule": "FREQ=WEEKLY"})
    meeting = await repos.meetings.create(new, starts, now)
    occurrences = await repos.meetings.occurrences(meeting.id)
    assert len(occurrences) == 4
    await repos.meetings.answer(occurrences[1].id, person_id, "no", now)
    assert await repos.meetings.counts(occurrences[0].id) == {}  # each date its own answers
    assert len(await repos.meetings.recurring()) == 1

    moved = [start + timedelta(hours=2) for start in starts]
    await repos.meetings.move(
        meeting.id,
        occurrence_id=occurrences[0].id,
        local_start=moved[0].replace(tzinfo=None),
        starts=moved,
        link=None,
        agenda=None,
        now=now,
    )
    after = await repos.meetings.occurrences(meeting.id)
    assert [o.starts_at for o in after] == moved
    assert after[0].id == occurrences[0].id
    assert await repos.meetings.counts(after[1].id) == {}
    # Materialising again adds nothing that exists.
    assert await repos.meetings.add_occurrences(meeting, moved, now) == []
