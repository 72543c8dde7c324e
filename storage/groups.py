"""Working groups, their texts in every language, and who coordinates them."""

import builtins
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from itertools import groupby
from typing import Final

import aiosqlite

from config import SUPPORTED_LANGUAGES, GroupSeed
from storage import membership as _membership
from storage.database import Database
from storage.membership import MemberRole, Membership, MembershipSource
from storage.models import WorkingGroup
from storage.timecodec import from_db, to_db

_GROUPS_WITH_TEXTS: Final = """
SELECT g.id, g.slug, g.theme, g.chat_id, g.topic_id, g.timezone, g.active,
       g.join_policy,
       t.language, t.name, t.description
FROM working_groups AS g LEFT JOIN working_group_texts AS t ON t.group_id = g.id
WHERE {where}
ORDER BY g.id, t.language
"""

_UPSERT_EDITED_TEXT: Final = """
INSERT INTO working_group_texts (group_id, language, name, description, edited_at)
VALUES (:group_id, :language, :name, :description, :now)
ON CONFLICT (group_id, language) DO UPDATE SET
    name = excluded.name, description = excluded.description, edited_at = excluded.edited_at
"""


@dataclass(frozen=True)
class SeedReport:
    """What seeding from the network file did."""

    added: int = 0  # working groups created (with all their texts)
    updated: int = 0  # texts of existing groups rewritten from the file (still unedited)
    kept: int = 0  # texts a coordinator edited, left as they are


class _TextOutcome(Enum):
    UNCHANGED = "unchanged"
    UPDATED = "updated"
    KEPT = "kept"


def _assemble(rows: Sequence[aiosqlite.Row]) -> list[WorkingGroup]:
    """One WorkingGroup per group from the group-joined-texts rows (ordered by group id)."""
    groups: list[WorkingGroup] = []
    for _, group_rows in groupby(rows, key=lambda row: row["id"]):
        texts = list(group_rows)
        first = texts[0]
        present = [row for row in texts if row["language"] is not None]
        groups.append(
            WorkingGroup(
                id=first["id"],
                slug=first["slug"],
                theme=first["theme"],
                chat_id=first["chat_id"],
                topic_id=first["topic_id"],
                timezone=first["timezone"],
                active=bool(first["active"]),
                join_policy=first["join_policy"],
                names={row["language"]: row["name"] for row in present},
                descriptions={row["language"]: row["description"] for row in present},
            )
        )
    return groups


async def _group_id(conn: aiosqlite.Connection, slug: str) -> int | None:
    async with conn.execute("SELECT id FROM working_groups WHERE slug = ?", (slug,)) as cursor:
        row = await cursor.fetchone()
    return None if row is None else int(row[0])


async def _insert_group(conn: aiosqlite.Connection, seed: GroupSeed, now: str) -> int:
    cursor = await conn.execute(
        "INSERT INTO working_groups (slug, theme, created_at, updated_at) VALUES (?, ?, ?, ?)",
        (seed.slug, seed.theme, now, now),
    )
    group_id = cursor.lastrowid
    await cursor.close()
    if group_id is None:
        raise RuntimeError(f"no id for new working group {seed.slug!r}")
    return group_id


async def _seed_text(
    conn: aiosqlite.Connection, group_id: int, language: str, name: str, description: str
) -> _TextOutcome:
    """Write the file's text unless a coordinator edited it."""
    async with conn.execute(
        "SELECT name, description, edited_at FROM working_group_texts"
        " WHERE group_id = ? AND language = ?",
        (group_id, language),
    ) as cursor:
        current = await cursor.fetchone()
    if current is not None and current["edited_at"] is not None:
        return _TextOutcome.KEPT
    if current is not None and (current["name"], current["description"]) == (name, description):
        return _TextOutcome.UNCHANGED
    await conn.execute(
        "INSERT INTO working_group_texts (group_id, language, name, description)"
        " VALUES (?, ?, ?, ?) ON CONFLICT (group_id, language) DO UPDATE SET"
        " name = excluded.name, description = excluded.description",
        (group_id, language, name, description),
    )
    return _TextOutcome.UPDATED


