"""``wnmrc-bot export decisions FILE``: the minutes a secretariat files, in Markdown.

Each proposal with its text, who it was put to, every answer with its reason, the result and
the outcome; in the network's default language and zone. Everything a person wrote is escaped
so that it reads as written in any Markdown viewer (no table broken by a ``|``, no HTML).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.decisions import rules, texts
from bot.decisions.rules import Ballot
from bot.digests import format_when
from bot.i18n import N_, I18n, Translator
from bot.roadmap.rules import Due, format_due
from config import Settings
from storage import Repositories, WorkingGroup
from storage.decisions import Proposal, ProposalAnswer
from storage.repositories import existing_repositories
from storage.roadmap import Action


@dataclass(frozen=True)
class Minute:
    """One proposal as the minutes tell it."""

    proposal: Proposal
    answers: Sequence[ProposalAnswer]
    proposer: str | None
    actions: Sequence[tuple[Action, list[str]]] = ()
    """The roadmap actions the decision created, with their owners' names."""


def md_text(text: str) -> str:
    """A person's text as Markdown shows it literally (lines kept)."""
    escaped = text.replace("\\", "\\\\").replace("<", "&lt;").replace(">", "&gt;")
    for mark in ("*", "_", "`", "#", "[", "]", "|"):
        escaped = escaped.replace(mark, "\\" + mark)
    return escaped


def md_cell(text: str) -> str:
    """A person's text in one table cell (on one line)."""
    return md_text(" ".join(text.split()))


def minutes_markdown(
    tr: Translator,
    minutes: Sequence[Minute],
    groups: dict[int, WorkingGroup],
    zone: ZoneInfo,
    today: datetime,
) -> str:
    """The whole document."""
    lines = [
        _heading(1, tr(N_("Decisions"))),
        "",
        tr(N_("Exported on {when}"), when=format_when(today, zone, tr.language)),
    ]
    for minute in minutes:
        lines += ["", *proposal_section(tr, minute, groups, zone)]
    if not minutes:
        lines += ["", tr(N_("No proposals yet."))]
    return "\n".join(lines) + "\n"


def proposal_section(
    tr: Translator, minute: Minute, groups: dict[int, WorkingGroup], zone: ZoneInfo
) -> list[str]:
    proposal = minute.proposal
    ballot = Ballot(proposal.kind, proposal.options, proposal.multiple)
    group = groups.get(proposal.group_id) if proposal.group_id is not None else None
    audience = group.name(tr.language) if group else tr(N_("the whole network"))
    counts = rules.tally(ballot, (a.answer for a in minute.answers))
    result = rules.result(ballot, counts, len(minute.answers))
    when = format_when(proposal.closes_at, zone, tr.language)
    closing = N_("Closed on {when}") if proposal.closed else N_("Open until {when}")
    facts = [
        tr(N_("Put to: {audience}"), audience=audience),
        tr(N_("Kind: {kind}"), kind=tr(rules.KIND_LABELS[proposal.kind])),
        tr(N_("Proposed by {name}"), name=texts.name_of(tr, minute.proposer)),
        tr(closing, when=when),
    ]
    if proposal.closed:
        facts.append(tr(N_("Result: {result}"), result=texts.result_line(tr, result)))
    lines = [f"## #{proposal.id} {md_text(proposal.title)}", ""]
    lines += [_bullet(fact) for fact in facts]
    lines += ["", md_text(proposal.body)]
    if ballot.kind == "choice":
        lines += [""] + [f"{i}. {md_text(o)}" for i, o in enumerate(ballot.options, 1)]
    lines += ["", _heading(3, tr(N_("Answers"))), ""]
    lines += _answers_table(tr, ballot, minute.answers, zone)
    lines += ["", _heading(3, tr(N_("Outcome"))), ""]
    no_outcome = tr(N_("No outcome recorded yet."))
    lines.append(md_text(proposal.outcome) if proposal.outcome else no_outcome)
    for action, owners in minute.actions:
        due = format_due(Due(action.due_date, action.due_time, action.due_zone), zone, tr.language)
        line = tr(
            N_("→ Action #{id}: {title} ({owners}, due {due})"),
            id=action.id,
            title=action.title,
            owners=", ".join(owners) or "—",
            due=due,
        )
        lines.append(_bullet(line))
    return lines


def _bullet(text: str) -> str:
    return f"- {text}"


def _heading(level: int, text: str) -> str:
    return f"{'#' * level} {text}"


def _answers_table(
    tr: Translator, ballot: Ballot, answers: Sequence[ProposalAnswer], zone: ZoneInfo
) -> list[str]:
    if not answers:
        return [tr(N_("Nobody answered"))]
    head = [tr(N_("Member")), tr(N_("Answer")), tr(N_("Reason")), tr(N_("Answered on"))]
    lines = ["| " + " | ".join(head) + " |", "|" + " --- |" * len(head)]
    for answer in answers:
        cells = [
            md_cell(texts.name_of(tr, answer.name)),
            md_cell(texts.answer_label(tr, ballot, answer.answer)),
            md_cell(answer.reason or "—"),
            format_when(answer.answered_at, zone, tr.language),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


async def load_minutes(repos: Repositories) -> list[Minute]:
    minutes = []
    for proposal in await repos.decisions.all():
        proposer = await repos.people.get(proposal.created_by) if proposal.created_by else None
        answers = await repos.decisions.answers(proposal.id)
        actions = [
            (action, [p.name for p in [await repos.people.get(o) for o in action.owners] if p])
            for action in await repos.roadmap.actions()
            if action.proposal_id == proposal.id
        ]
        minutes.append(Minute(proposal, answers, proposer.name if proposer else None, actions))
    return minutes


async def export_decisions(settings: Settings, path: Path, now: datetime) -> str:
    """Write the minutes; one line back for the operator."""
    async with existing_repositories(settings) as repos:
        minutes = await load_minutes(repos)
        groups = {g.id: g for g in await repos.groups.list(active_only=False)}
    tr = I18n(settings.default_language).translator(settings.default_language)
    text = minutes_markdown(tr, minutes, groups, settings.default_zone, now)
    await asyncio.to_thread(path.write_text, text, "utf-8")
    answers = sum(len(m.answers) for m in minutes)
    return f"{path}: {len(minutes)} proposals, {answers} answers"
