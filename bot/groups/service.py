"""Working groups' use cases: listing, joining and leaving, creating and linking groups,
naming coordinators, removing members, and following a linked chat's membership.

Methods take plain values and return plain results (what happened); the handlers render them.
Every write runs in one unit of work.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from bot.access import Actor
from bot.clock import Clock
from bot.groups.rules import (
    ChatMove,
    NewGroup,
    PersonLookup,
    find_group,
    fold_name,
    group_of_place,
    name_taken,
    pick_person,
)
from bot.i18n import LANGUAGES
from bot.presence import Sender
from storage import Chat, Membership, MembershipSource, Person, Repositories, WorkingGroup


@dataclass(frozen=True)
class Listing:
    """The active groups, their member counts, and the reader's own groups."""

    groups: tuple[WorkingGroup, ...]
    counts: dict[int, int]
    mine: frozenset[int]
    projects: frozenset[int] = frozenset()
    """The groups that are joint projects (born from a proposal), listed in their own section."""


class Joined(Enum):
    JOINED = "joined"
    ALREADY_MEMBER = "already member"


class Left(Enum):
    LEFT = "left"
    LEFT_COORDINATING = "left, no longer coordinating"
    NOT_MEMBER = "not a member"


class Removal(Enum):
    REMOVED = "removed"
    NOT_MEMBER = "not a member"
    COORDINATOR = "a coordinator: only the secretariat may remove them"


@dataclass(frozen=True)
class Linked:
    """A chat (or topic) linked to a group, and the groups it replaced there."""

    group: WorkingGroup
    replaced: tuple[WorkingGroup, ...]


def _left(before: Membership | None) -> Left:
    if before is None:
        return Left.NOT_MEMBER
    return Left.LEFT_COORDINATING if before.role == "coordinator" else Left.LEFT


