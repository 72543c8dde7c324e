"""Dates typed in French (bot/dates.py), read at a fixed "now" (date_table.NOW, a Wednesday)."""

import pytest

from bot import dates
from tests.unit.date_table import check

P, LIMA = "Europe/Paris", "America/Lima"

ROWS = [
    ("mardi prochain 15h", P, "2026-12-08 15:00"),
    ("mardi prochain à 15:00", P, "2026-12-08 15:00"),
    ("mardi 9h30", P, "2026-12-08 09:30"),
    ("vendredi à 9h", P, "2026-12-04 09:00"),
    ("mercredi 16h", P, "2026-12-09 16:00"),
    ("ce vendredi à 14 h", P, "2026-12-04 14:00"),
    ("après-demain 10h", P, "2026-12-04 10:00"),
    ("apres demain à 10:00", LIMA, "2026-12-04 10:00"),
    ("dans 2 heures", P, "2026-12-02 17:00"),
    ("dans 30 minutes", P, "2026-12-02 15:30"),
    ("dans 3 jours à 15h", P, "2026-12-05 15:00"),
    ("demain après-midi", P, "2026-12-03 15:00"),
    ("demain matin", P, "2026-12-03 09:00"),
    ("demain soir", LIMA, "2026-12-03 19:00"),
    ("demain midi", P, "2026-12-03 12:00"),
    ("Demain 9h", P, "2026-12-03 09:00"),
    ("aujourd'hui 18h", P, "2026-12-02 18:00"),
    ("aujourd’hui à 18h30", P, "2026-12-02 18:30"),
    ("le 15 décembre à 15h", P, "2026-12-15 15:00"),
    ("15 décembre 2026 15h", P, "2026-12-15 15:00"),
    ("15/12 14h30", P, "2026-12-15 14:30"),
    ("2026-12-15 15:00", P, "2026-12-15 15:00"),
    ("le 3 mars à 10h", P, "2027-03-03 10:00"),
    ("demain 15h CET", LIMA, "2026-12-03 09:00", "heure d’Europe centrale"),
    ("demain 10h heure de Lima", P, "2026-12-03 16:00", "Lima"),
    ("jeudi prochain 10h heure de Madrid", LIMA, "2026-12-03 04:00", "Madrid"),
    ("demain 9h UTC", P, "2026-12-03 10:00", "temps universel coordonné"),
    ("demain 25h", P, dates.BAD_HOUR),
    ("demain 25:00", P, dates.BAD_HOUR),
    ("9:75", P, dates.BAD_MINUTE),
    ("31 février 15h", P, dates.BAD_DAY),
    ("le 31 avril à 10h", P, dates.BAD_DAY),
    ("demain", P, dates.NO_TIME),
    ("mardi prochain", P, dates.NO_TIME),
    ("un de ces jours 15h", P, dates.NOT_READ),
    ("demain 15h EST", P, "2026-12-03 21:00", "heure de l’Est nord-américain"),
    ("demain 15h est", P, dates.NOT_READ),  # "est" in lower case is a word, not a zone
]


@pytest.mark.parametrize("row", ROWS, ids=[row[0] for row in ROWS])
def test_french(row: tuple[str, ...]) -> None:
    check(row, "fr")


def test_enough_phrasings() -> None:
    assert len(ROWS) >= 25
