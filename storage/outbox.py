"""The outbox: one row per recipient of every message the bot sends on its own.

Reminders, announcements, digests and notices are enqueued here (docs/developers.md, "The outbox")
and sent by the sender in ``bot/outbox/``. A row moves ``queued`` -> ``sending`` (claimed by one
sender) -> ``sent``, ``unreachable`` (403) or ``failed`` (400, expired); a 429 or a time-out puts
it back to ``queued`` with a later ``next_attempt_at``. Each chat's rows go in order: only the
oldest pending row of a chat (its head) can be claimed, so one chat never has two messages in
flight.
"""

import base64
import json
from collections.abc import Collection, Iterable
from datetime import datetime, timedelta
from typing import Any, Final, Literal

import aiosqlite
from pydantic import AwareDatetime, BaseModel, ConfigDict

from storage.database import Database
from storage.rows import row_dict
from storage.timecodec import from_db, to_db

OutboxKind = Literal["reminder", "announcement", "digest", "notice"]
OutboxChannel = Literal["telegram", "email"]
OutboxStatus = Literal["queued", "sending", "sent", "unreachable", "failed"]
OUTBOX_KINDS: Final[tuple[OutboxKind, ...]] = ("reminder", "announcement", "digest", "notice")
OUTBOX_STATUSES: Final[tuple[OutboxStatus, ...]] = (
    "queued",
    "sending",
    "sent",
    "unreachable",
    "failed",
)
EXPIRED: Final = "expired before it could be sent"
"""``last_error`` of a row whose ``expires_at`` passed while it waited."""

_TIME_COLUMNS: Final = (
    "due_at",
    "expires_at",
    "next_attempt_at",
    "claimed_at",
    "sent_at",
    "created_at",
    "updated_at",
)


class _Record(BaseModel):
    model_config = ConfigDict(frozen=True)


class OutboxDocument(_Record):
    """A file sent with the message (the text becomes its caption, at most 1024 characters)."""

    filename: str
    data: str
    """The file's bytes, base64-encoded (use :meth:`of` and :attr:`content`)."""

    @classmethod
    def of(cls, filename: str, content: bytes) -> "OutboxDocument":
        return cls(filename=filename, data=base64.b64encode(content).decode())

    @property
    def content(self) -> bytes:
        return base64.b64decode(self.data)


class OutboxEvent(_Record):
    """A calendar event the e-mail of this message carries as an .ics invitation (RFC 5546)."""

    uid: str
    """Stable per meeting occurrence; the sender adds ``@`` and the mail domain."""
    sequence: int
    """Higher for every change of the same event."""
    method: Literal["REQUEST", "CANCEL"]
    start: AwareDatetime
    end: AwareDatetime
    summary: str
    description: str = ""
    location: str | None = None
    partstat: Literal["NEEDS-ACTION", "ACCEPTED", "TENTATIVE", "DECLINED"] = "NEEDS-ACTION"
    occurrence_id: int | None = None
    """The occurrence one-click answers are about (links built when the web face is on)."""


class OutboxPayload(_Record):
    """What the recipient sees, rendered in their language before it is enqueued."""

    text: str
    """Telegram HTML (parse mode HTML), every user-supplied part escaped."""
    reply_markup: dict[str, Any] | None = None
    """An inline keyboard as the Bot API spells it: ``{"inline_keyboard": [[...]]}``."""
    document: OutboxDocument | None = None
    album: tuple[str, ...] | None = None
    """Photos by Telegram file id, sent as an album (one photo: a photo); the text becomes the
    first photo's caption (at most 1024 characters); no reply_markup."""
    event: OutboxEvent | None = None
    """A meeting invitation, update or cancellation: by e-mail it comes with an .ics."""
    email_to: str | None = None
    """Only by e-mail, to this address even unverified: the code that verifies it."""


class OutgoingMessage(_Record):
    """A message to enqueue for one recipient chat."""

    kind: OutboxKind
    chat_id: int
    dedupe_key: str
    """Names the logical message, e.g. ``reminder:<meeting>:<occurrence>:<offset>:<person>``."""
    payload: OutboxPayload
    due_at: AwareDatetime
    message_thread_id: int | None = None
    person_id: int | None = None
    """The person whose private chat this is (403 then marks them unreachable)."""
    expires_at: AwareDatetime | None = None
    """Past this time the message is no longer worth sending: it fails as expired."""


