"""Typed callback data, declared once per button kind.

A feature declares each kind of button it sends with a unique prefix::

    @callback_data("gj")
    class Membership(CallbackData):
        group_id: int
        action: Literal["join", "leave"]

    Membership(7, "join").pack()                   # "gj:7:join"
    Membership.unpack("gj:7:join")                 # Membership(group_id=7, action='join')
    CallbackQueryHandler(on_tap, pattern=Membership.pattern())

Fields may be ``int``, ``bool``, ``Literal`` of strings, ``int | None``, or ``str`` with a
bound (``Annotated[str, MaxLength(12)]``). ``@callback_data`` makes the class a frozen dataclass
and checks it at import: its prefix is unique and its longest possible packing fits Telegram's
64 bytes, so an oversized or clashing button is a bug found before the bot runs.
``callback_prefixes()`` lists every kind (the tests and the fuzz read it).
"""

from __future__ import annotations

import dataclasses
import re
import types
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import (
    Any,
    ClassVar,
    Final,
    Literal,
    Self,
    TypeVar,
    dataclass_transform,
    get_args,
    get_origin,
    get_type_hints,
)

CALLBACK_DATA_LIMIT: Final = 64
"""Telegram's limit on callback_data, in bytes (UTF-8)."""
SEPARATOR: Final = ":"
NONE: Final = "-"
"""How ``None`` is packed for an optional integer."""
_INT_WIDTH: Final = len(str(-(2**63)))
_PREFIX: Final = re.compile(r"[a-z][a-z0-9_]{0,7}")

_REGISTRY: dict[str, type[CallbackData]] = {}


class CallbackDataError(ValueError):
    """Data that is not a packing of this kind of button (stale, forged or another kind)."""


@dataclass(frozen=True)
class MaxLength:
    """The longest a ``str`` field may be, in UTF-8 bytes: ``Annotated[str, MaxLength(n)]``."""

    bytes: int


@dataclass(frozen=True)
class _Field:
    name: str
    kind: str
    """"int", "optional_int", "bool", "literal" or "str"."""
    width: int
    choices: tuple[str, ...] = ()


class CallbackData:
    """Base of every button kind: a prefix and typed fields, packed as ``prefix:f1:f2``.

    Declare a kind with :func:`callback_data`, never by subclassing alone.
    """

    prefix: ClassVar[str]
    _fields: ClassVar[tuple[_Field, ...]]

    @classmethod
    def _declared(cls) -> tuple[_Field, ...]:
        if "_fields" not in cls.__dict__:
            raise TypeError(f"{cls.__name__} is not declared with @callback_data")
        return cls._fields

    def pack(self) -> str:
        """The callback_data string; ValueError if a value does not fit its field."""
        parts = [self.prefix]
        for field in self._declared():
            parts.append(_pack_value(field, getattr(self, field.name)))
        data = SEPARATOR.join(parts)
        if len(data.encode()) > CALLBACK_DATA_LIMIT:
            raise ValueError(f"{type(self).__name__}: {len(data.encode())} bytes > 64")
        return data

    @classmethod
    def unpack(cls, data: str) -> Self:
        """The button this data packs; CallbackDataError if it is not one of this kind."""
        fields = cls._declared()
        parts = data.split(SEPARATOR)
        if parts[0] != cls.prefix or len(parts) != len(fields) + 1:
            raise CallbackDataError(f"not {cls.__name__} data: {data!r}")
        values = [_unpack_value(field, text) for field, text in zip(fields, parts[1:], strict=True)]
        return cls(*values)

    @classmethod
    def unpack_or_none(cls, data: str | None) -> Self | None:
        """``unpack``, or None for data of another kind or none at all."""
        if data is None:
            return None
        try:
            return cls.unpack(data)
        except CallbackDataError:
            return None

    @classmethod
    def pattern(cls) -> re.Pattern[str]:
        """Matches the data of this kind (for ``CallbackQueryHandler(pattern=...)``)."""
        return re.compile(rf"^{re.escape(cls.prefix)}(?:{SEPARATOR}|$)")

    @classmethod
    def longest(cls) -> int:
        """The most bytes a packing of this kind can take."""
        fields = cls._declared()
        return len(cls.prefix) + sum(len(SEPARATOR) + field.width for field in fields)


