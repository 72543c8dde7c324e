"""How a meeting reads: announcements, reminders, nudges, change notices, members' clocks.

Pure functions (no Telegram, no database): a :class:`MeetingView` and the reader's translator
and zone in, HTML out; the answer buttons as the Bot API spells an inline keyboard.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.formats import format_names, format_utc, format_when, zone_name
from bot.i18n import Translator
from bot.meetings.buttons import CODE_BY_ANSWER, AddToCalendar, Rsvp
from bot.meetings.recurrence import RECURRENCE_LABELS, Recurrence
from bot.meetings.rules import (
    ANSWER_LABELS,
    ANSWERS,
    NUDGE_OFFSET,
    Answer,
    Spread,
    format_duration,
    format_offset,
)
from bot.rendering import Html, bold, escape, link


def render_spread(tr: Translator, spread: Spread) -> Html | None:
    """``members: 06:00 in Lima … 22:00 in Shanghai; 3 people outside 08:00–21:00``."""
    if spread.earliest is None or spread.latest is None:
        return None

    def place(item: tuple[datetime, str]) -> Html:
        local, zone = item
        # Translators: a local time and the city that names the zone: “06:00 in Lima”.
        return tr("{time} in {city}", time=f"{local:%H:%M}", city=zone_name(zone, tr.language))

    span = place(spread.earliest)
    if spread.latest[0].utcoffset() != spread.earliest[0].utcoffset():
        span = Html(f"{span} … {place(spread.latest)}")
    outside = tr.plural(
        "{n} person outside 08:00–21:00", "{n} people outside 08:00–21:00", spread.outside
    )
    # Translators: {span} is where the members' local times fall (“06:00 in Lima … 22:00 in
    # Shanghai”); {outside} is “3 people outside 08:00–21:00”.
    return tr("Members: {span}; {outside}.", span=span, outside=outside)


# --- how a meeting reads --------------------------------------------------------------


@dataclass(frozen=True)
class MeetingView:
    """What any message about one occurrence shows (built from the stored meeting)."""

    meeting_id: int
    occurrence_id: int
    title: str
    groups: Sequence[str]
    start: datetime
    duration_minutes: int
    link: str | None
    agenda: str | None
    recurrence: Recurrence
    cancelled: bool = False


def when_lines(tr: Translator, start: datetime, zone: ZoneInfo) -> list[Html]:
    """The start in the reader's zone (zone named) and in UTC."""
    return [
        tr("🕒 {when}", when=format_when(start, zone, tr.language)),
        tr("🌐 {utc} UTC", utc=format_utc(start, tr.language)),
    ]


def meeting_lines(tr: Translator, view: MeetingView, zone: ZoneInfo) -> list[Html]:
    """Title, groups, time in the reader's zone and in UTC, duration, recurrence, link, agenda."""
    lines = [bold(view.title), tr("👥 {groups}", groups=format_names(view.groups, tr.language))]
    lines += when_lines(tr, view.start, zone)
    lines.append(tr("⏱ {duration}", duration=format_duration(view.duration_minutes, tr.language)))
    if view.recurrence != "none":
        # Translators: {recurrence} is “Every week”, “Every two weeks”… (own messages).
        lines.append(tr("🔁 {recurrence}", recurrence=tr(RECURRENCE_LABELS[view.recurrence])))
    if view.link:
        lines.append(Html(f"🔗 {link(view.link, view.link)}"))
    if view.agenda:
        lines.append(tr("📋 Agenda:"))
        lines.append(escape(view.agenda))
    return lines


def counts_line(tr: Translator, counts: Mapping[str, int]) -> Html:
    # Translators: the counts under a meeting; use the same words as the RSVP buttons.
    return tr(
        "Going: {going} · Maybe: {maybe} · Can't go: {no}",
        going=counts.get("going", 0),
        maybe=counts.get("maybe", 0),
        no=counts.get("no", 0),
    )


def announcement_text(
    tr: Translator, view: MeetingView, zone: ZoneInfo, counts: Mapping[str, int] | None
) -> Html:
    """The announcement of a meeting, with live answer counts in a group (or its cancellation)."""
    if view.cancelled:
        head = tr("❌ Cancelled: {title}", title=view.title)
        return Html("\n".join([head, *when_lines(tr, view.start, zone)]))
    lines = [tr("📅 New meeting (#{id})", id=view.meeting_id), *meeting_lines(tr, view, zone)]
    if counts is not None:
        lines += [Html(""), counts_line(tr, counts)]
    return Html("\n".join(lines))


def your_answer_line(tr: Translator, answer: str | None) -> Html:
    for known, label in ANSWER_LABELS.items():
        if answer == known:
            return tr("Your answer: {answer}", answer=tr(label))
    return tr("You have not answered yet.")


def rsvp_keyboard(tr: Translator, occurrence_id: int, chosen: str | None = None) -> dict[str, Any]:
    """Going / Maybe / Can't go and Add to calendar, as the Bot API spells an inline keyboard."""
    answers = [
        {
            "text": ("• " if chosen == answer else "") + tr(ANSWER_LABELS[answer]),
            "callback_data": rsvp_callback(occurrence_id, answer),
        }
        for answer in ANSWERS
    ]
    calendar = {
        "text": tr("📆 Add to calendar"),
        "callback_data": AddToCalendar(occurrence_id).pack(),
    }
    return {"inline_keyboard": [answers, [calendar]]}


