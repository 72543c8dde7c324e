"""The update processor: concurrent across chats, in order within a chat, a bounded number of
updates in hand per chat, and a stop that leaves the waiting ones unhandled."""

from __future__ import annotations

import asyncio

from telegram import Chat, Message, Update, User

from bot.processing import Admission, ChatOrderedUpdateProcessor, Flooding, ordering_key


def _update(update_id: int, chat_id: int) -> Update:
    chat = Chat(chat_id, Chat.PRIVATE if chat_id > 0 else Chat.SUPERGROUP)
    user = User(abs(chat_id), "Ana", is_bot=False, language_code="fr")
    message = Message(update_id, date=None, chat=chat, from_user=user, text="hi")  # type: ignore[arg-type]
    return Update(update_id, message=message)


async def test_updates_of_one_chat_run_in_arrival_order() -> None:
    processor = ChatOrderedUpdateProcessor(running=8)
    finished: list[int] = []

    async def handle(update_id: int, delay: float) -> None:
        await asyncio.sleep(delay)
        finished.append(update_id)

    async with processor:
        await asyncio.gather(
            *(
                processor.process_update(_update(i, 42), handle(i, 0.02 if i % 2 else 0.0))
                for i in range(10)
            )
        )

    assert finished == list(range(10))
    assert processor.chats_in_flight == 0


async def test_different_chats_run_concurrently() -> None:
    processor = ChatOrderedUpdateProcessor(running=16)
    running_now = 0
    most = 0

    async def handle() -> None:
        nonlocal running_now, most
        running_now += 1
        most = max(most, running_now)
        await asyncio.sleep(0.05)
        running_now -= 1

    async with processor:
        await asyncio.gather(
            *(processor.process_update(_update(i, i + 1), handle()) for i in range(10))
        )

    assert most == 10


async def test_a_busy_chat_does_not_hold_the_slots_of_others() -> None:
    processor = ChatOrderedUpdateProcessor(running=2)
    order: list[str] = []

    async def slow(label: str) -> None:
        await asyncio.sleep(0.05)
        order.append(label)

    async with processor:
        busy = [processor.process_update(_update(i, 7), slow(f"busy{i}")) for i in range(5)]
        other = processor.process_update(_update(99, 8), slow("other"))
        await asyncio.gather(*busy, other)

    assert order.index("other") < 2


def test_ordering_key_is_the_chat_else_the_user() -> None:
    assert ordering_key(_update(1, -100123)) == -100123
    assert ordering_key(object()) is None


async def test_a_flooding_chat_keeps_a_few_in_hand_drops_the_rest_and_is_told_once() -> None:
    handled: list[int] = []
    floods: list[Flooding] = []
    processor = ChatOrderedUpdateProcessor(
        running=8,
        per_chat=3,
        on_handled=lambda update: handled.append(update.update_id),
        on_flood=floods.append,
    )
    ran: list[int] = []

    async def handle(update_id: int) -> None:
        await asyncio.sleep(0.01)
        ran.append(update_id)

    async with processor:
        flood = [processor.process_update(_update(i, 7), handle(i)) for i in range(10)]
        other = processor.process_update(_update(99, 8), handle(99))
        await asyncio.gather(*flood, other)

    assert sorted(ran) == [0, 1, 2, 99]
    assert sorted(handled) == [*range(10), 99]  # dropped ones are done with, not retried
    assert floods == [Flooding(7, 7, "fr")]
    assert processor.chats_in_flight == 0


async def test_admission_ahead_counts_an_update_once() -> None:
    processor = ChatOrderedUpdateProcessor(running=8, per_chat=2)

    assert processor.admit_ahead(1, 7) is Admission.ADMITTED
    assert processor.admit_ahead(2, 7) is Admission.ADMITTED
    assert processor.admit_ahead(3, 7) is Admission.FIRST_DROPPED
    assert processor.admit_ahead(4, 7) is Admission.DROPPED

    async def nothing() -> None:
        await asyncio.sleep(0)

    async with processor:
        await asyncio.gather(
            processor.process_update(_update(1, 7), nothing()),
            processor.process_update(_update(2, 7), nothing()),
        )

    assert processor.chats_in_flight == 0
    assert processor.admit_ahead(5, 7) is Admission.ADMITTED


async def test_a_stop_leaves_the_updates_waiting_for_their_turn_unhandled() -> None:
    handled: list[int] = []
    processor = ChatOrderedUpdateProcessor(
        running=8, on_handled=lambda update: handled.append(update.update_id)
    )
    started = asyncio.Event()

    async def slow() -> None:
        started.set()
        await asyncio.sleep(0.05)

    async with processor:
        first = asyncio.create_task(processor.process_update(_update(1, 7), slow()))
        waiting = [
            asyncio.create_task(processor.process_update(_update(i, 7), slow()))
            for i in range(2, 6)
        ]
        await started.wait()
        processor.close()
        await asyncio.gather(first, *waiting)

    assert handled == [1]
    assert processor.chats_in_flight == 0
