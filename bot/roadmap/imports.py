"""``wnmrc-bot import-roadmap FILE.csv``: a roadmap loaded the way import-people loads people.

Every row is checked before anything is written; one bad row and nothing is imported, each
problem printed as ``row 4: due "next spring" is not a date`` (the header is row 1). A good file
is written in one unit of work; a re-import updates rather than duplicates (actions are matched
by ``ref``, objectives by title and group). The columns are those ``export roadmap`` writes:
``ref``, ``title`` and ``due`` are required; ``objective``, ``group`` (slug or name; empty: the
whole network), ``description``, ``owners`` (e-mail, @username or name, separated by ``;``),
``zone`` (the due time's IANA zone; default the bot's), ``status``, ``blocked_reason``
(``proposal_id`` and ``notes`` are read and ignored).

This is an operator's tool: its output is English, like the rest of the CLI.
"""

from __future__ import annotations

import asyncio
import csv
import io
import re
import sys
from collections.abc import Callable, Sequence
from datetime import date, time
from functools import partial
from pathlib import Path
from typing import Final, TextIO, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.clock import SystemClock
from bot.groups import find_group
from bot.i18n import I18n
from bot.imports.rules import ImportFileError, RowError, decode, sniff_delimiter
from bot.outbox import OutboxService
from bot.roadmap import rules
from bot.roadmap.export import COLUMNS
from bot.roadmap.rules import RoadmapRow
from bot.roadmap.service import RoadmapService
from config import Settings, load_network
from storage import Database, Person, Repositories, WorkingGroup

T = TypeVar("T")

REQUIRED: Final = ("ref", "title", "due")
STATUS_WORDS: Final = {
    "planned": "planned",
    "inprogress": "in_progress",
    "done": "done",
    "blocked": "blocked",
    "dropped": "dropped",
}
_DUE: Final = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:[ T](\d{1,2}:\d{2}))?$")


def _key(header: str) -> str:
    return re.sub(r"[\s\-]", "_", header.strip().casefold())


def read_rows(text: str) -> tuple[tuple[str, ...], list[tuple[int, dict[str, str]]]]:
    """The header's columns and each non-empty row (numbered as in the file) by column."""
    first = text.split("\n", 1)[0]
    if not first.strip():
        raise ImportFileError("the file is empty or its first line is not a header")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(first))
    columns = tuple(_key(cell) for cell in next(reader))
    unknown = [c for c in columns if c not in COLUMNS]
    if unknown:
        raise ImportFileError(
            f'unknown column "{unknown[0]}"; the columns are: ' + ", ".join(COLUMNS)
        )
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        raise ImportFileError(f'the header has no "{missing[0]}" column')
    rows = []
    number = 2
    for cells in reader:
        if any(cell.strip() for cell in cells):
            rows.append((number, dict(zip(columns, (c.strip() for c in cells), strict=False))))
        number = reader.line_num + 1
    return columns, rows


def check_due(text: str, zone: str) -> rules.Due:
    match = _DUE.match(text.strip())
    if match is None:
        raise ValueError(f'due "{text}" is not a date (YYYY-MM-DD or YYYY-MM-DD HH:MM)')
    try:
        day = date.fromisoformat(match[1])
        clock = time.fromisoformat(match[2].zfill(5)) if match[2] else None
    except ValueError:
        raise ValueError(f'due "{text}" is not a real date') from None
    return rules.Due(day, clock, zone)


def check_zone(text: str, default: str) -> str:
    if not text:
        return default
    try:
        ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f'zone "{text}" is not a time zone (an IANA name such as America/Lima)'
        ) from None
    return text


def owner_of(name: str, people: Sequence[Person]) -> Person:
    """The one person an e-mail, @username or exact name names."""
    wanted = name.strip().casefold()
    found = [
        p
        for p in people
        if wanted
        in {(p.email or "").casefold(), f"@{(p.username or '').casefold()}", p.name.casefold()}
    ]
    if len(found) != 1:
        raise ValueError(f'owner "{name}" matches {"nobody" if not found else "several people"}')
    return found[0]


def check_ref(text: str) -> str:
    if not text:
        raise ValueError("ref is empty")
    return text


def check_title(text: str) -> str:
    title = " ".join(text.split())
    if not title or len(title) > rules.TITLE_LIMIT:
        raise ValueError(f"title is empty or longer than {rules.TITLE_LIMIT}")
    return title


