"""Review, selection and publishing of experiences: the rules, as plain functions.

The status machine (who may move an experience from which status to which), the criteria and
their wording, the card an experience is published as, the ballot of a selection vote and the
notices to the author. No Telegram, no SQL. The ranking is in ``bot/reviews/ranking.py``, the
buttons' callback data in ``bot/reviews/callbacks.py``.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Final

from bot.countries import country_name, find_country
from bot.formats import format_parts
from bot.groups import find_group
from bot.i18n import N_, Translator
from bot.profile import Refusal
from bot.rendering import Html, bold, escape, italic, link, split_message
from bot.reviews.callbacks import CastVote
from storage.models import EXPERIENCE_STATUSES, Experience, ExperienceStatus, WorkingGroup

SCORES: Final = (1, 2, 3, 4, 5)
COMMENT_LIMIT: Final = 1000
NOTE_LIMIT: Final = 1000
"""A note to the author (changes requested, reason of a decline)."""
CAPTION_TITLE_LIMIT: Final = 200
ALBUM_LIMIT: Final = 10

# --- criteria -------------------------------------------------------------------------------

CRITERION_LABELS: Final[Mapping[str, str]] = {
    "relevance": N_("Relevance to the theme"),
    "results": N_("Demonstrated results"),
    "replicability": N_("Replicability"),
    "scalability": N_("Scalability"),
    "participation": N_("Community participation"),
    "innovation": N_("Innovation"),
}
"""The wording of the network file's default criteria; another slug is shown as it reads."""


def criterion_label(_: Translator, slug: str) -> str:
    """A criterion's name in the reader's language (an unknown slug, made readable)."""
    label = CRITERION_LABELS.get(slug)
    if label is not None:
        return _(label)
    return slug.replace("_", " ").replace("-", " ").capitalize()


# --- statuses and who may change them ---------------------------------------------------------

STATUS_LABELS: Final[Mapping[ExperienceStatus, str]] = {
    # Translators: an experience's status: feminine in es and fr, like “experience”.
    "submitted": N_("submitted"),
    # Translators: an experience's status: feminine in es and fr, like “experience”.
    "in_review": N_("in review"),
    # Translators: an experience's status: feminine in es and fr, like “experience”.
    "changes_requested": N_("changes requested"),
    # Translators: a status inside a sentence: feminine in es and fr, like “experience”.
    "accepted": N_("accepted"),
    # Translators: an experience's status: feminine in es and fr, like “experience”.
    "shortlisted": N_("shortlisted"),
    # Translators: an experience's status: feminine in es and fr, like “experience”.
    "selected": N_("selected"),
    # Translators: an experience's status: feminine in es and fr, like “experience”.
    "declined": N_("declined"),
    # Translators: an experience's status: feminine in es and fr, like “experience”.
    "withdrawn": N_("withdrawn"),
}


def status_label(_: Translator, status: ExperienceStatus) -> str:
    return _(STATUS_LABELS[status])


class Party(Enum):
    """Who stands in what relation to an experience."""

    AUTHOR = "author"
    REVIEWER = "reviewer"
    """A coordinator of one of its themes' groups, or the secretariat; never its author."""
    SECRETARIAT = "secretariat"


REVIEWABLE: Final[frozenset[ExperienceStatus]] = frozenset({"submitted", "in_review"})
"""Statuses a reviewer scores and decides in."""

