"""Announcements' use cases: the draft from /announce to Send, and the sending.

The conversation lives in a draft (kind ``announcement``): step ``text`` waits for the typed
text, step ``preview`` for the buttons under the preview. Its data holds a random id that names
the announcement, the scope (a working group's id, or ``all``), the audience and the text.
Send queues one outbox row per recipient message, each with a dedupe key made of that id, and
drops the draft, in one unit of work: a double tap or a retry never sends twice, and a crash
leaves either the draft or the queued messages, never both or neither.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, Final

from bot import announcements as rules
from bot.access import Actor, refusal
from bot.announcements.rules import EVERYONE, Audience, Refusal
from bot.clock import Clock
from bot.groups import find_group
from bot.i18n import LANGUAGES, N_, I18n, Translator
from bot.outbox import OutboxService
from bot.outbox.addressing import person_chat
from bot.permissions import Role
from bot.rendering import Html
from config import Settings
from storage import Draft, Person, Repositories, WorkingGroup
from storage.outbox import OutboxPayload, OutgoingMessage

KIND: Final = "announcement"
TEXT: Final = "text"
PREVIEW: Final = "preview"
# Translators: completes “Stopped: …” after /cancel.
DESCRIPTION: Final = N_("writing an announcement")
"""What /cancel says the person was doing."""

GROUP_HEADER: Final = N_("📣 Announcement — {group}")
NETWORK_HEADER: Final = N_("📣 Announcement to the whole network")
NOT_ALLOWED: Final = N_("You are not allowed to do that.")


@dataclass(frozen=True)
class Place:
    """A group chat (or forum topic) that receives the announcement."""

    chat_id: int
    topic_id: int | None
    language: str | None = None
    """The chat's own language (set with /language in the chat), else the network's."""


@dataclass(frozen=True)
class Recipients:
    places: list[Place]
    people: list[Person]

    @property
    def empty(self) -> bool:
        return not self.places and not self.people


@dataclass(frozen=True)
class Scope:
    """Whom a draft announces to: one working group, or everyone (``group`` None)."""

    group: WorkingGroup | None


@dataclass(frozen=True)
class Control:
    """What the buttons under the preview show: the audience chosen and whom it reaches."""

    token: str
    audience: Audience
    recipients: Recipients


# What happened (the handler renders each)


@dataclass(frozen=True)
class Started:
    """A new draft waits for its text."""

    draft: Draft


@dataclass(frozen=True)
class InProgress:
    """The person already has an announcement in progress (at its text or its preview)."""

    draft: Draft


@dataclass(frozen=True)
class AskScope:
    """/announce without a group: the working groups to choose from."""

    groups: list[WorkingGroup]


@dataclass(frozen=True)
class UnknownGroup:
    query: str
    groups: list[WorkingGroup]


@dataclass(frozen=True)
class Refused:
    """The person may not announce there (a message id; ``{group}`` names the group)."""

    reason: str
    group: WorkingGroup | None = None


@dataclass(frozen=True)
class GroupGone:
    """The draft's working group no longer exists: the draft was dropped."""


@dataclass(frozen=True)
class AtPreview:
    """Text typed while the preview waits for a button."""

    draft: Draft


@dataclass(frozen=True)
class TextRefused:
    """The text cannot be announced as it is; the draft still waits for it."""

    refusal: Refusal
    draft: Draft


@dataclass(frozen=True)
class Previewing:
    """The draft moved to its preview (new text or another audience)."""

    data: dict[str, Any]


@dataclass(frozen=True)
class Stale:
    """A button of a draft that is gone, sent or not at its preview any more."""


@dataclass(frozen=True)
class Editing:
    """Back to the text: the person types it again."""


@dataclass(frozen=True)
class Cancelled:
    """The draft is dropped; nothing was sent."""


@dataclass(frozen=True)
class Nobody:
    """Nobody would receive it with this audience; nothing was sent."""


@dataclass(frozen=True)
class Queued:
    """Sent to the outbox: one row per recipient message."""

    recipients: Recipients
    by_secretariat: bool


StartOutcome = Started | InProgress | AskScope | UnknownGroup | Refused
TextOutcome = Previewing | AtPreview | TextRefused | GroupGone
TapOutcome = Previewing | Editing | Cancelled | Queued | Nobody | Refused | Stale | GroupGone