Kind = TypeVar("Kind", bound=CallbackData)


@dataclass_transform(frozen_default=True)
def callback_data(prefix: str) -> Callable[[type[Kind]], type[Kind]]:
    """Declare a kind of button: a frozen dataclass with this prefix, checked now."""

    def declare(cls: type[Kind]) -> type[Kind]:
        if not _PREFIX.fullmatch(prefix):
            raise TypeError(f"{cls.__name__}: prefix {prefix!r} is not 1-8 of [a-z0-9_]")
        if prefix in _REGISTRY:
            raise TypeError(f"{cls.__name__}: prefix {prefix!r} is {_REGISTRY[prefix].__name__}'s")
        declared = dataclass(frozen=True)(cls)
        declared.prefix = prefix
        declared._fields = _fields_of(declared)
        _REGISTRY[prefix] = declared
        return declared

    return declare


def callback_prefixes() -> Mapping[str, type[CallbackData]]:
    """Every declared kind of button by its prefix."""
    return dict(_REGISTRY)


def _fields_of(cls: type[CallbackData]) -> tuple[_Field, ...]:
    hints = get_type_hints(cls, include_extras=True)
    fields = tuple(
        _field(cls, f.name, hints[f.name])
        for f in dataclasses.fields(cls)  # type: ignore[arg-type]
    )
    longest = len(cls.prefix) + sum(len(SEPARATOR) + field.width for field in fields)
    if longest > CALLBACK_DATA_LIMIT:
        raise TypeError(f"{cls.__name__} can pack to {longest} bytes (> 64)")
    return fields


def _field(cls: type, name: str, hint: Any) -> _Field:
    origin = get_origin(hint)
    if hint is int:
        return _Field(name, "int", _INT_WIDTH)
    if hint is bool:
        return _Field(name, "bool", 1)
    if origin is Literal:
        choices = tuple(str(choice) for choice in get_args(hint))
        if any(SEPARATOR in choice for choice in choices):
            raise TypeError(f"{cls.__name__}.{name}: a choice contains {SEPARATOR!r}")
        return _Field(name, "literal", max(len(c.encode()) for c in choices), choices)
    if origin in (types.UnionType, typing.Union) and set(get_args(hint)) == {int, type(None)}:
        return _Field(name, "optional_int", _INT_WIDTH)
    if origin is typing.Annotated:
        base, *extras = get_args(hint)
        bound = next((extra for extra in extras if isinstance(extra, MaxLength)), None)
        if base is str and bound is not None:
            return _Field(name, "str", bound.bytes)
    raise TypeError(f"{cls.__name__}.{name}: unsupported field type {hint!r}")


def _pack_value(field: _Field, value: Any) -> str:
    if field.kind == "bool":
        return "1" if value else "0"
    if field.kind == "optional_int" and value is None:
        return NONE
    if field.kind in ("int", "optional_int"):
        return str(int(value))
    text = str(value)
    if field.kind == "literal" and text not in field.choices:
        raise ValueError(f"{field.name}: {text!r} is not one of {field.choices}")
    if SEPARATOR in text or len(text.encode()) > field.width:
        raise ValueError(f"{field.name}: {text!r} does not fit (at most {field.width} bytes)")
    return text


def _unpack_value(field: _Field, text: str) -> Any:
    if field.kind == "bool":
        if text not in ("0", "1"):
            raise CallbackDataError(f"{field.name}: not a flag: {text!r}")
        return text == "1"
    if field.kind == "optional_int" and text == NONE:
        return None
    if field.kind in ("int", "optional_int"):
        if not re.fullmatch(r"-?[0-9]{1,19}", text):
            raise CallbackDataError(f"{field.name}: not a number: {text!r}")
        return int(text)
    if field.kind == "literal" and text not in field.choices:
        raise CallbackDataError(f"{field.name}: {text!r} is not one of {field.choices}")
    if len(text.encode()) > field.width:
        raise CallbackDataError(f"{field.name}: longer than {field.width} bytes")
    return text
