"""The meetings runtime: announcements, reminders, notices and live answer counts.

The database is the source of truth (docs/developers.md, "Scheduled work"): every reminder is a row
of ``meeting_reminders``. A JobQueue job wakes the runtime at the next due row and another sweeps
every ``sweep_seconds``; :func:`start_reminders` first serves what fell due while the bot was down.
A due reminder is fanned out into the outbox (one row per chat, dedupe key
``reminder:<occurrence>:<start>:<offset>:<chat>``, expiring at the start), and only then marked —
so a crash in between queues nothing twice. Overdue reminders follow
:func:`bot.meetings.reminder_fates`: sent (late) while the meeting has not started, else missed.

Announcements, change notices and nudges go through the outbox too. The group announcements'
answer counts are edited directly, coalesced by :class:`bot.meetings.EditGate`: one edit per
message every few seconds, never more than a group's per-minute limit.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import weakref
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError
from telegram.ext import Application

from bot import meetings as rules
from bot.context import Services, WnmrcApplication
from bot.delivery import enqueue, retry_after_seconds, sender_of
from bot.digests import DigestItem, DigestRequest, DigestSection, format_when
from bot.i18n import N_, Translator, choose_language
from bot.meetings import MeetingView, PendingReminder
from bot.ratelimits import Pacer
from bot.roster import zone_of
from storage import Person, Repositories, WorkingGroup
from storage.meetings import DueReminder, Meeting, MeetingPost, Occurrence
from storage.outbox import OutboxKind, OutboxPayload, OutgoingMessage
from storage.timecodec import to_db

logger = logging.getLogger(__name__)

AnyApplication = Application[Any, Any, Any, Any, Any, Any]

SWEEP_SECONDS: Final = 30.0
"""The longest the runtime sleeps without looking at the reminders."""
MATERIALISE_EVERY: Final = timedelta(hours=1)


@dataclass(frozen=True)
class Place:
    """A group chat (or forum topic) of one of the meeting's groups."""

    group: WorkingGroup
    chat_id: int
    topic_id: int | None


@dataclass(frozen=True)
class Audience:
    places: list[Place]
    people: list[Person]


@dataclass(frozen=True)
class Reader:
    """Who reads a message: their language and zone (the zone is named in the text)."""

    tr: Translator
    zone: ZoneInfo


def _services(application: AnyApplication) -> Services:
    if not isinstance(application, WnmrcApplication):
        raise TypeError("meetings need the WnmrcApplication built by bot/app.py")
    return application.services


def reachable(person: Person) -> bool:
    """Started the bot and never blocked it: the bot may write to them in private."""
    return person.telegram_id is not None and person.started_at is not None and person.reachable


def stamp(moment: datetime) -> str:
    return to_db(moment)[:16]


