"""Experiences as files that stand on their own outside Telegram.

``/export experiences`` and ``wnmrc-bot export experiences FILE`` write every field and score
as CSV and JSON; ``wnmrc-bot export booklet FILE`` writes the selected experiences as a
Markdown and an HTML booklet, grouped by theme with a table of contents. Every text a person
wrote is escaped for the format it goes into.
"""

from __future__ import annotations

import asyncio
import csv
import html
import io
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, Final

from bot.countries import country_name
from bot.i18n import I18n, Translator
from bot.reviews import Tally, tally
from config import Settings
from storage import Repositories
from storage.experiences import TEXT_FIELDS
from storage.models import Experience, WorkingGroup
from storage.repositories import existing_repositories
from storage.reviews import Review

_FORMULA_STARTS: Final = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class ExportedExperience:
    """An experience with what its reviews and votes add up to."""

    experience: Experience
    author: str | None
    reviews: tuple[Review, ...]
    votes: int

    @property
    def tally(self) -> Tally:
        return tally(self.reviews)


async def load_experiences(
    repos: Repositories,
    themes: Iterable[str] | None = None,
    statuses: Iterable[str] | None = None,
) -> list[ExportedExperience]:
    """Experiences (of these themes and statuses; None: all) with their reviews and votes."""
    wanted_themes = None if themes is None else set(themes)
    wanted_statuses = None if statuses is None else set(statuses)
    experiences = [
        e
        for e in await repos.experiences.list()
        if (wanted_themes is None or wanted_themes & set(e.themes))
        and (wanted_statuses is None or e.status in wanted_statuses)
    ]
    reviews = await repos.reviews.reviews_of([e.id for e in experiences])
    votes = await repos.reviews.vote_counts()
    exported = []
    for e in experiences:
        author = await repos.people.get(e.author_id) if e.author_id is not None else None
        exported.append(
            ExportedExperience(
                e, author.name if author else None, tuple(reviews[e.id]), votes.get(e.id, 0)
            )
        )
    return exported


# --- CSV and JSON -------------------------------------------------------------------------


