-- 0014 web: secret calendar feed addresses, one per person and one per working group
-- (docs/developers.md, "The web face"). Replacing an address deletes its row, so the old
-- address answers 404 at once. The photos the gallery shows are files on disk, not rows.

CREATE TABLE calendar_feeds (
    token      TEXT PRIMARY KEY,     -- the secret in the address: 32 url-safe random bytes
    person_id  INTEGER REFERENCES people (id) ON DELETE CASCADE,
    group_id   INTEGER REFERENCES working_groups (id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    CHECK ((person_id IS NULL) <> (group_id IS NULL))
) STRICT;

CREATE UNIQUE INDEX calendar_feeds_person ON calendar_feeds (person_id)
    WHERE person_id IS NOT NULL;
CREATE UNIQUE INDEX calendar_feeds_group ON calendar_feeds (group_id)
    WHERE group_id IS NOT NULL;
