-- 0017 opportunities: what members offer and seek (projects seeking partners, funding calls,
-- internships, exchange visits, placements sought, calls for contributions), who is interested
-- and how the poster answered, which members each one was offered to, each person's alerts,
-- and working groups of kind 'project' born from a proposal.

CREATE TABLE opportunities (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    poster_id     INTEGER REFERENCES people (id) ON DELETE SET NULL,  -- others rely on it
    kind          TEXT NOT NULL CHECK (kind IN
                  ('project', 'funding', 'internship', 'exchange', 'placement', 'call')),
    title         TEXT NOT NULL,
    description   TEXT NOT NULL,
    themes        TEXT NOT NULL DEFAULT '[]',   -- JSON: theme slugs and free tags
    places        TEXT NOT NULL DEFAULT '[]',   -- JSON: ISO country codes, or ["online"]
    languages     TEXT NOT NULL DEFAULT '[]',   -- JSON: language codes it needs
    deadline_at   TEXT,                          -- UTC; typed in the poster's zone
    timezone      TEXT,                          -- the poster's zone when it was typed
    contact       TEXT,
    status        TEXT NOT NULL DEFAULT 'open'
                  CHECK (status IN ('open', 'filled', 'withdrawn', 'hidden')),
    hidden_reason TEXT,
    project_group_id INTEGER REFERENCES working_groups (id) ON DELETE SET NULL,
    reminded_at   TEXT,                          -- when the deadline reminder was queued
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
) STRICT;

CREATE INDEX opportunities_open ON opportunities (created_at) WHERE status = 'open';
CREATE INDEX opportunities_poster ON opportunities (poster_id);
CREATE INDEX opportunities_deadline ON opportunities (deadline_at)
    WHERE status = 'open' AND reminded_at IS NULL AND deadline_at IS NOT NULL;

-- "I'm interested": one row per person and opportunity, with the short statement asked for
-- internships and placements, and the poster's answer.
CREATE TABLE opportunity_interest (
    opportunity_id INTEGER NOT NULL REFERENCES opportunities (id) ON DELETE CASCADE,
    person_id      INTEGER NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    statement      TEXT,
    status         TEXT NOT NULL DEFAULT 'pending'
                   CHECK (status IN ('pending', 'accepted', 'declined')),
    created_at     TEXT NOT NULL,
    decided_at     TEXT,
    PRIMARY KEY (opportunity_id, person_id)
) STRICT;

CREATE INDEX opportunity_interest_person ON opportunity_interest (person_id);

-- Which member each opportunity was offered to (never the same one twice; at most N a week).
CREATE TABLE opportunity_offers (
    opportunity_id INTEGER NOT NULL REFERENCES opportunities (id) ON DELETE CASCADE,
    person_id      INTEGER NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    score          INTEGER NOT NULL,
    offered_at     TEXT NOT NULL,
    PRIMARY KEY (opportunity_id, person_id)
) STRICT;

CREATE INDEX opportunity_offers_person ON opportunity_offers (person_id, offered_at);

-- A person's choice of opportunity alerts (no row: 'on').
CREATE TABLE opportunity_alerts (
    person_id  INTEGER PRIMARY KEY REFERENCES people (id) ON DELETE CASCADE,
    mode       TEXT NOT NULL CHECK (mode IN ('on', 'weekly', 'off')),
    updated_at TEXT NOT NULL
) STRICT;

-- A working group is a standing group, or a joint project born from a proposal.
ALTER TABLE working_groups ADD COLUMN kind TEXT NOT NULL DEFAULT 'group'
    CHECK (kind IN ('group', 'project'));

-- Introductions across countries (opt-in with /intros): who takes part and their working hours,
-- each month's round, the pairs made (with their two suggested times and "we met" taps), and
-- the people someone asked not to be paired with again.
CREATE TABLE intro_participants (
    person_id  INTEGER PRIMARY KEY REFERENCES people (id) ON DELETE CASCADE,
    work_start INTEGER NOT NULL DEFAULT 540 CHECK (work_start BETWEEN 0 AND 1439),  -- minutes
    work_end   INTEGER NOT NULL DEFAULT 1080 CHECK (work_end BETWEEN 1 AND 1440),
    joined_at  TEXT NOT NULL
) STRICT;

CREATE TABLE intro_rounds (
    month  TEXT PRIMARY KEY,                   -- YYYY-MM (UTC)
    ran_at TEXT NOT NULL,
    pairs  INTEGER NOT NULL
) STRICT;

CREATE TABLE intro_pairs (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    month        TEXT NOT NULL REFERENCES intro_rounds (month) ON DELETE CASCADE,
    person_a     INTEGER NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    person_b     INTEGER NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    first_start  TEXT NOT NULL,                -- UTC, suggested
    second_start TEXT NOT NULL,
    met_a        INTEGER NOT NULL DEFAULT 0 CHECK (met_a IN (0, 1)),
    met_b        INTEGER NOT NULL DEFAULT 0 CHECK (met_b IN (0, 1)),
    created_at   TEXT NOT NULL,
    CHECK (person_a < person_b)
) STRICT;

CREATE INDEX intro_pairs_a ON intro_pairs (person_a);
CREATE INDEX intro_pairs_b ON intro_pairs (person_b);

CREATE TABLE intro_exclusions (
    person_id   INTEGER NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    excluded_id INTEGER NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    created_at  TEXT NOT NULL,
    PRIMARY KEY (person_id, excluded_id)
) STRICT;