def check_group(text: str, groups: Sequence[WorkingGroup]) -> WorkingGroup | None:
    """The working group a cell names; None for an empty cell."""
    if not text:
        return None
    group = find_group(groups, text)
    if group is None:
        raise ValueError(f'group "{text}" matches no working group')
    return group


def check_status(text: str) -> str:
    status = STATUS_WORDS.get(re.sub(r"[\s_]", "", text or "planned").casefold())
    if status is None:
        raise ValueError(f'status "{text}" is not one of ' + ", ".join(rules.STATUS_LABELS))
    return status


def check_row(
    number: int,
    cells: dict[str, str],
    groups: Sequence[WorkingGroup],
    people: Sequence[Person],
    default_zone: str,
) -> RoadmapRow | list[RowError]:
    """A checked row, or every reason the row is wrong (one line each)."""
    errors: list[RowError] = []

    def attempt(check: Callable[[], T]) -> T | None:
        try:
            return check()
        except ValueError as error:
            errors.append(RowError(number, str(error)))
            return None

    ref = attempt(lambda: check_ref(cells.get("ref", "")))
    title = attempt(lambda: check_title(cells.get("title", "")))
    zone = attempt(lambda: check_zone(cells.get("zone", ""), default_zone))
    due = attempt(lambda: check_due(cells.get("due", ""), zone or default_zone))
    group = attempt(lambda: check_group(cells.get("group", ""), groups))
    names = [n for n in re.split(r"[;|]", cells.get("owners", "")) if n.strip()]
    owners = [attempt(partial(owner_of, name, people)) for name in names]
    status = attempt(lambda: check_status(cells.get("status", "")))
    if errors or ref is None or title is None or due is None or status is None:
        return errors
    return RoadmapRow(
        number=number,
        ref=ref,
        objective=" ".join(cells.get("objective", "").split()) or None,
        group_id=group.id if group else None,
        title=title,
        description=cells.get("description") or None,
        owners=tuple(o.id for o in owners if o is not None),
        due=due,
        status=status,
        blocked_reason=cells.get("blocked_reason") or None,
    )


def check_rows(
    rows: Sequence[tuple[int, dict[str, str]]],
    groups: Sequence[WorkingGroup],
    people: Sequence[Person],
    default_zone: str,
) -> tuple[list[RoadmapRow], list[RowError]]:
    checked: list[RoadmapRow] = []
    errors: list[RowError] = []
    seen: dict[str, int] = {}
    for number, cells in rows:
        outcome = check_row(number, cells, groups, people, default_zone)
        if isinstance(outcome, list):
            errors += outcome
            continue
        if outcome.ref in seen:
            errors.append(
                RowError(number, f'ref "{outcome.ref}" already on row {seen[outcome.ref]}')
            )
            continue
        seen[outcome.ref] = number
        checked.append(outcome)
    return checked, errors


class _NoWake:
    def wake(self) -> None:
        """The CLI runs no sender: the running bot sends what was queued."""


async def import_roadmap(settings: Settings, path: Path, *, out: TextIO | None = None) -> int:
    """Check then import a roadmap; the exit code (1 when nothing was imported)."""
    out = out or sys.stdout
    try:
        text = decode(await asyncio.to_thread(path.read_bytes))
        _columns, rows = read_rows(text)
    except (ImportFileError, OSError) as error:
        print(f"{path}: {error}; nothing imported", file=out)
        return 1
    db = await Database.open(settings.database_path)
    try:
        await db.migrate()
        clock = SystemClock()
        repos = Repositories.from_db(db)
        await repos.groups.seed(load_network(settings.network_file).groups, clock.now())
        people = await _everyone(repos)
        checked, errors = check_rows(
            rows, await repos.groups.list(), people, settings.default_timezone
        )
        if errors:
            for problem in errors:
                print(problem, file=out)
            bad = len({p.row for p in errors})
            print(f"nothing imported: {bad} of {len(rows)} rows need fixing", file=out)
            return 1
        service = RoadmapService(
            repos, clock, I18n(), settings, OutboxService(repos, clock, _NoWake())
        )
        done = await service.import_rows(checked)
    finally:
        await db.close()
    print(f"{path.name}: {done.added} added, {done.updated} updated", file=out)
    return 0


async def _everyone(repos: Repositories) -> list[Person]:
    found = [await repos.people.get(pid) for pid in await repos.roadmap.person_ids()]
    return [p for p in found if p is not None]
