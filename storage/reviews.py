"""Reviews: review scores, selection votes and publications of experiences (migration 0009).

A reviewer's scores are saved whole when the last criterion is scored: scoring again replaces
the review (its comment too). A selection round is one working group's vote; it stays open
until the final selection closes it, and opening it again reuses the open one.
"""

import builtins
from collections.abc import Collection, Mapping
from datetime import datetime
from typing import Final

from pydantic import AwareDatetime, BaseModel, ConfigDict

from storage.database import Database
from storage.rows import expect_row, row_dict
from storage.timecodec import to_db


class _Record(BaseModel):
    model_config = ConfigDict(frozen=True)


class Review(_Record):
    """One reviewer's scores (criterion slug -> 1..5) and comment on one experience."""

    id: int
    experience_id: int
    reviewer_id: int | None
    comment: str | None
    scores: dict[str, int]
    created_at: AwareDatetime
    updated_at: AwareDatetime


class SelectionRound(_Record):
    """A selection vote among one working group's members."""

    id: int
    group_id: int
    opened_by: int | None
    opened_at: AwareDatetime
    closed_at: AwareDatetime | None

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class Publication(_Record):
    """Where a selected experience was posted, and the outbox row carrying it."""

    experience_id: int
    chat_id: int
    dedupe_key: str
    published_at: AwareDatetime
    telegram_message_id: int | None = None
    """Filled in once the outbox sent it."""


_UPSERT_REVIEW: Final = """
INSERT INTO experience_reviews (experience_id, reviewer_id, comment, created_at, updated_at)
VALUES (:experience_id, :reviewer_id, :comment, :now, :now)
ON CONFLICT (experience_id, reviewer_id) DO UPDATE SET
    comment = excluded.comment, updated_at = excluded.updated_at
RETURNING id
"""

_ROUND_COLUMNS: Final = ("opened_at", "closed_at")


def _placeholders(values: Collection[object]) -> str:
    return ", ".join("?" for _ in values)


