"""The docs cannot drift: command references match the command table, every link resolves.

A guide's command reference is generated from ``bot/commands.py``; these tests fail when the
committed reference is stale, lists a command that is missing or extra, or lists it in the
guide of the wrong role. They also fail when any file in the repository points to a document
that is not in it: the old design document, a relative Markdown link (or its #section) that
does not resolve, or a ``docs/<guide>.md, "Section"`` citation in the code whose guide or
section is missing. And a page that names a path of the repository (`bot/app.py`) fails once
that path moves.
"""

from __future__ import annotations

import re
import subprocess
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.command_reference import GUIDES, committed_block, reference
from bot.commands import COMMANDS
from bot.permissions import Role

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
OUTSIDE_DOCUMENT = "DESIGN" + ".md"  # spelled in two parts so this file does not name it
SKIPPED_DIRS = {".git", ".venv", "node_modules", "__pycache__", ".mypy_cache", ".ruff_cache"}
LINK = re.compile(r"(?<!\!)\[[^\]]*\]\(([^)\s]+)\)")
CITATION = re.compile(r"docs/([\w-]+\.md)(?:,\s*(?:section\s*)?\"([^\"]+)\")?")
NAMED_PATH = re.compile(
    r"`((?:bot|handlers|storage|config|sandbox|tests|bench|requirements|docs|deploy|web|\.ci)/[^`\s]*)`"
)
GENERATE = "run `python -m bot.command_reference` and commit docs/"


