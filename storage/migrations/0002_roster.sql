-- 0002 roster: member profiles, conversation drafts.
-- Lists (languages spoken, interests) are JSON arrays of strings.

ALTER TABLE people ADD COLUMN reserve TEXT;           -- biosphere reserve, as the person writes it
ALTER TABLE people ADD COLUMN country TEXT;           -- ISO 3166-1 alpha-2, upper case
ALTER TABLE people ADD COLUMN organisation TEXT;
ALTER TABLE people ADD COLUMN role TEXT
    CHECK (role IN ('reserve_manager', 'researcher', 'young_researcher', 'secretariat', 'other'));
ALTER TABLE people ADD COLUMN spoken_languages TEXT NOT NULL DEFAULT '[]';
ALTER TABLE people ADD COLUMN interests TEXT NOT NULL DEFAULT '[]';  -- theme slugs and free tags
ALTER TABLE people ADD COLUMN email TEXT;

CREATE INDEX people_email ON people (lower(email)) WHERE email IS NOT NULL;
CREATE INDEX people_country ON people (country) WHERE country IS NOT NULL;

-- A multi-step conversation in progress (docs/developers.md, "Conversations in drafts"): one per
-- person and kind, so it survives a restart and resumes at the step where it stopped.
CREATE TABLE drafts (
    person_id  INTEGER NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    kind       TEXT NOT NULL,                 -- 'profile'; later 'experience', 'meeting', ...
    step       TEXT NOT NULL,                 -- the step waiting for an answer
    data       TEXT NOT NULL DEFAULT '{}',    -- JSON object of the answers so far
    chat_id    INTEGER,                       -- where the conversation runs
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (person_id, kind)
) STRICT;
