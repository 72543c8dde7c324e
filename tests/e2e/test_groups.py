"""Working groups as members, coordinators and the secretariat see them: joining and leaving by
button, command, invitation link and linked group chat; creating groups, linking chats and
topics, naming coordinators, removing members; bad input and forged buttons."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from sandbox.emulator import Emulator, LedgerEntry, SimChat, SimUser
from sandbox.emulator.journal import CallbackAnswer
from storage import Membership, Repositories

from ..conftest import SECRETARIAT_ID

pytestmark = pytest.mark.usefixtures("app", "open_groups")


@pytest.fixture
async def open_groups(repos: Repositories) -> None:
    """Every group open to everyone: these tests are about groups, not join policies (those
    are in test_joining.py)."""
    for group in await repos.groups.list():
        await repos.joining.set_policy(group.id, "open", datetime.now(UTC))


async def _membership(repos: Repositories, user: SimUser, slug: str) -> Membership | None:
    person = await repos.people.by_telegram_id(user.id)
    group = await repos.groups.by_slug(slug)
    assert person is not None
    assert group is not None
    return await repos.groups.membership(group.id, person.id)


async def _is_member(repos: Repositories, user: SimUser, slug: str) -> bool:
    membership = await _membership(repos, user, slug)
    return membership is not None and membership.current


async def _answered(
    emulator: Emulator, entry: LedgerEntry, query_id: str, mark: int, *, edited: bool
) -> CallbackAnswer:
    """The bot's answer to a tap, once it also edited the message (when ``edited``)."""

    def answered() -> bool:
        return any(a.callback_query_id == query_id for a in emulator.callback_answers)

    def edit_arrived() -> bool:
        return any(
            e.kind == "edit" and (e.chat_id, e.message_id) == (entry.chat_id, entry.message_id)
            for e in emulator.ledger[mark:]
        )

    await emulator.wait_until(answered)
    if edited:
        await emulator.wait_until(edit_arrived)
    return next(a for a in emulator.callback_answers if a.callback_query_id == query_id)


async def _tap(emulator: Emulator, user: SimUser, entry: LedgerEntry, text: str) -> CallbackAnswer:
    """Tap a button of the message; the bot answers and updates the message."""
    mark = len(emulator.ledger)
    return await _answered(emulator, entry, emulator.tap(user, entry, text), mark, edited=True)


async def _tap_data(
    emulator: Emulator, user: SimUser, entry: LedgerEntry, data: str
) -> CallbackAnswer:
    """A callback with any data (forged or stale): the bot only answers."""
    query_id = emulator.tap_data(user, entry, data)
    answer = await _answered(emulator, entry, query_id, len(emulator.ledger), edited=False)
    await emulator.settle()
    return answer


def _current_text(emulator: Emulator, entry: LedgerEntry) -> str:
    current = emulator.message(entry.chat_id, entry.message_id)
    assert current is not None
    return current.plain


def _current_buttons(emulator: Emulator, entry: LedgerEntry) -> list[str]:
    current = emulator.message(entry.chat_id, entry.message_id)
    assert current is not None
    return [button.text for row in current.buttons for button in row]


async def _secretariat(emulator: Emulator, language: str = "en") -> SimUser:
    jorge = emulator.add_user(
        "Jorge", username="jorge", language_code=language, user_id=SECRETARIAT_ID
    )
    await emulator.says(jorge, "/start")
    return jorge


async def _linked_chat(
    emulator: Emulator,
    jorge: SimUser,
    slug: str,
    members: list[SimUser],
    title: str | None = None,
    username: str | None = None,
) -> SimChat:
    """A group chat with the bot as admin, linked to the working group by the secretariat."""
    chat = emulator.add_group(title or f"WG {slug}", members=[jorge, *members], username=username)
    await emulator.says(jorge, f"/linkchat {slug}", chat=chat)
    return chat


# /groups and its buttons


