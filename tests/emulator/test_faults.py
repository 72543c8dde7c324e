"""The fault script: scripted errors, late answers, dropped connections, an unreachable API."""

from __future__ import annotations

import asyncio

import pytest
import telegram
from telegram.error import BadRequest, NetworkError, RetryAfter, TimedOut

from sandbox.emulator import Emulator, SimUser


async def test_the_nth_call_fails_with_the_status_and_acts_not(
    bot: telegram.Bot, emu: Emulator, ana: SimUser
) -> None:
    emu.faults.add("sendMessage", nth=2, status=500)

    await bot.send_message(ana.id, "first")
    with pytest.raises(NetworkError, match="Internal Server Error"):
        await bot.send_message(ana.id, "second")
    await bot.send_message(ana.id, "third")

    assert [entry.text for entry in emu.ledger] == ["first", "third"]
    assert emu.stats.errors[500] == 1


async def test_a_fault_counts_from_when_it_is_added_and_repeats_times(
    bot: telegram.Bot, emu: Emulator, ana: SimUser
) -> None:
    await bot.send_message(ana.id, "before")
    emu.faults.add("SENDMESSAGE", times=2, status=400, description="Bad Request: scripted")

    for _ in range(2):
        with pytest.raises(BadRequest, match="Scripted"):
            await bot.send_message(ana.id, "refused")
    await bot.send_message(ana.id, "after")

    assert emu.faults.pending == []


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_a_scripted_429_carries_retry_after(
    bot: telegram.Bot, emu: Emulator, ana: SimUser
) -> None:
    emu.faults.add("*", status=429, retry_after=7)

    with pytest.raises(RetryAfter) as refused:
        await bot.send_message(ana.id, "x")

    assert refused.value.retry_after == 7
    assert emu.stats.too_many_requests == 1


async def test_a_late_answer_times_the_client_out_but_the_call_acted(
    bot: telegram.Bot, emu: Emulator, ana: SimUser
) -> None:
    emu.faults.add("sendMessage", delay=0.4)

    with pytest.raises(TimedOut):
        await bot.send_message(ana.id, "slow", read_timeout=0.1)

    assert [entry.text for entry in emu.ledger] == ["slow"]
    await emu.wait_until(lambda: emu.stats.abandoned == 1)
    assert emu.calls[-1].status == 499


async def test_a_late_error_answers_the_error(
    bot: telegram.Bot, emu: Emulator, ana: SimUser
) -> None:
    emu.faults.add("sendMessage", delay=0.05, status=502)

    with pytest.raises(NetworkError, match="Bad Gateway"):
        await bot.send_message(ana.id, "x")

    assert emu.ledger == []


async def test_a_dropped_connection_is_a_network_error(
    bot: telegram.Bot, emu: Emulator, ana: SimUser
) -> None:
    emu.faults.add("sendMessage", drop=True)

    with pytest.raises(NetworkError):
        await bot.send_message(ana.id, "lost")
    await bot.send_message(ana.id, "delivered")

    assert [entry.text for entry in emu.ledger] == ["delivered"]
    assert emu.calls[-2].status == 0


async def test_an_unreachable_api_drops_everything_for_a_while(
    bot: telegram.Bot, emu: Emulator
) -> None:
    emu.faults.unreachable(0.3)

    with pytest.raises(NetworkError):
        await bot.get_me()
    await asyncio.sleep(0.35)

    assert (await bot.get_me()).username == "wnmrc_test_bot"


async def test_clear_forgets_every_fault(bot: telegram.Bot, emu: Emulator, ana: SimUser) -> None:
    emu.faults.add("sendMessage", status=500, times=10)
    emu.faults.unreachable(60)

    emu.faults.clear()

    await bot.send_message(ana.id, "fine")


def test_a_fault_must_say_what_goes_wrong(emu: Emulator) -> None:
    with pytest.raises(ValueError, match="status, a delay or drop"):
        emu.faults.add("sendMessage")
    with pytest.raises(ValueError, match="neither a status nor a delay"):
        emu.faults.add("sendMessage", drop=True, status=500)
