"""The meetings use cases: schedule, answer, change, cancel, nudge, mute, list, and the drafts.

Handlers parse, call one method here, and render what it returns: plain values in (ids,
texts, the acting :class:`~bot.access.Actor`), small results out, never Telegram objects. A use
case that writes runs in one unit of work: the meeting, the outbox rows it causes and the
draft it closes commit together or not at all (docs/developers.md, "The unit of work:
`repos.unit()`"). The service holds the application's live answer counts and its reminders
(due work of the one runtime); both are stopped with the application.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.access import Actor, refusal
from bot.clock import Clock
from bot.i18n import N_, I18n
from bot.meetings import drafts, recurrence, rules
from bot.meetings.buttons import STALE
from bot.meetings.drafts import MEET_KIND, RESCHEDULE_KIND, Answers
from bot.meetings.live_counts import LiveCounts, MeetingPosts
from bot.meetings.outgoing import Outgoing
from bot.meetings.reminders import Reminders
from bot.meetings.rules import Answer, Refusal
from bot.meetings.sharing import CalendarFiles, SlotFinder
from bot.meetings.texts import MeetingView
from bot.permissions import Role
from bot.runtime import DueWorkRuntime
from config import Settings
from storage import Draft, Person, Repositories, WorkingGroup
from storage.meetings import Meeting, NewMeeting, Occurrence, parse_local

GONE = N_("This meeting no longer exists.")


@dataclass(frozen=True)
class NotAllowed:
    """The actor may not do this: a message id naming ``group`` (may be None)."""

    reason: str
    group: WorkingGroup | None = None


@dataclass(frozen=True)
class Answered:
    answer: Answer


@dataclass(frozen=True)
class Scheduled:
    meeting: Meeting
    reached: int
    """Chats the announcement goes to."""


@dataclass(frozen=True)
class Changed:
    meeting_id: int
    told: int
    """Chats told about the change."""


@dataclass(frozen=True)
class Report:
    """Who answered an occurrence: names under each answer, and the members still silent."""

    occurrence: Occurrence
    by_answer: dict[str, list[str]]
    silent: list[str]


@dataclass(frozen=True)
class Upcoming:
    meeting: Meeting
    occurrence: Occurrence
    answer: str | None


@dataclass(frozen=True)
class StepBack:
    """The draft went back to ``step`` (the answer no longer holds): ask it again with ``note``."""

    step: str
    data: Answers
    note: Refusal


@dataclass
class MeetingsService:
    """The meetings of one application."""

    repos: Repositories
    clock: Clock
    i18n: I18n
    settings: Settings
    runtime: DueWorkRuntime
    wake_outbox: Callable[[], None] = field(default=lambda: None)
    """Called once a unit queued messages (``Services.wake_outbox``: the runtime and the
    outbox sender look now)."""

    def __post_init__(self) -> None:
        self.outgoing = Outgoing(self.repos, self.i18n, self.settings)
        self.live = LiveCounts(MeetingPosts(self.repos, self.outgoing))
        self.reminders = Reminders(self.repos, self.outgoing, self._queued)
        self.calendar = CalendarFiles(self.repos, self.clock)
        self.slots = SlotFinder(self.repos, self.clock)

    def _queued(self) -> None:
        self.wake_outbox()

    async def stop(self) -> None:
        """Stop the live-count edits (with the application, before the database closes)."""
        await self.live.stop()

    def now(self) -> datetime:
        return self.clock.now()

    # reads the handlers render

    async def groups(self) -> list[WorkingGroup]:
        return await self.repos.groups.list()

    async def linked_groups(self, chat_id: int) -> list[WorkingGroup]:
        return await self.repos.groups.linked_to_chat(chat_id)

    async def view(self, meeting: Meeting, occurrence: Occurrence, language: str) -> MeetingView:
        return await self.outgoing.view(meeting, occurrence, language)

    def zone_of(self, meeting: Meeting) -> ZoneInfo:
        return self.outgoing.zone_of(meeting)

    async def member_zones(self, group_ids: Sequence[int]) -> list[str | None]:
        """The zones of the members of these groups (one per person)."""
        zones: dict[int, str | None] = {}
        for group_id in group_ids:
            for member in await self.repos.roster.members(int(group_id)):
                zones[member.person.id] = member.person.timezone
        return list(zones.values())

    async def group(self, group_id: int) -> WorkingGroup | None:
        return next((g for g in await self.repos.groups.list() if g.id == group_id), None)

    # answers

    async def answer(
        self, occurrence_id: int, person: Person, answer: Answer
    ) -> Answered | Refusal:
        """Record a person's answer and refresh the group announcements' counts."""
        occurrence = await self.repos.meetings.occurrence(occurrence_id)
        meeting = await self.repos.meetings.get(occurrence.meeting_id) if occurrence else None
        if occurrence is None or meeting is None:
            return Refusal(GONE)
        now = self.now()
        reason = rules.answer_refusal(
            cancelled=meeting.cancelled or occurrence.status == "cancelled",
            ends_at=occurrence.ends_at,
            now=now,
            own_groups=await self.repos.roster.group_ids_of(person.id),
            meeting_groups=meeting.group_ids,
            secretariat=person.telegram_id in self.settings.secretariat_ids,
        )
        if reason is not None:
            return Refusal(reason)
        await self.repos.meetings.answer(occurrence.id, person.id, answer, now)
        self.live.touch(meeting.id)
        return Answered(answer)

    # one meeting, for its coordinators

    async def meeting_for(
        self, meeting_id: int, actor: Actor | None
    ) -> Meeting | NotAllowed | None:
        """The meeting if the actor may change it; None when there is no such meeting."""
        meeting = await self.repos.meetings.get(meeting_id)
        if meeting is None:
            return None
        if rules.may_change(actor, meeting.group_ids):
            return meeting
        groups = {g.id: g for g in await self.repos.groups.list(active_only=False)}
        first = groups.get(meeting.group_ids[0]) if meeting.group_ids else None
        reason = refusal(actor, Role.COORDINATOR, first.id if first else None) if actor else None
        return NotAllowed(reason or STALE, first)

    async def upcoming_occurrence(self, meeting: Meeting) -> Occurrence | None:
        """The occurrence still ahead (not started), or None."""
        if meeting.cancelled:
            return None
        now = self.now()
        occurrence = await self.repos.meetings.next_occurrence(meeting.id, now)
        if occurrence is None or occurrence.starts_at <= now:
            return None
        return occurrence

    async def report(self, meeting: Meeting) -> Report | None:
        """Who answered the next (else the last) occurrence, and who has not."""
        occurrence = await self.repos.meetings.next_occurrence(meeting.id, self.now())
        if occurrence is None:
            past = await self.repos.meetings.occurrences(meeting.id)
            occurrence = past[-1] if past else None
        if occurrence is None:
            return None
        answered = await self.repos.meetings.answered(occurrence.id)
        by_answer: dict[str, list[str]] = {answer: [] for answer in rules.ANSWERS}
        for item in answered:
            by_answer[item.answer].append(item.person.name)
        everyone: dict[int, str] = {}
        for group_id in meeting.group_ids:
            for member in await self.repos.roster.members(group_id):
                everyone[member.person.id] = member.person.name
        done = {item.person.id for item in answered}
        silent = sorted(name for pid, name in everyone.items() if pid not in done)
        return Report(occurrence, by_answer, silent)

    async def nudge(self, meeting: Meeting, occurrence: Occurrence) -> int:
        """Nudge the members who have not answered; how many."""
        now = self.now()
        messages = await self.outgoing.nudges(meeting, occurrence, now)
        async with self.repos.unit() as uow:
            await uow.outbox.enqueue(messages, now)
        self.wake_outbox()
        return len(messages)

    async def cancel(self, meeting_id: int, actor: Actor | None) -> Changed | NotAllowed | Refusal:
        """Cancel the meeting and tell every chat that got the announcement, in one unit."""
        meeting = await self.repos.meetings.get(meeting_id)
        if meeting is None or meeting.cancelled:
            return Refusal(STALE)
        if not rules.may_change(actor, meeting.group_ids):
            return NotAllowed(N_("You are not allowed to do that."))
        occurrence = await self.upcoming_occurrence(meeting)
        now = self.now()
        if occurrence is None:
            return Refusal(STALE)
        async with self.repos.unit() as uow:
            if not await uow.meetings.cancel(meeting.id, now):
                return Refusal(STALE)
            told = await self._tell_change(meeting.id, occurrence.id, None, now)
        self._changed(meeting.id)
        return Changed(meeting.id, told)

    async def _tell_change(
        self, meeting_id: int, occurrence_id: int, old_start: datetime | None, now: datetime
    ) -> int:
        """Queue the change notices (inside the caller's unit); how many chats are told."""
        meeting = await self.repos.meetings.get(meeting_id)
        occurrence = await self.repos.meetings.occurrence(occurrence_id)
        if meeting is None or occurrence is None:
            return 0
        messages = await self.outgoing.change_notices(meeting, occurrence, old_start, now)
        await self.repos.outbox.enqueue(messages, now)
        return len(messages)

    def _changed(self, meeting_id: int) -> None:
        self.wake_outbox()
        self.live.touch(meeting_id, include_private=True)
        self.runtime.wake()

    # /reminders and /upcoming

    async def muted_groups(self, person_id: int) -> set[int]:
        return await self.repos.meetings.muted_groups(person_id)

    async def mute(self, person_id: int, group_id: int, muted: bool) -> None:
        """Mute (or unmute) a group's meeting reminders for a person."""
        if muted:
            await self.repos.meetings.mute(person_id, group_id, self.now())
        else:
            await self.repos.meetings.unmute(person_id, group_id)

    async def upcoming(self, person_id: int) -> list[Upcoming]:
        """The next meetings of the person's groups with their answer."""
        found = []
        for occurrence in await self.repos.meetings.upcoming_for(person_id, self.now()):
            meeting = await self.repos.meetings.get(occurrence.meeting_id)
            if meeting is not None:
                answer = await self.repos.meetings.answer_of(occurrence.id, person_id)
                found.append(Upcoming(meeting, occurrence, answer))
        return found

    # /meet

    async def allowed_groups(self, actor: Actor | None) -> tuple[list[WorkingGroup], bool]:
        """The groups the actor may schedule for, and whether they may choose all of them."""
        groups = await self.repos.groups.list()
        if actor is None:
            return [], False
        if actor.secretariat:
            return groups, True
        return [g for g in groups if g.id in actor.coordinated], False

    async def meet_draft(self, person_id: int) -> Draft | None:
        return await self.repos.drafts.get(person_id, MEET_KIND)

    async def save_meet(
        self, person_id: int, data: Answers, chat_id: int | None, step: str | None = None
    ) -> str:
        """Keep the /meet draft at ``step`` (the first unanswered one by default)."""
        step = step or drafts.next_step(data)
        await self.repos.drafts.save(person_id, MEET_KIND, step, data, chat_id, self.now())
        return step

    @staticmethod
    def new_draft(zone: ZoneInfo, **answers: object) -> Answers:
        """A fresh draft's answers: a token for its buttons and the organiser's zone."""
        return {"id": secrets.token_hex(4), "zone": zone.key, **answers}

    async def meet_tap(
        self, person_id: int, draft: Draft, action: str, arg: str, actor: Actor | None
    ) -> drafts.Next | Refusal | None:
        """A /meet button other than Schedule and Cancel: the draft's next step, saved."""
        allowed, everyone = await self.allowed_groups(actor)
        tapped = drafts.Tapped(action, arg, frozenset(g.id for g in allowed), everyone)
        outcome = drafts.apply_tap(draft.step, draft.data, tapped)
        if isinstance(outcome, drafts.Next):
            step = await self.save_meet(person_id, outcome.data, draft.chat_id, outcome.step)
            return drafts.Next(outcome.data, step)
        return outcome

    async def drop_draft(self, person_id: int, kind: str) -> None:
        await self.repos.drafts.delete(person_id, kind)

    async def schedule(
        self, person_id: int, draft: Draft, actor: Actor | None
    ) -> Scheduled | NotAllowed | StepBack | None:
        """Save the meeting, queue its announcement and close the draft, in one unit of work.

        None: its groups no longer exist (the draft is dropped).
        """
        data = dict(draft.data)
        groups = {g.id: g for g in await self.repos.groups.list()}
        group_ids = [int(g) for g in data["groups"] if int(g) in groups]
        if not group_ids:
            await self.drop_draft(person_id, MEET_KIND)
            return None
        for group_id in group_ids:
            reason = refusal(actor, Role.COORDINATOR, group_id) if actor else STALE
            if reason is not None:
                return NotAllowed(reason, groups[group_id])
        now = self.now()
        zone, local = ZoneInfo(str(data["zone"])), parse_local(str(data["local"]))
        checked = rules.check_start(local, zone, now)
        if isinstance(checked, Refusal):
            data.pop("local", None)
            await self.save_meet(person_id, data, draft.chat_id, drafts.WHEN)
            return StepBack(drafts.WHEN, data, checked)
        new = _new_meeting(data, person_id, group_ids, checked.at)
        starts = _starts(new, zone, now)
        async with self.repos.unit() as uow:
            meeting = await uow.meetings.create(new, starts, now)
            reached = await self._announce(meeting, now)
            await uow.drafts.delete(person_id, MEET_KIND)
        self.wake_outbox()
        self.runtime.wake()
        return Scheduled(meeting, reached)

    async def _announce(self, meeting: Meeting, now: datetime) -> int:
        """Queue the announcement and record its posts (inside the caller's unit)."""
        occurrence = await self.repos.meetings.next_occurrence(meeting.id, now)
        if occurrence is None:
            return 0
        found = await self.outgoing.announcements(meeting, occurrence, now)
        await self.repos.outbox.enqueue([a.message for a in found], now)
        await self.repos.meetings.add_posts_by_key(
            occurrence.id, [(a.message.chat_id, a.message.dedupe_key, a.person_id) for a in found]
        )
        return len(found)

    # /reschedule

    async def reschedule_draft(self, person_id: int) -> Draft | None:
        return await self.repos.drafts.get(person_id, RESCHEDULE_KIND)

    async def save_reschedule(
        self, person_id: int, step: str, data: Answers, chat_id: int | None
    ) -> None:
        await self.repos.drafts.save(person_id, RESCHEDULE_KIND, step, data, chat_id, self.now())

    async def draft_meeting(self, data: Answers) -> tuple[Meeting, Occurrence] | None:
        """The meeting and occurrence a /reschedule draft is about (None: gone)."""
        meeting = await self.repos.meetings.get(int(data["meeting"]))
        occurrence = await self.repos.meetings.occurrence(int(data["occurrence"]))
        return None if meeting is None or occurrence is None else (meeting, occurrence)

    async def reschedule(self, person_id: int, draft: Draft) -> Changed | StepBack | Refusal:
        """Apply a confirmed /reschedule: move or change, tell everyone, close the draft."""
        data = dict(draft.data)
        found = await self.draft_meeting(data)
        now = self.now()
        if found is None or found[1].starts_at <= now:
            await self.drop_draft(person_id, RESCHEDULE_KIND)
            return Refusal(N_("Meeting #{id} has no upcoming date."), {"id": data["meeting"]})
        meeting, occurrence = found
        move = None
        if "local" in data:
            checked = rules.check_start(
                parse_local(str(data["local"])), ZoneInfo(str(data["zone"])), now
            )
            if isinstance(checked, Refusal):
                await self.save_reschedule(person_id, drafts.R_WHEN, data, draft.chat_id)
                return StepBack(drafts.R_WHEN, data, checked)
            move = checked.at
        link, agenda = data.get("link", meeting.link), data.get("agenda", meeting.agenda)
        async with self.repos.unit() as uow:
            if move is None:
                await uow.meetings.change_details(meeting.id, link=link, agenda=agenda, now=now)
            else:
                await self._move(meeting, occurrence, move, link, agenda, now)
            await uow.drafts.delete(person_id, RESCHEDULE_KIND)
            told = await self._tell_change(meeting.id, occurrence.id, occurrence.starts_at, now)
        self._changed(meeting.id)
        return Changed(meeting.id, told)

    async def _move(
        self,
        meeting: Meeting,
        occurrence: Occurrence,
        start: datetime,
        link: str | None,
        agenda: str | None,
        now: datetime,
    ) -> None:
        zone = self.zone_of(meeting)
        local_start = start.astimezone(zone).replace(tzinfo=None)
        starts = [start]
        if meeting.rrule:
            until = recurrence.materialise_until(now, meeting.reminder_offsets)
            starts = recurrence.occurrences(local_start, zone, meeting.rrule, now, until) or starts
        await self.repos.meetings.move(
            meeting.id,
            occurrence_id=occurrence.id,
            local_start=local_start,
            starts=starts,
            link=link,
            agenda=agenda,
            now=now,
        )


def _new_meeting(data: Answers, person_id: int, group_ids: list[int], at: datetime) -> NewMeeting:
    local = parse_local(str(data["local"]))
    return NewMeeting(
        title=str(data["title"]),
        timezone=str(data["zone"]),
        local_start=local,
        starts_at=at,
        duration_minutes=int(data["duration"]),
        link=data.get("link"),
        agenda=data.get("agenda"),
        rrule=recurrence.rrule_for(data.get("recurrence", "none"), local),
        reminder_offsets=tuple(int(m) for m in data.get("offsets", [])),
        created_by=person_id,
        group_ids=tuple(group_ids),
    )


def _starts(meeting: NewMeeting, zone: ZoneInfo, now: datetime) -> list[datetime]:
    """The first occurrences to keep as rows (one for a single meeting)."""
    if not meeting.rrule:
        return [meeting.starts_at]
    until = recurrence.materialise_until(now, meeting.reminder_offsets)
    found = recurrence.occurrences(meeting.local_start, zone, meeting.rrule, now, until)
    return found or [meeting.starts_at]