async def test_groups_lists_counts_and_joins_and_leaves_by_button(
    emulator: Emulator, repos: Repositories
) -> None:
    ana = emulator.add_user("Ana", language_code="en")

    listing = await emulator.says(ana, "/groups")

    assert listing.text.splitlines()[0] == "Working groups"
    assert "Climate change · 0 members" in listing.text
    assert "Observing, adapting to and mitigating climate change" in listing.text
    assert listing.button_texts == [
        "Join Climate change",
        "Join Biodiversity",
        "Join Community empowerment",
        "Join Socioeconomics",
    ]

    answer = await _tap(emulator, ana, listing, "Join Climate change")

    assert answer.text == "You joined Climate change."
    assert "✓ Climate change · 1 member" in _current_text(emulator, listing)
    assert _current_buttons(emulator, listing)[:2] == ["Leave Climate change", "Join Biodiversity"]
    membership = await _membership(repos, ana, "climate")
    assert membership is not None
    assert (membership.current, membership.role, membership.source) == (True, "member", "bot")

    answer = await _tap(emulator, ana, listing, "Leave Climate change")

    assert answer.text == "You left Climate change."
    assert "Climate change · 0 members" in _current_text(emulator, listing)
    assert "✓ Climate change" not in _current_text(emulator, listing)
    assert _current_buttons(emulator, listing)[0] == "Join Climate change"
    assert not await _is_member(repos, ana, "climate")


async def test_a_stale_button_says_so_and_shows_the_truth(
    emulator: Emulator, repos: Repositories
) -> None:
    ana = emulator.add_user("Ana", language_code="es")
    listing = await emulator.says(ana, "/groups")
    await emulator.says(ana, "/join climate")

    answer = await _tap(emulator, ana, listing, "Unirme a Cambio climático")

    assert answer.text == "Ya estás en Cambio climático."
    assert "✓ Cambio climático · 1 miembro" in _current_text(emulator, listing)
    assert _current_buttons(emulator, listing)[0] == "Salir de Cambio climático"

    await emulator.says(ana, "/leave climate")
    answer = await _tap(emulator, ana, listing, "Salir de Cambio climático")

    assert answer.text == "No estás en Cambio climático."
    assert _current_buttons(emulator, listing)[0] == "Unirme a Cambio climático"
    assert not await _is_member(repos, ana, "climate")


@pytest.mark.parametrize("data", ["gj:999", "gj:abc", "gl:0", "gj:1:2", "gj:-1"])
async def test_forged_buttons_change_nothing(
    emulator: Emulator, repos: Repositories, data: str
) -> None:
    ana = emulator.add_user("Ana", language_code="fr")
    listing = await emulator.says(ana, "/groups")
    before = _current_text(emulator, listing)

    answer = await _tap_data(emulator, ana, listing, data)

    assert (answer.text, answer.show_alert) == ("Ce bouton n’est plus valide.", True)
    assert _current_text(emulator, listing) == before
    person = await repos.people.by_telegram_id(ana.id)
    assert person is not None
    assert await repos.groups.memberships_of(person.id) == []


async def test_groups_in_a_group_chat_offer_join_and_leave_to_everyone(
    emulator: Emulator, repos: Repositories
) -> None:
    ana = emulator.add_user("Ana", language_code="en")
    bob = emulator.add_user("Bob", language_code="en")
    chat = emulator.add_group("Mountain friends", members=[ana, bob])

    listing = await emulator.says(ana, "/groups", chat=chat)

    assert "✓" not in listing.text
    assert listing.button_texts[:2] == ["Join Climate change", "Leave"]
    answer = await _tap(emulator, bob, listing, "Join Biodiversity")
    assert answer.text == "You joined Biodiversity."
    assert "Biodiversity · 1 member" in _current_text(emulator, listing)
    assert await _is_member(repos, bob, "biodiversity")
    assert not await _is_member(repos, ana, "biodiversity")


# /join and /leave


async def test_join_and_leave_by_command(emulator: Emulator, repos: Repositories) -> None:
    ana = emulator.add_user("Ana", language_code="es")

    assert (await emulator.says(ana, "/join cambio climático")).text == (
        "Te has unido al grupo de trabajo Cambio climático."
    )
    assert (await emulator.says(ana, "/join climate")).text == (
        "Ya formas parte del grupo de trabajo Cambio climático."
    )
    assert await _is_member(repos, ana, "climate")

    assert (await emulator.says(ana, "/leave Climate change")).text == (
        "Has salido del grupo de trabajo Cambio climático."
    )
    assert (await emulator.says(ana, "/leave climate")).text == (
        "No eres miembro del grupo de trabajo Cambio climático."
    )
    assert not await _is_member(repos, ana, "climate")

    await emulator.says(ana, "/join clima")
    rejoined = await _membership(repos, ana, "climate")
    assert rejoined is not None
    assert (rejoined.current, rejoined.source) == (True, "bot")


