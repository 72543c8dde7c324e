"""A hypothesis fuzz of the whole bot against the emulator (issue 7 item 2, issue 12 item 7).

Random updates go into every command and every conversation state: commands with missing or
garbage arguments (HTML, emoji, right-to-left and Chinese text, 5,000-character strings),
unknown commands, plain text in the middle of conversations, taps of every button the bot has
shown, forged and stale callback data, documents and photos where text is expected, edited
messages, messages in linked and unlinked group chats and from people the bot never saw — as a
member, a coordinator and the secretariat. Callback data is drawn from the real registry
(``bot.routing.callback_prefixes()``): valid packings of every kind with random field values, and
mutations of them. The world holds meetings (one-off and recurring), experiences in every status,
an open vote round and an announcement draft, all made through the services; Telegram's flood
limits are on. After every step: every tap was answered (answerCallbackQuery) and every command
in a private chat got a reply within a bound, the error handler was not reached and no call the
bot made was refused with a 400. After every run: ``/cancel`` leaves no draft.

The bot and the emulator run in an event loop of their own (a background thread) so that
hypothesis drives them from a plain, synchronous state machine. ``WNMRC_FUZZ_EXAMPLES`` sets the
number of runs (default 10) and ``WNMRC_FUZZ_STEPS`` the steps of each (default 4; with Telegram's
limits on a step costs about a second); 200 x 20 makes a soak.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import threading
import time
from collections.abc import Coroutine, Iterator
from contextlib import AsyncExitStack
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar, TypeVar
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    rule,
    run_state_machine_as_test,
)

from bot.access import Actor
from bot.announcements.service import Previewing, Started
from bot.app import build_application, running
from bot.commands import COMMANDS
from bot.context import Services, WnmrcApplication
from bot.decisions.service import Proposed
from bot.meetings import DEFAULT_OFFSETS
from bot.meetings import drafts as meeting_drafts
from bot.meetings.service import Scheduled
from bot.profile import Refusal
from bot.reviews.selection import VoteOpened
from bot.reviews.service import KIND as REVIEW_KIND
from bot.reviews.service import NoteAsked
from bot.routing import NONE, SEPARATOR, callback_prefixes
from config import load_settings
from sandbox.emulator import Emulator, LedgerEntry, SimChat, SimUser, shapes
from sandbox.emulator.journal import CallRecord
from storage import Repositories
from storage.models import EXPERIENCE_STATUSES, Person

from ..conftest import SECRETARIAT_ID, TOKEN

EXAMPLES = int(os.environ.get("WNMRC_FUZZ_EXAMPLES", "10"))
STEPS = int(os.environ.get("WNMRC_FUZZ_STEPS", "4"))
"""Steps per run: with Telegram's limits on, a step costs about a second of paced replies."""
ANSWER_BOUND = 5.0
"""Seconds within which a tap is answered and a private command gets its reply."""
T = TypeVar("T")


class LiveBot:
    """The emulator and the production bot running in a loop on a background thread."""

    def __init__(self, database_path: Path) -> None:
        self.database_path = database_path
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self._stack = AsyncExitStack()
        self.emulator: Emulator
        self.app: WnmrcApplication

    def run(self, coroutine: Coroutine[Any, Any, T], timeout: float = 30.0) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    def start(self) -> None:
        self._thread.start()
        self.run(self._start())

    def stop(self) -> None:
        with contextlib.suppress(Exception):
            self.run(self._stack.aclose())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(10)
        self.loop.close()

    async def _start(self) -> None:
        self.emulator = await self._stack.enter_async_context(
            Emulator(token=TOKEN, bot_username="wnmrc_test_bot")
        )
        settings = load_settings(
            bot_token=TOKEN,
            bot_api_url=self.emulator.api_root,
            database_path=self.database_path,
            secretariat_ids=str(SECRETARIAT_ID),
        )
        self.app = build_application(settings, publish_command_menus=False)
        await self._stack.enter_async_context(running(self.app, poll_timeout=1))

    @property
    def repos(self) -> Repositories:
        return self.app.services.repos

    def settle(self) -> None:
        self.run(self._settle())

    async def _settle(self) -> None:
        """Until the emulator is quiet and the bot has no update queued or in a handler
        (a handler may be sleeping in the rate limiter, making no call)."""
        processor = self.app.update_processor
        while True:
            await self.emulator.settle(quiet=0.05, timeout=20.0)
            if self.app.update_queue.empty() and processor.current_concurrent_updates == 0:
                return
            await asyncio.sleep(0.02)


