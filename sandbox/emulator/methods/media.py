"""Files: sendDocument, sendPhoto (upload or file_id), getFile."""

from __future__ import annotations

from typing import Any

from .. import shapes
from ..backend import Backend
from ..errors import bad_request
from ..images import image_size
from ..params import Kind, Params, Upload
from ..text import CAPTION_LIMIT, utf16_len
from ..world import FileKind, StoredFile
from .registry import SEND, api_method

CAPTION: dict[str, Kind] = {
    "caption": "str",
    "parse_mode": "str",
    "caption_entities": "json",
    "show_caption_above_media": "bool",
    "has_spoiler": "bool",
}
WRONG_FILE = "wrong file identifier/HTTP URL specified"


def caption_fields(b: Backend, p: Params) -> dict[str, Any]:
    """caption, caption_entities and html of a media message, within Telegram's limit."""
    formatted = b.formatted(p, "caption", "caption_entities")
    if utf16_len(formatted.text) > CAPTION_LIMIT:
        raise bad_request("message caption is too long")
    if not formatted.text:
        return {}
    return {
        "caption": formatted.text,
        "caption_entities": formatted.entities,
        "html": p.string("caption"),
    }


def input_file(b: Backend, p: Params, name: str, kind: FileKind) -> StoredFile:
    """The file a send* call refers to: a fresh upload, or the file_id of a known file."""
    given = p.file(name)
    if given is None or given == "":
        raise bad_request(f"there is no {name} in the request")
    if isinstance(given, str):
        known = b.world.files.get(given)
        if known is None:
            raise bad_request(WRONG_FILE)
        return known
    return _store_upload(b, given, kind)


def _store_upload(b: Backend, upload: Upload, kind: FileKind) -> StoredFile:
    if upload.size > b.limits.upload_bytes:
        raise bad_request("file is too big")
    if upload.size == 0:
        raise bad_request("file must be non-empty")
    if kind == "photo":
        size = image_size(upload.content)
        if size is None:
            raise bad_request("IMAGE_PROCESS_FAILED")
        return b.world.store_file(upload.content, "photo", size=size)
    return b.world.store_file(
        upload.content,
        "document",
        file_name=upload.filename,
        mime_type=upload.content_type or "application/octet-stream",
    )


@api_method(
    "sendDocument",
    SEND,
    CAPTION,
    document="file",
    thumbnail="file",
    disable_content_type_detection="bool",
)
def send_document(b: Backend, p: Params) -> Any:
    chat = b.writable_chat(p)
    caption = caption_fields(b, p)
    stored = input_file(b, p, "document", "document")
    message = b.send("sendDocument", chat, p, document=stored, **caption)
    return shapes.message(message)


@api_method("sendPhoto", SEND, CAPTION, photo="file")
def send_photo(b: Backend, p: Params) -> Any:
    chat = b.writable_chat(p)
    caption = caption_fields(b, p)
    stored = input_file(b, p, "photo", "photo")
    message = b.send("sendPhoto", chat, p, photo=stored, **caption)
    return shapes.message(message)


@api_method("getFile", file_id="str")
def get_file(b: Backend, p: Params) -> Any:
    stored = b.world.files.get(p.string("file_id") or "")
    if stored is None:
        raise bad_request(WRONG_FILE)
    if stored.size > b.limits.download_bytes:
        raise bad_request("file is too big")
    b.world.publish_file(stored)
    return shapes.file(stored)


ALBUM_SIZES = range(2, 11)
ALBUM_KINDS: dict[str, FileKind] = {"photo": "photo", "document": "document"}


@api_method("sendMediaGroup", SEND, media="json")
def send_media_group(b: Backend, p: Params) -> Any:
    """An album of 2-10 photos (or of documents) sent by file_id; captions per item."""
    chat = b.writable_chat(p)
    if "reply_markup" in p:
        raise bad_request("reply markup is not supported for media groups")
    items = _album_items(b, p.json("media"))
    group_id = f"{chat.id}{len(chat.messages) + 1:010d}"[-18:]
    first, *rest = items
    sent = [b.send("sendMediaGroup", chat, p, **first, service={"media_group_id": group_id})]
    for content in rest:  # the album counts once against the flood limits
        message = b.world.add_message(
            chat,
            b.world.bot,
            thread_id=sent[0].thread_id,
            service={"media_group_id": group_id},
            **content,
        )
        b.record("send", "sendMediaGroup", message)
        sent.append(message)
    return [shapes.message(message) for message in sent]


def _album_items(b: Backend, media: Any) -> list[dict[str, Any]]:
    """Each item's content (file and caption), checked before anything is sent."""
    if not isinstance(media, list):
        raise bad_request('parameter "media" must be an array')
    if len(media) not in ALBUM_SIZES:
        raise bad_request("wrong number of media in the group: 2 to 10 are allowed")
    kinds = {item.get("type") if isinstance(item, dict) else None for item in media}
    if not kinds <= set(ALBUM_KINDS) or len(kinds) != 1:
        raise bad_request("an album is all photos or all documents")
    contents = []
    for item in media:
        reference = item.get("media")
        if not isinstance(reference, str) or reference.startswith("attach://"):
            raise bad_request("the emulator's albums take known file ids only")
        known = b.world.files.get(reference)
        if known is None:
            raise bad_request(WRONG_FILE)
        kind = ALBUM_KINDS[item["type"]]
        caption = caption_fields(b, Params({k: v for k, v in item.items() if k in CAPTION}))
        contents.append({kind: known, **caption})
    return contents
