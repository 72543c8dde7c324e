"""The digest's sections as pure rules: new members, experiences (the meetings section is the
meetings feature's). Each turns what the storage reports into items with stable keys."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Final

from bot.countries import country_name
from bot.digests.rules import DigestItem, DigestSection, DigestTarget, TargetKind
from bot.formats import format_parts
from bot.i18n import N_, Translator
from bot.rendering import Html, bold, escape

if TYPE_CHECKING:
    from storage import Person
    from storage.models import ExperienceNews


# The new-members section


@dataclass(frozen=True)
class NewMember:
    """Someone who joined a working group (as the storage reports it)."""

    person: Person
    group_id: int
    group_name: str
    joined_at: datetime


NEW_MEMBERS_HEADING: Final = N_("New members")


def member_line(_: Translator, member: NewMember, with_group: bool) -> Html:
    """``• Ana Quispe — Cordillera Alta · Peru`` (``→ Climate change`` when groups vary)."""
    person = member.person
    details = [escape(part) for part in (person.reserve,) if part]
    if person.country:
        details.append(escape(country_name(person.country, _.language)))
    line = f"• {bold(person.name)}"
    if details:
        line += " — " + " · ".join(details)
    if with_group:
        line += f" → {escape(member.group_name)}"
    return Html(line)


def new_members_section(
    _: Translator, target: DigestTarget, members: Iterable[NewMember]
) -> DigestSection | None:
    """New members of the target's groups, oldest first; the reader themself left out.

    The group is named on each line when the target follows several groups."""
    chosen = sorted(
        (m for m in members if m.group_id in target.group_ids and m.person.id != target.person_id),
        key=lambda m: (m.joined_at, m.person.name.casefold(), m.group_id),
    )
    if not chosen:
        return None
    with_group = target.kind is not TargetKind.GROUP and len(target.group_ids) > 1
    items = tuple(
        DigestItem(f"member:{m.group_id}:{m.person.id}", m.joined_at, member_line(_, m, with_group))
        for m in chosen
    )
    return DigestSection(_(NEW_MEMBERS_HEADING), items)


# The experiences section


EXPERIENCES_HEADING: Final = N_("Experiences")
EXPERIENCE_EVENT_LABELS: Final[dict[str, str]] = {
    "submitted": N_("New experience: {title}"),
    "selected": N_("Selected experience: {title}"),
}


def experience_line(_: Translator, news: ExperienceNews, theme_names: Sequence[str]) -> Html:
    """``• New experience: Terraces — Cordillera Alta · Peru`` (``→ Biodiversity`` if named)."""
    details = [escape(news.reserve), escape(country_name(news.country, _.language))]
    line = "• " + _(EXPERIENCE_EVENT_LABELS[news.event], title=bold(news.title))
    line += " — " + " · ".join(details)
    if theme_names:
        line += " → " + format_parts((escape(name) for name in theme_names), _.language)
    return Html(line)


def experiences_section(
    _: Translator,
    target: DigestTarget,
    news: Iterable[ExperienceNews],
    themes: Mapping[str, str],
) -> DigestSection | None:
    """Experiences newly submitted or selected, oldest first, keyed ``experience:<id>:<event>``.

    ``themes`` maps the slugs of the target's groups to their names in the reader's language;
    each line names its themes among them when the target follows several groups."""
    chosen = sorted(news, key=lambda n: (n.at, n.experience_id, n.event))
    if not chosen:
        return None
    with_themes = target.kind is not TargetKind.GROUP and len(target.group_ids) > 1
    items = tuple(
        DigestItem(
            f"experience:{n.experience_id}:{n.event}",
            n.at,
            experience_line(
                _, n, [themes[t] for t in n.themes if t in themes] if with_themes else []
            ),
        )
        for n in chosen
    )
    return DigestSection(_(EXPERIENCES_HEADING), items)