@pytest.fixture
def live(tmp_path: Path) -> Iterator[LiveBot]:
    bot = LiveBot(tmp_path / "fuzz.sqlite3")
    bot.start()
    try:
        yield bot
    finally:
        bot.stop()


# what people type

SPICY = (
    "<b>bold",
    "</i>",
    "&",
    "&amp;",
    "<a href='x'>",
    "<script>alert(1)</script>",
    "😀🏔️👩🏽‍🔬",
    "مرحبا بالعالم",
    "שלום",
    "\u202egnp.exe",
    "山地生物圈保护区",
    "Réserve de biosphère",
    "@",
    "@nobody",
    "#1",
    "-1",
    "0",
    "99999999999999999999",
    "climate",
    "all",
    "en",
    "zh",
    "Europe/Madrid",
    "Mars/Olympus",
    "\n\n",
    "\t",
)
fragments = st.one_of(
    st.sampled_from(SPICY),
    st.text(min_size=1, max_size=20),
    st.builds(
        lambda piece, n: piece * n,
        st.sampled_from(["a", "<", "😀", "中", "ש", "& ", "x\n"]),
        st.sampled_from([100, 1100, 4097, 5000]),
    ),
)
texts = st.lists(fragments, min_size=1, max_size=4).map(" ".join).filter(lambda t: t.strip())
arguments = st.one_of(st.just(""), texts)
command_names = st.one_of(
    st.sampled_from([command.name for command in COMMANDS]),
    st.sampled_from(["unknown", "Start", "start@other_bot", "start@wnmrc_test_bot", "x" * 40]),
)


def _field_values(field: Any) -> st.SearchStrategy[str]:
    """Random values of one declared field, as packed (small ids hit the world's rows)."""
    if field.kind == "bool":
        return st.sampled_from(["0", "1"])
    if field.kind in ("int", "optional_int"):
        numbers = st.one_of(
            st.integers(-2, 12), st.integers(min_value=-(2**63), max_value=2**63 - 1)
        ).map(str)
        return st.one_of(numbers, st.just(NONE)) if field.kind == "optional_int" else numbers
    if field.kind == "literal":
        return st.sampled_from(field.choices)
    return st.text(
        st.characters(exclude_characters=SEPARATOR, exclude_categories=["Cs"]),
        max_size=field.width,
    ).filter(lambda t: len(t.encode()) <= field.width)


def _packings(prefix: str, kind: Any) -> st.SearchStrategy[str]:
    fields = kind._declared()
    return st.tuples(*(_field_values(field) for field in fields)).map(
        lambda values: SEPARATOR.join((prefix, *values))
    )


KINDS = callback_prefixes()
"""Every kind of button the bot declares (the handlers are imported with ``bot.app``)."""
valid_data = st.one_of(*(_packings(prefix, kind) for prefix, kind in sorted(KINDS.items())))


def _mutate(data: str, how: int, junk: str) -> str:
    parts = data.split(SEPARATOR)
    if how == 0:  # a field dropped
        parts = parts[:-1] if len(parts) > 1 else parts
    elif how == 1:  # a field too many
        parts.append(junk)
    elif how == 2:  # one field replaced by junk
        parts[len(junk) % len(parts)] = junk
    elif how == 3:  # another prefix with these fields
        parts[0] = sorted(KINDS)[len(junk) % len(KINDS)]
    elif how == 4:  # the prefix in capitals
        parts[0] = parts[0].upper()
    else:  # cut anywhere
        return data[: len(junk) % max(1, len(data))] or data
    mutated = SEPARATOR.join(parts)
    while len(mutated.encode()) > 64:
        mutated = mutated[:-1]
    return mutated or data


JUNK = st.sampled_from(["", "0", "-1", "-", "999999", "a", "<b>", "😀", "1.5", " 1", "0x1", "中"])
forged_data = st.one_of(
    valid_data,
    valid_data,
    st.builds(_mutate, valid_data, st.integers(0, 5), JUNK),
    st.text(min_size=1, max_size=64).filter(lambda d: 0 < len(d.encode()) <= 64),
)
ACTORS = ("member", "coordinator", "secretariat", "newcomer")
actors = st.sampled_from(ACTORS)
places = st.sampled_from(("private",) * 6 + ("linked", "unlinked"))

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


