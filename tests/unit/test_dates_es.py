"""Dates typed in Spanish (bot/dates.py), read at a fixed "now" (date_table.NOW, a Wednesday)."""

import pytest

from bot import dates
from tests.unit.date_table import check

LIMA, M = "America/Lima", "Europe/Madrid"

ROWS = [
    ("el próximo martes 15:00", LIMA, "2026-12-08 15:00"),
    ("el proximo martes a las 3 de la tarde", LIMA, "2026-12-08 15:00"),
    ("el martes que viene a las 10:00", LIMA, "2026-12-08 10:00"),
    ("martes 9:00", M, "2026-12-08 09:00"),
    ("el viernes a las 9", LIMA, "2026-12-04 09:00"),
    ("el miércoles 16:00", LIMA, "2026-12-09 16:00"),
    ("pasado mañana 10:00", LIMA, "2026-12-04 10:00"),
    ("pasado mañana a las 3 de la tarde", M, "2026-12-04 15:00"),
    ("dentro de 2 horas", LIMA, "2026-12-02 11:00"),
    ("en 2 horas", M, "2026-12-02 17:00"),
    ("dentro de 30 minutos", LIMA, "2026-12-02 09:30"),
    ("dentro de 3 días a las 15:00", LIMA, "2026-12-05 15:00"),
    ("mañana por la tarde", LIMA, "2026-12-03 15:00"),
    ("mañana por la mañana", LIMA, "2026-12-03 09:00"),
    ("mañana por la noche", M, "2026-12-03 19:00"),
    ("mañana a mediodía", LIMA, "2026-12-03 12:00"),
    ("Mañana 9:00", LIMA, "2026-12-03 09:00"),
    ("mañana a las 5 de la tarde", LIMA, "2026-12-03 17:00"),
    ("hoy a las 18:00", LIMA, "2026-12-02 18:00"),
    ("15 de diciembre a las 15:00", LIMA, "2026-12-15 15:00"),
    ("15 de diciembre de 2026 15:00", M, "2026-12-15 15:00"),
    ("15/12 14:30", LIMA, "2026-12-15 14:30"),
    ("2026-12-15 15:00", LIMA, "2026-12-15 15:00"),
    ("3 de marzo a las 10:00", M, "2027-03-03 10:00"),
    ("mañana 15:00 CET", LIMA, "2026-12-03 09:00", "hora de Europa central"),
    ("mañana a las 10:00 hora de Madrid", LIMA, "2026-12-03 04:00", "Madrid"),
    ("el próximo jueves a las 10 hora de Lima", M, "2026-12-03 16:00", "Lima"),
    ("mañana 9:00 UTC", LIMA, "2026-12-03 04:00", "tiempo universal coordinado"),
    ("mañana a las 25:00", LIMA, dates.BAD_HOUR),
    ("9:75", LIMA, dates.BAD_MINUTE),
    ("31 de febrero 15:00", LIMA, dates.BAD_DAY),
    ("30 de febrero a las 10:00", M, dates.BAD_DAY),
    ("mañana", LIMA, dates.NO_TIME),
    ("el próximo martes", LIMA, dates.NO_TIME),
    ("algún día 15:00", LIMA, dates.NOT_READ),
]


@pytest.mark.parametrize("row", ROWS, ids=[row[0] for row in ROWS])
def test_spanish(row: tuple[str, ...]) -> None:
    check(row, "es")


def test_enough_phrasings() -> None:
    assert len(ROWS) >= 25