TRANSITIONS: Final[Mapping[tuple[ExperienceStatus, ExperienceStatus], frozenset[Party]]] = {
    ("submitted", "in_review"): frozenset({Party.REVIEWER}),
    ("submitted", "accepted"): frozenset({Party.REVIEWER}),
    ("in_review", "accepted"): frozenset({Party.REVIEWER}),
    ("submitted", "changes_requested"): frozenset({Party.REVIEWER}),
    ("in_review", "changes_requested"): frozenset({Party.REVIEWER}),
    ("submitted", "declined"): frozenset({Party.REVIEWER}),
    ("in_review", "declined"): frozenset({Party.REVIEWER}),
    ("changes_requested", "declined"): frozenset({Party.REVIEWER}),
    ("changes_requested", "submitted"): frozenset({Party.AUTHOR}),
    ("submitted", "withdrawn"): frozenset({Party.AUTHOR}),
    ("in_review", "withdrawn"): frozenset({Party.AUTHOR}),
    ("changes_requested", "withdrawn"): frozenset({Party.AUTHOR}),
    ("accepted", "shortlisted"): frozenset({Party.REVIEWER}),
    ("accepted", "selected"): frozenset({Party.SECRETARIAT}),
    ("shortlisted", "selected"): frozenset({Party.SECRETARIAT}),
}
"""(from, to) -> who may make that move. Anything not listed is not allowed."""

NOTE_REQUIRED: Final[frozenset[ExperienceStatus]] = frozenset({"changes_requested", "declined"})


def parties(
    experience: Experience,
    person_id: int,
    coordinated_slugs: Collection[str],
    secretariat: bool,
) -> frozenset[Party]:
    """How the person stands to the experience (a person may be author and secretariat)."""
    found: set[Party] = set()
    is_author = experience.author_id is not None and experience.author_id == person_id
    if is_author:
        found.add(Party.AUTHOR)
    if secretariat:
        found.add(Party.SECRETARIAT)
    theme_coordinator = any(slug in coordinated_slugs for slug in experience.themes)
    if (secretariat or theme_coordinator) and not is_author:
        found.add(Party.REVIEWER)
    return frozenset(found)


def may_move(current: ExperienceStatus, target: ExperienceStatus, who: Collection[Party]) -> bool:
    """Whether someone standing as ``who`` may move the experience from current to target."""
    allowed = TRANSITIONS.get((current, target), frozenset())
    return any(party in allowed for party in who)


def sources(target: ExperienceStatus, who: Collection[Party]) -> frozenset[ExperienceStatus]:
    """Every status from which ``who`` may move to ``target`` (the compare-and-set's set)."""
    return frozenset(
        source
        for (source, to), allowed in TRANSITIONS.items()
        if to == target and any(party in allowed for party in who)
    )


# --- cards ---------------------------------------------------------------------------------


def theme_names(_: Translator, experience: Experience, groups: Iterable[WorkingGroup]) -> str:
    by_slug = {g.slug: g for g in groups}
    return format_parts(
        (by_slug[slug].name(_.language) if slug in by_slug else slug for slug in experience.themes),
        _.language,
    )


def render_card(
    _: Translator,
    experience: Experience,
    groups: Iterable[WorkingGroup],
    *,
    full: bool = False,
) -> Html:
    """The experience as it is published: title, reserve, country, themes, summary, results,
    how to replicate, contact. ``full`` adds every other field (for reviewers)."""
    e = experience
    lines = [
        bold(e.title),
        italic(f"{e.reserve} · {country_name(e.country, _.language)}"),
        _("Themes: {themes}", themes=theme_names(_, e, groups)),
        "",
        escape(e.summary),
    ]
    sections: list[tuple[str, str | None]] = []
    if full:
        sections += [
            (_("Challenge"), e.challenge),
            (_("What was done"), e.building_blocks),
            (_("Enabling factors"), e.enabling_factors),
        ]
    sections.append((_("Results and impacts"), e.results))
    if full:
        sections.append((_("Lessons learned"), e.lessons))
    sections.append((_("How to replicate"), e.replicability))
    if full:
        sections.append((_("Partners"), e.partners))
    sections.append((_("Contact"), e.contact))
    for heading, value in sections:
        if value:
            lines += ["", bold(heading), escape(value)]
    if e.links:
        lines += ["", bold(_("Links"))]
        lines += [_link_line(url) for url in e.links]
    return Html("\n".join(lines))


