"""The demo network: five continents, four linked groups, coordinators, secretariat."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from bot.context import WnmrcApplication
from bot.opportunities import intros
from sandbox.demo import EMAIL_ONLY_ADDRESS, PEOPLE, DemoNetwork
from sandbox.emulator import Emulator
from storage import Repositories


async def test_demo_loads_people_groups_and_chats(
    emulator: Emulator, app: WnmrcApplication, repos: Repositories
) -> None:
    demo = DemoNetwork.build(emulator)

    await demo.load(repos, app.services.clock)

    continents = {person.timezone.split("/")[0] for person in PEOPLE}
    assert {"America", "Europe", "Asia", "Africa", "Pacific"} <= continents
    assert {person.language for person in PEOPLE} == {"en", "es", "zh", "fr"}
    assert await repos.people.count() == len(PEOPLE) + 1  # and Li Wei, by e-mail only
    li = await repos.db.fetch_one(
        "SELECT telegram_id, email, language FROM people WHERE display_name = 'Li Wei'"
    )
    assert li is not None
    assert tuple(li) == (None, EMAIL_ONLY_ADDRESS, "zh")
    projects = await repos.opportunities.project_ids()
    for group in await repos.groups.list():
        if group.id in projects:  # a joint project born from a proposal: no chat of its own
            continue
        assert group.chat_id == demo.chats[group.slug].id
        assert len(await repos.groups.coordinators(group.id)) == 1
        assert await repos.groups.member_count(group.id) >= 4
    ana = await repos.people.by_telegram_id(demo.users[PEOPLE[0]].id)
    assert ana is not None
    assert ana.timezone is not None
    ZoneInfo(ana.timezone)
    assert len(demo.secretariat_ids) == 2
    proposals = await repos.decisions.all()
    assert [(p.kind, p.closed, p.outcome is not None) for p in proposals] == [
        ("choice", True, True),
        ("consent", False, False),
    ]
    reasons = [a.reason for a in await repos.decisions.answers(proposals[1].id)]
    assert reasons == [None, "Add the Andes case first."]
    kinds = {o.kind for o in await repos.opportunities.open()}
    assert kinds == {"project", "funding", "internship", "exchange", "placement", "call"}
    assert len(projects) == 1
    (project,) = [g for g in await repos.groups.list() if g.id in projects]
    assert await repos.groups.member_count(project.id) == 2  # the proposer and her partner
    sofia = await repos.people.by_telegram_id(demo.users[PEOPLE[1]].id)
    assert sofia is not None
    (proposal,) = await repos.opportunities.posted_by(sofia.id)
    assert (proposal.kind, proposal.status) == ("project", "filled")
    assert proposal.project_group_id == project.id
    filled = [o for o in await repos.opportunities.posted_by(ana.id) if o.status == "filled"]
    assert [o.kind for o in filled] == ["internship"]
    (placed,) = await repos.opportunities.interested(filled[0].id)
    assert placed.status == "accepted"
    assert await repos.opportunities.intro_pairs(intros.month_of(app.services.clock.now()))
    await demo.load(repos, app.services.clock)  # loading again adds nothing
    assert len(await repos.opportunities.open()) == 6
    biodiversity = await repos.chats.get(demo.chats["biodiversity"].id)
    assert biodiversity is not None
    assert (biodiversity.language, biodiversity.timezone) == ("fr", "Europe/Paris")


@pytest.mark.usefixtures("app")
async def test_demo_people_are_reachable_by_the_bot(emulator: Emulator) -> None:
    demo = DemoNetwork.build(emulator)

    reply = await emulator.says(demo.users[PEOPLE[3]], "/start")

    assert reply.text.startswith("Bienvenue, Léa\u202f!")


async def test_demo_roadmap_comes_from_the_seminar_with_fictional_owners(
    emulator: Emulator, app: WnmrcApplication, repos: Repositories
) -> None:
    demo = DemoNetwork.build(emulator)
    await demo.load(repos, app.services.clock)
    await demo.load(repos, app.services.clock)  # loading again adds nothing

    actions = await repos.roadmap.actions()
    assert len(actions) == 5
    assert all(action.owners for action in actions)
    assert {a.status for a in actions} == {"done", "planned"}
    titles = [o.title for o in await repos.roadmap.objectives()]
    assert "The International Year of Glaciers' Preservation 2025" in titles
    emily = demo.users[next(p for p in PEOPLE if p.first_name == "Emily")]
    mine = await emulator.says(emily, "/mytasks")
    assert "Draft the methodology for the October online meeting (demo)" in (mine.text or "")
    assert "(Vancouver)" in (mine.text or "")


def _found_names(text: str) -> list[str]:
    """The first names of the people /find lists, in order (each card starts with the name)."""
    return [card.split()[0] for card in text.split("\n\n")[1:]]


async def test_find_in_the_demo_finds_who_works_on_glaciers_in_four_languages(
    emulator: Emulator, app: WnmrcApplication, repos: Repositories
) -> None:
    demo = DemoNetwork.build(emulator)
    await demo.load(repos, app.services.clock)
    ana, emily, lea, mei = (demo.users[PEOPLE[i]] for i in (0, 2, 3, 6))
    glacier_people = ["Ana", "Emily", "Mei", "Tenzin"]  # glaciares, glacier monitoring, 冰川监测,
    # glacial lakes: the same topic in three languages, a stem, and Chinese inside a phrase

    found = await emulator.says(ana, "/find glaciares")
    assert found.text.startswith("Personas que coinciden con “glaciares”, las mejores primero:")
    assert _found_names(found.text) == glacier_people
    assert (
        "Intereses: Cambio climático, Empoderamiento comunitario, glaciares, bofedales"
        in found.text
    )
    found = await emulator.says(emily, "/find glacier")
    assert _found_names(found.text) == glacier_people
    found = await emulator.says(lea, "/find Glaciers")
    assert found.text.startswith("Personnes correspondant à «\u202fGlaciers\u202f»")
    assert _found_names(found.text) == glacier_people
    found = await emulator.says(mei, "/find 冰川")
    assert _found_names(found.text) == glacier_people
    # Another topic across languages: Léa's pollinisateurs and Sofía's polinizadores.
    found = await emulator.says(mei, "/find 传粉昆虫")
    assert _found_names(found.text) == ["Sofía", "Léa"]


async def test_a_demo_person_sees_this_months_introduction_with_intros(
    emulator: Emulator, app: WnmrcApplication, repos: Repositories
) -> None:
    demo = DemoNetwork.build(emulator)
    await demo.load(repos, app.services.clock)
    pair = (await repos.opportunities.intro_pairs(intros.month_of(app.services.clock.now())))[0]
    one, other = await repos.people.get(pair.person_a), await repos.people.get(pair.person_b)
    assert one is not None
    assert other is not None
    someone, user = next((p, u) for p, u in demo.users.items() if p.first_name == one.first_name)

    await emulator.says(user, "/intros")
    await emulator.settle()
    shown = emulator.sent_to(user)[-1]
    headers = {
        "en": "👋 Your introduction this month: ",
        "es": "👋 Tu presentación de este mes: ",
        "zh": "👋 本月为您介绍：",
        "fr": "👋 Votre rencontre du mois\u202f: ",
    }
    assert (shown.text or "").startswith(headers[someone.language] + other.name)
    card = emulator.message(user.id, shown.message_id)
    assert card is not None
    assert next(button.text for row in card.buttons for button in row).startswith("🤝")
