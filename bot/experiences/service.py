"""The experiences use cases: send, resubmit, withdraw, edit one field — each one unit of work.

A use case that writes runs inside one ``repos.unit()``: the experience and its files, its
history row, the notices to the reviewers (outbox rows) and the draft it closes commit together
or not at all, so a crash leaves either nothing or everything, and no guard against doing a
part twice is needed. The outbox is told to look once the unit has committed. Methods take
plain values and return the stored experience (or a small result), never Telegram objects.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Any, Final

from bot.clock import Clock
from bot.experiences import rules
from bot.experiences.rules import Reader
from bot.i18n import I18n
from bot.profile import Refusal
from bot.reviews.callbacks import OpenReview
from storage import Draft, Experience, ExperienceStatus, Person, Repositories, WorkingGroup
from storage.models import OPEN_EXPERIENCE_STATUSES
from storage.outbox import OutboxPayload, OutgoingMessage

DRAFT_KIND: Final = "experience"
"""The draft of ``/submit``."""
EDIT_DRAFT_KIND: Final = "experience_edit"
"""The draft of editing one field of a sent experience."""
RESUBMITTABLE: Final[tuple[ExperienceStatus, ...]] = ("changes_requested",)
MAX_ID: Final = 2**53
"""Ids beyond this come only from forged buttons (and would overflow SQLite's integers)."""


@dataclass(frozen=True)
class FieldEdit:
    """What became of an edit of one field: the experience as it stands, and why it was not
    changed (None when it was)."""

    experience: Experience
    refusal: Refusal | None = None


class ExperiencesService:
    """Experiences from the author's side. Built once when the database opens."""

    def __init__(
        self,
        repos: Repositories,
        clock: Clock,
        i18n: I18n,
        secretariat_ids: Collection[int],
        wake: Callable[[], None],
    ) -> None:
        self._repos = repos
        self._clock = clock
        self._i18n = i18n
        self._secretariat_ids = secretariat_ids
        self.wake = wake
        """Tells the outbox to look now; called after a unit that queued messages commits."""

    # --- reading ----------------------------------------------------------------------------

    async def groups(self) -> list[WorkingGroup]:
        """The active working groups that are themes (an experience may belong to them; a
        joint project is not one)."""
        projects = await self._repos.opportunities.project_ids()
        return [group for group in await self._repos.groups.list() if group.id not in projects]

    async def theme_names(self, language: str) -> dict[str, str]:
        """Theme slug -> its working group's name in ``language``."""
        return {group.slug: group.name(language) for group in await self.groups()}

    async def own(self, person_id: int, experience_id: object) -> Experience | None:
        """The experience if it exists and is the person's own."""
        if not isinstance(experience_id, int) or not 0 < experience_id < MAX_ID:
            return None
        experience = await self._repos.experiences.get(experience_id)
        if experience is None or experience.author_id != person_id:
            return None
        return experience

    async def open_list(self, person_id: int) -> list[Experience]:
        """``/myexperiences``: the person's experiences, newest first; an edit left half-way
        is dropped."""
        await self._repos.drafts.delete(person_id, EDIT_DRAFT_KIND)
        return await self._repos.experiences.by_author(person_id)

    async def mine(self, person_id: int) -> list[Experience]:
        return await self._repos.experiences.by_author(person_id)

    async def current_draft(self, person_id: int) -> Draft | None:
        """The person's most recently touched draft (of any conversation), or None."""
        active = await self._repos.drafts.active(person_id)
        return active[0] if active else None

    # --- sending ----------------------------------------------------------------------------

    async def submit(self, author: Person, language: str, answers: Mapping[str, Any]) -> Experience:
        """Store the draft's experience, queue the reviewers' notices, close the draft: one unit.

        A draft written before sending was one unit may name the experience it already stored
        (``sent_id``): that one is used, never a second copy.
        """
        async with self._repos.unit() as uow:
            sent_id = answers.get("sent_id")
            experience = await uow.experiences.get(sent_id) if isinstance(sent_id, int) else None
            if experience is None:
                experience = await uow.experiences.create(
                    author.id,
                    language,
                    rules.experience_fields(answers),
                    self._clock.now(),
                    rules.files_of(answers.get("files") or []),
                )
            await self._queue_notices(uow, experience, author, resubmitted=False)
            await uow.drafts.delete(author.id, DRAFT_KIND)
        self.wake()
        return experience

    async def resubmit(self, author: Person, experience_id: int) -> Experience | None:
        """Send it again after changes were requested, and tell the reviewers; None if it was
        not the author's or no longer waiting for changes."""
        async with self._repos.unit() as uow:
            again = await self._move(uow, author.id, experience_id, "submitted", RESUBMITTABLE)
            if again is not None:
                await self._queue_notices(uow, again, author, resubmitted=True)
        self.wake()
        return again

    async def withdraw(self, person_id: int, experience_id: int) -> Experience | None:
        """Withdraw it (and drop an edit of it left half-way); None if it was not the person's
        or already decided."""
        async with self._repos.unit() as uow:
            withdrawn = await self._move(
                uow, person_id, experience_id, "withdrawn", OPEN_EXPERIENCE_STATUSES
            )
            if withdrawn is not None:
                await uow.drafts.delete(person_id, EDIT_DRAFT_KIND)
        return withdrawn

    # --- editing ----------------------------------------------------------------------------

    async def save_field(
        self, person_id: int, experience_id: object, field: str, value: Any
    ) -> FieldEdit | None:
        """Write one edited field if the text may still change, and close the edit draft, in
        one unit; None when the experience is not the person's."""
        async with self._repos.unit() as uow:
            await uow.drafts.delete(person_id, EDIT_DRAFT_KIND)
            experience = await self.own(person_id, experience_id)
            if experience is None:
                return None
            refused = rules.edit_refusal(experience)
            if refused is not None:
                return FieldEdit(experience, refused)
            now = self._clock.now()
            if field == "files":
                updated = await uow.experiences.replace_files(
                    experience.id, rules.files_of(value), now
                )
            else:
                changes = {field: rules.field_value(field, value)}
                updated = await uow.experiences.update_fields(experience.id, now, **changes)
        return FieldEdit(updated or experience)

    async def drop_draft(self, person_id: int) -> None:
        """Throw away the ``/submit`` draft."""
        await self._repos.drafts.delete(person_id, DRAFT_KIND)

    # --- inside a unit ----------------------------------------------------------------------

    async def _move(
        self,
        uow: Repositories,
        person_id: int,
        experience_id: int,
        status: ExperienceStatus,
        only_from: Collection[ExperienceStatus],
    ) -> Experience | None:
        """The person's own experience in its new status, or None (not theirs, or no longer in
        one of ``only_from``: a compare-and-set)."""
        if await self.own(person_id, experience_id) is None:
            return None
        return await uow.experiences.set_status(
            experience_id, status, self._clock.now(), changed_by=person_id, only_from=only_from
        )

    async def _queue_notices(
        self, uow: Repositories, experience: Experience, author: Person, *, resubmitted: bool
    ) -> None:
        """A notice with a Review button for each reviewer, in their language; once per
        submission round (the outbox key names the round)."""
        history = await uow.experiences.history(experience.id)
        round_number = sum(1 for change in history if change.status == "submitted")
        groups = await uow.groups.list()
        now = self._clock.now()
        messages: list[OutgoingMessage] = []
        for reader in await self._reviewers_of(uow, experience, author):
            tr = self._i18n.translator(reader.language)
            themes = {g.slug: g.name(tr.language) for g in groups}
            text = rules.notice(tr, experience, author.name, themes, resubmitted=resubmitted)
            # Translators: a button under a newly submitted experience, sent to its reviewers:
            # opens the review.
            button = {"text": tr("Review"), "callback_data": OpenReview(experience.id).pack()}
            messages.append(
                OutgoingMessage(
                    kind="notice",
                    chat_id=reader.telegram_id,
                    person_id=reader.person_id,
                    dedupe_key=rules.notice_key(experience.id, round_number, reader.telegram_id),
                    payload=OutboxPayload(text=text, reply_markup={"inline_keyboard": [[button]]}),
                    due_at=now,
                )
            )
        await uow.outbox.enqueue(messages, now)

    async def _reviewers_of(
        self, uow: Repositories, experience: Experience, author: Person
    ) -> list[Reader]:
        """The coordinators of the experience's themes and the secretariat, never the author."""
        coordinators: list[Reader] = []
        for group in await uow.groups.list():
            if group.slug not in experience.themes:
                continue
            for person_id in await uow.groups.coordinators(group.id):
                person = await uow.people.get(person_id)
                if person is not None and person.telegram_id is not None:
                    coordinators.append(self._reader(person.telegram_id, person))
        secretariat = [
            self._reader(telegram_id, await uow.people.by_telegram_id(telegram_id))
            for telegram_id in sorted(self._secretariat_ids)
        ]
        return rules.reviewers(coordinators, secretariat, author)

    def _reader(self, telegram_id: int, person: Person | None) -> Reader:
        if person is None:
            return Reader(telegram_id, None, self._i18n.default_language)
        language = self._i18n.for_person(person.language, person.telegram_language).language
        return Reader(telegram_id, person.id, language)