class AnnouncementsService:
    """The announcement drafts and their sending."""

    def __init__(
        self,
        repos: Repositories,
        clock: Clock,
        i18n: I18n,
        settings: Settings,
        outbox: OutboxService,
    ) -> None:
        self.repos = repos
        self.clock = clock
        self.i18n = i18n
        self.settings = settings
        self.outbox = outbox

    # /announce

    async def start(self, person_id: int, chat_id: int, query: str) -> StartOutcome:
        """Start a draft to a working group (or ``all``), or find the one in progress."""
        draft = await self.repos.drafts.get(person_id, KIND)
        if draft is not None:
            return InProgress(draft)
        groups = await self.repos.groups.list()
        query = query.strip()
        if not query:
            return AskScope(groups)
        group = None if query.lower() == EVERYONE else find_group(groups, query)
        if group is None and query.lower() != EVERYONE:
            return UnknownGroup(query, groups)
        reason = await self._refusal(person_id, group)
        if reason is not None:
            return Refused(reason, group)
        scope: int | str = EVERYONE if group is None else group.id
        data = {"id": secrets.token_hex(4), "scope": scope, "audience": rules.DEFAULT_AUDIENCE}
        now = self.clock.now()
        async with self.repos.unit() as uow:
            await uow.drafts.save(person_id, KIND, TEXT, data, chat_id, now)
            saved = await uow.drafts.get(person_id, KIND)
        assert saved is not None
        return Started(saved)

    # the typed text

    async def type_text(self, draft: Draft, text: str) -> TextOutcome:
        """The text of the announcement (step ``text``); at the preview, nothing changes."""
        if draft.step != TEXT:
            return AtPreview(draft)
        scope = await self.scope(draft.data)
        sender = await self.repos.people.get(draft.person_id)
        if scope is None or sender is None:
            await self.repos.drafts.delete(draft.person_id, KIND)
            return GroupGone()
        outcome = rules.read_text(text, self.body_limit(scope.group, sender))
        if isinstance(outcome, Refusal):
            return TextRefused(outcome, draft)
        data = {**draft.data, "text": rules.clean_text(text)}
        now = self.clock.now()
        await self.repos.drafts.save(draft.person_id, KIND, PREVIEW, data, draft.chat_id, now)
        return Previewing(data)

    # the buttons under the preview

    async def tap(self, person_id: int, token: str, action: rules.Action) -> TapOutcome:
        """A button under the preview, honoured only while its draft waits there."""
        draft = await self.repos.drafts.get(person_id, KIND)
        if draft is None or draft.step != PREVIEW or str(draft.data.get("id")) != token:
            return Stale()
        audience = rules.parse_audience(action)
        now = self.clock.now()
        if audience is not None:
            data = {**draft.data, "audience": audience}
            await self.repos.drafts.save(person_id, KIND, PREVIEW, data, draft.chat_id, now)
            return Previewing(data)
        if action == "edit":
            await self.repos.drafts.save(person_id, KIND, TEXT, draft.data, draft.chat_id, now)
            return Editing()
        if action == "cancel":
            await self.repos.drafts.delete(person_id, KIND)
            return Cancelled()
        return await self.send(person_id, token)

    async def send(self, person_id: int, token: str) -> TapOutcome:
        """Queue one outbox row per recipient message and drop the draft, in one unit."""
        async with self.repos.unit() as uow:
            draft = await uow.drafts.get(person_id, KIND)
            if draft is None or draft.step != PREVIEW or str(draft.data.get("id")) != token:
                return Stale()
            scope = await self.scope(draft.data)
            sender = await uow.people.get(person_id)
            if scope is None or sender is None:
                await uow.drafts.delete(person_id, KIND)
                return GroupGone()
            reason = await self._refusal(person_id, scope.group)  # a coordinator may be gone
            if reason is not None:
                return Refused(reason, scope.group)
            recipients = await self.recipients(draft.data)
            if recipients.empty:
                return Nobody()
            await self.outbox.enqueue(uow, self._outgoing(draft, scope.group, sender, recipients))
            await uow.drafts.delete(person_id, KIND)
        actor = await self._actor(person_id)
        return Queued(recipients, actor is not None and actor.secretariat)

    # what the handler shows

    async def draft(self, person_id: int) -> Draft | None:
        return await self.repos.drafts.get(person_id, KIND)

    async def drop(self, person_id: int) -> None:
        """The draft goes (its group is gone)."""
        await self.repos.drafts.delete(person_id, KIND)

    async def scope(self, data: dict[str, Any]) -> Scope | None:
        """Whom the draft announces to; None when its working group is gone (or inactive)."""
        wanted = data.get("scope")
        if wanted == EVERYONE:
            return Scope(None)
        for group in await self.repos.groups.list():
            if group.id == wanted:
                return Scope(group)
        return None

    async def control(self, data: dict[str, Any]) -> Control:
        """The audience chosen and whom it would reach."""
        audience = rules.parse_audience(str(data.get("audience"))) or rules.DEFAULT_AUDIENCE
        return Control(str(data["id"]), audience, await self.recipients(data))

    async def preview(self, person_id: int, data: dict[str, Any], language: str) -> list[Html]:
        """The announcement as the person will see it, in their language (empty: gone)."""
        sender = await self.repos.people.get(person_id)
        scope = await self.scope(data)
        if sender is None or scope is None:
            return []
        tr = self.i18n.translator(language)
        parts = self._parts(scope.group, sender, str(data.get("text", "")))
        return rules.compose(header(tr, scope.group), parts, sender.name)

    async def recipients(self, data: dict[str, Any]) -> Recipients:
        """Whom the draft reaches with its audience: linked chats, people who started the bot."""
        scope = await self.scope(data)
        if scope is None:
            return Recipients([], [])
        audience = rules.parse_audience(str(data.get("audience"))) or rules.DEFAULT_AUDIENCE
        group = scope.group
        groups = await self.repos.groups.list() if group is None else [group]
        reached = _places(groups) if rules.reaches_chats(audience) else []
        places = await self._in_their_languages(reached)
        people: list[Person] = []
        if rules.reaches_people(audience):
            if group is not None:
                members = [m.person for m in await self.repos.roster.members(group.id)]
            else:
                members = await self.repos.roster.network_members()
            people = [p for p in members if person_chat(p) is not None]
        return Recipients(places, people)

    async def _in_their_languages(self, places: list[Place]) -> list[Place]:
        """Each place with its chat's own language."""
        chats = [await self.repos.chats.get(place.chat_id) for place in places]
        return [
            replace(place, language=chat.language if chat else None)
            for place, chat in zip(places, chats, strict=True)
        ]

    def body_limit(self, group: WorkingGroup | None, sender: Person) -> int:
        """The longest text one message carries, under the longest header of any language."""
        headers = [header(self.i18n.translator(language), group) for language in LANGUAGES]
        return rules.body_limit(headers, sender.name)

    # inside

    def _parts(self, group: WorkingGroup | None, sender: Person, text: str) -> list[str]:
        outcome = rules.read_text(text, self.body_limit(group, sender))
        return [] if isinstance(outcome, Refusal) else outcome

    async def _actor(self, person_id: int) -> Actor | None:
        person = await self.repos.people.get(person_id)
        if person is None:
            return None
        coordinated = await self.repos.groups.coordinated_by(person.id)
        return Actor(
            person_id=person.id,
            telegram_id=person.telegram_id,
            secretariat=person.telegram_id in self.settings.secretariat_ids,
            coordinated=frozenset(coordinated),
        )

    async def _refusal(self, person_id: int, group: WorkingGroup | None) -> str | None:
        """Why the person may not announce to the group (to everyone: None), or None."""
        actor = await self._actor(person_id)
        if actor is None:
            return NOT_ALLOWED
        if group is None:
            return refusal(actor, Role.SECRETARIAT)
        return refusal(actor, Role.COORDINATOR, group.id)

    def _outgoing(
        self, draft: Draft, group: WorkingGroup | None, sender: Person, recipients: Recipients
    ) -> list[OutgoingMessage]:
        """The rows: each chat and person gets the parts under a header in their language."""
        token = str(draft.data["id"])
        parts = self._parts(group, sender, str(draft.data.get("text", "")))
        now = self.clock.now()
        messages: list[OutgoingMessage] = []

        def add(tr: Translator, chat_id: int, topic_id: int | None, person_id: int | None) -> None:
            composed = rules.compose(header(tr, group), parts, sender.name)
            for number, text in enumerate(composed, start=1):
                key = rules.dedupe_key(token, chat_id, topic_id, number, len(composed))
                messages.append(
                    OutgoingMessage(
                        kind="announcement",
                        chat_id=chat_id,
                        message_thread_id=topic_id,
                        person_id=person_id,
                        payload=OutboxPayload(text=text),
                        dedupe_key=key,
                        due_at=now,
                    )
                )

        for place in recipients.places:
            chat_tr = self.i18n.translator(place.language or self.i18n.default_language)
            add(chat_tr, place.chat_id, place.topic_id, None)
        for person in recipients.people:
            chat = person_chat(person)  # Telegram, or e-mail for someone who has only that
            if chat is not None:
                tr = self.i18n.for_person(person.language, person.telegram_language)
                add(tr, chat, None, person.id)
        return messages


def header(tr: Translator, group: WorkingGroup | None) -> str:
    """The announcement's first line in the reader's language."""
    if group is None:
        return tr(NETWORK_HEADER)
    return tr(GROUP_HEADER, group=group.name(tr.language))


def _places(groups: Sequence[WorkingGroup]) -> list[Place]:
    seen: dict[tuple[int, int | None], Place] = {}
    for group in groups:
        if group.active and group.chat_id is not None:
            seen.setdefault((group.chat_id, group.topic_id), Place(group.chat_id, group.topic_id))
    return list(seen.values())
