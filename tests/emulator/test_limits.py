"""Flood limits: token buckets per chat and overall; a refused call consumes nothing."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
import telegram
from telegram.error import RetryAfter

from sandbox.emulator import Emulator, TelegramLimits
from sandbox.emulator.limits import RateLimiter


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_private_chats_allow_a_burst_of_three_then_one_per_second() -> None:
    clock = FakeClock()
    limiter = RateLimiter(TelegramLimits(), clock)

    assert [limiter.acquire(1, True) for _ in range(3)] == [0.0, 0.0, 0.0]
    assert limiter.acquire(1, True) == pytest.approx(1.0)
    clock.now += 0.5
    assert limiter.acquire(1, True) == pytest.approx(0.5)
    clock.now += 0.5
    assert limiter.acquire(1, True) == 0.0
    assert limiter.acquire(2, True) == 0.0


def test_groups_allow_twenty_a_minute() -> None:
    clock = FakeClock()
    limiter = RateLimiter(TelegramLimits(), clock)

    assert all(limiter.acquire(-5, False) == 0.0 for _ in range(20))
    assert limiter.acquire(-5, False) == pytest.approx(3.0)
    clock.now += 3.0
    assert limiter.acquire(-5, False) == 0.0


def test_the_overall_limit_spans_all_chats() -> None:
    clock = FakeClock()
    limiter = RateLimiter(TelegramLimits(), clock)

    assert all(limiter.acquire(chat_id, True) == 0.0 for chat_id in range(30))
    assert limiter.acquire(99, True) == pytest.approx(1 / 30)


def test_a_refusal_takes_no_token_from_any_bucket() -> None:
    clock = FakeClock()
    limiter = RateLimiter(TelegramLimits(overall_burst=1), clock)
    limiter.acquire(1, True)

    assert limiter.acquire(2, True) > 0
    clock.now += 1 / 30
    assert limiter.acquire(2, True) == 0.0
    assert limiter.acquire(3, True) > 0


def test_edits_count_against_groups_only() -> None:
    clock = FakeClock()
    limiter = RateLimiter(TelegramLimits(), clock)

    assert all(limiter.acquire(1, True, edit=True) == 0.0 for _ in range(10))
    assert all(limiter.acquire(-5, False, edit=True) == 0.0 for _ in range(20))
    assert limiter.acquire(-5, False, edit=True) > 0
    assert all(limiter.acquire(chat_id, True) == 0.0 for chat_id in range(30))


def test_limits_can_be_switched_off() -> None:
    limiter = RateLimiter(TelegramLimits.unlimited(), FakeClock())

    assert all(limiter.acquire(1, True) == 0.0 for _ in range(100))


@pytest.fixture
async def strict() -> AsyncIterator[Emulator]:
    async with Emulator() as emulator:
        yield emulator


@pytest.fixture
async def strict_bot(strict: Emulator) -> AsyncIterator[telegram.Bot]:
    async with telegram.Bot(strict.token, base_url=strict.base_url) as ptb_bot:
        yield ptb_bot


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_a_private_flood_gets_retry_after_and_consumes_nothing(
    strict: Emulator, strict_bot: telegram.Bot
) -> None:
    ana = strict.add_user("Ana", started=True)
    for number in range(3):
        await strict_bot.send_message(ana.id, f"reply {number}")

    for _ in range(5):
        with pytest.raises(RetryAfter) as refused:
            await strict_bot.send_message(ana.id, "one too many")
        assert refused.value.retry_after == 1
    await asyncio.sleep(1.05)
    await strict_bot.send_message(ana.id, "after the pause")

    assert strict.stats.too_many_requests == 5
    assert strict.stats.errors[429] == 5
    assert len(strict.sent_to(ana)) == 4
    assert strict.calls[-2].description == "Too Many Requests: retry after 1"


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_a_group_flood_waits_three_seconds_per_message(
    strict: Emulator, strict_bot: telegram.Bot
) -> None:
    group = strict.add_group("WG")
    for number in range(20):
        await strict_bot.send_message(group.id, f"news {number}")

    with pytest.raises(RetryAfter) as refused:
        await strict_bot.send_message(group.id, "one too many")

    assert refused.value.retry_after == 3


async def test_settle_can_wait_out_the_retry_after_of_a_429() -> None:
    """The sandbox waits until a refused reply may be retried before it shows the answers."""
    async with Emulator(limits=TelegramLimits()) as emu:
        ana = emu.add_user("Ana", started=True)
        async with telegram.Bot(emu.token, base_url=emu.base_url) as bot:
            for text in ("1", "2", "3"):
                await bot.send_message(ana.id, text)
            with pytest.raises(RetryAfter):
                await bot.send_message(ana.id, "4")
            loop = asyncio.get_running_loop()
            started = loop.time()
            await emu.settle(quiet=0.05, timeout=5)
            quick = loop.time() - started
            await emu.settle(quiet=0.05, timeout=5, wait_out_retries=True)
            waited = loop.time() - started

    assert quick < 0.5
    assert 0.8 < waited < 3


def test_sped_up_limits_refuse_the_same_burst_in_a_tenth_of_the_time() -> None:
    clock = FakeClock()
    limiter = RateLimiter(TelegramLimits().sped_up(10), clock)

    assert [limiter.acquire(1, True) for _ in range(3)] == [0.0, 0.0, 0.0]
    assert limiter.acquire(1, True) == pytest.approx(0.1)
    assert all(limiter.acquire(-5, False) == 0.0 for _ in range(20))
    assert limiter.acquire(-5, False) == pytest.approx(0.3)
    clock.now += 0.1
    assert limiter.acquire(1, True) == 0.0
    with pytest.raises(ValueError, match="speed"):
        TelegramLimits().sped_up(0)
