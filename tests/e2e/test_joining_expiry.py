"""A request to join that nobody decides: after its fourteen days it expires, the person who
asked is told in their language that they may ask again, the coordinator's late tap answers
"expired" and changes nothing, and asking again makes a new request."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.clock import ManualClock
from bot.context import WnmrcApplication
from sandbox.emulator import Emulator
from storage import Repositories

from ..conftest import SECRETARIAT_ID

NOW = datetime(2026, 3, 25, 12, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(NOW)


async def _status(repos: Repositories, request_id: int) -> str:
    request = await repos.joining.request(request_id)
    assert request is not None
    return request.status


async def test_an_undecided_request_expires_and_the_asker_is_told_they_may_ask_again(
    app: WnmrcApplication, emulator: Emulator, repos: Repositories, clock: ManualClock
) -> None:
    jorge = emulator.add_user("Jorge", username="jorge", user_id=SECRETARIAT_ID)
    await emulator.says(jorge, "/start")
    lucia = emulator.add_user("Lucia", username="lucia", language_code="es")
    await emulator.says(lucia, "/start")
    await emulator.says(jorge, "/coordinator add climate @lucia")
    mei = emulator.add_user("Mei", username="mei", language_code="zh")
    await emulator.says(mei, "/start")
    mark = len(emulator.ledger)
    await emulator.says(mei, "/join climate")
    notice = await emulator.next_message(lucia, after=mark)
    person = await repos.people.by_telegram_id(mei.id)
    assert person is not None
    [request] = await repos.joining.requests_of(person.id, NOW)

    clock.set(NOW + timedelta(days=14) - timedelta(seconds=1))
    app.services.runtime.wake()
    await emulator.settle(quiet=0.5)
    assert await _status(repos, request.id) == "pending"

    mark = len(emulator.ledger)
    clock.set(NOW + timedelta(days=14))
    app.services.runtime.wake()
    told = await emulator.next_message(mei, after=mark, timeout=10)

    assert told.text == (
        "您加入工作组 气候变化 的申请在 14 天内未获答复，已过期。"
        "您可以用 /join climate 再次申请，或直接联系该组的协调人。"
    )
    assert await _status(repos, request.id) == "expired"

    late = await emulator.answer_to(emulator.tap(lucia, notice, "Aprobar"))
    assert late.text == "Esta solicitud caducó."
    group = await repos.groups.by_slug("climate")
    assert group is not None
    assert await repos.groups.membership(group.id, person.id) is None

    again = await emulator.says(mei, "/join climate")
    assert again.text == "您加入工作组 气候变化 的申请已发送给其协调人。我会告诉您他们的答复。"
    [renewed] = await repos.joining.requests_of(person.id, clock.now())
    assert renewed.id != request.id
    assert len([e for e in emulator.sent_to(mei) if "已过期" in (e.text or "")]) == 1
