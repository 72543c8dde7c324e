"""Introductions' use cases and their monthly due work.

``/intros monthly [HOURS]`` joins (working hours 09:00–18:00 unless typed, e.g. ``8-16``),
``/intros off`` leaves. Once a month the round pairs the participants (``intros.pair_month``)
and, in one unit of work, records the round and its pairs and queues to both people of each
pair the other's card, their shared interests, two times that suit both (in the reader's zone)
and the buttons "We met" (counted) and "Not again" (never paired again); someone left without a
match that month (an odd number, nobody fitting) is told they stay in for the next.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Final

from bot.digests import format_when
from bot.i18n import N_
from bot.opportunities import intros
from bot.opportunities.intros import DEFAULT_HOURS, Participant
from bot.opportunities.rules import IntroTap
from bot.opportunities.texts import person_card, theme_list
from bot.rendering import Html, bold
from bot.textfold import fold
from storage import Person
from storage.opportunities import IntroPair
from storage.outbox import OutgoingMessage

if TYPE_CHECKING:
    from bot.context import WnmrcApplication
    from bot.opportunities.service import OpportunitiesService

INTRO_HEADER: Final = N_("👋 Your introduction this month: {name}")
SHARED: Final = N_("You share: {interests}")
TIMES: Final = N_("Two times that suit you both: {first}; {second}")
NO_TIMES: Final = N_("Your working hours barely meet: agree on a time together.")
WAITS: Final = N_(
    "⏳ No introduction for you this month: nobody who fits you was free (from another "
    "country, sharing an interest, with working hours that meet yours). You stay in for next "
    "month; /intros off stops."
)


@dataclass(frozen=True)
class Met:
    """How a month's introductions went: its pairs, and how many of them said they met."""

    month: str
    pairs: int
    met: int


@dataclass(frozen=True)
class IntroView:
    """An introduction as shown again by /intros: its text and its one row of buttons."""

    text: Html
    buttons: list[dict[str, str]]


@dataclass(frozen=True)
class Round:
    month: str
    pairs: int
    participants: int


