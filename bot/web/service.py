"""The web face's use cases: one-click answers, calendar feeds, the published experiences.

Plain values in, plain results out; the routes (``bot/web/server.py``) render them. Answers go
through the meetings service exactly as a tap does (the group's live counts follow); feeds are
built by the same calendar builder as ``/calendar``; the gallery shows only experiences that
were selected and published, with nothing about people beyond what the booklet shows.
"""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import re
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final
from zoneinfo import ZoneInfo

from bot.access import Actor, refusal
from bot.clock import Clock
from bot.digests.rules import format_when
from bot.experiences.booklet import Chapter, chapters
from bot.i18n import choose_language
from bot.meetings import calendar, rules
from bot.meetings.rules import Answer, Refusal
from bot.meetings.service import GONE, Answered, MeetingsService
from bot.permissions import Role
from bot.roster import zone_of
from bot.web.links import SignedAnswer
from config import Settings
from storage import Person, Repositories, WorkingGroup
from storage.models import Experience, ExperienceFile
from storage.web import FeedOwner

FEED_PATH: Final = "/calendar"
PHOTOS_FOLDER: Final = "web-photos"
_TOKEN_SHAPE: Final = re.compile(r"[A-Za-z0-9_-]{20,100}")
_FILE_ID_SHAPE: Final = re.compile(r"[A-Za-z0-9_-]{1,128}")

FetchFile = Callable[[str], Awaitable[bytes]]
"""Downloads a Telegram file by its file_id (the server gives the bot's getFile)."""


@dataclass(frozen=True)
class FeedLinks:
    """A feed's addresses: https for anything, webcal:// for calendar apps."""

    url: str
    webcal: str


@dataclass(frozen=True)
class AnswerView:
    """What the answer page shows: the meeting, when in the person's zone, the answer."""

    title: str
    when: str
    answer: Answer
    language: str
    feed: FeedLinks | None = None
    """The person's own calendar feed, shown once the answer is recorded (a member without
    Telegram finds it there)."""


@dataclass(frozen=True)
class AnswerRefused:
    """The answer cannot be recorded: a message id with its values, in the person's language."""

    refusal: Refusal
    language: str


@dataclass(frozen=True)
class Feed:
    """A calendar feed's content and its entity tag."""

    content: bytes
    etag: str


@dataclass(frozen=True)
class Photo:
    """An experience's photo as the gallery shows it: where it is served, its position."""

    experience_id: int
    position: int


