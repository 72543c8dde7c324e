-- 0009 reviews: reviewers' scores of experiences, selection votes among a working group's
-- members, and where selected experiences were published.
-- Times are UTC text (storage/timecodec.py), so text order is time order.

-- One review per reviewer and experience (scoring again replaces it). A forgotten reviewer's
-- review stays, anonymised: the ranking others rely on does not change.
CREATE TABLE experience_reviews (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    experience_id INTEGER NOT NULL REFERENCES experiences (id) ON DELETE CASCADE,
    reviewer_id   INTEGER REFERENCES people (id) ON DELETE SET NULL,
    comment       TEXT,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    UNIQUE (experience_id, reviewer_id)
) STRICT;

-- A score from 1 to 5 per criterion of the network file's [review] criteria (slugs).
CREATE TABLE review_scores (
    review_id INTEGER NOT NULL REFERENCES experience_reviews (id) ON DELETE CASCADE,
    criterion TEXT NOT NULL,
    score     INTEGER NOT NULL CHECK (score BETWEEN 1 AND 5),
    PRIMARY KEY (review_id, criterion)
) STRICT, WITHOUT ROWID;

-- A selection vote the secretariat opens among one working group's members; closed by the
-- final selection.
CREATE TABLE selection_rounds (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    group_id  INTEGER NOT NULL REFERENCES working_groups (id) ON DELETE CASCADE,
    opened_by INTEGER REFERENCES people (id) ON DELETE SET NULL,
    opened_at TEXT NOT NULL,
    closed_at TEXT
) STRICT;

CREATE INDEX selection_rounds_group ON selection_rounds (group_id, closed_at);

-- One vote per member per experience and round (tapping again removes it).
CREATE TABLE selection_votes (
    round_id      INTEGER NOT NULL REFERENCES selection_rounds (id) ON DELETE CASCADE,
    experience_id INTEGER NOT NULL REFERENCES experiences (id) ON DELETE CASCADE,
    person_id     INTEGER NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    voted_at      TEXT NOT NULL,
    PRIMARY KEY (round_id, experience_id, person_id)
) STRICT, WITHOUT ROWID;

CREATE INDEX selection_votes_experience ON selection_votes (experience_id);

-- Where a selected experience was posted: one row per chat, the outbox row that carries it
-- (its telegram_message_id is the message id once sent).
CREATE TABLE experience_publications (
    experience_id INTEGER NOT NULL REFERENCES experiences (id) ON DELETE CASCADE,
    chat_id       INTEGER NOT NULL,
    dedupe_key    TEXT NOT NULL,
    published_at  TEXT NOT NULL,
    PRIMARY KEY (experience_id, chat_id)
) STRICT, WITHOUT ROWID;
