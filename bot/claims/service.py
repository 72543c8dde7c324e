"""Claims use cases: the secretariat's notices of new claims, and confirming or rejecting them.
Each runs in one unit of work with the notices it causes."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from bot.claims.rules import account_notice, claim_notice, decision_buttons
from bot.clock import Clock
from bot.i18n import I18n
from bot.joining.rules import RETRY_CLAIM_NOTICE
from bot.outbox.service import OutboxService
from storage import Person, Repositories
from storage.claims import Claim
from storage.outbox import OutboxPayload, OutgoingMessage


class ClaimOutcome(Enum):
    DECIDED = "decided"
    ALREADY = "already decided"
    NOT_ALLOWED = "not the secretariat"
    GONE = "no such claim"


@dataclass(frozen=True)
class ClaimResult:
    outcome: ClaimOutcome
    claim: Claim | None = None
    decider: str = ""


@dataclass(frozen=True)
class WaitingClaim:
    """A claim still undecided, with the new account and the list's row it may be."""

    claim: Claim
    account: Person
    imported: Person


CLAIMS_SHOWN = 10
"""How many waiting claims /claims shows at once (the oldest first)."""


class ClaimsService:
    """New accounts claiming imported rows, and the secretariat's decisions."""

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

    async def next_notice_at(self) -> datetime | None:
        return await self._repos.claims.next_notice_at()

    async def queue_notices(self, now: datetime) -> int:
        """A notice with Confirm / Reject to each secretariat member for every claim due; when
        none has started the bot yet, the claim waits a day. How many notices were queued."""
        queued = 0
        for claim in await self._repos.claims.notices_due(now):
            async with self._repos.unit() as uow:
                messages = await self._notices(uow, claim)
                await self._outbox.enqueue(uow, messages)
                again = now + RETRY_CLAIM_NOTICE if not messages else None
                await uow.claims.notice_queued(claim.id, again)
            queued += len(messages)
        return queued

    async def _notices(self, uow: Repositories, claim: Claim) -> list[OutgoingMessage]:
        account = await uow.people.get(claim.account_id)
        imported = None if claim.imported_id is None else await uow.people.get(claim.imported_id)
        if account is None or imported is None:
            return []
        messages = []
        for reader in await self._secretariat(uow):
            assert reader.telegram_id is not None
            tr = self._i18n.for_person(reader.language, reader.telegram_language)
            payload = OutboxPayload(
                text=claim_notice(tr, account, imported),
                reply_markup=decision_buttons(tr, claim.id),
            )
            messages.append(
                OutgoingMessage(
                    kind="notice",
                    chat_id=reader.telegram_id,
                    person_id=reader.id,
                    dedupe_key=f"claim:{claim.id}:{reader.telegram_id}",
                    payload=payload,
                    due_at=self._clock.now(),
                )
            )
        return messages

    async def _secretariat(self, uow: Repositories) -> list[Person]:
        """The secretariat members the bot may write to."""
        people = [await uow.people.by_telegram_id(t) for t in sorted(self._secretariat_ids)]
        return [p for p in people if p is not None and p.started_at is not None and p.reachable]

    async def waiting(self, reader: Person) -> tuple[list[WaitingClaim], int] | None:
        """The oldest claims waiting for a decision and how many wait in all; None for anyone
        outside the secretariat."""
        if reader.telegram_id not in self._secretariat_ids:
            return None
        claims, total = await self._repos.claims.pending(CLAIMS_SHOWN)
        shown = []
        for claim in claims:
            account = await self._repos.people.get(claim.account_id)
            imported = await self._repos.people.get(claim.imported_id or 0)
            if account is not None and imported is not None:
                shown.append(WaitingClaim(claim, account, imported))
        return shown, total

    async def decide(self, claim_id: int, confirm: bool, decider: Person) -> ClaimResult:
        """Confirm (the imported row merges into the account) or reject (they stay apart); the
        first decision wins, and the account holder is told in their language."""
        if decider.telegram_id not in self._secretariat_ids:
            return ClaimResult(ClaimOutcome.NOT_ALLOWED)
        now = self._clock.now()
        async with self._repos.unit() as uow:
            claim = await uow.claims.get(claim_id)
            if claim is None:
                return ClaimResult(ClaimOutcome.GONE)
            imported_id = claim.imported_id
            decided = await uow.claims.decide(claim_id, confirm, decider.id, now)
            if decided is None or imported_id is None:
                return await self._already(uow, claim_id)
            if confirm:
                await uow.claims.merge(decided.account_id, imported_id, now)
            account = await uow.people.get(decided.account_id)
            if account is not None:
                await self._outbox.enqueue(uow, self._told(decided, account, confirm))
        return ClaimResult(ClaimOutcome.DECIDED, decided, decider.name)

    async def _already(self, uow: Repositories, claim_id: int) -> ClaimResult:
        claim = await uow.claims.get(claim_id)
        if claim is None or claim.status == "pending":
            return ClaimResult(ClaimOutcome.GONE, claim)
        first = None if claim.decided_by is None else await uow.people.get(claim.decided_by)
        return ClaimResult(ClaimOutcome.ALREADY, claim, first.name if first else "")

    def _told(self, claim: Claim, account: Person, confirmed: bool) -> list[OutgoingMessage]:
        if account.telegram_id is None or account.started_at is None:
            return []
        tr = self._i18n.for_person(account.language, account.telegram_language)
        return [
            OutgoingMessage(
                kind="notice",
                chat_id=account.telegram_id,
                person_id=account.id,
                dedupe_key=f"claim:{claim.id}:outcome",
                payload=OutboxPayload(text=account_notice(tr, confirmed)),
                due_at=self._clock.now(),
            )
        ]