def repository_files() -> list[Path]:
    """Every file of the repository: tracked, or new and not ignored."""
    try:
        listed = subprocess.run(
            ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.splitlines()
    except (OSError, subprocess.CalledProcessError):
        return [p for p in ROOT.rglob("*") if p.is_file() and not SKIPPED_DIRS & set(p.parts)]
    return [ROOT / name for name in listed if (ROOT / name).is_file()]


def texts() -> Iterator[tuple[Path, str]]:
    for path in repository_files():
        try:
            yield path, path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue


def slug(heading: str) -> str:
    """The anchor GitHub gives a Markdown heading."""
    text = heading.strip().lower()
    kept = [c for c in text if c in " -_" or unicodedata.category(c)[0] in "LN"]
    return "".join(kept).replace(" ", "-")


def anchors(markdown: str) -> set[str]:
    in_code = False
    found = set()
    for line in markdown.splitlines():
        if line.startswith("```"):
            in_code = not in_code
        elif not in_code and line.startswith("#"):
            found.add(slug(line.lstrip("#")))
    return found


def missing_section(path: Path, anchor: str) -> bool:
    """Whether ``#anchor`` names no heading of the Markdown file ``path``."""
    if not anchor or path.suffix != ".md" or path.is_dir():
        return False
    return anchor not in anchors(path.read_text(encoding="utf-8"))


def headings(markdown: str) -> set[str]:
    return {line.lstrip("#").strip() for line in markdown.splitlines() if line.startswith("#")}


def listed_commands(guide: str) -> list[str]:
    block = committed_block(guide) or ""
    return re.findall(r"^\| `/(\w+)` \|", block, flags=re.MULTILINE)


@pytest.mark.parametrize("role", list(GUIDES))
def test_each_guide_carries_the_generated_reference_of_its_role(role: Role) -> None:
    guide = (DOCS / GUIDES[role]).read_text(encoding="utf-8")
    assert committed_block(guide) is not None, f"docs/{GUIDES[role]} has no reference: {GENERATE}"
    assert committed_block(guide) == reference(role), f"docs/{GUIDES[role]} is stale: {GENERATE}"


@pytest.mark.parametrize("role", list(GUIDES))
def test_each_guide_lists_every_command_of_its_role_and_no_other(role: Role) -> None:
    listed = listed_commands((DOCS / GUIDES[role]).read_text(encoding="utf-8"))
    roles = {command.name: command.role for command in COMMANDS}
    expected = [command.name for command in COMMANDS if command.role is role]

    assert sorted(set(expected) - set(listed)) == [], "missing from the guide"
    assert sorted(n for n in listed if n not in roles) == [], "no such command"
    assert sorted(n for n in listed if n in roles and roles[n] is not role) == [], "wrong role"
    assert len(listed) == len(set(listed)), "listed twice"


def test_every_command_is_in_exactly_one_guide() -> None:
    listed = [
        name
        for name in GUIDES.values()
        for name in listed_commands((DOCS / name).read_text(encoding="utf-8"))
    ]
    assert sorted(listed) == sorted(command.name for command in COMMANDS)


def test_a_command_added_to_the_table_makes_the_reference_stale() -> None:
    from bot.commands import Command, Where

    extra = (*COMMANDS, Command("roadmap", "The roadmap", Role.COORDINATOR, Where.PRIVATE))
    guide = (DOCS / GUIDES[Role.COORDINATOR]).read_text(encoding="utf-8")
    assert "| `/roadmap` | private chat | The roadmap |" in reference(Role.COORDINATOR, extra)
    assert committed_block(guide) != reference(Role.COORDINATOR, extra)


def test_the_readme_is_short_and_leads_to_every_guide() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    guides = ["members", "coordinators", "secretariat", "operators", "developers"]

    assert len(readme.splitlines()) < 150
    assert set(LINK.findall(readme)) >= {f"docs/{guide}.md" for guide in guides}
    assert "bench/README.md" in LINK.findall(readme)


def test_no_file_refers_to_the_design_document_outside_the_repository() -> None:
    citing = [str(path.relative_to(ROOT)) for path, text in texts() if OUTSIDE_DOCUMENT in text]
    assert citing == [], f"these files cite {OUTSIDE_DOCUMENT}, which is not in the repository"


def test_every_relative_markdown_link_resolves() -> None:
    broken = []
    for path, text in texts():
        if path.suffix != ".md":
            continue
        for target in LINK.findall(text):
            if re.match(r"^[a-z][a-z0-9+.-]*:", target):  # http:, https:, mailto:
                continue
            name, _, anchor = target.partition("#")
            linked = (path.parent / name).resolve() if name else path
            where = f"{path.relative_to(ROOT)}: ({target})"
            if not linked.exists():
                broken.append(f"{where} no such file")
            elif missing_section(linked, anchor):
                broken.append(f"{where} no such section")
    assert broken == []


def test_every_citation_of_a_guide_names_a_guide_and_section_that_exist() -> None:
    broken = []
    for path, text in texts():
        for guide, cited in CITATION.findall(text):
            section = " ".join(cited.split())  # a citation may wrap across lines
            where = f"{path.relative_to(ROOT)}: docs/{guide}"
            if not (DOCS / guide).is_file():
                broken.append(f"{where}: no such guide")
            elif section and section not in headings((DOCS / guide).read_text(encoding="utf-8")):
                broken.append(f'{where}, "{section}": no such section')
    assert broken == []


def test_every_path_the_docs_name_exists() -> None:
    """A module moved or renamed shows here with every page that still names its old path."""
    missing = []
    for path, text in texts():
        if path.suffix != ".md":
            continue
        for named in NAMED_PATH.findall(text):
            if any(mark in named for mark in ("<", "{", "*", "…", "NNNN")):
                continue  # a pattern, not a path
            if not (ROOT / named.split(":")[0]).exists():
                missing.append(f"{path.relative_to(ROOT)}: {named}")
    assert missing == []


def test_the_link_checks_see_a_broken_link(tmp_path: Path) -> None:
    page = "# Guide\n\n## The outbox\n\nSee [it](#the-outbox), not [this](#nowhere).\n"
    assert "the-outbox" in anchors(page)
    assert "nowhere" not in anchors(page)
    assert LINK.findall("[the\nguide](wrapped.md)") == ["wrapped.md"]
    assert LINK.findall("[a](missing.md) ![img](x.png) [b](https://example.org)") == [
        "missing.md",
        "https://example.org",
    ]
    assert CITATION.findall("(docs/" + 'developers.md, "The outbox")') == [
        ("developers.md", "The outbox")
    ]
    assert NAMED_PATH.findall("in `bot/app.py`, `storage/<feature>.py` and `bot.app`") == [
        "bot/app.py",
        "storage/<feature>.py",
    ]
    assert slug("Services (target shape)") == "services-target-shape"
    assert slug("The unit of work: `repos.unit()`") == "the-unit-of-work-reposunit"
