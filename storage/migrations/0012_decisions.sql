-- 0012 decisions: proposals a working group (or the whole network) answers until a closing
-- time, the members' answers with their reasons, the messages that carry a proposal, and the
-- outcome the proposer records once it closed.
-- Times are UTC text (storage/timecodec.py), so text order is time order.

-- A proposal: consent (agree / abstain / disagree / block) or choice (2 to 10 options, one
-- or several answers). group_id NULL: the whole network. A forgotten proposer's proposal
-- stays, shown as by "a former member".
CREATE TABLE proposals (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    title       TEXT NOT NULL,
    body        TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('consent', 'choice')),
    options     TEXT NOT NULL DEFAULT '[]',   -- JSON list of the choice's options
    multiple    INTEGER NOT NULL DEFAULT 0 CHECK (multiple IN (0, 1)),
    group_id    INTEGER REFERENCES working_groups (id) ON DELETE CASCADE,
    timezone    TEXT NOT NULL,                -- the proposer's zone when typed
    closes_at   TEXT NOT NULL,
    created_by  INTEGER REFERENCES people (id) ON DELETE SET NULL,
    created_at  TEXT NOT NULL,
    nudged_at   TEXT,                         -- the undecided were nudged (once)
    closed_at   TEXT,                         -- the result was sent (once)
    outcome     TEXT,
    outcome_at  TEXT
) STRICT;

CREATE INDEX proposals_closing ON proposals (closes_at) WHERE closed_at IS NULL;

-- One answer per member and proposal (answering again replaces it until it closes): a consent
-- word, or the chosen options' numbers ("0,2"). A forgotten member's answer stays, anonymised,
-- so the record of a decision others rely on stays whole.
CREATE TABLE proposal_answers (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    proposal_id INTEGER NOT NULL REFERENCES proposals (id) ON DELETE CASCADE,
    person_id   INTEGER REFERENCES people (id) ON DELETE SET NULL,
    answer      TEXT NOT NULL,
    reason      TEXT,
    answered_at TEXT NOT NULL,
    UNIQUE (proposal_id, person_id)
) STRICT;

-- Messages that carry a proposal (group chats and private chats), to keep their counts live.
CREATE TABLE proposal_posts (
    proposal_id INTEGER NOT NULL REFERENCES proposals (id) ON DELETE CASCADE,
    chat_id     INTEGER NOT NULL,
    outbox_id   INTEGER REFERENCES outbox (id) ON DELETE SET NULL,  -- message id once sent
    person_id   INTEGER REFERENCES people (id) ON DELETE CASCADE,   -- private reader, if any
    PRIMARY KEY (proposal_id, chat_id)
) STRICT, WITHOUT ROWID;