def _time(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _mean(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def export_record(item: ExportedExperience, criteria: Sequence[str]) -> dict[str, Any]:
    """Every field of the experience, its scores and votes, as plain JSON values."""
    e, t = item.experience, item.tally
    record: dict[str, Any] = {"id": e.id, "status": e.status, "language": e.language}
    record |= {name: getattr(e, name) for name in TEXT_FIELDS}
    record |= {
        "themes": list(e.themes),
        "links": list(e.links),
        "author": item.author,
        "decision_note": e.decision_note,
        "submitted_at": _time(e.submitted_at),
        "decided_at": _time(e.decided_at),
        "published_at": _time(e.published_at),
        "files": [f.model_dump() for f in e.files],
        "reviews_count": t.count,
        "mean_score": _mean(t.mean),
        "spread": round(t.spread, 2),
        "criteria": {c: _mean(t.by_criterion.get(c)) for c in criteria},
        "votes": item.votes,
        "reviews": [
            {
                "scores": dict(r.scores),
                "mean": _mean(sum(r.scores.values()) / len(r.scores) if r.scores else None),
                "comment": r.comment,
                "at": _time(r.updated_at),
            }
            for r in item.reviews
        ],
    }
    return record


def experiences_json(items: Iterable[ExportedExperience], criteria: Sequence[str]) -> bytes:
    records = [export_record(item, criteria) for item in items]
    return json.dumps({"experiences": records}, ensure_ascii=False, indent=2).encode() + b"\n"


def _cell(value: object) -> str:
    """Text for a spreadsheet cell; text that a spreadsheet would run as a formula is quoted."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def csv_columns(criteria: Sequence[str]) -> list[str]:
    return [
        "id",
        "status",
        "language",
        *TEXT_FIELDS,
        "themes",
        "links",
        "author",
        "decision_note",
        "submitted_at",
        "decided_at",
        "published_at",
        "files",
        "reviews_count",
        "mean_score",
        "spread",
        *(f"score_{c}" for c in criteria),
        "votes",
        "comments",
    ]


def _csv_row(item: ExportedExperience, criteria: Sequence[str]) -> list[str]:
    record = export_record(item, criteria)
    flat = dict(record)
    flat["themes"] = ";".join(record["themes"])
    flat["links"] = " ".join(record["links"])
    flat["files"] = len(record["files"])
    for c in criteria:
        flat[f"score_{c}"] = record["criteria"][c]
    flat["comments"] = "\n---\n".join(r["comment"] for r in record["reviews"] if r["comment"])
    return [_cell(flat[column]) for column in csv_columns(criteria)]


def experiences_csv(items: Iterable[ExportedExperience], criteria: Sequence[str]) -> bytes:
    """UTF-8 with a BOM so spreadsheets read accents and Chinese right."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(csv_columns(criteria))
    writer.writerows(_csv_row(item, criteria) for item in items)
    return buffer.getvalue().encode("utf-8-sig")


def export_filename(day: date, suffix: str) -> str:
    return f"experiences-{day.isoformat()}.{suffix}"


# --- the booklet --------------------------------------------------------------------------


@dataclass(frozen=True)
class Chapter:
    """One theme of the booklet and its experiences."""

    slug: str
    title: str
    experiences: tuple[Experience, ...]


def chapters(
    experiences: Iterable[Experience], groups: Sequence[WorkingGroup], language: str
) -> list[Chapter]:
    """Experiences grouped under their first theme, in the order of the network's groups."""
    order = {g.slug: i for i, g in enumerate(groups)}
    names = {g.slug: g.name(language) for g in groups}
    by_theme: dict[str, list[Experience]] = {}
    for e in experiences:
        theme = e.themes[0] if e.themes else "other"
        by_theme.setdefault(theme, []).append(e)
    return [
        Chapter(slug, names.get(slug, slug), tuple(sorted(items, key=lambda e: e.title.casefold())))
        for slug, items in sorted(by_theme.items(), key=lambda kv: (order.get(kv[0], 99), kv[0]))
    ]


def _sections(_: Translator, e: Experience) -> list[tuple[str, str]]:
    """The headed parts of an experience in the booklet (empty ones left out)."""
    parts = [
        (_("Summary"), e.summary),
        (_("Challenge"), e.challenge),
        (_("What was done"), e.building_blocks),
        (_("Enabling factors"), e.enabling_factors),
        (_("Results and impacts"), e.results),
        (_("Lessons learned"), e.lessons),
        (_("How to replicate"), e.replicability),
        (_("Partners"), e.partners),
        (_("Contact"), e.contact),
    ]
    return [(heading, text) for heading, text in parts if text]


def experience_sections(_: Translator, e: Experience) -> list[tuple[str, str]]:
    """The headed parts of an experience as the booklet shows them (the web pages too)."""
    return _sections(_, e)


def shown_links(e: Experience) -> list[str]:
    """The experience's links that are plain http(s) addresses, the ones shown as links."""
    return [url for url in e.links if _safe_url(url)]


def _anchor(prefix: str, value: object) -> str:
    return f"{prefix}-{re.sub(r'[^a-z0-9_-]', '-', str(value).lower())}"


_MD_SPECIAL: Final = re.compile(r"([\\`*_\[\]{}|~])")
_MD_LINE_START: Final = re.compile(r"^(\s*)([#>+=-]|\d+[.)])", re.MULTILINE)


def md_escape(text: str) -> str:
    """Text shown literally by Markdown renderers: no HTML, emphasis, links or headings."""
    escaped = html.escape(text, quote=False)
    escaped = _MD_SPECIAL.sub(r"\\\1", escaped)
    escaped = _MD_LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), escaped)
    return escaped.replace("\n", "  \n")


def _safe_url(url: str) -> bool:
    return re.fullmatch(r"https?://[^\s<>\"'`]+", url) is not None


def booklet_markdown(_: Translator, title: str, day: date, parts: Sequence[Chapter]) -> str:
    lines = [
        f"# {md_escape(title)}",
        "",
        md_escape(_("Selected experiences, {date}", date=day.isoformat())),
        "",
    ]
    contents = _("Contents")
    lines += [f"## {md_escape(contents)}", ""]
    for chapter in parts:
        lines.append(f"- [{md_escape(chapter.title)}](#{_anchor('theme', chapter.slug)})")
        for e in chapter.experiences:
            lines.append(f"  - [{md_escape(e.title)}](#{_anchor('experience', e.id)})")
    for chapter in parts:
        lines += ["", f'<a id="{_anchor("theme", chapter.slug)}"></a>', ""]
        lines += [f"## {md_escape(chapter.title)}"]
        for e in chapter.experiences:
            lines += ["", f'<a id="{_anchor("experience", e.id)}"></a>', ""]
            lines += [f"### {md_escape(e.title)}", ""]
            place = f"{e.reserve} · {country_name(e.country, _.language)}"
            lines += [f"*{md_escape(place)}*", ""]
            for heading, text in _sections(_, e):
                lines += [f"**{md_escape(heading)}**", "", md_escape(text), ""]
            links = [url for url in e.links if _safe_url(url)]
            if links:
                heading = _("Links")
                lines += [f"**{md_escape(heading)}**", ""]
                lines += [f"- <{url}>" for url in links]
    return "\n".join(lines).rstrip() + "\n"


