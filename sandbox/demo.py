"""The fictional demo network for ``wnmrc-bot sandbox --demo``.

Everyone and every reserve here is invented (the reserves are marked "demo"): people on five
continents, each in their own zone and language, in the four working groups, each group with a
linked group chat. Later features add their part (a meeting with answers, experiences at every
review stage, a digest due) in :meth:`DemoNetwork.load`.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.roadmap.rules import Due, nudge_plan
from sandbox.demo_opportunities import load_opportunities
from sandbox.emulator import Emulator, SimChat, SimUser
from storage import ExperienceStatus, ProfileRole, Repositories
from storage.decisions import NewProposal
from storage.imports import ImportedPerson, ImportsRepository
from storage.meetings import NewMeeting, RsvpAnswer
from storage.models import ExperienceFile, JoinPolicy


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


CHAT_SETTINGS: dict[str, tuple[str, str]] = {"biodiversity": ("fr", "Europe/Paris")}
"""Linked chats whose coordinators chose the chat's own language and zone (/language and
/timezone in the chat): group slug -> (language, IANA zone)."""

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

DEMO_EXPERIENCES: tuple[tuple[str, str, ExperienceStatus, dict[str, object]], ...] = (
    (
        "Ana",
        "es",
        "submitted",
        {
            "title": "Bofedales restaurados (demo)",
            "reserve": "Cordillera Alta (demo)",
            "country": "PE",
            "themes": ["climate", "community"],
            "summary": "Las comunidades reabrieron canales antiguos y los humedales altoandinos "
            "vuelven a retener agua en la estación seca.",
            "results": "120 ha de bofedal con agua todo el año; 4 comunidades participan.",
            "contact": "Ana Quispe (demo)",
        },
    ),
    (
        "Sofía",
        "es",
        "in_review",
        {
            "title": "Monitoreo de cóndores con escuelas (demo)",
            "reserve": "Valle Nevado (demo)",
            "country": "AR",
            "themes": ["biodiversity"],
            "summary": "Estudiantes de cinco escuelas cuentan cóndores cada mes y comparten "
            "los datos con la reserva.",
            "links": ["https://example.org/condores-demo"],
        },
    ),
    (
        "Emily",
        "en",
        "changes_requested",
        {
            "title": "Trail counters for visitor management (demo)",
            "reserve": "Coast Range (demo)",
            "country": "CA",
            "themes": ["socioeconomics"],
            "summary": "Cheap trail counters showed where visitors go, so rangers moved "
            "parking and signs.",
        },
    ),
    (
        "Hana",
        "en",
        "accepted",
        {
            "title": "Satoyama seed exchange (demo)",
            "reserve": "Kita Ridge (demo)",
            "country": "JP",
            "themes": ["biodiversity", "community"],
            "summary": "Farmers and the reserve keep a seed library of local varieties.",
            "results": "62 local varieties kept; 140 households take part.",
            "replicability": "A room, a freezer and one volunteer per season.",
        },
    ),
)
"""Experiences at several review stages: author's first name, language, status, fields."""

