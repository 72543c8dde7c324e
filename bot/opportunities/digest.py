"""The digests' "Opportunities" section: open opportunities posted in the period, of the
target's themes (every theme for the network digest), deadline in the reader's zone; in the
network digest, how many of last month's introductions met."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

from bot.digests import format_when
from bot.digests.rules import DigestItem, DigestRequest, DigestSection, DigestTarget, TargetKind
from bot.i18n import N_, Translator
from bot.opportunities import intros
from bot.opportunities.rules import KIND_LABELS
from bot.opportunities.texts import met_line
from bot.rendering import Html, bold
from storage import Repositories
from storage.opportunities import Opportunity

HEADING: Final = N_("💡 Opportunities")
DEADLINE: Final = N_("deadline {when}")


def opportunities_section(
    tr: Translator,
    target: DigestTarget,
    posted: Iterable[Opportunity],
    met: tuple[str, int, int] | None = None,
) -> DigestSection | None:
    """``• Funding call: Alpine fund — deadline Monday, March 9, 2026 23:59 (Europe/Madrid)``,
    keyed ``opportunity:<id>``, oldest first; then, given a past month's introductions (month,
    pairs, how many met), ``🤝 Introductions in March 2026: 12 of 20 pairs said they met.``,
    keyed ``intros:<month>`` (in one digest only)."""
    items = []
    for opportunity in posted:
        line = f"• {tr(KIND_LABELS[opportunity.kind])}: {bold(opportunity.title)}"
        if opportunity.deadline_at is not None:
            when = format_when(opportunity.deadline_at, target.zone, tr.language)
            line += " — " + tr(DEADLINE, when=when)
        items.append(
            DigestItem(f"opportunity:{opportunity.id}", opportunity.created_at, Html(line))
        )
    if met is not None and met[1]:
        month, pairs, said = met
        line = Html("🤝 " + met_line(tr, month, pairs, said))
        items.append(DigestItem(f"intros:{month}", intros.month_start_of(month), line))
    if not items:
        return None
    return DigestSection(bold(tr(HEADING)), tuple(items))


class OpportunitiesProvider:
    def __init__(self, repos: Repositories) -> None:
        self.repos = repos

    async def section(self, request: DigestRequest) -> DigestSection | None:
        target = request.target
        groups = [g for g in await self.repos.groups.list() if g.id in target.group_ids]
        themes = None if target.kind is TargetKind.NETWORK else [g.slug for g in groups]
        posted = await self.repos.opportunities.posted_between(themes, request.since, request.until)
        met = None
        if target.kind is TargetKind.NETWORK:  # last month's introductions, once it is over
            met = await self.repos.opportunities.latest_round(intros.month_of(request.until))
        return opportunities_section(request.tr, target, posted, met)