async def _seed_texts(
    conn: aiosqlite.Connection, group_id: int, seed: GroupSeed
) -> list[_TextOutcome]:
    return [
        await _seed_text(
            conn, group_id, language, seed.names[language], seed.descriptions[language]
        )
        for language in seed.names
    ]


class GroupsRepository:
    """Reads and writes working groups, their texts and their coordinators.

    Annotations say `builtins.list` because the `list` method shadows it in the class body.
    """

    def __init__(self, db: Database) -> None:
        self._db = db
        self._listed: dict[bool, tuple[int, tuple[WorkingGroup, ...]]] = {}
        """The last ``list`` per ``active_only``, with the database's version it was read at."""

    async def list(self, active_only: bool = True) -> builtins.list[WorkingGroup]:
        """Working groups in creation order, with their texts.

        Read on nearly every update (names, /groups, /me, a group's place), so kept until
        anything commits to the database: no read repeated while nothing changed.
        """
        version = self._db.data_version()  # before the rows: a commit between re-reads them
        known = self._listed.get(active_only)
        if version is not None and known is not None and known[0] == version:
            return builtins.list(known[1])
        where = "g.active = 1" if active_only else "1"
        groups = _assemble(await self._db.lookup_all(_GROUPS_WITH_TEXTS.format(where=where)))
        if version is not None:
            self._listed[active_only] = (version, tuple(groups))
        return groups

    async def by_slug(self, slug: str) -> WorkingGroup | None:
        rows = await self._db.fetch_all(_GROUPS_WITH_TEXTS.format(where="g.slug = ?"), (slug,))
        groups = _assemble(rows)
        return groups[0] if groups else None

    async def seed(self, seeds: Sequence[GroupSeed], now: datetime) -> SeedReport:
        """Create missing groups from the network file and refresh texts nobody edited.

        Idempotent. Never changes a coordinator-edited text, nor any other field of an
        existing group (theme, chat, time zone, active).
        """
        stamp = to_db(now)
        added = 0
        outcomes: builtins.list[_TextOutcome] = []
        async with self._db.transaction() as conn:
            for seed in seeds:
                group_id = await _group_id(conn, seed.slug)
                if group_id is None:
                    added += 1
                    await _seed_texts(conn, await _insert_group(conn, seed, stamp), seed)
                else:
                    outcomes += await _seed_texts(conn, group_id, seed)
        return SeedReport(
            added=added,
            updated=outcomes.count(_TextOutcome.UPDATED),
            kept=outcomes.count(_TextOutcome.KEPT),
        )

    async def coordinators(self, group_id: int) -> builtins.list[int]:
        """Person ids of the group's current coordinators."""
        rows = await self._db.fetch_all(
            "SELECT person_id FROM group_members"
            " WHERE group_id = ? AND role = 'coordinator' AND left_at IS NULL"
            " ORDER BY joined_at, person_id",
            (group_id,),
        )
        return [int(row[0]) for row in rows]

    async def is_coordinator(self, person_id: int, group_id: int | None = None) -> bool:
        """Whether the person coordinates this group (any group when `group_id` is None)."""
        value = await self._db.fetch_value(
            "SELECT EXISTS (SELECT 1 FROM group_members"
            " WHERE person_id = ? AND role = 'coordinator' AND left_at IS NULL"
            " AND (? IS NULL OR group_id = ?))",
            (person_id, group_id, group_id),
        )
        return bool(value)

    async def edit_text(
        self, group_id: int, language: str, name: str, description: str, now: datetime
    ) -> None:
        """A coordinator's name and description: from now on seeding leaves them alone."""
        if language not in SUPPORTED_LANGUAGES:
            raise ValueError(f"unsupported language: {language!r}")
        params = {
            "group_id": group_id,
            "language": language,
            "name": name,
            "description": description,
            "now": to_db(now),
        }
        async with self._db.transaction() as conn:
            await conn.execute(_UPSERT_EDITED_TEXT, params)
            await conn.execute(
                "UPDATE working_groups SET updated_at = :now WHERE id = :group_id", params
            )

    async def member_count(self, group_id: int) -> int:
        """Current members, coordinators included."""
        value = await self._db.fetch_value(
            "SELECT count(*) FROM group_members WHERE group_id = ? AND left_at IS NULL",
            (group_id,),
        )
        return int(value)

    async def add_member(self, group_id: int, person_id: int, role: str, now: datetime) -> None:
        """Add (or re-add) a person to a group with a role; a former member rejoins."""
        async with self._db.transaction() as conn:
            await conn.execute(
                "INSERT INTO group_members (group_id, person_id, role, joined_at)"
                " VALUES (?, ?, ?, ?)"
                " ON CONFLICT (group_id, person_id) DO UPDATE SET"
                " role = excluded.role, left_at = NULL,"
                " joined_at = CASE WHEN left_at IS NULL THEN joined_at ELSE excluded.joined_at END",
                (group_id, person_id, role, to_db(now)),
            )

    async def link_chat(
        self, group_id: int, chat_id: int | None, topic_id: int | None, now: datetime
    ) -> None:
        """Link the group to a Telegram chat (and forum topic), or unlink it with None."""
        async with self._db.transaction() as conn:
            await conn.execute(
                "UPDATE working_groups SET chat_id = ?, topic_id = ?, updated_at = ? WHERE id = ?",
                (chat_id, topic_id, to_db(now), group_id),
            )

    async def coordinated_by(self, person_id: int) -> builtins.list[int]:
        """Ids of the groups this person currently coordinates."""
        rows = await self._db.lookup_all(
            "SELECT group_id FROM group_members"
            " WHERE person_id = ? AND role = 'coordinator' AND left_at IS NULL ORDER BY group_id",
            (person_id,),
        )
        return [int(row[0]) for row in rows]

    # Membership (issue 3: joining and leaving, coordinators, linked chats)

    async def membership(self, group_id: int, person_id: int) -> Membership | None:
        """The person's membership of the group, current or past (None if never a member)."""
        row = await self._db.fetch_one(
            f"SELECT {_membership.MEMBERSHIP_COLUMNS} FROM group_members"
            " WHERE group_id = ? AND person_id = ?",
            (group_id, person_id),
        )
        return None if row is None else _membership.membership(row)

    async def memberships_of(self, person_id: int) -> builtins.list[Membership]:
        """The groups the person is in now, in group order."""
        rows = await self._db.lookup_all(
            f"SELECT {_membership.MEMBERSHIP_COLUMNS} FROM group_members"
            " WHERE person_id = ? AND left_at IS NULL ORDER BY group_id",
            (person_id,),
        )
        return [_membership.membership(row) for row in rows]

    async def member_counts(self) -> dict[int, int]:
        """Current members (coordinators included) per group id; groups with none are absent."""
        rows = await self._db.fetch_all(_membership.MEMBER_COUNTS)
        return {int(row[0]): int(row[1]) for row in rows}

    async def join(
        self, group_id: int, person_id: int, now: datetime, source: MembershipSource
    ) -> bool:
        """Make the person a member; a former member rejoins. False if already a member."""
        async with self._db.transaction() as conn:
            return await _membership.join(conn, group_id, person_id, "member", source, now)

    async def leave(self, group_id: int, person_id: int, now: datetime) -> Membership | None:
        """End the membership (and any coordination); the membership as it was, or None
        when the person was not a member."""
        params = {"group_id": group_id, "person_id": person_id, "now": to_db(now)}
        async with self._db.transaction() as conn:
            before = await _membership.current_membership(conn, group_id, person_id)
            if before is None or not before.current:
                return None
            await conn.execute(_membership.LEAVE, params)
        return before

    async def appoint(self, group_id: int, person_id: int, now: datetime) -> bool:
        """Make the person a coordinator (a member too); False if they already coordinate."""
        async with self._db.transaction() as conn:
            if await _membership.join(conn, group_id, person_id, "coordinator", "appointed", now):
                return True
            return await self._set_role(conn, group_id, person_id, "coordinator")

    async def dismiss(self, group_id: int, person_id: int) -> bool:
        """A coordinator goes back to being a member; False if they were not a coordinator."""
        async with self._db.transaction() as conn:
            return await self._set_role(conn, group_id, person_id, "member")

    @staticmethod
    async def _set_role(
        conn: aiosqlite.Connection, group_id: int, person_id: int, role: MemberRole
    ) -> bool:
        params = {"group_id": group_id, "person_id": person_id, "role": role}
        cursor = await conn.execute(_membership.SET_ROLE, params)
        changed = cursor.rowcount > 0
        await cursor.close()
        return changed

    async def create(
        self, slug: str, theme: str, names: dict[str, str], now: datetime
    ) -> WorkingGroup | None:
        """A new group with these names (descriptions empty); None if the slug is taken.

        The texts count as unedited: if the network file later defines the slug, its texts
        replace these.
        """
        missing = set(SUPPORTED_LANGUAGES) - set(names)
        if missing:
            raise ValueError(f"names missing for: {', '.join(sorted(missing))}")
        seed = GroupSeed(slug=slug, theme=theme, names=names, descriptions=names)
        async with self._db.transaction() as conn:
            if await _group_id(conn, slug) is not None:
                return None
            group_id = await _insert_group(conn, seed, to_db(now))
            for language, name in names.items():
                await conn.execute(
                    "INSERT INTO working_group_texts (group_id, language, name, description)"
                    " VALUES (?, ?, ?, '')",
                    (group_id, language, name),
                )
        return await self.by_slug(slug)

    async def link_chat_alone(
        self, group_id: int, chat_id: int, topic_id: int | None, now: datetime
    ) -> builtins.list[int]:
        """Link the group to a chat (or forum topic) and unlink any other group linked to
        exactly that chat and topic; the ids of the groups unlinked."""
        params = {"group_id": group_id, "chat_id": chat_id, "topic_id": topic_id, "now": to_db(now)}
        async with self._db.transaction() as conn:
            async with conn.execute(_membership.UNLINK_SAME_PLACE, params) as cursor:
                unlinked = [int(row[0]) for row in await cursor.fetchall()]
            await conn.execute(_membership.LINK, params)
        return unlinked

    async def linked_to_chat(self, chat_id: int) -> builtins.list[WorkingGroup]:
        """Active groups linked to the chat or to one of its forum topics."""
        rows = await self._db.fetch_all(
            _GROUPS_WITH_TEXTS.format(where="g.active = 1 AND g.chat_id = ?"), (chat_id,)
        )
        return _assemble(rows)

    async def record_seen(
        self, chat_id: int, topic_id: int | None, person_id: int, now: datetime
    ) -> bool:
        """Note that the person wrote in the chat (topic) linked to a group; False if the
        chat is linked to no group (nothing written)."""
        linked = await self._db.fetch_value(
            "SELECT EXISTS (SELECT 1 FROM working_groups WHERE chat_id = ? AND active = 1)",
            (chat_id,),
        )
        if not linked:
            return False
        params = {
            "chat_id": chat_id,
            "topic_id": topic_id,
            "person_id": person_id,
            "now": to_db(now),
        }
        async with self._db.transaction() as conn:
            await conn.execute(_membership.RECORD_SEEN, params)
        return True

    async def last_seen_in_chat(self, group_id: int, person_id: int) -> datetime | None:
        """When the person last wrote in the group's linked chat (None: never seen there)."""
        value = await self._db.fetch_value(
            "SELECT last_seen_at FROM group_chat_seen WHERE group_id = ? AND person_id = ?",
            (group_id, person_id),
        )
        return None if value is None else from_db(value)
