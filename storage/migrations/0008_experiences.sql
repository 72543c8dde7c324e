-- 0008 experiences: good practices of the reserves, submitted from a phone (the drafts table
-- holds them while they are being written), with their photos and documents.
-- Times are UTC text (storage/timecodec.py), so text order is time order.

CREATE TABLE experiences (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    author_id         INTEGER REFERENCES people (id) ON DELETE SET NULL,
    status            TEXT NOT NULL DEFAULT 'submitted' CHECK (status IN (
                          'submitted', 'in_review', 'changes_requested', 'accepted',
                          'shortlisted', 'selected', 'declined', 'withdrawn')),
    language          TEXT NOT NULL,          -- the language it was written in
    title             TEXT NOT NULL,
    reserve           TEXT NOT NULL,
    country           TEXT NOT NULL,          -- ISO 3166-1 alpha-2
    themes            TEXT NOT NULL,          -- JSON list of theme slugs (working-group slugs)
    summary           TEXT NOT NULL,
    challenge         TEXT,
    building_blocks   TEXT,                   -- what was done
    enabling_factors  TEXT,
    results           TEXT,
    lessons           TEXT,
    replicability     TEXT,                   -- what another reserve would need to do it
    partners          TEXT,
    contact           TEXT,
    links             TEXT NOT NULL DEFAULT '[]',  -- JSON list of URLs
    decision_note     TEXT,                   -- the reason of a decline, the changes requested
    submitted_at      TEXT NOT NULL,
    decided_at        TEXT,
    published_at      TEXT,
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL
) STRICT;

CREATE INDEX experiences_status ON experiences (status, submitted_at);
CREATE INDEX experiences_author ON experiences (author_id);

CREATE TABLE experience_files (
    experience_id  INTEGER NOT NULL REFERENCES experiences (id) ON DELETE CASCADE,
    position       INTEGER NOT NULL CHECK (position BETWEEN 1 AND 5),
    kind           TEXT NOT NULL CHECK (kind IN ('photo', 'document')),
    file_id        TEXT NOT NULL,
    file_unique_id TEXT NOT NULL,
    file_name      TEXT,
    mime_type      TEXT,
    file_size      INTEGER,
    PRIMARY KEY (experience_id, position)
) STRICT, WITHOUT ROWID;

-- Every change of status, who made it and the note that went with it.
CREATE TABLE experience_history (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    experience_id INTEGER NOT NULL REFERENCES experiences (id) ON DELETE CASCADE,
    status        TEXT NOT NULL,
    changed_by    INTEGER REFERENCES people (id) ON DELETE SET NULL,
    note          TEXT,
    changed_at    TEXT NOT NULL
) STRICT;

CREATE INDEX experience_history_experience ON experience_history (experience_id, changed_at);
