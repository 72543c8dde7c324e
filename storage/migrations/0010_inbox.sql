-- 0010 inbox and lease.
-- Times are UTC text (storage/timecodec.py), so text order is time order.

-- Updates fetched from Telegram, stored before they are confirmed (the next getUpdates call
-- confirms them), so a kill -9 loses none: pending rows are handled after a restart, and an
-- update Telegram delivers again is recognised by its id. Once handled a row keeps only its
-- id and times, and is deleted once Telegram has confirmed it. While pending it holds the
-- update as Telegram sent it and the sender's Telegram id: /mydata shows it, /forgetme clears it.
CREATE TABLE update_inbox (
    update_id   INTEGER PRIMARY KEY,
    sender_id   INTEGER,
    payload     TEXT,
    received_at TEXT NOT NULL,
    handled_at  TEXT,
    CHECK ((handled_at IS NULL) = (payload IS NOT NULL))
) STRICT;

CREATE INDEX update_inbox_sender ON update_inbox (sender_id) WHERE sender_id IS NOT NULL;

-- One running bot per database: the holder renews its heartbeat; a second `wnmrc-bot run`
-- refuses while the heartbeat is fresh and the holder alive, and takes over otherwise.
CREATE TABLE bot_lease (
    id           INTEGER PRIMARY KEY CHECK (id = 1),
    holder       TEXT NOT NULL,
    host         TEXT NOT NULL,
    pid          INTEGER NOT NULL,
    taken_at     TEXT NOT NULL,
    heartbeat_at TEXT NOT NULL
) STRICT;
