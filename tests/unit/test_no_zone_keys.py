"""No text a person reads names a zone by its IANA key ("Europe/Madrid", "UTC" as a zone): every
meeting, reminder, nudge, change notice, /upcoming, /reschedule, digest line, roster line,
/whois card, /slots answer and poll, proposal, profile answer, outbox summary and typed-date
answer is
rendered in the four languages for readers in several zones, and each names the reader's zone
as people know it (docs/developers.md, "Local formats")."""

# Wall times given to check_start are naive on purpose (in the zone passed with them).
# ruff: noqa: DTZ001

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot import dates, formats
from bot import meetings as rules
from bot.decisions import texts as decisions
from bot.decisions.rules import Ballot
from bot.i18n import I18n, Translator
from bot.meetings import drafts
from bot.meetings.slots import (
    Member,
    SlotsRequest,
    best_slots,
    poll_option,
    poll_question,
    render_slots,
)
from bot.profile.rules import display
from bot.roster.rules import GroupPlace, member_line, whois_card
from handlers.outbox import local_moment
from storage.roster import RosterMember

from .test_roster import person

NOW = datetime(2026, 12, 2, 14, 0, tzinfo=UTC)
START = datetime(2026, 12, 16, 14, 0, tzinfo=UTC)
READERS = [
    ("en", "Europe/Madrid"),
    ("es", "America/Lima"),
    ("zh", "Asia/Shanghai"),
    ("fr", "Europe/Paris"),
    ("en", "UTC"),
    ("es", "Australia/Sydney"),
    ("zh", "America/Argentina/Buenos_Aires"),
    ("fr", "Asia/Kathmandu"),
]
MEMBER_ZONES = ["America/Lima", "Europe/Madrid", "Asia/Shanghai", "Australia/Sydney", "UTC"]
CONSENT = Ballot("consent")
IANA_KEY = re.compile(
    r"\b(?:Africa|America|Antarctica|Asia|Atlantic|Australia|Europe|Indian|Pacific|Etc)/\w+"
    r"|\(UTC\)|\bUTC/|\(GMT\)"
)
I18N = I18n()

VIEW = rules.MeetingView(
    meeting_id=7,
    occurrence_id=70,
    title="Glacier year",
    groups=["Climate change", "Biodiversity"],
    start=START,
    duration_minutes=90,
    link=None,
    agenda="Budget",
    recurrence="weekly",
)


def meeting_texts(tr: Translator, zone: ZoneInfo) -> Iterator[str]:
    yield rules.announcement_text(tr, VIEW, zone, {"going": 2, "maybe": 1})
    for offset in rules.DEFAULT_OFFSETS:
        yield rules.reminder_text(tr, VIEW, zone, offset, None, personal=True)
    yield rules.nudge_text(tr, VIEW, zone)
    yield rules.change_text(tr, VIEW, zone, START - timedelta(days=1))
    yield rules.change_text(tr, VIEW, zone, None)
    cancelled = rules.MeetingView(**{**VIEW.__dict__, "cancelled": True})
    yield rules.change_text(tr, cancelled, zone, None)
    yield rules.announcement_text(tr, cancelled, zone, None)
    yield "\n".join(rules.upcoming_lines(tr, 7, "Glacier year", START, zone, None, "going"))
    yield "\n".join(rules.reschedule_check(tr, START, NOW, zone, None, None))
    spread = rules.render_spread(tr, rules.member_spread(START, MEMBER_ZONES))
    assert spread is not None
    yield spread


def decision_texts(tr: Translator, zone: ZoneInfo) -> Iterator[str]:
    view = decisions.ProposalView(
        id=3,
        title="Methodology",
        body="Because.",
        ballot=CONSENT,
        audience="Climate change",
        closes_at=START,
        proposer="Jorge",
        answers=(("Ana", "agree"),),
    )
    yield decisions.post_text(tr, view, zone, {"agree": 1})
    yield decisions.post_text(tr, view, zone, None, "agree")
    yield decisions.nudge_text(tr, view, zone)


