"""The "Roadmap" section of the digests: overdue actions, those due in the next two weeks, and
those done since the last digest, each due date in the reader's zone.

Keys: an overdue action is told in every digest (``roadmap:overdue:<id>:<digest day>``), one due
soon once per due date (``roadmap:soon:<id>:<due>``), one done once (``roadmap:done:<id>``).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Final

from bot.digests.rules import DigestItem, DigestRequest, DigestSection, TargetKind
from bot.i18n import N_, Translator
from bot.rendering import Html
from bot.roadmap import rules
from bot.roadmap.rules import Due
from storage import Repositories
from storage.roadmap import Action

HEADING: Final = N_("🗺 Roadmap")
HORIZON: Final = timedelta(days=14)


def _due(action: Action) -> Due:
    return Due(action.due_date, action.due_time, action.due_zone)


def roadmap_item(_: Translator, action: Action, request: DigestRequest) -> DigestItem:
    """One line: overdue, due soon or done."""
    due = rules.format_due(_due(action), request.target.zone, _.language)
    values = {"id": action.id, "title": action.title, "due": due}
    if action.status == "done" and action.done_at is not None:
        line = _("✅ Done: #{id} {title}", **values)
        return DigestItem(f"roadmap:done:{action.id}", action.done_at, line)
    if rules.is_overdue(action.due_at, action.status, request.until):
        line = _("⚠️ Overdue: #{id} {title} (due {due})", **values)
        key = f"roadmap:overdue:{action.id}:{request.until:%Y-%m-%d}"
        return DigestItem(key, request.until, line)
    line = _("📅 Due soon: #{id} {title} ({due})", **values)
    return DigestItem(f"roadmap:soon:{action.id}:{action.due_at:%Y-%m-%d}", request.until, line)


def roadmap_section(
    _: Translator, actions: list[Action], request: DigestRequest
) -> DigestSection | None:
    """Overdue first, then due soon by date, then done."""
    if not actions:
        return None
    ranked = sorted(actions, key=lambda action: _rank(action, request))
    items = tuple(roadmap_item(_, action, request) for action in ranked)
    return DigestSection(Html(_(HEADING)), items)


def _rank(action: Action, request: DigestRequest) -> int:
    if action.status == "done":
        return 2
    return 0 if rules.is_overdue(action.due_at, action.status, request.until) else 1


class RoadmapProvider:
    """The roadmap section for the target's groups (and network-wide actions for the network
    digest and personal digests)."""

    def __init__(self, repos: Repositories) -> None:
        self.repos = repos

    async def section(self, request: DigestRequest) -> DigestSection | None:
        target = request.target
        network = target.kind is not TargetKind.GROUP
        actions = await self.repos.roadmap.for_digest(
            sorted(target.group_ids), network, request.since, request.until, request.until + HORIZON
        )
        return roadmap_section(request.tr, actions, request)
