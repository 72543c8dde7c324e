"""Telegram's flood limits as token buckets, and its file size limits."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace

MEGABYTE = 1024 * 1024
_ROUNDING = 1e-9


@dataclass(frozen=True)
class TelegramLimits:
    """What Telegram allows a bot; ``rate_limited=False`` switches the flood limits off."""

    rate_limited: bool = True
    overall_per_second: float = 30.0
    overall_burst: int = 30
    group_per_minute: float = 20.0
    group_burst: int = 20
    private_per_second: float = 1.0
    private_burst: int = 3
    upload_bytes: int = 50 * MEGABYTE
    download_bytes: int = 20 * MEGABYTE

    @classmethod
    def unlimited(cls) -> TelegramLimits:
        """No flood limits (file size limits stay)."""
        return cls(rate_limited=False)

    def sped_up(self, speed: float) -> TelegramLimits:
        """Every flood rate ``speed`` times Telegram's (bursts and file sizes unchanged): the
        tests' world, where the bot's own pacing is sped up by the same factor."""
        if speed <= 0:
            raise ValueError("speed must be positive")
        return replace(
            self,
            overall_per_second=self.overall_per_second * speed,
            group_per_minute=self.group_per_minute * speed,
            private_per_second=self.private_per_second * speed,
        )


class TokenBucket:
    """``capacity`` tokens, refilled at ``rate`` per second."""

    __slots__ = ("capacity", "rate", "tokens", "updated")

    def __init__(self, rate: float, capacity: int, now: float) -> None:
        self.rate = rate
        self.capacity = float(capacity)
        self.tokens = float(capacity)
        self.updated = now

    def wait_time(self, now: float) -> float:
        """Seconds until one token is available (0 when one is available now)."""
        self._refill(now)
        if self.tokens >= 1.0 - _ROUNDING:
            return 0.0
        return (1.0 - self.tokens) / self.rate

    def take(self, now: float) -> None:
        self._refill(now)
        self.tokens -= 1.0

    def _refill(self, now: float) -> None:
        elapsed = now - self.updated
        if elapsed > 0:
            self.tokens = min(self.capacity, self.tokens + elapsed * self.rate)
            self.updated = now


class RateLimiter:
    """Counts the messages a bot sends: overall, per group and per private chat."""

    def __init__(self, limits: TelegramLimits, clock: Callable[[], float] = time.monotonic) -> None:
        self.limits = limits
        self.clock = clock
        self._overall = TokenBucket(limits.overall_per_second, limits.overall_burst, clock())
        self._chats: dict[int, TokenBucket] = {}

    def acquire(self, chat_id: int, is_private: bool, *, edit: bool = False) -> float:
        """Take a token from every bucket the message counts against, or none of them.

        Returns 0 when the message may go, else the seconds until it may. Edits count
        against the group bucket only.
        """
        if not self.limits.rate_limited or (edit and is_private):
            return 0.0
        now = self.clock()
        buckets = [self._chat_bucket(chat_id, is_private, now)]
        if not edit:
            buckets.append(self._overall)
        wait = max(bucket.wait_time(now) for bucket in buckets)
        if wait > 0:
            return wait
        for bucket in buckets:
            bucket.take(now)
        return 0.0

    def _chat_bucket(self, chat_id: int, is_private: bool, now: float) -> TokenBucket:
        bucket = self._chats.get(chat_id)
        if bucket is None:
            limits = self.limits
            if is_private:
                bucket = TokenBucket(limits.private_per_second, limits.private_burst, now)
            else:
                bucket = TokenBucket(limits.group_per_minute / 60.0, limits.group_burst, now)
            self._chats[chat_id] = bucket
        return bucket