def refusals(tr: Translator, zone: ZoneInfo) -> Iterator[str]:
    past = rules.check_start(datetime(2026, 12, 1, 10, 0), zone, NOW)
    assert isinstance(past, rules.Refusal)
    yield tr(past.message, **past.values)
    gap = rules.check_start(datetime(2027, 3, 28, 2, 30), ZoneInfo("Europe/Madrid"), NOW)
    assert isinstance(gap, rules.Refusal)
    yield tr(gap.message, **gap.values)
    for typed in (
        "tomorrow 15:00 CET",
        "mañana 10:00 hora de Lima",
        "北京时间 15:00",
        "next Friday 9:00",
    ):
        start = drafts.read_start(typed, tr.language, zone, NOW)
        assert isinstance(start, rules.Start), typed
        said = drafts.read_back(start, zone)
        yield tr(said.message, **said.values)
    for typed in ("tomorrow", "blursday 9:00", "31 February 10:00"):
        unread = dates.read_typed(typed, tr.language, zone, NOW)
        assert isinstance(unread, dates.Unreadable)
        yield tr(unread.message, **{"text": typed, **unread.values})


def people_texts(tr: Translator, zone: ZoneInfo) -> Iterator[str]:
    someone = person(1, "Ana Quispe", "PE", timezone=zone.key)
    yield member_line(tr, RosterMember(person=someone, role="member", joined_at=NOW), NOW)
    yield whois_card(tr, someone, [GroupPlace("Climate change", True)], NOW)
    yield display(tr, "timezone", zone.key, NOW, {})
    yield local_moment(NOW, zone.key, tr.language)
    line = tr(
        "• {title} — {when}",
        title="Glacier year",
        when=formats.format_when(START, zone, tr.language),
    )
    yield line


def slot_texts(tr: Translator, zone: ZoneInfo) -> Iterator[str]:
    members = [Member(n, f"M{n}", ZoneInfo(z)) for n, z in enumerate(MEMBER_ZONES)]
    request = SlotsRequest(60, date(2026, 12, 7), date(2026, 12, 11))
    slots = best_slots(members, *request.window(zone, NOW), 60, zone)
    yield render_slots(tr, "Climate change", slots, 60, request, zone, [])
    yield poll_question(tr, "Climate change", 60, zone)
    for slot in slots:
        yield poll_option(slot, zone, [m.zone for m in members if m.zone], tr.language)


@pytest.mark.parametrize(("language", "zone_key"), READERS)
def test_no_text_names_a_zone_by_its_key(language: str, zone_key: str) -> None:
    tr, zone = I18N.translator(language), ZoneInfo(zone_key)
    known = formats.zone_name(zone, language)
    texts = [
        *meeting_texts(tr, zone),
        *refusals(tr, zone),
        *people_texts(tr, zone),
        *slot_texts(tr, zone),
        *decision_texts(tr, zone),
    ]
    for text in texts:
        assert not IANA_KEY.search(str(text)), text
    shown_zone = [t for t in texts if f"({known})" in str(t) or known in str(t)]
    assert len(shown_zone) >= 20, (known, len(shown_zone))


def test_the_names_people_know_are_shown() -> None:
    tr = I18N.translator("zh")
    text = rules.announcement_text(tr, VIEW, ZoneInfo("Asia/Shanghai"), None)
    assert "(北京)" in text
    assert "1小时30分钟" in text
    assert "Climate change和Biodiversity" in text
    reminder = rules.reminder_text(
        I18N.translator("es"), VIEW, ZoneInfo("America/Lima"), 1440, None, personal=True
    )
    assert "1 día" in reminder
    assert "(Lima)" in reminder
    assert "miércoles, 16 de diciembre de 2026 09:00 (Lima)" in reminder