class OutboxMessage(_Record):
    """A stored outbox row."""

    id: int
    kind: OutboxKind
    chat_id: int
    message_thread_id: int | None
    person_id: int | None
    payload: OutboxPayload
    channel: OutboxChannel = "telegram"
    email_message_id: str | None = None
    dedupe_key: str
    due_at: AwareDatetime
    expires_at: AwareDatetime | None
    status: OutboxStatus
    attempts: int
    next_attempt_at: AwareDatetime
    claimed_at: AwareDatetime | None
    claimed_by: str | None
    last_error: str | None
    telegram_message_id: int | None
    sent_at: AwareDatetime | None
    created_at: AwareDatetime
    updated_at: AwareDatetime


class OutboxError(_Record):
    """One row's latest error, for the operator's report."""

    id: int
    kind: OutboxKind
    chat_id: int
    status: OutboxStatus
    error: str
    at: AwareDatetime
    channel: OutboxChannel = "telegram"
    person_id: int | None = None


class OutboxSummary(_Record):
    """Counts per kind and status, and the latest errors of rows not sent."""

    counts: dict[OutboxKind, dict[OutboxStatus, int]]
    latest_errors: tuple[OutboxError, ...]
    next_due: AwareDatetime | None
    by_email: dict[OutboxStatus, int] = {}
    """The e-mail rows among them, by status (docs/developers.md, "E-mail, the second channel")."""

    def count(self, kind: OutboxKind | None = None, status: OutboxStatus | None = None) -> int:
        """Rows of that kind and status (either None: all of them)."""
        return sum(
            n
            for k, by_status in self.counts.items()
            if kind in (None, k)
            for s, n in by_status.items()
            if status in (None, s)
        )


_INSERT: Final = """
INSERT INTO outbox (kind, chat_id, message_thread_id, person_id, payload, dedupe_key, due_at,
                    expires_at, next_attempt_at, created_at, updated_at, channel)
VALUES (:kind, :chat_id, :message_thread_id, :person_id, :payload, :dedupe_key, :due_at,
        :expires_at, :due_at, :now, :now, :channel)
ON CONFLICT (dedupe_key) DO NOTHING
"""

_EXPIRE: Final = """
UPDATE outbox SET status = 'failed', last_error = :error, claimed_at = NULL, claimed_by = NULL,
                  updated_at = :now
WHERE status = 'queued' AND expires_at IS NOT NULL AND expires_at <= :now
"""

# The head of each chat (its oldest pending row) when it is ready: queued and due, or claimed
# by a sender whose lease ran out. A chat whose head is waiting (a retry, a message in flight)
# sends nothing else, so a chat's messages arrive in order.
_CLAIM: Final = """
UPDATE outbox
SET status = 'sending', claimed_at = :now, claimed_by = :sender, updated_at = :now
WHERE id IN (
    SELECT o.id FROM outbox AS o
    WHERE o.status IN ('queued', 'sending') AND o.due_at <= :now AND o.channel = 'telegram'
      AND ((o.status = 'queued' AND o.next_attempt_at <= :now)
           OR (o.status = 'sending' AND o.claimed_at <= :stale))
      AND o.chat_id NOT IN (SELECT value FROM json_each(:excluded))
      AND NOT EXISTS (
          SELECT 1 FROM outbox AS p
          WHERE p.chat_id = o.chat_id AND p.status IN ('queued', 'sending')
            AND p.channel = 'telegram'
            AND (p.due_at < o.due_at OR (p.due_at = o.due_at AND p.id < o.id)))
    ORDER BY o.due_at, o.id
    LIMIT :limit)
RETURNING *
"""

# Outcomes are written only while the row is still this sender's claim; a sent message is
# recorded whoever holds the claim now (it did reach Telegram).
_MINE: Final = "id = :id AND status = 'sending' AND claimed_by = :sender"

_MARK_SENT: Final = """
UPDATE outbox SET status = 'sent', telegram_message_id = :message_id, sent_at = :now,
                  attempts = attempts + 1, claimed_at = NULL, claimed_by = NULL, updated_at = :now
WHERE id = :id
"""

