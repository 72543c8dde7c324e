-- 0005 outbox: every message the bot sends on its own, one row per recipient (docs/developers.md,
-- "The outbox"). Enqueuers insert rows; the sender (bot/delivery.py) claims the head row of
-- each chat when it is due, sends it within Telegram's limits and records the outcome.
-- Times are UTC text (storage/timecodec.py), so text order is time order.

CREATE TABLE outbox (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    kind                TEXT NOT NULL CHECK (kind IN ('reminder', 'announcement', 'digest', 'notice')),
    chat_id             INTEGER NOT NULL,     -- Telegram chat id (no foreign key: any chat)
    message_thread_id   INTEGER,              -- forum topic inside chat_id, if any
    person_id           INTEGER REFERENCES people (id) ON DELETE CASCADE,  -- private recipient
    payload             TEXT NOT NULL,        -- JSON: text (Telegram HTML), reply_markup, document
    dedupe_key          TEXT NOT NULL UNIQUE, -- one logical message: enqueuing it again is a no-op
    due_at              TEXT NOT NULL,        -- not sent before this time
    expires_at          TEXT,                 -- not sent after this time (failed as 'expired')
    status              TEXT NOT NULL DEFAULT 'queued'
                        CHECK (status IN ('queued', 'sending', 'sent', 'unreachable', 'failed')),
    attempts            INTEGER NOT NULL DEFAULT 0,  -- send attempts that came back (any outcome)
    next_attempt_at     TEXT NOT NULL,        -- due_at, then later after a 429 or a time-out
    claimed_at          TEXT,                 -- while 'sending': when the sender took it
    claimed_by          TEXT,                 -- while 'sending': which sender instance
    last_error          TEXT,
    telegram_message_id INTEGER,
    sent_at             TEXT,
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL
) STRICT;

-- The claim: pending rows in due order, and each chat's pending rows in order (its head first).
CREATE INDEX outbox_pending ON outbox (due_at, id) WHERE status IN ('queued', 'sending');
CREATE INDEX outbox_chat_pending ON outbox (chat_id, due_at, id)
    WHERE status IN ('queued', 'sending');
CREATE INDEX outbox_retry ON outbox (next_attempt_at) WHERE status = 'queued';
-- The report: counts per kind and status, latest errors.
CREATE INDEX outbox_kind_status ON outbox (kind, status);
CREATE INDEX outbox_errors ON outbox (updated_at) WHERE last_error IS NOT NULL AND status <> 'sent';
