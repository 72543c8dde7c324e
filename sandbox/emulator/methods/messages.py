"""Text messages: send, edit, delete, pin, chat actions."""

from __future__ import annotations

from typing import Any

from .. import shapes
from ..backend import Backend
from ..errors import bad_request
from ..html import Formatted
from ..markup import inline_keyboard, validate_reply_markup
from ..params import Kind, Params
from ..text import MESSAGE_LIMIT, utf16_len
from ..world import SimChat, SimMessage, unix_now
from .registry import EDIT, SEND, api_method

NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the "
    "same as a current content and reply markup of the message"
)
CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
TEXT: dict[str, Kind] = {
    "text": "str",
    "parse_mode": "str",
    "entities": "json",
    "link_preview_options": "json",
    "disable_web_page_preview": "bool",
}


def message_text(b: Backend, p: Params) -> Formatted:
    """The text parameter after parsing, within Telegram's limits."""
    if not p.string("text"):
        raise bad_request("message text is empty")
    formatted = b.formatted(p, "text", "entities")
    if not formatted.text:
        raise bad_request("message text is empty")
    if utf16_len(formatted.text) > MESSAGE_LIMIT:
        raise bad_request("message is too long")
    return formatted


@api_method("sendMessage", SEND, TEXT)
def send_message(b: Backend, p: Params) -> Any:
    chat = b.writable_chat(p)
    formatted = message_text(b, p)
    message = b.send(
        "sendMessage",
        chat,
        p,
        text=formatted.text,
        entities=formatted.entities,
        html=p.string("text"),
    )
    return shapes.message(message)


@api_method("editMessageText", EDIT, TEXT)
def edit_message_text(b: Backend, p: Params) -> Any:
    chat = b.writable_chat(p)
    message = b.bot_message(chat, p, "message to edit not found")
    formatted = message_text(b, p)
    if message.text is None:
        raise bad_request("there is no text in the message to edit")
    markup = validate_reply_markup(p.json("reply_markup"))
    same_text = (formatted.text, formatted.entities) == (message.text, message.entities)
    if same_text and inline_keyboard(markup) == inline_keyboard(message.reply_markup):
        raise bad_request(NOT_MODIFIED)
    b.throttle(chat, edit=True)
    message.text, message.entities, message.html = (
        formatted.text,
        formatted.entities,
        p.string("text"),
    )
    return _edited(b, "editMessageText", message, markup)


@api_method("editMessageReplyMarkup", EDIT)
def edit_message_reply_markup(b: Backend, p: Params) -> Any:
    chat = b.writable_chat(p)
    message = b.bot_message(chat, p, "message to edit not found")
    markup = validate_reply_markup(p.json("reply_markup"))
    if inline_keyboard(markup) == inline_keyboard(message.reply_markup):
        raise bad_request(NOT_MODIFIED)
    b.throttle(chat, edit=True)
    return _edited(b, "editMessageReplyMarkup", message, markup)


def _edited(b: Backend, method: str, message: SimMessage, markup: dict[str, Any] | None) -> Any:
    message.reply_markup = inline_keyboard(markup)
    message.edit_date = unix_now()
    b.record("edit", method, message)
    return shapes.message(message)


@api_method("deleteMessage", chat_id="chat", message_id="int")
def delete_message(b: Backend, p: Params) -> Any:
    chat = b.present_chat(p)
    message_id = p.required_integer("message_id", "message identifier is not specified")
    message = chat.message(message_id)
    if message is None or message.service:
        raise bad_request("message to delete not found")
    if not _bot_may_delete(b, chat, message):
        raise bad_request("message can't be deleted")
    message.deleted = True
    if message_id in chat.pinned:
        chat.pinned.remove(message_id)
    b.record("delete", "deleteMessage", message)
    return True


def _bot_may_delete(b: Backend, chat: SimChat, message: SimMessage) -> bool:
    return message.sender is b.world.bot or chat.is_private or chat.bot_can("can_delete_messages")


@api_method("sendChatAction", chat_id="chat", action="str", message_thread_id="int")
def send_chat_action(b: Backend, p: Params) -> Any:
    chat = b.writable_chat(p)
    if p.string("action") not in CHAT_ACTIONS:
        raise bad_request("wrong parameter action in request")
    b.thread(chat, p)
    return True


@api_method("pinChatMessage", chat_id="chat", message_id="int", disable_notification="bool")
def pin_chat_message(b: Backend, p: Params) -> Any:
    chat = _pinnable_chat(b, p)
    message_id = p.required_integer("message_id", "message identifier is not specified")
    if chat.message(message_id) is None:
        raise bad_request("message to pin not found")
    if message_id in chat.pinned:
        chat.pinned.remove(message_id)
    chat.pinned.append(message_id)
    return True


@api_method("unpinChatMessage", chat_id="chat", message_id="int")
def unpin_chat_message(b: Backend, p: Params) -> Any:
    chat = _pinnable_chat(b, p)
    message_id = p.integer("message_id")
    if message_id is None and chat.pinned:
        message_id = chat.pinned[-1]
    if message_id is None or message_id not in chat.pinned:
        raise bad_request("message to unpin not found")
    chat.pinned.remove(message_id)
    return True


def _pinnable_chat(b: Backend, p: Params) -> SimChat:
    chat = b.writable_chat(p)
    if not chat.is_private and not chat.bot_can("can_pin_messages"):
        raise bad_request("not enough rights to manage pinned messages in the chat")
    return chat
