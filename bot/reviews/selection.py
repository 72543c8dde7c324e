"""From accepted to published: the ranking, the shortlist, the vote round, the final selection.

Also browsing (``/experiences``) and the export of experiences with their scores. Writes run
in one unit of work each: a change of status and its notice to the author; a vote round and
its ballots; a selection, its publications (outbox rows to the channel and the groups' chats)
and the closing of the vote rounds. Methods take plain values and answer plain results or a
:class:`~bot.profile.Refusal`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from bot.access import Actor
from bot.experiences.booklet import ExportedExperience, load_experiences
from bot.groups import find_group
from bot.i18n import I18n
from bot.permissions import Role
from bot.profile import Refusal
from bot.reviews import rules
from bot.reviews.ranking import RANKED_STATUSES, Ranked, rank
from bot.reviews.rules import Browse, Party
from bot.reviews.service import MAX_ID, ReviewBase, move
from storage import Experience, ExperienceStatus, Person, Repositories, WorkingGroup
from storage.outbox import OutboxPayload, OutgoingMessage

SELECTABLE: Final[frozenset[ExperienceStatus]] = frozenset({"accepted", "shortlisted", "selected"})
PUBLISHED: Final[frozenset[ExperienceStatus]] = frozenset({"selected"})


@dataclass(frozen=True)
class Ranking:
    ranked: list[Ranked]
    theme: WorkingGroup | None
    """None: every theme."""


@dataclass(frozen=True)
class UnknownTheme:
    query: str
    groups: Sequence[WorkingGroup]


@dataclass(frozen=True)
class VoteOpened:
    group: WorkingGroup
    created: bool
    """False when the group's vote was already open (the ballots are not sent twice)."""
    sent: int


@dataclass(frozen=True)
class EmptyBallot:
    group: WorkingGroup


@dataclass(frozen=True)
class Voted:
    stands: bool
    """True when the vote now counts, False when it was taken back."""
    round_id: int
    group: WorkingGroup
    ballot: list[Experience]
    voted: set[int]


@dataclass(frozen=True)
class Published:
    experience: Experience
    places: int
    """How many chats it is posted to."""


@dataclass(frozen=True)
class Found:
    """What /experiences shows: the matching experiences (or one), and whether the reader sees
    every status (coordinators and the secretariat) or the published ones only."""

    experiences: list[Experience]
    groups: Sequence[WorkingGroup]
    sees_all: bool


