"""/roster, /whois and /export roster as members, coordinators and the secretariat see them.

The bot runs on a clock stopped at Thursday 2026-01-15 12:00 UTC: Sydney is in daylight
saving time there (UTC+11, 23:00), Lima is at UTC-5 (07:00) and Madrid at UTC+1 (13:00).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import UTC, datetime

import pytest

from bot.clock import ManualClock
from sandbox.emulator import CallbackAnswer, Emulator, LedgerEntry, SimChat, SimUser
from storage import Repositories

from ..conftest import SECRETARIAT_ID
from ..factories import known_person

NOW = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> ManualClock:
    """The bot's clock, stopped at NOW."""
    return ManualClock(NOW)


async def enrol(
    emulator: Emulator,
    repos: Repositories,
    first: str,
    last: str | None = None,
    *,
    language: str = "en",
    username: str | None = None,
    groups: Sequence[str] = (),
    coordinates: Sequence[str] = (),
    user_id: int | None = None,
    **profile: str,
) -> SimUser:
    """A person known to the bot with a profile, in some working groups."""
    return await known_person(
        emulator,
        repos,
        first,
        last,
        now=NOW,
        language=language,
        username=username,
        user_id=user_id,
        groups=groups,
        coordinates=coordinates,
        **profile,
    )


async def three_zones(emulator: Emulator, repos: Repositories, language: str) -> SimUser:
    """The climate group: Ana (Lima, coordinator), Aroha (Sydney, DST), Jorge (Madrid)."""
    ana = await enrol(
        emulator,
        repos,
        "Ana",
        "Quispe",
        language=language,
        username="anaq",
        groups=["climate"],
        coordinates=["climate"],
        country="PE",
        timezone="America/Lima",
        reserve="Cordillera Alta",
        role="reserve_manager",
        email="ana@example.pe",
    )
    await enrol(
        emulator,
        repos,
        "Aroha",
        "Ngata",
        groups=["climate"],
        country="AU",
        timezone="Australia/Sydney",
        role="researcher",
    )
    await enrol(
        emulator,
        repos,
        "Jorge",
        "Ruiz",
        groups=["climate", "biodiversity"],
        country="ES",
        timezone="Europe/Madrid",
    )
    return ana


EXPECTED = {
    "en": [
        "Climate change — 3 members",
        "Countries: Australia 1 · Peru 1 · Spain 1",
        "Continents: Americas 1 · Europe 1 · Oceania 1",
        "★ coordinator · 🕒 their local time now",
        "",
        "• Aroha Ngata — Australia · Researcher · 🕒 Thu 23:00",
        "★ Ana Quispe @anaq — Peru · Cordillera Alta · Reserve manager · 🕒 Thu 07:00",
        "• Jorge Ruiz — Spain · 🕒 Thu 13:00",
    ],
    "es": [
        "Cambio climático — 3 miembros",
        "Países: Australia 1 · España 1 · Perú 1",
        "Continentes: América 1 · Europa 1 · Oceanía 1",
        "★ coordinación · 🕒 su hora local ahora",
        "",
        "• Aroha Ngata — Australia · Investigador/a · 🕒 jue, 23:00",
        "• Jorge Ruiz — España · 🕒 jue, 13:00",
        "★ Ana Quispe @anaq — Perú · Cordillera Alta · Gestor/a de reserva · 🕒 jue, 07:00",
    ],
    "zh": [
        "气候变化 — 3 名成员",
        "国家：澳大利亚 1 · 秘鲁 1 · 西班牙 1",
        "大洲：美洲 1 · 欧洲 1 · 大洋洲 1",
        "★ 协调人 · 🕒 对方此刻的当地时间",
        "",
        "• Aroha Ngata — 澳大利亚 · 研究人员 · 🕒 周四23:00",
        "★ Ana Quispe @anaq — 秘鲁 · Cordillera Alta · 保护区管理者 · 🕒 周四07:00",
        "• Jorge Ruiz — 西班牙 · 🕒 周四13:00",
    ],
}


