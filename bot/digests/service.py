"""The digests' use cases: schedules, composing, queueing; used by the due work and by /digest.

A due digest is composed outside any transaction (reads only), then queued through the outbox
and recorded (the items it carried, the schedule moved to its next period) in one unit of work:
both or neither, so a crash between them can neither lose nor repeat a digest. The dedupe key
``digest:<schedule>:<period start>`` makes queueing the same period again a no-op.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.chats.rules import chat_language, chat_zone
from bot.clock import Clock
from bot.digests.providers import section_providers
from bot.digests.rules import (
    DigestRequest,
    DigestSection,
    DigestTarget,
    TargetKind,
    compose,
    dedupe_key,
    digest_title,
    item_keys,
    next_due,
    period_length,
    unsent,
)
from bot.i18n import I18n, choose_language
from bot.outbox import OutboxService
from bot.outbox.addressing import on_telegram, person_chat
from bot.outbox.sender import Waker
from bot.roster import linked_group, zone_of
from config import Settings
from storage import Repositories, WorkingGroup
from storage.digests import DigestFrequency, DigestSchedule
from storage.outbox import OutboxPayload, OutgoingMessage

logger = logging.getLogger(__name__)

ChatLookup = Callable[[str], Awaitable[int | None]]
"""Finds a chat's id by its @username (the network channel); None when there is none."""


@dataclass(frozen=True)
class Destination:
    """A schedule's reader and chat (``chat_id`` None: nowhere to send it now)."""

    target: DigestTarget
    chat_id: int | None
    thread_id: int | None = None
    person_id: int | None = None


@dataclass(frozen=True)
class Digest:
    """A composed digest: its messages and the keys of the items they carry."""

    messages: list[str]
    keys: list[str]
    sections: list[DigestSection]


