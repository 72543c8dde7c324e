"""``wnmrc-bot export roadmap FILE``: the roadmap as CSV, or as Markdown grouped by objective
when FILE ends in ``.md``. The CSV has the columns ``wnmrc-bot import-roadmap`` reads, so an
exported roadmap can be edited and imported again (rows are matched by ``ref``).
"""

from __future__ import annotations

import asyncio
import csv
import io
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Final

from config import Settings
from storage.repositories import existing_repositories
from storage.roadmap import Action, Note

COLUMNS: Final = (
    "ref",
    "objective",
    "group",
    "title",
    "description",
    "owners",
    "due",
    "zone",
    "status",
    "blocked_reason",
    "proposal_id",
    "notes",
)
STATUS_WORDS: Final = {
    "planned": "planned",
    "in_progress": "in progress",
    "done": "done",
    "blocked": "blocked",
    "dropped": "dropped",
}


def due_text(action: Action) -> str:
    """``2026-04-15`` or ``2026-04-15 17:00`` (in the action's zone, the ``zone`` column)."""
    day = action.due_date.isoformat()
    return day if action.due_time is None else f"{day} {action.due_time:%H:%M}"


def action_ref(action: Action) -> str:
    return action.ref or f"A{action.id}"


def roadmap_csv(
    actions: Sequence[Action],
    groups: Mapping[int, str],
    owners: Mapping[int, str],
    notes: Mapping[int, Sequence[Note]],
) -> bytes:
    """One row per action; owners by e-mail (else name), joined with ``;``."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for action in actions:
        writer.writerow(
            [
                action_ref(action),
                action.objective_title or "",
                groups.get(action.group_id, "") if action.group_id else "",
                action.title,
                action.description or "",
                "; ".join(owners.get(o, "") for o in action.owners),
                due_text(action),
                action.due_zone,
                STATUS_WORDS[action.status],
                action.blocked_reason or "",
                action.proposal_id or "",
                len(notes.get(action.id, ())),
            ]
        )
    return ("\ufeff" + out.getvalue()).encode()


def roadmap_markdown(
    actions: Sequence[Action],
    groups: Mapping[int, str],
    names: Mapping[int, str],
    notes: Mapping[int, Sequence[Note]],
) -> bytes:
    """The roadmap grouped by objective, each action with its owners, due date and notes."""
    by_objective: dict[str, list[Action]] = {}
    for action in actions:
        by_objective.setdefault(action.objective_title or "Other actions", []).append(action)
    lines = ["# Roadmap", ""]
    for objective, chosen in by_objective.items():
        lines += [f"## {_md(objective)}", ""]
        for action in chosen:
            lines += _action_lines(action, groups, names, notes.get(action.id, ()))
    return ("\n".join(lines).rstrip() + "\n").encode()


def _action_lines(
    action: Action, groups: Mapping[int, str], names: Mapping[int, str], notes: Sequence[Note]
) -> list[str]:
    owner_names = ", ".join(names.get(o, "a former member") for o in action.owners) or "—"
    group = groups.get(action.group_id, "") if action.group_id else "the whole network"
    status = STATUS_WORDS[action.status]
    if action.status == "blocked" and action.blocked_reason:
        status += f" ({_md(action.blocked_reason)})"
    lines = [
        f"### {action_ref(action)} — {_md(action.title)}",
        "",
        f"- Due: {due_text(action)} ({action.due_zone})",
        f"- Owners: {_md(owner_names)}",
        f"- Group: {_md(group)}",
        f"- Status: {status}",
    ]
    if action.description:
        lines.append(f"- Description: {_md(action.description)}")
    for note in notes:
        author = note.author_name or "a former member"
        when = f"{note.created_at:%Y-%m-%d %H:%M} UTC"
        text = note.text or STATUS_WORDS.get(note.status or "", "")
        lines.append(f"  - {when}, {_md(author)}: {_md(text)}")
    return [*lines, ""]


def _md(text: str) -> str:
    """Plain text safe in a Markdown line (no stray emphasis, links or headings)."""
    cleaned = " ".join(text.split())
    for char in "\\`*_[]<>#|":
        cleaned = cleaned.replace(char, f"\\{char}")
    return cleaned


async def export_roadmap(settings: Settings, path: Path) -> str:
    """Write the roadmap (CSV, or Markdown for ``.md``); return one line saying what."""
    async with existing_repositories(settings) as repos:
        actions = await repos.roadmap.actions()
        groups = {g.id: g.slug for g in await repos.groups.list(active_only=False)}
        people = {p: await repos.people.get(p) for a in actions for p in a.owners}
        notes = {a.id: await repos.roadmap.notes(a.id) for a in actions}
    markdown = path.suffix.lower() == ".md"
    if markdown:
        names = {pid: p.name for pid, p in people.items() if p is not None}
        content = roadmap_markdown(actions, groups, names, notes)
    else:
        owners = {pid: p.email or p.name for pid, p in people.items() if p is not None}
        content = roadmap_csv(actions, groups, owners, notes)
    await asyncio.to_thread(path.write_bytes, content)
    kind = "Markdown" if markdown else "CSV"
    return f"{path}: {len(actions)} actions ({kind})"