async def test_unknown_or_missing_group_lists_the_valid_names(
    emulator: Emulator, repos: Repositories
) -> None:
    ana = emulator.add_user("Ana", language_code="en")

    unknown = await emulator.says(ana, "/join <b>Mars</b>")
    missing = await emulator.says(ana, "/leave")

    groups = "Climate change, Biodiversity, Community empowerment, Socioeconomics"
    assert unknown.text == (
        f"There is no working group “<b>Mars</b>”. The working groups are: {groups}."
    )
    assert missing.text == f"Which working group? Write /leave GROUP, one of: {groups}."
    person = await repos.people.by_telegram_id(ana.id)
    assert person is not None
    assert await repos.groups.memberships_of(person.id) == []


async def test_a_very_long_unknown_group_name_is_quoted_cut_short(
    emulator: Emulator, repos: Repositories
) -> None:
    """Found by the fuzz: quoting 5,000 characters back made the answer too long to send."""
    ana = emulator.add_user("Ana", language_code="es")

    reply = await emulator.says(ana, "/join " + "<b>" * 1700)

    assert reply.text.startswith("No hay ningún grupo de trabajo «<b><b>")
    assert "…»" in reply.text
    assert len(reply.text) < 400
    assert not [c for c in emulator.calls if c.method == "sendMessage" and c.status == 400]


async def test_a_coordinator_who_leaves_is_told_they_no_longer_coordinate(
    emulator: Emulator, repos: Repositories
) -> None:
    jorge = await _secretariat(emulator)
    lea = emulator.add_user("Léa", username="lea", language_code="fr")
    await emulator.says(lea, "/start")
    await emulator.says(jorge, "/coordinator add biodiversity @lea")

    reply = await emulator.says(lea, "/leave biodiversité")

    assert reply.text == (
        "Vous avez quitté le groupe de travail Biodiversité. "
        "Vous ne faites plus partie de sa coordination."
    )
    group = await repos.groups.by_slug("biodiversity")
    assert group is not None
    assert await repos.groups.coordinators(group.id) == []


# Invitation links


async def test_joining_by_invitation_link_still_welcomes(
    emulator: Emulator, repos: Repositories
) -> None:
    ana = emulator.add_user("Ana", language_code="es")

    reply = await emulator.says(ana, "/start join_climate")

    assert reply.text.splitlines()[0] == "Te has unido al grupo de trabajo Cambio climático."
    assert "¡Te damos la bienvenida, Ana!" in reply.text
    membership = await _membership(repos, ana, "climate")
    assert membership is not None
    assert (membership.current, membership.source) == (True, "link")

    again = await emulator.says(ana, "/start join_climate")
    assert again.text.splitlines()[0] == "Ya formas parte del grupo de trabajo Cambio climático."


# The linked group chat


async def test_join_requests_to_the_linked_chat_are_approved_for_members_only(
    emulator: Emulator, repos: Repositories
) -> None:
    jorge = await _secretariat(emulator, "es")
    ana = emulator.add_user("Ana", language_code="es")
    eve = emulator.add_user("Eve", language_code="en")
    chat = await _linked_chat(emulator, jorge, "climate", [])
    await emulator.says(ana, "/join climate")
    await emulator.says(jorge, "/policy climate approval")
    await emulator.says(eve, "/start")

    emulator.ask_to_join(chat, ana)
    emulator.ask_to_join(chat, eve)
    await emulator.settle()

    assert chat.members.get(ana.id) == "member"
    assert chat.members.get(eve.id, "left") == "left"
    assert chat.join_requests == {eve.id}
    assert not await _is_member(repos, eve, "climate")


