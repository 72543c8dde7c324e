"""Live answer counts on the group announcements: edits coalesced per message and per chat.

After an answer or a change, a subject's posts (a meeting's announcements, a proposal's
posts) are marked dirty; one task edits them, at most once per message every few seconds and
never more than a group's per-minute limit (:class:`EditGate`; docs/developers.md, "The
outbox"), sharing each chat's budget with the outbox sender's pacer. What the posts are and how
they read comes from a :class:`LiveSource` (:class:`MeetingPosts` for meetings); the service
holds one :class:`LiveCounts` per source and application, stopped with the application.
Telegram is reached through an :class:`Editor` (``bot/meetings/wiring.py``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Callable, Hashable
from typing import Any, Generic, Protocol, TypeVar

from bot.meetings import texts
from bot.meetings.outgoing import Outgoing
from bot.outbox.pacing import Pacer
from storage import Repositories
from storage.meetings import MeetingPost

logger = logging.getLogger(__name__)


class Editor(Protocol):
    """Edits a message the bot sent."""

    async def edit(
        self, chat_id: int, message_id: int, text: str, keyboard: dict[str, Any] | None
    ) -> float | None:
        """Edit it; the seconds to wait when Telegram asked to slow down, else None."""
        ...


class EditGate:
    """When an announcement may be edited again: every ``gap`` seconds per message and at most
    ``per_minute`` edits per chat in any 60 seconds (times are monotonic seconds)."""

    def __init__(self, gap: float = 3.0, per_minute: int = 18) -> None:
        self.gap = gap
        self.per_minute = per_minute
        self._last: dict[tuple[int, int], float] = {}
        self._chat: dict[int, deque[float]] = {}
        self._held: dict[int, float] = {}

    def next_allowed(self, chat_id: int, message_id: int, now: float) -> float:
        """The earliest time (>= now) an edit of this message may go."""
        at = now
        last = self._last.get((chat_id, message_id))
        if last is not None:
            at = max(at, last + self.gap)
        recent = self._recent(chat_id, now)
        if len(recent) >= self.per_minute:
            at = max(at, recent[-self.per_minute] + 60.0)
        return max(at, self._held.get(chat_id, at))

    def hold(self, chat_id: int, until: float) -> None:
        """Nothing goes to the chat before ``until`` (Telegram answered 429)."""
        self._held[chat_id] = max(until, self._held.get(chat_id, until))

    def record(self, chat_id: int, message_id: int, at: float) -> None:
        self._last[(chat_id, message_id)] = at
        self._recent(chat_id, at).append(at)

    def _recent(self, chat_id: int, now: float) -> deque[float]:
        times = self._chat.setdefault(chat_id, deque())
        while times and times[0] <= now - 60.0:
            times.popleft()
        return times


class LivePost(Protocol):
    """A message the bot sent (or will send) whose text follows the answers."""

    @property
    def chat_id(self) -> int: ...

    @property
    def telegram_message_id(self) -> int | None: ...


PostT = TypeVar("PostT", bound=LivePost)


class LiveSource(Protocol[PostT]):
    """Which posts carry a subject, whether each still stands, and how it reads now."""

    async def dirty_posts(
        self, subject_id: int, include_private: bool
    ) -> list[tuple[Hashable, PostT]]:
        """The subject's posts to refresh, each with a key unique among all the posts."""
        ...

    async def fresh(self, post: PostT) -> PostT | None:
        """The post as stored now (its message id once sent); None when it will never be."""
        ...

    async def render(self, post: PostT) -> tuple[str, dict[str, Any] | None] | None:
        """The post's text and keyboard now; None when there is nothing to edit."""
        ...


