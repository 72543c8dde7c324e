"""What the bot sends about a meeting, as outbox rows: to which chats and people, in each
reader's language and zone.

Announcements, change notices, nudges and reminders go through the outbox (docs/developers.md,
"The outbox"): this module only reads (the audience, the readers) and builds the rows; the
service or the reminders enqueue them inside the unit of work of their use case.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final
from zoneinfo import ZoneInfo

from bot.chats.rules import chat_language, chat_zone
from bot.i18n import I18n, Translator
from bot.meetings import texts
from bot.meetings.recurrence import recurrence_of
from bot.meetings.rules import NUDGE_OFFSET
from bot.meetings.texts import MeetingView, rsvp_keyboard
from bot.outbox.addressing import person_chat
from bot.outbox.messages import outgoing
from bot.roster import zone_of
from config import Settings
from storage import Person, Repositories, WorkingGroup
from storage.meetings import DueReminder, Meeting, MeetingPost, Occurrence
from storage.outbox import OutboxEvent, OutgoingMessage
from storage.timecodec import to_db


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


@dataclass(frozen=True)
class Announcement:
    """An announcement's outbox row and the person it is for (None: a group chat)."""

    message: OutgoingMessage
    person_id: int | None


def reachable(person: Person) -> bool:
    """Started the bot and never blocked it: the bot may write to them in private."""
    return person.telegram_id is not None and person.started_at is not None and person.reachable


def addressable(person: Person) -> bool:
    """Reachable in Telegram, or by e-mail (the outbox decides which channels carry it)."""
    return person_chat(person) is not None


def chat_of(person: Person) -> int:
    """The person's private chat, or the stand-in chat of someone reached only by e-mail."""
    chat = person_chat(person)
    assert chat is not None, "only for addressable people"
    return chat


def meeting_event(
    meeting: Meeting, occurrence: Occurrence, *, partstat: str | None = None
) -> OutboxEvent:
    """The occurrence as a calendar event: one UID per occurrence, a SEQUENCE that grows with
    every change of the meeting."""
    cancelled = meeting.cancelled or occurrence.status == "cancelled"
    return OutboxEvent(
        uid=f"wnmrc-meeting-{meeting.id}-{occurrence.id}",
        sequence=meeting.sequence,
        method="CANCEL" if cancelled else "REQUEST",
        start=occurrence.starts_at,
        end=occurrence.starts_at + timedelta(minutes=meeting.duration_minutes),
        summary=meeting.title,
        description=meeting.agenda or "",
        location=meeting.link,
        partstat=PARTSTAT.get(partstat or "", "NEEDS-ACTION"),
        occurrence_id=occurrence.id,
    )


PARTSTAT: Final = {"going": "ACCEPTED", "maybe": "TENTATIVE", "no": "DECLINED"}


def stamp(moment: datetime) -> str:
    return to_db(moment)[:16]


