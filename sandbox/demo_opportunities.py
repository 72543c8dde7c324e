"""The demo network's opportunities (loaded once): one open opportunity of each kind, a filled
internship, a joint project born from a proposal, and a month of introductions."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from bot.clock import Clock
from bot.opportunities import intros
from sandbox.emulator import SimUser
from storage import Person, Repositories

if TYPE_CHECKING:
    from sandbox.demo import DemoPerson

OPEN: tuple[tuple[str, str, str, str, list[str], list[str], list[str]], ...] = (
    ("Ana", "project", "Andean snow atlas (demo)", "Partners to map snow cover across reserves.",
     ["climate"], ["online"], ["es", "en"]),
    ("Léa", "funding", "Alpine adaptation fund 2027 (demo)", "Grants up to 20,000 EUR.",
     ["climate", "community"], ["FR", "IT", "ES"], ["fr", "en"]),
    ("Amara", "internship", "Wildlife corridors internship (demo)", "Three months in Kenya.",
     ["biodiversity"], ["KE"], ["en"]),
    ("Tenzin", "exchange", "Rangers' exchange visit (demo)", "Two weeks with our rangers.",
     ["community"], ["NP"], ["en"]),
    ("Youssef", "placement", "Seeking a placement on water (demo)", "A young researcher on water.",
     ["socioeconomics", "water"], [], ["fr", "en"]),
    ("Mei", "call", "Mountain tourism webinar (demo)", "Talks wanted for a webinar.",
     ["socioeconomics"], ["online"], ["zh", "en"]),
)  # fmt: skip


TOPICS: dict[str, tuple[str, ...]] = {
    "Ana": ("glaciares", "bofedales"),
    "Sofía": ("polinizadores", "cóndores"),
    "Emily": ("glacier monitoring", "visitor management"),
    "Léa": ("pollinisateurs", "pastoralisme"),
    "Mei": ("冰川监测", "野生动物"),
    "Tenzin": ("glacial lakes", "tourism"),
    "Amara": ("wildlife corridors",),
    "Youssef": ("eau", "oasis"),
    "Aroha": ("snow", "Māori knowledge"),
    "Hana": ("satoyama", "seeds"),
}
"""The demo people's own interests beside their groups' themes, each in their language
(``/find glaciares`` finds Ana, Emily, Mei and Tenzin)."""


async def load_opportunities(
    users: Mapping[DemoPerson, SimUser], repos: Repositories, clock: Clock
) -> None:
    """Once: skipped when the demo already has opportunities."""
    if await repos.opportunities.open():
        return
    now = clock.now()
    people: dict[str, Person] = {}
    for person, user in users.items():
        stored = await repos.people.by_telegram_id(user.id)
        if stored is not None:
            if not stored.interests:
                languages = [person.language, "en"]
                stored = await repos.people.update_profile(
                    stored.id,
                    now,
                    interests=[*person.groups, *TOPICS.get(person.first_name, ())],
                    spoken_languages=languages,
                )
            people[person.first_name] = stored
    for poster, kind, title, text, themes, places, languages in OPEN:
        deadline = now + timedelta(days=30 + 7 * len(title) % 20)
        await repos.opportunities.create(
            people[poster].id, kind, title, text, themes, places, languages, deadline,
            people[poster].timezone, None, now,
        )  # fmt: skip
    await _filled_internship(people, repos, now)
    await _joint_project(people, repos, now)
    await _introductions(people, repos, clock)


async def _filled_internship(people: dict[str, Person], repos: Repositories, now: datetime) -> None:
    made = await repos.opportunities.create(
        people["Ana"].id, "internship", "Glacier monitoring internship (demo)",
        "Filled: Emily joins the glacier team.", ["climate"], ["PE"], ["es", "en"],
        None, "America/Lima", None, now,
    )  # fmt: skip
    await repos.opportunities.add_interest(made.id, people["Emily"].id, "I study glaciers.", now)
    await repos.opportunities.decide(made.id, people["Emily"].id, "accepted", now)
    await repos.opportunities.set_status(made.id, "filled", now)


async def _joint_project(people: dict[str, Person], repos: Repositories, now: datetime) -> None:
    proposal = await repos.opportunities.create(
        people["Sofía"].id, "project", "Pollinators across the Andes (demo)",
        "A joint survey of pollinators.", ["biodiversity"], ["AR", "PE"], ["es"],
        None, None, None, now,
    )  # fmt: skip
    partner = people["Aroha"]
    await repos.opportunities.add_interest(proposal.id, partner.id, None, now)
    await repos.opportunities.decide(proposal.id, partner.id, "accepted", now)
    names = dict.fromkeys(("en", "es", "zh", "fr"), proposal.title)
    group = await repos.groups.create(f"project-{proposal.id}", proposal.title, names, now)
    if group is None:
        return
    await repos.opportunities.mark_project(group.id)
    await repos.groups.appoint(group.id, people["Sofía"].id, now)
    await repos.groups.add_member(group.id, partner.id, "member", now)
    await repos.opportunities.set_project(proposal.id, group.id, now)
    await repos.opportunities.set_status(proposal.id, "filled", now)


async def _introductions(people: dict[str, Person], repos: Repositories, clock: Clock) -> None:
    now = clock.now()
    joined = [p for p in people.values() if p.country and p.timezone]
    for person in joined:
        await repos.opportunities.join_intros(person.id, intros.DEFAULT_HOURS, now)
    found = [intros.participant(p.id, p.country or "", p.timezone or "UTC", p.interests, p.reserve)
             for p in joined]  # fmt: skip
    by_id = {p.person_id: p for p in found}
    pairs = intros.pair_month(found, set(), intros.reference_day(now.replace(day=1)))
    rows = []
    for pair in pairs:
        times = intros.suggested_times(by_id[pair.first], by_id[pair.second], now)
        first, second = (*times, now, now)[:2]
        rows.append((pair.first, pair.second, first, second))
    await repos.opportunities.record_round(intros.month_of(now), rows, now)
