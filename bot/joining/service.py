"""Joining use cases: asking to join under the group's policy, the approvers' decisions,
invitation links, requests to join a linked chat and people entering it, and setting a
group's policy. Every write runs in one unit of work with the notices it causes."""

from __future__ import annotations

import secrets
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.i18n import I18n, Translator
from bot.joining.rules import (
    INVITE_LIFETIME,
    INVITE_USES,
    REQUEST_LIFETIME,
    Admission,
    RequestDecision,
    admission,
    expiry_notice,
    invite_token_ok,
    outcome_notice,
    request_notice,
)
from bot.outbox.service import OutboxService
from bot.presence import Sender
from bot.rendering import Html
from storage import Person, Repositories, WorkingGroup
from storage.joining import Invite, JoinRequest, RequestVia
from storage.membership import MembershipSource
from storage.models import JoinPolicy
from storage.outbox import OutboxPayload, OutgoingMessage


class Asked(Enum):
    """What asking to join came to."""

    JOINED = "joined"
    ALREADY_MEMBER = "already a member"
    REQUESTED = "requested"
    WAITING = "a request was already waiting"
    INVITE_ONLY = "by invitation only"


class Decided(Enum):
    DECIDED = "decided"
    ALREADY = "already decided by someone"
    EXPIRED = "expired"
    NOT_ALLOWED = "not an approver of this group"
    GONE = "no such request"


@dataclass(frozen=True)
class Decision:
    """A tap on Approve or Decline: what came of it, and what the handler needs to say."""

    outcome: Decided
    request: JoinRequest | None = None
    group: WorkingGroup | None = None
    decider: str = ""
    """Who decided (the tapper, or whoever was first)."""
    telegram_id: int | None = None
    """The asker's Telegram id (a chat request is approved or declined in Telegram too)."""


class ChatAsk(Enum):
    APPROVE = "approve the chat request now"
    REQUESTED = "passed to the approvers"
    WAITING = "already passed to the approvers"
    NOT_LINKED = "no working group holds this chat"


@dataclass(frozen=True)
class InviteUse:
    group: WorkingGroup
    joined: bool


@dataclass(frozen=True)
class Reader:
    """Someone who gets a notice: their private chat, person row (if any) and translator."""

    telegram_id: int
    person_id: int | None
    tr: Translator


