"""Dates typed in English (bot/dates.py), read at a fixed "now" (date_table.NOW, a Wednesday)."""

import pytest

from bot import dates
from tests.unit.date_table import check

L, M, S = "Europe/London", "Europe/Madrid", "Asia/Shanghai"

ROWS = [
    ("next Tuesday 15:00", L, "2026-12-08 15:00"),
    ("next tuesday at 3pm", L, "2026-12-08 15:00"),
    ("Tuesday 9:30", L, "2026-12-08 09:30"),
    ("this Friday at 10am", L, "2026-12-04 10:00"),
    ("Wednesday 16:00", L, "2026-12-09 16:00"),
    ("the day after tomorrow 10:00", L, "2026-12-04 10:00"),
    ("day after tomorrow at 9am", M, "2026-12-04 09:00"),
    ("in 2 hours", L, "2026-12-02 16:00"),
    ("in 30 minutes", S, "2026-12-02 22:30"),
    ("in 3 days at 15:00", L, "2026-12-05 15:00"),
    ("tomorrow afternoon", L, "2026-12-03 15:00"),
    ("tomorrow morning", M, "2026-12-03 09:00"),
    ("tomorrow evening", L, "2026-12-03 19:00"),
    ("tomorrow at noon", L, "2026-12-03 12:00"),
    ("today 18:00", L, "2026-12-02 18:00"),
    ("16:00", L, "2026-12-02 16:00"),
    ("9:00", L, "2026-12-03 09:00"),
    ("2026-12-15 15:00", L, "2026-12-15 15:00"),
    ("15/12 14:30", L, "2026-12-15 14:30"),
    ("15 Dec 15:00", M, "2026-12-15 15:00"),
    ("Dec 15 at 3:30 pm", M, "2026-12-15 15:30"),
    ("15 March 10:00", M, "2027-03-15 10:00"),
    ("October 15th 2027 at 3 PM", L, "2027-10-15 15:00"),
    ("tomorrow 15:00 CET", L, "2026-12-03 14:00", "Central European Time"),
    ("15:00 CET", M, "2026-12-03 15:00", "Central European Time"),
    ("tomorrow 10am Lima time", L, "2026-12-03 15:00", "Lima"),
    ("Friday 9:00 New York time", M, "2026-12-04 15:00", "New York"),
    ("tomorrow 10:00 Beijing time", M, "2026-12-03 03:00", "Beijing"),
    ("tomorrow 9:00 UTC", M, "2026-12-03 10:00", "Coordinated Universal Time"),
    ("tomorrow 9:00 UTC+2", M, "2026-12-03 08:00", "UTC+2"),
    ("tomorrow 15:00 Europe/Madrid", L, "2026-12-03 14:00", "Madrid"),
    ("tomorrow 25:00", L, dates.BAD_HOUR),
    ("9:75", L, dates.BAD_MINUTE),
    ("tomorrow 13pm", L, dates.BAD_TWELVE),
    ("31 February 15:00", L, dates.BAD_DAY),
    ("February 30 at 10:00", L, dates.BAD_DAY),
    ("31/04 10:00", L, dates.BAD_DAY),
    ("15/13 10:00", L, dates.BAD_MONTH),
    ("tomorrow", L, dates.NO_TIME),
    ("next Tuesday", L, dates.NO_TIME),
    ("next blursday 15:00", L, dates.NOT_READ),
    ("soon", L, dates.NOT_READ),
]


@pytest.mark.parametrize("row", ROWS, ids=[row[0] for row in ROWS])
def test_english(row: tuple[str, ...]) -> None:
    check(row, "en")


def test_enough_phrasings() -> None:
    assert len(ROWS) >= 25
