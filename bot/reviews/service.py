"""Reviewing an experience: the queue, scores, a comment, the decision — each one unit of work.

A review in progress is a draft of kind ``review`` (it survives a restart): its step is
``score`` (the criteria one by one), ``comment``, ``decide`` or ``note`` (the note to the author
a request for changes or a decline needs). A change of status, the notice that tells the author
(an outbox row) and the draft it closes commit together. Methods take the acting person
(:class:`~bot.access.Actor`) and plain values, and answer what happened, or a
:class:`~bot.profile.Refusal` (a message id and its values) saying in one line why not.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import Enum
from statistics import fmean
from typing import Any, Final

from bot.access import Actor
from bot.clock import Clock
from bot.i18n import I18n
from bot.profile import Refusal
from bot.reviews import rules
from bot.reviews.rules import Party
from storage import Draft, Experience, ExperienceStatus, Repositories, WorkingGroup
from storage.outbox import OutboxPayload, OutgoingMessage

KIND: Final = "review"
"""The draft of a review in progress."""
MAX_ID: Final = 2**53
"""Ids beyond this come only from forged buttons (and would overflow SQLite's integers)."""


@dataclass(frozen=True)
class ReviewOpened:
    experience: Experience
    groups: Sequence[WorkingGroup]
    replaces: bool
    """The reviewer scored it before: the new scores replace the earlier ones."""


@dataclass(frozen=True)
class NextCriterion:
    experience: Experience
    index: int


@dataclass(frozen=True)
class ScoresSaved:
    experience: Experience
    mean: float
    replaced: bool


@dataclass(frozen=True)
class NoteAsked:
    experience: Experience
    target: ExperienceStatus


@dataclass(frozen=True)
class Decided:
    experience: Experience
    status: ExperienceStatus


@dataclass(frozen=True)
class CommentSaved:
    experience: Experience


class Later(Enum):
    """The reviewer will decide later from /review (the draft is dropped)."""

    LATER = "later"


class Typed(Enum):
    """What a typed text during a review came to, when it is neither saved nor refused."""

    NO_LONGER_WAITING = "no_longer_waiting"
    USE_BUTTONS = "use_buttons"


class ReviewBase:
    """What both review services share: their parts, the groups, one experience and how a
    person stands to it."""

    def __init__(
        self,
        repos: Repositories,
        clock: Clock,
        i18n: I18n,
        criteria: Sequence[str],
        wake: Callable[[], None],
    ) -> None:
        self._repos = repos
        self._clock = clock
        self._i18n = i18n
        self.criteria: tuple[str, ...] = tuple(criteria) or tuple(rules.CRITERION_LABELS)
        """The network's review criteria, in order (the default six when it names none)."""
        self.wake = wake
        """Tells the outbox to look now; called after a unit that queued messages commits."""

    async def groups(self, *, active_only: bool = False) -> list[WorkingGroup]:
        """The working groups, closed ones included unless asked (an experience may name one)."""
        return await self._repos.groups.list(active_only=active_only)

    async def get(self, experience_id: int) -> Experience | None:
        if not 0 < experience_id < MAX_ID:
            return None
        return await self._repos.experiences.get(experience_id)

    async def parties(self, actor: Actor | None, experience: Experience) -> frozenset[Party]:
        """How the person stands to the experience."""
        if actor is None:
            return frozenset()
        slugs = {g.slug for g in await self.groups() if g.id in actor.coordinated}
        return rules.parties(experience, actor.person_id, slugs, actor.secretariat)


class ReviewsService(ReviewBase):
    """Review of experiences by the coordinators of their themes and the secretariat."""

    async def queue(self, actor: Actor | None) -> list[Experience]:
        """The experiences waiting for this reviewer, oldest first."""
        waiting = await self._repos.experiences.list(statuses=sorted(rules.REVIEWABLE))
        return [e for e in waiting if Party.REVIEWER in await self.parties(actor, e)]

    async def reviewable(self, actor: Actor, experience_id: int) -> Experience | Refusal:
        """The experience if this person may review it now; else why not."""
        experience = await self.get(experience_id)
        if experience is None:
            return Refusal(rules.NO_EXPERIENCE, {"id": experience_id})
        if Party.REVIEWER not in await self.parties(actor, experience):
            return Refusal(rules.NOT_YOURS_TO_REVIEW, {"id": experience.id})
        if experience.status not in rules.REVIEWABLE:
            return rules.already_decided(experience)
        return experience

    # --- the review buttons -----------------------------------------------------------------

    async def open(
        self, actor: Actor, experience_id: int, chat_id: int | None
    ) -> ReviewOpened | Refusal:
        """Start (or start again) a review: a fresh draft at the first criterion."""
        experience = await self.reviewable(actor, experience_id)
        if isinstance(experience, Refusal):
            return experience
        earlier = await self._repos.reviews.review_of(experience.id, actor.person_id)
        data = {"experience": experience.id, "scores": {}, "replaces": earlier is not None}
        await self._repos.drafts.save(
            actor.person_id, KIND, "score", data, chat_id, self._clock.now()
        )
        return ReviewOpened(experience, await self.groups(), earlier is not None)

    async def score(
        self, actor: Actor, experience_id: int, index: int, score: int
    ) -> NextCriterion | ScoresSaved | Refusal:
        """One criterion scored; the last one saves the review (and moves a submitted
        experience into review, telling its author) in one unit."""
        found = await self._in_review(actor, experience_id)
        if isinstance(found, Refusal):
            return found
        experience, draft = found
        scores: dict[str, int] = dict(draft.data.get("scores", {}))
        if draft.step != "score" or index != len(scores) or index >= len(self.criteria):
            return Refusal(rules.STALE)
        if score not in rules.SCORES:
            return Refusal(rules.STALE)
        scores[self.criteria[index]] = score
        if len(scores) < len(self.criteria):
            await self._save(draft, "score", {"scores": scores})
            return NextCriterion(experience, len(scores))
        async with self._repos.unit() as uow:
            now = self._clock.now()
            replaced = await uow.reviews.save_review(experience.id, actor.person_id, scores, now)
            if experience.status == "submitted":
                await self._move(uow, actor, experience, "in_review", frozenset({Party.REVIEWER}))
            await self._save(draft, "comment", {"scores": scores})
        self.wake()
        return ScoresSaved(experience, fmean(scores.values()), replaced)

    async def skip_comment(self, actor: Actor, experience_id: int) -> Experience | Refusal:
        """No comment: on to the decision."""
        found = await self._in_review(actor, experience_id)
        if isinstance(found, Refusal):
            return found
        experience, draft = found
        if draft.step != "comment":
            return Refusal(rules.STALE)
        await self._save(draft, "decide", {})
        return experience

    async def decide(
        self, actor: Actor, experience_id: int, letter: str
    ) -> Later | NoteAsked | Decided | Refusal:
        """Accept at once; changes or a decline first ask for the note; later drops the draft."""
        found = await self._in_review(actor, experience_id)
        if isinstance(found, Refusal):
            return found
        experience, draft = found
        if draft.step not in ("comment", "decide") or letter not in rules.DECISIONS:
            return Refusal(rules.STALE)
        target = rules.DECISIONS[letter]
        if target is None:
            await self._repos.drafts.delete(actor.person_id, KIND)
            return Later.LATER
        if target in rules.NOTE_REQUIRED:
            await self._save(draft, "note", {"decision": target})
            return NoteAsked(experience, target)
        moved = await self._decide(actor, experience, target, None)
        return Refusal(rules.STALE) if moved is None else Decided(moved, target)

    # --- typed text ---------------------------------------------------------------------------

    async def write(
        self, actor: Actor, draft: Draft, text: str
    ) -> CommentSaved | Decided | Typed | Refusal:
        """A typed comment (after the scores) or note to the author (after the decision)."""
        experience = await self.get(int(draft.data.get("experience", 0)))
        if experience is None or experience.status not in rules.REVIEWABLE:
            await self._repos.drafts.delete(actor.person_id, KIND)
            return Typed.NO_LONGER_WAITING
        limit = rules.NOTE_LIMIT if draft.step == "note" else rules.COMMENT_LIMIT
        if len(text) > limit:
            return Refusal(rules.TOO_LONG, {"n": len(text), "limit": limit})
        if draft.step == "comment":
            async with self._repos.unit() as uow:
                now = self._clock.now()
                await uow.reviews.set_comment(experience.id, actor.person_id, text, now)
                await self._save(draft, "decide", {})
            return CommentSaved(experience)
        if draft.step == "note":
            target = rules.noted_decision(draft.data.get("decision"))
            moved = await self._decide(actor, experience, target, text)
            return Typed.NO_LONGER_WAITING if moved is None else Decided(moved, target)
        return Typed.USE_BUTTONS

    # --- inside ----------------------------------------------------------------------------

    async def _in_review(
        self, actor: Actor, experience_id: int
    ) -> tuple[Experience, Draft] | Refusal:
        """The experience and the reviewer's draft of it, for a button after the opening."""
        experience = await self.reviewable(actor, experience_id)
        if isinstance(experience, Refusal):
            return experience
        draft = await self._repos.drafts.get(actor.person_id, KIND)
        if draft is None or draft.data.get("experience") != experience.id:
            return Refusal(rules.STALE)
        return experience, draft

    async def _decide(
        self, actor: Actor, experience: Experience, target: ExperienceStatus, note: str | None
    ) -> Experience | None:
        """Move to the decision, tell the author, close the draft: one unit; None if stale."""
        who = await self.parties(actor, experience)
        async with self._repos.unit() as uow:
            moved = await self._move(uow, actor, experience, target, who, note)
            await uow.drafts.delete(actor.person_id, KIND)
        self.wake()
        return moved

    async def _save(self, draft: Draft, step: str, changes: dict[str, Any]) -> None:
        await self._repos.drafts.save(
            draft.person_id, KIND, step, draft.data | changes, draft.chat_id, self._clock.now()
        )

    async def _move(
        self,
        uow: Repositories,
        actor: Actor | None,
        experience: Experience,
        target: ExperienceStatus,
        who: frozenset[Party],
        note: str | None = None,
    ) -> Experience | None:
        return await move(uow, self._clock, self._i18n, actor, experience, target, who, note)


async def move(
    uow: Repositories,
    clock: Clock,
    i18n: I18n,
    actor: Actor | None,
    experience: Experience,
    target: ExperienceStatus,
    who: frozenset[Party],
    note: str | None = None,
) -> Experience | None:
    """Inside a unit: change the status if still allowed (compare-and-set) and queue the notice
    to the author; None if it was no longer allowed."""
    moved = await uow.experiences.set_status(
        experience.id,
        target,
        clock.now(),
        changed_by=actor.person_id if actor else None,
        note=note,
        only_from=rules.sources(target, who),
    )
    if moved is not None:
        await _tell_author(uow, clock, i18n, moved, target, note)
    return moved


async def _tell_author(
    uow: Repositories,
    clock: Clock,
    i18n: I18n,
    experience: Experience,
    status: ExperienceStatus,
    note: str | None,
) -> None:
    """The change of status, in the author's language, to their private chat."""
    author = await uow.people.get(experience.author_id or 0)
    if author is None or author.telegram_id is None or author.started_at is None:
        return
    tr = i18n.for_person(author.language, author.telegram_language)
    changes = len(await uow.experiences.history(experience.id))
    message = OutgoingMessage(
        kind="notice",
        chat_id=author.telegram_id,
        person_id=author.id,
        dedupe_key=f"xp:{experience.id}:{changes}:{status}",
        payload=OutboxPayload(text=rules.status_notice(tr, experience, status, note)),
        due_at=clock.now(),
    )
    await uow.outbox.enqueue([message], clock.now())
