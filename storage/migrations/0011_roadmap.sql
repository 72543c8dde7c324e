-- 0011 roadmap: objectives (network-wide or per working group), actions under them with
-- owners, due dates, status and progress notes, and the owners' nudges (one row per nudge:
-- docs/developers.md, "Scheduled work").
-- Times are UTC text (storage/timecodec.py), so text order is time order.

CREATE TABLE roadmap_objectives (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    ref        TEXT UNIQUE,                 -- the key an imported roadmap names it by
    title      TEXT NOT NULL,
    group_id   INTEGER REFERENCES working_groups (id) ON DELETE CASCADE,  -- NULL: network-wide
    created_by INTEGER REFERENCES people (id) ON DELETE SET NULL,
    created_at TEXT NOT NULL
) STRICT;

-- One action. Its due date is a date (due_time NULL) or a date and time typed in due_zone;
-- due_at is the deadline's instant (for a date: the end of that day in due_zone).
CREATE TABLE roadmap_actions (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    ref            TEXT UNIQUE,             -- the key an imported roadmap names it by
    objective_id   INTEGER REFERENCES roadmap_objectives (id) ON DELETE SET NULL,
    group_id       INTEGER REFERENCES working_groups (id) ON DELETE SET NULL,  -- owning group
    title          TEXT NOT NULL,
    description    TEXT,                    -- a description or a link
    due_date       TEXT NOT NULL,           -- YYYY-MM-DD
    due_time       TEXT,                    -- HH:MM, or NULL for a date alone
    due_zone       TEXT NOT NULL,
    due_at         TEXT NOT NULL,
    status         TEXT NOT NULL DEFAULT 'planned'
                   CHECK (status IN ('planned', 'in_progress', 'done', 'blocked', 'dropped')),
    blocked_reason TEXT,
    proposal_id    INTEGER,                 -- the decision that created it (0012), if any
    created_by     INTEGER REFERENCES people (id) ON DELETE SET NULL,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    done_at        TEXT
) STRICT;

CREATE INDEX roadmap_actions_due ON roadmap_actions (due_at);
CREATE INDEX roadmap_actions_group ON roadmap_actions (group_id);
CREATE INDEX roadmap_actions_proposal ON roadmap_actions (proposal_id) WHERE proposal_id IS NOT NULL;

-- The people who own an action (a forgotten owner's row goes; the action stays).
CREATE TABLE roadmap_owners (
    action_id INTEGER NOT NULL REFERENCES roadmap_actions (id) ON DELETE CASCADE,
    person_id INTEGER NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    PRIMARY KEY (action_id, person_id)
) STRICT, WITHOUT ROWID;

CREATE INDEX roadmap_owners_person ON roadmap_owners (person_id);

-- Progress notes and status changes, with their author (kept whole: "a former member").
CREATE TABLE roadmap_notes (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    action_id  INTEGER NOT NULL REFERENCES roadmap_actions (id) ON DELETE CASCADE,
    author_id  INTEGER REFERENCES people (id) ON DELETE SET NULL,
    text       TEXT,
    status     TEXT,                        -- the status set with this note, if it changed
    created_at TEXT NOT NULL
) STRICT;

CREATE INDEX roadmap_notes_action ON roadmap_notes (action_id);

-- One row per owner nudge: 7 days ('week') and 1 day ('day') before the due date at 09:00 in
-- the owner's zone, and weekly while overdue ('overdue'); coordinators' weekly overdue lists
-- ('list', action_id NULL). Fanned out into the outbox when due, exactly once.
CREATE TABLE roadmap_nudges (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    action_id  INTEGER REFERENCES roadmap_actions (id) ON DELETE CASCADE,
    person_id  INTEGER NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    kind       TEXT NOT NULL CHECK (kind IN ('week', 'day', 'overdue', 'list')),
    due_at     TEXT NOT NULL,
    status     TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'missed')),
    handled_at TEXT
) STRICT;

CREATE UNIQUE INDEX roadmap_nudges_once
    ON roadmap_nudges (coalesce(action_id, 0), person_id, kind, due_at);
CREATE INDEX roadmap_nudges_due ON roadmap_nudges (due_at) WHERE status = 'pending';
