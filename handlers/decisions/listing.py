"""How /decisions reads: open proposals with the reader's answer, closed ones with their
result, outcome and the roadmap actions they created; times in the reader's zone."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.context import BotContext
from bot.decisions import texts
from bot.decisions.service import Closed, Listed, ballot_of
from bot.digests import format_when
from bot.models import Proposal, ProposalAnswer
from bot.rendering import Html, bold
from bot.roadmap.rules import Due, format_due


async def listing_lines(context: BotContext, listed: Listed, zone: ZoneInfo) -> list[Html]:
    _ = context.tr
    lines: list[Html] = []
    if listed.open:
        lines.append(bold(_("Open proposals")))
        for proposal, mine in listed.open:
            lines += await _open_lines(context, proposal, mine, zone)
    if listed.closed:
        lines.append(bold(_("Decisions")))
        for closed in listed.closed:
            lines += await _closed_lines(context, closed, zone)
    return lines


async def _open_lines(
    context: BotContext, proposal: Proposal, mine: ProposalAnswer | None, zone: ZoneInfo
) -> list[Html]:
    _ = context.tr
    audience = await context.services.decisions.audience_name(proposal, _)
    when = format_when(proposal.closes_at, zone, _.language)
    head = _(
        "#{id} {title} · {audience} · until {when}",
        id=proposal.id,
        title=proposal.title,
        audience=audience,
        when=when,
    )
    answer = texts.your_answer(_, ballot_of(proposal), mine.answer if mine else None)
    return [head, indented(answer)]


async def _closed_lines(context: BotContext, closed: Closed, zone: ZoneInfo) -> list[Html]:
    _ = context.tr
    proposal = closed.proposal
    audience = await context.services.decisions.audience_name(proposal, _)
    lines = [
        _("#{id} {title} · {audience}", id=proposal.id, title=proposal.title, audience=audience),
        indented(_("Result: {result}", result=texts.result_line(_, closed.result))),
    ]
    if proposal.outcome:
        lines.append(indented(_("Outcome: {outcome}", outcome=proposal.outcome)))
    else:
        lines.append(indented(_("No outcome recorded yet.")))
    for action in closed.actions:
        owners = await context.services.decisions.people_named(action.owners)
        due = format_due(Due(action.due_date, action.due_time, action.due_zone), zone, _.language)
        lines.append(
            indented(
                _(
                    "→ Action #{id}: {title} ({owners}, due {due})",
                    id=action.id,
                    title=action.title,
                    owners=", ".join(owners) or "—",
                    due=due,
                )
            )
        )
    return lines


def indented(line: Html) -> Html:
    return Html(f"    {line}")
