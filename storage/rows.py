"""Helpers shared by the repositories to turn rows into models."""

from collections.abc import Iterable
from datetime import datetime
from typing import Any

import aiosqlite

from storage.timecodec import from_db


def decode_time(value: str | None) -> datetime | None:
    """A stored time, or None for NULL."""
    return None if value is None else from_db(value)


def row_dict(row: aiosqlite.Row, time_columns: Iterable[str] = ()) -> dict[str, Any]:
    """A row as a dict, with the named time columns decoded to aware datetimes."""
    # Iterating a Row yields its values, so pair them with keys() explicitly.
    values = dict(zip(row.keys(), row, strict=True))
    for column in time_columns:
        values[column] = decode_time(values[column])
    return values


def expect_row(row: aiosqlite.Row | None, what: str) -> aiosqlite.Row:
    """The row a statement must return (e.g. via RETURNING); RuntimeError if it did not."""
    if row is None:
        raise RuntimeError(f"expected a row back from {what}")
    return row