async def test_joining_and_leaving_the_linked_chat(emulator: Emulator, repos: Repositories) -> None:
    jorge = await _secretariat(emulator, "es")
    ana = emulator.add_user("Ana", language_code="es")
    chat = emulator.add_group("GT Clima", members=[jorge])

    linked = await emulator.says(jorge, "/linkchat climate", chat=chat)

    assert linked.text == (
        "Este chat es ahora el chat del grupo de trabajo Cambio climático: quien entra en él "
        "se une al grupo, quien sale de él deja el grupo."
    )
    climate = await repos.groups.by_slug("climate")
    assert climate is not None
    assert (climate.chat_id, climate.topic_id) == (chat.id, None)

    emulator.add_member(chat, ana)
    await emulator.settle()
    membership = await _membership(repos, ana, "climate")
    assert membership is not None
    assert (membership.current, membership.source) == (True, "chat")

    emulator.send_text(ana, "¡Hola a todos!", chat)
    await emulator.settle()
    person = await repos.people.by_telegram_id(ana.id)
    assert person is not None
    assert await repos.groups.last_seen_in_chat(climate.id, person.id) is not None

    emulator.remove_member(chat, ana)
    await emulator.settle()
    assert not await _is_member(repos, ana, "climate")


async def test_people_who_join_an_unlinked_chat_join_nothing(
    emulator: Emulator, repos: Repositories
) -> None:
    ana = emulator.add_user("Ana")
    chat = emulator.add_group("Coffee corner")

    emulator.add_member(chat, ana)
    emulator.send_text(ana, "hi", chat)
    await emulator.settle()

    person = await repos.people.by_telegram_id(ana.id)
    assert person is not None
    assert await repos.groups.memberships_of(person.id) == []


async def test_joining_tells_where_the_group_talks(emulator: Emulator) -> None:
    jorge = await _secretariat(emulator)
    await _linked_chat(emulator, jorge, "climate", [], title="WG <Climate>", username="wg_climate")
    await _linked_chat(emulator, jorge, "biodiversity", [], title="WG Bio")
    ana = emulator.add_user("Ana", language_code="en")

    public = await emulator.says(ana, "/join climate")
    private = await emulator.says(ana, "/start join_biodiversity")

    assert public.text == (
        "You joined the working group Climate change.\n"
        "The group talks in the Telegram chat WG <Climate>."
    )
    assert '<a href="https://t.me/wg_climate">WG &lt;Climate&gt;</a>' in (public.html or "")
    assert private.text.splitlines()[1] == (
        "The group talks in the Telegram chat WG Bio; if you are not in it yet, "
        "ask a coordinator to add you."
    )
    listing = await emulator.says(ana, "/groups")
    await _tap(emulator, ana, listing, "Join Socioeconomics")
    await emulator.settle()
    assert emulator.sent_to(ana)[-1].message_id == listing.message_id  # that group has no chat
    await _tap(emulator, ana, listing, "Leave Climate change")
    mark = len(emulator.ledger)
    await _tap(emulator, ana, listing, "Join Climate change")
    said = await emulator.next_message(ana, after=mark)
    assert said.text == "The group talks in the Telegram chat WG <Climate>."


async def test_linking_a_forum_topic(emulator: Emulator, repos: Repositories) -> None:
    jorge = await _secretariat(emulator, "en")
    ana = emulator.add_user("Ana", language_code="en")
    forum = emulator.add_group("Network forum", members=[jorge, ana], is_forum=True)
    topic = emulator.add_topic(forum, "Biodiversity", by=jorge)
    await emulator.settle()

    mark = len(emulator.ledger)
    emulator.send_text(jorge, "/linkchat biodiversity", forum, thread_id=topic)
    reply = await emulator.next_message(forum, after=mark)

    assert reply.text == "This topic is now the place of the working group Biodiversity."
    assert reply.message_thread_id == topic
    biodiversity = await repos.groups.by_slug("biodiversity")
    assert biodiversity is not None
    assert (biodiversity.chat_id, biodiversity.topic_id) == (forum.id, topic)

    emulator.send_text(ana, "Hello from another topic", forum)
    await emulator.settle()
    person = await repos.people.by_telegram_id(ana.id)
    assert person is not None
    assert await repos.groups.last_seen_in_chat(biodiversity.id, person.id) is None
    emulator.send_text(ana, "Hello biodiversity!", forum, thread_id=topic)
    await emulator.settle()
    assert await repos.groups.last_seen_in_chat(biodiversity.id, person.id) is not None

    bob = emulator.add_user("Bob")
    emulator.add_member(forum, bob)
    await emulator.settle()
    bob_person = await repos.people.by_telegram_id(bob.id)
    assert bob_person is not None
    assert await repos.groups.memberships_of(bob_person.id) == []  # a forum is no topic

    mark = len(emulator.ledger)
    emulator.send_text(ana, "/join", forum, thread_id=topic)
    joined = await emulator.next_message(forum, after=mark)
    assert joined.text.startswith("You joined the working group Biodiversity.")
    emulator.remove_member(forum, ana)
    await emulator.settle()
    assert not await _is_member(repos, ana, "biodiversity")