@pytest.mark.parametrize("language", ["en", "es", "zh"])
async def test_roster_shows_each_members_local_time_counts_and_coordinators(
    emulator: Emulator, repos: Repositories, language: str
) -> None:
    ana = await three_zones(emulator, repos, language)

    reply = await emulator.says(ana, "/roster climate")

    assert reply.text.split("\n") == EXPECTED[language]
    assert reply.buttons == []
    assert "example.pe" not in reply.text
    assert "<b>Ana Quispe</b>" in (reply.html or "")


async def test_names_are_shown_literally(emulator: Emulator, repos: Repositories) -> None:
    ana = await three_zones(emulator, repos, "en")
    await enrol(emulator, repos, "<b>Bold</b> & co", groups=["climate"], country="PE")

    reply = await emulator.says(ana, "/roster climate")

    assert "• <b>Bold</b> & co — Peru · 🕒 —" in reply.text.split("\n")


async def test_a_long_roster_is_paged_with_buttons_that_edit_the_message(
    emulator: Emulator, repos: Repositories
) -> None:
    jorge = await enrol(emulator, repos, "Jorge", user_id=SECRETARIAT_ID, language="es")
    for i in range(23):
        await enrol(emulator, repos, f"Persona {i:02d}", groups=["biodiversity"], country="PE")
    group = await repos.groups.by_slug("biodiversity")
    assert group is not None

    first = await emulator.says(jorge, "/roster biodiversidad")

    assert first.text.startswith("Biodiversidad — 23 miembros")
    assert first.text.count("• Persona") == 20
    assert "Página 1 de 2" in first.text
    assert first.button_texts == ["▶"]
    assert first.buttons[0][0].data == f"ro:{group.id}:1"

    emulator.tap(jorge, first, "▶")
    await emulator.wait_until(lambda: "Página 2 de 2" in _current_text(emulator, first))
    second = emulator.message(first.chat_id, first.message_id)
    assert second is not None
    assert second.plain.count("• Persona") == 3
    assert "Persona 22" in second.plain
    assert [b.text for row in second.buttons for b in row] == ["◀"]

    emulator.tap(jorge, first, "◀")
    await emulator.wait_until(lambda: "Página 1 de 2" in _current_text(emulator, first))

    for forged in (f"ro:{group.id}:7", "ro:999:0", "ro:x"):
        query_id = emulator.tap_data(jorge, first, forged)
        answer = await _answer(emulator, query_id)
        assert answer.show_alert
        assert answer.text == "Este botón ya no es válido."
    assert "Página 1 de 2" in _current_text(emulator, first)


def _current_text(emulator: Emulator, entry: LedgerEntry) -> str:
    """The message's text as it is now, after edits."""
    message = emulator.message(entry.chat_id, entry.message_id)
    return message.plain if message is not None else ""


async def _answer(emulator: Emulator, query_id: str) -> CallbackAnswer:
    await emulator.wait_until(
        lambda: any(a.callback_query_id == query_id for a in emulator.callback_answers)
    )
    return next(a for a in emulator.callback_answers if a.callback_query_id == query_id)


async def _linked_chat(
    emulator: Emulator, repos: Repositories, slug: str, members: Sequence[SimUser]
) -> SimChat:
    chat = emulator.add_group(f"WG {slug}", members=members)
    await repos.chats.upsert(
        chat_id=chat.id, type="supergroup", title=chat.title, username=None, is_forum=False, now=NOW
    )
    group = await repos.groups.by_slug(slug)
    assert group is not None
    await repos.groups.link_chat(group.id, chat.id, None, NOW)
    return chat


