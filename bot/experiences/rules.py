"""Experience rules: the steps of ``/submit``, what each accepts, and the card as published.

An experience in progress lives in a draft (a JSON object keyed by field name; docs/developers.md,
"Conversations in drafts"); it becomes a row of ``experiences`` only when its author sends it.
Every reader function answers either the clean value or a :class:`~bot.profile.Refusal` (a message
id and its values, translated by the handler) and never changes anything. The card is the
experience as the network will see it: every value written by a person is HTML-escaped.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, Literal

from bot.countries import country_name
from bot.formats import format_names, format_parts
from bot.i18n import N_, Translator
from bot.profile import Refusal, clean
from bot.rendering import Html, bold, escape, split_message
from storage import Experience, ExperienceFile, ExperienceStatus, Person
from storage.experiences import TEXT_FIELDS

StepKind = Literal["text", "country", "themes", "links", "files"]


@dataclass(frozen=True)
class Step:
    """One step of ``/submit``: one field of the experience."""

    name: str
    """The field (a column of ``experiences``, or ``files``) and the key in the draft."""
    label: str
    """Message id naming the field (edit menu, card headings)."""
    prompt: str
    """Message id of the question; may use ``{limit}``."""
    kind: StepKind
    optional: bool
    limit: int
    """Characters for text, per link for links, how many for files."""
    multiline: bool = False


MAX_FILES: Final = 5
MAX_LINKS: Final = 5
MAX_FILE_BYTES: Final = 20 * 1024 * 1024
"""Telegram's download limit for bots: a bigger file could never be fetched again."""
MEGABYTE: Final = 1024 * 1024

STEPS: Final[tuple[Step, ...]] = (
    Step(
        "title",
        N_("Title"),
        N_("What is the title of your experience? (at most {limit} characters)"),
        "text",
        optional=False,
        limit=120,
    ),
    Step(
        "reserve",
        N_("Biosphere reserve"),
        N_("In which biosphere reserve did it happen? (at most {limit} characters)"),
        "text",
        optional=False,
        limit=120,
    ),
    Step(
        "country",
        N_("Country"),
        N_("In which country? Type its name or its two-letter code (PE for Peru)."),
        "country",
        optional=False,
        limit=0,
    ),
    Step(
        "themes",
        N_("Themes"),
        N_("Which themes does it belong to? Tap one or several, then Done."),
        "themes",
        optional=False,
        limit=0,
    ),
    Step(
        "summary",
        N_("Summary"),
        N_("Summarise it in a few sentences (at most {limit} characters)."),
        "text",
        optional=False,
        limit=600,
        multiline=True,
    ),
    Step(
        "challenge",
        N_("Challenge"),
        N_("Which challenge did it address? (at most {limit} characters)"),
        "text",
        optional=True,
        limit=1000,
        multiline=True,
    ),
    Step(
        "building_blocks",
        N_("What was done"),
        N_(
            "What was done? Describe the building blocks, the main steps "
            "(at most {limit} characters)."
        ),
        "text",
        optional=True,
        limit=2000,
        multiline=True,
    ),
    Step(
        "enabling_factors",
        N_("Enabling factors"),
        N_("What made it possible: the enabling factors (at most {limit} characters)?"),
        "text",
        optional=True,
        limit=1000,
        multiline=True,
    ),
    Step(
        "results",
        N_("Results and impacts"),
        N_(
            "What were the results and impacts? Give numbers where you have some "
            "(at most {limit} characters)."
        ),
        "text",
        optional=True,
        limit=1500,
        multiline=True,
    ),
    Step(
        "lessons",
        N_("Lessons learned"),
        N_("What lessons did you learn? (at most {limit} characters)"),
        "text",
        optional=True,
        limit=1000,
        multiline=True,
    ),
    Step(
        "replicability",
        N_("Replicability and scalability"),
        N_(
            "What would another reserve need to do the same, or to do it at a larger scale? "
            "(at most {limit} characters)"
        ),
        "text",
        optional=True,
        limit=1000,
        multiline=True,
    ),
    Step(
        "partners",
        N_("Partners"),
        N_("Who were the partners? (at most {limit} characters)"),
        "text",
        optional=True,
        limit=500,
        multiline=True,
    ),
    Step(
        "contact",
        N_("Contact"),
        N_("Whom can people contact about it (name, email)? (at most {limit} characters)"),
        "text",
        optional=True,
        limit=300,
    ),
    Step(
        "links",
        N_("Links"),
        N_(
            "Links to read more: type up to {count} web addresses, separated by spaces "
            "or new lines."
        ),
        "links",
        optional=True,
        limit=300,
    ),
    Step(
        "files",
        N_("Photos and documents"),
        N_(
            "Send up to {count} photos or documents (each at most {size} MB), one by one. "
            "Tap Done when ready."
        ),
        "files",
        optional=True,
        limit=MAX_FILES,
    ),
)
"""The steps of ``/submit`` in order."""

