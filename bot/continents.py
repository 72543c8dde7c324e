"""Which of the five continents a country is on (ISO 3166-1 alpha-2 codes).

Babel ships country names but not which region contains them, so the table is kept here,
following the UN M49 regions with North, Central and South America and the Caribbean as one
"Americas". Antarctica and the uninhabited southern islands belong to none of the five.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final, Literal

from bot.i18n import N_

Continent = Literal["africa", "americas", "asia", "europe", "oceania"]

CONTINENTS: Final[tuple[Continent, ...]] = ("africa", "americas", "asia", "europe", "oceania")
"""The five continents, in the order the roster counts them."""

CONTINENT_LABELS: Final[Mapping[Continent, str]] = {
    "africa": N_("Africa"),
    "americas": N_("Americas"),
    "asia": N_("Asia"),
    "europe": N_("Europe"),
    "oceania": N_("Oceania"),
}

_COUNTRIES: Final[Mapping[Continent, str]] = {
    "africa": (
        "DZ EG LY MA SD TN EH "  # northern
        "BI KM DJ ER ET KE MG MW MU YT MZ RE RW SC SO SS TZ UG ZM ZW IO "  # eastern
        "AO CM CF TD CG CD GQ GA ST "  # middle
        "BW SZ LS NA ZA "  # southern
        "BJ BF CV CI GM GH GN GW LR ML MR NE NG SH SN SL TG AC TA"  # western
    ),
    "americas": (
        "AI AG AW BS BB BQ VG KY CU CW DM DO GD GP HT JM MQ MS PR BL KN LC MF VC SX TT TC VI "
        "BZ CR SV GT HN MX NI PA "  # central
        "AR BO BR CL CO EC FK GF GY PY PE SR UY VE "  # south
        "BM CA GL PM US"  # north
    ),
    "asia": (
        "KZ KG TJ TM UZ "  # central
        "CN HK MO KP JP MN KR TW "  # eastern
        "BN KH ID LA MY MM PH SG TH TL VN "  # south-eastern
        "AF BD BT IN IR MV NP PK LK "  # southern
        "AM AZ BH CY GE IQ IL JO KW LB OM QA SA PS SY TR AE YE"  # western
    ),
    "europe": (
        "BY BG CZ HU PL MD RO RU SK UA "  # eastern
        "AX DK EE FO FI GG IS IE IM JE LV LT NO SJ SE GB "  # northern
        "AL AD BA HR GI GR VA IT MT ME MK PT SM RS SI ES XK EA IC "  # southern
        "AT BE FR DE LI LU MC NL CH"  # western
    ),
    "oceania": (
        "AU NZ NF CX CC "  # Australia and New Zealand
        "FJ NC PG SB VU "  # Melanesia
        "GU KI MH FM NR MP PW UM "  # Micronesia
        "AS CK PF NU PN WS TK TO TV WF CP"  # Polynesia
    ),
}

CONTINENT_OF: Final[Mapping[str, Continent]] = {
    code: continent for continent, codes in _COUNTRIES.items() for code in codes.split()
}
"""ISO 3166-1 alpha-2 code (upper case) -> continent."""


def continent_of(country: str | None) -> Continent | None:
    """The continent of a country code, or None (no country, Antarctica, unknown code)."""
    if not country:
        return None
    return CONTINENT_OF.get(country.upper())
