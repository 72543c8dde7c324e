"""A meeting as an iCalendar invitation (RFC 5545, iTIP RFC 5546): ``METHOD:REQUEST`` for an
invitation or an update (a higher SEQUENCE), ``METHOD:CANCEL`` for a cancellation, the same
UID for every message about one meeting occurrence, so calendars add, move and remove it."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Final

from icalendar import Calendar, Event, vCalAddress, vText

from storage.outbox import OutboxEvent

if TYPE_CHECKING:
    from bot.outbox.email import MailIdentity

PRODID: Final = "-//WNMRC//wnmrc-bot//EN"


def event_uid(event: OutboxEvent, identity: MailIdentity) -> str:
    return f"{event.uid}@{identity.domain}"


def invitation(
    event: OutboxEvent, identity: MailIdentity, name: str, address: str, now: datetime
) -> str:
    """The .ics text of one event for one attendee."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", event.method)
    entry = Event()
    entry.add("uid", event_uid(event, identity))
    entry.add("dtstamp", now)
    entry.add("dtstart", event.start)
    entry.add("dtend", event.end)
    entry.add("sequence", event.sequence)
    entry.add("summary", event.summary)
    if event.description:
        entry.add("description", event.description)
    if event.location:
        entry.add("location", event.location)
        entry.add("url", event.location)
    entry.add("status", "CANCELLED" if event.method == "CANCEL" else "CONFIRMED")
    organizer = vCalAddress(f"mailto:{identity.address}")
    organizer.params["cn"] = vText("WNMRC")
    entry.add("organizer", organizer)
    attendee = vCalAddress(f"mailto:{address}")
    attendee.params["cn"] = vText(name)
    attendee.params["role"] = vText("REQ-PARTICIPANT")
    attendee.params["partstat"] = vText(event.partstat)
    attendee.params["rsvp"] = vText("FALSE" if event.method == "CANCEL" else "TRUE")
    entry.add("attendee", attendee)
    calendar.add_component(entry)
    text: bytes = calendar.to_ical()
    return text.decode()
