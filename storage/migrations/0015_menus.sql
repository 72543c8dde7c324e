-- 0015 menus: the command menu the bot set for one chat (BotCommandScopeChat), so it is set
-- again only when the reader's language or role changes. A private chat's row is the person's
-- (gone with them); a group chat's row has no person.

CREATE TABLE chat_menus (
    chat_id      INTEGER PRIMARY KEY,          -- Telegram's chat id
    person_id    INTEGER REFERENCES people (id) ON DELETE CASCADE,
    menu         TEXT NOT NULL,                -- what was set: "<role>:<language>"
    published_at TEXT NOT NULL
) STRICT;

CREATE INDEX chat_menus_person ON chat_menus (person_id) WHERE person_id IS NOT NULL;