# the world the fuzz plays in, made through the services

EXPERIENCE = {
    "reserve": "Sierra Nevada",
    "country": "ES",
    "summary": "Las terrazas retienen el agua.",
    "links": [],
    "files": [],
}


async def furnish(services: Services, people: dict[str, Person], theme: str) -> None:
    """Meetings (one-off and recurring), an experience in every status, an open vote round on
    the theme ``theme`` and an announcement draft at its preview."""
    boss = await services.groups.actor(people["secretariat"])
    for recurrence in ("none", "weekly"):
        await _meeting(services, people["secretariat"], boss, recurrence)
    author = people["member"]
    made: dict[str, int] = {}
    for status in ("submitted", "in_review", "changes_requested", "declined", "accepted"):
        made[status] = await _experience(services, author, theme, status, boss)
    made["withdrawn"] = await _experience(services, author, theme, "submitted", boss)
    assert await services.experiences.withdraw(author.id, made["withdrawn"]) is not None
    for status in ("shortlisted", "selected", "on the ballot"):
        made[status] = await _experience(services, author, theme, "accepted", boss)
        assert not isinstance(await services.selection.shortlist(boss, made[status]), Refusal)
    published = await services.selection.select(boss, [made["selected"]], None)
    assert published, "nothing was selected"
    assert not isinstance(published[0], Refusal), published
    opened = await services.selection.open_vote(people["secretariat"].id, theme)
    assert isinstance(opened, VoteOpened), opened
    statuses = {(await services.reviews.get(i)).status for i in made.values()}  # type: ignore[union-attr]
    assert statuses == set(EXPERIENCE_STATUSES), statuses
    sender = people["secretariat"]
    started = await services.announcements.start(sender.id, sender.telegram_id or 0, theme)
    assert isinstance(started, Started), started
    assert isinstance(await services.announcements.type_text(started.draft, "Hola <b>"), Previewing)
    for kind in ("consent", "choice"):
        await _proposal(services, people["secretariat"], boss, theme, kind)
    offer = {"kind": "project", "title": "Atlas <b>", "description": "Socios", "themes": [theme]}
    posted = await services.opportunities.post(people["member"], offer)
    await services.opportunities.interested(people["secretariat"], posted.opportunity.id, None)
    group = await services.groups.find(theme)
    soon = (datetime.now(ZoneInfo("Europe/Madrid")) + timedelta(days=5)).date()
    owners = [people["member"].id]
    gid = group.id if group else None
    action = await services.roadmap.create_action(
        boss.person_id, title="Acción <b>", due_date=soon, owners=owners, group_id=gid
    )
    assert action.created, action


async def _meeting(services: Services, host: Person, actor: Actor, recurrence: str) -> None:
    zone = "Europe/Madrid"
    when = datetime.now(ZoneInfo(zone)) + timedelta(days=3)
    data = {
        "id": f"fz{recurrence[:6]}",
        "zone": zone,
        "groups": [group.id for group in await services.meetings.groups()][:1],
        "title": f"Fuzz <{recurrence}>",
        "local": when.strftime("%Y-%m-%dT%H:00"),
        "duration": 60,
        "link": "https://meet.example.org/fuzz",
        "agenda": None,
        "recurrence": recurrence,
        "offsets": list(DEFAULT_OFFSETS),
    }
    await services.meetings.save_meet(host.id, data, host.telegram_id, meeting_drafts.CONFIRM)
    draft = await services.meetings.meet_draft(host.id)
    assert draft is not None
    done = await services.meetings.schedule(host.id, draft, actor)
    assert isinstance(done, Scheduled), done


async def _proposal(services: Services, host: Person, actor: Actor, theme: str, kind: str) -> None:
    """An open proposal to the theme's group, its buttons in the members' chats."""
    group = next(g for g in await services.groups.active() if g.slug == theme)
    data = {
        "scope": group.id,
        "zone": "Europe/Madrid",
        "title": f"Fuzz <{kind}>",
        "body": "¿Adoptamos <esto>?",
        "kind": kind,
        "options": ["Sí", "No", "<Quizás>"] if kind == "choice" else [],
        "multiple": kind == "choice",
        "closes": (datetime.now(ZoneInfo("UTC")) + timedelta(days=5)).isoformat(),
    }
    done = await services.decisions.propose(host.id, data, actor)
    assert isinstance(done, Proposed), done