BY_NAME: Final[Mapping[str, Step]] = {step.name: step for step in STEPS}
STEP_NAMES: Final[tuple[str, ...]] = tuple(step.name for step in STEPS)
PREVIEW: Final = "preview"
"""The step after the last: the card with Send / Edit / Cancel."""

STATUS_LABELS: Final[Mapping[ExperienceStatus, str]] = {
    # Translators: an experience's status: feminine in es and fr, like “experience”.
    "submitted": N_("Submitted"),
    # Translators: an experience's status: feminine in es and fr, like “experience”.
    "in_review": N_("In review"),
    # Translators: an experience's status: feminine in es and fr, like “experience”.
    "changes_requested": N_("Changes requested"),
    # Translators: an experience's status: feminine in es and fr, like “experience”.
    "accepted": N_("Accepted"),
    # Translators: an experience's status: feminine in es and fr, like “experience”.
    "shortlisted": N_("Shortlisted"),
    # Translators: an experience's status: feminine in es and fr, like “experience”.
    "selected": N_("Selected"),
    # Translators: an experience's status: feminine in es and fr, like “experience”.
    "declined": N_("Declined"),
    # Translators: an experience's status: feminine in es and fr, like “experience”.
    "withdrawn": N_("Withdrawn"),
}
"""Each status as authors and reviewers read it."""

CARD_SECTIONS: Final[tuple[str, ...]] = tuple(
    name for name in TEXT_FIELDS if name not in ("title", "reserve", "country")
)
"""The text fields the card shows as headed sections, in order."""

_URL: Final = re.compile(r"(?i)(https?://)?[^\s/@:]+\.[^\s/@:]{2,}(:\d+)?(/\S*)?")
_LINK_SEPARATORS: Final = re.compile(r"[\s,;，、；]+")
_BLANK_LINES: Final = re.compile(r"\n{3,}")


# --- the order of the steps ----------------------------------------------------------------


def step_of(name: str) -> Step:
    return BY_NAME[name]


def step_number(name: str) -> int:
    """1 for the first step ... 15 for the last."""
    return STEP_NAMES.index(name) + 1


def next_step(name: str, answers: Mapping[str, Any]) -> str:
    """The step after ``name``; the preview after the last or when editing from the preview."""
    if answers.get("return_to") == PREVIEW or name == STEP_NAMES[-1]:
        return PREVIEW
    return STEP_NAMES[STEP_NAMES.index(name) + 1]


def previous_step(name: str, answers: Mapping[str, Any]) -> str | None:
    """Where Back leads: the step before, the preview when editing from it, None on the first."""
    if answers.get("return_to") == PREVIEW:
        return PREVIEW
    index = STEP_NAMES.index(name)
    return STEP_NAMES[index - 1] if index > 0 else None


