"""The decisions use cases: propose, answer, give a reason, nudge, close, record the outcome,
list and export.

Handlers parse, call one method here and render what it returns. A write runs in one unit of
work (docs/developers.md, "The unit of work: `repos.unit()`"): a proposal, its posts' outbox
rows and the closed draft commit together; a nudge or a close and its messages too. The
nudges and closes are the due work of ``bot/decisions/work.py``; the group posts' counts are
kept live by the meetings' coalesced edits (:class:`bot.meetings.live_counts.LiveCounts`).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final
from zoneinfo import ZoneInfo

from bot.access import Actor, refusal
from bot.chats.rules import chat_zone
from bot.clock import Clock
from bot.decisions import rules, texts
from bot.decisions.buttons import option_of
from bot.decisions.rules import Ballot
from bot.decisions.texts import ProposalView
from bot.groups import find_group
from bot.i18n import N_, I18n, Translator, choose_language
from bot.meetings.live_counts import LiveCounts
from bot.outbox.addressing import person_chat
from bot.outbox.messages import outgoing
from bot.permissions import Role
from bot.profile import Refusal
from bot.roadmap.rules import Due, read_due
from bot.roadmap.service import RoadmapService
from bot.roster import zone_of
from bot.runtime import DueWorkRuntime
from bot.textfold import fold
from config import Settings
from storage import Person, Repositories, WorkingGroup
from storage.decisions import NUDGE_BEFORE, NewProposal, Proposal, ProposalAnswer, ProposalPost
from storage.outbox import OutgoingMessage
from storage.roadmap import Action

EVERYONE: Final = "all"
PROPOSE_KIND: Final = "propose"
REASON_KIND: Final = "decision_reason"
OUTCOME_KIND: Final = "decision_outcome"
ACTIONS_KIND: Final = "decision_actions"
ACTION_FORMAT: Final = N_(
    "Type each action as: title; owner; due date (for example “Add the Andes case; Ana; 30 Oct”)."
)


@dataclass(frozen=True)
class Reader:
    tr: Translator
    zone: ZoneInfo


@dataclass(frozen=True)
class Scope:
    """Where a proposal goes: one working group, or the whole network (None)."""

    group: WorkingGroup | None


@dataclass(frozen=True)
class UnknownGroup:
    typed: str
    groups: list[WorkingGroup]


@dataclass(frozen=True)
class AskScope:
    groups: list[WorkingGroup]


@dataclass(frozen=True)
class NotAllowed:
    reason: str
    group: WorkingGroup | None = None


@dataclass(frozen=True)
class Proposed:
    proposal: Proposal
    reached: int


@dataclass(frozen=True)
class Answered:
    proposal: Proposal
    answer: str
    needs_reason: bool
    reachable: bool
    """The bot may write to the person in private (to ask for the reason)."""


@dataclass(frozen=True)
class Listed:
    open: list[tuple[Proposal, ProposalAnswer | None]]
    closed: list[Closed]


@dataclass(frozen=True)
class OutcomeRecorded:
    proposal: Proposal
    asks_actions: bool
    """The proposer may now type the roadmap actions the decision creates."""


@dataclass(frozen=True)
class ActionAdded:
    action: Action
    owner: Person


@dataclass(frozen=True)
class Closed:
    """A closed proposal in /decisions: its result and the roadmap actions it created."""

    proposal: Proposal
    result: rules.Result
    actions: list[Action]


def reachable(person: Person) -> bool:
    return person.telegram_id is not None and person.started_at is not None and person.reachable


def ballot_of(proposal: Proposal) -> Ballot:
    return Ballot(proposal.kind, proposal.options, proposal.multiple)


@dataclass
class DecisionsService:
    """The proposals and decisions of one application."""

    repos: Repositories
    clock: Clock
    i18n: I18n
    settings: Settings
    runtime: DueWorkRuntime
    wake_outbox: Callable[[], None] = field(default=lambda: None)
    roadmap: RoadmapService | None = None
    """Outcomes create roadmap actions through it (set by ``Services.attach``)."""

    def __post_init__(self) -> None:
        self.live: LiveCounts[ProposalPost] = LiveCounts(ProposalPosts(self))

    async def stop(self) -> None:
        await self.live.stop()

    def now(self) -> datetime:
        return self.clock.now()

    # who and where

    async def groups(self) -> dict[int, WorkingGroup]:
        return {g.id: g for g in await self.repos.groups.list(active_only=False)}

    async def scope(
        self, actor: Actor | None, query: str
    ) -> Scope | UnknownGroup | AskScope | NotAllowed:
        """The group (or ``all``) a /propose names, if the actor may propose there."""
        groups = await self.repos.groups.list()
        query = query.strip()
        if not query:
            return AskScope(groups)
        group = None if query.lower() == EVERYONE else find_group(groups, query)
        if group is None and query.lower() != EVERYONE:
            return UnknownGroup(query, groups)
        refused = _may_propose(actor, group)
        if refused is not None:
            return refused
        return Scope(group)

    async def group_of_chat(self, chat_id: int) -> WorkingGroup | None:
        """The working group a group chat is linked to (the first, for a shared chat)."""
        linked = await self.repos.groups.linked_to_chat(chat_id)
        return linked[0] if linked else None

    async def audience(self, proposal: Proposal) -> list[Person]:
        """The members a proposal is put to: its group's, or everyone in a working group."""
        if proposal.group_id is None:
            return await self.repos.roster.network_members()
        return [m.person for m in await self.repos.roster.members(proposal.group_id)]

    async def in_audience(self, proposal: Proposal, person_id: int) -> bool:
        if proposal.group_id is None:
            return bool(await self.repos.roster.group_ids_of(person_id))
        return await self.repos.roster.is_member(person_id, proposal.group_id)

    async def places(self, proposal: Proposal) -> list[WorkingGroup]:
        """The linked group chats the proposal goes to (one per chat and topic)."""
        groups = await self.repos.groups.list()
        chosen = (
            groups
            if proposal.group_id is None
            else [g for g in groups if g.id == proposal.group_id]
        )
        seen: dict[tuple[int, int | None], WorkingGroup] = {}
        for group in chosen:
            if group.chat_id is not None:
                seen.setdefault((group.chat_id, group.topic_id), group)
        return list(seen.values())

    def person_reader(self, person: Person, proposal: Proposal | None) -> Reader:
        tr = self.i18n.for_person(person.language, person.telegram_language)
        typed = proposal.timezone if proposal else None
        zone = zone_of(person.timezone) or zone_of(typed) or self.settings.default_zone
        return Reader(tr, zone)

    async def chat_reader(
        self, chat_id: int, group: WorkingGroup | None, proposal: Proposal
    ) -> Reader:
        chat = await self.repos.chats.get(chat_id)
        language = choose_language(
            chat.language if chat else None, None, self.i18n.default_language
        )
        typed = zone_of(proposal.timezone) or self.settings.default_zone
        group_zone = group.timezone if group else None
        zone = chat_zone(chat.timezone if chat else None, group_zone, typed)
        return Reader(self.i18n.translator(language), zone)

    async def view(
        self, proposal: Proposal, language: str, *, with_answers: bool = True
    ) -> ProposalView:
        groups = await self.groups()
        group = groups.get(proposal.group_id) if proposal.group_id is not None else None
        tr = self.i18n.translator(language)
        audience = group.name(language) if group else tr(N_("the whole network"))
        proposer = await self.repos.people.get(proposal.created_by) if proposal.created_by else None
        answers = await self.repos.decisions.answers(proposal.id) if with_answers else []
        return ProposalView(
            id=proposal.id,
            title=proposal.title,
            body=proposal.body,
            ballot=ballot_of(proposal),
            audience=audience,
            closes_at=proposal.closes_at,
            proposer=proposer.name if proposer else None,
            closed=proposal.closed,
            answers=tuple((a.name, a.answer) for a in answers),
            outcome=proposal.outcome,
        )

    async def counts(self, proposal: Proposal) -> dict[str, int]:
        answers = await self.repos.decisions.answers(proposal.id)
        return rules.tally(ballot_of(proposal), (a.answer for a in answers))

    async def result(self, proposal: Proposal) -> tuple[dict[str, int], rules.Result]:
        answers = await self.repos.decisions.answers(proposal.id)
        counts = rules.tally(ballot_of(proposal), (a.answer for a in answers))
        return counts, rules.result(ballot_of(proposal), counts, len(answers))

    # /propose

    async def propose(
        self, person_id: int, data: dict[str, Any], actor: Actor | None
    ) -> Proposed | NotAllowed | Refusal:
        """Save the proposal, queue its posts and close the draft, in one unit of work."""
        scope_id = data.get("scope")
        group = (
            (await self.groups()).get(int(scope_id)) if scope_id not in (None, EVERYONE) else None
        )
        if scope_id not in (None, EVERYONE) and (group is None or not group.active):
            await self.repos.drafts.delete(person_id, PROPOSE_KIND)
            return NotAllowed(N_("That working group no longer exists; nothing was sent."))
        refused = _may_propose(actor, group)
        if refused is not None:
            return refused
        now = self.now()
        closes_at = datetime.fromisoformat(str(data["closes"]))
        late = rules.check_closing(closes_at, now)
        if late is not None:
            return late
        new = NewProposal(
            title=str(data["title"]),
            body=str(data["body"]),
            kind=data["kind"],
            options=tuple(data.get("options") or ()),
            multiple=bool(data.get("multiple")),
            group_id=group.id if group else None,
            timezone=str(data["zone"]),
            closes_at=closes_at,
            created_by=person_id,
        )
        async with self.repos.unit() as uow:
            proposal = await uow.decisions.create(new, now)
            if proposal.closes_at - now <= NUDGE_BEFORE:
                await uow.decisions.mark(proposal.id, "nudged_at", now)  # too close to nudge
            reached = await self._post(proposal, now)
            await uow.drafts.delete(person_id, PROPOSE_KIND)
        self.wake_outbox()
        self.runtime.wake()
        return Proposed(proposal, reached)

    async def _post(self, proposal: Proposal, now: datetime) -> int:
        """Queue the proposal to its group chats and reachable members (inside the unit)."""
        messages: list[tuple[OutgoingMessage, int | None]] = []
        ballot = ballot_of(proposal)
        for group in await self.places(proposal):
            assert group.chat_id is not None
            reader = await self.chat_reader(group.chat_id, group, proposal)
            view = await self.view(proposal, reader.tr.language)
            text = texts.post_text(reader.tr, view, reader.zone, await self.counts(proposal))
            markup = texts.keyboard(reader.tr, proposal.id, ballot, None, private=False)
            key = f"decision:{proposal.id}:post:{group.chat_id}:{group.topic_id or 0}"
            messages.append(
                (
                    outgoing("notice", group.chat_id, key, text, markup, now, topic=group.topic_id),
                    None,
                )
            )
        for person in await self.audience(proposal):
            chat = person_chat(person)  # Telegram, or e-mail only (the outbox decides)
            if chat is None:
                continue
            reader = self.person_reader(person, proposal)
            view = await self.view(proposal, reader.tr.language)
            text = texts.post_text(reader.tr, view, reader.zone, None)
            markup = texts.keyboard(reader.tr, proposal.id, ballot, None, private=True)
            key = f"decision:{proposal.id}:post:{chat}:0"
            messages.append(
                (
                    outgoing("notice", chat, key, text, markup, now, person=person.id),
                    person.id,
                )
            )
        await self.repos.outbox.enqueue([m for m, _ in messages], now)
        await self.repos.decisions.add_posts_by_key(
            proposal.id, [(m.chat_id, m.dedupe_key, pid) for m, pid in messages]
        )
        return len(messages)

    # answers

    async def answer(self, proposal_id: int, person: Person, code: str) -> Answered | Refusal:
        """Record (or change) a person's answer; the group posts' counts follow."""
        proposal = await self.repos.decisions.get(proposal_id)
        if proposal is None:
            return Refusal(rules.GONE)
        now = self.now()
        reason = rules.answer_refusal(
            closed=proposal.closed,
            in_audience=await self.in_audience(proposal, person.id),
            closes_at=proposal.closes_at,
            now=now,
        )
        if reason is not None:
            return Refusal(reason)
        ballot = ballot_of(proposal)
        answer = code
        if ballot.kind == "choice":
            option = option_of(code)
            if option is None:
                return Refusal(rules.GONE)
            mine = await self.repos.decisions.answer_of(proposal.id, person.id)
            answer = rules.toggled(mine.answer if mine else None, option, ballot.multiple)
        if not rules.valid_answer(ballot, answer):
            return Refusal(rules.GONE)
        needs = ballot.kind == "consent" and answer in rules.NEEDS_REASON
        async with self.repos.unit() as uow:
            await uow.decisions.answer(proposal.id, person.id, answer, now)
            if needs and reachable(person):
                await self.ask_reason(person, proposal.id)  # joins the unit
        self.live.touch(proposal.id)
        return Answered(proposal, answer, needs, reachable(person))

    async def ask_reason(self, person: Person, proposal_id: int) -> None:
        """Wait for the person's reason (a draft in their private chat)."""
        await self.repos.drafts.save(
            person.id,
            REASON_KIND,
            "reason",
            {"proposal": proposal_id},
            person.telegram_id,
            self.now(),
        )

    async def answer_of(self, proposal_id: int, person_id: int) -> ProposalAnswer | None:
        return await self.repos.decisions.answer_of(proposal_id, person_id)

    async def give_reason(
        self, person_id: int, proposal_id: int, text: str
    ) -> ProposalAnswer | Refusal:
        """Keep the reason of the person's answer, close the draft."""
        proposal = await self.repos.decisions.get(proposal_id)
        if proposal is None:
            await self.repos.drafts.delete(person_id, REASON_KIND)
            return Refusal(rules.GONE)
        if proposal.closed or self.now() >= proposal.closes_at:
            await self.repos.drafts.delete(person_id, REASON_KIND)
            return Refusal(rules.CLOSED)
        read = rules.read_text(text, rules.REASON_LIMIT)
        if isinstance(read, Refusal):
            return read
        async with self.repos.unit() as uow:
            if not await uow.decisions.set_reason(proposal_id, person_id, read):
                await uow.drafts.delete(person_id, REASON_KIND)
                return Refusal(N_("Answer the proposal first, then add your reason."))
            await uow.drafts.delete(person_id, REASON_KIND)
        found = await self.repos.decisions.answer_of(proposal_id, person_id)
        assert found is not None
        return found

    # due work: the nudge and the close

    async def next_due(self) -> datetime | None:
        return await self.repos.decisions.next_due_at()

    async def serve(self, now: datetime) -> int:
        """Nudge and close what is due; how many proposals were handled."""
        done = 0
        for proposal in await self.repos.decisions.due_to_nudge(now):
            done += await self._nudge(proposal, now)
        for proposal in await self.repos.decisions.due_to_close(now):
            done += await self._close(proposal, now)
        if done:
            self.wake_outbox()
        return done

    async def _nudge(self, proposal: Proposal, now: datetime) -> int:
        """Nudge the undecided once (the mark and the messages in one unit)."""
        answered = {a.person_id for a in await self.repos.decisions.answers(proposal.id)}
        ballot = ballot_of(proposal)
        messages = []
        for person in await self.audience(proposal):
            chat = person_chat(person)  # Telegram, or e-mail only (the outbox decides)
            if person.id in answered or chat is None:
                continue
            reader = self.person_reader(person, proposal)
            view = await self.view(proposal, reader.tr.language, with_answers=False)
            text = texts.nudge_text(reader.tr, view, reader.zone)
            markup = texts.keyboard(reader.tr, proposal.id, ballot, None, private=True)
            key = f"decision:{proposal.id}:nudge:{chat}"
            messages.append(
                outgoing(
                    "reminder",
                    chat,
                    key,
                    text,
                    markup,
                    now,
                    person=person.id,
                    expires=proposal.closes_at,
                )
            )
        async with self.repos.unit() as uow:
            if not await uow.decisions.mark(proposal.id, "nudged_at", now):
                return 0
            await uow.outbox.enqueue(messages, now)
        return 1

    async def _close(self, proposal: Proposal, now: datetime) -> int:
        """Send the result to the same places and ask the proposer for the outcome (once)."""
        counts, result = await self.result(proposal)
        messages = []
        for post in await self.repos.decisions.posts(proposal.id):
            reader = await self._post_reader(post, proposal)
            if reader is None:
                continue
            view = await self.view(proposal, reader.tr.language)
            text = texts.result_text(reader.tr, view, reader.zone, counts, result)
            key = f"decision:{proposal.id}:result:{post.chat_id}"
            messages.append(
                outgoing(
                    "notice",
                    post.chat_id,
                    key,
                    text,
                    None,
                    now,
                    topic=post.message_thread_id,
                    person=post.person_id,
                )
            )
        proposer = await self.repos.people.get(proposal.created_by) if proposal.created_by else None
        if proposer is not None and reachable(proposer) and proposer.telegram_id is not None:
            reader = self.person_reader(proposer, proposal)
            view = await self.view(proposal, reader.tr.language, with_answers=False)
            text = texts.outcome_request(reader.tr, view)
            key = f"decision:{proposal.id}:ask-outcome:{proposer.telegram_id}"
            messages.append(
                outgoing("notice", proposer.telegram_id, key, text, None, now, person=proposer.id)
            )
        async with self.repos.unit() as uow:
            if not await uow.decisions.mark(proposal.id, "closed_at", now):
                return 0
            await uow.outbox.enqueue(messages, now)
        self.live.touch(proposal.id, include_private=True)
        return 1

    async def _post_reader(self, post: ProposalPost, proposal: Proposal) -> Reader | None:
        if post.person_id is None:
            group = next(
                (g for g in (await self.groups()).values() if g.chat_id == post.chat_id), None
            )
            return await self.chat_reader(post.chat_id, group, proposal)
        person = await self.repos.people.get(post.person_id)
        if person is None or not reachable(person):
            return None
        return self.person_reader(person, proposal)

    async def render_post(self, post: ProposalPost) -> tuple[str, dict[str, Any] | None] | None:
        """A post as it reads now: counts in a group, the reader's answer in private; no
        buttons once closed."""
        proposal = await self.repos.decisions.get(post.proposal_id)
        if proposal is None:
            return None
        reader = await self._post_reader(post, proposal)
        if reader is None:
            return None
        view = await self.view(proposal, reader.tr.language)
        mine = None
        if post.person_id is not None:
            found = await self.repos.decisions.answer_of(proposal.id, post.person_id)
            mine = found.answer if found else None
        counts = await self.counts(proposal) if post.person_id is None else None
        text = texts.post_text(reader.tr, view, reader.zone, counts, mine)
        private = post.person_id is not None
        markup = (
            None
            if proposal.closed
            else texts.keyboard(reader.tr, proposal.id, ballot_of(proposal), mine, private=private)
        )
        return text, markup

    # the outcome

    async def may_record(self, proposal: Proposal, actor: Actor | None) -> str | None:
        """Why the actor may not record the outcome (the proposer, the group's coordinators
        and the secretariat may), or None."""
        if actor is None:
            return N_("You are not allowed to do that.")
        if proposal.created_by == actor.person_id:
            return None
        if proposal.group_id is None:
            return refusal(actor, Role.SECRETARIAT)
        return refusal(actor, Role.COORDINATOR, proposal.group_id)

    async def start_outcome(
        self, proposal_id: int, actor: Actor | None, chat_id: int
    ) -> Proposal | NotAllowed | Refusal:
        proposal = await self.repos.decisions.get(proposal_id)
        if proposal is None:
            return Refusal(N_("There is no proposal #{id}."), {"id": proposal_id})
        reason = await self.may_record(proposal, actor)
        if reason is not None:
            return NotAllowed(reason)
        if not proposal.closed:
            return Refusal(
                N_("Proposal #{id} is still open; its outcome is recorded once it closes."),
                {"id": proposal_id},
            )
        assert actor is not None
        await self.repos.drafts.save(
            actor.person_id, OUTCOME_KIND, "outcome", {"proposal": proposal.id}, chat_id, self.now()
        )
        return proposal

    async def record_outcome(
        self, person_id: int, proposal_id: int, text: str, actor: Actor | None
    ) -> OutcomeRecorded | NotAllowed | Refusal:
        """Keep the outcome statement, tell the same places, close the draft, in one unit."""
        proposal = await self.repos.decisions.get(proposal_id)
        if proposal is None:
            await self.repos.drafts.delete(person_id, OUTCOME_KIND)
            return Refusal(rules.GONE)
        reason = await self.may_record(proposal, actor)
        if reason is not None:
            return NotAllowed(reason)
        read = rules.read_text(text, rules.OUTCOME_LIMIT)
        if isinstance(read, Refusal):
            return read
        now = self.now()
        asks = self.roadmap is not None
        async with self.repos.unit() as uow:
            await uow.decisions.set_outcome(proposal.id, read, now)
            await uow.outbox.enqueue(await self._outcome_notices(proposal, read, now), now)
            await uow.drafts.delete(person_id, OUTCOME_KIND)
            if asks:
                data = {"proposal": proposal.id}
                person = await uow.people.get(person_id)
                chat = person.telegram_id if person else None
                await uow.drafts.save(person_id, ACTIONS_KIND, "action", data, chat, now)
        self.wake_outbox()
        updated = await self.repos.decisions.get(proposal.id)
        assert updated is not None
        return OutcomeRecorded(updated, asks)

    # outcome -> roadmap actions

    async def add_action(
        self, person_id: int, proposal_id: int, text: str, actor: Actor | None, language: str
    ) -> ActionAdded | NotAllowed | Refusal:
        """A typed ``title; owner; due date`` becomes a roadmap action linked to the decision
        (the action, its owner's nudges and notice in the roadmap's one unit of work)."""
        proposal = await self.repos.decisions.get(proposal_id)
        if proposal is None or self.roadmap is None:
            await self.repos.drafts.delete(person_id, ACTIONS_KIND)
            return Refusal(rules.GONE)
        reason = await self.may_record(proposal, actor)
        if reason is not None:
            return NotAllowed(reason)
        parts = [part.strip() for part in text.replace("；", ";").split(";")]
        if len(parts) != 3 or not all(parts):
            return Refusal(ACTION_FORMAT)
        title, typed_owner, typed_due = parts
        owner = await self.find_member(proposal, typed_owner)
        if owner is None:
            return Refusal(
                N_("No member of this proposal's audience is called “{name}”."),
                {"name": typed_owner},
            )
        person = await self.repos.people.get(person_id)
        zone = zone_of(person.timezone if person else None) or self.settings.default_zone
        due = read_due(typed_due, language, zone, self.now())
        if not isinstance(due, Due):
            return Refusal(due.message, due.values)
        created = await self.roadmap.create_action(
            person_id,
            title=title,
            due_date=due.day,
            due_time=due.time,
            due_zone=due.zone,
            owners=[owner.id],
            group_id=proposal.group_id,
            proposal_id=proposal.id,
        )
        if created.action_id is None:
            return Refusal(created.refusal or N_("You are not allowed to do that."))
        action = await self.repos.roadmap.action(created.action_id)
        assert action is not None
        return ActionAdded(action, owner)

    async def find_member(self, proposal: Proposal, typed: str) -> Person | None:
        """The audience member a typed name or @username names (exactly, else a unique prefix)."""
        wanted = fold(typed.removeprefix("@"))
        people = await self.audience(proposal)

        def names(person: Person) -> list[str]:
            return [fold(n) for n in (person.name, person.full_name, person.username or "") if n]

        exact = [p for p in people if wanted in names(p)]
        if len(exact) == 1:
            return exact[0]
        prefixed = [p for p in people if any(n.startswith(wanted) for n in names(p))]
        return prefixed[0] if len(prefixed) == 1 else None

    async def linked_actions(self, proposal_id: int) -> list[Action]:
        """The roadmap actions a decision created."""
        if self.roadmap is None:
            return []
        return [a for a in await self.repos.roadmap.actions() if a.proposal_id == proposal_id]

    async def people_named(self, ids: Sequence[int]) -> list[str]:
        found = [await self.repos.people.get(i) for i in ids]
        return [p.name for p in found if p is not None]

    async def _outcome_notices(
        self, proposal: Proposal, outcome: str, now: datetime
    ) -> list[OutgoingMessage]:
        messages = []
        stamp = now.strftime("%Y%m%d%H%M%S")
        for post in await self.repos.decisions.posts(proposal.id):
            if post.person_id is not None:
                continue  # the group chats hear it; members read it with /decisions
            reader = await self._post_reader(post, proposal)
            if reader is None:
                continue
            view = await self.view(proposal, reader.tr.language, with_answers=False)
            text = texts.outcome_text(reader.tr, view, outcome)
            key = f"decision:{proposal.id}:outcome:{stamp}:{post.chat_id}"
            messages.append(
                outgoing("notice", post.chat_id, key, text, None, now, topic=post.message_thread_id)
            )
        return messages

    # /decisions

    async def listed(
        self, person: Person, actor: Actor | None, group: WorkingGroup | None
    ) -> Listed:
        """Open proposals with the person's answer, closed ones with their result."""
        if actor is not None and actor.secretariat:
            group_ids: Sequence[int] | None = None
        else:
            group_ids = await self.repos.roster.group_ids_of(person.id)
        found = await self.repos.decisions.list(group_ids)
        if group is not None:
            found = [p for p in found if p.group_id == group.id]
        now = self.now()
        opened, closed = [], []
        for proposal in found:
            if proposal.closed or now >= proposal.closes_at:
                result = (await self.result(proposal))[1]
                closed.append(Closed(proposal, result, await self.linked_actions(proposal.id)))
            else:
                opened.append(
                    (proposal, await self.repos.decisions.answer_of(proposal.id, person.id))
                )
        opened.sort(key=lambda item: item[0].closes_at)
        return Listed(opened, closed)

    async def audience_name(self, proposal: Proposal, tr: Translator) -> str:
        group = (await self.groups()).get(proposal.group_id) if proposal.group_id else None
        return group.name(tr.language) if group else tr(N_("the whole network"))