@dataclass
class WebService:
    """The web face's use cases over one application's repositories."""

    repos: Repositories
    clock: Clock
    settings: Settings
    meetings: MeetingsService
    default_language: str
    _downloads: dict[str, asyncio.Lock] = field(default_factory=dict, repr=False)

    # one-click answers

    async def answer_view(self, signed: SignedAnswer) -> AnswerView | AnswerRefused:
        """What a valid link asks for, without recording anything (the page behind GET)."""
        person = await self.repos.people.get(signed.person_id)
        occurrence = await self.repos.meetings.occurrence(signed.occurrence_id)
        meeting = await self.repos.meetings.get(occurrence.meeting_id) if occurrence else None
        language = self._language_of(person)
        if person is None or occurrence is None or meeting is None:
            return AnswerRefused(Refusal(GONE), language)
        reason = rules.answer_refusal(
            cancelled=meeting.cancelled or occurrence.status == "cancelled",
            ends_at=occurrence.ends_at,
            now=self.clock.now(),
            own_groups=await self.repos.roster.group_ids_of(person.id),
            meeting_groups=meeting.group_ids,
            secretariat=person.telegram_id in self.settings.secretariat_ids,
        )
        if reason is not None:  # the same rule as the answer itself: no button to press
            return AnswerRefused(Refusal(reason), language)
        zone = self._zone_of(person)
        when = format_when(occurrence.starts_at, zone, language)
        return AnswerView(meeting.title, when, signed.answer, language)

    async def record_answer(self, signed: SignedAnswer) -> AnswerView | AnswerRefused:
        """Record the answer as a tap would (the page behind POST)."""
        view = await self.answer_view(signed)
        if isinstance(view, AnswerRefused):
            return view
        person = await self.repos.people.get(signed.person_id)
        if person is None:
            return AnswerRefused(Refusal(GONE), view.language)
        outcome = await self.meetings.answer(signed.occurrence_id, person, signed.answer)
        if isinstance(outcome, Answered):
            feed = await self.feed_links(FeedOwner("person", person.id))
            return dataclasses.replace(view, feed=feed)
        return AnswerRefused(outcome, view.language)

    def _language_of(self, person: Person | None) -> str:
        if person is None:
            return self.default_language
        return choose_language(person.language, person.telegram_language, self.default_language)

    def _zone_of(self, person: Person) -> ZoneInfo:
        return zone_of(person.timezone) or self.settings.default_zone

    # calendar feeds

    async def feed_links(self, owner: FeedOwner, *, replace: bool = False) -> FeedLinks | None:
        """The owner's feed addresses (a new one when ``replace``: the old one stops working);
        None without WNMRC_PUBLIC_URL."""
        base = self.settings.public_url
        if base is None:
            return None
        token = await (self.replace_feed(owner) if replace else self.feed_token(owner))
        url = f"{base}{FEED_PATH}/{token}.ics"
        return FeedLinks(url, re.sub(r"^https?://", "webcal://", url))

    @staticmethod
    def may_manage_group_feed(actor: Actor | None, group_id: int) -> bool:
        """A group's feed address is shown and replaced by its coordinators and the
        secretariat."""
        return actor is not None and refusal(actor, Role.COORDINATOR, group_id) is None

    async def feed_token(self, owner: FeedOwner) -> str:
        """The owner's feed token, made on first use."""
        token = await self.repos.web.feed_token(owner)
        if token is None:
            fresh = secrets.token_urlsafe(32)
            token = await self.repos.web.ensure_feed_token(owner, fresh, self.clock.now())
        return token

    async def replace_feed(self, owner: FeedOwner) -> str:
        """A new feed token for the owner; the old address stops working at once."""
        token = secrets.token_urlsafe(32)
        await self.repos.web.replace_feed_token(owner, token, self.clock.now())
        return token

    async def feed(self, token: str) -> Feed | None:
        """The calendar behind a feed token, or None for an unknown or replaced one."""
        if not _TOKEN_SHAPE.fullmatch(token):
            return None
        owner = await self.repos.web.feed_owner(token)
        if owner is None:
            return None
        groups, language = await self._feed_groups(owner)
        names = [g.name(language) for g in groups]
        own = owner.id if owner.kind == "person" else None  # their own actions' due dates too
        found = await self.meetings.calendar.of_groups(groups, names, own) if groups else None
        now = self.clock.now()
        content = (
            found.content
            if found is not None
            else calendar.calendar_file([], now, calendar.calendar_name(names))
        )
        return Feed(content, _etag(content))

    async def _feed_groups(self, owner: FeedOwner) -> tuple[list[WorkingGroup], str]:
        """The groups a feed covers and the language it names them in."""
        if owner.kind == "group":
            groups = [g for g in await self.repos.groups.list() if g.id == owner.id]
            return groups, self.default_language
        person = await self.repos.people.get(owner.id)
        if person is None:
            return [], self.default_language
        secretariat = person.telegram_id in self.settings.secretariat_ids
        actor = Actor(person.id, person.telegram_id, secretariat, frozenset())
        groups = await self.meetings.calendar.groups_of(person.id, actor)
        return groups, self._language_of(person)

    # the published experiences

    async def published(self) -> list[Experience]:
        """The experiences selected and published, oldest first."""
        found = await self.repos.experiences.list(statuses=["selected"])
        return [e for e in found if e.published_at is not None]

    async def gallery(self, language: str) -> list[Chapter]:
        """The published experiences by theme, themes in the order of the network's groups."""
        groups = await self.repos.groups.list(active_only=False)
        return chapters(await self.published(), groups, language)

    async def experience(self, experience_id: int) -> Experience | None:
        """A published experience, or None (unknown, or not published)."""
        found = await self.repos.experiences.get(experience_id)
        if found is None or found.status != "selected" or found.published_at is None:
            return None
        return found

    async def photo(self, experience_id: int, position: int, fetch: FetchFile) -> Path | None:
        """The photo's file on disk, downloaded from Telegram the first time; None when the
        experience is not published or has no such photo."""
        experience = await self.experience(experience_id)
        if experience is None:
            return None
        wanted = next((f for f in photos_of(experience) if f.position == position), None)
        if wanted is None or not _FILE_ID_SHAPE.fullmatch(wanted.file_unique_id):
            return None
        path = self.photos_folder / f"{wanted.file_unique_id}.jpg"
        lock = self._downloads.setdefault(wanted.file_unique_id, asyncio.Lock())
        async with lock:
            if not await asyncio.to_thread(path.exists):
                content = await fetch(wanted.file_id)
                await asyncio.to_thread(_write_atomically, path, content)
        return path

    @property
    def photos_folder(self) -> Path:
        """Where the gallery keeps the photos it downloaded: beside the database."""
        return self.settings.database_path.parent / PHOTOS_FOLDER


def photos_of(experience: Experience) -> list[ExperienceFile]:
    """The experience's photos (not its documents), in the order the author sent them."""
    return [f for f in experience.files if f.kind == "photo"]


_STAMP: Final = re.compile(rb"^DTSTAMP:[^\r\n]*\r?\n", re.MULTILINE)


def _etag(content: bytes) -> str:
    """The feed's entity tag: its content without DTSTAMP (the time it was written), so the
    tag changes only when a meeting does."""
    return '"' + hashlib.sha256(_STAMP.sub(b"", content)).hexdigest()[:32] + '"'


def _write_atomically(path: Path, content: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".part")
    partial.write_bytes(content)
    partial.replace(path)
