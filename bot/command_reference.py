"""The command reference of each reader's guide, generated from the command table.

Each guide in ``docs/`` (members, coordinators, secretariat) holds, between two marker lines,
the table of the commands of its role: name, where it works, what it does — written from
:data:`bot.commands.COMMANDS` by this module, so the docs cannot drift from the bot::

    python -m bot.command_reference          # rewrite the blocks in docs/
    python -m bot.command_reference --check  # exit 1 if a committed block is stale

``tests/unit/test_docs.py`` fails while a committed block differs from what this writes.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Final

from bot.commands import COMMANDS, Command, Where
from bot.permissions import Role

GUIDES: Final = {
    Role.MEMBER: "members.md",
    Role.COORDINATOR: "coordinators.md",
    Role.SECRETARIAT: "secretariat.md",
}
"""The guide (in ``docs/``) that carries the reference of each role."""

BEGIN: Final = (
    "<!-- command reference: generated from bot/commands.py by "
    "`python -m bot.command_reference`; do not edit by hand -->"
)
END: Final = "<!-- end of the generated command reference -->"

WHO: Final = {
    Role.MEMBER: "Every member",
    Role.COORDINATOR: "Coordinators (for their own working groups) and the secretariat",
    Role.SECRETARIAT: "Only the secretariat",
}
ALSO: Final = {
    Role.MEMBER: "",
    Role.COORDINATOR: (
        "Coordinators also use every command of the [members' guide](members.md#command-reference)."
    ),
    Role.SECRETARIAT: (
        "The secretariat also uses every command of the "
        "[coordinators' guide](coordinators.md#command-reference), for any working group, "
        "and of the [members' guide](members.md#command-reference)."
    ),
}

DOCS_DIR: Final = Path(__file__).resolve().parents[1] / "docs"


def where_text(where: Where) -> str:
    """The kinds of chat a command works in, as a reader says it."""
    if where == Where.ANYWHERE:
        return "private or group chat"
    return "private chat" if where == Where.PRIVATE else "group chat"


def cell(text: str) -> str:
    """Text safe inside a Markdown table cell."""
    return text.replace("|", "\\|")


def commands_of(role: Role, commands: Sequence[Command] = COMMANDS) -> list[Command]:
    """The commands whose lowest role is exactly ``role``, in the table's order."""
    return [command for command in commands if command.role is role]


def reference(role: Role, commands: Sequence[Command] = COMMANDS) -> str:
    """The generated block for ``role``'s guide, markers included."""
    rows = [
        f"| `/{c.name}` | {where_text(c.where)} | {cell(c.description)} |"
        for c in commands_of(role, commands)
    ]
    lines = [
        BEGIN,
        "",
        f"{WHO[role]} can use these commands.",
        "",
        "| command | where | what it does |",
        "| --- | --- | --- |",
        *rows,
    ]
    if ALSO[role]:
        lines += ["", ALSO[role]]
    return "\n".join([*lines, "", END])


def committed_block(text: str) -> str | None:
    """The block between the markers in a guide's text, markers included (None if absent)."""
    start = text.find(BEGIN)
    stop = text.find(END, start)
    if start < 0 or stop < 0:
        return None
    return text[start : stop + len(END)]


def refreshed(text: str, role: Role) -> str:
    """The guide's text with its block replaced by the generated one."""
    block = committed_block(text)
    if block is None:
        raise ValueError(f"no command reference markers in docs/{GUIDES[role]}")
    return text.replace(block, reference(role))


def main(argv: Sequence[str]) -> int:
    check = "--check" in argv
    stale = []
    for role, name in GUIDES.items():
        path = DOCS_DIR / name
        text = path.read_text(encoding="utf-8")
        new = refreshed(text, role)
        if new == text:
            continue
        stale.append(name)
        if not check:
            path.write_text(new, encoding="utf-8")
    if stale:
        verb = "stale" if check else "rewritten"
        print(f"command reference {verb} in docs/: {', '.join(stale)}")
    return 1 if check and stale else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
