"""The roadmap's use cases: creating actions, progress, listing, and the owners' nudges.

Each write runs in one unit of work: the action, its owners' planned nudges and the notices it
sends commit together. Nudges are rows (``roadmap_nudges``) planned when an action is created
or its due date, owners or status change; :class:`bot.roadmap.work.RoadmapNudges` fans the due
ones into the outbox with dedupe keys (``roadmap:<action>:<person>:<kind>:<due>``), so each is
sent once, after restarts too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Final
from zoneinfo import ZoneInfo

from bot.access import Actor
from bot.clock import Clock
from bot.i18n import N_, I18n, Translator
from bot.outbox import OutboxService
from bot.outbox.addressing import person_chat
from bot.rendering import Html, escape
from bot.roadmap import rules
from bot.roadmap.rules import Due, zone_or_utc
from config import Settings
from storage import Person, Repositories, WorkingGroup
from storage.outbox import OutboxPayload, OutgoingMessage
from storage.roadmap import Action, Note, Nudge

NOT_ALLOWED: Final = N_("Only the coordinators of the group and the secretariat can do that.")
NO_SUCH_ACTION: Final = N_("There is no action {id}. /roadmap lists them.")
EMPTY_TITLE: Final = N_("An action needs a title.")
NO_PROGRESS_RIGHT: Final = N_(
    "Only the action's owners, its group's coordinators and the secretariat can do that."
)


@dataclass(frozen=True)
class CreateResult:
    """What ``create_action`` did: the new action's id, or why it refused (a message id)."""

    action_id: int | None
    refusal: str | None = None

    @property
    def created(self) -> bool:
        return self.action_id is not None


@dataclass(frozen=True)
class ProgressResult:
    """What ``progress`` did: the action as it is now, or why it refused (a message id)."""

    action: Action | None
    refusal: str | None = None


@dataclass(frozen=True)
class ActionView:
    """An action with its readable parts: owners' names and the owning group's id."""

    action: Action
    owner_names: tuple[str, ...]
    due: Due


@dataclass(frozen=True)
class Page:
    """One page of a listing (``page`` counts from 0)."""

    actions: list[Action]
    page: int
    pages: int
    total: int


@dataclass(frozen=True)
class OwnersFound:
    """Typed owners: the people found, and each name that matched nobody or several."""

    people: list[Person]
    unknown: list[str]
    ambiguous: list[str]


PAGE_SIZE: Final = 8
FORM_KIND: Final = "roadmap_action"
"""The draft of /action."""
BLOCK_KIND: Final = "roadmap_block"
"""The draft that waits for the reason an action is blocked."""


def due_of(action: Action) -> Due:
    return Due(action.due_date, action.due_time, action.due_zone)


@dataclass(frozen=True)
class ImportCounts:
    added: int
    updated: int


class _RefusedError(Exception):
    """Rolls back a unit whose creation was refused."""

    def __init__(self, result: CreateResult) -> None:
        super().__init__(result.refusal)
        self.result = result


