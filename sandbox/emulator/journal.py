"""What the bot did: the ledger of messages, every call, counters, and waiting on them."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from .markup import Button, buttons_of
from .signals import Signal
from .text import Entity
from .world import SimMessage, SimPoll, StoredFile

EntryKind = Literal["send", "edit", "delete"]
CLIENT_GONE = 499
RECHECK = 0.05


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file the bot sent."""

    file_id: str
    filename: str | None
    mime_type: str | None
    content: bytes = field(repr=False)

    @classmethod
    def of(cls, stored: StoredFile | None) -> Attachment | None:
        if stored is None:
            return None
        return cls(stored.file_id, stored.file_name, stored.mime_type, stored.content)


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    """One successful message-creating, -editing or -deleting call of the bot."""

    kind: EntryKind
    method: str
    chat_id: int
    message_id: int
    message_thread_id: int | None
    text: str | None
    html: str | None
    entities: list[Entity]
    buttons: list[list[Button]]
    reply_markup: dict[str, Any] | None
    document: Attachment | None
    photo: Attachment | None
    poll: dict[str, Any] | None
    at: float
    wall: float

    @property
    def button_texts(self) -> list[str]:
        return [button.text for row in self.buttons for button in row]

    def button(self, text: str) -> Button:
        for row in self.buttons:
            for button in row:
                if button.text == text:
                    return button
        raise LookupError(f"no button {text!r}; buttons: {self.button_texts}")


@dataclass(frozen=True, slots=True)
class CallRecord:
    """One Bot API call, refused ones included (status 499: the client had gone)."""

    method: str
    params: dict[str, Any]
    status: int
    description: str | None
    at: float

    @property
    def ok(self) -> bool:
        return self.status == 200


@dataclass(frozen=True, slots=True)
class CallbackAnswer:
    callback_query_id: str
    text: str | None
    show_alert: bool
    url: str | None
    at: float


@dataclass
class Stats:
    calls: Counter[str] = field(default_factory=Counter)
    errors: Counter[int] = field(default_factory=Counter)
    too_many_requests: int = 0
    abandoned: int = 0


class Journal:
    """Records of the bot's activity, and waits on them."""

    def __init__(self) -> None:
        self.ledger: list[LedgerEntry] = []
        self.calls: list[CallRecord] = []
        self.stats = Stats()
        self.callback_answers: list[CallbackAnswer] = []
        self.changed = Signal()
        self.in_flight = 0
        self.last_activity = time.monotonic()
        self.retry_due = 0.0
        """When the latest 429's ``retry_after`` ends (monotonic): a retry may come until then."""
        self._cursors: dict[int, int] = {}
        self._sent: dict[int, list[LedgerEntry]] = {}
        """The ``send`` entries by chat: ``sent_to`` stays cheap when a test re-checks thousands
        of chats on every call the bot makes (the kill loop's hundred cycles)."""

    # recording

    def record_message(self, kind: EntryKind, method: str, message: SimMessage) -> LedgerEntry:
        poll = message.poll
        entry = LedgerEntry(
            kind=kind,
            method=method,
            chat_id=message.chat.id,
            message_id=message.message_id,
            message_thread_id=message.thread_id,
            text=message.plain if kind != "delete" else None,
            html=message.html if kind != "delete" else None,
            entities=list(message.entities or message.caption_entities),
            buttons=buttons_of(message.reply_markup),
            reply_markup=message.reply_markup,
            document=Attachment.of(message.document),
            photo=Attachment.of(message.photo),
            poll=_poll_summary(poll) if poll is not None else None,
            at=time.monotonic(),
            wall=time.time(),
        )
        self.ledger.append(entry)
        if kind == "send":
            self._sent.setdefault(entry.chat_id, []).append(entry)
        self.changed.fire()
        return entry

    def restore(self, entries: list[LedgerEntry]) -> None:
        """Entries saved by an earlier sandbox session, appended as if recorded again."""
        self.ledger.extend(entries)
        for entry in entries:
            if entry.kind == "send":
                self._sent.setdefault(entry.chat_id, []).append(entry)

    def record_call(
        self, method: str, params: dict[str, Any], status: int, description: str | None
    ) -> None:
        self.calls.append(CallRecord(method, params, status, description, time.monotonic()))
        self.stats.calls[method] += 1
        if status == CLIENT_GONE:
            self.stats.abandoned += 1
        elif status != 200:
            self.stats.errors[status] += 1
        if status == 429:
            self.stats.too_many_requests += 1
        self.changed.fire()

    def expect_retry(self, retry_after: float) -> None:
        """A call was refused with 429: the bot may call again once ``retry_after`` s passed."""
        self.retry_due = max(self.retry_due, time.monotonic() + retry_after)

    def record_callback_answer(self, answer: CallbackAnswer) -> None:
        self.callback_answers.append(answer)
        self.changed.fire()

    def call_started(self) -> None:
        self.in_flight += 1
        self.last_activity = time.monotonic()

    def call_finished(self) -> None:
        self.in_flight -= 1
        self.note_activity()

    def note_activity(self) -> None:
        """Something happened that a quiet period must wait out (e.g. updates fetched)."""
        self.last_activity = time.monotonic()
        self.changed.fire()

    # reading

    def sent_to(self, chat_id: int) -> list[LedgerEntry]:
        return list(self._sent.get(chat_id, ()))

    def next_sent(self, chat_id: int, after: int = 0) -> LedgerEntry | None:
        """The first message sent to the chat past its cursor and ``after``; moves the cursor."""
        start = max(self._cursors.get(chat_id, 0), after)
        for index in range(start, len(self.ledger)):
            entry = self.ledger[index]
            if entry.kind == "send" and entry.chat_id == chat_id:
                self._cursors[chat_id] = index + 1
                return entry
        return None

    async def wait_until(
        self, predicate: Callable[[], object], seconds: float, describe: Callable[[], str]
    ) -> None:
        """Re-check ``predicate`` whenever the bot acts, and every ``RECHECK`` s regardless."""
        deadline = time.monotonic() + seconds
        while not predicate():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(describe())
            await self.changed.wait(min(remaining, RECHECK))

    def describe_recent(self, limit: int = 10) -> str:
        """The bot's last messages and refused calls, for failure messages."""
        lines = [f"  {_entry_line(entry)}" for entry in self.ledger[-limit:]]
        failures = [call for call in self.calls if not call.ok][-limit:]
        lines += [f"  refused {c.method}: {c.status} {c.description}" for c in failures]
        return "\n".join(lines) if lines else "  (nothing: no message sent, no call refused)"


def _entry_line(entry: LedgerEntry) -> str:
    text = (entry.text or "")[:80].replace("\n", " / ")
    return f"{entry.kind} {entry.method} chat={entry.chat_id} id={entry.message_id}: {text!r}"


def _poll_summary(poll: SimPoll) -> dict[str, Any]:
    return {
        "id": poll.id,
        "question": poll.question,
        "options": list(poll.options),
        "is_anonymous": poll.is_anonymous,
        "allows_multiple_answers": poll.allows_multiple_answers,
        "is_closed": poll.is_closed,
    }
