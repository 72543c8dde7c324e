"""/slots on a known roster on five continents, the poll it posts, and the tap into /meet.

The bot's clock is stopped at Tuesday 2026-11-24 09:00 UTC. The climate group: Ana (Lima,
Spanish, coordinator), Léa (Madrid), Wang (Shanghai), Amina (Nairobi), Jack (Sydney, in
daylight saving time) and Nobody, who never gave a time zone. In the week of 7 December
Madrid, Nairobi, Shanghai and Sydney share 07:00–10:00 UTC on weekdays, when Lima sleeps.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import pytest

from bot.clock import ManualClock
from sandbox.emulator import CallbackAnswer, Emulator, LedgerEntry, SimChat, SimUser
from storage import Repositories

from ..factories import known_person

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
WEEK = "2026-12-07 2026-12-11"


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(NOW)


async def enrol(
    emulator: Emulator,
    repos: Repositories,
    first: str,
    last: str,
    *,
    zone: str | None,
    language: str = "en",
    groups: Sequence[str] = ("climate",),
    coordinates: Sequence[str] = (),
) -> SimUser:
    profile = {"timezone": zone} if zone else {}
    return await known_person(
        emulator,
        repos,
        first,
        last,
        now=NOW,
        language=language,
        started=True,
        groups=groups,
        coordinates=coordinates,
        **profile,
    )


@pytest.fixture
async def ana(emulator: Emulator, repos: Repositories) -> SimUser:
    """The coordinator, with the rest of the roster around her."""
    coordinator = await enrol(
        emulator,
        repos,
        "Ana",
        "Quispe",
        zone="America/Lima",
        language="es",
        coordinates=["climate"],
    )
    await enrol(emulator, repos, "Léa", "Moreau", zone="Europe/Madrid", language="fr")
    await enrol(emulator, repos, "Wang", "Fang", zone="Asia/Shanghai", language="zh")
    await enrol(emulator, repos, "Amina", "Otieno", zone="Africa/Nairobi")
    await enrol(emulator, repos, "Jack", "Wilson", zone="Australia/Sydney")
    await enrol(emulator, repos, "Nobody", "Knows", zone=None)
    return coordinator


async def link(
    emulator: Emulator, repos: Repositories, slug: str, members: list[SimUser]
) -> SimChat:
    chat = emulator.add_group(f"{slug} chat", members=members)
    group = await repos.groups.by_slug(slug)
    assert group is not None
    await repos.chats.upsert(
        chat_id=chat.id, type=chat.type, title=chat.title, username=None, is_forum=False, now=NOW
    )
    await repos.groups.link_chat(group.id, chat.id, None, NOW)
    return chat


async def answer_to(emulator: Emulator, query_id: str) -> CallbackAnswer:
    return await emulator.answer_to(query_id)


def lines(entry: LedgerEntry) -> list[str]:
    assert entry.text is not None
    return entry.text.splitlines()


# The proposals


async def test_the_best_times_for_five_continents(emulator: Emulator, ana: SimUser) -> None:
    reply = await emulator.says(ana, f"/slots climate 60 {WEEK}")

    shown = lines(reply)
    assert shown[:3] == [
        "Mejores horarios para Cambio climático — 1 hora, del lun, 7 dic al vie, 11 dic",
        "Horario laboral: 08:00–21:00 hora local, de lunes a viernes; noche: 23:00–06:00. "
        "Horas en tu zona (Lima) y en UTC.",
        "1 miembro no tiene zona horaria y no se cuenta: Nobody Knows.",
    ]
    assert shown[4:7] == [
        "1. lun, 7 dic 02:00–03:00 (Lima) · 07:00 UTC",
        "   ✅ 4 de 5 en horario laboral · 🌙 1 de noche",
        "   Fuera de horario: Ana Quispe lun, 02:00 (Lima) 🌙",
    ]
    starts = [line for line in shown if line[:2] in {"1.", "2.", "3.", "4.", "5."}]
    assert [line.split(" · ")[-1] for line in starts] == ["07:00 UTC"] * 5
    assert [line.split(",")[1].split()[:2] for line in starts] == [
        [str(day), "dic"] for day in range(7, 12)
    ]
    assert reply.button_texts == [
        "🗓 Programar 1: lun, 7 dic 02:00",
        "🗓 Programar 2: mar, 8 dic 02:00",
        "🗓 Programar 3: mié, 9 dic 02:00",
        "🗓 Programar 4: jue, 10 dic 02:00",
        "🗓 Programar 5: vie, 11 dic 02:00",
        "📊 Publicar como encuesta",
    ]


async def test_defaults_are_an_hour_in_the_next_two_weeks(emulator: Emulator, ana: SimUser) -> None:
    reply = await emulator.says(ana, "/slots Cambio climático")

    assert lines(reply)[0] == (
        "Mejores horarios para Cambio climático — 1 hora, del mié, 25 nov al mar, 8 dic"
    )
    assert len([b for b in reply.button_texts if b.startswith("🗓")]) == 5


@pytest.mark.parametrize(
    ("language", "text", "answer"),
    [
        (
            "en",
            "/slots nowhere",
            "There is no working group “nowhere”. The groups are: Climate change, Biodiversity, "
            "Community empowerment, Socioeconomics.",
        ),
        (
            "es",
            "/slots climate 25h",
            "«25h» no es una duración: escribe minutos (90) u horas (1h30), como máximo 24 horas.",
        ),
        (
            "en",
            "/slots climate soon",
            "There is no working group “climate soon”. The groups are: Climate change, "
            "Biodiversity, Community empowerment, Socioeconomics.",
        ),
        (
            "en",
            "/slots climate 2026-12-10 2026-12-01",
            "The window ends before it starts: 2026-12-10 is after 2026-12-01.",
        ),
        (
            "es",
            "/slots climate 2026-12-01 2027-02-01",
            "El periodo es demasiado largo: como máximo 60 días.",
        ),
        (
            "en",
            "/slots climate 90 2026-12-01 someday",
            "There is no working group “climate 90 2026-12-01 someday”. The groups are: "
            "Climate change, Biodiversity, Community empowerment, Socioeconomics.",
        ),
        (
            "en",
            "/slots climate 2026-11-01 2026-11-02",
            "The window is over: 2026-11-02 is in the past.",
        ),
        (
            "en",
            "/slots socioeconomics",
            "No member of Socioeconomics has a time zone yet, so I cannot compare times. "
            "Members set theirs with /profile.",
        ),
    ],
)
async def test_bad_input_gets_one_line(
    emulator: Emulator, repos: Repositories, language: str, text: str, answer: str
) -> None:
    coordinator = await enrol(
        emulator,
        repos,
        "Coord",
        "Inator",
        zone=None,
        language=language,
        groups=["climate", "socioeconomics"],
        coordinates=["climate", "socioeconomics"],
    )
    await enrol(emulator, repos, "Plain", "Member", zone=None, groups=["socioeconomics"])

    reply = await emulator.says(coordinator, text)

    assert reply.text == answer
    assert reply.buttons == []


async def test_in_the_groups_chat_the_group_is_implied_and_only_the_poll_is_offered(
    emulator: Emulator, repos: Repositories, ana: SimUser
) -> None:
    chat = await link(emulator, repos, "climate", [ana])
    other = emulator.add_group("Coffee corner", members=[ana])

    here = await emulator.says(ana, f"/slots 60 {WEEK}", chat=chat)
    elsewhere = await emulator.says(ana, "/slots climate", chat=other)

    assert lines(here)[0].startswith("Mejores horarios para Cambio climático — 1 hora,")
    assert here.button_texts == ["📊 Publicar como encuesta"]
    assert elsewhere.text == (
        "Aquí solo busco horarios para el grupo de este chat. "
        "Pídeme los de Cambio climático en nuestro chat privado."
    )


# Post as poll


async def test_post_as_poll_puts_a_non_anonymous_poll_in_the_groups_chat(
    emulator: Emulator, repos: Repositories, ana: SimUser
) -> None:
    chat = await link(emulator, repos, "climate", [ana])
    proposals = await emulator.says(ana, f"/slots 90m {WEEK}")

    answer = await answer_to(emulator, emulator.tap(ana, proposals, "📊 Publicar como encuesta"))

    assert answer.text == "Encuesta publicada en el chat de Cambio climático."
    (posted,) = emulator.sent_to(chat)
    assert posted.poll is not None
    assert posted.poll["question"] == (
        "Cambio climático: ¿qué horarios te convienen? (1 hora 30 minutos, horas de Madrid; "
        "tras el ·, la hora de los miembros)"
    )
    # Each option in the chat's zone (Madrid, the default), then the members' clocks from the
    # westernmost to the easternmost.
    assert posted.poll["options"] == [
        f"{weekday}, {day} dic 08:00–09:30 · Lima 02:00 … Sídney 18:00"
        for weekday, day in zip(["lun", "mar", "mié", "jue", "vie"], range(7, 12), strict=True)
    ]
    assert posted.poll["is_anonymous"] is False
    assert posted.poll["allows_multiple_answers"] is True


async def test_a_group_without_a_chat_or_a_chat_without_the_bot_is_said_so(
    emulator: Emulator, repos: Repositories, ana: SimUser
) -> None:
    proposals = await emulator.says(ana, f"/slots climate {WEEK}")

    no_chat = await answer_to(emulator, emulator.tap(ana, proposals, "📊 Publicar como encuesta"))
    chat = await link(emulator, repos, "climate", [ana])
    emulator.remove_bot(chat)
    refused = await answer_to(emulator, emulator.tap(ana, proposals, "📊 Publicar como encuesta"))

    assert no_chat.text == (
        "Cambio climático no tiene un chat de grupo vinculado, así que no hay dónde publicar."
    )
    assert refused.text == (
        "No pude publicar la encuesta en el chat de Cambio climático. ¿Sigo siendo miembro allí?"
    )
    assert no_chat.show_alert
    assert refused.show_alert
    assert [e for e in emulator.ledger if e.poll is not None] == []


async def test_old_forged_and_foreign_taps_change_nothing(
    emulator: Emulator, repos: Repositories, clock: ManualClock, ana: SimUser
) -> None:
    await link(emulator, repos, "climate", [ana])
    proposals = await emulator.says(ana, f"/slots climate {WEEK}")
    outsider = await enrol(
        emulator,
        repos,
        "Bea",
        "Coord",
        zone="Europe/Madrid",
        groups=["biodiversity"],
        coordinates=["biodiversity"],
    )
    poll_button = proposals.button("📊 Publicar como encuesta").data
    assert poll_button is not None

    forged = await answer_to(emulator, emulator.tap_data(ana, proposals, "sp:1:60:9:3"))
    foreign = await answer_to(emulator, emulator.tap_data(outsider, proposals, poll_button))
    clock.advance(timedelta(days=14))
    late = await answer_to(emulator, emulator.tap(ana, proposals, "📊 Publicar como encuesta"))
    late_meet = await answer_to(
        emulator, emulator.tap(ana, proposals, "🗓 Programar 1: lun, 7 dic 02:00")
    )

    assert forged.text == "Este botón ya no es válido."
    assert foreign.text == (
        "Only the coordinators of Climate change and the secretariat can do that."
    )
    assert (
        late.text
        == late_meet.text
        == ("Estos horarios ya pasaron. Usa /slots de nuevo para obtener otros.")
    )
    assert all(a.show_alert for a in (forged, foreign, late, late_meet))
    assert [e for e in emulator.ledger if e.poll is not None] == []


# Into /meet


async def test_a_proposal_becomes_a_meet_draft_in_one_tap(
    emulator: Emulator, repos: Repositories, ana: SimUser
) -> None:
    from handlers import meetings

    if not hasattr(meetings, "start_meet_draft"):
        pytest.skip("the meetings feature has not landed start_meet_draft yet")
    proposals = await emulator.says(ana, f"/slots climate 90 {WEEK}")
    mark = len(emulator.ledger)

    emulator.tap(ana, proposals, "🗓 Programar 2: mar, 8 dic 02:00")

    question = await emulator.next_message(ana, after=mark)
    assert question.text
    person = await repos.people.by_telegram_id(ana.id)
    assert person is not None
    drafts = await repos.drafts.active(person.id)
    (draft,) = [d for d in drafts if d.kind == "meeting"]
    climate = await repos.groups.by_slug("climate")
    assert climate is not None
    assert draft.data["groups"] == [climate.id]
    assert draft.data["zone"] == "America/Lima"
    assert draft.data["local"].startswith("2026-12-08T02:00")
    assert draft.data["duration"] == 90