async def _experience(
    services: Services, author: Person, theme: str, status: str, reviewer: Actor
) -> int:
    """An experience sent by ``author`` and taken by ``reviewer`` to ``status``."""
    answers = {**EXPERIENCE, "title": f"Terrazas <{status}>", "themes": [theme]}
    experience = await services.experiences.submit(author, "es", answers)
    if status == "submitted":
        return experience.id
    reviews = services.reviews
    assert not isinstance(await reviews.open(reviewer, experience.id, None), Refusal)
    for index in range(len(reviews.criteria)):
        assert not isinstance(await reviews.score(reviewer, experience.id, index, 4), Refusal)
    if status == "in_review":
        return experience.id
    assert not isinstance(await reviews.skip_comment(reviewer, experience.id), Refusal)
    letter = {"accepted": "a", "changes_requested": "c", "declined": "d"}[status]
    decided = await reviews.decide(reviewer, experience.id, letter)
    assert not isinstance(decided, Refusal), decided
    if isinstance(decided, NoteAsked):
        draft = await services.repos.drafts.get(reviewer.person_id, REVIEW_KIND)
        assert draft is not None
        assert not isinstance(await reviews.write(reviewer, draft, "Más datos."), Refusal)
    return experience.id


class BotFuzz(RuleBasedStateMachine):
    """Random people doing random things; every step must leave the bot healthy."""

    live: ClassVar[LiveBot]
    caplog: ClassVar[pytest.LogCaptureFixture]
    people: ClassVar[dict[str, SimUser]]
    linked: ClassVar[list[SimChat]]
    unlinked: ClassVar[list[SimChat]]
    turn: ClassVar[int] = 0

    def __init__(self) -> None:
        super().__init__()
        self.strangers: list[SimUser] = []
        self.recent: dict[int, Any] = {}
        self.taps: list[tuple[str, float]] = []
        """Callback queries sent since the last step, with when."""
        self.awaited: list[tuple[int, float]] = []
        """Private chats where a command was sent since the last step, with when."""

    @property
    def emulator(self) -> Emulator:
        return self.live.emulator

    # the rules

    @initialize()
    def fresh_start(self) -> None:
        self.step("start")

    @rule(who=actors, name=command_names, args=arguments, where=places, mention=st.booleans())
    def command(self, who: str, name: str, args: str, where: str, mention: bool) -> None:
        suffix = "@wnmrc_test_bot" if mention and "@" not in name else ""
        text = f"/{name}{suffix} {args}".strip()
        self.write(self.people[who], text, where)
        if where == "private" and name in {command.name for command in COMMANDS}:
            self.awaited.append((self.people[who].private_chat.id, time.monotonic()))
        self.step(f"{who} in {where}: {text[:80]!r}")

    @rule(who=actors, text=texts, where=places)
    def plain_text(self, who: str, text: str, where: str) -> None:
        self.write(self.people[who], text, where)
        self.step(f"{who} in {where} writes {text[:80]!r}")

    @rule(who=actors, pick=st.integers(min_value=0, max_value=10**6))
    def tap_shown_button(self, who: str, pick: int) -> None:
        user = self.people[who]
        shown = [
            (entry, button.data)
            for entry in self.tappable(user)
            for row in entry.buttons
            for button in row
            if button.data is not None
        ]
        if not shown:
            return
        entry, data = shown[pick % len(shown)]
        self.tap(user, entry, data)
        self.step(f"{who} taps {data!r}")

    @rule(who=actors, data=forged_data, pick=st.integers(min_value=0, max_value=10**6))
    def tap_forged(self, who: str, data: str, pick: int) -> None:
        user = self.people[who]
        messages = self.tappable(user)
        if not messages:
            return
        self.tap(user, messages[pick % len(messages)], data)
        self.step(f"{who} taps forged {data!r}")

    @rule(who=actors, other=actors, pick=st.integers(min_value=0, max_value=10**6))
    def tap_someone_elses_button(self, who: str, other: str, pick: int) -> None:
        """The data of a button another person was shown, tapped on one's own message."""
        user, owner = self.people[who], self.people[other]
        mine = self.tappable(user)
        theirs = [
            button.data
            for entry in self.emulator.sent_to(owner)
            for row in entry.buttons
            for button in row
            if button.data is not None
        ]
        if not mine or not theirs:
            return
        self.tap(user, mine[pick % len(mine)], theirs[pick % len(theirs)])
        self.step(f"{who} taps {other}'s {theirs[pick % len(theirs)]!r}")

    @rule(who=actors, where=places, photo=st.booleans(), caption=st.one_of(st.none(), texts))
    def attachment(self, who: str, where: str, photo: bool, caption: str | None) -> None:
        user, chat = self.people[who], self.chat_of(self.people[who], where)
        caption = caption[:1000] if caption else None
        if photo:
            self.emulator.send_photo(user, chat, content=PNG, caption=caption)
        else:
            self.emulator.send_document(
                user, chat, filename="notes <b>.txt", content=b"hello", caption=caption
            )
        self.step(f"{who} sends a {'photo' if photo else 'document'} in {where}")

    @rule(who=actors, text=texts)
    def edit_last_message(self, who: str, text: str) -> None:
        user = self.people[who]
        message = self.recent.get(user.id)
        if message is None:
            return
        shape = shapes.message(message)
        shape.pop("entities", None)
        shape.update(text=text[:4096], edit_date=int(time.time()))
        self.emulator.backend.updates.push("edited_message", shape)
        self.step(f"{who} edits a message into {text[:80]!r}")

    @rule(text=st.one_of(texts, st.sampled_from(["/start", "/help", "/cancel", "/me"])))
    def stranger(self, text: str) -> None:
        user = self.emulator.add_user("Stranger <i>", language_code="ar")
        self.strangers.append(user)
        self.emulator.send_text(user, text)
        self.step(f"a stranger writes {text[:80]!r}")

    @rule(who=actors)
    def cancel(self, who: str) -> None:
        self.write(self.people[who], "/cancel", "private")
        self.step(f"{who} cancels")

    def teardown(self) -> None:
        everyone = [*self.people.values(), *self.strangers]
        for user in everyone:
            self.emulator.send_text(user, "/cancel")
        self.step("everyone cancels")
        for user in everyone:
            person = self.live.run(self.live.repos.people.by_telegram_id(user.id))
            if person is None:
                continue
            drafts = self.live.run(self.live.repos.drafts.active(person.id))
            assert drafts == [], f"{user.full_name} still has {drafts} after /cancel"

    # helpers

    def write(self, user: SimUser, text: str, where: str) -> None:
        self.recent[user.id] = self.emulator.send_text(user, text, self.chat_of(user, where))

    def chat_of(self, user: SimUser, where: str) -> SimChat:
        """The private chat, or the next group chat in turn (the bot may send only 20
        messages a minute to one group, so the fuzz spreads its group traffic)."""
        if where == "private":
            return user.private_chat
        type(self).turn += 1
        chats = self.linked if where == "linked" else self.unlinked
        return chats[self.turn % len(chats)]

    def tappable(self, user: SimUser) -> list[LedgerEntry]:
        """Messages with buttons that ``user`` can see, still existing."""
        chats = {user.private_chat.id} | {chat.id for chat in [*self.linked, *self.unlinked]}
        return [
            entry
            for entry in self.emulator.ledger
            if entry.chat_id in chats
            and entry.buttons
            and self.emulator.message(entry.chat_id, entry.message_id) is not None
        ]

    def tap(self, user: SimUser, entry: LedgerEntry, data: str) -> None:
        query_id = self.emulator.tap_data(user, (entry.chat_id, entry.message_id), data)
        self.taps.append((query_id, time.monotonic()))

    def step(self, what: str) -> None:
        """Wait for the bot, then check that nothing failed since the previous step."""
        type(self).steps += 1
        calls_before, records_before = self._calls_seen, self._records_seen
        self.live.settle()
        calls, records = self.emulator.calls, self.caplog.records
        type(self)._calls_seen, type(self)._records_seen = len(calls), len(records)
        refused = [
            f"{call.method}: {call.description}"
            for call in calls[calls_before:]
            if call.status == 400 and not _handled(call.description)
        ]
        assert not refused, f"after {what}: Telegram refused {refused}"
        failures = [r.getMessage() for r in records[records_before:] if r.levelno >= logging.ERROR]
        assert not failures, f"after {what}: {failures}"
        self._check_answered(what, calls[calls_before:])

    def _check_answered(self, what: str, calls: list[CallRecord]) -> None:
        """Every tap got its answerCallbackQuery, every private command a reply, in time."""
        for query_id, tapped in self.taps:
            answers = [
                call.at
                for call in calls
                if call.ok
                and call.method == "answerCallbackQuery"
                and str(call.params.get("callback_query_id")) == query_id
            ]
            assert answers, f"after {what}: the tap was never answered"
            assert answers[0] - tapped <= ANSWER_BOUND, f"after {what}: answered too late"
        for chat_id, sent in self.awaited:
            replies = [
                call.at
                for call in calls
                if call.ok
                and call.method in REPLIES
                and str(call.params.get("chat_id")) == str(chat_id)
            ]
            assert replies, f"after {what}: no reply"
            assert replies[0] - sent <= ANSWER_BOUND, f"after {what}: the reply came too late"
        self.taps.clear()
        self.awaited.clear()

    steps: ClassVar[int] = 0
    _calls_seen: ClassVar[int] = 0
    _records_seen: ClassVar[int] = 0