def _link_line(url: str) -> Html:
    if re.match(r"^https?://\S+$", url):
        return link(url, url)
    return escape(url)


def card_parts(card: Html) -> list[Html]:
    """The card in messages below Telegram's limit."""
    return [Html(part) for part in split_message(card)]


def album_caption(experience: Experience) -> Html:
    """The caption of the album's first photo: the title (Telegram allows 1024 characters)."""
    title = experience.title
    if len(title) > CAPTION_TITLE_LIMIT:
        title = title[: CAPTION_TITLE_LIMIT - 1].rstrip() + "…"
    return bold(title)


def album_photos(experience: Experience) -> list[str]:
    """The file ids of the experience's photos, in the author's order (at most 10)."""
    return [f.file_id for f in experience.files if f.kind == "photo"][:ALBUM_LIMIT]


BUTTON_TITLE_LIMIT: Final = 40


def echo_title(title: str) -> str:
    """A title short enough for a button."""
    if len(title) <= BUTTON_TITLE_LIMIT:
        return title
    return title[: BUTTON_TITLE_LIMIT - 1].rstrip() + "…"


def render_queue_line(
    _: Translator, experience: Experience, groups: Iterable[WorkingGroup]
) -> Html:
    # Translators: one line of the list of experiences: number, title, biosphere reserve, its
    # themes joined with commas, its status.
    return _(
        "#{id} {title} ({reserve}) · {themes} · {status}",
        id=experience.id,
        title=experience.title,
        reserve=experience.reserve,
        themes=theme_names(_, experience, groups),
        status=status_label(_, experience.status),
    )


# --- the ballot of a selection vote ---------------------------------------------------------

ButtonRows = list[list[tuple[str, str]]]
"""Rows of (label, callback data): a keyboard without Telegram's types."""


def ballot(
    _: Translator,
    round_id: int,
    group: WorkingGroup,
    experiences: Sequence[Experience],
    voted: Collection[int],
) -> tuple[Html, ButtonRows]:
    """The ballot a member reads: the shortlisted experiences, a button each (✅ when voted)."""
    lines = [
        bold(_("Selection vote of {group}", group=group.name(_.language))),
        _(
            "Vote for the experiences the network should share: one vote per experience, "
            "tap again to take it back."
        ),
        "",
    ]
    lines += [
        _("#{id} {title} ({reserve})", id=e.id, title=e.title, reserve=e.reserve)
        for e in experiences
    ]
    rows = [
        [
            (
                f"{'✅' if e.id in voted else '☐'} #{e.id} {echo_title(e.title)}",
                CastVote(round_id, e.id).pack(),
            )
        ]
        for e in experiences
    ]
    return Html("\n".join(lines)), rows


def inline_keyboard(rows: ButtonRows) -> dict[str, object]:
    """The rows as the Bot API's ``reply_markup`` (for the outbox)."""
    return {
        "inline_keyboard": [
            [{"text": label, "callback_data": data} for label, data in row] for row in rows
        ]
    }


# --- telling the author -----------------------------------------------------------------------

_STATUS_NOTICES: Final[Mapping[ExperienceStatus, str]] = {
    "in_review": N_("Your experience “{title}” is being reviewed."),
    "changes_requested": N_(
        "Changes are requested on your experience “{title}”. Edit it with /myexperiences and "
        "send it again."
    ),
    "accepted": N_("Your experience “{title}” has been accepted. Thank you!"),
    "shortlisted": N_("Your experience “{title}” is on the shortlist for the selection."),
    "selected": N_(
        "Your experience “{title}” has been selected and is now published for the whole network."
    ),
    "declined": N_("Your experience “{title}” has been declined."),
    "withdrawn": N_("Your experience “{title}” has been withdrawn."),
    "submitted": N_("Your experience “{title}” has been sent again for review."),
}


