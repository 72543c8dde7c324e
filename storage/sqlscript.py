"""Split an SQL script into statements without executescript (which commits on its own)."""

import re
import sqlite3

_COMMENTS = re.compile(r"--[^\n]*|/\*.*?\*/", re.DOTALL)


def _only_comments(text: str) -> bool:
    return not _COMMENTS.sub("", text).strip()


def split_statements(script: str) -> list[str]:
    """Complete statements in order; `;` inside strings, comments and trigger bodies is kept."""
    statements: list[str] = []
    pending = ""
    *pieces, tail = script.split(";")
    for piece in pieces:
        pending += piece + ";"
        if sqlite3.complete_statement(pending):
            if not _only_comments(pending.removesuffix(";")):
                statements.append(pending.strip())
            pending = ""
    if not _only_comments(pending + tail):
        raise ValueError(f"incomplete SQL statement at the end: {(pending + tail).strip()[:80]!r}")
    return statements