class IntroductionsService:
    def __init__(self, opportunities: OpportunitiesService) -> None:
        self.opportunities = opportunities
        self.repos = opportunities.repos

    async def join(self, person: Person, hours: tuple[int, int] = DEFAULT_HOURS) -> None:
        now = self.opportunities.clock.now()
        await self.repos.opportunities.join_intros(person.id, hours, now)

    async def leave(self, person: Person) -> None:
        await self.repos.opportunities.leave_intros(person.id)

    async def last_month_met(self) -> Met | None:
        """The last round's pairs and how many met (None before the first round)."""
        found = await self.repos.opportunities.latest_round()
        return None if found is None else Met(*found)

    async def hours(self, person_id: int) -> tuple[int, int] | None:
        return (await self.repos.opportunities.intro_hours()).get(person_id)

    async def participants(self) -> list[tuple[Participant, Person]]:
        """The opted-in people the pairing can place (a country and a time zone known)."""
        hours = await self.repos.opportunities.intro_hours()
        found = []
        for person_id, their_hours in sorted(hours.items()):
            person = await self.repos.people.get(person_id)
            if person is None or not person.country or not person.timezone:
                continue
            if person.telegram_id is None or not person.reachable:
                continue
            found.append(
                (
                    intros.participant(
                        person.id,
                        person.country,
                        person.timezone,
                        person.interests,
                        person.reserve,
                        their_hours,
                    ),
                    person,
                )
            )
        return found

    async def run_month(self, now: datetime) -> Round | None:
        """This month's round (None: it already ran)."""
        month = intros.month_of(now)
        if month in await self.repos.opportunities.intro_months():
            return None
        found = await self.participants()  # fewer than two: the round runs, nobody is paired
        people = {p.person_id: (p, person) for p, person in found}
        day = intros.reference_day(now.replace(day=1))
        history = await self.repos.opportunities.intro_history()
        pairs = intros.pair_month([p for p, _ in found], history, day)
        rows = []
        for pair in pairs:
            times = intros.suggested_times(people[pair.first][0], people[pair.second][0], now)
            first, second = (*times, now, now)[:2]  # a missing time is the round's own time
            rows.append((pair.first, pair.second, first, second))
        async with self.repos.unit() as uow:
            stored = await uow.opportunities.record_round(month, rows, now)
            shared = {(p.first, p.second): p.shared for p in pairs}
            messages: list[OutgoingMessage] = []
            for stored_pair in stored:
                a, b = stored_pair.person_a, stored_pair.person_b
                one, other = people[a][1], people[b][1]
                interests = shared[(a, b)]
                fits = len(intros.suggested_times(people[a][0], people[b][0], now)) == 2
                messages.append(await self._intro(one, other, stored_pair, interests, fits))
                messages.append(await self._intro(other, one, stored_pair, interests, fits))
            paired = {
                p for stored_pair in stored for p in (stored_pair.person_a, stored_pair.person_b)
            }
            for person_id, (_, person) in people.items():
                if (stored or not pairs) and person_id not in paired:  # not when it already ran
                    messages.append(self._waits(person, month))
            await self.opportunities.outbox.enqueue(uow, messages)
        return Round(month, len(stored), len(found))

    async def _intro(
        self, reader: Person, other: Person, pair: IntroPair, shared: Sequence[str], fits: bool
    ) -> OutgoingMessage:
        text, buttons = await self._intro_view(reader, other, pair, shared, fits)
        key = f"intro:{pair.month}:{pair.id}:{reader.id}"
        return self.opportunities._message(reader, key, text, [buttons])

    async def this_month(self, person: Person) -> IntroView | None:
        """The person's introduction of this month again (None: they have none this month)."""
        pair = await self.repos.opportunities.latest_pair_of(person.id)
        if pair is None or pair.month != intros.month_of(self.opportunities.clock.now()):
            return None
        other_id = pair.person_b if pair.person_a == person.id else pair.person_a
        other = await self.repos.people.get(other_id)
        if other is None:
            return None
        shared = sorted(_folded(person.interests) & _folded(other.interests))
        fits = pair.created_at not in (pair.first_start, pair.second_start)  # see run_month
        text, buttons = await self._intro_view(person, other, pair, shared, fits)
        return IntroView(text, buttons)

    async def _intro_view(
        self, reader: Person, other: Person, pair: IntroPair, shared: Sequence[str], fits: bool
    ) -> tuple[Html, list[dict[str, str]]]:
        """The other's card, the shared interests, the two times (in the reader's zone) and
        the buttons "We met" and "Not again"."""
        service = self.opportunities
        tr = service.tr(reader)
        labels = await service.labels(tr.language)
        zone = service.zone(reader)
        groups = (await service.groups_of([other.id], tr.language)).get(other.id, [])
        parts = [
            bold(tr(INTRO_HEADER, name=other.name)),
            person_card(tr, other, groups, labels, service.clock.now()),
            tr(SHARED, interests=theme_list(shared, labels)),
        ]
        if fits:
            first = format_when(pair.first_start, zone, tr.language)
            second = format_when(pair.second_start, zone, tr.language)
            parts.append(tr(TIMES, first=first, second=second))
        else:
            parts.append(tr(NO_TIMES))
        buttons = [
            {"text": str(tr("🤝 We met")), "callback_data": IntroTap(pair.id, "met").pack()},
            {"text": str(tr("Not again")), "callback_data": IntroTap(pair.id, "avoid").pack()},
        ]
        return Html("\n\n".join(parts)), buttons

    def _waits(self, person: Person, month: str) -> OutgoingMessage:
        """The month's word to someone left without a match (an odd number, nobody fitting)."""
        tr = self.opportunities.tr(person)
        key = f"intro:{month}:wait:{person.id}"
        return self.opportunities._message(person, key, tr(WAITS), None)

    async def met(self, person: Person, pair_id: int) -> bool:
        pair = await self.repos.opportunities.intro_pair(pair_id)
        if pair is None or person.id not in (pair.person_a, pair.person_b):
            return False
        return await self.repos.opportunities.mark_met(pair_id, person.id)

    async def avoid(self, person: Person, pair_id: int) -> bool:
        pair = await self.repos.opportunities.intro_pair(pair_id)
        if pair is None or person.id not in (pair.person_a, pair.person_b):
            return False
        other = pair.person_b if pair.person_a == person.id else pair.person_a
        await self.repos.opportunities.exclude(person.id, other, self.opportunities.clock.now())
        return True


def _folded(interests: Sequence[str]) -> set[str]:
    return {fold(item) for item in interests if fold(item)}


class MonthlyIntroductions:
    """Due work: this month's round when it has not run, else the start of the next month."""

    name = "introductions"

    def __init__(self, service: IntroductionsService) -> None:
        self.service = service

    async def next_due(self, now: datetime) -> datetime | None:
        """Now when this month's round has not run and two people took part when the month
        began (someone joining mid-month waits for the next round, as the first two to join
        would otherwise be paired at once and the rest wait); else the next month's start."""
        repos = self.service.repos.opportunities
        if intros.month_of(now) in await repos.intro_months():
            return intros.next_month_start(now)
        month_start = intros.month_start(now)
        if await repos.intro_joined_before(month_start) < 2:
            return intros.next_month_start(now)
        return now

    async def run_due(self, now: datetime) -> None:
        """This month's round, when it is due (the runtime's sweeps call every work)."""
        due = await self.next_due(now)
        if due is not None and due <= now:
            await self.service.run_month(now)


def monthly_introductions(application: WnmrcApplication) -> MonthlyIntroductions:
    return MonthlyIntroductions(application.services.opportunities.intros)
