"""Who may do what, decided in one place (docs/developers.md, "Permissions").

member < coordinator (of a working group) < secretariat (named in settings). An :class:`Actor`
is what the bot knows of the person behind an update; :func:`refusal` says, as a message id,
why an action is not allowed — or None when it is.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.commands import Command, Where
from bot.i18n import N_
from bot.permissions import Role


@dataclass(frozen=True)
class Actor:
    person_id: int
    telegram_id: int | None
    secretariat: bool
    coordinated: frozenset[int]
    """Ids of the working groups this person coordinates."""

    @property
    def role(self) -> Role:
        """The highest role anywhere."""
        if self.secretariat:
            return Role.SECRETARIAT
        return Role.COORDINATOR if self.coordinated else Role.MEMBER

    def role_in(self, group_id: int | None) -> Role:
        """The role for one working group (coordinating another group does not count)."""
        if self.secretariat:
            return Role.SECRETARIAT
        if group_id is not None and group_id in self.coordinated:
            return Role.COORDINATOR
        return Role.MEMBER


REFUSALS = {
    Role.COORDINATOR: N_("Only coordinators of a working group and the secretariat can do that."),
    Role.SECRETARIAT: N_("Only the network secretariat can do that."),
}
GROUP_REFUSAL = N_("Only the coordinators of {group} and the secretariat can do that.")


def refusal(actor: Actor, required: Role, group_id: int | None = None) -> str | None:
    """Why ``actor`` may not act with ``required`` role (in ``group_id`` if given), or None."""
    role = actor.role if group_id is None else actor.role_in(group_id)
    if role >= required:
        return None
    if group_id is not None and required is Role.COORDINATOR:
        return GROUP_REFUSAL
    return REFUSALS.get(required, N_("You are not allowed to do that."))


def wrong_place(command: Command, private: bool) -> str | None:
    """Why a command cannot be used in this kind of chat, or None when it can."""
    if private and not command.where & Where.PRIVATE:
        return N_("Use /{command} in a group chat of a working group.")
    if not private and not command.where & Where.GROUP:
        return N_("Use /{command} in your private chat with me.")
    return None