class ReviewsRepository:
    """Reads and writes review scores, selection votes and publications of experiences.

    Annotations say `builtins.list` where a method name could shadow the builtin.
    """

    def __init__(self, db: Database) -> None:
        self._db = db

    # reviews

    async def save_review(
        self,
        experience_id: int,
        reviewer_id: int,
        scores: Mapping[str, int],
        now: datetime,
        comment: str | None = None,
    ) -> bool:
        """Store the reviewer's scores, replacing an earlier review; True if one was replaced."""
        if any(not 1 <= score <= 5 for score in scores.values()):
            raise ValueError("scores are 1 to 5")
        params = {
            "experience_id": experience_id,
            "reviewer_id": reviewer_id,
            "comment": comment or None,
            "now": to_db(now),
        }
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "SELECT 1 FROM experience_reviews WHERE experience_id = ? AND reviewer_id = ?",
                (experience_id, reviewer_id),
            )
            replaced = await cursor.fetchone() is not None
            cursor = await conn.execute(_UPSERT_REVIEW, params)
            review_id = int(expect_row(await cursor.fetchone(), "UPSERT experience_reviews")[0])
            await conn.execute("DELETE FROM review_scores WHERE review_id = ?", (review_id,))
            await conn.executemany(
                "INSERT INTO review_scores (review_id, criterion, score) VALUES (?, ?, ?)",
                [(review_id, criterion, score) for criterion, score in scores.items()],
            )
        return replaced

    async def set_comment(
        self, experience_id: int, reviewer_id: int, comment: str | None, now: datetime
    ) -> bool:
        """Set the comment of the reviewer's review; False if they have none."""
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "UPDATE experience_reviews SET comment = ?, updated_at = ?"
                " WHERE experience_id = ? AND reviewer_id = ?",
                (comment or None, to_db(now), experience_id, reviewer_id),
            )
            return cursor.rowcount > 0

    async def review_of(self, experience_id: int, reviewer_id: int) -> Review | None:
        reviews = await self._reviews(
            "WHERE r.experience_id = ? AND r.reviewer_id = ?", (experience_id, reviewer_id)
        )
        return reviews[0] if reviews else None

    async def reviews(self, experience_id: int) -> builtins.list[Review]:
        """Every review of the experience, oldest first."""
        return await self._reviews("WHERE r.experience_id = ?", (experience_id,))

    async def reviews_of(self, experience_ids: Collection[int]) -> dict[int, builtins.list[Review]]:
        """The reviews of each experience (an experience without any maps to [])."""
        found: dict[int, builtins.list[Review]] = {i: [] for i in experience_ids}
        if not experience_ids:
            return found
        ids = tuple(experience_ids)
        for review in await self._reviews(f"WHERE r.experience_id IN ({_placeholders(ids)})", ids):
            found[review.experience_id].append(review)
        return found

    async def _reviews(self, where: str, params: tuple[object, ...]) -> builtins.list[Review]:
        rows = await self._db.fetch_all(
            f"SELECT r.* FROM experience_reviews AS r {where} ORDER BY r.created_at, r.id", params
        )
        if not rows:
            return []
        ids = [int(row["id"]) for row in rows]
        scores: dict[int, dict[str, int]] = {i: {} for i in ids}
        for score in await self._db.fetch_all(
            f"SELECT * FROM review_scores WHERE review_id IN ({_placeholders(ids)})", tuple(ids)
        ):
            scores[int(score["review_id"])][str(score["criterion"])] = int(score["score"])
        return [
            Review.model_validate(
                row_dict(row, ("created_at", "updated_at")) | {"scores": scores[int(row["id"])]}
            )
            for row in rows
        ]

    # selection votes

    async def open_round(
        self, group_id: int, opened_by: int | None, now: datetime
    ) -> tuple[SelectionRound, bool]:
        """The group's open round, or a new one; True when it was opened now."""
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "SELECT id FROM selection_rounds WHERE group_id = ? AND closed_at IS NULL"
                " ORDER BY id DESC LIMIT 1",
                (group_id,),
            )
            row = await cursor.fetchone()
            created = row is None
            if row is None:
                cursor = await conn.execute(
                    "INSERT INTO selection_rounds (group_id, opened_by, opened_at)"
                    " VALUES (?, ?, ?) RETURNING id",
                    (group_id, opened_by, to_db(now)),
                )
                row = expect_row(await cursor.fetchone(), "INSERT selection_rounds")
            round_id = int(row[0])
        found = await self.round(round_id)
        assert found is not None
        return found, created

    async def round(self, round_id: int) -> SelectionRound | None:
        row = await self._db.fetch_one("SELECT * FROM selection_rounds WHERE id = ?", (round_id,))
        return None if row is None else SelectionRound.model_validate(row_dict(row, _ROUND_COLUMNS))

    async def close_rounds(self, now: datetime) -> int:
        """Close every open round (the final selection is made); returns how many."""
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "UPDATE selection_rounds SET closed_at = ? WHERE closed_at IS NULL", (to_db(now),)
            )
            return cursor.rowcount

    async def toggle_vote(
        self, round_id: int, experience_id: int, person_id: int, now: datetime
    ) -> bool:
        """Vote, or take the vote back if there was one; True when the vote now stands."""
        key = (round_id, experience_id, person_id)
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "DELETE FROM selection_votes"
                " WHERE round_id = ? AND experience_id = ? AND person_id = ?",
                key,
            )
            if cursor.rowcount > 0:
                return False
            await conn.execute(
                "INSERT INTO selection_votes (round_id, experience_id, person_id, voted_at)"
                " VALUES (?, ?, ?, ?)",
                (*key, to_db(now)),
            )
            return True

    async def votes_of(self, round_id: int, person_id: int) -> set[int]:
        """The experiences the person voted for in the round."""
        rows = await self._db.fetch_all(
            "SELECT experience_id FROM selection_votes WHERE round_id = ? AND person_id = ?",
            (round_id, person_id),
        )
        return {int(row[0]) for row in rows}

    async def vote_counts(self) -> dict[int, int]:
        """Votes per experience over every round (experiences without votes left out)."""
        rows = await self._db.fetch_all(
            "SELECT experience_id, COUNT(*) FROM selection_votes GROUP BY experience_id"
        )
        return {int(row[0]): int(row[1]) for row in rows}

    # publications

    async def record_publication(
        self, experience_id: int, chat_id: int, dedupe_key: str, now: datetime
    ) -> bool:
        """Note that the experience goes to the chat (and set its published_at); False if it
        already had."""
        stamp = to_db(now)
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "INSERT INTO experience_publications"
                " (experience_id, chat_id, dedupe_key, published_at) VALUES (?, ?, ?, ?)"
                " ON CONFLICT DO NOTHING",
                (experience_id, chat_id, dedupe_key, stamp),
            )
            added = cursor.rowcount > 0
            await conn.execute(
                "UPDATE experiences SET published_at = ?, updated_at = ?"
                " WHERE id = ? AND published_at IS NULL",
                (stamp, stamp, experience_id),
            )
            return added

    async def publications(self, experience_id: int) -> builtins.list[Publication]:
        """Where the experience was posted, with the message id once the outbox sent it."""
        rows = await self._db.fetch_all(
            "SELECT p.*, o.telegram_message_id FROM experience_publications AS p"
            " LEFT JOIN outbox AS o ON o.dedupe_key = p.dedupe_key"
            " WHERE p.experience_id = ? ORDER BY p.published_at, p.chat_id",
            (experience_id,),
        )
        return [Publication.model_validate(row_dict(row, ("published_at",))) for row in rows]