class ProposalPosts:
    """A proposal's posts as a live-counts source (the subject is the proposal)."""

    def __init__(self, service: DecisionsService) -> None:
        self.service = service

    async def dirty_posts(
        self, subject_id: int, include_private: bool
    ) -> list[tuple[Hashable, ProposalPost]]:
        return [
            (("decision", post.chat_id, post.proposal_id), post)
            for post in await self.service.repos.decisions.posts(subject_id)
            if post.person_id is None or include_private
        ]

    async def fresh(self, post: ProposalPost) -> ProposalPost | None:
        posts = await self.service.repos.decisions.posts(post.proposal_id)
        found = next((p for p in posts if p.chat_id == post.chat_id), None)
        if (
            found is None
            or found.outbox_id is None
            or found.outbox_status in ("failed", "unreachable")
        ):
            return None
        return found

    async def render(self, post: ProposalPost) -> tuple[str, dict[str, Any] | None] | None:
        return await self.service.render_post(post)


def _may_propose(actor: Actor | None, group: WorkingGroup | None) -> NotAllowed | None:
    """Why the actor may not propose to ``group``, or None: the whole network (``group`` None)
    needs the secretariat's role, a working group its coordinator's."""
    if actor is None:
        return NotAllowed(N_("You are not allowed to do that."))
    reason = (
        refusal(actor, Role.SECRETARIAT)
        if group is None
        else refusal(actor, Role.COORDINATOR, group.id)
    )
    return None if reason is None else NotAllowed(reason, group)
