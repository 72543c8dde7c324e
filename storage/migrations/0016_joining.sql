-- 0016 joining: each working group's join policy, requests to join and their decisions,
-- invitation links, and claims of an imported participant-list row by a new account.

-- Who may join: 'open' (anyone), 'approval' (a coordinator approves a request; the default),
-- 'invite' (only an invitation link, or a coordinator adding them to the linked chat).
ALTER TABLE working_groups ADD COLUMN join_policy TEXT NOT NULL DEFAULT 'approval'
    CHECK (join_policy IN ('open', 'approval', 'invite'));

-- A request to join a group: from /join or a Join button ('bot'), or a request to join the
-- group's linked chat ('chat', chat_id set). The first decision wins.
CREATE TABLE join_requests (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    group_id    INTEGER NOT NULL REFERENCES working_groups (id) ON DELETE CASCADE,
    person_id   INTEGER NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    via         TEXT NOT NULL CHECK (via IN ('bot', 'chat')),
    chat_id     INTEGER,                   -- the linked chat asked to join (via = 'chat')
    status      TEXT NOT NULL DEFAULT 'pending'
                CHECK (status IN ('pending', 'approved', 'declined', 'expired')),
    decided_by  INTEGER REFERENCES people (id) ON DELETE SET NULL,
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL,             -- a pending request past this is expired
    decided_at  TEXT
) STRICT;

CREATE UNIQUE INDEX join_requests_pending ON join_requests (group_id, person_id)
    WHERE status = 'pending';
CREATE INDEX join_requests_person ON join_requests (person_id);
CREATE INDEX join_requests_decider ON join_requests (decided_by) WHERE decided_by IS NOT NULL;

-- An invitation link (t.me/<bot>?start=inv_<token>): random, expiring, a use count, revocable.
CREATE TABLE group_invites (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    group_id    INTEGER NOT NULL REFERENCES working_groups (id) ON DELETE CASCADE,
    token       TEXT NOT NULL UNIQUE,
    created_by  INTEGER REFERENCES people (id) ON DELETE SET NULL,
    max_uses    INTEGER NOT NULL CHECK (max_uses > 0),
    uses        INTEGER NOT NULL DEFAULT 0,
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    revoked_at  TEXT
) STRICT;

CREATE INDEX group_invites_creator ON group_invites (created_by) WHERE created_by IS NOT NULL;

-- A new account whose @username is that of an imported row (telegram_id NULL): the account sees
-- nothing of the row until the secretariat confirms the match. Confirmed: the row is merged
-- into the account (and deleted, so imported_id becomes NULL); rejected: they stay apart.
CREATE TABLE identity_claims (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id    INTEGER NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    imported_id   INTEGER REFERENCES people (id) ON DELETE SET NULL,
    status        TEXT NOT NULL DEFAULT 'pending'
                  CHECK (status IN ('pending', 'confirmed', 'rejected')),
    decided_by    INTEGER REFERENCES people (id) ON DELETE SET NULL,
    notice_due_at TEXT,                    -- the secretariat's notice still to queue; NULL once queued
    created_at    TEXT NOT NULL,
    decided_at    TEXT
) STRICT;

CREATE UNIQUE INDEX identity_claims_pair ON identity_claims (account_id, imported_id);
CREATE INDEX identity_claims_imported ON identity_claims (imported_id);
CREATE INDEX identity_claims_due ON identity_claims (notice_due_at) WHERE notice_due_at IS NOT NULL;
CREATE INDEX identity_claims_decider ON identity_claims (decided_by) WHERE decided_by IS NOT NULL;