class Outgoing:
    """Builds the messages about meetings for their audience."""

    def __init__(self, repos: Repositories, i18n: I18n, settings: Settings) -> None:
        self.repos = repos
        self.i18n = i18n
        self.settings = settings

    # readers and views

    def zone_of(self, meeting: Meeting) -> ZoneInfo:
        return zone_of(meeting.timezone) or self.settings.default_zone

    def person_reader(self, person: Person, meeting: Meeting) -> Reader:
        tr = self.i18n.for_person(person.language, person.telegram_language)
        return Reader(tr, zone_of(person.timezone) or self.zone_of(meeting))

    async def chat_reader(
        self, chat_id: int, meeting: Meeting, group: WorkingGroup | None
    ) -> Reader:
        chat = await self.repos.chats.get(chat_id)
        language = chat_language(chat.language if chat else None, self.i18n.default_language)
        group_zone = group.timezone if group else None
        zone = chat_zone(chat.timezone if chat else None, group_zone, self.zone_of(meeting))
        return Reader(self.i18n.translator(language), zone)

    async def post_reader(
        self, post: MeetingPost, meeting: Meeting, groups: dict[int, WorkingGroup]
    ) -> tuple[Reader | None, str | None]:
        """The reader of a post and, in a private chat, their answer."""
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
        if person is None or not addressable(person):
            return None, None
        answer = await self.repos.meetings.answer_of(post.occurrence_id, person.id)
        return self.person_reader(person, meeting), answer

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
            recurrence=recurrence_of(meeting.rrule),
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
        for group in (groups[g] for g in meeting.group_ids if g in groups):
            if group.chat_id is not None:
                place = Place(group, group.chat_id, group.topic_id)
                places.setdefault((group.chat_id, group.topic_id), place)
            for member in await self.repos.roster.members(group.id):
                if addressable(member.person):
                    people[member.person.id] = member.person
                    member_of.setdefault(member.person.id, set()).add(group.id)
        if reminders:
            mutes = await self.repos.meetings.mutes(meeting.group_ids)
            people = {
                pid: p
                for pid, p in people.items()
                if not all((pid, g) in mutes for g in member_of[pid])
            }
        return Audience(list(places.values()), list(people.values()))

    # the messages

    async def announcements(
        self, meeting: Meeting, occurrence: Occurrence, now: datetime
    ) -> list[Announcement]:
        """The announcement for every group chat and member."""
        audience = await self.audience(meeting)
        groups = await self.all_groups()
        found: list[Announcement] = []
        for place in audience.places:
            reader = await self.chat_reader(place.chat_id, meeting, place.group)
            view = await self.view(meeting, occurrence, reader.tr.language, groups)
            text = texts.announcement_text(reader.tr, view, reader.zone, {})
            markup = rsvp_keyboard(reader.tr, occurrence.id)
            key = f"meeting:{meeting.id}:announce:{place.chat_id}:{place.topic_id or 0}"
            message = outgoing(
                "announcement", place.chat_id, key, text, markup, now, topic=place.topic_id
            )
            found.append(Announcement(message, None))
        for person in audience.people:
            chat = chat_of(person)
            reader = self.person_reader(person, meeting)
            view = await self.view(meeting, occurrence, reader.tr.language, groups)
            text = texts.announcement_text(reader.tr, view, reader.zone, None)
            markup = rsvp_keyboard(reader.tr, occurrence.id)
            key = f"meeting:{meeting.id}:announce:{chat}:0"
            event = meeting_event(meeting, occurrence)
            message = outgoing(
                "announcement", chat, key, text, markup, now, person=person.id, event=event
            )
            found.append(Announcement(message, person.id))
        return found

    async def change_notices(
        self, meeting: Meeting, occurrence: Occurrence, old_start: datetime | None, now: datetime
    ) -> list[OutgoingMessage]:
        """A notice of a cancellation or a change to every chat that got the announcement."""
        messages = []
        groups = await self.all_groups()
        for post in await self.repos.meetings.posts(meeting.id):
            reader, answer = await self.post_reader(post, meeting, groups)
            if reader is None:
                continue
            view = await self.view(meeting, occurrence, reader.tr.language, groups)
            text = texts.change_text(reader.tr, view, reader.zone, old_start)
            markup = None if view.cancelled else rsvp_keyboard(reader.tr, occurrence.id, answer)
            change = f"{to_db(meeting.updated_at)}:{meeting.sequence}"
            key = f"meeting:{meeting.id}:change:{change}:{post.chat_id}"
            messages.append(
                outgoing(
                    "notice",
                    post.chat_id,
                    key,
                    text,
                    markup,
                    now,
                    topic=post.message_thread_id,
                    person=post.person_id,
                    event=(
                        None
                        if post.person_id is None
                        else meeting_event(meeting, occurrence, partstat=answer)
                    ),
                )
            )
        return messages

    async def nudges(
        self, meeting: Meeting, occurrence: Occurrence, now: datetime
    ) -> list[OutgoingMessage]:
        """A nudge to each member who has not answered (and has not muted the group)."""
        answers = await self.repos.meetings.answers_by_person(occurrence.id)
        audience = await self.audience(meeting, reminders=True)
        groups = await self.all_groups()
        messages = []
        for person in audience.people:
            if person.id in answers:
                continue
            reader = self.person_reader(person, meeting)
            view = await self.view(meeting, occurrence, reader.tr.language, groups)
            text = texts.nudge_text(reader.tr, view, reader.zone)
            markup = rsvp_keyboard(reader.tr, occurrence.id)
            key = f"nudge:{occurrence.id}:{stamp(now)}:{chat_of(person)}"
            messages.append(
                outgoing(
                    "reminder",
                    chat_of(person),
                    key,
                    text,
                    markup,
                    now,
                    person=person.id,
                    expires=occurrence.starts_at,
                )
            )
        return messages

    async def reminders(
        self, reminder: DueReminder, meeting: Meeting, occurrence: Occurrence, now: datetime
    ) -> list[OutgoingMessage]:
        """One reminder for each group chat and member (dedupe key
        ``reminder:<occurrence>:<start>:<offset>:<chat>``, expiring at the start)."""
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
            text = texts.reminder_text(reader.tr, view, reader.zone, shown, None, personal=False)
            markup = rsvp_keyboard(reader.tr, occurrence.id)
            messages.append(
                outgoing(
                    "reminder",
                    place.chat_id,
                    f"{base}:{place.chat_id}",
                    text,
                    markup,
                    now,
                    topic=place.topic_id,
                    expires=occurrence.starts_at,
                )
            )
        offset = NUDGE_OFFSET if reminder.offset_minutes == NUDGE_OFFSET else shown
        for person in audience.people:
            chat = chat_of(person)
            reader = self.person_reader(person, meeting)
            view = await self.view(meeting, occurrence, reader.tr.language, groups)
            answer = answers.get(person.id)
            text = texts.reminder_text(reader.tr, view, reader.zone, offset, answer, personal=True)
            markup = rsvp_keyboard(reader.tr, occurrence.id, answer)
            messages.append(
                outgoing(
                    "reminder",
                    chat,
                    f"{base}:{chat}",
                    text,
                    markup,
                    now,
                    person=person.id,
                    expires=occurrence.starts_at,
                )
            )
        return messages
