-- 0013 e-mail: a person's channels and their verified address, and the outbox's channel
-- (docs/developers.md, "E-mail, the second channel").

-- How a person wants to be reached. No row (or channels NULL): automatically, Telegram when
-- they started the bot, else e-mail. An address is used only when it is verified: proved by a
-- code the person typed in the bot, or given by the secretariat's import.
CREATE TABLE person_channels (
    person_id         INTEGER PRIMARY KEY REFERENCES people (id) ON DELETE CASCADE,
    channels          TEXT CHECK (channels IN ('telegram', 'email', 'both')),
    verified_email    TEXT,             -- the address proved by a code (lower case)
    verified_at       TEXT,
    code_hash         TEXT,             -- sha256 of the code sent by e-mail, while one waits
    code_email        TEXT,             -- the address the code was sent to
    code_expires_at   TEXT,
    code_attempts     INTEGER NOT NULL DEFAULT 0,
    unsubscribe_token TEXT UNIQUE,      -- names the person in List-Unsubscribe
    updated_at        TEXT NOT NULL
) STRICT;

-- A row per recipient and channel: 'email' rows are sent by the e-mail sender to the address
-- the person has when it goes (never stored here), paced by WNMRC_MAIL_RATE_PER_MINUTE.
ALTER TABLE outbox ADD COLUMN channel TEXT NOT NULL DEFAULT 'telegram'
    CHECK (channel IN ('telegram', 'email'));
ALTER TABLE outbox ADD COLUMN email_message_id TEXT;  -- the Message-ID of a sent e-mail

CREATE INDEX outbox_email_pending ON outbox (person_id, due_at, id)
    WHERE channel = 'email' AND status IN ('queued', 'sending');

-- Every change of a meeting (moved, details changed, cancelled) raises its invitations'
-- SEQUENCE, so calendars apply the latest (RFC 5545 3.8.7.4).
ALTER TABLE meetings ADD COLUMN sequence INTEGER NOT NULL DEFAULT 0;