class DigestsService:
    """Digests of one application: schedules, composing, queueing, recording."""

    def __init__(
        self,
        repos: Repositories,
        clock: Clock,
        i18n: I18n,
        settings: Settings,
        runtime: Waker,
        outbox: OutboxService,
    ) -> None:
        self.repos = repos
        self.schedules = repos.digests
        self.clock = clock
        self.i18n = i18n
        self.settings = settings
        self.runtime = runtime
        self.outbox = outbox
        self.lock = asyncio.Lock()
        self.find_chat: ChatLookup | None = None
        """Set by the due work (it has the bot) to find the channel by its @username."""
        self._channel: int | None = None
        self._next_due: tuple[datetime | None] | None = None
        """The earliest next digest, as last read (None: read it again)."""

    @property
    def default_zone(self) -> ZoneInfo:
        return self.settings.default_zone

    def now(self) -> datetime:
        return self.clock.now()

    # schedules

    async def ensure_defaults(self) -> None:
        """A weekly schedule for every linked group, and for the channel if configured."""
        now = self.now()
        for group in await self.repos.groups.list():
            if group.chat_id is not None:
                await self._ensure(await self._group_zone(group), now, group.id)
        if self.settings.network_channel:
            await self._ensure(self.default_zone, now)
        await self._ensure_mail_only(now)

    async def _ensure_mail_only(self, now: datetime) -> None:
        """A weekly personal digest for every member reached only by e-mail (no Telegram to
        switch it on with /digest): the group chats' digests never reach them otherwise. The
        e-mail's unsubscribe link stops it."""
        for person in await self.repos.roster.network_members():
            if on_telegram(person) or person_chat(person) is None:
                continue
            if await self.schedules.for_person(person.id) is None:
                zone = zone_of(person.timezone) or self.default_zone
                due = next_due("weekly", zone, now)
                floor = now - period_length("weekly")
                await self.schedules.set_personal(person.id, "weekly", due, floor, now)
                self._schedules_changed()

    async def _ensure(self, zone: ZoneInfo, now: datetime, group_id: int | None = None) -> None:
        due = next_due("weekly", zone, now)
        assert due is not None
        self._schedules_changed()
        created = await self.schedules.ensure(
            "group" if group_id is not None else "network",
            next_due_at=due,
            covered_until=now - period_length("weekly"),
            now=now,
            group_id=group_id,
        )
        if created:
            what = "the network" if group_id is None else f"group {group_id}"
            logger.info("digest schedule created for %s, first due %s", what, due)

    async def personal_schedule(self, person_id: int) -> DigestSchedule | None:
        """The person's own digest schedule (None: never switched on)."""
        return await self.schedules.for_person(person_id)

    async def linked_group(self, chat_id: int, thread_id: int | None) -> WorkingGroup | None:
        """The working group whose digest this chat (or forum topic) gets."""
        return linked_group(await self.repos.groups.list(), chat_id, thread_id)

    async def group_schedule(self, group_id: int) -> DigestSchedule | None:
        """The group's digest schedule, created with the defaults if it was missing."""
        await self.ensure_defaults()
        return await self.schedules.for_group(group_id)

    async def set_personal(self, person_id: int, frequency: DigestFrequency) -> DigestSchedule:
        """Switch a person's digest on or off; the next one at 09:00 in their zone."""
        now = self.now()
        person = await self.repos.people.get(person_id)
        zone = zone_of(person.timezone if person else None) or self.default_zone
        due = next_due(frequency, zone, now)
        floor = now - period_length(frequency)
        schedule = await self.schedules.set_personal(person_id, frequency, due, floor, now)
        self._schedules_changed()
        self.runtime.wake()
        return schedule

    async def set_frequency(
        self, schedule: DigestSchedule, frequency: DigestFrequency
    ) -> DigestSchedule | None:
        """Change a group's (or the network's) frequency."""
        now = self.now()
        zone = await self.zone(schedule)
        due = next_due(frequency, zone, now)
        floor = now - period_length(frequency)
        updated = await self.schedules.set_frequency(schedule.id, frequency, due, floor, now)
        self._schedules_changed()
        self.runtime.wake()
        return updated

    async def follow_chat_zone(self, group_ids: Iterable[int]) -> None:
        """The groups' chats changed their zone: their next digest at 09:00 in the new one."""
        now = self.now()
        for group_id in group_ids:
            schedule = await self.schedules.for_group(group_id)
            if schedule is None or schedule.next_due_at is None:
                continue
            due = next_due(schedule.frequency, await self.zone(schedule), now)
            await self.schedules.set_frequency(
                schedule.id, schedule.frequency, due, schedule.covered_until, now
            )
        self._schedules_changed()
        self.runtime.wake()

    async def follow_person_zone(self, person_id: int) -> None:
        """The person changed their zone: their own digest at 09:00 in the new one."""
        schedule = await self.schedules.for_person(person_id)
        if schedule is None or schedule.next_due_at is None:
            return
        now = self.now()
        due = next_due(schedule.frequency, await self.zone(schedule), now)
        await self.schedules.set_frequency(
            schedule.id, schedule.frequency, due, schedule.covered_until, now
        )
        self._schedules_changed()
        self.runtime.wake()

    async def _group_zone(self, group: WorkingGroup) -> ZoneInfo:
        """The zone of the group's chat (its own, else the group's, else the network's)."""
        chat = await self.repos.chats.get(group.chat_id) if group.chat_id is not None else None
        return chat_zone(chat.timezone if chat else None, group.timezone, self.default_zone)

    async def zone(self, schedule: DigestSchedule) -> ZoneInfo:
        """The zone the schedule's reader reads times in."""
        destination = await self.destination(schedule)
        return destination.target.zone if destination else self.default_zone

    # targets

    async def destination(self, schedule: DigestSchedule) -> Destination | None:
        """Who reads the schedule's digest and where (None: the target is gone)."""
        if schedule.target == "group":
            return await self._group_destination(schedule)
        if schedule.target == "network":
            return await self._network_destination(schedule)
        return await self._person_destination(schedule)

    async def _group_destination(self, schedule: DigestSchedule) -> Destination | None:
        group = next((g for g in await self.repos.groups.list() if g.id == schedule.group_id), None)
        if group is None:
            return None
        chat = await self.repos.chats.get(group.chat_id) if group.chat_id is not None else None
        language = chat_language(chat.language if chat else None, self.i18n.default_language)
        target = DigestTarget(
            TargetKind.GROUP,
            schedule.id,
            frozenset({group.id}),
            chat_zone(chat.timezone if chat else None, group.timezone, self.default_zone),
            language,
            title=group.name(language),
        )
        return Destination(target, group.chat_id, group.topic_id)

    async def _network_destination(self, schedule: DigestSchedule) -> Destination | None:
        groups = await self.repos.groups.list()
        target = DigestTarget(
            TargetKind.NETWORK,
            schedule.id,
            frozenset(group.id for group in groups),
            self.default_zone,
            self.i18n.default_language,
        )
        return Destination(target, await self._channel_id())

    async def _channel_id(self) -> int | None:
        """The network channel's chat id (an @username is looked up once)."""
        configured = (self.settings.network_channel or "").strip()
        if not configured:
            return None
        if configured.lstrip("-").isdigit():
            return int(configured)
        if self._channel is None and self.find_chat is not None:
            self._channel = await self.find_chat(configured)
        return self._channel

    async def _person_destination(self, schedule: DigestSchedule) -> Destination | None:
        person = await self.repos.people.get(schedule.person_id or 0)
        if person is None:
            return None
        language = choose_language(
            person.language, person.telegram_language, self.i18n.default_language
        )
        group_ids = frozenset(await self.repos.roster.group_ids_of(person.id))
        target = DigestTarget(
            TargetKind.PERSON,
            schedule.id,
            group_ids,
            zone_of(person.timezone) or self.default_zone,
            language,
            person_id=person.id,
        )
        return Destination(target, person_chat(person), person_id=person.id)

    # composing and queueing

    async def compose(self, target: DigestTarget, since: datetime, until: datetime) -> Digest:
        """The digest of what is new for the target in ``(since, until]`` and not yet sent."""
        tr = self.i18n.translator(target.language)
        request = DigestRequest(target, since, until, tr)
        sections = [await provider.section(request) for provider in section_providers(self.repos)]
        candidates = item_keys([s for s in sections if s is not None])
        sent = await self.schedules.sent_keys(target.schedule_id, candidates)
        kept = unsent(sections, sent)
        return Digest(compose(digest_title(tr, target), kept), item_keys(kept), kept)

    async def preview(self, schedule: DigestSchedule) -> Digest | None:
        """The next digest as it would be now (nothing marked); None when it has no reader."""
        destination = await self.destination(schedule)
        if destination is None:
            return None
        return await self.compose(destination.target, schedule.covered_until, self.now())

    async def post_now(self, schedule: DigestSchedule) -> int:
        """Queue the digest now and mark its items (the schedule keeps its next due time);
        returns how many messages it takes (0: nothing new, nothing queued)."""
        async with self.lock:
            current = await self.schedules.get(schedule.id)
            destination = await self.destination(current) if current else None
            if current is None or destination is None or destination.chat_id is None:
                return 0
            now = self.now()
            digest = await self.compose(destination.target, current.covered_until, now)
            if digest.messages:
                async with self.repos.unit() as uow:
                    key = dedupe_key(current.id, now)
                    await self.outbox.enqueue(uow, _messages(destination, digest, key, now))
                    await uow.digests.record(
                        current.id, keys=digest.keys, covered_until=now, now=now
                    )
            return len(digest.messages)

    async def run_due(self, now: datetime | None = None) -> int:
        """Serve every due schedule once; returns how many digests were queued."""
        async with self.lock:
            await self.ensure_defaults()
            now = now or self.now()
            queued = 0
            for schedule in await self.schedules.due(now):
                try:
                    queued += await self._serve(schedule, now)
                except Exception:
                    logger.exception("digest of schedule %d failed; retried later", schedule.id)
            self._schedules_changed()
            return queued

    async def next_due_at(self) -> datetime | None:
        """The earliest next digest of any schedule (read once per change of the schedules:
        the runtime asks at every wake-up, and the outbox wakes it at every send)."""
        if self._next_due is None:
            self._next_due = (await self.schedules.next_due_at(),)
        return self._next_due[0]

    def _schedules_changed(self) -> None:
        self._next_due = None

    async def _digest_for(
        self, reader: Destination | None, schedule: DigestSchedule, now: datetime
    ) -> Digest | None:
        """What is new for the schedule's reader (None: it has nowhere to go now)."""
        if reader is None:
            return None
        return await self.compose(reader.target, schedule.covered_until, now)

    async def _serve(self, schedule: DigestSchedule, now: datetime) -> int:
        """Queue one due digest (if anything is new) and move the schedule to its next period,
        in one unit of work; returns 1 when a digest was queued."""
        period = schedule.next_due_at
        assert period is not None
        destination = await self.destination(schedule)
        zone = destination.target.zone if destination else self.default_zone
        following = next_due(schedule.frequency, zone, max(now, period))
        reader = destination if destination is not None and destination.chat_id else None
        digest = await self._digest_for(reader, schedule, now)
        messages = _messages(reader, digest, dedupe_key(schedule.id, period), now) if digest else []
        async with self.repos.unit() as uow:
            if messages:
                await self.outbox.enqueue(uow, messages)
            await uow.digests.record(
                schedule.id,
                keys=digest.keys if digest else (),
                covered_until=now if reader else schedule.covered_until,
                now=now,
                period=period,
                next_due_at=following,
                sent=bool(messages),
            )
        return int(bool(messages))


def _messages(
    destination: Destination | None, digest: Digest, key: str, now: datetime
) -> list[OutgoingMessage]:
    """One outbox row per message of the digest; the first keyed ``key``, the others numbered."""
    assert destination is not None
    assert destination.chat_id is not None
    return [
        OutgoingMessage(
            kind="digest",
            chat_id=destination.chat_id,
            message_thread_id=destination.thread_id,
            person_id=destination.person_id,
            payload=OutboxPayload(text=text),
            dedupe_key=key if part == 0 else f"{key}:{part + 1}",
            due_at=now,
        )
        for part, text in enumerate(digest.messages)
    ]