REPLIES = frozenset(
    {
        "sendMessage",
        "editMessageText",
        "editMessageReplyMarkup",
        "sendDocument",
        "sendPhoto",
        "sendMediaGroup",
        "sendPoll",
    }
)
"""The calls that answer a command."""


def _handled(description: str | None) -> bool:
    """Whether a 400 is "message is not modified": a second tap on the same choice, the one 400
    the bot provokes knowingly and catches (avoiding it means remembering every text shown)."""
    return "message is not modified" in (description or "").lower()


@pytest.mark.timeout(120 + 2 * EXAMPLES * STEPS)
def test_random_updates_never_break_the_bot(
    live: LiveBot, caplog: pytest.LogCaptureFixture
) -> None:
    emulator = live.emulator
    people = {
        "member": emulator.add_user("Ana", "López", username="ana", language_code="es"),
        "coordinator": emulator.add_user("Chen", username="chen", language_code="zh"),
        "secretariat": emulator.add_user("Jorge", language_code="en", user_id=SECRETARIAT_ID),
        "newcomer": emulator.add_user("Fatou", language_code="fr"),
    }
    for who in ("member", "coordinator", "secretariat"):
        emulator.send_text(people[who], "/start")
    live.settle()
    groups = live.run(live.repos.groups.list())
    first, second = groups[0], groups[1]
    for who in ("member", "coordinator"):
        person = live.run(live.repos.people.by_telegram_id(people[who].id))
        assert person is not None
        live.run(live.repos.groups.add_member(first.id, person.id, "member", person.created_at))
        if who == "coordinator":
            live.run(live.repos.groups.appoint(second.id, person.id, person.created_at))
    linked = [emulator.add_group(f"{g.slug} <WG>", members=[*people.values()]) for g in groups]
    unlinked = [
        emulator.add_group(f"Elsewhere & co {i}", members=[*people.values()]) for i in (1, 2)
    ]
    for group, chat in zip(groups, linked, strict=True):
        emulator.send_text(people["secretariat"], f"/linkchat {group.slug}", chat)
    live.settle()
    assert all(live.run(live.repos.groups.linked_to_chat(chat.id)) for chat in linked)
    persons = {who: live.run(live.repos.people.by_telegram_id(people[who].id)) for who in people}
    live.run(furnish(live.app.services, {w: p for w, p in persons.items() if p}, first.slug))
    live.run(emulator.settle(quiet=1.5, timeout=90.0))  # the world's notices, paced, all out
    live.settle()

    BotFuzz.live, BotFuzz.caplog, BotFuzz.people = live, caplog, people
    BotFuzz.linked, BotFuzz.unlinked = linked, unlinked
    BotFuzz._calls_seen, BotFuzz._records_seen = len(emulator.calls), len(caplog.records)
    run_state_machine_as_test(
        BotFuzz,
        settings=settings(
            max_examples=EXAMPLES,
            stateful_step_count=STEPS,
            deadline=None,
            suppress_health_check=list(HealthCheck),
        ),
    )
    print(f"fuzz: {BotFuzz.steps} steps, {len(emulator.calls)} Bot API calls")  # shown with -s
