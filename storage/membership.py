"""Membership of working groups: who is in which group, since when, how, and who was seen in
the group's linked chat. The SQL behind the membership methods of ``GroupsRepository``."""

from datetime import datetime
from typing import Final, Literal

import aiosqlite
from pydantic import AwareDatetime, BaseModel, ConfigDict

from storage.rows import row_dict
from storage.timecodec import to_db

MemberRole = Literal["member", "coordinator"]
MembershipSource = Literal["bot", "link", "chat", "appointed", "import"]
"""How a person came into a group: /join or a button, a deep link, the linked chat, named
coordinator by the secretariat, an imported list."""


class Membership(BaseModel):
    """One person's place in one working group (current, or past when ``left_at`` is set)."""

    model_config = ConfigDict(frozen=True)

    group_id: int
    person_id: int
    role: MemberRole
    joined_at: AwareDatetime
    left_at: AwareDatetime | None
    source: MembershipSource | None

    @property
    def current(self) -> bool:
        return self.left_at is None

    @property
    def coordinator(self) -> bool:
        return self.current and self.role == "coordinator"


MEMBERSHIP_COLUMNS: Final = "group_id, person_id, role, joined_at, left_at, source"

# Adds a person, or brings a former member back (joined again now, left_at cleared); a
# current member is left exactly as they are (a coordinator stays coordinator).
JOIN: Final = f"""
INSERT INTO group_members (group_id, person_id, role, joined_at, source)
VALUES (:group_id, :person_id, :role, :now, :source)
ON CONFLICT (group_id, person_id) DO UPDATE SET
    role = excluded.role, joined_at = excluded.joined_at, left_at = NULL,
    source = excluded.source
WHERE group_members.left_at IS NOT NULL
RETURNING {MEMBERSHIP_COLUMNS}
"""

# Leaving ends the membership and any coordination with it.
LEAVE: Final = """
UPDATE group_members SET left_at = :now, role = 'member'
WHERE group_id = :group_id AND person_id = :person_id AND left_at IS NULL
"""

SET_ROLE: Final = """
UPDATE group_members SET role = :role
WHERE group_id = :group_id AND person_id = :person_id AND left_at IS NULL AND role != :role
"""

UNLINK_SAME_PLACE: Final = """
UPDATE working_groups SET chat_id = NULL, topic_id = NULL, updated_at = :now
WHERE id != :group_id AND chat_id = :chat_id AND topic_id IS :topic_id
RETURNING id
"""

LINK: Final = """
UPDATE working_groups SET chat_id = :chat_id, topic_id = :topic_id, updated_at = :now
WHERE id = :group_id
"""

# Groups linked to the whole chat see every message of it; a group linked to a forum topic
# sees the messages of that topic.
RECORD_SEEN: Final = """
INSERT INTO group_chat_seen (group_id, person_id, first_seen_at, last_seen_at)
SELECT id, :person_id, :now, :now FROM working_groups
WHERE chat_id = :chat_id AND active = 1 AND (topic_id IS NULL OR topic_id IS :topic_id)
ON CONFLICT (group_id, person_id) DO UPDATE SET last_seen_at = excluded.last_seen_at
"""

MEMBER_COUNTS: Final = """
SELECT group_id, count(*) FROM group_members WHERE left_at IS NULL GROUP BY group_id
"""


def membership(row: aiosqlite.Row) -> Membership:
    return Membership.model_validate(row_dict(row, ("joined_at", "left_at")))


def join_params(
    group_id: int, person_id: int, role: MemberRole, source: MembershipSource, now: datetime
) -> dict[str, object]:
    return {
        "group_id": group_id,
        "person_id": person_id,
        "role": role,
        "source": source,
        "now": to_db(now),
    }


async def current_membership(
    conn: aiosqlite.Connection, group_id: int, person_id: int
) -> Membership | None:
    """The person's membership as seen inside a write transaction (None if never a member)."""
    async with conn.execute(
        f"SELECT {MEMBERSHIP_COLUMNS} FROM group_members WHERE group_id = ? AND person_id = ?",
        (group_id, person_id),
    ) as cursor:
        row = await cursor.fetchone()
    return None if row is None else membership(row)


async def join(
    conn: aiosqlite.Connection,
    group_id: int,
    person_id: int,
    role: MemberRole,
    source: MembershipSource,
    now: datetime,
) -> bool:
    """Add or bring back the person; False (nothing changed) for a current member."""
    params = join_params(group_id, person_id, role, source, now)
    async with conn.execute(JOIN, params) as cursor:
        return await cursor.fetchone() is not None
