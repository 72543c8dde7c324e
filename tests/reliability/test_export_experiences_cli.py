"""``wnmrc-bot export experiences FILE`` and ``wnmrc-bot export booklet FILE`` as an operator
runs them, in a subprocess: CSV and JSON with every field and score; the booklet in Markdown
and well-formed HTML with every text escaped."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path

import pytest

from storage import Database, Repositories

from ..factories import experience
from .test_cli import _environment, _run

pytestmark = pytest.mark.slow

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
HOSTILE = '<script>alert("x")</script> & <b>bold</b> [link](javascript:alert(1)) # *x*'


@pytest.fixture
def environment(tmp_path: Path) -> dict[str, str]:
    return _environment(WNMRC_DATABASE_PATH=str(tmp_path / "bot.sqlite3"))


async def _fill(database: Path) -> dict[str, int]:
    """A selected experience with an HTML-laden summary, one accepted, one declined."""
    async with await Database.open(database) as db:
        repos = Repositories.from_db(db)
        ana = await repos.people.upsert_from_telegram(
            telegram_id=1,
            first_name="Ana",
            last_name="Quispe",
            username=None,
            language_code="es",
            private=True,
            now=NOW,
        )
        bo = await repos.people.upsert_from_telegram(
            telegram_id=2,
            first_name="Bo",
            last_name=None,
            username=None,
            language_code="en",
            private=True,
            now=NOW,
        )
        selected = await experience(
            repos,
            "Terrazas <andinas> & agua",
            author_id=ana.id,
            status="selected",
            summary=HOSTILE,
            links='["https://example.pe/t?a=1&b=2", "javascript:alert(1)"]',
        )
        honey = await experience(
            repos, "Miel", author_id=ana.id, status="selected", themes=("socioeconomics",)
        )
        accepted = await experience(repos, "=SUM(A1)", author_id=ana.id, status="accepted")
        await experience(repos, "Declined one", status="declined", themes=("biodiversity",))
        await repos.reviews.save_review(
            accepted.id, bo.id, {"relevance": 5, "results": 3}, NOW, "Strong <evidence>"
        )
        return {"selected": selected.id, "honey": honey.id, "accepted": accepted.id}


class WellFormed(HTMLParser):
    """Checks that every element is closed in order, and collects tags and text."""

    VOID = frozenset({"meta", "br", "hr", "img", "link", "input"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[str] = []
        self.tags: list[str] = []
        self.text: list[str] = []
        self.problems: list[str] = []
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag == "a":
            self.hrefs += [value or "" for name, value in attrs if name == "href"]
        if tag not in self.VOID:
            self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.open or self.open[-1] != tag:
            self.problems.append(f"</{tag}> closes {self.open[-1:] or 'nothing'}")
        else:
            self.open.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


async def test_export_experiences_writes_csv_and_json_with_scores(
    environment: dict[str, str], tmp_path: Path
) -> None:
    assert (await _run("migrate", env=environment))[0] == 0
    ids = await _fill(tmp_path / "bot.sqlite3")

    code, out, err = await _run(
        "export", "experiences", str(tmp_path / "experiences.csv"), env=environment
    )

    assert code == 0, err
    assert out.strip() == (
        f"{tmp_path / 'experiences.csv'}, {tmp_path / 'experiences.json'}: 4 experiences"
    )
    data = (tmp_path / "experiences.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO(data.decode("utf-8-sig")))}
    accepted = rows[str(ids["accepted"])]
    assert accepted["title"] == "'=SUM(A1)"
    assert (accepted["mean_score"], accepted["score_relevance"], accepted["score_results"]) == (
        "4.0",
        "5.0",
        "3.0",
    )
    assert accepted["comments"] == "Strong <evidence>"
    assert rows[str(ids["selected"])]["summary"] == HOSTILE
    records = {
        r["id"]: r
        for r in json.loads((tmp_path / "experiences.json").read_text("utf-8"))["experiences"]
    }
    assert records[ids["accepted"]]["reviews"][0]["scores"] == {"relevance": 5, "results": 3}
    assert records[ids["accepted"]]["author"] == "Ana Quispe"
    assert records[ids["selected"]]["links"][0] == "https://example.pe/t?a=1&b=2"
    assert records[ids["selected"]]["criteria"]["innovation"] is None


async def test_the_booklet_groups_selected_experiences_by_theme_and_escapes_everything(
    environment: dict[str, str], tmp_path: Path
) -> None:
    assert (await _run("migrate", env=environment))[0] == 0
    ids = await _fill(tmp_path / "bot.sqlite3")

    code, out, err = await _run("export", "booklet", str(tmp_path / "booklet"), env=environment)

    assert code == 0, err
    assert out.strip() == (
        f"{tmp_path / 'booklet.md'}, {tmp_path / 'booklet.html'}: 2 selected experiences"
    )
    page = (tmp_path / "booklet.html").read_text("utf-8")
    parser = WellFormed()
    parser.feed(page)
    parser.close()
    assert parser.problems == []
    assert parser.open == []
    assert "script" not in parser.tags
    assert "b" not in parser.tags
    assert HOSTILE in "".join(parser.text)
    assert "javascript:" not in " ".join(parser.hrefs)
    assert "https://example.pe/t?a=1&b=2" in parser.hrefs
    assert f"#experience-{ids['selected']}" in parser.hrefs
    assert "Declined one" not in page
    assert "=SUM(A1)" not in page
    assert page.index("<h2>Climate change</h2>") < page.index("<h2>Socioeconomics</h2>")
    assert page.index("Contents") < page.index("<h2>Climate change</h2>")

    markdown = (tmp_path / "booklet.md").read_text("utf-8")
    assert "<script>" not in markdown
    assert "&lt;script&gt;" in markdown
    assert "\\[link\\](javascript:alert(1))" in markdown
    assert "### Terrazas &lt;andinas&gt; &amp; agua" in markdown
    assert f"- [Terrazas &lt;andinas&gt; &amp; agua](#experience-{ids['selected']})" in markdown
    assert "javascript:alert(1)>" not in markdown
    assert markdown.index("## Climate change") < markdown.index("## Socioeconomics")
