-- 0006 digests: one schedule per target (a working group's chat, the network channel, a person
-- who switched on a personal digest), and the items each target has already been sent
-- (the database is the source of truth; the bot's timer only wakes: docs/developers.md,
-- "Scheduled work").
-- Times are UTC text (storage/timecodec.py), so text order is time order.

CREATE TABLE digest_schedules (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    target        TEXT NOT NULL CHECK (target IN ('group', 'network', 'person')),
    group_id      INTEGER UNIQUE REFERENCES working_groups (id) ON DELETE CASCADE,
    person_id     INTEGER UNIQUE REFERENCES people (id) ON DELETE CASCADE,
    frequency     TEXT NOT NULL CHECK (frequency IN ('daily', 'weekly', 'monthly', 'off')),
    next_due_at   TEXT,                   -- NULL while 'off'
    covered_until TEXT NOT NULL,          -- items up to this time were considered already
    last_sent_at  TEXT,                   -- when the last digest was queued
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    CHECK ((target = 'group') = (group_id IS NOT NULL)),
    CHECK ((target = 'person') = (person_id IS NOT NULL)),
    CHECK ((frequency = 'off') = (next_due_at IS NULL))
) STRICT;

CREATE UNIQUE INDEX digest_schedules_network ON digest_schedules (target)
    WHERE target = 'network';
CREATE INDEX digest_schedules_due ON digest_schedules (next_due_at)
    WHERE next_due_at IS NOT NULL;

-- An item (a new member, a meeting, an experience) a target was sent: never sent to it again.
CREATE TABLE digest_sent_items (
    schedule_id INTEGER NOT NULL REFERENCES digest_schedules (id) ON DELETE CASCADE,
    item_key    TEXT NOT NULL,            -- stable key given by the section provider
    sent_at     TEXT NOT NULL,
    PRIMARY KEY (schedule_id, item_key)
) STRICT, WITHOUT ROWID;
