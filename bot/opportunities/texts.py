"""How an opportunity, its reasons and an interested person look, in the reader's language."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.countries import country_name
from bot.digests import format_when
from bot.formats import format_number
from bot.i18n import Translator
from bot.opportunities import intros
from bot.opportunities.rules import KIND_LABELS, ONLINE, Reason
from bot.profile import language_name
from bot.rendering import Html, bold, escape, italic
from bot.roster.rules import GroupPlace, whois_card
from storage import Person
from storage.opportunities import Opportunity


def theme_list(themes: Sequence[str], labels: Mapping[str, str]) -> str:
    """Theme slugs named in the reader's language; free tags as written."""
    return ", ".join(labels.get(theme, theme) for theme in themes)


def place_list(tr: Translator, places: Sequence[str]) -> str:
    return ", ".join(
        str(tr("online")) if place == ONLINE else country_name(place, tr.language)
        for place in places
    )


def language_list(tr: Translator, codes: Sequence[str]) -> str:
    return ", ".join(language_name(code, tr.language) for code in codes)


def card(
    tr: Translator, opportunity: Opportunity, labels: Mapping[str, str], zone: ZoneInfo
) -> Html:
    """The opportunity: kind, title, description, themes, where, languages, deadline, contact."""
    lines = [
        italic(tr(KIND_LABELS[opportunity.kind])),
        bold(opportunity.title),
        escape(opportunity.description),
    ]
    if opportunity.themes:
        lines.append(tr("Themes: {themes}", themes=theme_list(opportunity.themes, labels)))
    if opportunity.places:
        lines.append(tr("Where: {places}", places=place_list(tr, opportunity.places)))
    if opportunity.languages:
        lines.append(
            tr("Languages: {languages}", languages=language_list(tr, opportunity.languages))
        )
    if opportunity.deadline_at is not None:
        when = format_when(opportunity.deadline_at, zone, tr.language)
        lines.append(tr("Deadline: {when}", when=when))
    if opportunity.contact:
        lines.append(tr("Contact: {contact}", contact=opportunity.contact))
    return Html("\n".join(lines))


def reasons_text(tr: Translator, reasons: Sequence[Reason], labels: Mapping[str, str]) -> Html:
    """``you work on glacier monitoring; it needs Spanish, which you speak``."""
    parts = []
    for reason in reasons:
        values: dict[str, object] = {}
        for name, items in reason.values.items():
            if name == "languages":
                values[name] = language_list(tr, items)
            else:
                values[name] = theme_list(items, labels)
        parts.append(str(tr(reason.message, **values)))
    return Html("; ".join(parts))


def person_card(
    tr: Translator,
    person: Person,
    groups: Sequence[GroupPlace],
    labels: Mapping[str, str],
    now: datetime,
) -> Html:
    """The network's card of a person with their interests (never their e-mail)."""
    lines = [whois_card(tr, person, groups, now)]
    if person.interests:
        lines.append(tr("Interests: {interests}", interests=theme_list(person.interests, labels)))
    return Html("\n".join(lines))


def met_line(tr: Translator, month: str, pairs: int, met: int) -> Html:
    """A month's round, its pairs and how many of them said they met, in one line: "12 of 20
    pairs" in March 2026."""
    named = intros.month_name(month, tr.language)
    count = format_number(met, tr.language, places=0)
    return tr.plural(
        "Introductions in {month}: {met} of {n} pair said they met.",
        "Introductions in {month}: {met} of {n} pairs said they met.",
        pairs,
        month=named,
        met=count,
    )
