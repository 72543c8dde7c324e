"""The shared check of the per-language tables of typed dates (``test_dates_<language>.py``).

Each row: the text typed, the reader's zone, and either the instant expected as the reader's
wall time (``"2026-12-08 15:00"``), or the refusal expected (a message id of ``bot.dates``);
a fourth element, when there, is how the zone typed in the text is said back.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from bot import dates

NOW = datetime(2026, 12, 2, 14, 0, tzinfo=UTC)
"""A Wednesday: 09:00 in Lima, 15:00 in Madrid and Paris, 22:00 in Shanghai."""

REFUSALS = {
    dates.BAD_HOUR,
    dates.BAD_MINUTE,
    dates.BAD_TWELVE,
    dates.BAD_DAY,
    dates.BAD_MONTH,
    dates.NO_TIME,
    dates.NOT_READ,
}


def check(row: tuple[str, ...], language: str) -> None:
    text, zone_key, expected, *said = row
    zone = ZoneInfo(zone_key)
    read = dates.read_typed(text, language, zone, NOW)
    if expected in REFUSALS:
        assert isinstance(read, dates.Unreadable), f"{text!r} was read as {read}"
        assert read.message == expected
        return
    assert isinstance(read, dates.Reading), f"{text!r} refused: {read}"
    assert f"{read.at.astimezone(zone):%Y-%m-%d %H:%M}" == expected
    if said:
        assert read.typed_zone is not None
        assert read.typed_zone.localise(language) == said[0]
    else:
        assert read.typed_zone is None