async def test_in_a_linked_group_chat_roster_shows_that_groups_roster(
    emulator: Emulator, repos: Repositories
) -> None:
    ana = await three_zones(emulator, repos, "en")
    guest = await enrol(emulator, repos, "Guest", language="fr")
    chat = await _linked_chat(emulator, repos, "climate", [ana, guest])
    other = emulator.add_group("Coffee corner", members=[ana])

    in_chat = await emulator.says(ana, "/roster", chat=chat)
    assert in_chat.text.split("\n") == EXPECTED["en"]

    refused = await emulator.says(guest, "/roster@wnmrc_test_bot", chat=chat)
    assert refused.text == (
        "Seuls les membres de Changement climatique, les coordinateurs et le secrétariat "
        "peuvent voir cette liste."
    )

    elsewhere = await emulator.says(ana, "/roster biodiversity", chat=chat)
    assert elsewhere.text == (
        "Here I show only the roster of Climate change. "
        "Ask me for other rosters in our private chat."
    )
    unlinked = await emulator.says(ana, "/roster", chat=other)
    assert unlinked.text == (
        "This chat is not linked to a working group. Ask me for a roster in our private chat."
    )


async def test_unknown_group_lists_the_groups(emulator: Emulator, repos: Repositories) -> None:
    ana = await three_zones(emulator, repos, "fr")

    reply = await emulator.says(ana, "/roster <nowhere>")

    assert reply.text == (
        "Il n’y a pas de groupe de travail «\u202f<nowhere>\u202f». Les groupes sont\u202f: "
        "Changement climatique, Biodiversité, Autonomisation des communautés, Socio-économie."
    )


@pytest.mark.parametrize(
    ("language", "refusal"),
    [
        (
            "en",
            "Only members of Climate change, coordinators and the secretariat can see this roster.",
        ),
        (
            "es",
            "Solo los miembros de Cambio climático, los coordinadores y la secretaría "
            "pueden ver esta lista.",
        ),
    ],
)
async def test_a_member_cannot_see_the_roster_of_another_group(
    emulator: Emulator, repos: Repositories, language: str, refusal: str
) -> None:
    await three_zones(emulator, repos, "en")
    leo = await enrol(emulator, repos, "Leo", language=language, groups=["biodiversity"])
    lea = await enrol(emulator, repos, "Léa", groups=["biodiversity"], coordinates=["biodiversity"])

    assert (await emulator.says(leo, "/roster climate")).text == refusal
    coordinator_view = await emulator.says(lea, "/roster climate")
    assert coordinator_view.text.startswith("Climate change — 3 members")


async def test_roster_without_a_group_in_private(emulator: Emulator, repos: Repositories) -> None:
    await three_zones(emulator, repos, "en")
    aroha = emulator.find_user("Aroha")
    jorge = emulator.find_user("Jorge")
    newcomer = await enrol(emulator, repos, "Nina", language="es")
    assert aroha is not None
    assert jorge is not None

    only_group = await emulator.says(aroha, "/roster")
    assert only_group.text.startswith("Climate change — 3 members")

    choice = await emulator.says(jorge, "/roster")
    assert choice.text == "Which working group’s roster?"
    assert choice.button_texts == ["Climate change", "Biodiversity"]
    emulator.tap(jorge, choice, "Biodiversity")
    await emulator.wait_until(
        lambda: _current_text(emulator, choice).startswith("Biodiversity — 1 member")
    )

    nothing = await emulator.says(newcomer, "/roster")
    assert nothing.text == (
        "Todavía no estás en ningún grupo de trabajo. "
        "/groups los muestra y te permite unirte a uno."
    )


async def test_whois_by_username_by_part_of_a_name_and_no_match(
    emulator: Emulator, repos: Repositories
) -> None:
    await three_zones(emulator, repos, "en")
    aroha = emulator.find_user("Aroha")
    assert aroha is not None
    await enrol(emulator, repos, "Anabel", "Ortiz", groups=["community"], country="MX")

    card = await emulator.says(aroha, "/whois @AnaQ")
    assert card.text.split("\n") == [
        "Ana Quispe @anaq",
        "Reserve: Cordillera Alta",
        "Country: Peru · Americas",
        "Role: Reserve manager",
        "Groups: Climate change ★",
        "Local time: Thu 07:00 (Lima)",
    ]
    assert "example.pe" not in card.text

    several = await emulator.says(aroha, "/whois ana")
    assert several.text.split("\n") == [
        "2 people match “ana”:",
        "• Ana Quispe @anaq — Peru · Climate change",
        "• Anabel Ortiz — Mexico · Community empowerment",
        "Write /whois @username or more of the name to see one card.",
    ]

    by_part = await emulator.says(aroha, "/whois quis")
    assert by_part.text.startswith("Ana Quispe @anaq\n")

    assert (await emulator.says(aroha, "/whois Zelda")).text == "I found no one matching “Zelda”."
    assert (await emulator.says(aroha, "/whois")).text.startswith("Write /whois and a name")