class LiveCounts(Generic[PostT]):
    """Edits posts after answers and changes, coalesced per message and per chat."""

    def __init__(self, source: LiveSource[PostT], gate: EditGate | None = None) -> None:
        self.source = source
        self.gate = gate or EditGate()
        self.editor: Editor | None = None
        self.pacer: Callable[[], Pacer | None] = lambda: None
        self._dirty: dict[Hashable, PostT] = {}
        self._wakeup = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._touching: set[asyncio.Task[None]] = set()

    def connect(self, editor: Editor, pacer: Callable[[], Pacer | None]) -> None:
        """Edit through ``editor``, within the budget of the outbox sender's ``pacer``."""
        self.editor = editor
        self.pacer = pacer

    def touch(self, subject_id: int, *, include_private: bool = False) -> None:
        """The subject's answers or details changed: refresh its posts soon."""
        if self.editor is None:
            return  # not connected to Telegram (a service test, the CLI): nothing to edit
        task = asyncio.create_task(self._mark(subject_id, include_private))
        self._touching.add(task)
        task.add_done_callback(self._touching.discard)

    async def _mark(self, subject_id: int, include_private: bool) -> None:
        for key, post in await self.source.dirty_posts(subject_id, include_private):
            self._dirty[key] = post
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run(), name="live-counts")
        self._wakeup.set()

    async def stop(self) -> None:
        """Stop editing (with the application); what is still dirty is dropped."""
        for task in list(self._touching):
            task.cancel()
        running, self._task = self._task, None
        if running is not None:
            running.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await running
        self._dirty.clear()

    async def _run(self) -> None:
        while self._dirty:
            self._wakeup.clear()
            wait = 5.0
            for key, post in list(self._dirty.items()):
                wait = min(wait, await self._one(key, post))
            if self._dirty:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wakeup.wait(), max(wait, 0.05))

    async def _one(self, key: Hashable, post: PostT) -> float:
        """Edit one dirty post if its time has come; how long until it should be looked at."""
        try:
            fresh = await self.source.fresh(post)
        except Exception:
            logger.exception("live counts: reading post %s failed", key)
            fresh = None
        if fresh is None or fresh.telegram_message_id is None:
            if fresh is None:
                self._dirty.pop(key, None)
                return 5.0
            return 1.0  # not sent yet: look again shortly
        loop_now = asyncio.get_running_loop().time()
        chat_id, message_id = fresh.chat_id, fresh.telegram_message_id
        at = self.gate.next_allowed(chat_id, message_id, loop_now)
        pacer = self.pacer()
        if pacer is not None:  # edits share the chat's budget with the outbox's sends
            at = max(at, pacer.earliest(chat_id, loop_now))
        if at > loop_now:
            return at - loop_now
        self._dirty.pop(key, None)
        self.gate.record(chat_id, message_id, loop_now)
        if pacer is not None:
            pacer.reserve(chat_id, loop_now)
        delay = await self._edit(fresh)
        if delay is not None:  # 429: the chat waits, the edit is tried again
            self._dirty[key] = post
            until = asyncio.get_running_loop().time() + delay
            self.gate.hold(chat_id, until)
            if pacer is not None:
                pacer.hold_chat(chat_id, until)
        return 5.0

    async def _edit(self, post: PostT) -> float | None:
        """Edit one post; returns seconds to wait when Telegram asked to slow down."""
        rendered = await self.source.render(post)
        if rendered is None or self.editor is None or post.telegram_message_id is None:
            return None
        text, keyboard = rendered
        return await self.editor.edit(post.chat_id, post.telegram_message_id, text, keyboard)


class MeetingPosts:
    """A meeting's announcements as a :class:`LiveSource` (the subject is the meeting)."""

    def __init__(self, repos: Repositories, outgoing: Outgoing) -> None:
        self.repos = repos
        self.outgoing = outgoing

    async def dirty_posts(
        self, subject_id: int, include_private: bool
    ) -> list[tuple[Hashable, MeetingPost]]:
        return [
            ((post.chat_id, post.occurrence_id), post)
            for post in await self.repos.meetings.posts(subject_id)
            if post.person_id is None or include_private
        ]

    async def fresh(self, post: MeetingPost) -> MeetingPost | None:
        """The post as stored now (its message id once sent); None when it will never be."""
        occurrence = await self.repos.meetings.occurrence(post.occurrence_id)
        if occurrence is None:
            return None
        posts = await self.repos.meetings.posts(
            occurrence.meeting_id, occurrence_id=post.occurrence_id
        )
        found = next((p for p in posts if p.chat_id == post.chat_id), None)
        if found is None or found.outbox_id is None:
            return None
        if found.telegram_message_id is None:
            row = await self.repos.outbox.get(found.outbox_id)
            if row is None or row.status in ("failed", "unreachable"):
                return None
        return found

    async def render(self, post: MeetingPost) -> tuple[str, dict[str, Any] | None] | None:
        """The announcement's text (counts in a group) and its buttons now."""
        occurrence = await self.repos.meetings.occurrence(post.occurrence_id)
        meeting = await self.repos.meetings.get(occurrence.meeting_id) if occurrence else None
        if occurrence is None or meeting is None or post.telegram_message_id is None:
            return None
        groups = await self.outgoing.all_groups()
        reader, answer = await self.outgoing.post_reader(post, meeting, groups)
        if reader is None:
            return None
        view = await self.outgoing.view(meeting, occurrence, reader.tr.language, groups)
        counts = await self.repos.meetings.counts(occurrence.id) if post.person_id is None else None
        text = texts.announcement_text(reader.tr, view, reader.zone, counts)
        keyboard = None if view.cancelled else texts.rsvp_keyboard(reader.tr, occurrence.id, answer)
        return text, keyboard