class Meetings:
    """The meetings of one application: what is sent about them, and when."""

    def __init__(self, application: AnyApplication) -> None:
        self.application = application
        self.services = _services(application)
        self.repos: Repositories = self.services.repos
        self.lock = asyncio.Lock()
        self.live = LiveCounts(self)
        self._materialised_at: datetime | None = None

    def now(self) -> datetime:
        return self.services.clock.now()

    # readers and views

    def zone_of(self, meeting: Meeting) -> ZoneInfo:
        return zone_of(meeting.timezone) or self.services.settings.default_zone

    def person_reader(self, person: Person, meeting: Meeting) -> Reader:
        tr = self.services.i18n.for_person(person.language, person.telegram_language)
        return Reader(tr, zone_of(person.timezone) or self.zone_of(meeting))

    async def chat_reader(
        self, chat_id: int, meeting: Meeting, group: WorkingGroup | None
    ) -> Reader:
        chat = await self.repos.chats.get(chat_id)
        i18n = self.services.i18n
        language = choose_language(chat.language if chat else None, None, i18n.default_language)
        zone = zone_of(group.timezone if group else None) or self.zone_of(meeting)
        return Reader(i18n.translator(language), zone)

    async def view(
        self,
        meeting: Meeting,
        occurrence: Occurrence,
        language: str,
        groups: dict[int, WorkingGroup] | None = None,
    ) -> MeetingView:
        """How the occurrence reads (``groups``: the working groups, when already at hand)."""
        if groups is None:
            groups = await self.all_groups()
        names = [groups[g].name(language) for g in meeting.group_ids if g in groups]
        return MeetingView(
            meeting_id=meeting.id,
            occurrence_id=occurrence.id,
            title=meeting.title,
            groups=names,
            start=occurrence.starts_at,
            duration_minutes=meeting.duration_minutes,
            link=meeting.link,
            agenda=meeting.agenda,
            recurrence=rules.recurrence_of(meeting.rrule),
            cancelled=meeting.cancelled or occurrence.status == "cancelled",
        )

    async def all_groups(self) -> dict[int, WorkingGroup]:
        return {g.id: g for g in await self.repos.groups.list(active_only=False)}

    async def audience(self, meeting: Meeting, *, reminders: bool = False) -> Audience:
        """The meeting's group chats and its members who started the bot (for reminders:
        without those who muted every one of the meeting's groups they are in)."""
        groups = {g.id: g for g in await self.repos.groups.list()}
        places: dict[tuple[int, int | None], Place] = {}
        people: dict[int, Person] = {}
        member_of: dict[int, set[int]] = {}
        for group_id in meeting.group_ids:
            group = groups.get(group_id)
            if group is None:
                continue
            if group.chat_id is not None:
                places.setdefault(
                    (group.chat_id, group.topic_id), Place(group, group.chat_id, group.topic_id)
                )
            for member in await self.repos.roster.members(group_id):
                if reachable(member.person):
                    people[member.person.id] = member.person
                    member_of.setdefault(member.person.id, set()).add(group_id)
        if reminders:
            mutes = await self.repos.meetings.mutes(meeting.group_ids)
            people = {
                pid: p
                for pid, p in people.items()
                if not all((pid, g) in mutes for g in member_of[pid])
            }
        return Audience(list(places.values()), list(people.values()))

    # announcements

    async def announce(self, meeting: Meeting) -> int:
        """Queue the announcement for every group chat and member; returns the recipients."""
        now = self.now()
        occurrence = await self.repos.meetings.next_occurrence(meeting.id, now)
        if occurrence is None:
            return 0
        audience = await self.audience(meeting)
        groups = await self.all_groups()
        messages: list[tuple[OutgoingMessage, int | None]] = []
        for place in audience.places:
            reader = await self.chat_reader(place.chat_id, meeting, place.group)
            view = await self.view(meeting, occurrence, reader.tr.language, groups)
            text = rules.announcement_text(reader.tr, view, reader.zone, {})
            markup = rules.rsvp_keyboard(reader.tr, occurrence.id)
            key = f"meeting:{meeting.id}:announce:{place.chat_id}:{place.topic_id or 0}"
            messages.append(
                (
                    self._message(
                        "announcement", place.chat_id, key, text, markup, now, topic=place.topic_id
                    ),
                    None,
                )
            )
        for person in audience.people:
            assert person.telegram_id is not None
            reader = self.person_reader(person, meeting)
            view = await self.view(meeting, occurrence, reader.tr.language, groups)
            text = rules.announcement_text(reader.tr, view, reader.zone, None)
            markup = rules.rsvp_keyboard(reader.tr, occurrence.id)
            key = f"meeting:{meeting.id}:announce:{person.telegram_id}:0"
            messages.append(
                (
                    self._message(
                        "announcement", person.telegram_id, key, text, markup, now, person=person.id
                    ),
                    person.id,
                )
            )
        await enqueue(self.application, [m for m, _ in messages])
        posts = []
        for message, person_id in messages:
            row = await self.repos.outbox.by_key(message.dedupe_key)
            posts.append(
                MeetingPost(
                    occurrence_id=occurrence.id,
                    chat_id=message.chat_id,
                    outbox_id=row.id if row else None,
                    person_id=person_id,
                    kind="announcement",
                )
            )
        await self.repos.meetings.add_posts(posts)
        return len(messages)

    def _message(
        self,
        kind: OutboxKind,
        chat_id: int,
        key: str,
        text: str,
        markup: dict[str, Any] | None,
        now: datetime,
        *,
        topic: int | None = None,
        person: int | None = None,
        expires: datetime | None = None,
    ) -> OutgoingMessage:
        return OutgoingMessage(
            kind=kind,
            chat_id=chat_id,
            message_thread_id=topic,
            person_id=person,
            payload=OutboxPayload(text=text, reply_markup=markup),
            dedupe_key=key,
            due_at=now,
            expires_at=expires,
        )

    # changes

    async def notify_change(
        self, meeting: Meeting, occurrence: Occurrence, old_start: datetime | None
    ) -> int:
        """Tell every chat that got the announcement about a cancellation or a change."""
        now = self.now()
        posts = await self.repos.meetings.posts(meeting.id)
        messages = []
        groups = await self.all_groups()
        for post in posts:
            reader, answer = await self.post_reader(post, meeting, groups)
            if reader is None:
                continue
            view = await self.view(meeting, occurrence, reader.tr.language, groups)
            text = rules.change_text(reader.tr, view, reader.zone, old_start)
            markup = None
            if not view.cancelled:
                markup = rules.rsvp_keyboard(reader.tr, occurrence.id, answer)
            key = f"meeting:{meeting.id}:change:{to_db(meeting.updated_at)}:{post.chat_id}"
            messages.append(
                self._message(
                    "notice",
                    post.chat_id,
                    key,
                    text,
                    markup,
                    now,
                    topic=post.message_thread_id,
                    person=post.person_id,
                )
            )
        await enqueue(self.application, messages)
        self.live.touch(meeting.id, include_private=True)
        return len(messages)

    async def post_reader(
        self, post: MeetingPost, meeting: Meeting, groups: dict[int, WorkingGroup]
    ) -> tuple[Reader | None, str | None]:
        if post.person_id is None:
            group = next(
                (
                    groups[g]
                    for g in meeting.group_ids
                    if g in groups and groups[g].chat_id == post.chat_id
                ),
                None,
            )
            return await self.chat_reader(post.chat_id, meeting, group), None
        person = await self.repos.people.get(post.person_id)
        if person is None or not reachable(person):
            return None, None
        answer = await self.repos.meetings.answer_of(post.occurrence_id, person.id)
        return self.person_reader(person, meeting), answer

    # nudges

    async def nudge(self, meeting: Meeting, occurrence: Occurrence) -> int:
        """A nudge to each member who has not answered (and has not muted the group)."""
        now = self.now()
        answers = await self.repos.meetings.answers_by_person(occurrence.id)
        audience = await self.audience(meeting, reminders=True)
        groups = await self.all_groups()
        messages = []
        for person in audience.people:
            if person.id in answers or person.telegram_id is None:
                continue
            reader = self.person_reader(person, meeting)
            view = await self.view(meeting, occurrence, reader.tr.language, groups)
            text = rules.nudge_text(reader.tr, view, reader.zone)
            markup = rules.rsvp_keyboard(reader.tr, occurrence.id)
            key = f"nudge:{occurrence.id}:{stamp(now)}:{person.telegram_id}"
            messages.append(
                self._message(
                    "reminder",
                    person.telegram_id,
                    key,
                    text,
                    markup,
                    now,
                    person=person.id,
                    expires=occurrence.starts_at,
                )
            )
        await enqueue(self.application, messages)
        return len(messages)

    # reminders

    async def run_due(self) -> int:
        """Serve every due reminder once; returns how many were queued (sent or late)."""
        async with self.lock:
            now = self.now()
            await self._materialise(now)
            due = await self.repos.meetings.due_reminders(now)
            pending = [
                PendingReminder(r.id, r.occurrence_id, r.offset_minutes, r.due_at, r.starts_at)
                for r in due
            ]
            fates = rules.reminder_fates(pending, now)
            queued = 0
            for reminder in due:
                fate = fates.get(reminder.id, "wait")
                if fate == "wait":
                    continue
                try:
                    if fate == "missed":
                        await self.repos.meetings.mark_reminder(reminder.id, "missed", now)
                        logger.info("reminder %d missed (the meeting had started)", reminder.id)
                        continue
                    await self._fan_out(reminder, now)
                    late = fate == "late"
                    await self.repos.meetings.mark_reminder(
                        reminder.id, "late" if late else "sent", now
                    )
                    queued += 1
                except Exception:
                    logger.exception("reminder %d failed; retried at the next round", reminder.id)
            return queued

    async def _materialise(self, now: datetime) -> None:
        """Keep the occurrences of recurring meetings as rows some weeks ahead."""
        if self._materialised_at is not None and now - self._materialised_at < MATERIALISE_EVERY:
            return
        self._materialised_at = now
        for meeting in await self.repos.meetings.recurring():
            until = rules.materialise_until(now, meeting.reminder_offsets)
            starts = rules.occurrences(
                meeting.local_start, self.zone_of(meeting), meeting.rrule, now, until
            )
            await self.repos.meetings.add_occurrences(meeting, starts, now)

    async def _fan_out(self, reminder: DueReminder, now: datetime) -> None:
        meeting = await self.repos.meetings.get(reminder.meeting_id)
        occurrence = await self.repos.meetings.occurrence(reminder.occurrence_id)
        if meeting is None or occurrence is None or meeting.cancelled:
            return
        if occurrence.status == "cancelled":
            return
        left = max(int((occurrence.starts_at - now).total_seconds() // 60), 1)
        shown = min(reminder.offset_minutes, left)
        audience = await self.audience(meeting, reminders=True)
        answers = await self.repos.meetings.answers_by_person(occurrence.id)
        groups = await self.all_groups()
        base = f"reminder:{occurrence.id}:{stamp(occurrence.starts_at)}:{reminder.offset_minutes}"
        messages = []
        for place in audience.places:
            reader = await self.chat_reader(place.chat_id, meeting, place.group)
            view = await self.view(meeting, occurrence, reader.tr.language, groups)
            text = rules.reminder_text(reader.tr, view, reader.zone, shown, None, personal=False)
            messages.append(
                self._message(
                    "reminder",
                    place.chat_id,
                    f"{base}:{place.chat_id}",
                    text,
                    rules.rsvp_keyboard(reader.tr, occurrence.id),
                    now,
                    topic=place.topic_id,
                    expires=occurrence.starts_at,
                )
            )
        for person in audience.people:
            assert person.telegram_id is not None
            reader = self.person_reader(person, meeting)
            view = await self.view(meeting, occurrence, reader.tr.language, groups)
            answer = answers.get(person.id)
            nudge_at = reminder.offset_minutes == rules.NUDGE_OFFSET
            text = rules.reminder_text(
                reader.tr,
                view,
                reader.zone,
                shown if not nudge_at else rules.NUDGE_OFFSET,
                answer,
                personal=True,
            )
            messages.append(
                self._message(
                    "reminder",
                    person.telegram_id,
                    f"{base}:{person.telegram_id}",
                    text,
                    rules.rsvp_keyboard(reader.tr, occurrence.id, answer),
                    now,
                    person=person.id,
                    expires=occurrence.starts_at,
                )
            )
        await enqueue(self.application, messages)

    async def next_due(self) -> datetime | None:
        return await self.repos.meetings.next_reminder_due()


# Live counts on the group announcements


class LiveCounts:
    """Edits announcements after answers and changes, coalesced per message and per chat."""

    def __init__(self, meetings: Meetings, gate: rules.EditGate | None = None) -> None:
        self.meetings = meetings
        self.gate = gate or rules.EditGate()
        self._dirty: dict[tuple[int, int], MeetingPost] = {}
        self._wakeup = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._touching: set[asyncio.Task[None]] = set()

    def touch(self, meeting_id: int, *, include_private: bool = False) -> None:
        """The meeting's answers or details changed: refresh its announcements soon."""
        task = asyncio.create_task(self._mark(meeting_id, include_private))
        self._touching.add(task)
        task.add_done_callback(self._touching.discard)

    async def _mark(self, meeting_id: int, include_private: bool) -> None:
        posts = await self.meetings.repos.meetings.posts(meeting_id)
        for post in posts:
            if post.person_id is None or include_private:
                self._dirty[(post.chat_id, post.occurrence_id)] = post
        self._ensure_running()
        self._wakeup.set()

    def _ensure_running(self) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run(), name="meeting-live-counts")

    async def stop(self) -> None:
        for task in list(self._touching):
            task.cancel()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while self._dirty:
            self._wakeup.clear()
            wait = 5.0
            for key, post in list(self._dirty.items()):
                try:
                    fresh = await self._fresh(post)
                except Exception:
                    logger.exception("live counts: reading post %s failed", key)
                    self._dirty.pop(key, None)
                    continue
                if fresh is None:
                    self._dirty.pop(key, None)
                    continue
                if fresh.telegram_message_id is None:
                    wait = min(wait, 1.0)  # not sent yet: look again shortly
                    continue
                now = loop.time()
                chat_id, message_id = fresh.chat_id, fresh.telegram_message_id
                at = self.gate.next_allowed(chat_id, message_id, now)
                pacer = self._pacer()
                if pacer is not None:  # edits share the chat's budget with the outbox's sends
                    at = max(at, pacer.earliest(chat_id, now))
                if at > now:
                    wait = min(wait, at - now)
                    continue
                self._dirty.pop(key, None)
                self.gate.record(chat_id, message_id, now)
                if pacer is not None:
                    pacer.reserve(chat_id, now)
                delay = await self._edit(fresh)
                if delay is not None:  # 429: the chat waits, the edit is tried again
                    self._dirty[key] = post
                    until = loop.time() + delay
                    self.gate.hold(chat_id, until)
                    if pacer is not None:
                        pacer.hold_chat(chat_id, until)
            if self._dirty:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wakeup.wait(), max(wait, 0.05))

    def _pacer(self) -> Pacer | None:
        sender = sender_of(self.meetings.application)
        return None if sender is None else sender.pacer

    async def _fresh(self, post: MeetingPost) -> MeetingPost | None:
        """The post as stored now (its message id once sent); None when it will never be."""
        meeting = await self.meetings.repos.meetings.occurrence(post.occurrence_id)
        if meeting is None:
            return None
        posts = await self.meetings.repos.meetings.posts(
            meeting.meeting_id, occurrence_id=post.occurrence_id
        )
        found = next((p for p in posts if p.chat_id == post.chat_id), None)
        if found is None or found.outbox_id is None:
            return None
        if found.telegram_message_id is None:
            row = await self.meetings.repos.outbox.get(found.outbox_id)
            if row is None or row.status in ("failed", "unreachable"):
                return None
        return found

    async def _edit(self, post: MeetingPost) -> float | None:
        """Edit one announcement; returns seconds to wait when Telegram asked to slow down."""
        repos = self.meetings.repos
        occurrence = await repos.meetings.occurrence(post.occurrence_id)
        meeting = await repos.meetings.get(occurrence.meeting_id) if occurrence else None
        if occurrence is None or meeting is None or post.telegram_message_id is None:
            return None
        groups = await self.meetings.all_groups()
        reader, answer = await self.meetings.post_reader(post, meeting, groups)
        if reader is None:
            return None
        view = await self.meetings.view(meeting, occurrence, reader.tr.language, groups)
        counts = await repos.meetings.counts(occurrence.id) if post.person_id is None else None
        text = rules.announcement_text(reader.tr, view, reader.zone, counts)
        markup = None
        if not view.cancelled:
            keyboard = rules.rsvp_keyboard(reader.tr, occurrence.id, answer)
            markup = InlineKeyboardMarkup.de_json(keyboard, None)
        try:
            await self.meetings.application.bot.edit_message_text(
                text, chat_id=post.chat_id, message_id=post.telegram_message_id, reply_markup=markup
            )
        except RetryAfter as error:
            return retry_after_seconds(error)
        except BadRequest as error:
            if "not modified" not in error.message.lower():
                logger.info("live counts: chat %d: %s", post.chat_id, error.message)
        except (Forbidden, TelegramError) as error:
            logger.info("live counts: chat %d: %s", post.chat_id, error.message)
        return None