def prompt_values(step: Step) -> dict[str, int]:
    """The values a step's prompt names."""
    if step.kind == "links":
        return {"count": MAX_LINKS}
    if step.kind == "files":
        return {"count": MAX_FILES, "size": MAX_FILE_BYTES // MEGABYTE}
    return {"limit": step.limit}


def initial_answers(person: Person) -> dict[str, Any]:
    """A new draft: reserve and country from the person's profile, nothing else yet."""
    return {
        "reserve": person.reserve,
        "country": person.country,
        "themes": [],
        "links": [],
        "files": [],
    }


def missing_required(answers: Mapping[str, Any]) -> list[str]:
    """Required steps still without an answer, in step order."""
    return [step.name for step in STEPS if not step.optional and not answers.get(step.name)]


def has_answer(answers: Mapping[str, Any], name: str) -> bool:
    return bool(answers.get(name))


# --- reading answers -----------------------------------------------------------------------


def clean_multiline(text: str) -> str:
    """Trimmed lines, runs of blank lines made one, spaces inside a line collapsed."""
    lines = [" ".join(line.split()) for line in text.strip().splitlines()]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def read_text(step: Step, text: str) -> str | Refusal:
    """A typed answer for a text step, within the step's limit (counted in characters)."""
    answer = clean_multiline(text) if step.multiline else clean(text)
    if not answer:
        return Refusal(N_("Please type an answer, or use the buttons."))
    if len(answer) > step.limit:
        return too_long(step.limit, len(answer))
    return answer


def too_long(limit: int, length: int) -> Refusal:
    return Refusal(
        N_(
            "That is too long: at most {limit} characters here, and yours has {length}. "
            "Please type a shorter answer."
        ),
        {"limit": limit, "length": length},
    )


def read_links(text: str) -> list[str] | Refusal:
    """Up to :data:`MAX_LINKS` web addresses; ``www.x.org`` becomes ``https://www.x.org``."""
    items = [item for item in _LINK_SEPARATORS.split(text.strip()) if item]
    if not items:
        return Refusal(N_("Please type an answer, or use the buttons."))
    if len(items) > MAX_LINKS:
        return Refusal(N_("At most {limit} links, please."), {"limit": MAX_LINKS})
    links: list[str] = []
    limit = BY_NAME["links"].limit
    for item in items:
        if len(item) > limit:
            return too_long(limit, len(item))
        if not _URL.fullmatch(item):
            return Refusal(
                N_("“{link}” does not look like a web address (like https://example.org)."),
                {"link": item[:80]},
            )
        link = item if item.lower().startswith(("http://", "https://")) else f"https://{item}"
        if link not in links:
            links.append(link)
    return links


def toggle(items: Sequence[str], item: str) -> list[str]:
    """``items`` with ``item`` added at the end, or removed if it was there."""
    return [i for i in items if i != item] if item in items else [*items, item]


@dataclass(frozen=True)
class IncomingFile:
    """A photo or document as it arrived, before it is accepted."""

    kind: Literal["photo", "document"]
    file_id: str
    file_unique_id: str
    file_size: int | None
    file_name: str | None = None
    mime_type: str | None = None

    def as_data(self) -> dict[str, Any]:
        """The file as the draft keeps it (JSON)."""
        return {
            "kind": self.kind,
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_name": self.file_name,
            "mime_type": self.mime_type,
            "file_size": self.file_size,
        }


def add_file(files: Sequence[Mapping[str, Any]], incoming: IncomingFile) -> list[Any] | Refusal:
    """The draft's files with ``incoming`` added; refused past 5 files or over 20 MB."""
    size = incoming.file_size
    if size is not None and size > MAX_FILE_BYTES:
        return Refusal(
            N_(
                "That file has {size} MB: the limit is {limit} MB per file. "
                "Please send a smaller one."
            ),
            {"size": f"{size / MEGABYTE:.1f}", "limit": MAX_FILE_BYTES // MEGABYTE},
        )
    if len(files) >= MAX_FILES:
        return Refusal(
            N_("You already have {limit} files, the most an experience can have."),
            {"limit": MAX_FILES},
        )
    if any(f.get("file_unique_id") == incoming.file_unique_id for f in files):
        return Refusal(N_("You already sent that file."))
    return [*files, incoming.as_data()]


def files_of(data: Iterable[Mapping[str, Any]]) -> list[ExperienceFile]:
    """The draft's files as stored (positions 1..n)."""
    return [
        ExperienceFile(
            position=position,
            kind=item["kind"],
            file_id=str(item["file_id"]),
            file_unique_id=str(item["file_unique_id"]),
            file_name=item.get("file_name"),
            mime_type=item.get("mime_type"),
            file_size=item.get("file_size"),
        )
        for position, item in enumerate(data, start=1)
    ]


# --- between drafts and experiences ----------------------------------------------------------


def experience_fields(answers: Mapping[str, Any]) -> dict[str, Any]:
    """The columns to store for a draft's answers (files apart)."""
    fields: dict[str, Any] = {}
    for step in STEPS:
        if step.kind == "files":
            continue
        value = answers.get(step.name)
        if step.kind in ("themes", "links"):
            fields[step.name] = list(value or [])
        else:
            fields[step.name] = value or None
    return fields


def field_value(name: str, value: Any) -> Any:
    """One answer as :meth:`ExperiencesRepository.update_fields` takes it."""
    if BY_NAME[name].kind in ("themes", "links"):
        return list(value or [])
    return value or None


def answers_of(experience: Experience) -> dict[str, Any]:
    """A stored experience as draft answers (to edit it, or to show its card)."""
    answers: dict[str, Any] = {
        step.name: getattr(experience, step.name) for step in STEPS if step.kind != "files"
    }
    answers["themes"] = list(experience.themes)
    answers["links"] = list(experience.links)
    answers["files"] = [
        IncomingFile(
            f.kind, f.file_id, f.file_unique_id, f.file_size, f.file_name, f.mime_type
        ).as_data()
        for f in experience.files
    ]
    return answers


# --- how it looks --------------------------------------------------------------------------


def display(tr: Translator, name: str, value: Any, themes: Mapping[str, str]) -> Html:
    """An answer as the reader sees it on one line, escaped; a dash for none."""
    if not value:
        return Html("—")
    kind = BY_NAME[name].kind
    if kind == "country":
        return escape(country_name(str(value), tr.language))
    if kind == "themes":
        return escape(format_parts((themes.get(slug, slug) for slug in value), tr.language))
    if kind == "links":
        return escape(" ".join(value))
    if kind == "files":
        return files_summary(tr, value)
    return escape(value)


def files_summary(tr: Translator, files: Sequence[Mapping[str, Any]]) -> Html:
    """ "2 photos, 1 document"."""
    photos = sum(1 for f in files if f.get("kind") == "photo")
    documents = len(files) - photos
    parts: list[str] = []
    if photos:
        parts.append(tr.plural("{n} photo", "{n} photos", photos))
    if documents:
        parts.append(tr.plural("{n} document", "{n} documents", documents))
    return Html(format_names(parts, tr.language) if parts else "—")


def card(
    tr: Translator,
    answers: Mapping[str, Any],
    themes: Mapping[str, str],
    *,
    status: ExperienceStatus | None = None,
) -> Html:
    """The experience as it will be published, in the reader's language, every value escaped.

    ``answers`` are draft answers (:func:`answers_of` turns a stored experience into them);
    ``themes`` names theme slugs in the reader's language. Each line is balanced HTML, so
    :func:`card_messages` may split it on any line.
    """
    lines: list[str] = [bold(answers.get("title") or "—")]
    place = [str(answers.get("reserve") or "")]
    if answers.get("country"):
        place.append(country_name(str(answers["country"]), tr.language))
    lines.append(escape(" · ".join(part for part in place if part)))
    if answers.get("themes"):
        lines.append(tr("<i>{themes}</i>", themes=display(tr, "themes", answers["themes"], themes)))
    if status is not None:
        lines.append(tr("<b>Status:</b> {status}", status=tr(STATUS_LABELS[status])))
    for name in CARD_SECTIONS:
        value = answers.get(name)
        if value:
            lines += ["", bold(tr(BY_NAME[name].label)), escape(value)]
    links, files = BY_NAME["links"], BY_NAME["files"]
    if answers.get("links"):
        lines += ["", bold(tr(links.label)), *(escape(u) for u in answers["links"])]
    if answers.get("files"):
        label = tr(files.label)
        lines += [
            "",
            # Translators: {label} is the field's name (“Photos and documents”); {files} counts
            # them (“2 photos, 1 document”).
            tr("<b>{label}:</b> {files}", label=label, files=files_summary(tr, answers["files"])),
        ]
    return Html("\n".join(lines))


def card_messages(text: str) -> list[Html]:
    """A card (or any long text of balanced lines) in messages below Telegram's limit."""
    return [Html(chunk) for chunk in split_message(text)]


# --- who may change a sent experience ----------------------------------------------------------

EDITABLE: Final[frozenset[ExperienceStatus]] = frozenset({"submitted", "changes_requested"})
"""Statuses in which the author may change the text of a sent experience.

An experience in review (``in_review``: a reviewer has scored it) is locked for its author.
The other choice, an edit sending it back to review with the scores kept but marked as given
to an earlier text, was weighed and left: every score, the ranking, the comment and the
decision would then have to say which text they refer to, and an accepted experience could
still be one nobody read (issue 12: scored, edited into a spam link, accepted). Locked, what
the reviewers scored is what they decide on. The author keeps two ways out: a reviewer's
"Request changes" opens the text again, and withdrawing stays allowed.
"""

LOCKED_IN_REVIEW: Final = N_(
    "“{title}” is being reviewed, so it cannot be changed now: a reviewer can request "
    "changes, or you can withdraw it."
)
"""The one-line answer to an edit of an experience in review."""


def may_edit(status: ExperienceStatus) -> bool:
    """Whether the author may change the text (see :data:`EDITABLE`)."""
    return status in EDITABLE


def edit_refusal(experience: Experience) -> Refusal | None:
    """Why the author may not change the experience now; None when they may."""
    if experience.status == "in_review":
        return Refusal(LOCKED_IN_REVIEW, {"title": experience.title})
    if not may_edit(experience.status):
        return Refusal(N_("This experience was decided meanwhile: nothing changed."))
    return None


# --- reviewers -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Reader:
    """Someone who receives a notice: their private chat and language."""

    telegram_id: int
    person_id: int | None
    language: str | None


def reviewers(
    coordinators: Iterable[Reader], secretariat: Iterable[Reader], author: Person | None
) -> list[Reader]:
    """Who is told of a submission: the coordinators of its themes and the secretariat, each
    once, never the author."""
    chosen: dict[int, Reader] = {}
    for reader in (*coordinators, *secretariat):
        if author is not None and (
            reader.telegram_id == author.telegram_id or reader.person_id == author.id
        ):
            continue
        chosen.setdefault(reader.telegram_id, reader)
    return list(chosen.values())


def notice_key(experience_id: int, round_number: int, chat_id: int) -> str:
    """The outbox key of a reviewer's notice: one per submission round and reader."""
    return f"experience:{experience_id}:submitted:{round_number}:{chat_id}"


def notice(
    tr: Translator,
    experience: Experience,
    author: str,
    themes: Mapping[str, str],
    *,
    resubmitted: bool,
) -> Html:
    """The notice a reviewer reads (its Review button is added by the handler)."""
    if resubmitted:
        head = tr("An experience was resubmitted after changes:")
    else:
        head = tr("A new experience was submitted for review:")
    place = f"{experience.reserve} · {country_name(experience.country, tr.language)}"
    names = format_parts((themes.get(slug, slug) for slug in experience.themes), tr.language)
    lines = [
        head,
        bold(experience.title),
        escape(place),
        tr("<i>{themes}</i>", themes=names),
        # Translators: {author} is the name of the member who submitted the experience.
        tr("By {author}.", author=author),
    ]
    return Html("\n".join(lines))
