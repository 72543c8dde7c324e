"""Digests: the rules (pure) — schedules, the next due time in a zone, targets, the text.

A digest goes to one *target*: a working group's linked chat, the network's channel, or a
person who switched on a personal digest. Each target has a schedule (``daily``, ``weekly`` on
Mondays, ``monthly`` on the 1st), always at 09:00 in the target's zone, DST-correct. Its content
comes from *section providers* (:class:`SectionProvider`): each gives the items it has for the
target between two times, each item with a stable key, so an item is never sent to the same
target twice. The service (``bot/digests/service.py``) reads the schedules, asks the providers,
queues the text through the outbox and records what it sent; ``bot/digests/schedule.py`` runs
it as due work.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Final, Literal, Protocol
from zoneinfo import ZoneInfo

from bot import formats
from bot.i18n import N_, Translator
from bot.rendering import SAFE_MESSAGE_LIMIT, Html, bold, split_message, visible_length

Frequency = Literal["daily", "weekly", "monthly", "off"]
FREQUENCIES: Final[tuple[Frequency, ...]] = ("daily", "weekly", "monthly", "off")
DIGEST_TIME: Final = time(9, 0)
"""Every digest goes out at this local time of its target."""
DEFAULT_FREQUENCY: Final[Frequency] = "weekly"


class TargetKind(enum.StrEnum):
    GROUP = "group"
    NETWORK = "network"
    PERSON = "person"


FREQUENCY_LABELS: Final[dict[Frequency, str]] = {
    # Translators: a digest's frequency, completes “The digest of {group} is now …”.
    "daily": N_("daily"),
    # Translators: a digest's frequency, completes “The digest of {group} is now …”.
    "weekly": N_("weekly, on Mondays"),
    # Translators: a digest's frequency, completes “The digest of {group} is now …”.
    "monthly": N_("monthly, on the 1st"),
    # Translators: a digest's frequency, completes “The digest of {group} is now …”.
    "off": N_("off"),
}


def parse_frequency(text: str) -> Frequency | None:
    """``daily``, ``weekly``, ``monthly`` or ``off`` (any case); None for anything else."""
    word = text.strip().lower()
    for frequency in FREQUENCIES:
        if word == frequency:
            return frequency
    return None


# When


def _is_digest_day(frequency: Frequency, day: date) -> bool:
    if frequency == "daily":
        return True
    if frequency == "weekly":
        return day.weekday() == 0
    if frequency == "monthly":
        return day.day == 1
    return False


def local_slot(day: date, zone: ZoneInfo, at: time = DIGEST_TIME) -> datetime:
    """``at`` on ``day`` in ``zone``, in UTC (a time skipped by DST moves forward with it)."""
    wall = datetime.combine(day, at, tzinfo=zone)
    return wall.astimezone(UTC).astimezone(zone).astimezone(UTC)


def next_due(
    frequency: Frequency, zone: ZoneInfo, after: datetime, at: time = DIGEST_TIME
) -> datetime | None:
    """The first digest time of ``frequency`` strictly after ``after`` (UTC); None when off."""
    if frequency == "off":
        return None
    day = after.astimezone(zone).date() - timedelta(days=1)
    for _ in range(40):  # a month and a margin: every frequency has a slot in it
        if _is_digest_day(frequency, day):
            slot = local_slot(day, zone, at)
            if slot > after:
                return slot
        day += timedelta(days=1)
    raise AssertionError("no digest day within 40 days")  # pragma: no cover


def period_length(frequency: Frequency) -> timedelta:
    """About one period: what a new schedule's first digest looks back over."""
    return {"daily": timedelta(days=1), "monthly": timedelta(days=31)}.get(
        frequency, timedelta(days=7)
    )


def format_when(moment: datetime, zone: ZoneInfo, language: str) -> str:
    """``Monday, March 9, 2026 09:00 (Madrid)``: in the reader's zone, zone named."""
    return formats.format_when(moment, zone, language)


# What


@dataclass(frozen=True)
class DigestTarget:
    """Who reads a digest: its kind, the groups it covers, the reader's zone and language."""

    kind: TargetKind
    schedule_id: int
    group_ids: frozenset[int]
    """The groups whose news it carries (every group for the network digest)."""
    zone: ZoneInfo
    language: str
    person_id: int | None = None
    """The reader of a personal digest (their own news is left out)."""
    title: str = ""
    """The group's name, for a group digest."""


@dataclass(frozen=True)
class DigestItem:
    """One line of a section, with a key that is stable across digests."""

    key: str
    at: datetime
    """When it happened (the runtime keeps only items up to the digest's time)."""
    line: Html


@dataclass(frozen=True)
class DigestSection:
    """A heading and its items, in order."""

    heading: Html
    items: tuple[DigestItem, ...] = field(default=())


@dataclass(frozen=True)
class DigestRequest:
    """What a provider is asked: for this target, what happened in ``(since, until]``."""

    target: DigestTarget
    since: datetime
    until: datetime
    tr: Translator


class SectionProvider(Protocol):
    """A source of one digest section (new members; later meetings, experiences).

    Return every candidate item: the runtime drops the ones the target was already sent and
    the section when nothing is left.
    """

    async def section(self, request: DigestRequest) -> DigestSection | None: ...


def unsent(sections: Iterable[DigestSection | None], sent: frozenset[str]) -> list[DigestSection]:
    """The sections with the items not yet sent; sections left empty are dropped."""
    kept = []
    for section in sections:
        if section is None:
            continue
        items = tuple(item for item in section.items if item.key not in sent)
        if items:
            kept.append(DigestSection(section.heading, items))
    return kept


def item_keys(sections: Sequence[DigestSection]) -> list[str]:
    return [item.key for section in sections for item in section.items]


def digest_title(_: Translator, target: DigestTarget) -> Html:
    if target.kind is TargetKind.GROUP:
        return bold(_("Digest of {group}", group=target.title))
    if target.kind is TargetKind.NETWORK:
        return bold(_("Network digest"))
    return bold(_("Your digest"))


def render_section(section: DigestSection) -> str:
    return "\n".join([bold(section.heading), *(item.line for item in section.items)])


def compose(
    title: str, sections: Sequence[DigestSection], limit: int = SAFE_MESSAGE_LIMIT
) -> list[str]:
    """The digest as messages below ``limit``: the title, then the sections, split between
    sections (a section too long for one message is split on its lines). Empty: no message."""
    if not sections:
        return []
    blocks = [title, *(render_section(section) for section in sections)]
    messages: list[str] = []
    current = ""
    for block in blocks:
        candidate = f"{current}\n\n{block}" if current else block
        if visible_length(candidate) <= limit:
            current = candidate
            continue
        if current:
            messages.append(current)
        if visible_length(block) <= limit:
            current = block
        else:
            *whole, current = split_message(block, limit)
            messages.extend(whole)
    messages.append(current)
    return messages


def dedupe_key(schedule_id: int, period: datetime, part: int = 0) -> str:
    """``digest:<schedule>:<period start>`` (``:<n>`` for the n-th further message)."""
    stamp = period.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    key = f"digest:{schedule_id}:{stamp}"
    return key if part == 0 else f"{key}:{part + 1}"