DEMO_PUBLISHED: tuple[tuple[str, str, tuple[tuple[int, int, int], ...], dict[str, object]], ...] = (
    (
        "Liu",
        "zh",
        ((70, 130, 180), (120, 160, 90)),
        {
            "title": "高山草甸轮牧（演示）",
            "reserve": "雪峰山（演示）",
            "country": "CN",
            "themes": ["community", "biodiversity"],
            "summary": "牧民与保护区共同制定轮牧计划，草甸植被两年内明显恢复。",
            "results": "三个村参与；退化草甸减少三分之一。",
            "contact": "刘阳（演示）",
        },
    ),
    (
        "Tenzin",
        "en",
        ((200, 120, 60),),
        {
            "title": "Glacier lake early warning with villages (demo)",
            "reserve": "Khumbu Heights (demo)",
            "country": "NP",
            "themes": ["climate"],
            "summary": "Villagers read lake-level gauges every week and a siren chain warns "
            "the valley within minutes.",
            "results": "Two drills a year; every household reached in under ten minutes.",
            "replicability": "Gauges, a radio and a trained volunteer per village.",
        },
    ),
)
"""Selected and published experiences with photos (the web gallery shows them): author's
first name, language, the colours of their photos, fields."""

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
    emulator: Emulator | None = None

    @classmethod
    def build(cls, emulator: Emulator) -> DemoNetwork:
        """Create the people and the four group chats in the emulator (kept ones are reused)."""
        users = {person: _demo_user(emulator, person) for person in PEOPLE}
        chats = {
            slug: _existing_group(emulator, title)
            or emulator.add_group(
                title,
                members=[users[p] for p in PEOPLE if slug in p.groups or p.secretariat],
                admins=[users[p] for p in PEOPLE if slug in p.coordinates or p.secretariat],
            )
            for slug, title in GROUP_CHAT_TITLES.items()
        }
        for user in users.values():
            emulator.mark_started(user)
        secretariat = frozenset(users[p].id for p in PEOPLE if p.secretariat)
        network = cls(users, chats, secretariat)
        network.emulator = emulator  # the demo's photos are files Telegram (the emulator) keeps
        return network

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
                if slug in CHAT_SETTINGS:
                    await repos.chats.set_language(chat.id, CHAT_SETTINGS[slug][0], now)
                    await repos.chats.set_timezone(chat.id, CHAT_SETTINGS[slug][1], now)
        await self.load_experiences(repos, clock)
        await self.load_published(repos, clock)
        await load_email_only_member(repos, clock)
        await self.load_meeting(repos, clock)
        await self.load_decisions(repos, clock)
        await self.load_join_policies(repos, clock)
        await load_opportunities(self.users, repos, clock)
        await self.load_roadmap(repos, clock)

    async def load_join_policies(self, repos: Repositories, clock: Clock) -> None:
        """Socioeconomics is open to everyone, community empowerment by invitation only; the
        others ask for a coordinator's approval (the default)."""
        policies: dict[str, JoinPolicy] = {"socioeconomics": "open", "community": "invite"}
        for slug, policy in policies.items():
            group = await repos.groups.by_slug(slug)
            if group is not None:
                await repos.joining.set_policy(group.id, policy, clock.now())

    async def load_meeting(self, repos: Repositories, clock: Clock) -> None:
        """The follow-up meeting of the climate group in ten days, with a few answers (once)."""
        now = clock.now()
        group = await repos.groups.by_slug("climate")
        ahead = now + timedelta(days=60)
        if group is None or await repos.meetings.upcoming_in_groups([group.id], now, ahead):
            return
        coordinator = next((p for p in PEOPLE if "climate" in p.coordinates), None)
        zone = ZoneInfo(coordinator.timezone if coordinator else "Europe/Madrid")
        day = (now + timedelta(days=10)).astimezone(zone).date()
        local = datetime.combine(day, time(15, 0))
        start = local.replace(tzinfo=zone).astimezone(UTC)
        organiser = (
            await repos.people.by_telegram_id(self.users[coordinator].id) if coordinator else None
        )
        meeting = await repos.meetings.create(
            NewMeeting(
                title="Follow-up meeting of the working groups (demo)",
                timezone=zone.key,
                local_start=local,
                starts_at=start,
                duration_minutes=90,
                link="https://meet.example.org/wnmrc-demo",
                agenda="1. Roadmap deadlines\n2. Experiences to share\n3. Next steps",
                reminder_offsets=(10080, 1440, 60, 10),
                created_by=organiser.id if organiser else None,
                group_ids=(group.id,),
            ),
            [start],
            now,
        )
        occurrence = await repos.meetings.next_occurrence(meeting.id, now)
        members = [p for p in PEOPLE if "climate" in p.groups]
        answers: tuple[RsvpAnswer, ...] = ("going", "maybe", "no")
        for person, answer in zip(members, answers, strict=False):
            stored = await repos.people.by_telegram_id(self.users[person].id)
            if stored is not None and occurrence is not None:
                await repos.meetings.answer(occurrence.id, stored.id, answer, now)

    async def load_decisions(self, repos: Repositories, clock: Clock) -> None:
        """An open proposal to the climate group (the methodology for best practices, with two
        answers and a reason) and a closed one to the network (the 2025 glacier year, with its
        result and outcome); once."""
        now = clock.now()
        group = await repos.groups.by_slug("climate")
        if group is None or await repos.decisions.all():
            return
        people = {
            p.first_name: await repos.people.by_telegram_id(u.id) for p, u in self.users.items()
        }
        coordinator = next((p for p in PEOPLE if "climate" in p.coordinates), None)
        proposer = people.get(coordinator.first_name) if coordinator else None
        open_one = await repos.decisions.create(
            NewProposal(
                title="Adopt the methodology for identifying best practices (demo)",
                body=(
                    "The workshops drafted a methodology to identify best practices and judge "
                    "their replicability and scalability. I propose we adopt it as refined in "
                    "the October online meeting."
                ),
                kind="consent",
                group_id=group.id,
                timezone=coordinator.timezone if coordinator else "Europe/Madrid",
                closes_at=now + timedelta(days=6),
                created_by=proposer.id if proposer else None,
            ),
            now,
        )
        closed = await repos.decisions.create(
            NewProposal(
                title=(
                    "Our contribution to the International Year of Glaciers' Preservation 2025"
                    " (demo)"
                ),
                body="Which contribution should the network prepare first?",
                kind="choice",
                options=(
                    "A photo story of glacier reserves",
                    "A webinar series on glacier monitoring",
                    "A joint statement for the Five-Year Action",
                ),
                multiple=True,
                group_id=None,
                timezone="Europe/Madrid",
                closes_at=now - timedelta(days=10),
                created_by=proposer.id if proposer else None,
            ),
            now - timedelta(days=24),
        )
        answers = [
            (open_one.id, "agree", None),
            (open_one.id, "disagree", "Add the Andes case first."),
        ]
        answers += [(closed.id, "1", None), (closed.id, "0,1", None), (closed.id, "2", None)]
        voters = [p for p in people.values() if p is not None and p != proposer]
        for (proposal_id, answer, reason), person in zip(answers[:2], voters, strict=False):
            await repos.decisions.answer(proposal_id, person.id, answer, now)
            await repos.decisions.set_reason(proposal_id, person.id, reason)
        for (proposal_id, answer, _), person in zip(answers[2:], voters[2:], strict=False):
            await repos.decisions.answer(proposal_id, person.id, answer, now - timedelta(days=12))
        await repos.decisions.mark(closed.id, "nudged_at", now - timedelta(days=11))
        await repos.decisions.mark(closed.id, "closed_at", now - timedelta(days=10))
        outcome = "We prepare the webinar series first; the photo story follows in the spring."
        await repos.decisions.set_outcome(closed.id, outcome, now - timedelta(days=9))

    async def load_experiences(self, repos: Repositories, clock: Clock) -> None:
        """Experiences at several review stages (once: skipped when their authors have some)."""
        now = clock.now()
        by_name = {person.first_name: user for person, user in self.users.items()}
        for author_name, language, status, fields in DEMO_EXPERIENCES:
            author = await repos.people.by_telegram_id(by_name[author_name].id)
            if author is None or await repos.experiences.by_author(author.id):
                continue
            experience = await repos.experiences.create(author.id, language, fields, now)
            if status == "changes_requested":
                note = "Please add numbers to the results (demo)."
                await repos.experiences.set_status(experience.id, status, now, note=note)
            elif status != "submitted":
                await repos.experiences.set_status(experience.id, status, now)

    async def load_published(self, repos: Repositories, clock: Clock) -> None:
        """Selected experiences, published in their groups' chats, with photos (once)."""
        now = clock.now()
        by_name = {person.first_name: user for person, user in self.users.items()}
        for author_name, language, colours, fields in DEMO_PUBLISHED:
            author = await repos.people.by_telegram_id(by_name[author_name].id)
            if author is None or await repos.experiences.by_author(author.id):
                continue
            experience = await repos.experiences.create(author.id, language, fields, now)
            photos = [_demo_photo(self.emulator, colour, i) for i, colour in enumerate(colours, 1)]
            await repos.experiences.replace_files(experience.id, photos, now)
            await repos.experiences.set_status(experience.id, "selected", now)
            theme = str(experience.themes[0]) if experience.themes else "climate"
            chat = self.chats[theme]
            key = f"demo-publication:{experience.id}"
            await repos.reviews.record_publication(experience.id, chat.id, key, now)

    async def load_roadmap(self, repos: Repositories, clock: Clock) -> None:
        """The roadmap from the 2023 seminar (once): its objectives and actions with fictional
        owners, one overdue, some due within two weeks, one done; the owners' nudges planned."""
        if await repos.roadmap.objectives():
            return
        now = clock.now()
        people = {
            p.first_name: await repos.people.by_telegram_id(u.id) for p, u in self.users.items()
        }
        groups = {g.slug: g.id for g in await repos.groups.list()}
        objectives: dict[str, int] = {}
        for title, slug, action, owners, days, hour, status in DEMO_ROADMAP:
            group_id = groups.get(slug) if slug else None
            if title not in objectives:
                objectives[title] = await repos.roadmap.create_objective(title, group_id, None, now)
            owner_ids = [p.id for name in owners if (p := people.get(name)) is not None]
            zone = ZoneInfo("Europe/Madrid")
            due = Due((now + timedelta(days=days)).astimezone(zone).date(), hour, zone.key)
            action_id = await repos.roadmap.create_action(
                objective_id=objectives[title],
                group_id=group_id,
                title=action,
                description=None,
                due_date=due.day,
                due_time=due.time,
                due_zone=due.zone,
                due_at=due.at,
                owners=owner_ids,
                created_by=None,
                now=now - timedelta(days=30),
            )
            if status != "planned":
                await repos.roadmap.set_status(action_id, status, None, now - timedelta(days=1))
                continue
            for name in owners:
                owner = people.get(name)
                if owner is None:
                    continue
                plan = nudge_plan(due, ZoneInfo(owner.timezone or "UTC"), now)
                await repos.roadmap.plan_nudges([(action_id, owner.id, k, at) for k, at in plan])

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
        lines.append(EMAIL_ONLY_BANNER)
        lines.append("Be one of them with /as NAME (e.g. /as Jorge); /chats lists the groups.")
        return "\n".join(lines)


