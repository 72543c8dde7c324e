"""The outbox sends photos by file id as an album (one photo: a photo), the text as caption."""

from __future__ import annotations

import pytest

from bot.context import WnmrcApplication
from bot.outbox import DeliveryConfig
from sandbox.emulator import Emulator
from storage import Repositories
from storage.outbox import OutboxPayload, OutgoingMessage

from ..conftest import FAST_DELIVERY
from ..emulator.test_files import tiny_png


@pytest.fixture
def delivery() -> DeliveryConfig:
    return FAST_DELIVERY


@pytest.fixture
def publish_menus() -> bool:
    return False


def _photo(emulator: Emulator) -> str:
    return emulator.world.store_file(tiny_png(), "photo", size=(3, 2)).file_id


async def test_an_album_and_a_single_photo_arrive_with_their_caption_in_order(
    app: WnmrcApplication, emulator: Emulator, repos: Repositories
) -> None:
    now = app.services.clock.now()
    channel = emulator.add_group("News", kind="channel")
    photos = [_photo(emulator) for _ in range(3)]
    messages = [
        OutgoingMessage(
            kind="announcement",
            chat_id=channel.id,
            dedupe_key="card",
            payload=OutboxPayload(text="<b>Terraces</b> &amp; water"),
            due_at=now,
        ),
        OutgoingMessage(
            kind="announcement",
            chat_id=channel.id,
            dedupe_key="album",
            payload=OutboxPayload(text="<b>Terraces</b>", album=tuple(photos)),
            due_at=now,
        ),
        OutgoingMessage(
            kind="announcement",
            chat_id=channel.id,
            dedupe_key="one-photo",
            payload=OutboxPayload(text="", album=(photos[0],)),
            due_at=now,
        ),
    ]

    await app.services.outbox.send(messages)
    await emulator.wait_until(lambda: len(emulator.sent_to(channel)) == 5)

    card, *album, single = emulator.sent_to(channel)
    assert card.text == "Terraces & water"
    assert [e.method for e in album] == ["sendMediaGroup"] * 3
    assert [e.photo.file_id if e.photo else None for e in album] == photos
    assert [e.html for e in album] == ["<b>Terraces</b>", None, None]
    assert (single.method, single.text) == ("sendPhoto", "")
    stored = await repos.outbox.by_key("album")
    assert stored is not None
    assert stored.payload.album == tuple(photos)
    assert stored.telegram_message_id == album[0].message_id