async def test_linking_replaces_the_group_linked_there_before(
    emulator: Emulator, repos: Repositories
) -> None:
    jorge = await _secretariat(emulator, "fr")
    chat = await _linked_chat(emulator, jorge, "climate", [])

    reply = await emulator.says(jorge, "/linkchat socioeconomics", chat=chat)

    assert reply.text.splitlines()[1] == "Il remplace ici Changement climatique."
    climate = await repos.groups.by_slug("climate")
    socioeconomics = await repos.groups.by_slug("socioeconomics")
    assert climate is not None
    assert socioeconomics is not None
    assert climate.chat_id is None
    assert socioeconomics.chat_id == chat.id


async def test_linking_a_chat_where_the_bot_is_not_admin_says_what_to_do(
    emulator: Emulator,
) -> None:
    jorge = await _secretariat(emulator, "en")
    chat = emulator.add_group("WG climate", members=[jorge], bot_is_admin=False)

    reply = await emulator.says(jorge, "/linkchat climate", chat=chat)

    assert reply.text.splitlines()[-1] == (
        "Make me an administrator of this chat: only then does Telegram tell me who joins "
        "and leaves."
    )


async def test_linkchat_bad_input(emulator: Emulator) -> None:
    jorge = await _secretariat(emulator, "en")
    chat = emulator.add_group("WG", members=[jorge])

    assert (await emulator.says(jorge, "/linkchat", chat=chat)).text.startswith(
        "Which working group? Write /linkchat GROUP, one of: Climate change"
    )
    assert (await emulator.says(jorge, "/linkchat mars", chat=chat)).text.startswith(
        "There is no working group “mars”."
    )
    assert (await emulator.says(jorge, "/linkchat climate")).text == (
        "Use /linkchat in a group chat of a working group."
    )


# The secretariat: /newgroup, /coordinator


async def test_new_group_has_one_name_in_every_language(
    emulator: Emulator, repos: Repositories
) -> None:
    jorge = await _secretariat(emulator, "en")

    reply = await emulator.says(jorge, "/newgroup water | Water & <glaciers> | hydrology")

    assert reply.text.startswith(
        "Working group Water & <glaciers> created (slug water, theme: hydrology)."
    )
    assert "<b>Water &amp; &lt;glaciers&gt;</b>" in (reply.html or "")
    water = await repos.groups.by_slug("water")
    assert water is not None
    assert set(water.names.values()) == {"Water & <glaciers>"}
    assert set(water.names) == {"en", "es", "zh", "fr"}
    mei = emulator.add_user("Mei", language_code="zh")
    listing = await emulator.says(mei, "/groups")
    assert "Water & <glaciers> · 0 名成员" in listing.text
    assert "加入 Water & <glaciers>" in listing.button_texts
    mark = len(emulator.ledger)
    asked = await emulator.says(mei, "/join water")
    notice = await emulator.next_message(jorge, after=mark)
    assert notice.text == "🙋 Mei asks to join the working group Water & <glaciers>."
    assert asked.text.startswith("您加入工作组 Water & <glaciers> 的申请已发送给其协调人。")
    opened = await emulator.says(jorge, "/policy water open")
    assert opened.text == "The working group Water & <glaciers> is now open to everyone."
    joined = await emulator.says(mei, "/join water")
    assert joined.text == "您已加入工作组 Water & <glaciers>。"


async def test_new_group_form_may_start_on_the_next_line(
    emulator: Emulator, repos: Repositories
) -> None:
    jorge = await _secretariat(emulator, "fr")

    reply = await emulator.says(jorge, "/newgroup\nice | Glaciers")

    assert reply.text.startswith(
        "Groupe de travail Glaciers créé (identifiant ice, thème\u202f: Glaciers)."
    )
    assert await repos.groups.by_slug("ice") is not None


