"""What follows a unit of work runs after its commit, never before and never after a rollback
(the outbox's sender is woken this way for the rows a unit queued)."""

from __future__ import annotations

from datetime import datetime

import pytest

from storage import Repositories
from storage.outbox import OutboxPayload, OutgoingMessage


def _notice(now: datetime) -> OutgoingMessage:
    return OutgoingMessage(
        kind="notice", chat_id=7, dedupe_key="n:1", payload=OutboxPayload(text="Hi"), due_at=now
    )


async def test_a_callback_runs_once_after_the_outermost_unit_commits(
    repos: Repositories, now: datetime
) -> None:
    seen: list[bool] = []

    async def stored() -> bool:
        return await repos.outbox.by_key("n:1") is not None

    async with repos.unit() as uow:
        async with uow.unit() as inner:
            await inner.outbox.enqueue([_notice(now)], now)
            inner.after_commit(lambda: seen.append(True))
        assert seen == []  # the inner unit joined the outer one: nothing committed yet
    assert seen == [True]
    assert await stored()


async def test_a_rollback_drops_the_callbacks_and_the_next_unit_starts_clean(
    repos: Repositories, now: datetime
) -> None:
    seen: list[str] = []

    async def queue_then_fail() -> None:
        async with repos.unit() as uow:
            await uow.outbox.enqueue([_notice(now)], now)
            uow.after_commit(lambda: seen.append("rolled back"))
            raise RuntimeError("the change failed")

    with pytest.raises(RuntimeError, match="the change failed"):
        await queue_then_fail()
    async with repos.unit() as uow:
        uow.after_commit(lambda: seen.append("committed"))

    assert seen == ["committed"]
    assert await repos.outbox.by_key("n:1") is None


async def test_outside_a_unit_a_callback_runs_at_once_and_a_failing_one_is_logged(
    repos: Repositories, caplog: pytest.LogCaptureFixture
) -> None:
    seen: list[int] = []
    repos.after_commit(lambda: seen.append(1))

    def broken() -> None:
        raise ValueError("no sender")

    async with repos.unit() as uow:
        uow.after_commit(broken)
        uow.after_commit(lambda: seen.append(2))

    assert seen == [1, 2]
    assert "an after-commit callback failed" in caplog.text
