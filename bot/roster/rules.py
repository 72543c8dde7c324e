"""The roster's rules: who may see it, order, counts, pages, local times, cards and the CSV.

A roster lists the current members of one working group with their reserve, country, role
and local time right now, coordinators marked, sorted by country name then name (both in the
reader's language). Who may see it: members see the rosters of their own groups; coordinators
(of any group) and the secretariat see any; in a group chat linked to a working group the
roster of that group is shown to the chat. Email is never shown; only the CSV export carries it.

``wnmrc-bot export roster FILE [--group SLUG]`` (``bot.roster.service.export_roster``) writes
the same CSV as ``/export roster``.
"""

from __future__ import annotations

import csv
import functools
import io
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale, UnknownLocaleError

from bot import countries
from bot.access import Actor
from bot.continents import CONTINENT_LABELS, CONTINENTS, Continent, continent_of
from bot.formats import format_parts, zone_name
from bot.i18n import N_, Translator, negotiate
from bot.permissions import Role
from bot.profile import ROLE_LABELS
from bot.rendering import SAFE_MESSAGE_LIMIT, Html, bold, escape
from bot.textfold import fold
from storage import Person, ProfileRole, RosterMember, WorkingGroup

PAGE_SIZE: Final = 20
"""Members per roster page (fewer when their lines are long)."""

COORDINATOR_MARK: Final = "★"
MEMBER_MARK: Final = "•"
NO_TIME: Final = "—"
FIELD_LIMIT: Final = 60
"""Characters of a name or reserve shown in a roster line; longer ones are cut with …"""
COUNTRY_COUNTS_SHOWN: Final = 15
MATCHES_SHOWN: Final = 10

ROSTER_REFUSAL: Final = N_(
    "Only members of {group}, coordinators and the secretariat can see this roster."
)


# Who may see a roster


def may_see_roster(actor: Actor, member_of_group: bool) -> bool:
    """Members see their own groups' rosters; coordinators and the secretariat see any."""
    return member_of_group or actor.role >= Role.COORDINATOR


def linked_group(
    groups: Sequence[WorkingGroup], chat_id: int, thread_id: int | None
) -> WorkingGroup | None:
    """The working group linked to this chat (to this forum topic when groups share a chat)."""
    linked = [group for group in groups if group.chat_id == chat_id]
    if len(linked) <= 1:
        return linked[0] if linked else None
    in_topic = [group for group in linked if group.topic_id == thread_id]
    whole_chat = [group for group in linked if group.topic_id is None]
    chosen = in_topic or whole_chat
    return chosen[0] if len(chosen) == 1 else None


# Countries, continents, local times


@functools.cache
def _locale(language: str) -> Locale:
    try:
        return Locale.parse(language)
    except (UnknownLocaleError, ValueError):
        return Locale.parse("en")


def country_name(code: str | None, language: str) -> str | None:
    """The country's name in ``language``, or None when not given."""
    return countries.country_name(code.upper(), language) if code else None


def zone_of(name: str | None) -> ZoneInfo | None:
    """The IANA zone, or None when unknown or not set."""
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def local_time(moment: datetime, zone: str | None, language: str) -> str:
    """``moment`` as a weekday and time in ``zone`` for a reader of ``language`` ("Thu 23:00")."""
    if zone_of(zone) is None or zone is None:
        return NO_TIME
    return countries.local_time(zone, moment, language)


# Order and counts


def sort_members(members: Iterable[RosterMember], language: str) -> list[RosterMember]:
    """By country name in ``language`` (no country last), then by name."""

    def key(member: RosterMember) -> tuple[bool, str, str, int]:
        person = member.person
        country = country_name(person.country, language)
        return (country is None, fold(country or ""), fold(person.name), person.id)

    return sorted(members, key=key)


def count_countries(people: Iterable[Person], language: str) -> list[tuple[str | None, int]]:
    """(country code or None, members), most members first, then by name; None last."""
    counts = Counter(person.country.upper() if person.country else None for person in people)

    def key(item: tuple[str | None, int]) -> tuple[bool, int, str]:
        code, n = item
        return (code is None, -n, fold(country_name(code, language) or ""))

    return sorted(counts.items(), key=key)