@pytest.mark.parametrize(
    ("form", "answer"),
    [
        ("", "Write it on one line: /newgroup slug | Name | theme"),
        ("water", "Write it on one line: /newgroup slug | Name | theme"),
        ("w | Water", "“w” cannot be a slug: use 2–32 lowercase letters, digits, - or _."),
        ("water | " + "x" * 65, "The name is too long: at most 64 characters."),
        (
            "climate | Something",
            "There is already a working group with the slug climate or the name Something.",
        ),
        (
            "clima | Cambio climático",
            "There is already a working group with the slug clima or the name Cambio climático.",
        ),
    ],
)
async def test_new_group_bad_input(
    emulator: Emulator, repos: Repositories, form: str, answer: str
) -> None:
    jorge = await _secretariat(emulator, "en")

    reply = await emulator.says(jorge, f"/newgroup {form}")

    assert reply.text.startswith(answer)
    assert len(await repos.groups.list()) == 4


async def test_new_group_only_in_private_and_only_by_the_secretariat(
    emulator: Emulator, repos: Repositories
) -> None:
    jorge = await _secretariat(emulator, "es")
    ana = emulator.add_user("Ana", language_code="es")
    chat = emulator.add_group("WG", members=[jorge])

    in_group = await emulator.says(jorge, "/newgroup water | Water", chat=chat)
    by_member = await emulator.says(ana, "/newgroup water | Water")

    assert in_group.text == "Usa /newgroup en tu chat privado conmigo."
    assert by_member.text == "Solo la secretaría de la red puede hacer eso."
    assert await repos.groups.by_slug("water") is None


async def test_naming_and_removing_a_coordinator_tells_them_in_their_language(
    emulator: Emulator, repos: Repositories
) -> None:
    jorge = await _secretariat(emulator, "en")
    lea = emulator.add_user("Léa", "Moreau", username="lea", language_code="fr")
    await emulator.says(lea, "/start")

    reply = await emulator.says(jorge, "/coordinator add Climate change @lea")

    assert (
        reply.text
        == "Léa Moreau is now a coordinator of the working group Climate change.\nI let them know."
    )
    told = emulator.sent_to(lea)[-1]
    assert told.text is not None
    assert told.text.startswith(
        "Vous coordonnez désormais le groupe de travail Changement climatique."
    )
    membership = await _membership(repos, lea, "climate")
    assert membership is not None
    assert (membership.coordinator, membership.source) == (True, "appointed")
    assert (await emulator.says(jorge, "/coordinator add climate Léa")).text == (
        "Léa Moreau already coordinates the working group Climate change."
    )

    reply = await emulator.says(jorge, "/coordinator remove climate Moreau")

    assert reply.text.splitlines()[0] == (
        "Léa Moreau is no longer a coordinator of the working group Climate change "
        "(still a member)."
    )
    assert emulator.sent_to(lea)[-1].text == (
        "Vous ne coordonnez plus le groupe de travail Changement climatique\u202f; "
        "vous en restez membre."
    )
    membership = await _membership(repos, lea, "climate")
    assert membership is not None
    assert (membership.current, membership.coordinator) == (True, False)
    assert (await emulator.says(jorge, "/coordinator remove climate @lea")).text == (
        "Léa Moreau is not a coordinator of the working group Climate change."
    )


async def test_a_coordinator_who_never_started_the_bot_is_named_but_not_told(
    emulator: Emulator, repos: Repositories
) -> None:
    jorge = await _secretariat(emulator, "es")
    tenzin = emulator.add_user("Tenzin", username="tenzin", language_code="en")
    chat = await _linked_chat(emulator, jorge, "socioeconomics", [tenzin])
    emulator.send_text(tenzin, "Namaste", chat)
    await emulator.settle()

    reply = await emulator.says(jorge, "/coordinator add socioeconomics @tenzin")

    assert reply.text.splitlines()[1] == (
        "Esa persona aún no ha abierto un chat conmigo, así que no he podido avisarle."
    )
    assert emulator.sent_to(tenzin) == []
    membership = await _membership(repos, tenzin, "socioeconomics")
    assert membership is not None
    assert membership.coordinator


