"""/calendar and "Add to calendar": .ics files that calendar apps read back at the stored instants.

The bot's clock is stopped at Thursday 2026-10-01 12:00 UTC. The climate group has Ana (Lima,
Spanish, coordinator), Aroha (Sydney, English, in daylight saving time from 4 October) and
Jorge (Madrid, French, leaving summer time on 25 October; also in biodiversity). Meetings are
written with plain SQL (tests/factories.py), independent of the meetings feature's code.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from bot.clock import ManualClock
from sandbox.emulator import CallbackAnswer, Emulator, LedgerEntry, SimChat, SimUser
from storage import Repositories

from ..factories import known_person, meeting

NOW = datetime(2026, 10, 1, 12, 0, tzinfo=UTC)
MADRID = ZoneInfo("Europe/Madrid")
WEEKLY = [datetime(2026, 10, d, 15, 0, tzinfo=MADRID).astimezone(UTC) for d in (20, 27)] + [
    datetime(2026, 11, d, 15, 0, tzinfo=MADRID).astimezone(UTC) for d in (3, 10)
]


def wall(*fields: int) -> datetime:
    """A naive wall-clock time (a time of day in some zone, not an instant)."""
    return datetime(*fields, tzinfo=UTC).replace(tzinfo=None)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(NOW)


async def enrol(
    emulator: Emulator,
    repos: Repositories,
    first: str,
    *,
    language: str,
    zone: str,
    groups: Sequence[str],
    coordinates: Sequence[str] = (),
    started: bool = True,
) -> SimUser:
    return await known_person(
        emulator,
        repos,
        first,
        now=NOW,
        language=language,
        started=started,
        groups=groups,
        coordinates=coordinates,
        timezone=zone,
    )


async def group_id(repos: Repositories, slug: str) -> int:
    group = await repos.groups.by_slug(slug)
    assert group is not None
    return group.id


async def linked_chat(
    emulator: Emulator, repos: Repositories, slug: str, members: Sequence[SimUser]
) -> SimChat:
    chat = emulator.add_group(f"{slug} chat", members=list(members))
    await repos.chats.upsert(
        chat_id=chat.id, type=chat.type, title=chat.title, username=None, is_forum=False, now=NOW
    )
    await repos.groups.link_chat(await group_id(repos, slug), chat.id, None, NOW)
    return chat


class Network:
    def __init__(self, ana: SimUser, aroha: SimUser, jorge: SimUser, occurrences: list[int]):
        self.ana, self.aroha, self.jorge = ana, aroha, jorge
        self.single, *self.weekly = occurrences


@pytest.fixture
async def network(emulator: Emulator, repos: Repositories) -> Network:
    ana = await enrol(
        emulator,
        repos,
        "Ana",
        language="es",
        zone="America/Lima",
        groups=["climate"],
        coordinates=["climate"],
    )
    aroha = await enrol(
        emulator, repos, "Aroha", language="en", zone="Australia/Sydney", groups=["climate"]
    )
    jorge = await enrol(
        emulator,
        repos,
        "Jorge",
        language="fr",
        zone="Europe/Madrid",
        groups=["climate", "biodiversity"],
    )
    climate, biodiversity = await group_id(repos, "climate"), await group_id(repos, "biodiversity")
    _, single = await meeting(
        repos,
        "Follow-up meeting",
        zone="Europe/Madrid",
        local_start=wall(2026, 10, 15, 15, 0),
        minutes=90,
        group_ids=[climate],
        agenda="Roadmap & <deadlines>",
    )
    _, weekly = await meeting(
        repos,
        "Weekly check-in",
        zone="Europe/Madrid",
        local_start=wall(2026, 10, 20, 15, 0),
        group_ids=[climate],
        rrule="FREQ=WEEKLY",
        starts=WEEKLY,
        cancelled=(1,),
    )
    await meeting(
        repos,
        "Biodiversity call",
        zone="America/Lima",
        local_start=wall(2026, 10, 16, 9, 0),
        group_ids=[biodiversity],
    )
    return Network(ana, aroha, jorge, [*single, *weekly])


def events_of(entry: LedgerEntry) -> tuple[Calendar, dict[str, object]]:
    assert entry.document is not None
    assert entry.document.filename is not None
    assert entry.document.filename.endswith(".ics")
    calendar = Calendar.from_ical(entry.document.content)
    return calendar, {str(event["SUMMARY"]): event for event in calendar.events}


def instants_of(event: object) -> list[datetime]:
    """The starts of an event read back: DTSTART, or the RRULE expanded minus EXDATEs."""
    from dateutil.rrule import rrulestr
    from icalendar import Event

    assert isinstance(event, Event)
    start = event.start
    if "RRULE" not in event:
        return [start.astimezone(UTC)]
    rule = rrulestr(event["RRULE"].to_ical().decode(), dtstart=start.replace(tzinfo=None))
    excluded = {d.astimezone(UTC) for d in event.exdates}
    starts = [local.replace(tzinfo=start.tzinfo).astimezone(UTC) for local in rule[:4]]
    return [s for s in starts if s not in excluded]


async def answer_to(emulator: Emulator, query_id: str) -> CallbackAnswer:
    return await emulator.answer_to(query_id)


# /calendar


async def test_a_member_gets_the_meetings_of_her_groups_at_the_stored_instants(
    emulator: Emulator, network: Network
) -> None:
    reply = await emulator.says(network.ana, "/calendar")

    assert reply.text == (
        "2 reuniones de Cambio climático. Abre el archivo para añadirlas a tu calendario."
    )
    assert reply.document is not None
    assert reply.document.filename == "meetings-climate.ics"
    calendar, events = events_of(reply)
    assert sorted(events) == ["Follow-up meeting", "Weekly check-in"]
    assert [str(tz["TZID"]) for tz in calendar.timezones] == ["Europe/Madrid"]
    assert instants_of(events["Follow-up meeting"]) == [datetime(2026, 10, 15, 13, 0, tzinfo=UTC)]
    # Across Madrid's change on 25 October: 13:00 UTC, then 14:00 UTC; the 27th is cancelled.
    assert instants_of(events["Weekly check-in"]) == [WEEKLY[0], WEEKLY[2], WEEKLY[3]]
    assert [s.hour for s in instants_of(events["Weekly check-in"])] == [13, 14, 14]
    follow_up = events["Follow-up meeting"]
    assert "Roadmap & <deadlines>" in str(follow_up["DESCRIPTION"])  # type: ignore[index]


async def test_a_member_of_two_groups_gets_both(emulator: Emulator, network: Network) -> None:
    reply = await emulator.says(network.jorge, "/calendar")

    assert reply.text is not None
    assert reply.text.startswith("3 réunions de Changement climatique et ")
    assert reply.document is not None
    assert reply.document.filename == "meetings.ics"
    calendar, events = events_of(reply)
    assert sorted(events) == ["Biodiversity call", "Follow-up meeting", "Weekly check-in"]
    assert sorted(str(tz["TZID"]) for tz in calendar.timezones) == [
        "America/Lima",
        "Europe/Madrid",
    ]
    assert instants_of(events["Biodiversity call"]) == [datetime(2026, 10, 16, 14, 0, tzinfo=UTC)]


async def test_in_a_linked_group_chat_the_calendar_is_that_groups(
    emulator: Emulator, repos: Repositories, network: Network
) -> None:
    chat = await linked_chat(emulator, repos, "biodiversity", [network.jorge, network.aroha])
    other = emulator.add_group("Coffee corner", members=[network.aroha])

    reply = await emulator.says(network.aroha, "/calendar", chat=chat)
    elsewhere = await emulator.says(network.aroha, "/calendar", chat=other)

    assert reply.text == "1 meeting of Biodiversity. Open the file to add it to your calendar."
    _, events = events_of(reply)
    assert list(events) == ["Biodiversity call"]
    assert elsewhere.text == (
        "This chat is not linked to a working group. Ask me for /calendar in our private chat."
    )
    assert elsewhere.document is None


async def test_someone_in_no_group_gets_no_calendar_even_in_a_linked_chat(
    emulator: Emulator, repos: Repositories, network: Network
) -> None:
    loner = await enrol(emulator, repos, "Li", language="zh", zone="Asia/Shanghai", groups=[])
    chat = await linked_chat(emulator, repos, "climate", [network.ana, loner])
    post = await emulator.says(network.ana, "/calendar", chat=chat)
    refusal = "您还没有加入任何工作组。/groups 会列出所有工作组，并让您加入其中一个。"

    reply = await emulator.says(loner, "/calendar", chat=chat)
    query = emulator.tap_data(loner, post, f"cal:{network.weekly[0]}")
    answer = await answer_to(emulator, query)

    assert reply.text == refusal
    assert reply.document is None
    assert answer.text == refusal
    assert not [e for e in emulator.ledger if e.document is not None and e.chat_id == loner.id]


async def test_no_group_or_no_meetings_is_said_in_one_line(
    emulator: Emulator, repos: Repositories
) -> None:
    loner = await enrol(emulator, repos, "Li", language="zh", zone="Asia/Shanghai", groups=[])
    quiet = await enrol(
        emulator, repos, "Sam", language="en", zone="Africa/Nairobi", groups=["community"]
    )

    assert (await emulator.says(loner, "/calendar")).text == (
        "您还没有加入任何工作组。/groups 会列出所有工作组，并让您加入其中一个。"
    )
    reply = await emulator.says(quiet, "/calendar")
    assert reply.text is not None
    assert reply.text.startswith("There are no meetings of ")
    assert reply.document is None


# Add to calendar


async def test_add_to_calendar_sends_one_occurrence_to_the_private_chat(
    emulator: Emulator, repos: Repositories, network: Network
) -> None:
    chat = await linked_chat(emulator, repos, "climate", [network.ana, network.aroha])
    post = await emulator.says(network.ana, "/calendar", chat=chat)
    mark = len(emulator.ledger)
    third = network.weekly[2]

    query = emulator.tap_data(network.aroha, post, f"cal:{third}")

    answer = await answer_to(emulator, query)
    assert answer.text == "I sent you the file in our private chat."
    assert not answer.show_alert
    sent = await emulator.next_message(network.aroha, after=mark)
    assert sent.text == (
        "📅 Weekly check-in: Wednesday, November 4, 2026 01:00 (Sydney). "
        "Open the file to add it to your calendar."
    )
    _, events = events_of(sent)
    (event,) = events.values()
    assert instants_of(event) == [WEEKLY[2]]
    assert str(event["UID"]) == f"meeting-2-{third}@wnmrc-bot"  # type: ignore[index]


async def test_add_to_calendar_in_the_private_chat_needs_no_toast(
    emulator: Emulator, network: Network
) -> None:
    post = await emulator.says(network.ana, "/calendar")
    mark = len(emulator.ledger)

    query = emulator.tap_data(network.ana, post, f"cal:{network.single}")

    sent = await emulator.next_message(network.ana, after=mark)
    assert sent.text is not None
    assert sent.text.startswith("📅 Follow-up meeting: jueves, 15 de octubre de 2026 08:00")
    _, events = events_of(sent)
    assert str(events["Follow-up meeting"]["UID"]) == "meeting-1@wnmrc-bot"  # type: ignore[index]
    assert (await answer_to(emulator, query)).text is None


async def test_someone_who_never_started_the_bot_gets_a_toast(
    emulator: Emulator, repos: Repositories, network: Network
) -> None:
    shy = await enrol(
        emulator,
        repos,
        "Kim",
        language="en",
        zone="Asia/Bishkek",
        groups=["climate"],
        started=False,
    )
    chat = await linked_chat(emulator, repos, "climate", [network.ana, shy])
    post = await emulator.says(network.ana, "/calendar", chat=chat)
    mark = len(emulator.ledger)

    answer = await answer_to(emulator, emulator.tap_data(shy, post, f"cal:{network.single}"))

    assert answer.text == (
        "Start a private chat with me first (open my profile and press Start), then tap again."
    )
    await emulator.settle()
    assert emulator.sent_to(shy) == []
    assert all(entry.document is None for entry in emulator.ledger[mark:])


@pytest.mark.parametrize(
    ("data", "alert"),
    [
        ("cal:999999", "Este botón ya no es válido."),
        ("cal:abc", "Este botón ya no es válido."),
        ("cal:", "Este botón ya no es válido."),
        ("cancelled", "Esta reunión se canceló."),
    ],
)
async def test_stale_forged_or_cancelled_buttons_get_an_alert(
    emulator: Emulator, network: Network, data: str, alert: str
) -> None:
    post = await emulator.says(network.ana, "/calendar")
    mark = len(emulator.ledger)
    if data == "cancelled":
        data = f"cal:{network.weekly[1]}"

    answer = await answer_to(emulator, emulator.tap_data(network.ana, post, data))

    assert answer.text == alert
    assert answer.show_alert
    await emulator.settle()
    assert emulator.ledger[mark:] == []


async def test_a_meeting_of_another_group_is_not_handed_to_an_outsider(
    emulator: Emulator, repos: Repositories, network: Network
) -> None:
    """Aroha is only in climate: a forged button for the biodiversity call reveals nothing."""
    post = await emulator.says(network.aroha, "/calendar")
    rows = await repos.db.fetch_all(
        "SELECT o.id FROM meeting_occurrences AS o JOIN meetings AS m ON m.id = o.meeting_id"
        " WHERE m.title = 'Biodiversity call'"
    )
    mark = len(emulator.ledger)

    answer = await answer_to(emulator, emulator.tap_data(network.aroha, post, f"cal:{rows[0][0]}"))

    assert answer.text == "This button is no longer valid."
    await emulator.settle()
    assert emulator.ledger[mark:] == []


def test_the_weekly_example_straddles_madrids_change() -> None:
    offsets = {start.astimezone(MADRID).utcoffset() for start in WEEKLY}
    assert offsets == {timedelta(hours=2), timedelta(hours=1)}