_STYLE: Final = (
    "body{font-family:sans-serif;max-width:46em;margin:2em auto;padding:0 1em;line-height:1.5}"
    "article{border-top:1px solid #ccc;margin-top:2em}h4{margin-bottom:.2em}"
)


def _h(text: object) -> str:
    return html.escape(str(text), quote=True)


def _paragraphs(text: str) -> str:
    return "".join(f"<p>{_h(p)}</p>" for p in re.split(r"\n\s*\n", text) if p.strip())


def booklet_html(_: Translator, title: str, day: date, parts: Sequence[Chapter]) -> str:
    subtitle = _("Selected experiences, {date}", date=day.isoformat())
    contents = _("Contents")
    out = [
        "<!DOCTYPE html>",
        f'<html lang="{_h(_.language)}">',
        "<head>",
        '<meta charset="utf-8">',
        f"<title>{_h(title)}</title>",
        f"<style>{_STYLE}</style>",
        "</head>",
        "<body>",
        f"<header><h1>{_h(title)}</h1>",
        f"<p>{_h(subtitle)}</p></header>",
        f"<nav><h2>{_h(contents)}</h2><ul>",
    ]
    for chapter in parts:
        items = "".join(
            f'<li><a href="#{_anchor("experience", e.id)}">{_h(e.title)}</a></li>'
            for e in chapter.experiences
        )
        out.append(
            f'<li><a href="#{_anchor("theme", chapter.slug)}">{_h(chapter.title)}</a>'
            f"<ul>{items}</ul></li>"
        )
    out.append("</ul></nav>")
    for chapter in parts:
        out.append(f'<section id="{_anchor("theme", chapter.slug)}"><h2>{_h(chapter.title)}</h2>')
        for e in chapter.experiences:
            out.append(_html_article(_, e))
        out.append("</section>")
    out += ["</body>", "</html>"]
    return "\n".join(out) + "\n"


def _html_article(_: Translator, e: Experience) -> str:
    place = f"{e.reserve} · {country_name(e.country, _.language)}"
    body = [
        f'<article id="{_anchor("experience", e.id)}">',
        f"<h3>{_h(e.title)}</h3>",
        f"<p><em>{_h(place)}</em></p>",
    ]
    for heading, text in _sections(_, e):
        body.append(f"<h4>{_h(heading)}</h4>{_paragraphs(text)}")
    links = [url for url in e.links if _safe_url(url)]
    if links:
        items = "".join(f'<li><a href="{_h(url)}">{_h(url)}</a></li>' for url in links)
        heading = _("Links")
        body.append(f"<h4>{_h(heading)}</h4><ul>{items}</ul>")
    body.append("</article>")
    return "\n".join(body)


# --- the CLI ------------------------------------------------------------------------------


def paired_paths(path: Path, first: str, second: str) -> tuple[Path, Path]:
    """``out/x.csv`` -> (``out/x.csv``, ``out/x.json``): both formats side by side."""
    return path.with_suffix(f".{first}"), path.with_suffix(f".{second}")


async def export_experiences(settings: Settings, path: Path, criteria: Sequence[str]) -> str:
    """``wnmrc-bot export experiences FILE``: the CSV and the JSON beside it; one line back."""
    async with existing_repositories(settings) as repos:
        items = await load_experiences(repos)
    csv_path, json_path = paired_paths(path, "csv", "json")
    await asyncio.to_thread(csv_path.write_bytes, experiences_csv(items, criteria))
    await asyncio.to_thread(json_path.write_bytes, experiences_json(items, criteria))
    return f"{csv_path}, {json_path}: {len(items)} experiences"


async def export_booklet(settings: Settings, path: Path, network_name: str, today: date) -> str:
    """``wnmrc-bot export booklet FILE``: the Markdown and the HTML booklet; one line back."""
    async with existing_repositories(settings) as repos:
        selected = [i.experience for i in await load_experiences(repos, statuses=["selected"])]
        groups = await repos.groups.list(active_only=False)
    _ = I18n(settings.default_language).translator(settings.default_language)
    parts = chapters(selected, groups, _.language)
    md_path, html_path = paired_paths(path, "md", "html")
    await asyncio.to_thread(
        md_path.write_text, booklet_markdown(_, network_name, today, parts), "utf-8"
    )
    await asyncio.to_thread(
        html_path.write_text, booklet_html(_, network_name, today, parts), "utf-8"
    )
    return f"{md_path}, {html_path}: {len(selected)} selected experiences"
