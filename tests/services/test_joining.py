"""Joining under each policy, the approvers' decisions, invitation links, the linked chat, and
claims of imported rows: the services on a real SQLite file, without Telegram."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.claims.service import ClaimOutcome, ClaimsService
from bot.clock import ManualClock
from bot.i18n import I18n
from bot.joining import REQUEST_LIFETIME, RequestDecision
from bot.joining.service import Asked, ChatAsk, Decided, JoiningService
from bot.outbox import OutboxService
from bot.presence import Sender
from bot.runtime import DueWorkRuntime
from config import load_network
from storage import Person, Repositories, WorkingGroup
from storage.joining import JoinRequest
from storage.models import JoinPolicy
from storage.outbox import OutboxMessage

SECRETARIAT = 990_001
CHAT = -100_777


@pytest.fixture
def outbox(repos: Repositories, clock: ManualClock) -> OutboxService:
    return OutboxService(repos, clock, DueWorkRuntime(clock))


@pytest.fixture
async def joining(repos: Repositories, clock: ManualClock, outbox: OutboxService) -> JoiningService:
    await repos.groups.seed(load_network().groups, clock.now())
    return JoiningService(repos, clock, I18n(), frozenset({SECRETARIAT}), outbox)


@pytest.fixture
def claims(repos: Repositories, clock: ManualClock, outbox: OutboxService) -> ClaimsService:
    return ClaimsService(repos, clock, I18n(), frozenset({SECRETARIAT}), outbox)


async def person(
    repos: Repositories,
    clock: ManualClock,
    telegram_id: int,
    name: str,
    language: str = "en",
    *,
    username: str | None = None,
    last_name: str | None = None,
) -> Person:
    """A person who started the bot (their username is their name in lower case unless given)."""
    return await repos.people.upsert_from_telegram(
        telegram_id=telegram_id,
        first_name=name,
        last_name=last_name,
        username=username or name.lower(),
        language_code=language,
        private=True,
        now=clock.now(),
    )


async def coordinator(
    repos: Repositories,
    clock: ManualClock,
    group: WorkingGroup,
    telegram_id: int,
    name: str,
    language: str = "en",
) -> Person:
    """A person who coordinates ``group``."""
    found = await person(repos, clock, telegram_id, name, language)
    await repos.groups.add_member(group.id, found.id, "coordinator", clock.now())
    return found


async def request_of(
    joining: JoiningService,
    repos: Repositories,
    clock: ManualClock,
    group: WorkingGroup,
    who: Person,
) -> JoinRequest:
    """``who`` asks to join ``group``: their one request."""
    await joining.ask(group, who)
    [request] = await repos.joining.requests_of(who.id, clock.now())
    return request


async def linked_chat(repos: Repositories, clock: ManualClock, group: WorkingGroup) -> None:
    """The supergroup ``CHAT``, linked to ``group``."""
    await repos.chats.upsert(
        chat_id=CHAT,
        type="supergroup",
        title="Climate",
        username=None,
        is_forum=False,
        now=clock.now(),
    )
    await repos.groups.link_chat_alone(group.id, CHAT, None, clock.now())


async def with_policy(
    repos: Repositories, clock: ManualClock, slug: str, policy: JoinPolicy
) -> WorkingGroup:
    found = await repos.groups.by_slug(slug)
    assert found is not None
    await repos.joining.set_policy(found.id, policy, clock.now())
    again = await repos.groups.by_slug(slug)
    assert again is not None
    assert again.join_policy == policy
    return again


async def queued(repos: Repositories) -> list[OutboxMessage]:
    rows = await repos.db.fetch_all("SELECT id FROM outbox ORDER BY id")
    found = [await repos.outbox.get(row["id"]) for row in rows]
    return [message for message in found if message is not None]


async def execute(repos: Repositories, sql: str, params: tuple[object, ...]) -> None:
    async with repos.db.transaction() as conn:
        await conn.execute(sql, params)


async def is_member(repos: Repositories, group_id: int, person_id: int) -> bool:
    membership = await repos.groups.membership(group_id, person_id)
    return membership is not None and membership.current


async def test_every_group_asks_for_approval_by_default(
    joining: JoiningService, repos: Repositories
) -> None:
    assert {g.join_policy for g in await repos.groups.list()} == {"approval"}


async def test_an_open_group_is_joined_at_once(
    joining: JoiningService, repos: Repositories, clock: ManualClock
) -> None:
    climate = await with_policy(repos, clock, "climate", "open")
    ana = await person(repos, clock, 1, "Ana")

    assert await joining.ask(climate, ana) is Asked.JOINED
    assert await joining.ask(climate, ana) is Asked.ALREADY_MEMBER
    assert await is_member(repos, climate.id, ana.id)
    assert await queued(repos) == []


async def test_a_request_goes_to_the_coordinators_in_their_language_and_is_not_duplicated(
    joining: JoiningService, repos: Repositories, clock: ManualClock
) -> None:
    climate = await with_policy(repos, clock, "climate", "approval")
    await coordinator(repos, clock, climate, 2, "Lucia", "es")
    ana = await person(repos, clock, 1, "Ana")

    assert await joining.ask(climate, ana) is Asked.REQUESTED
    assert await joining.ask(climate, ana) is Asked.WAITING

    assert not await is_member(repos, climate.id, ana.id)
    [notice] = await queued(repos)
    assert notice.chat_id == 2
    assert (
        notice.payload.text
        == "🙋 <b>Ana</b> @ana pide unirse al grupo de trabajo <b>Cambio climático</b>."
    )
    assert notice.payload.reply_markup is not None
    [buttons] = notice.payload.reply_markup["inline_keyboard"]
    assert [b["text"] for b in buttons] == ["Aprobar", "Rechazar"]
    [waiting] = await joining.waiting(ana.id)
    assert waiting[0].slug == "climate"


async def test_a_group_without_coordinators_sends_its_requests_to_the_secretariat(
    joining: JoiningService, repos: Repositories, clock: ManualClock
) -> None:
    climate = await with_policy(repos, clock, "climate", "approval")
    await person(repos, clock, SECRETARIAT, "Jorge", "fr")
    ana = await person(repos, clock, 1, "Ana")

    assert await joining.ask(climate, ana) is Asked.REQUESTED

    [notice] = await queued(repos)
    assert notice.chat_id == SECRETARIAT
    assert "demande à rejoindre" in notice.payload.text


async def test_approve_then_a_late_tap_names_who_decided(
    joining: JoiningService, repos: Repositories, clock: ManualClock
) -> None:
    climate = await with_policy(repos, clock, "climate", "approval")
    lucia = await coordinator(repos, clock, climate, 2, "Lucia", "es")
    omar = await coordinator(repos, clock, climate, 3, "Omar", "fr")
    ana = await person(repos, clock, 1, "Ana", "zh")
    request = await request_of(joining, repos, clock, climate, ana)

    first = await joining.decide(request.id, True, lucia)
    late = await joining.decide(request.id, False, omar)

    assert first.outcome is Decided.DECIDED
    assert (late.outcome, late.decider) == (Decided.ALREADY, "Lucia")
    assert late.request is not None
    assert late.request.status == "approved"
    assert await is_member(repos, climate.id, ana.id)
    told = [m for m in await queued(repos) if m.chat_id == 1]
    assert [m.payload.text for m in told] == [
        "您加入工作组 <b>气候变化</b> 的申请已获批准：您现在是成员了。"
    ]
    assert await joining.waiting(ana.id) == []


async def test_a_decline_keeps_them_out_and_they_may_ask_again(
    joining: JoiningService, repos: Repositories, clock: ManualClock
) -> None:
    climate = await with_policy(repos, clock, "climate", "approval")
    lucia = await coordinator(repos, clock, climate, 2, "Lucia")
    ana = await person(repos, clock, 1, "Ana")
    request = await request_of(joining, repos, clock, climate, ana)

    assert (await joining.decide(request.id, False, lucia)).outcome is Decided.DECIDED

    assert not await is_member(repos, climate.id, ana.id)
    told = [m.payload.text for m in await queued(repos) if m.chat_id == 1]
    assert told == ["Your request to join the working group <b>Climate change</b> was declined."]
    assert await joining.ask(climate, ana) is Asked.REQUESTED


async def test_only_the_groups_coordinators_and_the_secretariat_decide(
    joining: JoiningService, repos: Repositories, clock: ManualClock
) -> None:
    climate = await with_policy(repos, clock, "climate", "approval")
    water = await repos.groups.by_slug("biodiversity")
    assert water is not None
    bo = await coordinator(repos, clock, water, 4, "Bo")
    jorge = await person(repos, clock, SECRETARIAT, "Jorge")
    ana = await person(repos, clock, 1, "Ana")
    request = await request_of(joining, repos, clock, climate, ana)

    assert (await joining.decide(request.id, True, ana)).outcome is Decided.NOT_ALLOWED
    assert (await joining.decide(request.id, True, bo)).outcome is Decided.NOT_ALLOWED
    assert (await joining.decide(request.id + 99, True, jorge)).outcome is Decided.GONE
    assert not await is_member(repos, climate.id, ana.id)
    assert (await joining.decide(request.id, True, jorge)).outcome is Decided.DECIDED
    assert await is_member(repos, climate.id, ana.id)


async def test_a_request_expires_and_can_be_made_again(
    joining: JoiningService, repos: Repositories, clock: ManualClock
) -> None:
    climate = await with_policy(repos, clock, "climate", "approval")
    jorge = await person(repos, clock, SECRETARIAT, "Jorge")
    ana = await person(repos, clock, 1, "Ana")
    request = await request_of(joining, repos, clock, climate, ana)

    clock.advance(REQUEST_LIFETIME + timedelta(minutes=1))

    assert (await joining.decide(request.id, True, jorge)).outcome is Decided.EXPIRED
    assert await joining.waiting(ana.id) == []
    assert await joining.ask(climate, ana) is Asked.REQUESTED
    assert not await is_member(repos, climate.id, ana.id)


async def test_imported_and_once_approved_people_join_at_once(
    joining: JoiningService, repos: Repositories, clock: ManualClock
) -> None:
    climate = await with_policy(repos, clock, "climate", "approval")
    ana = await person(repos, clock, 1, "Ana")
    await repos.groups.join(climate.id, ana.id, clock.now(), "import")
    await repos.groups.leave(climate.id, ana.id, clock.now())

    assert await joining.ask(climate, ana) is Asked.JOINED
    assert await queued(repos) == []


async def test_invite_only_refuses_asking_and_an_invitation_joins_until_revoked(
    joining: JoiningService, repos: Repositories, clock: ManualClock
) -> None:
    climate = await with_policy(repos, clock, "climate", "invite")
    lucia = await coordinator(repos, clock, climate, 2, "Lucia")
    ana = await person(repos, clock, 1, "Ana")
    bo = await person(repos, clock, 3, "Bo")
    eve = await person(repos, clock, 5, "Eve")

    assert await joining.ask(climate, ana) is Asked.INVITE_ONLY
    invite = await joining.create_invite(climate, lucia)
    used = await joining.use_invite(invite.token, ana)
    again = await joining.use_invite(invite.token, ana)

    assert used is not None
    assert used.joined
    assert again is not None
    assert not again.joined
    assert await is_member(repos, climate.id, ana.id)
    stored = await repos.joining.invite(invite.id)
    assert stored is not None
    assert stored.uses == 1
    assert await joining.revoke_invite(invite.id, bo) is None
    assert await joining.revoke_invite(invite.id, lucia) is not None
    assert await joining.use_invite(invite.token, bo) is None
    assert await joining.use_invite("0123456789abcdef", eve) is None
    assert await joining.use_invite("not-a-token", eve) is None
    assert not await is_member(repos, climate.id, bo.id)


async def test_an_invitation_expires_and_is_used_up(
    joining: JoiningService, repos: Repositories, clock: ManualClock
) -> None:
    climate = await with_policy(repos, clock, "climate", "invite")
    lucia = await person(repos, clock, 2, "Lucia")
    invite = await joining.create_invite(climate, lucia)
    await execute(repos, "UPDATE group_invites SET max_uses = 1 WHERE id = ?", (invite.id,))
    ana = await person(repos, clock, 1, "Ana")
    bo = await person(repos, clock, 3, "Bo")
    eve = await person(repos, clock, 5, "Eve")

    assert await joining.use_invite(invite.token, ana) is not None
    assert await joining.use_invite(invite.token, bo) is None
    later = await joining.create_invite(climate, lucia)
    clock.advance(timedelta(days=8))
    assert await joining.use_invite(later.token, eve) is None


async def test_a_chat_request_from_a_non_member_is_passed_on_and_approval_makes_a_member(
    joining: JoiningService, repos: Repositories, clock: ManualClock
) -> None:
    climate = await with_policy(repos, clock, "climate", "approval")
    await linked_chat(repos, clock, climate)
    lucia = await coordinator(repos, clock, climate, 2, "Lucia")
    eve = Sender(7, "Eve", None, "eve", "en")

    assert await joining.chat_request(CHAT, eve) is ChatAsk.REQUESTED
    assert await joining.chat_request(CHAT, eve) is ChatAsk.WAITING
    assert await joining.chat_request(-1, eve) is ChatAsk.NOT_LINKED
    stored = await repos.people.by_telegram_id(7)
    assert stored is not None
    [request] = await repos.joining.requests_of(stored.id, clock.now())
    assert (request.via, request.chat_id) == ("chat", CHAT)
    [notice] = await queued(repos)
    assert "Telegram chat" in notice.payload.text

    decision = await joining.decide(request.id, True, lucia)

    assert decision.telegram_id == 7
    assert await is_member(repos, climate.id, stored.id)
    assert await joining.chat_request(CHAT, eve) is ChatAsk.APPROVE


async def test_entering_the_chat_follows_the_policy_unless_a_coordinator_added_them(
    joining: JoiningService, repos: Repositories, clock: ManualClock
) -> None:
    climate = await with_policy(repos, clock, "climate", "invite")
    await linked_chat(repos, clock, climate)
    await coordinator(repos, clock, climate, 2, "Lucia")
    admin = await person(repos, clock, 8, "Admin")

    eve = Sender(7, "Eve", None, "eve", "en")
    bo = Sender(9, "Bo", None, "bo", "en")
    assert await joining.entered_chat(CHAT, eve, added_by=7) == 0
    assert await joining.entered_chat(CHAT, eve, added_by=admin.telegram_id) == 0
    assert await joining.entered_chat(CHAT, bo, added_by=2) == 1

    await with_policy(repos, clock, "climate", "approval")
    assert await joining.entered_chat(CHAT, eve, added_by=7) == 0
    stored = await repos.people.by_telegram_id(7)
    assert stored is not None
    assert len(await repos.joining.requests_of(stored.id, clock.now())) == 1

    await with_policy(repos, clock, "climate", "open")
    assert await joining.entered_chat(CHAT, eve, added_by=7) == 1


async def test_the_button_data_round_trips() -> None:
    assert RequestDecision.unpack(RequestDecision(12, True).pack()) == RequestDecision(12, True)


# Claims of an imported row


async def imported(repos: Repositories, clock: ManualClock, username: str) -> Person:
    await execute(
        repos,
        "INSERT INTO people (first_name, username, email, reserve, created_at, updated_at)"
        " VALUES ('Ana Pérez', ?, 'ana@example.org', 'Sierra Nevada',"
        " '2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z')",
        (username,),
    )
    [row] = await repos.people.search(f"@{username}")
    climate = await repos.groups.by_slug("climate")
    assert climate is not None
    await repos.groups.join(climate.id, row.id, clock.now(), "import")
    return row


async def test_a_new_account_sees_nothing_of_an_imported_row_until_confirmed(
    joining: JoiningService, claims: ClaimsService, repos: Repositories, clock: ManualClock
) -> None:
    listed = await imported(repos, clock, "ana_p")
    jorge = await person(repos, clock, SECRETARIAT, "Jorge", "es")
    account = await person(repos, clock, 1, "Ana", "fr", username="ANA_P")

    assert account.id != listed.id
    assert account.email is None
    assert await repos.groups.memberships_of(account.id) == []
    assert await claims.next_notice_at() == clock.now()
    assert await claims.queue_notices(clock.now()) == 1
    assert await claims.next_notice_at() is None
    [notice] = await queued(repos)
    assert notice.chat_id == SECRETARIAT
    assert "ana@example.org" in notice.payload.text
    markup = notice.payload.reply_markup
    assert markup is not None
    assert [b["text"] for b in markup["inline_keyboard"][0]] == ["Confirmar", "Rechazar"]
    [claim] = await repos.claims.pending_of(account.id)

    assert (await claims.decide(claim.id, True, account)).outcome is ClaimOutcome.NOT_ALLOWED
    assert (await claims.decide(claim.id, True, jorge)).outcome is ClaimOutcome.DECIDED
    late = await claims.decide(claim.id, False, jorge)

    assert (late.outcome, late.decider) == (ClaimOutcome.ALREADY, "Jorge")
    merged = await repos.people.get(account.id)
    assert merged is not None
    assert (merged.email, merged.reserve, merged.telegram_id) == (
        "ana@example.org",
        "Sierra Nevada",
        1,
    )
    assert await repos.people.get(listed.id) is None
    assert [m.group_id for m in await repos.groups.memberships_of(account.id)] != []
    told = [m.payload.text for m in await queued(repos) if m.chat_id == 1]
    assert len(told) == 1
    assert told[0].startswith("Le secrétariat a confirmé")


async def test_a_rejected_claim_keeps_them_apart_and_is_not_proposed_again(
    joining: JoiningService, claims: ClaimsService, repos: Repositories, clock: ManualClock
) -> None:
    listed = await imported(repos, clock, "ana_p")
    jorge = await person(repos, clock, SECRETARIAT, "Jorge")
    account = await person(repos, clock, 1, "Ana", "en", username="ana_p")
    [claim] = await repos.claims.pending_of(account.id)

    assert (await claims.decide(claim.id, False, jorge)).outcome is ClaimOutcome.DECIDED

    kept = await repos.people.get(listed.id)
    assert kept is not None
    assert kept.telegram_id is None
    assert kept.email == "ana@example.org"
    again = await person(repos, clock, 1, "Ana", "en", username="ana_p", last_name="P")
    assert again.email is None
    assert await repos.claims.pending_of(account.id) == []
    other = await person(repos, clock, 2, "Ana", "en", username="ana_p")
    assert len(await repos.claims.pending_of(other.id)) == 1


async def test_a_claim_waits_while_no_secretariat_member_started_the_bot(
    joining: JoiningService, claims: ClaimsService, repos: Repositories, clock: ManualClock
) -> None:
    await imported(repos, clock, "ana_p")
    await person(repos, clock, 1, "Ana", "en", username="ana_p")

    assert await claims.queue_notices(clock.now()) == 0
    assert await claims.next_notice_at() == clock.now() + timedelta(days=1)
