"""Telegram's flood limits as pure rules: when may the next message to a chat go?

Telegram lets a bot send about 30 messages a second overall, one a second to a private chat and
20 a minute to a group, and answers more with 429. The sender keeps under those limits on its own
rather than learning them from 429s: every message reserves a send time from a :class:`Pacer`,
which keeps one :class:`Window` for the whole bot and one per chat.

A window is "at most ``count`` messages in any ``period`` seconds", checked over the times it
handed out, so it holds for every sliding interval, not only on average (a token bucket of 20
lets 40 through in a minute that starts full). Times are plain floats (a monotonic clock), so
every rule here is a function of its inputs.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, replace


@dataclass(frozen=True)
class RateLimits:
    """How fast the sender may go; the defaults stay just under Telegram's limits."""

    overall_per_second: float = 28.0
    """Messages a second across all chats (Telegram: about 30), evenly spaced."""
    private_per_second: float = 0.9
    """Messages a second to one private chat (Telegram: 1; the margin absorbs network jitter)."""
    group_per_minute: int = 19
    """Messages in any ``group_window_seconds`` to one group, supergroup or channel (Telegram:
    20 a minute)."""
    group_window_seconds: float = 60.0
    """The window of ``group_per_minute``: a minute, except in a sped-up test world."""

    def __post_init__(self) -> None:
        if self.overall_per_second <= 0 or self.private_per_second <= 0:
            raise ValueError("rates must be positive")
        if self.group_per_minute < 1:
            raise ValueError("group_per_minute must be at least 1")
        if self.group_window_seconds <= 0:
            raise ValueError("group_window_seconds must be positive")

    def sped_up(self, speed: float) -> RateLimits:
        """The same limits in a world whose time runs ``speed`` times faster (the tests' emulator
        scales Telegram's limits by the same factor, so the bot must still keep under them)."""
        if speed <= 0:
            raise ValueError("speed must be positive")
        return replace(
            self,
            overall_per_second=self.overall_per_second * speed,
            private_per_second=self.private_per_second * speed,
            group_window_seconds=self.group_window_seconds / speed,
        )


def is_private_chat(chat_id: int) -> bool:
    """Private chats have the person's (positive) id; groups and channels are negative."""
    return chat_id > 0


class Window:
    """At most ``count`` reservations in any ``period`` seconds, handed out in time order."""

    __slots__ = ("_held_until", "_times", "count", "period")

    def __init__(self, count: int, period: float) -> None:
        if count < 1 or period <= 0:
            raise ValueError("a window needs count >= 1 and a positive period")
        self.count = count
        self.period = period
        self._times: deque[float] = deque(maxlen=count)
        self._held_until = float("-inf")

    def earliest(self, now: float) -> float:
        """The first time at or after ``now`` when one more message may go."""
        at = max(now, self._held_until)
        if self._times:
            at = max(at, self._times[-1])
            if len(self._times) == self.count:
                at = max(at, self._times[0] + self.period)
        return at

    def record(self, at: float) -> None:
        """A message goes at ``at`` (as returned by :meth:`earliest`, or later)."""
        self._times.append(at)

    def reserve(self, now: float) -> float:
        """Take the earliest slot and return it."""
        at = self.earliest(now)
        self.record(at)
        return at

    def hold(self, until: float) -> None:
        """Nothing goes before ``until`` (Telegram answered 429 with a ``retry_after``)."""
        self._held_until = max(self._held_until, until)

    def available(self, now: float, until: float, at_most: int) -> int:
        """How many reservations (up to ``at_most``) would fall at or before ``until``."""
        trial = Window(self.count, self.period)
        trial._times = deque(self._times, maxlen=self.count)
        trial._held_until = self._held_until
        found = 0
        while found < at_most and trial.earliest(now) <= until:
            trial.reserve(now)
            found += 1
        return found

    def idle(self, now: float) -> bool:
        """True when the window no longer constrains anything (it can be forgotten)."""
        last = self._times[-1] if self._times else float("-inf")
        return now >= self._held_until and now >= last + self.period


class Pacer:
    """The send times of the bot: one overall window and one window per chat."""

    def __init__(self, limits: RateLimits | None = None) -> None:
        self.limits = limits or RateLimits()
        self.overall = Window(1, 1.0 / self.limits.overall_per_second)
        self._chats: dict[int, Window] = {}

    def _window(self, chat_id: int) -> Window:
        window = self._chats.get(chat_id)
        if window is None:
            if is_private_chat(chat_id):
                window = Window(1, 1.0 / self.limits.private_per_second)
            else:
                window = Window(self.limits.group_per_minute, self.limits.group_window_seconds)
            self._chats[chat_id] = window
        return window

    def earliest(self, chat_id: int, now: float) -> float:
        """When a message to ``chat_id`` could go, counting every limit it falls under."""
        chat = self._chats.get(chat_id)
        chat_at = chat.earliest(now) if chat is not None else now
        return max(self.overall.earliest(now), chat_at)

    def reserve(self, chat_id: int, now: float) -> float:
        """Reserve the earliest send time for one message to ``chat_id`` and return it."""
        chat = self._window(chat_id)
        at = max(self.overall.earliest(now), chat.earliest(now))
        self.overall.record(at)
        chat.record(at)
        return at

    def capacity(self, now: float, until: float, at_most: int) -> int:
        """How many messages (up to ``at_most``) the overall limit lets go by ``until``."""
        return self.overall.available(now, until, at_most)

    def busy_chats(self, now: float, until: float) -> set[int]:
        """Chats whose next message could not go at or before ``until``."""
        return {chat_id for chat_id, window in self._chats.items() if window.earliest(now) > until}

    def next_release(self, now: float, chats: Iterable[int]) -> float | None:
        """The first time one of ``chats`` may receive again (None for no chats)."""
        times = [self._window(chat_id).earliest(now) for chat_id in chats]
        return min(times, default=None)

    def hold_chat(self, chat_id: int, until: float) -> None:
        """Telegram asked to wait before writing to this chat again."""
        self._window(chat_id).hold(until)

    def hold_all(self, until: float) -> None:
        """Nothing goes before ``until`` (the network is down, or a flood wait for the bot)."""
        self.overall.hold(until)

    def forget_idle(self, now: float) -> None:
        """Drop the windows of chats that no longer constrain anything."""
        for chat_id in [c for c, window in self._chats.items() if window.idle(now)]:
            del self._chats[chat_id]

    @property
    def tracked_chats(self) -> int:
        return len(self._chats)


def backoff(attempt: int, *, base: float = 1.0, cap: float = 300.0) -> float:
    """Seconds to wait before retry number ``attempt`` (1, 2, 3...): doubling, at most ``cap``."""
    if attempt < 1:
        raise ValueError("attempts count from 1")
    return min(cap, base * 2.0 ** min(attempt - 1, 62))