class JoiningService:
    """Who gets into which working group, and how."""

    def __init__(
        self,
        repos: Repositories,
        clock: Clock,
        i18n: I18n,
        secretariat_ids: Collection[int],
        outbox: OutboxService,
    ) -> None:
        self._repos = repos
        self._clock = clock
        self._i18n = i18n
        self._secretariat_ids = frozenset(secretariat_ids)
        self._outbox = outbox

    # --- asking -----------------------------------------------------------------------

    async def ask(
        self, group: WorkingGroup, person: Person, source: MembershipSource = "bot"
    ) -> Asked:
        """/join, a Join button or a group's link: join, or ask the approvers, per the policy."""
        async with self._repos.unit() as uow:
            membership = await uow.groups.membership(group.id, person.id)
            if membership is not None and membership.current:
                return Asked.ALREADY_MEMBER
            verdict = await self._admission(uow, group, person)
            if verdict is Admission.JOIN:
                await uow.groups.join(group.id, person.id, self._clock.now(), source)
                return Asked.JOINED
            if verdict is Admission.INVITE_ONLY:
                return Asked.INVITE_ONLY
            return await self._request(uow, group, person, "bot", None)

    async def set_policy(self, group: WorkingGroup, policy: JoinPolicy) -> None:
        await self._repos.joining.set_policy(group.id, policy, self._clock.now())

    async def waiting(self, person_id: int) -> list[tuple[WorkingGroup, JoinRequest]]:
        """The person's requests still waiting, with their groups."""
        groups = {group.id: group for group in await self._repos.groups.list()}
        requests = await self._repos.joining.requests_of(person_id, self._clock.now())
        return [(groups[r.group_id], r) for r in requests if r.group_id in groups]

    async def _admission(self, uow: Repositories, group: WorkingGroup, person: Person) -> Admission:
        return admission(
            group.join_policy,
            admitted_before=await uow.joining.was_admitted(group.id, person.id),
            secretariat=person.telegram_id in self._secretariat_ids,
        )

    async def _request(
        self,
        uow: Repositories,
        group: WorkingGroup,
        person: Person,
        via: RequestVia,
        chat_id: int | None,
    ) -> Asked:
        now = self._clock.now()
        if await uow.joining.pending(group.id, person.id, now) is not None:
            return Asked.WAITING
        request = await uow.joining.create_request(
            group.id, person.id, via, chat_id, now, now + REQUEST_LIFETIME
        )
        await self._outbox.enqueue(uow, await self._request_notices(uow, request, group, person))
        return Asked.REQUESTED

    async def _request_notices(
        self, uow: Repositories, request: JoinRequest, group: WorkingGroup, person: Person
    ) -> list[OutgoingMessage]:
        messages = []
        for reader in await self._approvers(uow, group):
            tr = reader.tr
            text = request_notice(tr, person, group.name(tr.language), chat=request.via == "chat")
            buttons = [
                {"text": tr("Approve"), "callback_data": RequestDecision(request.id, True).pack()},
                {"text": tr("Decline"), "callback_data": RequestDecision(request.id, False).pack()},
            ]
            messages.append(
                OutgoingMessage(
                    kind="notice",
                    chat_id=reader.telegram_id,
                    person_id=reader.person_id,
                    dedupe_key=f"joinreq:{request.id}:{reader.telegram_id}",
                    payload=OutboxPayload(text=text, reply_markup={"inline_keyboard": [buttons]}),
                    due_at=request.created_at,
                    expires_at=request.expires_at,
                )
            )
        return messages

    async def _approvers(self, uow: Repositories, group: WorkingGroup) -> list[Reader]:
        """The group's coordinators who can be written to; the secretariat when it has none."""
        readers = []
        for person_id in await uow.groups.coordinators(group.id):
            person = await uow.people.get(person_id)
            if person is not None and person.telegram_id is not None and person.started_at:
                readers.append(self._reader(person.telegram_id, person))
        if readers:
            return readers
        return [
            self._reader(telegram_id, await uow.people.by_telegram_id(telegram_id))
            for telegram_id in sorted(self._secretariat_ids)
        ]

    def _reader(self, telegram_id: int, person: Person | None) -> Reader:
        if person is None:
            return Reader(telegram_id, None, self._i18n.translator(None))
        tr = self._i18n.for_person(person.language, person.telegram_language)
        return Reader(telegram_id, person.id, tr)

    # --- deciding ---------------------------------------------------------------------

    async def decide(self, request_id: int, approve: bool, decider: Person) -> Decision:
        """An approver's tap: the first decision wins; the person is told in their language."""
        async with self._repos.unit() as uow:
            request = await uow.joining.request(request_id)
            group = None if request is None else await self._group(uow, request.group_id)
            if request is None or group is None:
                return Decision(Decided.GONE)
            if not await self._may_decide(uow, group, decider):
                return Decision(Decided.NOT_ALLOWED, request, group)
            decided = await uow.joining.decide(request_id, approve, decider.id, self._clock.now())
            if decided is None:
                return await self._why_not(uow, request_id, group)
            asker = await uow.people.get(decided.person_id)
            if approve and asker is not None:
                source: MembershipSource = "chat" if decided.via == "chat" else "bot"
                await uow.groups.join(group.id, decided.person_id, self._clock.now(), source)
            if asker is not None:
                await self._outbox.enqueue(uow, self._outcome(decided, group, asker))
        return Decision(
            Decided.DECIDED,
            decided,
            group,
            decider.name,
            None if asker is None else asker.telegram_id,
        )

    async def _group(self, uow: Repositories, group_id: int) -> WorkingGroup | None:
        return next((g for g in await uow.groups.list() if g.id == group_id), None)

    async def _may_decide(self, uow: Repositories, group: WorkingGroup, person: Person) -> bool:
        if person.telegram_id in self._secretariat_ids:
            return True
        membership = await uow.groups.membership(group.id, person.id)
        return membership is not None and membership.coordinator

    async def _why_not(self, uow: Repositories, request_id: int, group: WorkingGroup) -> Decision:
        """Why a pending request could not be decided: someone was first, or it expired."""
        request = await uow.joining.request(request_id)
        if request is None:
            return Decision(Decided.GONE)
        if request.status in ("approved", "declined"):
            first = None if request.decided_by is None else await uow.people.get(request.decided_by)
            name = first.name if first is not None else ""
            return Decision(Decided.ALREADY, request, group, name)
        return Decision(Decided.EXPIRED, request, group)

    def _outcome(
        self, request: JoinRequest, group: WorkingGroup, asker: Person
    ) -> list[OutgoingMessage]:
        tr = self._i18n.for_person(asker.language, asker.telegram_language)
        text = outcome_notice(tr, request.status == "approved", group.name(tr.language))
        return self._to_asker(request, asker, text, "outcome")

    def _to_asker(
        self, request: JoinRequest, asker: Person, text: Html, what: str
    ) -> list[OutgoingMessage]:
        """One notice to the person who asked, when they can be written to."""
        if asker.telegram_id is None or asker.started_at is None:
            return []
        return [
            OutgoingMessage(
                kind="notice",
                chat_id=asker.telegram_id,
                person_id=asker.id,
                dedupe_key=f"joinreq:{request.id}:{what}",
                payload=OutboxPayload(text=text),
                due_at=self._clock.now(),
            )
        ]

    # --- expiry -----------------------------------------------------------------------

    async def next_expiry(self) -> datetime | None:
        return await self._repos.joining.next_expiry()

    async def expire_requests(self, now: datetime) -> int:
        """Requests nobody decided in time: marked expired, each person told they may ask
        again (the approvers' buttons answer "expired" from then on). How many expired."""
        async with self._repos.unit() as uow:
            expired = await uow.joining.expire_due(now)
            for request in expired:
                await self._outbox.enqueue(uow, await self._expiry(uow, request))
        return len(expired)

    async def _expiry(self, uow: Repositories, request: JoinRequest) -> list[OutgoingMessage]:
        group = await self._group(uow, request.group_id)
        asker = await uow.people.get(request.person_id)
        if group is None or asker is None:
            return []
        tr = self._i18n.for_person(asker.language, asker.telegram_language)
        text = expiry_notice(tr, group.name(tr.language), group.slug)
        return self._to_asker(request, asker, text, "expired")

    # --- the linked chat --------------------------------------------------------------

    async def chat_request(self, chat_id: int, sender: Sender) -> ChatAsk:
        """A request to join a linked chat: members (and those the policy admits at once) get in
        now; anyone else's goes to the approvers with the same buttons."""
        group = await self._chat_group(chat_id)
        if group is None:
            return ChatAsk.NOT_LINKED
        async with self._repos.unit() as uow:
            person = await self._upsert(uow, sender)
            if await self._member_of_chat(uow, chat_id, person.id):
                return ChatAsk.APPROVE
            if await self._admission(uow, group, person) is Admission.JOIN:
                await uow.groups.join(group.id, person.id, self._clock.now(), "chat")
                return ChatAsk.APPROVE
            asked = await self._request(uow, group, person, "chat", chat_id)
        return ChatAsk.REQUESTED if asked is Asked.REQUESTED else ChatAsk.WAITING

    async def entered_chat(self, chat_id: int, sender: Sender, added_by: int | None) -> int:
        """Someone entered a linked chat without a request: they join its groups only as the
        policy allows, or when the one who added them coordinates the group (an invitation).
        How many groups they are now in."""
        groups = [g for g in await self._repos.groups.linked_to_chat(chat_id) if g.topic_id is None]
        inside = 0
        async with self._repos.unit() as uow:
            person = await self._upsert(uow, sender)
            adder = None if added_by is None else await uow.people.by_telegram_id(added_by)
            for group in groups:
                invited = adder is not None and adder.id != person.id
                invited = (
                    invited and adder is not None and await self._may_decide(uow, group, adder)
                )
                verdict = await self._admission(uow, group, person)
                membership = await uow.groups.membership(group.id, person.id)
                if membership is not None and membership.current:
                    inside += 1
                elif invited or verdict is Admission.JOIN:
                    await uow.groups.join(group.id, person.id, self._clock.now(), "chat")
                    inside += 1
                elif verdict is Admission.ASK:
                    await self._request(uow, group, person, "bot", None)
        return inside

    async def _chat_group(self, chat_id: int) -> WorkingGroup | None:
        groups = await self._repos.groups.linked_to_chat(chat_id)
        whole = [group for group in groups if group.topic_id is None]
        chosen = whole or groups
        return chosen[0] if chosen else None

    async def _member_of_chat(self, uow: Repositories, chat_id: int, person_id: int) -> bool:
        linked = {group.id for group in await uow.groups.linked_to_chat(chat_id)}
        return any(m.group_id in linked for m in await uow.groups.memberships_of(person_id))

    async def _upsert(self, uow: Repositories, sender: Sender) -> Person:
        return await uow.people.upsert_from_telegram(
            telegram_id=sender.telegram_id,
            first_name=sender.first_name,
            last_name=sender.last_name,
            username=sender.username,
            language_code=sender.language_code,
            private=False,
            now=self._clock.now(),
        )

    # --- invitations ------------------------------------------------------------------

    async def create_invite(self, group: WorkingGroup, creator: Person) -> Invite:
        """A new random link for the group: it expires and lets in a limited number of people."""
        now = self._clock.now()
        token = secrets.token_hex(10)
        return await self._repos.joining.create_invite(
            group.id, token, creator.id, INVITE_USES, now, now + INVITE_LIFETIME
        )

    async def use_invite(self, token: str, person: Person) -> InviteUse | None:
        """Follow an invitation link: join directly; None for a link revoked, expired, used up
        or unknown. A member opening it again uses nothing."""
        if not invite_token_ok(token):
            return None
        now = self._clock.now()
        async with self._repos.unit() as uow:
            invite = await uow.joining.invite_by_token(token)
            group = None if invite is None else await self._group(uow, invite.group_id)
            if invite is None or group is None:
                return None
            membership = await uow.groups.membership(group.id, person.id)
            if membership is not None and membership.current:
                return InviteUse(group, joined=False)
            if await uow.joining.use_invite(token, now) is None:
                return None
            await uow.groups.join(group.id, person.id, now, "link")
        return InviteUse(group, joined=True)

    async def revoke_invite(self, invite_id: int, person: Person) -> Invite | None:
        """Revoke a link (its group's coordinators and the secretariat); None when not allowed
        or no such link."""
        invite = await self._repos.joining.invite(invite_id)
        group = None if invite is None else await self._group(self._repos, invite.group_id)
        if (
            invite is None
            or group is None
            or not await self._may_decide(self._repos, group, person)
        ):
            return None
        await self._repos.joining.revoke_invite(invite_id, self._clock.now())
        return invite

    def zone_of(self, person: Person) -> ZoneInfo:
        """The zone a person reads times in (UTC until they set one)."""
        try:
            return ZoneInfo(person.timezone or "UTC")
        except (ValueError, KeyError):
            return ZoneInfo("UTC")