def count_continents(people: Iterable[Person]) -> list[tuple[Continent | None, int]]:
    """(continent or None, members) in the fixed order of CONTINENTS, None last, no zeros."""
    counts = Counter(continent_of(person.country) for person in people)
    ordered: list[Continent | None] = [*CONTINENTS, None]
    return [(continent, counts[continent]) for continent in ordered if counts[continent]]


# Pages


def paginate(lines: Sequence[str], budget: int, per_page: int = PAGE_SIZE) -> list[list[str]]:
    """Lines in pages of at most ``per_page`` lines and ``budget`` characters (one at least)."""
    pages: list[list[str]] = []
    current: list[str] = []
    size = 0
    for line in lines:
        cost = len(line) + 1
        if current and (len(current) >= per_page or size + cost > budget):
            pages.append(current)
            current, size = [], 0
        current.append(line)
        size += cost
    if current or not pages:
        pages.append(current)
    return pages


# Rendering


def shorten(text: str, limit: int = FIELD_LIMIT) -> str:
    """The text, cut to ``limit`` characters with … when longer."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def role_label(_: Translator, role: ProfileRole | None) -> str | None:
    return None if role is None else _(ROLE_LABELS[role])


def _username(person: Person) -> str:
    return f" @{escape(person.username)}" if person.username else ""


def member_line(_: Translator, member: RosterMember, now: datetime) -> Html:
    """One roster line: mark, name, @username, country, reserve, role, local time."""
    person = member.person
    mark = COORDINATOR_MARK if member.coordinator else MEMBER_MARK
    details = [
        country_name(person.country, _.language),
        shorten(person.reserve) if person.reserve else None,
        role_label(_, person.role),
    ]
    shown = [escape(detail) for detail in details if detail]
    clock = f"🕒 {escape(local_time(now, person.timezone, _.language))}"
    head = f"{mark} {bold(shorten(person.name))}{_username(person)}"
    return Html(f"{head} — {' · '.join([*shown, clock])}")


def _counts(parts: Iterable[tuple[str, int]]) -> Html:
    return Html(" · ".join(f"{escape(label)} {n}" for label, n in parts))


def roster_header(_: Translator, group_name: str, people: Sequence[Person]) -> Html:
    """Group name and size, members by country and by continent, the legend."""
    n = len(people)
    lines = [
        _.plural("<b>{group}</b> — {n} member", "<b>{group}</b> — {n} members", n, group=group_name)
    ]
    if people:
        countries = count_countries(people, _.language)
        shown = [
            (country_name(code, _.language) or _("not given"), count)
            for code, count in countries[:COUNTRY_COUNTS_SHOWN]
        ]
        more = len(countries) - len(shown)
        counts = Html(_counts(shown) + (f" · +{more}" if more > 0 else ""))
        # Translators: {counts} is “Peru 4, China 2”.
        lines.append(_("Countries: {counts}", counts=counts))
        continents = [
            (_(CONTINENT_LABELS[c]) if c else _("not given"), count)
            for c, count in count_continents(people)
        ]
        # Translators: {counts} is “Europe 5, Asia 3”.
        lines.append(_("Continents: {counts}", counts=_counts(continents)))
        lines.append(_("★ coordinator · 🕒 their local time now"))
    return Html("\n".join(lines))


@dataclass(frozen=True)
class RosterView:
    """One page of a roster, ready to send."""

    text: Html
    page: int
    """0-based."""
    pages: int


def render_roster(
    _: Translator, group_name: str, members: Sequence[RosterMember], now: datetime, page: int
) -> RosterView | None:
    """Page ``page`` (0-based) of the roster; None when there is no such page."""
    ordered = sort_members(members, _.language)
    header = roster_header(_, group_name, [m.person for m in ordered])
    if not ordered:
        empty = _("No one is in this group yet.")
        return RosterView(Html(f"{header}\n\n{empty}"), 0, 1)
    lines = [member_line(_, member, now) for member in ordered]
    pages = paginate(lines, budget=SAFE_MESSAGE_LIMIT - len(header) - 100)
    if not 0 <= page < len(pages):
        return None
    parts = [header, "\n".join(pages[page])]
    if len(pages) > 1:
        parts.append(_("Page {page} of {pages}", page=page + 1, pages=len(pages)))
    return RosterView(Html("\n\n".join(parts)), page, len(pages))


@dataclass(frozen=True)
class GroupPlace:
    """A group a person is in, as shown on their card."""

    name: str
    coordinator: bool


def whois_card(_: Translator, person: Person, groups: Sequence[GroupPlace], now: datetime) -> Html:
    """Everything the network may see of a person (never their email)."""
    lines = [f"{bold(person.name)}{_username(person)}"]
    if person.reserve:
        lines.append(_("Reserve: {reserve}", reserve=person.reserve))
    country = country_name(person.country, _.language)
    if country:
        continent = continent_of(person.country)
        where = f"{country} · {_(CONTINENT_LABELS[continent])}" if continent else country
        lines.append(_("Country: {country}", country=where))
    if person.organisation:
        lines.append(_("Organisation: {organisation}", organisation=person.organisation))
    role = role_label(_, person.role)
    if role:
        lines.append(_("Role: {role}", role=role))
    if groups:
        names = format_parts(
            (escape(g.name) + (f" {COORDINATOR_MARK}" if g.coordinator else "") for g in groups),
            _.language,
        )
        lines.append(_("Groups: {groups}", groups=Html(names)))
    else:
        lines.append(_("Not in any working group."))
    if zone_of(person.timezone):
        lines.append(
            # Translators: {zone} names the person's time zone.
            _(
                "Local time: {time} ({zone})",
                time=local_time(now, person.timezone, _.language),
                zone=zone_name(person.timezone, _.language),
            )
        )
    return Html("\n".join(lines))


def whois_matches(
    _: Translator, query: str, people: Sequence[Person], groups: Mapping[int, Sequence[str]]
) -> Html:
    """A short list when several people match; ``groups`` maps person id -> group names."""
    shown = people[:MATCHES_SHOWN]
    lines: list[str] = [
        _.plural(
            "{n} person matches “{query}”:", "{n} people match “{query}”:", len(people), query=query
        )
    ]
    for person in shown:
        details = [
            country_name(person.country, _.language),
            format_parts(groups.get(person.id, ()), _.language),
        ]
        tail = " · ".join(escape(d) for d in details if d)
        lines.append(
            f"{MEMBER_MARK} {bold(person.name)}{_username(person)}" + (f" — {tail}" if tail else "")
        )
    if len(people) > len(shown):
        lines.append(_("…and more: write more of the name."))
    lines.append(_("Write /whois @username or more of the name to see one card."))
    return Html("\n".join(lines))


# The CSV export

EXPORT_COLUMNS: Final = (
    "name",
    "email",
    "reserve",
    "country",
    "role",
    "groups",
    "telegram username",
    "language",
    "time zone",
    "joined",
)
_FORMULA_STARTS: Final = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class ExportRecord:
    """One person's row of the roster CSV."""

    person: Person
    groups: tuple[str, ...]
    """Slugs of the groups the person is in."""
    joined: date | None
    """When they joined the exported group (the earliest of their groups for all groups)."""


def _cell(value: object) -> str:
    """Text for a spreadsheet cell; text that a spreadsheet would run as a formula is quoted."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def export_row(record: ExportRecord) -> list[str]:
    person = record.person
    values: list[object] = [
        person.name,
        person.email,
        person.reserve,
        person.country,
        person.role,
        ";".join(record.groups),
        person.username,
        person.language or negotiate(person.telegram_language),
        person.timezone,
        record.joined.isoformat() if record.joined else None,
    ]
    return [_cell(value) for value in values]


def roster_csv(records: Iterable[ExportRecord]) -> bytes:
    """The roster as CSV, UTF-8 with a BOM so spreadsheets read accents and Chinese right."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(EXPORT_COLUMNS)
    ordered = sorted(records, key=lambda r: (fold(r.person.name), r.person.id))
    writer.writerows(export_row(record) for record in ordered)
    return buffer.getvalue().encode("utf-8-sig")


def export_filename(group_slug: str | None, day: date) -> str:
    """``roster-climate-2026-11-24.csv``, or ``roster-all-...`` for every group."""
    return f"roster-{group_slug or 'all'}-{day.isoformat()}.csv"
