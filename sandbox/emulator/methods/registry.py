"""Bot API methods: a handler plus the schema its parameters are decoded by."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from ..backend import Backend
from ..params import Kind, Params

Handler = Callable[[Backend, Params], Any]

SEND: dict[str, Kind] = {
    "chat_id": "chat",
    "message_thread_id": "int",
    "reply_markup": "json",
    "reply_parameters": "json",
    "reply_to_message_id": "int",
    "allow_sending_without_reply": "bool",
    "disable_notification": "bool",
    "protect_content": "bool",
    "allow_paid_broadcast": "bool",
    "business_connection_id": "str",
    "message_effect_id": "str",
    "direct_messages_topic_id": "int",
}
EDIT: dict[str, Kind] = {
    "chat_id": "chat",
    "message_id": "int",
    "inline_message_id": "str",
    "reply_markup": "json",
    "business_connection_id": "str",
}


@dataclass(frozen=True)
class ApiMethod:
    name: str
    schema: Mapping[str, Kind]
    handler: Handler

    def __call__(self, backend: Backend, params: Params) -> Any:
        return self.handler(backend, params)


def api_method(
    name: str, /, *schemas: Mapping[str, Kind], **schema: Kind
) -> Callable[[Handler], ApiMethod]:
    """Declare a Bot API method named ``name`` with the kinds of its parameters."""
    merged: dict[str, Kind] = {}
    for part in schemas:
        merged.update(part)
    merged.update(schema)

    def register(handler: Handler) -> ApiMethod:
        return ApiMethod(name, merged, handler)

    return register


def registry_of(modules: Iterable[ModuleType]) -> dict[str, ApiMethod]:
    """Every ApiMethod the modules define, by lower-cased name (Telegram ignores case)."""
    found = {}
    for module in modules:
        for value in vars(module).values():
            if isinstance(value, ApiMethod):
                found[value.name.lower()] = value
    return found
