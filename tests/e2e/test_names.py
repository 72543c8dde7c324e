"""Names found as people type them: case, accents and character width ignored wherever a person
or a group is looked up, and a beginning several groups share answered with those groups."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.context import WnmrcApplication
from sandbox.emulator import Emulator, SimUser
from storage import Repositories

from ..conftest import SECRETARIAT_ID

NOW = datetime(2026, 3, 25, 12, 0, tzinfo=UTC)


async def enrol(
    emulator: Emulator, repos: Repositories, first: str, last: str, slug: str = "climate"
) -> SimUser:
    user = emulator.add_user(first, last_name=last, language_code="en", started=True)
    person = await repos.people.upsert_from_telegram(
        telegram_id=user.id,
        first_name=first,
        last_name=last,
        username=None,
        language_code="en",
        private=True,
        now=NOW,
    )
    group = await repos.groups.by_slug(slug)
    assert group is not None
    await repos.groups.add_member(group.id, person.id, "member", NOW)
    return user


async def test_whois_ignores_case_accents_and_width(
    app: WnmrcApplication, emulator: Emulator, repos: Repositories
) -> None:
    asker = await enrol(emulator, repos, "Aroha", "Ngata")
    await enrol(emulator, repos, "Léa", "Dubois", "biodiversity")
    await enrol(emulator, repos, "Sofía", "Quispe")
    await enrol(emulator, repos, "ＫＥＮＪＩ", "Sato")  # typed on a full-width keyboard

    lea = await emulator.says(asker, "/whois lea")
    assert (lea.text or "").split("\n")[0] == "Léa Dubois"
    sofia = await emulator.says(asker, "/whois SOFIA quispe")
    assert (sofia.text or "").split("\n")[0] == "Sofía Quispe"
    kenji = await emulator.says(asker, "/whois kenji")
    assert (kenji.text or "").split("\n")[0] == "ＫＥＮＪＩ Sato"
    wide = await emulator.says(asker, "/whois ＤＵＢＯＩＳ")  # full-width query, plain name
    assert (wide.text or "").split("\n")[0] == "Léa Dubois"
    assert (await emulator.says(asker, "/whois zoé")).text == "I found no one matching “zoé”."


async def test_join_with_a_beginning_two_groups_share_offers_both(
    app: WnmrcApplication, emulator: Emulator, repos: Repositories
) -> None:
    ana = await enrol(emulator, repos, "Ana", "Quispe", "biodiversity")
    for slug in ("climate", "community"):  # open to anyone (the default asks the coordinators)
        group = await repos.groups.by_slug(slug)
        assert group is not None
        await repos.joining.set_policy(group.id, "open", NOW)

    both = await emulator.says(ana, "/join c")
    assert both.text == (
        "“c” could be several working groups: Climate change, Community empowerment. "
        "Which one? Write more of its name."
    )
    assert both.button_texts == ["Join Climate change", "Join Community empowerment"]
    memberships = await repos.groups.memberships_of(await person_id(repos, ana))
    assert len(memberships) == 1  # nothing joined by the question

    emulator.tap(ana, both, "Join Community empowerment")
    community = await repos.groups.by_slug("community")
    assert community is not None

    async def joined() -> bool:
        found = await repos.groups.memberships_of(await person_id(repos, ana))
        return community.id in {m.group_id for m in found}

    await emulator.settle()
    assert await joined()

    accented = await emulator.says(ana, "/join CLIMATE CHANGÉ")
    assert accented.text == "You joined the working group Climate change."
    leave = await emulator.says(ana, "/leave c")
    assert leave.button_texts == ["Leave Climate change", "Leave Community empowerment"]


async def test_the_secretariat_names_a_coordinator_without_the_accents(
    app: WnmrcApplication, emulator: Emulator, repos: Repositories
) -> None:
    await enrol(emulator, repos, "Sofía", "Quispe")
    secretariat = emulator.add_user("Sec", language_code="en", user_id=SECRETARIAT_ID)
    await emulator.says(secretariat, "/start")

    reply = await emulator.says(secretariat, "/coordinator add climate sofia")
    assert (reply.text or "").startswith("Sofía Quispe is now a coordinator of the working group")


async def person_id(repos: Repositories, user: SimUser) -> int:
    found = await repos.people.by_telegram_id(user.id)
    assert found is not None
    return found.id


async def test_roster_with_a_shared_beginning_offers_each_roster(
    app: WnmrcApplication, emulator: Emulator, repos: Repositories
) -> None:
    ana = await enrol(emulator, repos, "Ana", "Quispe", "community")

    both = await emulator.says(ana, "/roster C")
    assert (both.text or "").startswith("“C” could be several working groups: Climate change,")
    assert both.button_texts == ["Climate change", "Community empowerment"]
    emulator.tap(ana, both, "Community empowerment")
    await emulator.wait_until(
        lambda: any(
            (e.text or "").startswith("Community empowerment — 1 member")
            for e in emulator.ledger
            if e.chat_id == ana.id
        )
    )
    unknown = await emulator.says(ana, "/roster mars")
    assert (unknown.text or "").startswith("There is no working group “mars”.")
    assert unknown.button_texts == []