# The clock: JobQueue jobs at the next due reminder and every sweep

_MEETINGS: Final[weakref.WeakKeyDictionary[AnyApplication, Meetings]] = weakref.WeakKeyDictionary()
_STARTED: Final[weakref.WeakKeyDictionary[AnyApplication, float]] = weakref.WeakKeyDictionary()
NEXT_JOB: Final = "meeting-reminders-next"
SWEEP_JOB: Final = "meeting-reminders-sweep"


def meetings_of(application: AnyApplication) -> Meetings:
    """The application's meetings runtime (created on first use)."""
    found = _MEETINGS.get(application)
    if found is None:
        found = Meetings(application)
        _MEETINGS[application] = found
    return found


async def _round(application: AnyApplication) -> None:
    runtime = meetings_of(application)
    try:
        await runtime.run_due()
    except Exception:
        logger.exception("reminder round failed; trying again at the next wake-up")
    await _plan_next(application)


async def _job(context: Any) -> None:
    if context.application in _STARTED:
        await _round(context.application)


async def _plan_next(application: AnyApplication) -> None:
    """One job at the next due reminder (the sweep catches anything else)."""
    queue = application.job_queue
    if queue is None or application not in _STARTED:
        return
    for job in queue.get_jobs_by_name(NEXT_JOB):
        job.schedule_removal()
    upcoming = await meetings_of(application).next_due()
    if upcoming is None:
        return
    wait = (upcoming - _services(application).clock.now()).total_seconds()
    sweep = _STARTED[application]
    if wait < sweep:
        queue.run_once(_job, when=max(wait, 0.0), name=NEXT_JOB)


