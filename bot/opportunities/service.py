"""Opportunities' use cases, each write in one unit of work with the messages it causes.

Posting stores the opportunity, offers it privately to the members it fits best (at most a few
a week each, never twice) and closes the draft; "I'm interested" tells the poster with the
person's card and Accept / Decline; the answer tells both; closing and hiding end it. Every
message goes through the outbox with a dedupe key, rendered in the recipient's language.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.countries import country_name
from bot.digests import format_when
from bot.i18n import LANGUAGES, N_, I18n, Translator
from bot.opportunities import rules
from bot.opportunities.introductions import IntroductionsService
from bot.opportunities.rules import WEEK, Found, InterestTap, Match, OpportunityTap, Wanted
from bot.opportunities.texts import card, person_card, reasons_text
from bot.outbox import OutboxService
from bot.outbox.addressing import person_chat
from bot.profile import ROLE_LABELS, language_name
from bot.rendering import Html
from bot.roster.rules import GroupPlace
from bot.textfold import fold
from config import Settings
from storage import Person, Repositories, WorkingGroup
from storage.opportunities import Interest, Opportunity
from storage.outbox import OutboxKind, OutboxPayload, OutgoingMessage

DRAFT_KIND: Final = "opportunity"
STATEMENT_KIND: Final = "opportunity_statement"
HIDE_KIND: Final = "opportunity_hide"
CLOSING: Final = frozenset({"filled", "withdrawn"})


@dataclass(frozen=True)
class Posted:
    opportunity: Opportunity
    offered: int


@dataclass(frozen=True)
class Browse:
    """One page of open opportunities for a filter."""

    items: list[Opportunity]
    page: int
    pages: int
    filter: str


class Refused:
    """The tap or command does not apply (stale, not yours, closed)."""


@dataclass(frozen=True)
class NeedsStatement:
    """Internships and placements ask for a short statement first."""

    opportunity: Opportunity


@dataclass(frozen=True)
class Interested:
    opportunity: Opportunity
    already: bool


@dataclass(frozen=True)
class Decided:
    person: Person
    accepted: bool


@dataclass(frozen=True)
class Closed:
    opportunity: Opportunity
    status: str


@dataclass(frozen=True)
class FoundPerson:
    person: Person
    groups: list[GroupPlace]
    fields: tuple[str, ...]


@dataclass(frozen=True)
class Project:
    group: WorkingGroup
    members: int


class NoPartners:
    """A proposal without accepted partners cannot become a project yet."""


REFUSED: Final = Refused()
OFFER_HEADER: Final = N_("💡 An opportunity that fits you")
INTEREST_NOTICE: Final = N_("🙋 {name} is interested in “{title}”.")
ACCEPTED_NOTICE: Final = N_(
    "✅ {poster} accepted your interest in “{title}”. Write to them: {contact}"
)
DECLINED_NOTICE: Final = N_("{poster} declined your interest in “{title}”. Thank you for offering.")
DEADLINE_NOTICE: Final = N_("⏰ The deadline of “{title}” is near: {when}.")
PROJECT_NOTICE: Final = N_(
    "🤝 “{title}” is now a joint project, coordinated by {poster}, and you are a member. "
    "/roster {slug} shows its members; meetings and announcements work as in any working group."
)
HIDDEN_NOTICE: Final = N_("The secretariat hid your opportunity “{title}”. Reason: {reason}")


class OpportunitiesService:
    def __init__(
        self,
        repos: Repositories,
        clock: Clock,
        i18n: I18n,
        settings: Settings,
        outbox: OutboxService,
    ) -> None:
        self.repos = repos
        self.clock = clock
        self.i18n = i18n
        self.settings = settings
        self.outbox = outbox
        self.intros = IntroductionsService(self)

    # --- posting ---------------------------------------------------------------------------

    async def post(self, person: Person, answers: Mapping[str, Any]) -> Posted:
        """Store the opportunity, offer it to the best-fitting members, close the draft."""
        now = self.clock.now()
        deadline = answers.get("deadline")
        async with self.repos.unit() as uow:
            opportunity = await uow.opportunities.create(
                person.id,
                str(answers["kind"]),
                str(answers["title"]),
                str(answers["description"]),
                list(answers.get("themes") or []),
                list(answers.get("places") or []),
                list(answers.get("languages") or []),
                None if not deadline else datetime.fromisoformat(str(deadline)),
                person.timezone,
                answers.get("contact") or None,
                now,
            )
            offers = await self._offers(opportunity)
            await uow.opportunities.record_offers(
                opportunity.id, [(m.person_id, m.score) for m in offers], now
            )
            await self.outbox.enqueue(uow, await self._offer_messages(opportunity, offers))
            await uow.drafts.delete(person.id, DRAFT_KIND)
        return Posted(opportunity, len(offers))

    async def _offers(self, opportunity: Opportunity) -> list[Match]:
        members = await self.repos.roster.network_members()
        candidates = [p for p in members if person_chat(p) is not None]
        matches = rules.rank_members(wanted(opportunity), candidates, self.topics())
        since = self.clock.now() - WEEK
        return rules.choose_offers(
            matches,
            await self.repos.opportunities.alert_modes(),
            await self.repos.opportunities.offers_since(since),
            await self.repos.opportunities.offered_to(opportunity.id),
        )

    async def _offer_messages(
        self, opportunity: Opportunity, offers: Sequence[Match]
    ) -> list[OutgoingMessage]:
        messages = []
        for match in offers:
            person = await self.repos.people.get(match.person_id)
            if person is None or person_chat(person) is None:
                continue
            tr = self.tr(person)
            labels = await self.labels(tr.language)
            text = Html(
                "\n\n".join(
                    [
                        f"<b>{tr(OFFER_HEADER)}</b>",
                        card(tr, opportunity, labels, self.zone(person)),
                        str(
                            tr(
                                "Why you: {reasons}",
                                reasons=reasons_text(tr, match.reasons, labels),
                            )
                        ),
                    ]
                )
            )
            button = interest_button(tr, opportunity)
            messages.append(
                self._message(
                    person, f"opportunity:{opportunity.id}:offer:{person.id}", text, [[button]]
                )
            )
        return messages

    # --- browsing --------------------------------------------------------------------------

    async def browse(self, query: str, page: int, language: str) -> Browse:
        """Open opportunities of a kind or a theme (typed in any language), a page of them."""
        query = query.strip()
        kind = self.kind_of(query)
        found = await self.repos.opportunities.open(kind)
        if query and kind is None:
            theme = await self.theme_of(query)
            found = [o for o in found if rules.shared_items([theme or query], o.themes)]
        pages = max(1, -(-len(found) // rules.PAGE_SIZE))
        page = min(max(page, 0), pages - 1)
        start = page * rules.PAGE_SIZE
        return Browse(found[start : start + rules.PAGE_SIZE], page, pages, query)

    async def filter_token(self, query: str) -> str:
        """A filter short enough for a button: a kind, a theme's slug, or the words cut."""
        kind = self.kind_of(query)
        if kind is not None:
            return kind
        theme = await self.theme_of(query)
        if theme is not None:
            return theme
        token = fold(query).replace(":", " ")
        while len(token.encode()) > rules.FILTER_BYTES:
            token = token[:-1]
        return token

    def kind_of(self, query: str) -> str | None:
        """The kind a filter names (its code, or its label in any language)."""
        folded = fold(query)
        if not folded:
            return None
        for kind, label in rules.KIND_LABELS.items():
            names = [kind] + [str(self.i18n.translator(lang)(label)) for lang in LANGUAGES]
            if any(fold(name) == folded or fold(name).startswith(folded) for name in names):
                return kind
        return None

    async def theme_of(self, query: str) -> str | None:
        folded = fold(query)
        for group in await self.repos.groups.list():
            names = [group.slug, *group.names.values()]
            if any(fold(name) == folded for name in names):
                return group.slug
        return None

    async def get(self, opportunity_id: int) -> Opportunity | None:
        return await self.repos.opportunities.get(opportunity_id)

    async def interest_of(self, opportunity_id: int, person_id: int) -> Interest | None:
        return await self.repos.opportunities.interest(opportunity_id, person_id)

    # --- interest --------------------------------------------------------------------------

    async def tap_interest(
        self, person: Person, opportunity_id: int
    ) -> Interested | NeedsStatement | Refused:
        """The "I'm interested" button: a statement asked first for internships and placements."""
        opportunity = await self.repos.opportunities.get(opportunity_id)
        if opportunity is None or not opportunity.is_open or opportunity.poster_id == person.id:
            return REFUSED
        if await self.repos.opportunities.interest(opportunity_id, person.id) is not None:
            return Interested(opportunity, already=True)
        if opportunity.kind in rules.STATEMENT_KINDS:
            now = self.clock.now()
            data = {"opportunity_id": opportunity_id}
            await self.repos.drafts.save(
                person.id, STATEMENT_KIND, "statement", data, person.telegram_id, now
            )
            return NeedsStatement(opportunity)
        return await self.interested(person, opportunity_id, None)

    async def interested(
        self, person: Person, opportunity_id: int, statement: str | None
    ) -> Interested | Refused:
        """Record the interest and tell the poster (card, statement, Accept / Decline)."""
        now = self.clock.now()
        async with self.repos.unit() as uow:
            opportunity = await uow.opportunities.get(opportunity_id)
            await uow.drafts.delete(person.id, STATEMENT_KIND)
            if opportunity is None or not opportunity.is_open or opportunity.poster_id == person.id:
                return REFUSED
            added = await uow.opportunities.add_interest(opportunity_id, person.id, statement, now)
            poster = (
                None
                if opportunity.poster_id is None
                else await uow.people.get(opportunity.poster_id)
            )
            if added and poster is not None and person_chat(poster) is not None:
                await self.outbox.enqueue(
                    uow, [await self._interest_notice(poster, person, opportunity, statement)]
                )
        return Interested(opportunity, already=not added)

    async def _interest_notice(
        self, poster: Person, person: Person, opportunity: Opportunity, statement: str | None
    ) -> OutgoingMessage:
        tr = self.tr(poster)
        labels = await self.labels(tr.language)
        groups = (await self.groups_of([person.id], tr.language)).get(person.id, [])
        parts = [
            str(tr(INTEREST_NOTICE, name=person.name, title=opportunity.title)),
            person_card(tr, person, groups, labels, self.clock.now()),
        ]
        if statement:
            parts.append(str(tr("Their statement: {statement}", statement=statement)))
        buttons = [
            {
                "text": str(tr("Accept")),
                "callback_data": InterestTap(opportunity.id, person.id, "accept").pack(),
            },
            {
                "text": str(tr("Decline")),
                "callback_data": InterestTap(opportunity.id, person.id, "decline").pack(),
            },
        ]
        key = f"opportunity:{opportunity.id}:interest:{person.id}"
        return self._message(poster, key, Html("\n\n".join(parts)), [buttons])

    async def decide(
        self, poster: Person, opportunity_id: int, person_id: int, accept: bool
    ) -> Decided | Refused:
        """The poster accepts or declines one interested person; both are told."""
        now = self.clock.now()
        status = "accepted" if accept else "declined"
        async with self.repos.unit() as uow:
            opportunity = await uow.opportunities.get(opportunity_id)
            person = await uow.people.get(person_id)
            if opportunity is None or opportunity.poster_id != poster.id or person is None:
                return REFUSED
            if not await uow.opportunities.decide(opportunity_id, person_id, status, now):
                return REFUSED
            messages = []
            if person_chat(person) is not None:
                tr = self.tr(person)
                notice = ACCEPTED_NOTICE if accept else DECLINED_NOTICE
                contact = opportunity.contact or (
                    f"@{poster.username}" if poster.username else poster.name
                )
                text = tr(notice, poster=poster.name, title=opportunity.title, contact=contact)
                key = f"opportunity:{opportunity.id}:{status}:{person.id}"
                messages.append(self._message(person, key, text, None))
            await self.outbox.enqueue(uow, messages)
        return Decided(person, accept)

    # --- closing and hiding ----------------------------------------------------------------

    async def close(self, person: Person, opportunity_id: int, status: str) -> Closed | Refused:
        """The poster closes their opportunity as filled or withdrawn."""
        opportunity = await self.repos.opportunities.get(opportunity_id)
        if status not in CLOSING or opportunity is None or opportunity.poster_id != person.id:
            return REFUSED
        if not await self.repos.opportunities.set_status(opportunity_id, status, self.clock.now()):
            return REFUSED
        return Closed(opportunity, status)

    async def hide(self, person: Person, opportunity_id: int, reason: str) -> Closed | Refused:
        """The secretariat hides an open opportunity; the poster is told why."""
        if not self.is_secretariat(person):
            return REFUSED
        now = self.clock.now()
        async with self.repos.unit() as uow:
            opportunity = await uow.opportunities.get(opportunity_id)
            if opportunity is None or not await uow.opportunities.set_status(
                opportunity_id, "hidden", now, reason
            ):
                return REFUSED
            poster = (
                None
                if opportunity.poster_id is None
                else await uow.people.get(opportunity.poster_id)
            )
            if poster is not None and person_chat(poster) is not None:
                tr = self.tr(poster)
                text = tr(HIDDEN_NOTICE, title=opportunity.title, reason=reason)
                key = f"opportunity:{opportunity.id}:hidden"
                await self.outbox.enqueue(uow, [self._message(poster, key, text, None)])
        return Closed(opportunity, "hidden")

    async def ask_hide_reason(self, person: Person, opportunity_id: int) -> None:
        """The secretariat's Hide: a draft waits for the reason."""
        data = {"opportunity_id": opportunity_id}
        now = self.clock.now()
        await self.repos.drafts.save(person.id, HIDE_KIND, "reason", data, person.telegram_id, now)

    def is_secretariat(self, person: Person) -> bool:
        return person.telegram_id in self.settings.secretariat_ids

    # --- joint projects -------------------------------------------------------------------

    async def start_project(
        self, poster: Person, opportunity_id: int
    ) -> Project | NoPartners | Refused:
        """A proposal with accepted partners becomes a working group of kind "project": the
        proposer coordinates it, the partners are its members, all told; in one unit."""
        now = self.clock.now()
        async with self.repos.unit() as uow:
            opportunity = await uow.opportunities.get(opportunity_id)
            if not _may_start_project(opportunity, poster):
                return REFUSED
            assert opportunity is not None
            interested = await uow.opportunities.interested(opportunity_id)
            partners = [i.person_id for i in interested if i.status == "accepted"]
            if not partners:
                return NoPartners()
            slug = f"project-{opportunity_id}"
            names = dict.fromkeys(LANGUAGES, opportunity.title)
            group = await uow.groups.create(slug, opportunity.title, names, now)
            if group is None:
                return REFUSED
            await uow.opportunities.mark_project(group.id)
            await uow.groups.appoint(group.id, poster.id, now)
            for partner in partners:
                await uow.groups.add_member(group.id, partner, "member", now)
            await uow.opportunities.set_project(opportunity_id, group.id, now)
            await uow.opportunities.set_status(opportunity_id, "filled", now)
            await self.outbox.enqueue(uow, await self._project_notices(group, poster, partners))
        return Project(group, len(partners) + 1)

    async def _project_notices(
        self, group: WorkingGroup, poster: Person, partners: Sequence[int]
    ) -> list[OutgoingMessage]:
        messages = []
        for partner_id in partners:
            person = await self.repos.people.get(partner_id)
            if person is None or person_chat(person) is None:
                continue
            tr = self.tr(person)
            text = tr(PROJECT_NOTICE, title=group.theme, poster=poster.name, slug=group.slug)
            key = f"opportunity:project:{group.id}:{partner_id}"
            messages.append(self._message(person, key, text, None))
        return messages

    async def projects(self) -> list[tuple[WorkingGroup, int]]:
        """The joint projects with their number of members."""
        ids = await self.repos.opportunities.project_ids()
        counts = await self.repos.groups.member_counts()
        groups = [g for g in await self.repos.groups.list() if g.id in ids]
        return [(group, counts.get(group.id, 0)) for group in groups]

    async def project_ids(self) -> frozenset[int]:
        return await self.repos.opportunities.project_ids()

    # --- deadline reminders ---------------------------------------------------------------

    async def remind(self, opportunity_id: int, now: datetime) -> int:
        """Queue the deadline reminder to the poster and the interested (not those declined),
        mark it, in one unit (a deadline already past is marked without a reminder); how many
        were queued."""
        async with self.repos.unit() as uow:
            opportunity = await uow.opportunities.get(opportunity_id)
            if opportunity is None or opportunity.reminded_at is not None:
                return 0
            await uow.opportunities.mark_reminded(opportunity_id, now)
            deadline = opportunity.deadline_at
            if deadline is None or deadline <= now or not opportunity.is_open:
                return 0
            interested = await uow.opportunities.interested(opportunity_id)
            ids = [i.person_id for i in interested if i.status != "declined"]
            if opportunity.poster_id is not None:
                ids.insert(0, opportunity.poster_id)
            messages = []
            for person_id in ids:
                person = await uow.people.get(person_id)
                if person is None or person_chat(person) is None:
                    continue
                tr = self.tr(person)
                when = format_when(deadline, self.zone(person), tr.language)
                text = tr(DEADLINE_NOTICE, title=opportunity.title, when=when)
                key = f"opportunity:{opportunity_id}:deadline:{person_id}"
                messages.append(self._message(person, key, text, None, kind="reminder"))
            await self.outbox.enqueue(uow, messages)
        return len(messages)

    # --- alerts ----------------------------------------------------------------------------

    async def set_alerts(self, person_id: int, mode: str) -> None:
        await self.repos.opportunities.set_alerts(person_id, mode, self.clock.now())

    async def alerts(self, person_id: int) -> str:
        return (await self.repos.opportunities.alert_modes([person_id])).get(person_id, "on")

    # --- people by expertise ---------------------------------------------------------------

    async def find(self, words: str, language: str, limit: int = 5) -> list[FoundPerson]:
        """Members whose profile matches the words best, with their groups."""
        people = await self.repos.roster.network_members()
        ranked = rules.rank_people(words, people, await self.vocabulary(), self.topics())
        by_id = {person.id: person for person in people}
        top: list[Found] = ranked[:limit]
        groups = await self.groups_of([found.person_id for found in top], language)
        return [FoundPerson(by_id[f.person_id], groups.get(f.person_id, []), f.fields) for f in top]

    async def vocabulary(self) -> dict[str, list[str]]:
        """Every name of a theme, role, country and language code in the four languages."""
        names: dict[str, list[str]] = {}
        for group in await self.repos.groups.list():
            names[group.slug] = [*group.names.values(), group.theme]
        for role, label in ROLE_LABELS.items():
            names[role] = [str(self.i18n.translator(lang)(label)) for lang in LANGUAGES]
        return _VocabularyWithPlaces(names)

    def topics(self) -> list[rules.Topic]:
        return known_topics(self.i18n)

    # --- helpers ---------------------------------------------------------------------------

    async def groups_of(
        self, person_ids: Sequence[int], language: str
    ) -> dict[int, list[GroupPlace]]:
        by_id = {group.id: group for group in await self.repos.groups.list()}
        places: dict[int, list[GroupPlace]] = {}
        for membership in await self.repos.roster.memberships(list(person_ids)):
            group = by_id.get(membership.group_id)
            if group is not None:
                coordinates = membership.role == "coordinator"
                places.setdefault(membership.person_id, []).append(
                    GroupPlace(group.name(language), coordinates)
                )
        return places

    async def labels(self, language: str) -> dict[str, str]:
        """Theme slug -> the working group's name in ``language``."""
        return {group.slug: group.name(language) for group in await self.repos.groups.list()}

    def tr(self, person: Person) -> Translator:
        return self.i18n.for_person(person.language, person.telegram_language)

    def zone(self, person: Person) -> ZoneInfo:
        try:
            return ZoneInfo(person.timezone) if person.timezone else self.settings.default_zone
        except (ValueError, KeyError):
            return self.settings.default_zone

    def _message(
        self,
        person: Person,
        key: str,
        text: Html,
        rows: list[list[dict[str, str]]] | None,
        kind: OutboxKind = "notice",
    ) -> OutgoingMessage:
        chat = person_chat(person)  # Telegram, or e-mail for someone who has only that
        assert chat is not None
        markup = None if rows is None else {"inline_keyboard": rows}
        return OutgoingMessage(
            kind=kind,
            chat_id=chat,
            person_id=person.id,
            payload=OutboxPayload(text=text, reply_markup=markup),
            dedupe_key=key,
            due_at=self.clock.now(),
        )