class GroupsService:
    """The working groups of the network and who is in them."""

    def __init__(self, repos: Repositories, clock: Clock, secretariat_ids: frozenset[int]) -> None:
        self._repos = repos
        self._clock = clock
        self._secretariat_ids = secretariat_ids

    # --- reading ----------------------------------------------------------------------

    async def actor(self, person: Person) -> Actor:
        """The person with their roles: secretariat (settings) and the groups they coordinate."""
        coordinated = await self._repos.groups.coordinated_by(person.id)
        return Actor(
            person_id=person.id,
            telegram_id=person.telegram_id,
            secretariat=person.telegram_id in self._secretariat_ids,
            coordinated=frozenset(coordinated),
        )

    async def active(self) -> list[WorkingGroup]:
        """The active working groups, in order."""
        return await self._repos.groups.list()

    async def themes(self) -> list[WorkingGroup]:
        """The active working groups that are themes (a joint project is not one)."""
        projects = await self._repos.opportunities.project_ids()
        return [group for group in await self.active() if group.id not in projects]

    async def get(self, group_id: int) -> WorkingGroup | None:
        """The active group with that id."""
        return next((g for g in await self.active() if g.id == group_id), None)

    async def find(self, query: str) -> WorkingGroup | None:
        """The active group ``query`` names (slug, name in any language, unique prefix)."""
        return find_group(await self.active(), query)

    async def of_place(self, chat_id: int, topic_id: int | None) -> WorkingGroup | None:
        """The group whose chat (or topic) this is."""
        return group_of_place(await self.active(), chat_id, topic_id)

    async def may_enter_chat(self, chat_id: int, telegram_id: int) -> bool:
        """Whether a request to join this linked chat comes from a member of a group it holds."""
        linked = {group.id for group in await self.active() if group.chat_id == chat_id}
        person = await self._repos.people.by_telegram_id(telegram_id)
        if not linked or person is None:
            return False
        return any(m.group_id in linked for m in await self._repos.groups.memberships_of(person.id))

    async def chat(self, chat_id: int) -> Chat | None:
        """What the bot knows of a chat (its title and public username)."""
        return await self._repos.chats.get(chat_id)

    async def listing(self, person_id: int | None) -> Listing:
        """What /groups shows: the groups, their sizes and (given a reader) their own."""
        groups = tuple(await self._repos.groups.list())
        counts = await self._repos.groups.member_counts() if groups else {}
        mine: frozenset[int] = frozenset()
        if person_id is not None and groups:
            memberships = await self._repos.groups.memberships_of(person_id)
            mine = frozenset(m.group_id for m in memberships)
        projects = await self._repos.opportunities.project_ids() if groups else frozenset()
        return Listing(groups, counts, mine, projects)

    async def names_of_groups_of(self, person_id: int, language: str) -> list[str]:
        """The names of the person's groups in ``language``, in group order."""
        ids = {m.group_id for m in await self._repos.groups.memberships_of(person_id)}
        return [group.name(language) for group in await self.active() if group.id in ids]

    async def find_person(self, query: str) -> PersonLookup:
        """The one person ``query`` names, or the candidates when it is ambiguous."""
        return pick_person(query, await self._repos.people.search(query, fold=fold_name))

    # --- membership -------------------------------------------------------------------

    async def join(self, group_id: int, person_id: int, source: MembershipSource) -> Joined:
        now = self._clock.now()
        if await self._repos.groups.join(group_id, person_id, now, source):
            return Joined.JOINED
        return Joined.ALREADY_MEMBER

    async def leave(self, group_id: int, person_id: int) -> Left:
        return _left(await self._repos.groups.leave(group_id, person_id, self._clock.now()))

    async def remove(self, group_id: int, person_id: int, by: Actor) -> Removal:
        """A coordinator (or the secretariat) takes a member out of the group."""
        async with self._repos.unit() as uow:
            membership = await uow.groups.membership(group_id, person_id)
            if membership is None or not membership.current:
                return Removal.NOT_MEMBER
            if membership.coordinator and not by.secretariat:
                return Removal.COORDINATOR
            await uow.groups.leave(group_id, person_id, self._clock.now())
        return Removal.REMOVED

    async def appoint(self, group_id: int, person_id: int) -> bool:
        """Make the person a coordinator; False when they already coordinate the group."""
        return await self._repos.groups.appoint(group_id, person_id, self._clock.now())

    async def dismiss(self, group_id: int, person_id: int) -> bool:
        """A coordinator goes back to being a member; False when they did not coordinate."""
        return await self._repos.groups.dismiss(group_id, person_id)

    # --- groups and chats -------------------------------------------------------------

    async def create(self, new: NewGroup) -> WorkingGroup | None:
        """A new group named ``new.name`` in every language; None when the name is taken."""
        async with self._repos.unit() as uow:
            if name_taken(await uow.groups.list(active_only=False), new.slug, new.name):
                return None
            names = dict.fromkeys(LANGUAGES, new.name)
            return await uow.groups.create(new.slug, new.theme, names, self._clock.now())

    async def link_chat(self, group: WorkingGroup, chat_id: int, topic_id: int | None) -> Linked:
        """Make this chat (or topic) the group's place, replacing any group linked there."""
        now = self._clock.now()
        unlinked = await self._repos.groups.link_chat_alone(group.id, chat_id, topic_id, now)
        replaced = tuple(g for g in await self.active() if g.id in unlinked)
        return Linked(group, replaced)

    async def follow_chat_move(self, chat_id: int, sender: Sender, move: ChatMove) -> int:
        """Someone joined or left a linked chat: leaving it leaves its groups. Entering it joins
        nothing here: membership comes only through the group's join policy
        (``JoiningService.entered_chat``). How many groups were linked."""
        groups = await self._repos.groups.linked_to_chat(chat_id)
        if not groups:
            return 0
        now = self._clock.now()
        async with self._repos.unit() as uow:
            person = await uow.people.upsert_from_telegram(
                telegram_id=sender.telegram_id,
                first_name=sender.first_name,
                last_name=sender.last_name,
                username=sender.username,
                language_code=sender.language_code,
                private=False,
                now=now,
            )
            for group in groups:
                if move is ChatMove.LEFT:
                    await uow.groups.leave(group.id, person.id, now)
        return len(groups)

    async def record_seen(self, chat_id: int, topic_id: int | None, person_id: int) -> None:
        """Whoever writes in a linked chat is recorded as seen there."""
        await self._repos.groups.record_seen(chat_id, topic_id, person_id, self._clock.now())

    async def mark_unreachable(self, person_id: int) -> None:
        """The person blocked the bot: stop writing to them until they write again."""
        await self._repos.people.mark_unreachable(person_id, self._clock.now())
