-- 0007 meetings: online meetings of working groups, their occurrences, answers and reminders
-- (every reminder is a row; the bot's timer only wakes it: docs/developers.md, "Scheduled work").
-- Times are UTC text (storage/timecodec.py), so text order is time order.

CREATE TABLE meetings (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    title            TEXT NOT NULL,
    timezone         TEXT NOT NULL,          -- IANA zone the organiser typed the time in
    local_start      TEXT NOT NULL,          -- first start as wall time there: YYYY-MM-DDTHH:MM
    starts_at        TEXT NOT NULL,          -- the same instant in UTC (next occurrences: below)
    duration_minutes INTEGER NOT NULL CHECK (duration_minutes BETWEEN 1 AND 1440),
    link             TEXT,
    agenda           TEXT,
    rrule            TEXT,                   -- RFC 5545 RRULE in the meeting's zone; NULL = once
    reminder_offsets TEXT NOT NULL DEFAULT '[10080, 1440, 60, 10]',  -- JSON minutes before start
    status           TEXT NOT NULL DEFAULT 'scheduled' CHECK (status IN ('scheduled', 'cancelled')),
    created_by       INTEGER REFERENCES people (id) ON DELETE SET NULL,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    cancelled_at     TEXT
) STRICT;

-- The working groups a meeting is for (the secretariat may invite several or all).
CREATE TABLE meeting_groups (
    meeting_id INTEGER NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
    group_id   INTEGER NOT NULL REFERENCES working_groups (id) ON DELETE CASCADE,
    PRIMARY KEY (meeting_id, group_id)
) STRICT, WITHOUT ROWID;

CREATE INDEX meeting_groups_group ON meeting_groups (group_id);

-- Each occurrence of a meeting (one for a single meeting; recurring ones are materialised
-- ahead of time). Answers and reminders belong to an occurrence.
CREATE TABLE meeting_occurrences (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    meeting_id INTEGER NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
    starts_at  TEXT NOT NULL,
    ends_at    TEXT NOT NULL,
    status     TEXT NOT NULL DEFAULT 'scheduled' CHECK (status IN ('scheduled', 'cancelled')),
    UNIQUE (meeting_id, starts_at)
) STRICT;

CREATE INDEX meeting_occurrences_start ON meeting_occurrences (starts_at);

CREATE TABLE meeting_rsvps (
    occurrence_id INTEGER NOT NULL REFERENCES meeting_occurrences (id) ON DELETE CASCADE,
    person_id     INTEGER NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    answer        TEXT NOT NULL CHECK (answer IN ('going', 'maybe', 'no')),
    answered_at   TEXT NOT NULL,
    PRIMARY KEY (occurrence_id, person_id)
) STRICT, WITHOUT ROWID;

CREATE INDEX meeting_rsvps_person ON meeting_rsvps (person_id);

-- One row per occurrence and offset: fanned out into the outbox when due, exactly once.
CREATE TABLE meeting_reminders (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    occurrence_id  INTEGER NOT NULL REFERENCES meeting_occurrences (id) ON DELETE CASCADE,
    offset_minutes INTEGER NOT NULL CHECK (offset_minutes > 0),
    due_at         TEXT NOT NULL,
    status         TEXT NOT NULL DEFAULT 'pending'
                   CHECK (status IN ('pending', 'sent', 'late', 'missed', 'cancelled')),
    handled_at     TEXT,
    UNIQUE (occurrence_id, offset_minutes)
) STRICT;

CREATE INDEX meeting_reminders_due ON meeting_reminders (due_at) WHERE status = 'pending';

-- Messages that carry a meeting (announcements in group chats and private chats), to edit
-- their live counts and to tell their readers about a change.
CREATE TABLE meeting_posts (
    occurrence_id INTEGER NOT NULL REFERENCES meeting_occurrences (id) ON DELETE CASCADE,
    chat_id       INTEGER NOT NULL,
    outbox_id     INTEGER REFERENCES outbox (id) ON DELETE SET NULL,  -- message id once sent
    person_id     INTEGER REFERENCES people (id) ON DELETE CASCADE,   -- private reader, if any
    kind          TEXT NOT NULL CHECK (kind IN ('announcement', 'reminder')),
    PRIMARY KEY (occurrence_id, chat_id, kind)
) STRICT, WITHOUT ROWID;

-- Members who muted a group's meeting reminders.
CREATE TABLE reminder_mutes (
    person_id INTEGER NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    group_id  INTEGER NOT NULL REFERENCES working_groups (id) ON DELETE CASCADE,
    muted_at  TEXT NOT NULL,
    PRIMARY KEY (person_id, group_id)
) STRICT, WITHOUT ROWID;
