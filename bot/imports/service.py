"""``wnmrc-bot import-people FILE.csv``: the secretariat's participant list, checked then imported.

Every row is checked before anything is written; one bad row and nothing is imported, each
problem printed as ``row 7: country "Atlantis" matches no country`` (the header is row 1). A good
file is written in one transaction; a re-import updates people rather than duplicating them
(``storage/imports.py`` says who is matched and which fields a list may change).

This is an operator's tool: its output is English, like the rest of the CLI.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import TextIO

from bot.clock import SystemClock
from bot.imports.rules import (
    LONG_FILE,
    ImportFileError,
    Progress,
    Table,
    check_table,
    decode,
    read_table,
    shared_matches,
    summary,
)
from config import Settings, load_network
from storage import Database, Repositories
from storage.imports import ImportsRepository


async def load_table(path: Path) -> Table:
    """Read and parse the file; ImportFileError says why it cannot be used."""
    try:
        data = await asyncio.to_thread(path.read_bytes)
    except OSError as error:
        raise ImportFileError(f"cannot read it: {error.strerror or error}") from None
    return read_table(decode(data))


async def import_people(
    settings: Settings, path: Path, *, out: TextIO, err: TextIO | None = None
) -> int:
    """Check then import a participant list; the exit code (1 when nothing was imported)."""
    try:
        table = await load_table(path)
    except ImportFileError as error:
        print(f"{path}: {error}; nothing imported", file=out)
        return 1
    db = await Database.open(settings.database_path)
    try:
        await db.migrate()
        return await _check_and_import(db, settings, table, path.name, out, err or sys.stderr)
    finally:
        await db.close()


async def _check_and_import(
    db: Database, settings: Settings, table: Table, name: str, out: TextIO, err: TextIO
) -> int:
    clock = SystemClock()
    repos = Repositories.from_db(db)
    await repos.groups.seed(load_network(settings.network_file).groups, clock.now())
    people, errors = check_table(table, await repos.groups.list())
    imports = ImportsRepository(db)
    if not errors:
        errors = shared_matches(people, await imports.matches(people))
    if errors:
        for problem in errors:
            print(problem, file=out)
        bad_rows = len({problem.row for problem in errors})
        print(f"nothing imported: {bad_rows} of {len(table.rows)} rows need fixing", file=out)
        return 1
    progress = Progress(len(people), err) if len(people) > LONG_FILE else None
    report = await imports.apply(people, clock.now(), progress)
    print(summary(name, report), file=out)
    return 0