_RESCHEDULE: Final = f"""
UPDATE outbox SET status = 'queued', next_attempt_at = :at, last_error = :error,
                  attempts = attempts + 1, claimed_at = NULL, claimed_by = NULL, updated_at = :now
WHERE {_MINE}
"""

_FINISH: Final = f"""
UPDATE outbox SET status = :status, last_error = :error, attempts = attempts + 1,
                  claimed_at = NULL, claimed_by = NULL, updated_at = :now
WHERE {_MINE}
RETURNING person_id
"""

_RELEASE: Final = """
UPDATE outbox SET status = 'queued', claimed_at = NULL, claimed_by = NULL, updated_at = :now
WHERE status = 'sending' AND claimed_by IN (SELECT value FROM json_each(:senders))
"""

_RETARGET: Final = """
UPDATE outbox SET chat_id = :new, updated_at = :now
WHERE chat_id = :old AND status IN ('queued', 'sending') AND channel = 'telegram'
"""

# E-mail rows: each person's oldest pending e-mail first (their head), in due order.
_CLAIM_EMAIL: Final = """
UPDATE outbox
SET status = 'sending', claimed_at = :now, claimed_by = :sender, updated_at = :now
WHERE id IN (
    SELECT o.id FROM outbox AS o
    WHERE o.channel = 'email' AND o.status IN ('queued', 'sending') AND o.due_at <= :now
      AND ((o.status = 'queued' AND o.next_attempt_at <= :now)
           OR (o.status = 'sending' AND o.claimed_at <= :stale))
      AND NOT EXISTS (
          SELECT 1 FROM outbox AS p
          WHERE p.channel = 'email' AND p.person_id = o.person_id
            AND p.status IN ('queued', 'sending')
            AND (p.due_at < o.due_at OR (p.due_at = o.due_at AND p.id < o.id)))
    ORDER BY o.due_at, o.id
    LIMIT :limit)
RETURNING *
"""

_MARK_EMAILED: Final = """
UPDATE outbox SET status = 'sent', email_message_id = :message_id, sent_at = :now,
                  attempts = attempts + 1, claimed_at = NULL, claimed_by = NULL, updated_at = :now
WHERE id = :id
"""

# Who each person-addressed message may reach: Telegram (the message's chat) and/or e-mail.
_ROUTES: Final = """
SELECT p.id AS person_id, c.channels AS channels,
       (p.email IS NOT NULL AND (lower(p.email) = c.verified_email
            OR lower(p.email) = lower(json_extract(p.imported, '$.email')))) AS email_usable
FROM people AS p LEFT JOIN person_channels AS c ON c.person_id = p.id
WHERE p.id IN (SELECT value FROM json_each(:ids))
"""

FINAL_STATUSES: Final[tuple[OutboxStatus, ...]] = ("sent", "unreachable", "failed")
"""A row in one of these states is done with: kept for the report, pruned after the retention."""

_PRUNE: Final = """
DELETE FROM outbox WHERE id IN (
    SELECT id FROM outbox
    WHERE status IN ('sent', 'unreachable', 'failed') AND updated_at < :before
    LIMIT :batch)
"""

_COUNTS: Final = "SELECT kind, status, count(*) AS n FROM outbox GROUP BY kind, status"
_EMAIL_COUNTS: Final = (
    "SELECT status, count(*) AS n FROM outbox WHERE channel = 'email' GROUP BY status"
)

_LATEST_ERRORS: Final = """
SELECT id, kind, chat_id, status, last_error AS error, updated_at AS at, channel, person_id
FROM outbox
WHERE last_error IS NOT NULL AND status <> 'sent'
ORDER BY updated_at DESC, id DESC
LIMIT :limit
"""


MAIL_ONLY_CHAT_BASE: Final = -(2**62)
"""Below every Telegram chat id: the stand-in chat of a person the bot reaches only by e-mail."""


def mail_only_chat(person_id: int) -> int:
    """The chat id of a message to a person who has no Telegram chat with the bot."""
    return MAIL_ONLY_CHAT_BASE + person_id


def is_mail_only_chat(chat_id: int) -> bool:
    return chat_id < MAIL_ONLY_CHAT_BASE + 2**40


ChannelChoice = Literal["telegram", "email", "both"]


