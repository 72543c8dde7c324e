"""The three roles of the network, in order: member < coordinator < secretariat.

Decisions about who may do what are taken in :mod:`bot.access`.
"""

from __future__ import annotations

from enum import IntEnum


class Role(IntEnum):
    MEMBER = 1
    COORDINATOR = 2
    SECRETARIAT = 3