async def start_reminders(
    application: AnyApplication, sweep_seconds: float = SWEEP_SECONDS
) -> None:
    """Serve reminders that fell due during downtime, then wake at due times. Idempotent.

    Call in ``post_init`` after ``start_delivery``.
    """
    if application in _STARTED:
        return
    _STARTED[application] = sweep_seconds
    await _round(application)
    if application.job_queue is not None:
        application.job_queue.run_repeating(
            _job, interval=sweep_seconds, first=sweep_seconds, name=SWEEP_JOB
        )


async def stop_reminders(application: AnyApplication) -> None:
    """Stop the jobs and the live-count edits (in ``post_stop``). Safe to call twice."""
    if _STARTED.pop(application, None) is None:
        return
    queue = application.job_queue
    if queue is not None:
        for name in (NEXT_JOB, SWEEP_JOB):
            for job in queue.get_jobs_by_name(name):
                job.schedule_removal()
    runtime = _MEETINGS.pop(application, None)
    if runtime is not None:
        await runtime.live.stop()


def wake_reminders(application: AnyApplication) -> None:
    """Look at the reminders now (a meeting was saved or changed, a test moved the clock)."""
    queue = application.job_queue
    if queue is not None and application in _STARTED:
        queue.run_once(_job, when=0, name=NEXT_JOB)


# The digest section: upcoming meetings of the target's groups

UPCOMING_HEADING: Final = N_("Upcoming meetings")
UPCOMING_WINDOW: Final = timedelta(days=14)


class UpcomingMeetingsProvider:
    """Meetings of the target's groups in the two weeks after the digest, in the reader's zone."""

    def __init__(self, repos: Repositories) -> None:
        self.repos = repos

    async def section(self, request: DigestRequest) -> DigestSection | None:
        target = request.target
        found = await self.repos.meetings.upcoming_in_groups(
            target.group_ids, request.until, request.until + UPCOMING_WINDOW
        )
        items = []
        for occurrence in found:
            meeting = await self.repos.meetings.get(occurrence.meeting_id)
            if meeting is None:
                continue
            when = format_when(occurrence.starts_at, target.zone, request.tr.language)
            line = request.tr("• {title} — {when}", title=meeting.title, when=when)
            key = f"meeting:{occurrence.id}:{stamp(occurrence.starts_at)}"
            items.append(DigestItem(key, meeting.updated_at, line))
        if not items:
            return None
        return DigestSection(request.tr(UPCOMING_HEADING), tuple(items))