def status_notice(
    _: Translator, experience: Experience, status: ExperienceStatus, note: str | None
) -> Html:
    """What the author is told of a change of status, in their language (note included)."""
    text = _(_STATUS_NOTICES[status], title=experience.title)
    if note and status == "changes_requested":
        extra = _("Note from the reviewer: {note}", note=note)
        return Html(f"{text}\n\n{extra}")
    if note and status == "declined":
        reason = _("Reason: {note}", note=note)
        return Html(f"{text}\n\n{reason}")
    return text


# --- browsing ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Browse:
    """What /experiences shows: by theme slug, country code or status (all None: everything)."""

    theme: str | None = None
    country: str | None = None
    status: ExperienceStatus | None = None


def parse_browse(query: str, groups: Sequence[WorkingGroup], language: str) -> Browse | None:
    """A theme (group slug or name), a status, or a country; None when it is none of them."""
    text = query.strip()
    if not text:
        return Browse()
    folded = text.casefold().replace(" ", "_")
    for status in EXPERIENCE_STATUSES:
        if folded == status:
            return Browse(status=status)
    group = find_group(groups, text)
    if group is not None:
        return Browse(theme=group.slug)
    found = find_country(text)
    if found.match is not None:
        return Browse(country=found.match)
    return None


def matches(experience: Experience, browse: Browse) -> bool:
    if browse.theme is not None and browse.theme not in experience.themes:
        return False
    if browse.country is not None and experience.country != browse.country:
        return False
    return browse.status is None or experience.status == browse.status


# --- why not -------------------------------------------------------------------------------

STALE: Final = N_("This button is no longer valid.")
NO_EXPERIENCE: Final = N_("There is no experience #{id}.")
ALREADY_DECIDED: Final = N_("Experience #{id} has already been decided: it is {status}.")
NOT_YOURS_TO_REVIEW: Final = N_(
    "Only the coordinators of its working groups and the secretariat review #{id}; "
    "nobody reviews their own experience."
)
TOO_LONG: Final = N_("That is {n} characters; at most {limit} fit.")
NOT_ACCEPTED: Final = N_("Only accepted experiences go on the shortlist; #{id} is {status}.")
# Translators: {id} is an experience's number; {status} is one of the lowercase statuses
# (“accepted”, “declined”…), feminine in es and fr.
NOT_SELECTABLE: Final = N_(
    "#{id} is {status}: only accepted or shortlisted experiences are selected."
)
VOTE_CLOSED: Final = N_("This vote is closed.")
MEMBERS_VOTE: Final = N_("Only members of the working group vote.")


def already_decided(experience: Experience) -> Refusal:
    return Refusal(ALREADY_DECIDED, {"id": experience.id, "status": experience.status})


def explain(_: Translator, refusal: Refusal) -> str:
    """A refusal in the reader's language (a status it names, translated too)."""
    values = dict(refusal.values)
    status = values.get("status")
    if isinstance(status, str) and status in STATUS_LABELS:
        values["status"] = _(STATUS_LABELS[status])  # type: ignore[index]
    return _(refusal.message, **values)


def noted_decision(decision: object) -> ExperienceStatus:
    """The decision a typed note completes (a decline, else a request for changes)."""
    return "declined" if decision == "declined" else "changes_requested"


# --- decisions and ids ---------------------------------------------------------------------

DECISIONS: Final[Mapping[str, ExperienceStatus | None]] = {
    "a": "accepted",
    "c": "changes_requested",
    "d": "declined",
    "l": None,
}
"""The letter of a decision button (accept, request changes, decline, later) -> the status."""


def parse_ids(args: Sequence[str]) -> list[int] | None:
    """``12 15 #17`` -> [12, 15, 17] (each once, in order); None if any is not a number."""
    ids: list[int] = []
    for arg in args:
        for part in arg.split(","):
            part = part.strip().lstrip("#")
            if not part:
                continue
            if not part.isdigit() or len(part) > 9:
                return None
            if int(part) not in ids:
                ids.append(int(part))
    return ids
