"""Reply markup: Telegram's validation of keyboards, and the inline buttons people can tap."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from .errors import bad_request

INLINE_ACTIONS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)
MAX_BUTTONS = 100
MAX_CALLBACK_DATA_BYTES = 64
_URL_SCHEMES = frozenset({"http", "https", "tg"})
_BUTTON_PARSE = "can't parse inline keyboard button: "


@dataclass(frozen=True, slots=True)
class Button:
    """An inline keyboard button as people see it."""

    text: str
    data: str | None = None
    url: str | None = None


def validate_reply_markup(markup: Any) -> dict[str, Any] | None:
    """Check a reply_markup as Telegram does; returns it unchanged."""
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup:
        _validate_inline_keyboard(markup["inline_keyboard"])
    elif "keyboard" in markup:
        _validate_reply_keyboard(markup["keyboard"])
    elif markup.get("remove_keyboard") is not True and markup.get("force_reply") is not True:
        raise bad_request("can't parse reply keyboard markup JSON object")
    return markup


def inline_keyboard(markup: dict[str, Any] | None) -> dict[str, Any] | None:
    """The part of a markup a Message shows: only inline keyboards are echoed back."""
    if markup is None or "inline_keyboard" not in markup:
        return None
    return {"inline_keyboard": markup["inline_keyboard"]}


def buttons_of(markup: dict[str, Any] | None) -> list[list[Button]]:
    keyboard = inline_keyboard(markup)
    if keyboard is None:
        return []
    return [
        [Button(b["text"], b.get("callback_data"), b.get("url")) for b in row]
        for row in keyboard["inline_keyboard"]
    ]


def _rows(rows: Any, field: str, markup_type: str) -> list[list[Any]]:
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request(f'Field "{field}" of the {markup_type} must be an Array of Arrays')
    if sum(len(row) for row in rows) > MAX_BUTTONS:
        raise bad_request("reply markup is too long")
    return rows


def _validate_inline_keyboard(rows: Any) -> None:
    for row in _rows(rows, "inline_keyboard", "InlineKeyboardMarkup"):
        for button in row:
            _validate_inline_button(button)


def _validate_inline_button(button: Any) -> None:
    if not isinstance(button, dict):
        raise bad_request(_BUTTON_PARSE + "InlineKeyboardButton must be an Object")
    if "text" not in button:
        raise bad_request(_BUTTON_PARSE + 'Can\'t find field "text"')
    if not isinstance(button["text"], str):
        raise bad_request(_BUTTON_PARSE + 'Field "text" must be of type String')
    actions = [name for name in INLINE_ACTIONS if button.get(name) not in (None, "")]
    if not actions:
        raise bad_request(_BUTTON_PARSE + "Text buttons are unallowed in the inline keyboard")
    if len(actions) > 1:
        raise bad_request(_BUTTON_PARSE + "exactly one of the optional fields must be used")
    if actions[0] == "callback_data":
        _validate_callback_data(button["callback_data"])
    elif actions[0] == "url":
        _validate_url(button["url"])


def _validate_callback_data(data: Any) -> None:
    if not isinstance(data, str) or not 1 <= len(data.encode()) <= MAX_CALLBACK_DATA_BYTES:
        raise bad_request("BUTTON_DATA_INVALID")


def _validate_url(url: Any) -> None:
    if not isinstance(url, str):
        raise bad_request("BUTTON_URL_INVALID")
    parts = urlsplit(url)
    if parts.scheme.lower() not in _URL_SCHEMES:
        raise bad_request("BUTTON_URL_INVALID")
    if parts.scheme.lower() != "tg" and not parts.netloc:
        raise bad_request("BUTTON_URL_INVALID")


def _validate_reply_keyboard(rows: Any) -> None:
    for row in _rows(rows, "keyboard", "ReplyKeyboardMarkup"):
        for button in row:
            if isinstance(button, str):
                continue
            if not isinstance(button, dict) or not isinstance(button.get("text"), str):
                raise bad_request(
                    'can\'t parse keyboard button: Field "text" must be of type String'
                )
