"""Opportunities against the emulator: a reserve manager in Peru offers an internship; it is
offered to the two young researchers it fits and to nobody else; one says she is interested,
the poster accepts, both are told in their languages; /find ranks people in three languages.

The bot runs on a clock stopped at Tuesday 2026-01-13 14:05 UTC.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta

import pytest

from bot.clock import ManualClock
from bot.context import WnmrcApplication
from bot.opportunities.deadlines import OpportunityDeadlines
from bot.outbox import DeliveryConfig
from sandbox.emulator import Emulator, SimUser
from sandbox.emulator.world import SimMessage
from storage import Repositories

from ..conftest import FAST_DELIVERY, SECRETARIAT_ID

NOW = datetime(2026, 1, 13, 14, 5, tzinfo=UTC)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(NOW)


@pytest.fixture
def delivery() -> DeliveryConfig:
    return FAST_DELIVERY


@pytest.fixture
def publish_menus() -> bool:
    return False


async def member(
    emulator: Emulator,
    repos: Repositories,
    name: str,
    language: str,
    *,
    role: str,
    country: str,
    interests: Sequence[str],
    speaks: Sequence[str],
    zone: str,
    reserve: str | None = None,
    group: str = "climate",
) -> SimUser:
    """Someone who started the bot, with a profile, member of one working group."""
    user = emulator.add_user(name, language_code=language)
    await emulator.says(user, "/start")
    person = await repos.people.by_telegram_id(user.id)
    assert person is not None
    await repos.people.update_profile(
        person.id,
        NOW,
        role=role,
        country=country,
        interests=list(interests),
        spoken_languages=list(speaks),
        timezone=zone,
        reserve=reserve,
    )
    found = await repos.groups.by_slug(group)
    assert found is not None
    await repos.groups.add_member(found.id, person.id, "member", NOW)
    return user


async def _after(emulator: Emulator, user: SimUser, do: Callable[[], object]) -> SimMessage:
    mark, answered = len(emulator.ledger), len(emulator.callback_answers)
    do()

    def answered_in_chat() -> bool:
        alerts = [a for a in emulator.callback_answers[answered:] if a.text]
        return any(e.chat_id == user.id for e in emulator.ledger[mark:]) or bool(alerts)

    await emulator.wait_until(answered_in_chat)
    await emulator.settle()
    entries = [e for e in emulator.ledger[mark:] if e.chat_id == user.id]
    assert entries, emulator.backend.journal.describe_recent()
    shown = emulator.message(user.id, entries[-1].message_id)
    assert shown is not None
    return shown


async def say(emulator: Emulator, user: SimUser, text: str) -> SimMessage:
    return await _after(emulator, user, lambda: emulator.send_text(user, text))


async def tap(emulator: Emulator, user: SimUser, message: SimMessage, label: str) -> SimMessage:
    return await _after(emulator, user, lambda: emulator.tap(user, message, label))


def texts_to(emulator: Emulator, user: SimUser) -> list[str]:
    return [entry.text or "" for entry in emulator.sent_to(user)]


def labels(message: SimMessage) -> list[str]:
    return [button.text for row in message.buttons for button in row]


async def test_an_internship_in_peru_reaches_the_two_young_researchers_it_fits(
    emulator: Emulator, repos: Repositories, app: WnmrcApplication, clock: ManualClock
) -> None:
    rosa = await member(
        emulator, repos, "Rosa", "es", role="reserve_manager", country="PE",
        interests=["climate", "glaciares"], speaks=["es", "en"], zone="America/Lima",
        reserve="Huascarán",
    )  # fmt: skip
    lucia = await member(
        emulator, repos, "Lucía", "es", role="young_researcher", country="AR",
        interests=["Glacier monitoring"], speaks=["es"], zone="America/Argentina/Buenos_Aires",
    )  # fmt: skip
    chen = await member(
        emulator, repos, "Chen", "zh", role="young_researcher", country="CN",
        interests=["climate"], speaks=["zh", "es"], zone="Asia/Shanghai",
    )  # fmt: skip
    tom = await member(
        emulator, repos, "Tom", "en", role="researcher", country="GB",
        interests=["climate", "glaciers"], speaks=["en", "es"], zone="Europe/London",
    )  # fmt: skip
    amelie = await member(
        emulator, repos, "Amélie", "fr", role="young_researcher", country="FR",
        interests=["biodiversity"], speaks=["fr", "es"], zone="Europe/Paris", group="biodiversity",
    )  # fmt: skip
    kofi = await member(
        emulator, repos, "Kofi", "en", role="young_researcher", country="GH",
        interests=["climate"], speaks=["en"], zone="Africa/Accra",
    )  # fmt: skip

    shown = await say(emulator, rosa, "/opportunity")
    assert "¿Qué tipo de oportunidad es?" in (shown.text or "")
    shown = await tap(emulator, rosa, shown, "Prácticas ofrecidas por una reserva")
    shown = await say(emulator, rosa, "Prácticas de monitoreo de glaciares")
    shown = await say(emulator, rosa, "Tres meses en Huascarán midiendo glaciares.")
    shown = await tap(emulator, rosa, shown, "Cambio climático")
    assert "✓ Cambio climático" in labels(shown)
    shown = await say(emulator, rosa, "glacier monitoring")
    shown = await tap(emulator, rosa, shown, "Listo")
    shown = await say(emulator, rosa, "Perú")
    shown = await tap(emulator, rosa, shown, "español")
    shown = await tap(emulator, rosa, shown, "Listo")
    assert "(Lima)" in (shown.text or "")
    shown = await say(emulator, rosa, "15 de marzo de 2026")
    shown = await say(emulator, rosa, "rosa@huascaran.example")
    assert "Vista previa de tu oportunidad" in (shown.text or "")
    assert "domingo, 15 de marzo de 2026 23:59 (Lima)" in (shown.text or "")
    posted = await tap(emulator, rosa, shown, "Publicar")
    assert posted.text == (
        "Publicada. Se ofreció a 2 miembros a los que encaja; /opportunities la muestra."
    )

    await emulator.wait_until(lambda: texts_to(emulator, lucia) and texts_to(emulator, chen))
    await emulator.settle()
    offer = texts_to(emulator, lucia)[-1]
    assert offer.startswith(
        "💡 Una oportunidad que encaja contigo\n\nPrácticas ofrecidas por una reserva\n"
    ), offer
    assert "Prácticas de monitoreo de glaciares" in offer
    assert "lunes, 16 de marzo de 2026 01:59 (Buenos Aires)" in offer, offer
    assert "trabajas en Glacier monitoring; necesita español, que hablas" in offer
    chen_offer = texts_to(emulator, chen)[-1]
    assert "2026年3月16日星期一 12:59 (北京)" in chen_offer, chen_offer
    for nobody in (tom, amelie, kofi):
        assert all("💡" not in text for text in texts_to(emulator, nobody))

    opportunity = (await repos.opportunities.open())[0]
    assert opportunity.kind == "internship"
    assert opportunity.places == ("PE",)
    assert opportunity.languages == ("es",)
    assert await repos.opportunities.offered_to(opportunity.id) == {
        (await repos.people.by_telegram_id(lucia.id)).id,  # type: ignore[union-attr]
        (await repos.people.by_telegram_id(chen.id)).id,  # type: ignore[union-attr]
    }

    offer_message = emulator.message(lucia.id, emulator.sent_to(lucia)[-1].message_id)
    assert offer_message is not None
    asked = await tap(emulator, lucia, offer_message, "🙋 Me interesa")
    assert "¿por qué te interesa" in (asked.text or "")
    thanks = await say(emulator, lucia, "Estudio glaciares andinos desde hace dos años.")
    assert thanks.text == (
        "¡Gracias! Se avisó a quien publicó “Prácticas de monitoreo de glaciares” de tu interés."
    )

    await emulator.wait_until(lambda: any("🙋" in t for t in texts_to(emulator, rosa)))
    await emulator.settle()
    notice_entry = [e for e in emulator.sent_to(rosa) if "🙋" in (e.text or "")][-1]
    notice = emulator.message(rosa.id, notice_entry.message_id)
    assert notice is not None
    assert "Lucía" in (notice.text or "")
    assert "Estudio glaciares andinos" in (notice.text or "")
    assert "Hora local:" in (notice.text or "")
    assert labels(notice) == ["Aceptar", "Rechazar"]
    decided = await tap(emulator, rosa, notice, "Aceptar")
    assert "Aceptaste a Lucía; se le avisó." in (decided.text or "")

    await emulator.wait_until(lambda: any("✅" in t for t in texts_to(emulator, lucia)))
    told = [t for t in texts_to(emulator, lucia) if "✅" in t][-1]
    assert told == (
        "✅ Rosa aceptó tu interés en “Prácticas de monitoreo de glaciares”. "
        "Escríbele: rosa@huascaran.example"
    )
    # Chen, in Chinese, is interested too; Rosa declines her and Chen is told in Chinese.
    chen_message = emulator.message(chen.id, emulator.sent_to(chen)[-1].message_id)
    assert chen_message is not None
    await tap(emulator, chen, chen_message, "🙋 我感兴趣")
    await say(emulator, chen, "我研究冰川。")
    await emulator.wait_until(lambda: sum("🙋" in t for t in texts_to(emulator, rosa)) == 2)
    await emulator.settle()
    second = [e for e in emulator.sent_to(rosa) if "🙋" in (e.text or "")][-1]
    chen_notice = emulator.message(rosa.id, second.message_id)
    assert chen_notice is not None
    assert (chen_notice.text or "").startswith("🙋 A Chen le interesa “Prácticas de monitoreo")
    await tap(emulator, rosa, chen_notice, "Rechazar")
    await emulator.wait_until(lambda: any("婉拒" in t for t in texts_to(emulator, chen)))
    assert texts_to(emulator, chen)[-1] == (
        "Rosa 婉拒了您对“Prácticas de monitoreo de glaciares”的意向。感谢您的参与。"
    )

    lucia_id = (await repos.people.by_telegram_id(lucia.id)).id  # type: ignore[union-attr]
    interest = await repos.opportunities.interest(opportunity.id, lucia_id)
    assert interest is not None
    assert interest.status == "accepted"
    assert interest.statement == "Estudio glaciares andinos desde hace dos años."

    # Three days before the deadline, the poster and the interested are reminded, once.
    deadlines = OpportunityDeadlines(app.services.opportunities)
    due = await deadlines.next_due(clock.now())
    assert due == datetime(2026, 3, 13, 4, 59, tzinfo=UTC)
    clock.set(due - timedelta(seconds=1))
    await deadlines.run_due(clock.now())
    clock.set(due)
    await deadlines.run_due(clock.now())
    await deadlines.run_due(clock.now())
    app.services.outbox.wake()
    await emulator.wait_until(
        lambda: (
            any("⏰" in t for t in texts_to(emulator, lucia))
            and any("⏰" in t for t in texts_to(emulator, rosa))
        )
    )
    await emulator.settle()
    assert [t for t in texts_to(emulator, rosa) if "⏰" in t] == [
        "⏰ La fecha límite de “Prácticas de monitoreo de glaciares” se acerca: "
        "domingo, 15 de marzo de 2026 23:59 (Lima)."
    ]
    assert len([t for t in texts_to(emulator, lucia) if "⏰" in t]) == 1
    assert not any("⏰" in t for t in texts_to(emulator, chen))
    reminded = {row.person_id for row in await repos.outbox.containing("⏰")}
    rosa_id = (await repos.people.by_telegram_id(rosa.id)).id  # type: ignore[union-attr]
    assert reminded == {rosa_id, lucia_id}  # Chen, declined, is not reminded
    assert await deadlines.next_due(clock.now()) is None


async def test_find_ranks_the_right_people_first_in_three_languages(
    emulator: Emulator, repos: Repositories
) -> None:
    ana = await member(
        emulator, repos, "Ana", "es", role="researcher", country="PE",
        interests=["glaciers", "climate"], speaks=["es"], zone="America/Lima",
    )  # fmt: skip
    await member(
        emulator, repos, "Jean", "fr", role="reserve_manager", country="FR",
        interests=["écotourisme"], speaks=["fr", "en"], zone="Europe/Paris",
        reserve="Cévennes",
    )  # fmt: skip
    await member(
        emulator, repos, "Wang", "zh", role="young_researcher", country="CN",
        interests=["biodiversity", "birds"], speaks=["zh", "en"], zone="Asia/Shanghai",
        group="biodiversity",
    )  # fmt: skip
    mei = await member(
        emulator, repos, "Mei", "zh", role="researcher", country="CN",
        interests=["climate"], speaks=["zh"], zone="Asia/Shanghai",
    )  # fmt: skip
    outsider = emulator.add_user("Olga", language_code="en")
    await emulator.says(outsider, "/start")

    found = await say(emulator, ana, "/find glaciares")
    text = found.text or ""
    assert text.startswith("Personas que coinciden con “glaciares”, las mejores primero:\n\nAna")
    assert "Hora local:" in text
    assert "Jean" not in text

    found = await say(emulator, ana, "/find ECOTOURISME cevennes")
    assert (found.text or "").split("\n\n")[1].startswith("Jean")

    found = await say(emulator, mei, "/find 生物多样性 青年研究人员")
    shown = (found.text or "").split("\n\n")
    assert shown[0] == "与“生物多样性 青年研究人员”匹配的人员（最匹配的在前）："
    assert shown[1].startswith("Wang")

    refused = await say(emulator, outsider, "/find glaciers")
    assert refused.text == "Only members of a working group can look people up."
    nothing = await say(emulator, ana, "/find volcanes")
    assert nothing.text == "Nadie coincide con “volcanes”."


async def test_bad_answers_change_nothing_and_say_why(
    emulator: Emulator, repos: Repositories
) -> None:
    jean = await member(
        emulator, repos, "Jean", "fr", role="reserve_manager", country="FR",
        interests=["climate"], speaks=["fr"], zone="Europe/Paris",
    )  # fmt: skip
    shown = await say(emulator, jean, "/opportunity")
    shown = await tap(emulator, jean, shown, "Appel à financement")
    shown = await say(emulator, jean, "x" * 121)
    assert "Au plus 120 caractères, s’il vous plaît\u202f; le vôtre en a 121." in (shown.text or "")
    shown = await say(emulator, jean, "Fonds alpin 2026")
    shown = await say(emulator, jean, "Un appel pour les réserves de montagne.")
    shown = await tap(emulator, jean, shown, "Terminé")
    assert (shown.text or "").startswith("Choisissez au moins un thème.")
    shown = await tap(emulator, jean, shown, "Changement climatique")
    shown = await tap(emulator, jean, shown, "Terminé")
    shown = await say(emulator, jean, "Atlantide")
    assert (shown.text or "").startswith("Aucun pays ne correspond à «\u202fAtlantide\u202f»")
    shown = await say(emulator, jean, "en ligne")
    shown = await tap(emulator, jean, shown, "Terminé")
    shown = await say(emulator, jean, "un jour peut-être")
    assert "Je n’ai pas pu lire «\u202fun jour peut-être\u202f» comme date et heure." in (
        shown.text or ""
    )
    shown = await say(emulator, jean, "1 janvier 2026")
    assert "Cette date est passée." in (shown.text or "")
    draft = await repos.drafts.get(
        (await repos.people.by_telegram_id(jean.id)).id,  # type: ignore[union-attr]
        "opportunity",
    )
    assert draft is not None
    assert draft.step == "deadline"
    assert draft.data["places"] == ["online"]
    assert await repos.opportunities.open() == []


async def test_browse_close_and_hide(emulator: Emulator, repos: Repositories) -> None:
    rosa = await member(
        emulator, repos, "Rosa", "en", role="reserve_manager", country="PE",
        interests=["climate"], speaks=["es", "en"], zone="America/Lima",
    )  # fmt: skip
    poster = await repos.people.by_telegram_id(rosa.id)
    assert poster is not None
    for number in range(7):
        await repos.opportunities.create(
            poster.id, "funding" if number % 2 else "exchange", f"Call {number}", "Text.",
            ["climate"], [], [], None, None, None, NOW,
        )  # fmt: skip
    listed = await say(emulator, rosa, "/opportunities")
    assert (listed.text or "").startswith("Open opportunities\nPage 1 of 2\n1. Call 6")
    following = await tap(emulator, rosa, listed, "›")
    assert "6. Call 1" in (following.text or "")
    funding = await say(emulator, rosa, "/opportunities funding")
    assert "Page" not in (funding.text or "")
    assert (funding.text or "").count("Funding call") == 3
    card = await tap(emulator, rosa, funding, "1. Call 5")
    assert labels(card) == ["Filled", "Withdraw"]
    closed = await tap(emulator, rosa, card, "Filled")
    assert closed.text == "Call 5\nClosed as filled."
    assert (await repos.opportunities.get(6)).status == "filled"  # type: ignore[union-attr]

    secretariat = emulator.add_user("Sec", language_code="en", user_id=SECRETARIAT_ID)
    await emulator.says(secretariat, "/start")
    listed = await say(emulator, secretariat, "/opportunities")
    card = await tap(emulator, secretariat, listed, "1. Call 6")
    assert labels(card) == ["🙋 I'm interested", "Hide"]
    asked = await tap(emulator, secretariat, card, "Hide")
    assert asked.text == "Why hide it? Type the reason; the poster will be told."
    done = await say(emulator, secretariat, "Duplicate of another call.")
    assert done.text == "Hidden. The poster was told why."
    await emulator.wait_until(lambda: any("hid" in t for t in texts_to(emulator, rosa)))
    assert texts_to(emulator, rosa)[-1] == (
        "The secretariat hid your opportunity “Call 6”. Reason: Duplicate of another call."
    )
    listed = await say(emulator, rosa, "/opportunities")
    assert "Call 6" not in (listed.text or "")


async def test_a_proposal_with_partners_becomes_a_project_with_its_roster_and_meeting(
    emulator: Emulator, repos: Repositories
) -> None:
    jorge = await member(
        emulator, repos, "Jorge", "en", role="reserve_manager", country="ES",
        interests=["climate"], speaks=["es", "en"], zone="Europe/Madrid",
    )  # fmt: skip
    ana = await member(
        emulator, repos, "Ana", "es", role="researcher", country="PE",
        interests=["climate"], speaks=["es"], zone="America/Lima",
    )  # fmt: skip
    proposer = await repos.people.by_telegram_id(jorge.id)
    assert proposer is not None
    await repos.opportunities.create(
        proposer.id, "project", "Snow cover atlas", "Mapping snow cover across reserves.",
        ["climate"], [], [], None, None, None, NOW,
    )  # fmt: skip
    listed = await say(emulator, ana, "/opportunities")
    card = await tap(emulator, ana, listed, "1. Snow cover atlas")
    thanks = await tap(emulator, ana, card, "🙋 Me interesa")
    assert thanks.text == "¡Gracias! Se avisó a quien publicó “Snow cover atlas” de tu interés."

    listed = await say(emulator, jorge, "/opportunities")
    card = await tap(emulator, jorge, listed, "1. Snow cover atlas")
    assert labels(card) == ["🤝 Start the joint project", "Filled", "Withdraw"]
    early = len(emulator.callback_answers)
    emulator.tap(jorge, card, "🤝 Start the joint project")
    await emulator.wait_until(lambda: len(emulator.callback_answers) > early)
    assert emulator.callback_answers[-1].text == "Accept at least one partner first."

    await emulator.wait_until(lambda: any("🙋" in t for t in texts_to(emulator, jorge)))
    notice_entry = [e for e in emulator.sent_to(jorge) if "🙋" in (e.text or "")][-1]
    notice = emulator.message(jorge.id, notice_entry.message_id)
    assert notice is not None
    await tap(emulator, jorge, notice, "Accept")
    started = await tap(emulator, jorge, card, "🤝 Start the joint project")
    assert started.text == (
        "🤝 “Snow cover atlas” is now a joint project with 2 members, and you coordinate it. "
        "/roster project-1 shows them; /meet project-1 schedules its first meeting."
    )
    await emulator.wait_until(lambda: any("🤝" in t for t in texts_to(emulator, ana)))
    assert any(
        t.startswith("🤝 “Snow cover atlas” ya es un proyecto conjunto")
        for t in texts_to(emulator, ana)
    )

    roster = await say(emulator, ana, "/roster project-1")
    assert "Jorge" in (roster.text or "")
    assert "Ana" in (roster.text or "")
    projects = await say(emulator, ana, "/projects")
    assert (
        projects.text == "Proyectos conjuntos\n• Snow cover atlas — 2 miembros · /roster project-1"
    )

    listing = (await say(emulator, ana, "/groups")).text or ""
    standing, _, projects_part = listing.partition("\n\nProyectos conjuntos\n\n")
    assert "Cambio climático · 2 miembros" in standing
    assert projects_part.startswith("✓ Snow cover atlas · 2 miembros")
    # A project is no theme: neither /profile nor /submit offers it.
    card = await say(emulator, ana, "/me")
    menu = await tap(emulator, ana, card, "Editar")
    interests = await tap(emulator, ana, menu, "Intereses")
    assert "Cambio climático" in " ".join(labels(interests))
    assert not any("Snow cover atlas" in label for label in labels(interests))
    await tap(emulator, ana, interests, "Cancelar")
    await say(emulator, ana, "/submit")
    await say(emulator, ana, "Terrazas")
    await say(emulator, ana, "Huascarán")
    themes = await say(emulator, ana, "Perú")
    assert "Cambio climático" in labels(themes)
    assert not any("Snow cover atlas" in label for label in labels(themes))

    await emulator.says(jorge, "/meet project-1")
    await emulator.says(jorge, "Atlas kick-off")
    duration = await emulator.says(jorge, "15 Apr 15:00")
    await tap(emulator, jorge, duration, "1 hour")
    agenda = await emulator.says(jorge, "https://meet.example.org/atlas")
    await tap(emulator, jorge, agenda, "Skip")
    await tap(emulator, jorge, agenda, "Only once")
    await tap(emulator, jorge, agenda, "Keep 7 days, 1 day, 1 hour, and 10 minutes")
    await tap(emulator, jorge, agenda, "Schedule")
    await emulator.wait_until(lambda: any("Atlas kick-off" in t for t in texts_to(emulator, ana)))
    invitation = [t for t in texts_to(emulator, ana) if "Atlas kick-off" in t][-1]
    assert "miércoles, 15 de abril de 2026 08:00 (Lima)" in invitation, invitation
    group = await repos.groups.by_slug("project-1")
    assert group is not None
    assert await repos.opportunities.project_ids() == {group.id}
    assert (await repos.opportunities.get(1)).status == "filled"  # type: ignore[union-attr]


async def test_a_month_of_introductions_pairs_across_countries_in_both_peoples_hours(
    emulator: Emulator, repos: Repositories, app: WnmrcApplication, clock: ManualClock
) -> None:
    rosa = await member(
        emulator, repos, "Rosa", "es", role="reserve_manager", country="PE",
        interests=["glaciers"], speaks=["es"], zone="America/Lima", reserve="Huascarán",
    )  # fmt: skip
    jean = await member(
        emulator, repos, "Jean", "fr", role="researcher", country="FR",
        interests=["Glaciers", "birds"], speaks=["fr"], zone="Europe/Paris",
    )  # fmt: skip
    manu = await member(
        emulator, repos, "Manu", "es", role="researcher", country="PE",
        interests=["glaciers"], speaks=["es"], zone="America/Lima", reserve="Manu",
    )  # fmt: skip
    clock.set(datetime(2026, 2, 2, 9, tzinfo=UTC))  # the round may start once two have joined
    asked = await say(emulator, rosa, "/intros")
    assert (asked.text or "").startswith("Escribe /intros monthly para conocer")
    joined = await say(emulator, rosa, "/intros monthly")
    assert "(09:00–18:00)" in (joined.text or "")
    refused = await say(emulator, jean, "/intros monthly tard")
    assert refused.text == (
        "Je n’ai pas compris ces heures. Écrivez-les comme 9-18 ou 08:30-17:00."
    )
    await say(emulator, jean, "/intros monthly 8-16")
    await say(emulator, manu, "/intros monthly")

    await app.services.opportunities.intros.run_month(clock.now())
    app.services.outbox.wake()
    pairs = await repos.opportunities.intro_pairs("2026-02")
    rosa_id = (await repos.people.by_telegram_id(rosa.id)).id  # type: ignore[union-attr]
    jean_id = (await repos.people.by_telegram_id(jean.id)).id  # type: ignore[union-attr]
    assert [(p.person_a, p.person_b) for p in pairs] == [tuple(sorted((rosa_id, jean_id)))]
    await emulator.wait_until(
        lambda: (
            any("👋" in t for t in texts_to(emulator, rosa))
            and any("👋" in t for t in texts_to(emulator, jean))
        )
    )
    await emulator.settle()
    to_rosa = [t for t in texts_to(emulator, rosa) if "👋" in t][-1]
    assert to_rosa.startswith("👋 Tu presentación de este mes: Jean")
    assert "Tienen en común: glaciers" in to_rosa
    # Jean works 08:00–16:00 in Paris (07:00–15:00 UTC), Rosa 09:00–18:00 in Lima (14:00–23:00
    # UTC): only 14:00–15:00 UTC is in both days, a 30-minute call starts at 14:00 or 14:30.
    assert "Dos horarios que les convienen a ambos: " in to_rosa
    for entry in pairs:
        for start in (entry.first_start, entry.second_start):
            assert start.weekday() < 5
            assert (start.hour, start.minute) in ((14, 0), (14, 30))
    assert ("09:00 (Lima)" in to_rosa) or ("09:30 (Lima)" in to_rosa)
    to_jean = [t for t in texts_to(emulator, jean) if "👋" in t][-1]
    assert to_jean.startswith("👋 Votre rencontre du mois\u202f: Rosa")
    assert "(Paris)" in to_jean
    assert not any("👋" in t for t in texts_to(emulator, manu))  # the odd one waits

    entry = [e for e in emulator.sent_to(jean) if "👋" in (e.text or "")][-1]
    message = emulator.message(jean.id, entry.message_id)
    assert message is not None
    answered = len(emulator.callback_answers)
    emulator.tap(jean, message, "🤝 Nous nous sommes parlé")
    await emulator.wait_until(lambda: len(emulator.callback_answers) > answered)
    assert emulator.callback_answers[-1].text == (
        "Ravi que vous vous soyez parlé\u202f! Merci de nous l’avoir dit."
    )
    assert await repos.opportunities.met_count() == 1
    # The next month: Rosa and Jean are not paired again; Manu meets Jean.
    clock.set(datetime(2026, 3, 2, 9, tzinfo=UTC))
    await app.services.opportunities.intros.run_month(clock.now())
    march = await repos.opportunities.intro_pairs("2026-03")
    manu_id = (await repos.people.by_telegram_id(manu.id)).id  # type: ignore[union-attr]
    assert [(p.person_a, p.person_b) for p in march] == [tuple(sorted((manu_id, jean_id)))]


async def test_declines_stale_taps_long_statements_and_alerts_off(
    emulator: Emulator, repos: Repositories, app: WnmrcApplication
) -> None:
    rosa = await member(
        emulator, repos, "Rosa", "es", role="reserve_manager", country="PE",
        interests=["climate"], speaks=["es"], zone="America/Lima",
    )  # fmt: skip
    mei = await member(
        emulator, repos, "Mei", "zh", role="young_researcher", country="CN",
        interests=["climate"], speaks=["zh", "es"], zone="Asia/Shanghai",
    )  # fmt: skip
    emily = await member(
        emulator, repos, "Emily", "en", role="young_researcher", country="CA",
        interests=["climate"], speaks=["en", "es"], zone="America/Toronto",
    )  # fmt: skip
    off = await say(emulator, emily, "/alerts off")
    assert off.text == "Opportunity alerts: off."
    shown = await say(emulator, emily, "/alerts")
    assert shown.text == (
        "Opportunity alerts are off. Write /alerts on, /alerts weekly or /alerts off."
    )
    poster = await repos.people.by_telegram_id(rosa.id)
    assert poster is not None
    answers = {"kind": "internship", "title": "Prácticas en bosques", "description": "Dos meses.",
               "themes": ["climate"]}  # fmt: skip
    posted = (await app.services.opportunities.post(poster, answers)).opportunity
    mei_id = (await repos.people.by_telegram_id(mei.id)).id  # type: ignore[union-attr]
    assert await repos.opportunities.offered_to(posted.id) == {mei_id}  # Emily: alerts off
    listed = await say(emulator, mei, "/opportunities")
    card = await tap(emulator, mei, listed, "1. Prácticas en bosques")
    asked = await tap(emulator, mei, card, "🙋 我感兴趣")
    assert "请用几句话说明您为什么对“Prácticas en bosques”感兴趣" in (asked.text or "")
    too_long = await say(emulator, mei, "很" * 501)
    assert too_long.text == "最多 500 个字符；您输入了 501 个。"
    assert await repos.opportunities.interested(posted.id) == []
    await say(emulator, mei, "我研究森林。")

    await emulator.wait_until(lambda: any("🙋" in t for t in texts_to(emulator, rosa)))
    notice_entry = [e for e in emulator.sent_to(rosa) if "🙋" in (e.text or "")][-1]
    notice = emulator.message(rosa.id, notice_entry.message_id)
    assert notice is not None
    decided = await tap(emulator, rosa, notice, "Rechazar")
    assert "Rechazaste a Mei; se le avisó." in (decided.text or "")
    await emulator.wait_until(lambda: any("婉拒" in t for t in texts_to(emulator, mei)))
    assert [t for t in texts_to(emulator, mei) if "婉拒" in t] == [
        "Rosa 婉拒了您对“Prácticas en bosques”的意向。感谢您的参与。"
    ]
    answered = len(emulator.callback_answers)
    emulator.tap_data(
        rosa, notice, f"oi:{posted.id}:{(await repos.people.by_telegram_id(mei.id)).id}:accept"
    )  # type: ignore[union-attr]
    await emulator.wait_until(lambda: len(emulator.callback_answers) > answered)
    assert emulator.callback_answers[-1].text == "Este botón ya no es válido."
    interest = await repos.opportunities.interested(posted.id)
    assert [i.status for i in interest] == ["declined"]
    assert not any("💡" in t for t in texts_to(emulator, emily))


def document_of(entry: object) -> dict[str, object]:
    """The JSON file /mydata sends."""
    document = getattr(entry, "document", None)
    assert document is not None, f"no document but: {getattr(entry, 'text', None)!r}"
    parsed: dict[str, object] = json.loads(document.content.decode("utf-8"))
    return parsed


async def test_mydata_shows_opportunities_interest_offers_and_introductions(
    emulator: Emulator, repos: Repositories, app: WnmrcApplication
) -> None:
    rosa = await member(
        emulator, repos, "Rosa", "es", role="reserve_manager", country="PE",
        interests=["climate"], speaks=["es"], zone="America/Lima",
    )  # fmt: skip
    mei = await member(
        emulator, repos, "Mei", "zh", role="young_researcher", country="CN",
        interests=["climate", "冰川"], speaks=["zh", "es"], zone="Asia/Shanghai",
    )  # fmt: skip
    poster = await repos.people.by_telegram_id(rosa.id)
    reader = await repos.people.by_telegram_id(mei.id)
    assert poster is not None
    assert reader is not None
    answers = {"kind": "internship", "title": "Prácticas", "description": "Dos meses.",
               "themes": ["climate"], "places": ["PE"], "languages": ["es"]}  # fmt: skip
    posted = (await app.services.opportunities.post(poster, answers)).opportunity
    await app.services.opportunities.interested(reader, posted.id, "我研究森林。")
    await say(emulator, mei, "/intros monthly 8-16")

    mine = document_of(await emulator.says(mei, "/mydata"))
    assert mine["person"]["interests"] == ["climate", "冰川"]  # type: ignore[index]
    assert [row["statement"] for row in mine["opportunity_interest"]] == ["我研究森林。"]  # type: ignore[attr-defined]
    assert [row["opportunity_title"] for row in mine["opportunities_offered"]] == ["Prácticas"]  # type: ignore[attr-defined]
    assert mine["introductions"]["work_start"] == 480  # type: ignore[index]
    theirs = document_of(await emulator.says(rosa, "/mydata"))
    assert [row["places"] for row in theirs["opportunities_posted"]] == [["PE"]]  # type: ignore[attr-defined]
