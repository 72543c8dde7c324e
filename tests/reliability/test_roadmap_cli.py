"""``wnmrc-bot import-roadmap`` and ``export roadmap`` as an operator runs them: in a
subprocess, on a real database file; one line per problem, files only their owner reads."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

WNMRC_BOT = str(Path(sys.executable).parent / "wnmrc-bot")

GOOD = (
    "ref;objective;group;title;due;zone;status\n"
    "G1;The International Year of Glaciers' Preservation 2025;climate;"
    "Propose the network's events;2026-04-03;;planned\n"
    "F1;The Five-Year Action;;Send the contribution;2026-05-01 17:00;Europe/Paris;in progress\n"
)
BAD = "ref,title,due\nG1,Propose the network's events,someday\n"


def _run(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([WNMRC_BOT, *args], env=env, capture_output=True, text=True, timeout=60)


@pytest.fixture
def environment(tmp_path: Path) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("WNMRC_")}
    env = {**clean, "WNMRC_DATABASE_PATH": str(tmp_path / "bot.sqlite3")}
    subprocess.run([WNMRC_BOT, "migrate"], env=env, check=True, capture_output=True)
    return env


def test_import_then_export_the_roadmap(environment: dict[str, str], tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(BAD, encoding="utf-8")
    refused = _run("import-roadmap", str(bad), env=environment)
    assert refused.returncode == 1
    assert refused.stdout.splitlines() == [
        'row 2: due "someday" is not a date (YYYY-MM-DD or YYYY-MM-DD HH:MM)',
        "nothing imported: 1 of 1 rows need fixing",
    ]
    assert "Traceback" not in refused.stderr

    good = tmp_path / "roadmap.csv"
    good.write_text(GOOD, encoding="utf-8")
    done = _run("import-roadmap", str(good), env=environment)
    assert (done.returncode, done.stdout) == (0, "roadmap.csv: 2 added, 0 updated\n")

    markdown = tmp_path / "out.md"
    exported = _run("export", "roadmap", str(markdown), env=environment)
    assert (exported.returncode, exported.stdout) == (0, f"{markdown}: 2 actions (Markdown)\n")
    assert stat.S_IMODE(markdown.stat().st_mode) == 0o600
    text = markdown.read_text(encoding="utf-8")
    assert "## The International Year of Glaciers' Preservation 2025" in text
    assert "### F1 — Send the contribution" in text
    assert "- Due: 2026-05-01 17:00 (Europe/Paris)" in text
    assert "- Status: in progress" in text

    missing = _run("import-roadmap", str(tmp_path / "none.csv"), env=environment)
    assert missing.returncode == 1
    assert "nothing imported" in missing.stdout
    assert "Traceback" not in missing.stderr
