"""The fictional demo network for ``wnmrc-bot sandbox --demo``.

Everyone and every reserve here is invented (the reserves are marked "demo"): people on five
continents, each in their own zone and language, in the four working groups, each group with a
linked group chat. Later features add their part (a meeting with answers, experiences at every
review stage, a digest due) in :meth:`DemoNetwork.load`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.clock import Clock
from sandbox.emulator import Emulator, SimChat, SimUser
from storage import ProfileRole, Repositories


@dataclass(frozen=True)
class DemoPerson:
    first_name: str
    last_name: str
    language: str
    timezone: str
    reserve: str
    groups: tuple[str, ...]
    coordinates: tuple[str, ...] = ()
    secretariat: bool = False
    country: str | None = None
    """ISO 3166-1 alpha-2, shown (with the continent) in the roster."""
    role: ProfileRole | None = None


PEOPLE: tuple[DemoPerson, ...] = (
    DemoPerson(
        "Ana",
        "Quispe",
        "es",
        "America/Lima",
        "Cordillera Alta (demo), Peru",
        ("climate", "community"),
        coordinates=("climate",),
        country="PE",
        role="reserve_manager",
    ),
    DemoPerson(
        "Sofía",
        "Herrera",
        "es",
        "America/Argentina/Mendoza",
        "Valle Nevado (demo), Argentina",
        ("biodiversity",),
        country="AR",
        role="researcher",
    ),
    DemoPerson(
        "Emily",
        "Clarke",
        "en",
        "America/Vancouver",
        "Coast Range (demo), Canada",
        ("climate", "socioeconomics"),
        country="CA",
        role="young_researcher",
    ),
    DemoPerson(
        "Léa",
        "Moreau",
        "fr",
        "Europe/Paris",
        "Hautes Combes (demo), France",
        ("biodiversity", "community"),
        coordinates=("biodiversity",),
        country="FR",
        role="reserve_manager",
    ),
    DemoPerson(
        "Jorge",
        "Ruiz",
        "es",
        "Europe/Madrid",
        "Secretariat (demo), Spain",
        (),
        secretariat=True,
        country="ES",
        role="secretariat",
    ),
    DemoPerson(
        "Liu",
        "Yang",
        "zh",
        "Asia/Shanghai",
        "Secretariat (demo), China",
        (),
        secretariat=True,
        country="CN",
        role="secretariat",
    ),
    DemoPerson(
        "Mei",
        "Wang",
        "zh",
        "Asia/Shanghai",
        "Yunling Shan (demo), China",
        ("climate", "biodiversity"),
        country="CN",
        role="researcher",
    ),
    DemoPerson(
        "Tenzin",
        "Sherpa",
        "en",
        "Asia/Kathmandu",
        "Upper Khola (demo), Nepal",
        ("climate", "socioeconomics"),
        coordinates=("socioeconomics",),
        country="NP",
        role="reserve_manager",
    ),
    DemoPerson(
        "Amara",
        "Njoroge",
        "en",
        "Africa/Nairobi",
        "Mount Kirima (demo), Kenya",
        ("community", "socioeconomics"),
        coordinates=("community",),
        country="KE",
        role="reserve_manager",
    ),
    DemoPerson(
        "Youssef",
        "Amrani",
        "fr",
        "Africa/Casablanca",
        "Haut Atlas Vert (demo), Morocco",
        ("biodiversity", "socioeconomics"),
        country="MA",
        role="young_researcher",
    ),
    DemoPerson(
        "Aroha",
        "Ngata",
        "en",
        "Pacific/Auckland",
        "Southern Alps East (demo), New Zealand",
        ("climate", "community"),
        country="NZ",
        role="researcher",
    ),
    DemoPerson(
        "Hana",
        "Sato",
        "en",
        "Asia/Tokyo",
        "Kita Ridge (demo), Japan",
        ("biodiversity",),
        country="JP",
        role="other",
    ),
)

GROUP_CHAT_TITLES = {
    "climate": "WG Climate change (demo)",
    "biodiversity": "WG Biodiversity (demo)",
    "community": "WG Community empowerment (demo)",
    "socioeconomics": "WG Socioeconomics (demo)",
}


@dataclass
class DemoNetwork:
    """The demo people and chats in the emulator, loaded into the bot's database on start."""

    users: dict[DemoPerson, SimUser]
    chats: dict[str, SimChat]
    secretariat_ids: frozenset[int] = field(default_factory=frozenset)

    @classmethod
    def build(cls, emulator: Emulator) -> DemoNetwork:
        """Create the people and the four group chats in the emulator."""
        users = {
            person: emulator.add_user(
                person.first_name, last_name=person.last_name, language_code=person.language
            )
            for person in PEOPLE
        }
        chats = {
            slug: emulator.add_group(
                title,
                members=[users[p] for p in PEOPLE if slug in p.groups or p.secretariat],
                admins=[users[p] for p in PEOPLE if slug in p.coordinates or p.secretariat],
            )
            for slug, title in GROUP_CHAT_TITLES.items()
        }
        for user in users.values():
            emulator.mark_started(user)
        secretariat = frozenset(users[p].id for p in PEOPLE if p.secretariat)
        return cls(users, chats, secretariat)

    async def load(self, repos: Repositories, clock: Clock) -> None:
        """Store the people, their zones, memberships and the linked chats."""
        now = clock.now()
        for person, user in self.users.items():
            stored = await repos.people.upsert_from_telegram(
                telegram_id=user.id,
                first_name=person.first_name,
                last_name=person.last_name,
                username=None,
                language_code=person.language,
                private=True,
                now=now,
            )
            await repos.people.set_timezone(stored.id, person.timezone, now)
            await repos.people.update_profile(
                stored.id, now, reserve=person.reserve, country=person.country, role=person.role
            )
            for slug in person.groups:
                group = await repos.groups.by_slug(slug)
                if group is not None:
                    role = "coordinator" if slug in person.coordinates else "member"
                    await repos.groups.add_member(group.id, stored.id, role, now)
        for slug, chat in self.chats.items():
            group = await repos.groups.by_slug(slug)
            if group is not None:
                await repos.chats.upsert(
                    chat_id=chat.id,
                    type=chat.type,
                    title=chat.title,
                    username=None,
                    is_forum=False,
                    now=now,
                )
                await repos.groups.link_chat(group.id, chat.id, None, now)

    def banner(self) -> str:
        lines = ["Demo network loaded (fictional people and reserves):"]
        for person in PEOPLE:
            role = (
                "secretariat"
                if person.secretariat
                else ", ".join(
                    f"{g}{' (coordinator)' if g in person.coordinates else ''}"
                    for g in person.groups
                )
            )
            lines.append(
                f"  {person.first_name} {person.last_name} — {person.reserve}, "
                f"{person.timezone}, {person.language}: {role}"
            )
        lines.append("Be one of them with /as NAME (e.g. /as Jorge); /chats lists the groups.")
        return "\n".join(lines)
