"""Who may do what: member < coordinator (of a working group) < secretariat (from settings).

Every permission decision goes through :func:`role_of` and :func:`refusal` (DESIGN.md,
decision 8), so a refused command always says why in one translated line.
"""

from __future__ import annotations

from enum import IntEnum

from bot.i18n import N_


class Role(IntEnum):
    MEMBER = 1
    COORDINATOR = 2
    SECRETARIAT = 3


def role_of(telegram_id: int | None, *, secretariat_ids: frozenset[int], coordinates: bool) -> Role:
    """The highest role of a person: secretariat by settings, coordinator by the roster."""
    if telegram_id is not None and telegram_id in secretariat_ids:
        return Role.SECRETARIAT
    return Role.COORDINATOR if coordinates else Role.MEMBER


def allows(role: Role, required: Role) -> bool:
    return role >= required


REFUSALS = {
    Role.COORDINATOR: N_("Only coordinators of a working group and the secretariat can do that."),
    Role.SECRETARIAT: N_("Only the network secretariat can do that."),
}


def refusal(required: Role) -> str:
    """The message id that explains a refusal for a command that needs ``required``."""
    return REFUSALS.get(required, N_("You are not allowed to do that."))