def rsvp_callback(occurrence_id: int, answer: Answer) -> str:
    return Rsvp(occurrence_id, CODE_BY_ANSWER[answer]).pack()


def reminder_text(
    tr: Translator,
    view: MeetingView,
    zone: ZoneInfo,
    offset_minutes: int,
    answer: str | None,
    *,
    personal: bool,
) -> Html:
    """A reminder: how soon, when in the reader's zone and UTC, the link, their answer."""
    lines = [
        # Translators: {offset} is how long until the meeting starts, e.g. “1 hour”, “10 minutes”.
        tr(
            "⏰ Reminder: {title} in {offset}",
            title=view.title,
            offset=format_offset(offset_minutes, tr.language),
        ),
        *when_lines(tr, view.start, zone),
    ]
    if view.link:
        lines.append(Html(f"🔗 {link(view.link, view.link)}"))
    if personal:
        lines.append(your_answer_line(tr, answer))
        if answer is None and offset_minutes == NUDGE_OFFSET:
            lines.append(tr("Please let the coordinators know whether you come."))
    return Html("\n".join(lines))


def nudge_text(tr: Translator, view: MeetingView, zone: ZoneInfo) -> Html:
    lines = [
        tr("👋 Will you join {title}? You have not answered yet.", title=view.title),
        *when_lines(tr, view.start, zone),
    ]
    return Html("\n".join(lines))


def change_text(
    tr: Translator, view: MeetingView, zone: ZoneInfo, old_start: datetime | None
) -> Html:
    """The notice of a change: cancelled, moved (answers reset), or new link or agenda."""
    if view.cancelled:
        lines = [tr("❌ The meeting {title} is cancelled.", title=view.title)]
        lines += when_lines(tr, view.start, zone)
        return Html("\n".join(lines))
    if old_start is not None and old_start != view.start:
        was = format_when(old_start, zone, tr.language)
        # Translators: {was} is the former date and time, in the reader's zone.
        lines = [tr("🔄 The meeting {title} has moved (it was {was}).", title=view.title, was=was)]
        lines += meeting_lines(tr, view, zone)[1:]
        lines.append(tr("Answers were reset: please answer again."))
        return Html("\n".join(lines))
    lines = [tr("✏️ The meeting {title} has changed.", title=view.title)]
    lines += meeting_lines(tr, view, zone)[1:]
    lines.append(tr("Your answer is kept."))
    return Html("\n".join(lines))


def who_answered_lines(
    tr: Translator, by_answer: Mapping[str, Sequence[str]], silent: Sequence[str]
) -> list[str]:
    """Counts, then the names under each answer, then the members who have not answered."""
    counts = {answer: len(names) for answer, names in by_answer.items()}
    lines: list[str] = [counts_line(tr, counts)]
    for answer in ANSWERS:
        names = format_names((escape(n) for n in by_answer.get(answer, ())), tr.language) or "—"
        lines.append(Html(f"{tr(ANSWER_LABELS[answer])}: {names}"))
    silent_names = format_names((escape(n) for n in silent), tr.language) or "—"
    lines.append(tr("Not answered: {names}", names=Html(silent_names)))
    return lines


def upcoming_lines(
    tr: Translator,
    meeting_id: int,
    title: str,
    start: datetime,
    zone: ZoneInfo,
    link_to: str | None,
    answer: str | None,
) -> list[str]:
    """One meeting of /upcoming: number and title, when in the reader's zone, link, answer."""
    lines: list[str] = [
        "",
        # Translators: a meeting: {id} its number, {title} its title.
        tr("#{id} {title}", id=meeting_id, title=title),
        tr("🕒 {when}", when=format_when(start, zone, tr.language)),
    ]
    if link_to:
        lines.append(tr("🔗 {link}", link=link_to))
    lines.append(your_answer_line(tr, answer))
    return lines


def reschedule_check(
    tr: Translator,
    new_start: datetime,
    current: datetime,
    zone: ZoneInfo,
    link_to: str | None,
    agenda: str | None,
) -> list[str]:
    """/reschedule's confirmation: the new time in the organiser's zone and UTC, link, agenda."""
    lines: list[str] = [
        tr("Please check the change:"),
        tr("🕒 {when}", when=format_when(new_start, zone, tr.language)),
        tr("🌐 {utc} UTC", utc=format_utc(new_start, tr.language)),
        tr("🔗 {link}", link=link_to or "—"),
        tr("📋 Agenda:"),
        escape(agenda or "—"),
    ]
    if new_start != current:
        lines.append(tr("The time changes: everyone’s answers are reset."))
    return lines


def reminders_state(tr: Translator, muted: Sequence[str]) -> Html:
    """/reminders: the groups whose reminders the person muted, if any."""
    if not muted:
        return tr("You get the reminders of all your groups.")
    return tr("Reminders are muted for: {groups}.", groups=format_names(muted, tr.language))


def reminders_switched(tr: Translator, group: str, slug: str, *, off: bool) -> Html:
    """/reminders on|off GROUP: what changed, and how to undo it."""
    if not off:
        return tr("Meeting reminders of {group} are on for you.", group=group)
    return tr(
        "Meeting reminders of {group} are off for you. /reminders on {slug} brings them back.",
        group=group,
        slug=slug,
    )
