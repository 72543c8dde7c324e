"""The digest runtime: finds the schedules that are due, composes, queues, records, advances.

The database is the source of truth (docs/developers.md, "Scheduled work"): ``digest_schedules``
holds each target's next due time. :func:`start_digests` creates the default schedules, sends what
fell due while the bot was down (once per schedule, not once per missed period), then wakes at the
next due time and at least every ``sweep_seconds``. A digest is queued through the outbox with the
dedupe key ``digest:<schedule>:<period start>``, so a crash between queueing and recording never
sends it twice; the items it carried are recorded so no target sees an item twice.

Sections come from :func:`section_providers`: add a provider there (see ``bot/digests.py``,
:class:`~bot.digests.SectionProvider`) and every digest carries its section.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import weakref
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final
from zoneinfo import ZoneInfo

from telegram.error import TelegramError
from telegram.ext import Application

from bot.context import Services, WnmrcApplication
from bot.delivery import enqueue
from bot.digests import (
    DigestRequest,
    DigestSection,
    DigestTarget,
    NewMember,
    SectionProvider,
    TargetKind,
    compose,
    dedupe_key,
    digest_title,
    experiences_section,
    item_keys,
    new_members_section,
    next_due,
    period_length,
    unsent,
)
from bot.i18n import Translator, choose_language
from bot.reminders import UpcomingMeetingsProvider
from bot.roster import zone_of
from storage import Repositories
from storage.digests import DigestFrequency, DigestSchedule
from storage.outbox import OutboxPayload, OutgoingMessage

logger = logging.getLogger(__name__)

AnyApplication = Application[Any, Any, Any, Any, Any, Any]

SWEEP_SECONDS: Final = 60.0
"""The longest the digest clock sleeps without looking at the database."""


# Sections


class NewMembersProvider:
    """New members of the target's groups (name, reserve, country in the reader's language)."""

    def __init__(self, repos: Repositories) -> None:
        self.repos = repos
        self.digests = repos.digests

    async def section(self, request: DigestRequest) -> DigestSection | None:
        target = request.target
        joined = await self.digests.new_members(target.group_ids, request.since, request.until)
        if not joined:
            return None
        groups = {group.id: group for group in await self.repos.groups.list()}
        language = request.tr.language
        members = [
            NewMember(m.person, m.group_id, groups[m.group_id].name(language), m.joined_at)
            for m in joined
            if m.group_id in groups
        ]
        return new_members_section(request.tr, target, members)


class ExperiencesProvider:
    """Experiences of the target's groups' themes newly submitted or selected (every theme
    for the network digest); withdrawn and declined ones are not told."""

    def __init__(self, repos: Repositories) -> None:
        self.repos = repos

    async def section(self, request: DigestRequest) -> DigestSection | None:
        target = request.target
        groups = [g for g in await self.repos.groups.list() if g.id in target.group_ids]
        themes = {g.slug: g.name(request.tr.language) for g in groups}
        wanted = None if target.kind is TargetKind.NETWORK else themes.keys()
        news = await self.repos.experiences.news_between(wanted, request.since, request.until)
        return experiences_section(request.tr, target, news, themes)


def section_providers(repos: Repositories) -> list[SectionProvider]:
    """Every section of a digest, in the order they are shown."""
    return [NewMembersProvider(repos), UpcomingMeetingsProvider(repos), ExperiencesProvider(repos)]


# Where a digest goes


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


def _services(application: AnyApplication) -> Services:
    if not isinstance(application, WnmrcApplication):
        raise TypeError("digests need the WnmrcApplication built by bot/app.py")
    return application.services


class Digests:
    """Digests of one application: schedules, composing, queueing (used by the clock and
    by ``/digest``)."""

    def __init__(self, application: AnyApplication) -> None:
        self.application = application
        self.services = _services(application)
        self.repos = self.services.repos
        self.schedules = self.repos.digests
        self.lock = asyncio.Lock()
        self._channel: int | None = None
        self._channel_warned = False

    @property
    def default_zone(self) -> ZoneInfo:
        return self.services.settings.default_zone

    def now(self) -> datetime:
        return self.services.clock.now()

    def translator(self, language: str) -> Translator:
        return self.services.i18n.translator(language)

    # schedules

    async def ensure_defaults(self) -> None:
        """A weekly schedule for every linked group, and for the channel if configured."""
        now = self.now()
        for group in await self.repos.groups.list():
            if group.chat_id is not None:
                zone = zone_of(group.timezone) or self.default_zone
                await self._ensure(zone, now, group.id)
        if self.services.settings.network_channel:
            await self._ensure(self.default_zone, now)

    async def _ensure(self, zone: ZoneInfo, now: datetime, group_id: int | None = None) -> None:
        due = next_due("weekly", zone, now)
        assert due is not None
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

    async def set_personal(self, person_id: int, frequency: DigestFrequency) -> DigestSchedule:
        """Switch a person's digest on or off; the next one at 09:00 in their zone."""
        now = self.now()
        person = await self.repos.people.get(person_id)
        zone = zone_of(person.timezone if person else None) or self.default_zone
        due = next_due(frequency, zone, now)
        floor = now - period_length(frequency)
        return await self.schedules.set_personal(person_id, frequency, due, floor, now)

    async def set_frequency(
        self, schedule: DigestSchedule, frequency: DigestFrequency
    ) -> DigestSchedule | None:
        """Change a group's (or the network's) frequency."""
        now = self.now()
        destination = await self.destination(schedule)
        zone = destination.target.zone if destination else self.default_zone
        due = next_due(frequency, zone, now)
        floor = now - period_length(frequency)
        return await self.schedules.set_frequency(schedule.id, frequency, due, floor, now)

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
        language = choose_language(
            chat.language if chat else None, None, self.services.i18n.default_language
        )
        target = DigestTarget(
            TargetKind.GROUP,
            schedule.id,
            frozenset({group.id}),
            zone_of(group.timezone) or self.default_zone,
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
            self.services.i18n.default_language,
        )
        return Destination(target, await self._channel_id())

    async def _channel_id(self) -> int | None:
        """The network channel's chat id (an @username is looked up once)."""
        configured = (self.services.settings.network_channel or "").strip()
        if not configured:
            return None
        if configured.lstrip("-").isdigit():
            return int(configured)
        if self._channel is None:
            try:
                self._channel = (await self.application.bot.get_chat(configured)).id
            except TelegramError as error:
                if not self._channel_warned:
                    logger.warning("network channel %s not found: %s", configured, error.message)
                    self._channel_warned = True
        return self._channel

    async def _person_destination(self, schedule: DigestSchedule) -> Destination | None:
        person = await self.repos.people.get(schedule.person_id or 0)
        if person is None:
            return None
        language = choose_language(
            person.language, person.telegram_language, self.services.i18n.default_language
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
        chat_id = person.telegram_id if person.started_at is not None else None
        return Destination(target, chat_id, person_id=person.id)

    # composing and queueing

    async def compose(self, target: DigestTarget, since: datetime, until: datetime) -> Digest:
        """The digest of what is new for the target in ``(since, until]`` and not yet sent."""
        tr = self.translator(target.language)
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
        """Queue the digest now and mark its items (the schedule keeps its next due time)."""
        async with self.lock:
            current = await self.schedules.get(schedule.id)
            destination = await self.destination(current) if current else None
            if current is None or destination is None or destination.chat_id is None:
                return 0
            now = self.now()
            digest = await self.compose(destination.target, current.covered_until, now)
            if digest.messages:
                await self._enqueue(destination, digest, dedupe_key(current.id, now), now)
                await self.schedules.record(
                    current.id, keys=digest.keys, covered_until=now, now=now
                )
            return len(digest.messages)

    async def run_due(self) -> int:
        """Serve every due schedule once; returns how many digests were queued."""
        async with self.lock:
            await self.ensure_defaults()
            now = self.now()
            queued = 0
            for schedule in await self.schedules.due(now):
                try:
                    queued += await self._serve(schedule, now)
                except Exception:
                    logger.exception("digest of schedule %d failed; retried later", schedule.id)
            return queued

    async def _serve(self, schedule: DigestSchedule, now: datetime) -> int:
        """Send one due digest (if anything is new) and move the schedule to its next period."""
        period = schedule.next_due_at
        assert period is not None
        destination = await self.destination(schedule)
        zone = destination.target.zone if destination else self.default_zone
        following = next_due(schedule.frequency, zone, max(now, period))
        if destination is None or destination.chat_id is None:
            await self.schedules.record(
                schedule.id,
                keys=(),
                covered_until=schedule.covered_until,
                now=now,
                period=period,
                next_due_at=following,
                sent=False,
            )
            return 0
        digest = await self.compose(destination.target, schedule.covered_until, now)
        key = dedupe_key(schedule.id, period)
        already = await self.repos.outbox.by_key(key)
        covered, keys = now, digest.keys
        if already is not None:  # queued before a crash: record what it could have carried
            covered = already.created_at
            keys = [item.key for s in digest.sections for item in s.items if item.at <= covered]
        elif digest.messages:
            await self._enqueue(destination, digest, key, now)
        await self.schedules.record(
            schedule.id,
            keys=keys,
            covered_until=covered,
            now=now,
            period=period,
            next_due_at=following,
            sent=already is not None or bool(digest.messages),
        )
        return 0 if already is not None or not digest.messages else 1

    async def _enqueue(
        self, destination: Destination, digest: Digest, key: str, now: datetime
    ) -> None:
        assert destination.chat_id is not None
        messages = [
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
        await enqueue(self.application, messages)


# The clock: one task per application, started after the outbox sender.

_DIGESTS: Final[weakref.WeakKeyDictionary[AnyApplication, Digests]] = weakref.WeakKeyDictionary()
_CLOCKS: Final[weakref.WeakKeyDictionary[AnyApplication, DigestClock]] = weakref.WeakKeyDictionary()


def digests_of(application: AnyApplication) -> Digests:
    """The application's digests service (created on first use)."""
    digests = _DIGESTS.get(application)
    if digests is None:
        digests = Digests(application)
        _DIGESTS[application] = digests
    return digests


class DigestClock:
    """Wakes at the next due schedule (or every ``sweep_seconds``) and serves what is due."""

    def __init__(self, digests: Digests, sweep_seconds: float = SWEEP_SECONDS) -> None:
        self.digests = digests
        self.sweep_seconds = sweep_seconds
        self._wakeup = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def wake(self) -> None:
        self._wakeup.set()

    async def start(self) -> None:
        """Serve what fell due while the bot was down, then keep watching."""
        if self._task is not None:
            return
        try:
            await self.digests.run_due()
        except Exception:
            logger.exception("overdue digests could not be served at start-up; retrying")
        self._task = asyncio.create_task(self._run(), name="digest-clock")

    async def stop(self) -> None:
        if self._task is None:
            return
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        self._task = None

    async def _run(self) -> None:
        while True:
            self._wakeup.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wakeup.wait(), await self._pause())
            try:
                await self.digests.run_due()
            except Exception:
                logger.exception("digest round failed; trying again at the next wake-up")

    async def _pause(self) -> float:
        upcoming = await self.digests.schedules.next_due_at()
        if upcoming is None:
            return self.sweep_seconds
        wait = (upcoming - self.digests.now()).total_seconds()
        return min(max(wait, 1.0), self.sweep_seconds)


async def start_digests(application: AnyApplication, sweep_seconds: float = SWEEP_SECONDS) -> None:
    """Create default schedules, send overdue digests, start the clock. Idempotent.

    Call in ``post_init`` after ``start_delivery`` (the database is open by then).
    """
    if application in _CLOCKS:
        return
    clock = DigestClock(digests_of(application), sweep_seconds)
    _CLOCKS[application] = clock
    await clock.start()


async def stop_digests(application: AnyApplication) -> None:
    """Stop the clock (in ``post_stop`` before ``stop_delivery``). Safe to call twice."""
    clock = _CLOCKS.pop(application, None)
    _DIGESTS.pop(application, None)
    if clock is not None:
        await clock.stop()


def wake_digests(application: AnyApplication) -> None:
    """Look at the schedules now (a clock moved, a schedule changed)."""
    clock = _CLOCKS.get(application)
    if clock is not None:
        clock.wake()
