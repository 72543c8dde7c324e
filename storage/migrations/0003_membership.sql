-- 0003 membership: how each member came into a working group, and who was seen in its chat.

-- How the person joined (NULL for rows older than this migration):
-- 'bot' (/join or a /groups button), 'link' (an invitation deep link), 'chat' (joined the
-- linked group chat), 'appointed' (named coordinator by the secretariat), 'import' (a list).
ALTER TABLE group_members ADD COLUMN source TEXT
    CHECK (source IN ('bot', 'link', 'chat', 'appointed', 'import'));

-- Who wrote in a working group's linked chat (or forum topic), member or not, and when.
CREATE TABLE group_chat_seen (
    group_id      INTEGER NOT NULL REFERENCES working_groups (id) ON DELETE CASCADE,
    person_id     INTEGER NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    first_seen_at TEXT NOT NULL,
    last_seen_at  TEXT NOT NULL,
    PRIMARY KEY (group_id, person_id)
) STRICT;

CREATE INDEX group_chat_seen_person ON group_chat_seen (person_id);
