"""sendMediaGroup: an album of known photos, 2 to 10 of them, a caption within Telegram's limit."""

from __future__ import annotations

import pytest
import telegram
from telegram import InputMediaDocument, InputMediaPhoto
from telegram.error import BadRequest

from sandbox.emulator import Emulator, SimUser

from .conftest import RawApi
from .test_files import tiny_png


async def _photos(bot: telegram.Bot, ana: SimUser, n: int) -> list[str]:
    ids = []
    for _ in range(n):
        sent = await bot.send_photo(ana.id, tiny_png())
        ids.append(sent.photo[-1].file_id)
    return ids


async def test_an_album_is_sent_as_one_group_with_the_caption_on_the_first(
    bot: telegram.Bot, emu: Emulator, ana: SimUser
) -> None:
    photos = await _photos(bot, ana, 3)
    mark = len(emu.ledger)

    sent = await bot.send_media_group(
        ana.id, [InputMediaPhoto(p) for p in photos], caption="<b>Terraces</b>", parse_mode="HTML"
    )

    assert len(sent) == 3
    assert len({m.media_group_id for m in sent}) == 1
    assert sent[0].media_group_id
    assert [m.caption for m in sent] == ["Terraces", None, None]
    assert [m.photo[-1].file_id for m in sent] == photos
    entries = emu.ledger[mark:]
    assert [e.method for e in entries] == ["sendMediaGroup"] * 3
    assert [e.photo.file_id if e.photo else None for e in entries] == photos
    assert (entries[0].text, entries[0].html) == ("Terraces", "<b>Terraces</b>")


async def test_an_album_needs_two_to_ten_known_files_of_one_kind(
    bot: telegram.Bot, emu: Emulator, ana: SimUser, api: RawApi
) -> None:
    photos = await _photos(bot, ana, 11)
    document = await bot.send_document(ana.id, b"report", filename="report.txt")
    assert document.document is not None
    mark = len(emu.ledger)

    with pytest.raises(BadRequest, match=r"(?i)wrong number of media"):
        await bot.send_media_group(ana.id, [InputMediaPhoto(p) for p in photos])
    one = await api.form(
        "sendMediaGroup", chat_id=ana.id, media=[{"type": "photo", "media": photos[0]}]
    )
    mixed = await api.form(
        "sendMediaGroup",
        chat_id=ana.id,
        media=[
            {"type": "photo", "media": photos[0]},
            {"type": "document", "media": document.document.file_id},
        ],
    )
    unknown = [InputMediaPhoto(photos[0]), InputMediaPhoto("no-such-file")]
    with pytest.raises(BadRequest, match="Wrong file identifier"):
        await bot.send_media_group(ana.id, unknown)

    assert one.status == 400
    assert "wrong number of media" in one.description
    assert mixed.status == 400
    assert "all photos or all documents" in mixed.description
    assert emu.ledger[mark:] == []
    two_documents = [InputMediaDocument(document.document.file_id)] * 2
    assert len(await bot.send_media_group(ana.id, two_documents)) == 2


async def test_an_album_caption_is_limited_to_1024_characters(
    bot: telegram.Bot, emu: Emulator, ana: SimUser
) -> None:
    photos = await _photos(bot, ana, 2)
    mark = len(emu.ledger)

    with pytest.raises(BadRequest, match="Message caption is too long"):
        await bot.send_media_group(ana.id, [InputMediaPhoto(p) for p in photos], caption="c" * 1025)
    with pytest.raises(BadRequest, match=r"(?i)can't parse entities"):
        await bot.send_media_group(
            ana.id, [InputMediaPhoto(p) for p in photos], caption="<b>open", parse_mode="HTML"
        )

    assert emu.ledger[mark:] == []
    sent = await bot.send_media_group(
        ana.id, [InputMediaPhoto(p) for p in photos], caption="c" * 1024
    )
    assert sent[0].caption == "c" * 1024