async def test_coordinator_bad_input(emulator: Emulator, repos: Repositories) -> None:
    jorge = await _secretariat(emulator, "en")
    for first, last, username in (("Ana", "Quispe", "anaq"), ("Anabel", "Ríos", None)):
        someone = emulator.add_user(first, last, username=username)
        await emulator.says(someone, "/start")
    usage = (
        "Write /coordinator add GROUP PERSON or /coordinator remove GROUP PERSON "
        "(PERSON: @username, id or name)."
    )

    assert (await emulator.says(jorge, "/coordinator")).text == usage
    assert (await emulator.says(jorge, "/coordinator promote climate @anaq")).text == usage
    assert (await emulator.says(jorge, "/coordinator add climate")).text == usage
    assert (await emulator.says(jorge, "/coordinator add mars @anaq")).text.startswith(
        "There is no working group “mars”."
    )
    assert (await emulator.says(jorge, "/coordinator add climate @nobody")).text == (
        "I know nobody called “@nobody”. Write their @username or their id; they must have "
        "written to me or been imported."
    )
    ambiguous = await emulator.says(jorge, "/coordinator add climate ana")
    assert ambiguous.text.startswith("Several people match “ana”: Ana Quispe @anaq (")
    assert "; Anabel Ríos (" in ambiguous.text
    assert ambiguous.text.endswith("). Write their @username or their id.")
    climate = await repos.groups.by_slug("climate")
    assert climate is not None
    assert await repos.groups.coordinators(climate.id) == []


# Coordinators: /remove


async def test_a_coordinator_removes_a_member_who_is_told(
    emulator: Emulator, repos: Repositories
) -> None:
    jorge = await _secretariat(emulator, "en")
    amara = emulator.add_user("Amara", username="amara", language_code="en")
    sofia = emulator.add_user("Sofía", "Herrera", username="sofia", language_code="es")
    for person in (amara, sofia):
        await emulator.says(person, "/start")
    await emulator.says(jorge, "/coordinator add community @amara")
    await emulator.says(sofia, "/join community")

    reply = await emulator.says(amara, "/remove Community empowerment Sofía")

    assert reply.text == (
        "Sofía Herrera is no longer a member of the working group Community empowerment.\n"
        "I let them know."
    )
    assert emulator.sent_to(sofia)[-1].text == (
        "Uno de sus coordinadores te ha quitado del grupo de trabajo Empoderamiento comunitario."
    )
    assert not await _is_member(repos, sofia, "community")
    assert (await emulator.says(amara, "/remove community @sofia")).text == (
        "Sofía Herrera is not a member of the working group Community empowerment."
    )


async def test_only_the_secretariat_removes_a_coordinator(
    emulator: Emulator, repos: Repositories
) -> None:
    jorge = await _secretariat(emulator, "en")
    amara = emulator.add_user("Amara", username="amara", language_code="fr")
    tenzin = emulator.add_user("Tenzin", username="tenzin", language_code="en")
    for person in (amara, tenzin):
        await emulator.says(person, "/start")
        await emulator.says(jorge, f"/coordinator add community @{person.username}")

    refused = await emulator.says(amara, "/remove community @tenzin")

    assert refused.text == (
        "Seul le secrétariat peut retirer un coordinateur du groupe de travail "
        "Autonomisation des communautés."
    )
    assert await _is_member(repos, tenzin, "community")

    removed = await emulator.says(jorge, "/remove community @tenzin")

    assert removed.text.startswith("Tenzin is no longer a member of the working group")
    assert not await _is_member(repos, tenzin, "community")
    group = await repos.groups.by_slug("community")
    assert group is not None
    assert len(await repos.groups.coordinators(group.id)) == 1


async def test_remove_bad_input(emulator: Emulator) -> None:
    jorge = await _secretariat(emulator, "en")
    usage = "Write /remove GROUP PERSON (PERSON: @username, id or name)."

    assert (await emulator.says(jorge, "/remove")).text == usage
    assert (await emulator.says(jorge, "/remove climate")).text == usage
    assert (await emulator.says(jorge, "/remove atlantis @x")).text.startswith(
        "There is no working group “atlantis”."
    )
    assert (await emulator.says(jorge, "/remove climate Zoe")).text.startswith(
        "I know nobody called “Zoe”."
    )