class RoadmapService:
    """Objectives, actions, progress notes and nudges."""

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

    # --- who ----------------------------------------------------------------------------

    async def actor(self, person_id: int) -> Actor | None:
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

    def zone_of(self, person: Person | None) -> ZoneInfo:
        if person is None or not person.timezone:
            return self.settings.default_zone
        return zone_or_utc(person.timezone)

    def translator_of(self, person: Person) -> Translator:
        return self.i18n.for_person(person.language, person.telegram_language)

    # --- creating -----------------------------------------------------------------------

    async def create_action(
        self,
        actor_id: int,
        *,
        title: str,
        due_date: date,
        due_time: time | None = None,
        due_zone: str | None = None,
        owners: Sequence[int] = (),
        group_id: int | None = None,
        objective_id: int | None = None,
        description: str | None = None,
        proposal_id: int | None = None,
    ) -> CreateResult:
        """Create an action (coordinators for their groups, the secretariat for any).

        ``due_zone`` is the zone the date and time were typed in (default: the actor's). The
        owners' nudges are planned and each owner other than the actor is told, in one unit.
        Joins the caller's unit of work when there is one.
        """
        actor = await self.actor(actor_id)
        if actor is None or not rules.may_create(actor, group_id):
            return CreateResult(None, NOT_ALLOWED)
        title = " ".join(title.split())[: rules.TITLE_LIMIT]
        if not title:
            return CreateResult(None, EMPTY_TITLE)
        person = await self.repos.people.get(actor_id)
        zone = due_zone or self.zone_of(person).key
        due = Due(due_date, due_time, zone)
        now = self.clock.now()
        async with self.repos.unit() as uow:
            action_id = await uow.roadmap.create_action(
                objective_id=objective_id,
                group_id=group_id,
                title=title,
                description=description,
                due_date=due.day,
                due_time=due.time,
                due_zone=due.zone,
                due_at=due.at,
                owners=list(dict.fromkeys(owners)),
                created_by=actor_id,
                now=now,
                proposal_id=proposal_id,
            )
            await self._plan(uow, action_id, now)
            await self._tell_owners(uow, action_id, actor_id, now)
        return CreateResult(action_id)

    async def _plan(self, uow: Repositories, action_id: int, now: datetime) -> None:
        """(Re)plan the owners' pending nudges of an action from its due date and status."""
        await uow.roadmap.drop_pending_nudges(action_id)
        action = await uow.roadmap.action(action_id)
        if action is None or not rules.is_open(action.status):
            return
        rows: list[tuple[int | None, int, str, datetime]] = []
        for owner_id in action.owners:
            zone = self.zone_of(await uow.people.get(owner_id))
            for kind, at in rules.nudge_plan(due_of(action), zone, now):
                rows.append((action_id, owner_id, kind, at))
        if action.group_id is not None:
            for coordinator_id in await uow.groups.coordinators(action.group_id):
                zone = self.zone_of(await uow.people.get(coordinator_id))
                rows.append(
                    (None, coordinator_id, "list", rules.next_monday_nine(zone, action.due_at))
                )
        await uow.roadmap.plan_nudges(rows)

    async def _tell_owners(
        self, uow: Repositories, action_id: int, actor_id: int, now: datetime
    ) -> None:
        action = await uow.roadmap.action(action_id)
        if action is None:
            return
        messages = []
        for owner_id in action.owners:
            owner = await uow.people.get(owner_id)
            if owner is None or person_chat(owner) is None or owner_id == actor_id:
                continue
            tr = self.translator_of(owner)
            body = await self.action_text(tr, action, self.zone_of(owner))
            text = Html(f"{tr(NEW_OWNER)}\n\n{body}")
            messages.append(self._private(owner, f"roadmap:new:{action_id}:{owner_id}", text, now))
        await self.outbox.enqueue(uow, messages)

    @staticmethod
    def _private(person: Person, key: str, text: Html, now: datetime) -> OutgoingMessage:
        """A notice to one person, on their channels (Telegram, e-mail or both)."""
        chat = person_chat(person)
        assert chat is not None
        return OutgoingMessage(
            kind="notice",
            chat_id=chat,
            person_id=person.id,
            payload=OutboxPayload(text=text),
            dedupe_key=key,
            due_at=now,
        )

    # --- reading ------------------------------------------------------------------------

    async def action(self, action_id: int) -> Action | None:
        return await self.repos.roadmap.action(action_id)

    async def notes(self, action_id: int) -> list[Note]:
        return await self.repos.roadmap.notes(action_id)

    async def listing(self, group_ids: Sequence[int] | None) -> list[Action]:
        """The actions of these groups (None: all), overdue first, then by due date."""
        now = self.clock.now()
        actions = await self.repos.roadmap.actions(group_ids)
        return sorted(actions, key=lambda a: rules.listing_key(a.due_at, a.status, a.id, now))

    async def my_tasks(self, person_id: int) -> list[Action]:
        now = self.clock.now()
        actions = await self.repos.roadmap.owned_by(person_id)
        return sorted(actions, key=lambda a: rules.listing_key(a.due_at, a.status, a.id, now))

    async def owner_names(self, action: Action, tr: Translator) -> list[str]:
        names = []
        for owner_id in action.owners:
            person = await self.repos.people.get(owner_id)
            names.append(person.name if person else str(tr("a former member")))
        return names

    async def action_text(self, tr: Translator, action: Action, zone: ZoneInfo) -> Html:
        """The action as a reader sees it: title, due date in their zone, owners, status."""
        lines = [Html(f"<b>#{action.id} {escape(action.title)}</b>")]
        if action.objective_title:
            lines.append(tr("🎯 {objective}", objective=action.objective_title))
        due = rules.format_due(due_of(action), zone, tr.language)
        lines.append(tr("📅 Due: {due}", due=due))
        names = await self.owner_names(action, tr)
        if names:
            lines.append(tr("👤 Owners: {names}", names=", ".join(names)))
        lines.append(self.status_line(tr, action))
        if action.description:
            lines.append(Html(escape(action.description)))
        return Html("\n".join(lines))

    def status_line(self, tr: Translator, action: Action) -> Html:
        status = tr(rules.STATUS_LABELS[action.status])
        if action.status == "blocked" and action.blocked_reason:
            return tr("Status: {status} ({reason})", status=status, reason=action.blocked_reason)
        return tr("Status: {status}", status=status)

    async def groups(self) -> list[WorkingGroup]:
        return await self.repos.groups.list()

    async def creatable_groups(self, actor_id: int) -> tuple[list[WorkingGroup], bool]:
        """The groups the person may add actions to, and whether the network too."""
        actor = await self.actor(actor_id)
        if actor is None:
            return [], False
        groups = [g for g in await self.groups() if rules.may_create(actor, g.id)]
        return groups, rules.may_create(actor, None)

    async def page(self, scope: str, person_id: int, page: int) -> Page:
        """A page of ``all``, ``mine`` or one group's actions (by its slug), overdue first."""
        groups: list[int] | None = None
        owner: int | None = None
        if scope == "mine":
            owner = person_id
        elif scope != "all":
            group = await self.repos.groups.by_slug(scope)
            groups = [] if group is None else [group.id]
        now = self.clock.now()
        page = max(page, 0)
        actions, total = await self.repos.roadmap.page(
            groups, owner, now, PAGE_SIZE, page * PAGE_SIZE
        )
        pages = max(1, -(-total // PAGE_SIZE))
        if page >= pages:
            return await self.page(scope, person_id, pages - 1)
        return Page(actions, page, pages, total)

    async def find_owners(self, names: Sequence[str]) -> OwnersFound:
        """People by name or @username, each name matching exactly one person."""
        found: list[Person] = []
        unknown: list[str] = []
        ambiguous: list[str] = []
        for name in names:
            matches = await self.repos.people.search(name, limit=5, by_id=False)
            exact = [p for p in matches if name.lower() in (p.name.lower(), p.full_name.lower())]
            chosen = exact if len(exact) == 1 else matches
            if len(chosen) == 1:
                found.append(chosen[0])
            elif not chosen:
                unknown.append(name)
            else:
                ambiguous.append(name)
        return OwnersFound(list({p.id: p for p in found}.values()), unknown, ambiguous)

    async def people(self, person_ids: Sequence[int]) -> list[Person]:
        found = [await self.repos.people.get(pid) for pid in person_ids]
        return [p for p in found if p is not None]

    async def objectives_of(self, group_id: int | None) -> list[str]:
        return [o.title for o in await self.repos.roadmap.objectives() if o.group_id == group_id]

    async def create_from_form(self, actor_id: int, answers: dict[str, object]) -> CreateResult:
        """The /action draft's answers become an action; the draft goes in the same unit."""
        group_id = int(str(answers.get("group") or 0)) or None
        due = answers.get("due")
        if not isinstance(due, dict):
            return CreateResult(None, rules.UNREADABLE_DUE)
        owners = [int(str(o)) for o in answers.get("owners") or []]  # type: ignore[attr-defined]
        try:
            return await self._create_from(actor_id, answers, group_id, due, owners)
        except _RefusedError as refused:
            return refused.result

    async def _create_from(
        self,
        actor_id: int,
        answers: dict[str, object],
        group_id: int | None,
        due: dict[str, object],
        owners: list[int],
    ) -> CreateResult:
        async with self.repos.unit() as uow:
            objective_id = await self._objective(uow, answers.get("objective"), group_id, actor_id)
            result = await self.create_action(
                actor_id,
                title=str(answers.get("title") or ""),
                due_date=date.fromisoformat(str(due["day"])),
                due_time=time.fromisoformat(str(due["time"])) if due.get("time") else None,
                due_zone=str(due["zone"]),
                owners=owners,
                group_id=group_id,
                objective_id=objective_id,
                description=str(answers.get("description") or "") or None,
            )
            if not result.created:
                raise _RefusedError(result)
            await uow.drafts.delete(actor_id, FORM_KIND)
        return result

    async def _objective(
        self, uow: Repositories, title: object, group_id: int | None, actor_id: int | None
    ) -> int | None:
        if not title:
            return None
        text = " ".join(str(title).split())[: rules.TITLE_LIMIT]
        existing = await uow.roadmap.objective_by_title(text, group_id)
        if existing is not None:
            return existing.id
        return await uow.roadmap.create_objective(text, group_id, actor_id, self.clock.now())

    async def may_update(self, person_id: int, action_id: int) -> bool:
        actor = await self.actor(person_id)
        action = await self.repos.roadmap.action(action_id)
        if actor is None or action is None:
            return False
        return rules.may_update(actor, action.group_id, action.owners)

    # --- progress -----------------------------------------------------------------------

    async def progress(
        self,
        actor_id: int,
        action_id: int,
        *,
        note: str | None = None,
        status: str | None = None,
        reason: str | None = None,
    ) -> ProgressResult:
        """Add a note and/or change the status (owners, the group's coordinators, the
        secretariat); a change of status replans the nudges."""
        actor = await self.actor(actor_id)
        action = await self.repos.roadmap.action(action_id)
        if action is None:
            return ProgressResult(None, NO_SUCH_ACTION)
        if actor is None or not rules.may_update(actor, action.group_id, action.owners):
            return ProgressResult(None, NO_PROGRESS_RIGHT)
        now = self.clock.now()
        text = (note or "").strip()[: rules.NOTE_LIMIT] or None
        async with self.repos.unit() as uow:
            if status is not None and status != action.status:
                await uow.roadmap.set_status(action_id, status, reason, now)
            changed = status if status != action.status else None
            if text is not None or changed is not None:
                await uow.roadmap.add_note(action_id, actor_id, text or reason, changed, now)
            await self._plan(uow, action_id, now)
            updated = await uow.roadmap.action(action_id)
        return ProgressResult(updated)

    # --- import-roadmap -------------------------------------------------------------------

    async def import_rows(self, rows: Sequence[rules.RoadmapRow]) -> ImportCounts:
        """Store checked rows in one unit: actions matched by ``ref`` are updated, others
        added; objectives matched by title and group; each action's nudges replanned."""
        now = self.clock.now()
        added = updated = 0
        async with self.repos.unit() as uow:
            for row in rows:
                objective_id = await self._objective(uow, row.objective, row.group_id, None)
                existing = await uow.roadmap.action_by_ref(row.ref)
                action_id = await self._store_row(uow, row, objective_id, existing, now)
                added += existing is None
                updated += existing is not None
                await uow.roadmap.set_status(action_id, row.status, row.blocked_reason, now)
                await self._plan(uow, action_id, now)
        return ImportCounts(added, updated)

    @staticmethod
    async def _store_row(
        uow: Repositories,
        row: rules.RoadmapRow,
        objective_id: int | None,
        existing: Action | None,
        now: datetime,
    ) -> int:
        if existing is None:
            return await uow.roadmap.create_action(
                objective_id=objective_id,
                group_id=row.group_id,
                title=row.title,
                description=row.description,
                due_date=row.due.day,
                due_time=row.due.time,
                due_zone=row.due.zone,
                due_at=row.due.at,
                owners=list(row.owners),
                created_by=None,
                now=now,
                ref=row.ref,
            )
        await uow.roadmap.update_action(
            existing.id,
            objective_id=objective_id,
            group_id=row.group_id,
            title=row.title,
            description=row.description,
            due_date=row.due.day,
            due_time=row.due.time,
            due_zone=row.due.zone,
            due_at=row.due.at,
            owners=list(row.owners),
            now=now,
        )
        return existing.id

    # --- /forgetme -----------------------------------------------------------------------

    async def tell_orphaned(self, uow: Repositories, person: Person) -> None:
        """Before a person is forgotten: tell the coordinators (the secretariat for network
        actions) of each open action they alone owned that it is left without an owner."""
        now = self.clock.now()
        messages = []
        for action in await uow.roadmap.orphaned_by(person.id):
            for reader in await self._responsible(uow, action):
                if reader.id == person.id or person_chat(reader) is None:
                    continue
                tr = self.translator_of(reader)
                text = tr(ORPHANED, id=action.id, title=action.title)
                key = f"roadmap:orphaned:{action.id}:{reader.id}:{now:%Y-%m-%dT%H:%M:%S}"
                messages.append(self._private(reader, key, text, now))
        await self.outbox.enqueue(uow, messages)

    async def _responsible(self, uow: Repositories, action: Action) -> list[Person]:
        if action.group_id is not None:
            ids = await uow.groups.coordinators(action.group_id)
            found = [await uow.people.get(pid) for pid in ids]
        else:
            found = [await uow.people.by_telegram_id(t) for t in self.settings.secretariat_ids]
        return [p for p in found if p is not None]

    # --- nudges (due work) ----------------------------------------------------------------

    async def next_nudge_at(self) -> datetime | None:
        return await self.repos.roadmap.next_nudge_at()

    async def run_nudges(self, now: datetime) -> int:
        """Queue the due nudges in the outbox and mark them, in one unit; how many were sent."""
        sent = 0
        async with self.repos.unit() as uow:
            for nudge in await uow.roadmap.due_nudges(now):
                sent += await self._one_nudge(uow, nudge, now)
        return sent

    async def _one_nudge(self, uow: Repositories, nudge: Nudge, now: datetime) -> int:
        if nudge.kind == "list":
            return await self._overdue_list(uow, nudge, now)
        action = None if nudge.action_id is None else await uow.roadmap.action(nudge.action_id)
        owner = await uow.people.get(nudge.person_id)
        if action is None or owner is None or not rules.is_open(action.status):
            await uow.roadmap.mark_nudge(nudge.id, "missed", now)
            return 0
        day_at = await uow.roadmap.nudge_at(action.id, owner.id, "day")
        if rules.nudge_missed(nudge.kind, action.due_at, day_at, now):
            await uow.roadmap.mark_nudge(nudge.id, "missed", now)
            return 0
        if nudge.kind == "overdue":
            following = rules.next_weekly(nudge.due_at, now)
            await uow.roadmap.plan_nudges([(action.id, owner.id, "overdue", following)])
        await uow.roadmap.mark_nudge(nudge.id, "sent", now)
        if person_chat(owner) is None:
            return 0
        tr = self.translator_of(owner)
        body = await self.action_text(tr, action, self.zone_of(owner))
        text = Html(f"{tr(NUDGE_HEADERS[nudge.kind])}\n\n{body}")
        key = f"roadmap:{action.id}:{owner.id}:{nudge.kind}:{nudge.due_at:%Y-%m-%dT%H:%M}"
        await self.outbox.enqueue(uow, [self._private(owner, key, text, now)])
        return 1

    async def _overdue_list(self, uow: Repositories, nudge: Nudge, now: datetime) -> int:
        """A coordinator's weekly list of their groups' overdue actions (then next week's)."""
        coordinator = await uow.people.get(nudge.person_id)
        groups = await uow.groups.coordinated_by(nudge.person_id)
        overdue = [
            action
            for action in await uow.roadmap.actions(groups)
            if rules.is_overdue(action.due_at, action.status, now)
        ]
        if coordinator is None or not overdue:
            await uow.roadmap.mark_nudge(nudge.id, "missed", now)
            return 0
        await uow.roadmap.mark_nudge(nudge.id, "sent", now)
        following = rules.next_weekly(nudge.due_at, now)
        await uow.roadmap.plan_nudges([(None, coordinator.id, "list", following)])
        if person_chat(coordinator) is None:
            return 0
        tr = self.translator_of(coordinator)
        zone = self.zone_of(coordinator)
        lines = [tr("⚠️ Overdue actions of your working groups:")]
        for action in overdue:
            due = rules.format_due(due_of(action), zone, tr.language)
            lines.append(
                tr("• #{id} {title} — due {due}", id=action.id, title=action.title, due=due)
            )
        lines.append(tr("/roadmap shows them all."))
        key = f"roadmap:list:{coordinator.id}:{nudge.due_at:%Y-%m-%dT%H:%M}"
        await self.outbox.enqueue(
            uow, [self._private(coordinator, key, Html("\n".join(lines)), now)]
        )
        return 1


NEW_OWNER: Final = N_("📌 You own a new action of the roadmap.")
ORPHANED: Final = N_(
    "Action #{id} “{title}” has no owner any more: its only owner left the bot. "
    "/progress {id} shows it."
)
NUDGE_HEADERS: Final[dict[str, str]] = {
    "week": N_("⏳ One week left for your action of the roadmap."),
    "day": N_("⏰ Your action of the roadmap is due tomorrow."),
    "overdue": N_("⚠️ Your action of the roadmap is overdue. /progress updates it."),
}
