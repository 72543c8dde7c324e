"""Roster use cases: who may see a roster, the roster itself, /whois, and the CSV export.

``wnmrc-bot export roster FILE [--group SLUG]`` (:func:`export_roster`) writes the same CSV as
``/export roster``.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from bot.access import Actor
from bot.groups.rules import fold_name
from bot.permissions import Role
from bot.roster.rules import MATCHES_SHOWN, ExportRecord, may_see_roster, roster_csv
from config import Settings, SettingsError
from storage import Person, Repositories, RosterMember, WorkingGroup
from storage.repositories import existing_repositories


@dataclass(frozen=True)
class Whois:
    """The people a /whois query found, and the working groups of each."""

    found: tuple[Person, ...]
    groups: dict[int, list[tuple[WorkingGroup, bool]]]
    """Person id -> their groups, each with whether they coordinate it."""


class RosterService:
    """Rosters of the working groups, and looking people up."""

    def __init__(self, repos: Repositories) -> None:
        self._repos = repos

    async def may_see(self, actor: Actor, group_id: int) -> bool:
        """Members see their own groups' rosters; coordinators and the secretariat any."""
        member = await self._repos.roster.is_member(actor.person_id, group_id)
        return may_see_roster(actor, member)

    async def members(self, group_id: int) -> list[RosterMember]:
        return await self._repos.roster.members(group_id)

    async def own_groups(self, person_id: int) -> list[WorkingGroup]:
        """The active groups the person is a member of."""
        ids = set(await self._repos.roster.group_ids_of(person_id))
        return [group for group in await self._repos.groups.list() if group.id in ids]

    async def may_look_up(self, actor: Actor) -> bool:
        """Members of a working group, coordinators and the secretariat; nobody else."""
        if actor.role >= Role.COORDINATOR:
            return True
        return bool(await self._repos.roster.group_ids_of(actor.person_id))

    async def whois(self, query: str) -> Whois:
        """Up to one more than ``MATCHES_SHOWN`` people matching ``query``, with their groups."""
        found = await self._repos.people.search(
            query, limit=MATCHES_SHOWN + 1, by_id=False, fold=fold_name
        )
        by_id = {group.id: group for group in await self._repos.groups.list()}
        groups: dict[int, list[tuple[WorkingGroup, bool]]] = {}
        for membership in await self._repos.roster.memberships([p.id for p in found]):
            group = by_id.get(membership.group_id)
            if group is not None:
                place = (group, membership.role == "coordinator")
                groups.setdefault(membership.person_id, []).append(place)
        return Whois(tuple(found), groups)

    async def export(self, group: WorkingGroup | None) -> list[ExportRecord]:
        """The records of the CSV export: one group, or every active group."""
        return await export_records(self._repos, group)


async def export_records(repos: Repositories, group: WorkingGroup | None) -> list[ExportRecord]:
    """The people of one group (or of every active group) with all their groups."""
    slugs = {g.id: g.slug for g in await repos.groups.list()}
    if group is not None:
        members = await repos.roster.members(group.id)
        people = [m.person for m in members]
        joined: dict[int, datetime] = {m.person.id: m.joined_at for m in members}
    else:
        people = await repos.roster.network_members()
        joined = {}
    memberships = await repos.roster.memberships([p.id for p in people])
    groups_of: dict[int, list[str]] = {}
    for m in memberships:
        groups_of.setdefault(m.person_id, []).append(slugs.get(m.group_id, str(m.group_id)))
        if group is None and (m.person_id not in joined or m.joined_at < joined[m.person_id]):
            joined[m.person_id] = m.joined_at
    return [
        ExportRecord(
            person=p,
            groups=tuple(groups_of.get(p.id, ())),
            joined=joined[p.id].date() if p.id in joined else None,
        )
        for p in people
    ]


async def export_roster(settings: Settings, path: Path, *, group_slug: str | None) -> str:
    """``wnmrc-bot export roster FILE [--group SLUG]``: write the CSV, return one line."""
    async with existing_repositories(settings) as repos:
        group = await _group_for_export(repos, group_slug)
        records = await export_records(repos, group)
    await asyncio.to_thread(path.write_bytes, roster_csv(records))
    scope = f"working group {group.slug}" if group else "all working groups"
    return f"{path}: {len(records)} people ({scope})"


async def _group_for_export(repos: Repositories, slug: str | None) -> WorkingGroup | None:
    if slug is None:
        return None
    groups = await repos.groups.list()
    for group in groups:
        if group.slug == slug.strip().lower():
            return group
    raise SettingsError("--group", "one of " + ", ".join(g.slug for g in groups))