def delivery_routes(
    choice: ChannelChoice | None, on_telegram: bool, email_usable: bool
) -> tuple[bool, bool]:
    """(by Telegram, by e-mail) for a message to a person (``on_telegram``: it has a chat).

    No choice: Telegram when the message has a Telegram chat, else e-mail. E-mail chosen with
    an address no longer verified falls back to Telegram; Telegram chosen (or unsubscribed
    from e-mail) never becomes e-mail.
    """
    if choice is None:
        choice = "telegram" if on_telegram else "email"
    telegram = choice in ("telegram", "both") and on_telegram
    email = choice in ("email", "both") and email_usable
    if choice == "email" and not email:
        telegram = on_telegram  # the address is not verified (any more): keep Telegram
    return telegram, email


def _message(row: aiosqlite.Row) -> OutboxMessage:
    values = row_dict(row, _TIME_COLUMNS)
    values["payload"] = OutboxPayload.model_validate_json(values["payload"])
    return OutboxMessage.model_validate(values)


def _insert_params(
    message: OutgoingMessage, now: str, channel: OutboxChannel = "telegram"
) -> dict[str, Any]:
    return {
        "channel": channel,
        "kind": message.kind,
        "chat_id": message.chat_id,
        "message_thread_id": message.message_thread_id,
        "person_id": message.person_id,
        "payload": message.payload.model_dump_json(exclude_none=True),
        "dedupe_key": message.dedupe_key
        if channel == "telegram"
        else f"email:{message.dedupe_key}",
        "due_at": to_db(message.due_at),
        "expires_at": None if message.expires_at is None else to_db(message.expires_at),
        "now": now,
    }


