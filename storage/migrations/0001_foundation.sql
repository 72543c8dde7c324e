-- 0001 foundation: people, chats, working groups, their texts and members.
-- Times are UTC text `YYYY-MM-DDTHH:MM:SS.ffffffZ` (storage/timecodec.py), so text order is
-- time order. Booleans are 0/1 integers.

CREATE TABLE people (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,  -- our id: never reused
    telegram_id       INTEGER UNIQUE,      -- NULL until an imported person writes to the bot
    first_name        TEXT NOT NULL,
    last_name         TEXT,
    username          TEXT,                -- as Telegram gives it; looked up case-insensitively
    display_name      TEXT,
    telegram_language TEXT,                -- Telegram's language_code, as last seen
    language          TEXT,                -- chosen by the person; NULL = not chosen
    timezone          TEXT,                -- IANA name; NULL = unknown
    started_at        TEXT,                -- first private message: the bot may write to them
    reachable         INTEGER NOT NULL DEFAULT 1 CHECK (reachable IN (0, 1)),  -- 0 after a 403
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL,
    last_seen_at      TEXT
) STRICT;

CREATE INDEX people_username ON people (lower(username)) WHERE username IS NOT NULL;

CREATE TABLE chats (
    id          INTEGER PRIMARY KEY,       -- Telegram's chat id
    type        TEXT NOT NULL CHECK (type IN ('private', 'group', 'supergroup', 'channel')),
    title       TEXT,
    username    TEXT,
    is_forum    INTEGER NOT NULL DEFAULT 0 CHECK (is_forum IN (0, 1)),
    language    TEXT,
    timezone    TEXT,
    migrated_to INTEGER,                   -- set on a group that became this supergroup id
    bot_status  TEXT CHECK (bot_status IN ('member', 'administrator', 'restricted', 'left', 'kicked')),
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
) STRICT;

CREATE TABLE working_groups (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    slug       TEXT NOT NULL UNIQUE,
    theme      TEXT NOT NULL,
    chat_id    INTEGER REFERENCES chats (id) ON UPDATE CASCADE ON DELETE SET NULL,
    topic_id   INTEGER,                    -- forum topic inside chat_id, if any
    timezone   TEXT,                       -- IANA name the group meets in
    active     INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
) STRICT;

CREATE INDEX working_groups_chat ON working_groups (chat_id) WHERE chat_id IS NOT NULL;

CREATE TABLE working_group_texts (
    group_id    INTEGER NOT NULL REFERENCES working_groups (id) ON DELETE CASCADE,
    language    TEXT NOT NULL,
    name        TEXT NOT NULL,
    description TEXT NOT NULL,
    edited_at   TEXT,                      -- NULL while the text is the network file's
    PRIMARY KEY (group_id, language)
) STRICT;

CREATE TABLE group_members (
    group_id  INTEGER NOT NULL REFERENCES working_groups (id) ON DELETE CASCADE,
    person_id INTEGER NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    role      TEXT NOT NULL DEFAULT 'member' CHECK (role IN ('member', 'coordinator')),
    joined_at TEXT NOT NULL,
    left_at   TEXT,                        -- NULL while a member
    PRIMARY KEY (group_id, person_id)
) STRICT;

CREATE INDEX group_members_person ON group_members (person_id, role) WHERE left_at IS NULL;