class SelectionService(ReviewBase):
    """The ranking, shortlist, vote rounds, the final selection and publishing, browsing."""

    # --- /rank and /shortlist ---------------------------------------------------------------

    async def ranking(self, query: str) -> Ranking | UnknownTheme:
        """Accepted, shortlisted and selected experiences (of one theme), best first."""
        groups = await self.groups()
        theme = find_group(groups, query) if query else None
        if query and theme is None:
            return UnknownTheme(query, groups)
        experiences = await self._repos.experiences.list(
            statuses=RANKED_STATUSES, theme=theme.slug if theme else None
        )
        reviews = await self._repos.reviews.reviews_of([e.id for e in experiences])
        votes = await self._repos.reviews.vote_counts()
        return Ranking(rank(experiences, reviews, votes), theme)

    async def shortlist(self, actor: Actor | None, experience_id: int) -> Experience | Refusal:
        """Put an accepted experience on the shortlist, telling its author."""
        experience = await self.get(experience_id)
        if experience is None:
            return Refusal(rules.NO_EXPERIENCE, {"id": experience_id})
        who = await self.parties(actor, experience)
        if Party.REVIEWER not in who:
            return Refusal(rules.NOT_YOURS_TO_REVIEW, {"id": experience.id})
        if experience.status != "accepted":
            return Refusal(rules.NOT_ACCEPTED, {"id": experience.id, "status": experience.status})
        async with self._repos.unit() as uow:
            moved = await move(uow, self._clock, self._i18n, actor, experience, "shortlisted", who)
        self.wake()
        return Refusal(rules.STALE) if moved is None else moved

    # --- the vote round ---------------------------------------------------------------------

    async def open_vote(self, person_id: int | None, query: str) -> VoteOpened | EmptyBallot | None:
        """Open the vote of the group ``query`` names (or find it open) and send each member
        their ballot, once; None when no active group is called so."""
        group = find_group(await self.groups(active_only=True), query) if query else None
        if group is None:
            return None
        ballot = await self._ballot(group)
        if not ballot:
            return EmptyBallot(group)
        async with self._repos.unit() as uow:
            now = self._clock.now()
            vote_round, created = await uow.reviews.open_round(group.id, person_id, now)
            members = [m.person for m in await uow.roster.members(group.id)]
            messages = [
                self._ballot_message(vote_round.id, group, ballot, member, now)
                for member in members
                if member.telegram_id is not None and member.started_at is not None
            ]
            sent = await uow.outbox.enqueue(messages, now)
        self.wake()
        return VoteOpened(group, created, sent)

    async def vote(self, person_id: int, round_id: int, experience_id: int) -> Voted | Refusal:
        """Vote for a shortlisted experience of the round's group, or take the vote back."""
        vote_round = await self._repos.reviews.round(round_id) if 0 < round_id < MAX_ID else None
        if vote_round is None or not vote_round.is_open:
            return Refusal(rules.VOTE_CLOSED)
        group = next((g for g in await self.groups() if g.id == vote_round.group_id), None)
        if group is None or not await self._repos.roster.is_member(person_id, group.id):
            return Refusal(rules.MEMBERS_VOTE)
        ballot = await self._ballot(group)
        if experience_id not in {e.id for e in ballot}:
            return Refusal(rules.STALE)
        now = self._clock.now()
        stands = await self._repos.reviews.toggle_vote(round_id, experience_id, person_id, now)
        voted = await self._repos.reviews.votes_of(round_id, person_id)
        return Voted(stands, round_id, group, ballot, voted)

    async def _ballot(self, group: WorkingGroup) -> list[Experience]:
        return await self._repos.experiences.list(statuses=["shortlisted"], theme=group.slug)

    def _ballot_message(
        self,
        round_id: int,
        group: WorkingGroup,
        ballot: Sequence[Experience],
        member: Person,
        now: datetime,
    ) -> OutgoingMessage:
        tr = self._i18n.for_person(member.language, member.telegram_language)
        text, rows = rules.ballot(tr, round_id, group, ballot, set())
        return OutgoingMessage(
            kind="announcement",
            chat_id=member.telegram_id or 0,
            person_id=member.id,
            dedupe_key=f"vote:{round_id}:{member.id}",
            payload=OutboxPayload(text=text, reply_markup=rules.inline_keyboard(rows)),
            due_at=now,
        )

    # --- /select and publishing -------------------------------------------------------------

    async def select(
        self, actor: Actor | None, ids: Sequence[int], channel_id: int | None
    ) -> list[Published] | list[Refusal]:
        """Select and publish every one of ``ids``, or nothing when any cannot be selected.

        One unit: the changes of status, their notices, the posts to the channel and to the
        chats of the experiences' themes, and the closing of the vote rounds. An experience
        that changed meanwhile (withdrawn, declined) is left out.
        """
        chosen: list[Experience] = []
        problems: list[Refusal] = []
        for experience_id in ids:
            experience = await self.get(experience_id)
            if experience is None:
                problems.append(Refusal(rules.NO_EXPERIENCE, {"id": experience_id}))
            elif experience.status not in SELECTABLE:
                values = {"id": experience_id, "status": experience.status}
                problems.append(Refusal(rules.NOT_SELECTABLE, values))
            else:
                chosen.append(experience)
        if problems:
            return problems
        published: list[Published] = []
        async with self._repos.unit() as uow:
            for experience in chosen:
                selected = await self._selected(uow, actor, experience)
                if selected is not None:
                    places = await self._publish(uow, selected, channel_id)
                    published.append(Published(selected, places))
            await uow.reviews.close_rounds(self._clock.now())
        self.wake()
        return published

    async def _selected(
        self, uow: Repositories, actor: Actor | None, experience: Experience
    ) -> Experience | None:
        if experience.status == "selected":
            return experience
        who = await self.parties(actor, experience)
        return await move(uow, self._clock, self._i18n, actor, experience, "selected", who)

    async def _publish(self, uow: Repositories, experience: Experience, channel: int | None) -> int:
        """Queue the card and the album for the channel and the chats of its themes."""
        i18n = self._i18n
        groups = await self.groups()
        places: list[tuple[int, int | None, str]] = []
        if channel is not None:
            places.append((channel, None, i18n.default_language))
        for group in groups:
            if group.slug in experience.themes and group.chat_id is not None:
                chat = await uow.chats.get(group.chat_id)
                language = (chat.language if chat else None) or i18n.default_language
                places.append((group.chat_id, group.topic_id, language))
        now = self._clock.now()
        messages: list[OutgoingMessage] = []
        seen: set[int] = set()
        for chat_id, topic_id, language in places:
            if chat_id in seen:
                continue
            seen.add(chat_id)
            messages += _posts(i18n, experience, groups, chat_id, topic_id, language, now)
            key = f"pub:{experience.id}:{chat_id}"
            await uow.reviews.record_publication(experience.id, chat_id, f"{key}:1", now)
        await uow.outbox.enqueue(messages, now)
        return len(seen)

    # --- /experiences and the export --------------------------------------------------------

    async def browse(self, actor: Actor | None, browse: Browse) -> Found:
        """The experiences matching ``browse`` that the person may see."""
        sees_all = _sees_all(actor)
        found = [
            e
            for e in await self._repos.experiences.list()
            if (sees_all or e.status in PUBLISHED) and rules.matches(e, browse)
        ]
        return Found(found, await self.groups(), sees_all)

    async def one(self, actor: Actor | None, experience_id: int) -> Found:
        """One experience, if the person may see it (else none)."""
        sees_all = _sees_all(actor)
        experience = await self.get(experience_id)
        shown = experience is not None and (sees_all or experience.status in PUBLISHED)
        return Found([experience] if shown and experience else [], await self.groups(), sees_all)

    async def export(self, actor: Actor) -> list[ExportedExperience]:
        """The experiences of the themes the person coordinates (every one: the secretariat),
        with their reviews and votes."""
        themes = None
        if actor.role is not Role.SECRETARIAT:
            themes = [g.slug for g in await self.groups() if g.id in actor.coordinated]
        return await load_experiences(self._repos, themes=themes)


def _sees_all(actor: Actor | None) -> bool:
    return actor is not None and actor.role >= Role.COORDINATOR


def _posts(
    i18n: I18n,
    experience: Experience,
    groups: Sequence[WorkingGroup],
    chat_id: int,
    topic_id: int | None,
    language: str,
    now: datetime,
) -> list[OutgoingMessage]:
    """The card (in parts below Telegram's limit) and the album of photos, for one chat."""
    tr = i18n.translator(language)
    key = f"pub:{experience.id}:{chat_id}"
    card = rules.render_card(tr, experience, groups)
    payloads = [
        (f"{key}:{number}", OutboxPayload(text=part))
        for number, part in enumerate(rules.card_parts(card), start=1)
    ]
    photos = rules.album_photos(experience)
    if photos:
        album = OutboxPayload(text=rules.album_caption(experience), album=tuple(photos))
        payloads.append((f"{key}:album", album))
    return [
        OutgoingMessage(
            kind="announcement",
            chat_id=chat_id,
            message_thread_id=topic_id,
            dedupe_key=dedupe_key,
            payload=payload,
            due_at=now,
        )
        for dedupe_key, payload in payloads
    ]