class OutboxRepository:
    """Reads and writes the ``outbox`` table."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self.email_enabled = False
        """Set when the bot can send e-mail (SMTP configured): person rows then follow the
        person's channels (docs/developers.md, "E-mail, the second channel")."""

    async def enqueue(self, messages: Iterable[OutgoingMessage], now: datetime) -> int:
        """Queue messages in one transaction; returns how many were new (same key: no-op).

        A message to a person becomes a row per channel the person is reached by (Telegram,
        e-mail or both): decided here, so every feature's messages follow the channels.
        """
        stamp = to_db(now)
        batch = list(messages)
        choices = await self._choices(batch)
        params = []
        for message in batch:
            choice, usable = choices.get(message.person_id, (None, False))
            has_chat = not is_mail_only_chat(message.chat_id)
            telegram, email = delivery_routes(choice, has_chat, usable)
            if message.payload.email_to is not None:
                telegram, email = False, self.email_enabled
            if telegram:
                params.append(_insert_params(message, stamp))
            if email:
                params.append(_insert_params(message, stamp, "email"))
        if not params:
            return 0
        async with self._db.transaction() as conn:
            before = conn.total_changes
            await conn.executemany(_INSERT, params)
            return conn.total_changes - before

    async def _choices(
        self, messages: list[OutgoingMessage]
    ) -> dict[int | None, tuple[ChannelChoice | None, bool]]:
        """Each addressed person's channel choice and whether their address may be used."""
        ids = sorted({m.person_id for m in messages if m.person_id is not None})
        if not ids or not self.email_enabled:
            return {}
        rows = await self._db.fetch_all(_ROUTES, {"ids": json.dumps(ids)})
        return {row["person_id"]: (row["channels"], bool(row["email_usable"])) for row in rows}

    async def claim_email(
        self, now: datetime, sender: str, limit: int, *, lease: timedelta
    ) -> list[OutboxMessage]:
        """Take up to ``limit`` ready e-mail rows (each person's oldest first) for ``sender``."""
        params = {
            "now": to_db(now),
            "stale": to_db(now - lease),
            "sender": sender,
            "limit": limit,
            "error": EXPIRED,
        }
        async with self._db.transaction() as conn:
            await conn.execute(_EXPIRE, params)
            async with conn.execute(_CLAIM_EMAIL, params) as cursor:
                rows = await cursor.fetchall()
        return sorted((_message(row) for row in rows), key=lambda m: (m.due_at, m.id))

    async def mark_emailed(self, message_id: int, email_message_id: str, now: datetime) -> None:
        """The SMTP server accepted the e-mail."""
        params = {"id": message_id, "message_id": email_message_id, "now": to_db(now)}
        async with self._db.transaction() as conn:
            await conn.execute(_MARK_EMAILED, params)

    async def next_email_attempt(self) -> datetime | None:
        """When the earliest queued e-mail row becomes ready."""
        value = await self._db.fetch_value(
            "SELECT min(max(next_attempt_at, due_at)) FROM outbox "
            "WHERE channel = 'email' AND status = 'queued'"
        )
        return None if value is None else from_db(value)

    async def claim(
        self,
        now: datetime,
        sender: str,
        limit: int,
        *,
        lease: timedelta,
        exclude_chats: Collection[int] = (),
    ) -> list[OutboxMessage]:
        """Take up to ``limit`` ready chat heads for ``sender``, in due order.

        Ready: queued and due, or claimed longer than ``lease`` ago (its sender died). Rows of
        ``exclude_chats`` (chats the sender must not write to yet) stay. Expired rows fail first.
        """
        if limit < 1:
            return []
        params = {
            "now": to_db(now),
            "stale": to_db(now - lease),
            "sender": sender,
            "excluded": json.dumps(sorted(exclude_chats)),
            "limit": limit,
            "error": EXPIRED,
        }
        async with self._db.transaction() as conn:
            await conn.execute(_EXPIRE, params)
            async with conn.execute(_CLAIM, params) as cursor:
                rows = await cursor.fetchall()
        claimed = [_message(row) for row in rows]
        return sorted(claimed, key=lambda message: (message.due_at, message.id))

    async def mark_sent(self, message_id: int, telegram_message_id: int, now: datetime) -> None:
        """Telegram accepted the message."""
        params = {"id": message_id, "message_id": telegram_message_id, "now": to_db(now)}
        async with self._db.transaction() as conn:
            await conn.execute(_MARK_SENT, params)

    async def reschedule(
        self, message_id: int, sender: str, at: datetime, error: str, now: datetime
    ) -> bool:
        """Back to the queue until ``at`` (429, time-out, network error); False if not ours."""
        params = {"id": message_id, "sender": sender, "at": to_db(at), "error": error}
        return await self._write(_RESCHEDULE, {**params, "now": to_db(now)})

    async def mark_failed(self, message_id: int, sender: str, error: str, now: datetime) -> bool:
        """Telegram refused the message for good (400): kept with the reason."""
        params = {"id": message_id, "sender": sender, "error": error, "status": "failed"}
        async with self._db.transaction() as conn:
            cursor = await conn.execute(_FINISH, {**params, "now": to_db(now)})
            return bool(await cursor.fetchall())

    async def mark_unreachable(
        self, message_id: int, sender: str, error: str, now: datetime
    ) -> bool:
        """The chat refused the bot (403); a private recipient is marked not reachable too."""
        params = {"id": message_id, "sender": sender, "error": error, "status": "unreachable"}
        stamp = to_db(now)
        async with self._db.transaction() as conn:
            async with conn.execute(_FINISH, {**params, "now": stamp}) as cursor:
                rows = await cursor.fetchall()
            person_ids = [row["person_id"] for row in rows if row["person_id"] is not None]
            for person_id in person_ids:
                await conn.execute(
                    "UPDATE people SET reachable = 0, updated_at = ? WHERE id = ?",
                    (stamp, person_id),
                )
        return bool(rows)

    async def release(self, senders: Collection[str], now: datetime) -> int:
        """Put back in the queue every row these senders claimed and did not finish."""
        if not senders:
            return 0
        params = {"senders": json.dumps(sorted(senders)), "now": to_db(now)}
        async with self._db.transaction() as conn:
            cursor = await conn.execute(_RELEASE, params)
            return cursor.rowcount

    async def claimants(self) -> list[str]:
        """The senders holding claims now."""
        rows = await self._db.fetch_all(
            "SELECT DISTINCT claimed_by FROM outbox "
            "WHERE status = 'sending' AND claimed_by IS NOT NULL ORDER BY claimed_by"
        )
        return [str(row[0]) for row in rows]

    async def retarget(self, old_chat_id: int, new_chat_id: int, now: datetime) -> int:
        """A group became a supergroup: its pending rows go to the new id. Returns how many."""
        params = {"old": old_chat_id, "new": new_chat_id, "now": to_db(now)}
        async with self._db.transaction() as conn:
            cursor = await conn.execute(_RETARGET, params)
            return cursor.rowcount

    async def next_attempt_after(self, now: datetime) -> datetime | None:
        """The earliest time after ``now`` at which a queued row becomes ready."""
        value = await self._db.fetch_value(
            "SELECT min(next_attempt_at) FROM outbox "
            "WHERE status = 'queued' AND next_attempt_at > ? AND channel = 'telegram'",
            (to_db(now),),
        )
        return None if value is None else from_db(value)

    async def get(self, message_id: int) -> OutboxMessage | None:
        row = await self._db.fetch_one("SELECT * FROM outbox WHERE id = ?", (message_id,))
        return None if row is None else _message(row)

    async def by_key(self, dedupe_key: str) -> OutboxMessage | None:
        row = await self._db.fetch_one("SELECT * FROM outbox WHERE dedupe_key = ?", (dedupe_key,))
        return None if row is None else _message(row)

    async def for_chat(self, chat_id: int) -> list[OutboxMessage]:
        """Every row for one chat, in sending order."""
        rows = await self._db.fetch_all(
            "SELECT * FROM outbox WHERE chat_id = ? ORDER BY due_at, id", (chat_id,)
        )
        return [_message(row) for row in rows]

    async def summary(self, errors: int = 5) -> OutboxSummary:
        """Counts per kind and status, the ``errors`` latest errors, the next due time."""
        counts: dict[OutboxKind, dict[OutboxStatus, int]] = {}
        for row in await self._db.fetch_all(_COUNTS):
            counts.setdefault(row["kind"], {})[row["status"]] = int(row["n"])
        by_email: dict[OutboxStatus, int] = {}
        for row in await self._db.fetch_all(_EMAIL_COUNTS):
            by_email[row["status"]] = int(row["n"])
        error_rows = await self._db.fetch_all(_LATEST_ERRORS, {"limit": errors})
        latest = tuple(OutboxError.model_validate(row_dict(row, ("at",))) for row in error_rows)
        next_due = await self._db.fetch_value(
            "SELECT min(next_attempt_at) FROM outbox WHERE status = 'queued'"
        )
        return OutboxSummary(
            counts=counts,
            latest_errors=latest,
            next_due=None if next_due is None else from_db(next_due),
            by_email=by_email,
        )

    async def prune(self, before: datetime, batch: int = 1000) -> int:
        """Delete up to ``batch`` final rows (sent, unreachable, failed) last changed before
        ``before``; returns how many (call again while it returns ``batch``)."""
        async with self._db.transaction() as conn:
            cursor = await conn.execute(_PRUNE, {"before": to_db(before), "batch": batch})
            return cursor.rowcount

    async def delete_for_person(self, person_id: int) -> int:
        """Delete every row addressed to this person's private chat; returns how many."""
        async with self._db.transaction() as conn:
            cursor = await conn.execute("DELETE FROM outbox WHERE person_id = ?", (person_id,))
            return cursor.rowcount

    async def containing(self, fragment: str) -> list[OutboxMessage]:
        """Rows whose payload text holds ``fragment`` somewhere (a superset: check each)."""
        encoded = json.dumps(fragment, ensure_ascii=False)[1:-1]
        rows = await self._db.fetch_all(
            "SELECT * FROM outbox WHERE instr(payload, ?) > 0 ORDER BY id", (encoded,)
        )
        return [_message(row) for row in rows]

    async def replace_payload(self, message_id: int, payload: OutboxPayload) -> bool:
        """Rewrite a row's payload (its status and times unchanged); False when it is gone."""
        params = {"id": message_id, "payload": payload.model_dump_json(exclude_none=True)}
        return await self._write("UPDATE outbox SET payload = :payload WHERE id = :id", params)

    async def _write(self, sql: str, params: dict[str, Any]) -> bool:
        async with self._db.transaction() as conn:
            cursor = await conn.execute(sql, params)
            return cursor.rowcount > 0

    async def last_sent_id(self, chat_id: int) -> int:
        """The id of the latest row sent to this chat (0 if none): marks since when it works."""
        value = await self._db.fetch_value(
            "SELECT coalesce(max(id), 0) FROM outbox "
            "WHERE chat_id = ? AND status = 'sent' AND channel = 'telegram'",
            (chat_id,),
        )
        return int(value or 0)
