"""Decoding request parameters by a per-method schema, as the Bot API reads them.

Form bodies carry every value as a string (non-strings JSON-encoded); JSON bodies carry
native values. A schema names each known parameter's kind; unknown parameters are kept
as sent. An empty string means "not given" for every kind but ``str``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from .errors import bad_request

Kind = Literal["str", "int", "float", "bool", "json", "chat", "file"]
Schema = Mapping[str, Kind]

_INTEGER = re.compile(r"[+-]?\d+")
_JSON_LABELS = {"reply_markup": "reply keyboard markup"}


@dataclass(frozen=True)
class Upload:
    """A file part of a multipart body."""

    content: bytes = field(repr=False)
    filename: str | None = None
    content_type: str | None = None

    @property
    def size(self) -> int:
        return len(self.content)


def decode_params(
    schema: Schema, raw: Mapping[str, Any], uploads: Mapping[str, Upload]
) -> dict[str, Any]:
    decoded: dict[str, Any] = {}
    for name, value in raw.items():
        kind = schema.get(name)
        result = value if kind is None else _decode(kind, name, value, uploads)
        if result is not None:
            decoded[name] = result
    for name, upload in uploads.items():
        if schema.get(name) == "file" and name not in decoded:
            decoded[name] = upload
    return decoded


def _decode(kind: Kind, name: str, value: Any, uploads: Mapping[str, Upload]) -> Any:
    if value is None or (value == "" and kind != "str"):
        return None
    if kind == "str":
        return value if isinstance(value, str) else _json_text(value)
    if kind == "int":
        return _integer(name, value)
    if kind == "float":
        return _number(name, value)
    if kind == "bool":
        return _boolean(name, value)
    if kind == "json":
        return _json(name, value)
    if kind == "chat":
        return _chat_id(value)
    return _file(value, uploads)


def _json_text(value: Any) -> str:
    return json.dumps(value) if not isinstance(value, int | float) else str(value)


def _integer(name: str, value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and _INTEGER.fullmatch(value.strip()):
        return int(value)
    raise bad_request(f"invalid {name} specified")


def _number(name: str, value: Any) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    try:
        return float(value)
    except (TypeError, ValueError):
        raise bad_request(f"invalid {name} specified") from None


def _boolean(name: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "1"):
        return True
    if text in ("false", "0"):
        return False
    raise bad_request(f"invalid {name} specified")


def _json(name: str, value: Any) -> Any:
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except ValueError:
        label = _JSON_LABELS.get(name, name)
        raise bad_request(f"can't parse {label} JSON object") from None


def _chat_id(value: Any) -> int | str:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    text = str(value).strip()
    return int(text) if _INTEGER.fullmatch(text) else text


def _file(value: Any, uploads: Mapping[str, Upload]) -> Upload | str:
    if isinstance(value, Upload):
        return value
    text = str(value)
    if text.startswith("attach://"):
        upload = uploads.get(text.removeprefix("attach://"))
        if upload is None:
            raise bad_request("wrong file identifier/HTTP URL specified")
        return upload
    return text


class Params:
    """Decoded parameters of one call, with typed accessors."""

    __slots__ = ("values",)

    def __init__(self, values: dict[str, Any]) -> None:
        self.values = values

    def __contains__(self, name: str) -> bool:
        return name in self.values

    def string(self, name: str) -> str | None:
        value = self.values.get(name)
        return value if isinstance(value, str) else None

    def integer(self, name: str) -> int | None:
        value = self.values.get(name)
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    def number(self, name: str) -> float | None:
        value = self.values.get(name)
        return float(value) if isinstance(value, int | float) else None

    def flag(self, name: str, default: bool = False) -> bool:
        value = self.values.get(name)
        return value if isinstance(value, bool) else default

    def json(self, name: str) -> Any:
        return self.values.get(name)

    def chat_id(self) -> int | str | None:
        value = self.values.get("chat_id")
        return value if isinstance(value, int | str) else None

    def file(self, name: str) -> Upload | str | None:
        value = self.values.get(name)
        return value if isinstance(value, Upload | str) else None

    def required_string(self, name: str, reason: str) -> str:
        value = self.string(name)
        if not value:
            raise bad_request(reason)
        return value

    def required_integer(self, name: str, reason: str) -> int:
        value = self.integer(name)
        if value is None:
            raise bad_request(reason)
        return value
