"""Typed callback data: packing, strict unpacking, and the checks made at import."""

from __future__ import annotations

from typing import Annotated, Literal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.routing import (
    CALLBACK_DATA_LIMIT,
    CallbackData,
    CallbackDataError,
    MaxLength,
    callback_data,
    callback_prefixes,
)


@callback_data("tq")
class Tap(CallbackData):
    group_id: int
    action: Literal["join", "leave"]
    page: int | None
    confirmed: bool
    code: Annotated[str, MaxLength(8)]


def test_a_button_packs_to_its_prefix_and_fields_and_back() -> None:
    tap = Tap(7, "join", None, True, "ab12")
    assert tap.pack() == "tq:7:join:-:1:ab12"
    assert Tap.unpack("tq:7:join:-:1:ab12") == tap
    assert Tap.pattern().match("tq:7:join:-:1:ab12")
    assert not Tap.pattern().match("tqx:7")
    assert callback_prefixes()["tq"] is Tap


@pytest.mark.parametrize(
    "data",
    [
        "tq:7:join:-:1",  # a field missing
        "tq:7:join:-:1:ab12:extra",  # one too many
        "tq:seven:join:-:1:ab12",  # not a number
        "tq:7:delete:-:1:ab12",  # not a choice
        "tq:7:join:-:yes:ab12",  # not a flag
        "tq:7:join:-:1:toolongcode",  # over its bound
        "gj:7:join:-:1:ab12",  # another kind
        "",
    ],
)
def test_forged_or_stale_data_is_refused(data: str) -> None:
    with pytest.raises(CallbackDataError):
        Tap.unpack(data)
    assert Tap.unpack_or_none(data) is None


def test_a_value_that_does_not_fit_is_refused_when_packing() -> None:
    with pytest.raises(ValueError, match="does not fit"):
        Tap(1, "join", 2, False, "a:b").pack()
    with pytest.raises(ValueError, match="not one of"):
        Tap(1, "drop", 2, False, "ab").pack()  # type: ignore[arg-type]


def test_a_prefix_is_declared_once() -> None:
    with pytest.raises(TypeError, match="is Tap's"):

        @callback_data("tq")
        class Again(CallbackData):
            n: int


def test_a_kind_that_could_exceed_64_bytes_is_refused_at_import() -> None:
    with pytest.raises(TypeError, match="> 64"):

        @callback_data("big")
        class Big(CallbackData):
            a: int
            b: int
            c: int
            d: int


def test_an_unbounded_string_is_refused_at_import() -> None:
    with pytest.raises(TypeError, match="unsupported field type"):

        @callback_data("txt")
        class Text(CallbackData):
            text: str


@given(
    group_id=st.integers(min_value=-(2**63), max_value=2**63 - 1),
    page=st.none() | st.integers(min_value=0, max_value=2**63 - 1),
    confirmed=st.booleans(),
    code=st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789", max_size=8),
)
def test_every_packing_fits_telegram_and_unpacks_to_the_same_button(
    group_id: int, page: int | None, confirmed: bool, code: str
) -> None:
    tap = Tap(group_id, "leave", page, confirmed, code)
    data = tap.pack()
    assert len(data.encode()) <= CALLBACK_DATA_LIMIT
    assert Tap.unpack(data) == tap


def test_every_declared_kind_of_the_bot_fits_64_bytes() -> None:
    import bot.app  # noqa: F401  (imports every feature, declaring its buttons)

    for prefix, kind in callback_prefixes().items():
        assert kind.longest() <= CALLBACK_DATA_LIMIT, prefix