class _VocabularyWithPlaces(dict[str, list[str]]):
    """Names of codes; a country or language code not listed is named in the four languages."""

    def get(self, key: str, default: Any = None) -> Any:
        found = super().get(key)
        if found is not None:
            return found
        if len(key) == 2 and key.isupper():
            return [country_name(key, lang) for lang in LANGUAGES]
        if len(key) == 2 and key.islower():
            return [language_name(key, lang) for lang in LANGUAGES]
        return default if default is not None else ()


def known_topics(i18n: I18n) -> list[rules.Topic]:
    """Each topic /find and matching know, named in English and in the four catalogs."""
    return [
        rules.topic([name, *(str(i18n.translator(lang)(name)) for lang in LANGUAGES)])
        for name in rules.TOPICS
    ]


def wanted(opportunity: Opportunity) -> Wanted:
    return Wanted(
        opportunity.kind,
        opportunity.themes,
        opportunity.places,
        opportunity.languages,
        opportunity.poster_id,
    )


def interest_button(tr: Translator, opportunity: Opportunity) -> dict[str, str]:
    return {
        "text": str(tr("🙋 I'm interested")),
        "callback_data": OpportunityTap(opportunity.id, "interest").pack(),
    }


def _may_start_project(opportunity: Opportunity | None, poster: Person) -> bool:
    return (
        opportunity is not None
        and opportunity.kind == "project"
        and opportunity.poster_id == poster.id
        and opportunity.project_group_id is None
        and opportunity.status in ("open", "filled")
    )
