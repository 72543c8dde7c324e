"""The calendar and slot-finder use cases: meetings as ``.ics`` files, best times for a group.

Plain values in, plain results out (the handlers render): :class:`CalendarFiles` finds what a
person may put in their calendar; :class:`SlotFinder` proposes times for a group across its
members' zones (the ranking, in ``bot/meetings/slots.py``, runs on a worker thread: a long
window holds thousands of candidates).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.access import Actor
from bot.clock import Clock
from bot.i18n import N_
from bot.meetings import calendar, rules
from bot.meetings.buttons import STALE
from bot.meetings.slots import Member, Slot, SlotsRefusal, SlotsRequest, best_slots, parse_request
from bot.permissions import Role
from bot.roster import zone_of
from storage import Person, Repositories, WorkingGroup

UTC = ZoneInfo("UTC")
CANCELLED = N_("This meeting was cancelled.")
NO_GROUP = N_("You are not in any working group yet. /groups lists them and lets you join one.")
NOT_STARTED = N_(
    "Start a private chat with me first (open my profile and press Start), then tap again."
)


@dataclass(frozen=True)
class CalendarFile:
    """An ``.ics`` to send: its bytes, its file name, how many meetings it holds."""

    content: bytes
    filename: str
    meetings: int


@dataclass(frozen=True)
class OccurrenceFile:
    """One occurrence's ``.ics`` for a person's private chat."""

    content: bytes
    filename: str
    title: str
    starts_at: datetime
    chat_id: int


@dataclass(frozen=True)
class Proposals:
    """/slots' answer: the proposals, the members not counted, the request and its window."""

    slots: list[Slot]
    unknown: list[Member]
    request: SlotsRequest
    window: tuple[datetime, datetime]


@dataclass(frozen=True)
class NoZones:
    """No member of the group has a time zone: nothing to compare."""


class CalendarFiles:
    """Meetings as calendar files."""

    def __init__(self, repos: Repositories, clock: Clock) -> None:
        self.repos = repos
        self.clock = clock

    async def groups_of(self, person_id: int, actor: Actor | None) -> list[WorkingGroup]:
        """The person's groups; the secretariat's calendar has every group."""
        groups = await self.repos.groups.list()
        if actor is not None and actor.role is Role.SECRETARIAT:
            return groups
        own = set(await self.repos.roster.group_ids_of(person_id))
        return [group for group in groups if group.id in own]

    async def in_some_group(self, person_id: int, actor: Actor | None) -> bool:
        """Whether the person may read a linked chat's calendar: never someone in no group."""
        if actor is not None and actor.role >= Role.COORDINATOR:
            return True
        return bool(await self.repos.roster.group_ids_of(person_id))

    async def of_groups(
        self, groups: Sequence[WorkingGroup], names: Sequence[str], owner_id: int | None = None
    ) -> CalendarFile | None:
        """Every meeting of these groups (``names`` as the reader reads them) and the due dates
        of their roadmap actions, with those ``owner_id`` owns elsewhere; None: nothing."""
        meetings = await self.repos.calendar.meetings_of_groups([g.id for g in groups])
        deadlines = await self.repos.roadmap.actions([g.id for g in groups])
        if owner_id is not None:
            known = {action.id for action in deadlines}
            owned = await self.repos.roadmap.owned_by(owner_id)
            deadlines += [action for action in owned if action.id not in known]
        if not meetings and not deadlines:
            return None
        name = calendar.calendar_name(names)
        content = calendar.calendar_file(meetings, self.clock.now(), name, deadlines)
        scope = groups[0].slug if len(groups) == 1 else None
        return CalendarFile(content, calendar.calendar_filename(scope), len(meetings))

    async def of_occurrence(
        self, occurrence_id: int, person: Person, actor: Actor | None, here: int | None
    ) -> OccurrenceFile | rules.Refusal:
        """One occurrence for the person's private chat, if they may read it (``here``: the
        group linked to the chat the button was tapped in)."""
        found = await self.repos.calendar.occurrence(occurrence_id)
        if found is None:
            return rules.Refusal(STALE)
        meeting, occurrence = found
        own = await self.repos.roster.group_ids_of(person.id)
        coordinator = actor is not None and actor.role >= Role.COORDINATOR
        if not own and not coordinator:
            return rules.Refusal(NO_GROUP)
        if not rules.may_read(own, meeting.group_ids, coordinator=coordinator, here=here):
            return rules.Refusal(STALE)
        if meeting.status == "cancelled" or occurrence.status == "cancelled":
            return rules.Refusal(CANCELLED)
        if person.telegram_id is None or person.started_at is None:
            return rules.Refusal(NOT_STARTED)
        return OccurrenceFile(
            calendar.occurrence_file(meeting, occurrence, self.clock.now()),
            calendar.occurrence_filename(meeting, occurrence),
            meeting.title,
            occurrence.starts_at,
            person.telegram_id,
        )


class SlotFinder:
    """The best meeting times for a group."""

    def __init__(self, repos: Repositories, clock: Clock) -> None:
        self.repos = repos
        self.clock = clock

    async def members(self, group_id: int) -> list[Member]:
        """The group's members as the slot finder sees them (zone None: unknown)."""
        roster = await self.repos.roster.members(group_id)
        return [Member(m.person.id, m.person.name, zone_of(m.person.timezone)) for m in roster]

    async def propose(
        self, group_id: int, options: Sequence[str], zone: ZoneInfo
    ) -> Proposals | SlotsRefusal | NoZones:
        """Proposals for ``[DURATION] [FROM TO]`` typed in ``zone``."""
        now = self.clock.now()
        request = parse_request(options, now.astimezone(zone).date())
        if isinstance(request, SlotsRefusal):
            return request
        members = await self.members(group_id)
        known = [member for member in members if member.zone is not None]
        if not known:
            return NoZones()
        window = request.window(zone, now)
        slots = await asyncio.to_thread(best_slots, known, *window, request.minutes, UTC)
        unknown = [member for member in members if member.zone is None]
        return Proposals(slots, unknown, request, window)

    async def again(
        self, group_id: int, window: tuple[datetime, datetime], minutes: int
    ) -> list[Slot] | None:
        """The proposals of a button, computed again; None once they are out of date."""
        known = [m for m in await self.members(group_id) if m.zone is not None]
        slots = await asyncio.to_thread(best_slots, known, *window, minutes, UTC)
        now = self.clock.now()
        if len(slots) < 2 or any(slot.start <= now for slot in slots):
            return None
        return slots