async def test_whois_is_for_members_of_the_network(emulator: Emulator, repos: Repositories) -> None:
    ana = await three_zones(emulator, repos, "en")
    stranger = await enrol(emulator, repos, "Stranger", language="es")
    chat = await _linked_chat(emulator, repos, "climate", [ana, stranger])
    refusal = (
        "Solo los miembros de un grupo de trabajo pueden buscar personas. "
        "/groups muestra los grupos."
    )

    assert (await emulator.says(stranger, "/whois @anaq")).text == refusal
    assert (await emulator.says(stranger, "/whois @anaq", chat=chat)).text == refusal


async def test_whois_never_walks_internal_ids(emulator: Emulator, repos: Repositories) -> None:
    ana = await three_zones(emulator, repos, "en")
    ids = [p.id for p in await repos.people.search("a")]
    assert ids

    for number in sorted({*ids, 1, 2, 3}):
        reply = await emulator.says(ana, f"/whois {number}")
        assert reply.text == f"I found no one matching “{number}”."


def _csv_rows(data: bytes) -> list[dict[str, str]]:
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


async def test_a_coordinator_exports_their_groups_roster_as_csv(
    emulator: Emulator, repos: Repositories
) -> None:
    ana = await three_zones(emulator, repos, "es")
    await enrol(emulator, repos, "王梅", groups=["climate"], country="CN", language="zh")

    reply = await emulator.says(ana, "/export roster")

    assert reply.document is not None
    assert reply.document.filename == "roster-climate-2026-01-15.csv"
    assert reply.text == "Lista de Cambio climático: 4 personas."
    rows = _csv_rows(reply.document.content)
    assert [row["name"] for row in rows] == ["Ana Quispe", "Aroha Ngata", "Jorge Ruiz", "王梅"]
    assert rows[0] == {
        "name": "Ana Quispe",
        "email": "ana@example.pe",
        "reserve": "Cordillera Alta",
        "country": "PE",
        "role": "reserve_manager",
        "groups": "climate",
        "telegram username": "anaq",
        "language": "es",
        "time zone": "America/Lima",
        "joined": "2026-01-15",
    }
    assert rows[2]["groups"] == "climate;biodiversity"
    assert rows[3]["language"] == "zh"


async def test_export_refusals_and_the_secretariats_export_of_every_group(
    emulator: Emulator, repos: Repositories
) -> None:
    ana = await three_zones(emulator, repos, "en")
    aroha = emulator.find_user("Aroha")
    assert aroha is not None
    jorge = await enrol(emulator, repos, "Sec", user_id=SECRETARIAT_ID, groups=[])
    await enrol(emulator, repos, "Bio", groups=["biodiversity"])
    chat = await _linked_chat(emulator, repos, "climate", [ana])

    plain = await emulator.says(aroha, "/export roster")
    assert plain.text == "Only coordinators of a working group and the secretariat can do that."
    other_group = await emulator.says(ana, "/export roster biodiversity")
    assert (
        other_group.text == "Only the coordinators of Biodiversity and the secretariat can do that."
    )
    in_group = await emulator.says(ana, "/export roster", chat=chat)
    assert in_group.text == "Use /export in your private chat with me."
    assert (await emulator.says(ana, "/export people")).text.startswith("Write /export roster")
    assert all(entry.document is None for entry in emulator.ledger)

    everything = await emulator.says(jorge, "/export roster")

    assert everything.document is not None
    assert everything.document.filename.startswith("roster-all-2026-01-1")
    assert everything.text == "Roster of all working groups: 4 people."
    names = [row["name"] for row in _csv_rows(everything.document.content)]
    assert names == ["Ana Quispe", "Aroha Ngata", "Bio", "Jorge Ruiz"]
