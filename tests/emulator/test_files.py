"""Files: upload, reuse by file_id, getFile and download, Telegram's size limits."""

from __future__ import annotations

import struct
import zlib
from collections.abc import AsyncIterator

import pytest
import telegram
from telegram.error import BadRequest

from sandbox.emulator import Emulator, SimUser, TelegramLimits


def tiny_png(width: int = 3, height: int = 2) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height)))
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


async def test_a_document_round_trips_through_upload_and_download(
    bot: telegram.Bot, emu: Emulator, ana: SimUser
) -> None:
    content = b"Roadmap 2024\n" * 100

    sent = await bot.send_document(
        ana.id, content, filename="roadmap.txt", caption="<b>Roadmap</b>", parse_mode="HTML"
    )
    assert sent.document is not None
    file = await bot.get_file(sent.document.file_id)

    assert (sent.document.file_name, sent.document.file_size) == ("roadmap.txt", len(content))
    assert sent.caption == "Roadmap"
    assert file.file_path is not None
    assert bytes(await file.download_as_bytearray()) == content
    entry = emu.ledger[-1]
    assert entry.document is not None
    assert (entry.document.filename, entry.document.content) == ("roadmap.txt", content)
    assert (entry.text, entry.html) == ("Roadmap", "<b>Roadmap</b>")


async def test_captions_are_limited_to_1024_characters(bot: telegram.Bot, ana: SimUser) -> None:
    await bot.send_document(ana.id, b"ok", filename="a.txt", caption="c" * 1024)

    with pytest.raises(BadRequest, match="Message caption is too long"):
        await bot.send_document(ana.id, b"ok", filename="a.txt", caption="c" * 1025)
    with pytest.raises(BadRequest, match="Message caption is too long"):
        await bot.send_photo(
            ana.id, tiny_png(), caption="<i>" + "🏟" * 513 + "</i>", parse_mode="HTML"
        )


async def test_a_known_file_id_is_sent_again_without_upload(
    bot: telegram.Bot, ana: SimUser
) -> None:
    first = await bot.send_document(ana.id, b"data", filename="a.bin")
    assert first.document is not None

    again = await bot.send_document(ana.id, first.document.file_id)

    assert again.document is not None
    assert again.document.file_unique_id == first.document.file_unique_id
    with pytest.raises(BadRequest, match="Wrong file identifier/http url specified"):
        await bot.send_document(ana.id, "no-such-file-id")
    with pytest.raises(BadRequest, match="Wrong file identifier/http url specified"):
        await bot.get_file("no-such-file-id")


async def test_a_file_people_send_can_be_downloaded(
    bot: telegram.Bot, emu: Emulator, ana: SimUser
) -> None:
    message = emu.send_document(
        ana, filename="experience.pdf", content=b"%PDF-1.4 ...", mime_type="application/pdf"
    )
    update = (await bot.get_updates())[0]
    assert update.message is not None
    assert update.message.document is not None

    file = await update.message.document.get_file()

    assert message.document is not None
    assert update.message.document.file_name == "experience.pdf"
    assert bytes(await file.download_as_bytearray()) == b"%PDF-1.4 ..."


async def test_photos_need_an_image_and_report_its_size(
    bot: telegram.Bot, emu: Emulator, ana: SimUser
) -> None:
    sent = await bot.send_photo(ana.id, tiny_png(3, 2), caption="map")

    assert [(p.width, p.height) for p in sent.photo] == [(3, 2)]
    assert emu.ledger[-1].photo is not None
    with pytest.raises(BadRequest, match="Image_process_failed"):
        await bot.send_photo(ana.id, b"not an image")
    emu.send_photo(ana, content=tiny_png(5, 4), caption="/upload")
    photo = (await bot.get_updates())[0].message
    assert photo is not None
    assert (photo.photo[-1].width, photo.caption) == (5, "/upload")


@pytest.fixture
async def small_limits() -> AsyncIterator[Emulator]:
    limits = TelegramLimits(rate_limited=False, upload_bytes=1000, download_bytes=500)
    async with Emulator(limits=limits) as emulator:
        yield emulator


async def test_size_limits_for_upload_and_download(small_limits: Emulator) -> None:
    ana = small_limits.add_user("Ana", started=True)
    async with telegram.Bot(small_limits.token, base_url=small_limits.base_url) as bot:
        with pytest.raises(BadRequest, match="File is too big"):
            await bot.send_document(ana.id, b"x" * 1001, filename="big.bin")
        sent = await bot.send_document(ana.id, b"x" * 600, filename="medium.bin")
        assert sent.document is not None
        with pytest.raises(BadRequest, match="File is too big"):
            await bot.get_file(sent.document.file_id)