EMAIL_ONLY_ADDRESS = "li.wei@demo.example"
EMAIL_ONLY_BANNER = (
    f"  Li Wei — Wolong (demo), Asia/Shanghai, zh: climate, e-mail only ({EMAIL_ONLY_ADDRESS},"
    " no Telegram): her meeting invitations and reminders arrive as e-mail, printed below"
)


async def load_email_only_member(repos: Repositories, clock: Clock) -> None:
    """A member imported by the secretariat with an address and no Telegram (once)."""
    climate = await repos.groups.by_slug("climate")
    imports = ImportsRepository(repos.db)
    li = ImportedPerson(
        row=2,
        username=None,
        email=EMAIL_ONLY_ADDRESS,
        values={
            "display_name": "Li Wei",
            "email": EMAIL_ONLY_ADDRESS,
            "reserve": "Wolong (demo)",
            "country": "CN",
            "language": "zh",
            "timezone": "Asia/Shanghai",
        },
        group_ids=(climate.id,) if climate is not None else (),
    )
    if (await imports.matches([li]))[0] is None:
        await imports.apply([li], clock.now())


DEMO_ROADMAP: tuple[tuple[str, str | None, str, tuple[str, ...], int, time | None, str], ...] = (
    # objective, group (None: the whole network), action, owners, due in days, time, status
    (
        "Roadmap 2023–2025 of the network (approved in plenary, September 2023)",
        None,
        "Circulate the approved roadmap to every reserve (demo)",
        ("Mei",),
        -20,
        None,
        "done",
    ),
    (
        "A methodology for identifying best practices, their replicability and scalability",
        "climate",
        "Draft the methodology for the October online meeting (demo)",
        ("Ana", "Emily"),
        6,
        time(17, 0),
        "planned",
    ),
    (
        "A methodology for identifying best practices, their replicability and scalability",
        "biodiversity",
        "Collect the workshop notes on biodiversity practices (demo)",
        ("Léa",),
        -3,
        None,
        "planned",
    ),
    (
        "The International Year of Glaciers' Preservation 2025",
        "climate",
        "Propose the network's events for the glacier year (demo)",
        ("Jorge",),
        12,
        None,
        "planned",
    ),
    (
        "The Five-Year Action for the Development of Mountain Regions",
        None,
        "Send the network's contribution to the Five-Year Action (demo)",
        ("Amara", "Liu"),
        45,
        time(12, 0),
        "planned",
    ),
)
"""The demo roadmap, from the 2023 seminar's conclusions; owners are fictional."""


def _demo_user(emulator: Emulator, person: DemoPerson) -> SimUser:
    """The demo person in the emulator: kept from an earlier sandbox session, or new."""
    found = emulator.find_user(f"{person.first_name} {person.last_name}")
    return found or emulator.add_user(
        person.first_name, last_name=person.last_name, language_code=person.language
    )


def _existing_group(emulator: Emulator, title: str) -> SimChat | None:
    return next((c for c in emulator.chats if c.type != "private" and c.title == title), None)


def _demo_photo(
    emulator: Emulator | None, rgb: tuple[int, int, int], position: int
) -> ExperienceFile:
    """A photo of one colour kept by the emulator, as an experience's file."""
    width, height = 640, 400
    row = b"\x00" + bytes(rgb) * width

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    image = (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(row * height))
        + chunk(b"IEND", b"")
    )
    assert emulator is not None, "DemoNetwork.build gives the emulator"
    stored = emulator.backend.world.store_file(image, "photo", size=(width, height))
    return ExperienceFile(
        position=position,
        kind="photo",
        file_id=stored.file_id,
        file_unique_id=stored.file_unique_id,
        mime_type="image/png",
        file_size=len(image),
    )
