"""/announce against the emulator (rate limits on): the text, the preview, the audience, Send —
and what each recipient sees, in their language, through the outbox."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

import pytest

from bot.app import build_application, running
from bot.outbox import DeliveryConfig
from config import Settings
from sandbox.emulator import Emulator, LedgerEntry, SimChat, SimUser
from storage import Repositories

from ..conftest import FAST_DELIVERY, SECRETARIAT_ID


@pytest.fixture
def delivery() -> DeliveryConfig:
    """Short time-outs and back-offs for the sender, so retries fit a test."""
    return FAST_DELIVERY


@pytest.fixture
def publish_menus() -> bool:
    return False


@pytest.fixture
def telegram_speed() -> float:
    """Telegram's real limits in the emulator and the bot's production pacing: this module
    checks that the bot keeps under them."""
    return 1.0


async def person_in(
    emulator: Emulator,
    repos: Repositories,
    name: str,
    language: str,
    slugs: tuple[str, ...] = (),
    *,
    coordinates: str | None = None,
    user_id: int | None = None,
) -> SimUser:
    """Someone who started the bot, member of ``slugs`` (coordinator of ``coordinates``)."""
    user = emulator.add_user(name, language_code=language, user_id=user_id)
    await emulator.says(user, "/start")
    person = await repos.people.by_telegram_id(user.id)
    assert person is not None
    for slug in slugs:
        group = await repos.groups.by_slug(slug)
        assert group is not None
        if slug == coordinates:
            await repos.groups.appoint(group.id, person.id, person.created_at)
        else:
            await repos.groups.add_member(group.id, person.id, "member", person.created_at)
    return user


async def linked_chat(
    emulator: Emulator, repos: Repositories, slug: str, title: str, kind: str = "supergroup"
) -> SimChat:
    chat = emulator.add_group(title, kind=kind)  # type: ignore[arg-type]
    group = await repos.groups.by_slug(slug)
    assert group is not None
    stamp = datetime.now(UTC)
    await repos.chats.upsert(
        chat_id=chat.id, type=chat.type, title=title, username=None, is_forum=False, now=stamp
    )
    await repos.groups.link_chat(group.id, chat.id, None, stamp)
    return chat


async def preview(emulator: Emulator, user: SimUser, text: str) -> list[LedgerEntry]:
    """Type the text; returns every message of the preview, the control message last."""
    mark = len(emulator.ledger)
    emulator.send_text(user, text)
    await emulator.wait_until(lambda: any(e.buttons for e in emulator.ledger[mark:]))
    return [e for e in emulator.ledger[mark:] if e.chat_id == user.id]


async def eventually(check: Callable[[], Awaitable[bool]]) -> None:
    """Poll the database until ``check`` holds (what the sender records comes a bit later)."""
    for _ in range(200):
        if await check():
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"{check.__name__} still false after 10 s")


def current(emulator: Emulator, entry: LedgerEntry) -> tuple[str, list[str]]:
    """The text and buttons of a message as they are now, after the bot edited it."""
    message = emulator.message(entry.chat_id, entry.message_id)
    assert message is not None
    return message.text or "", [button.text for row in message.buttons for button in row]


async def received(emulator: Emulator, chat: SimUser | SimChat, count: int = 1) -> list[str]:
    await emulator.wait_until(lambda: len(emulator.sent_to(chat)) >= count, timeout=10)
    return [entry.text or "" for entry in emulator.sent_to(chat)]


def news(emulator: Emulator, user: SimUser, after: int) -> list[str]:
    return [e.text or "" for e in emulator.ledger[after:] if e.chat_id == user.id]


async def test_a_coordinator_announces_to_their_group_in_each_readers_language(
    emulator: Emulator, repos: Repositories
) -> None:
    ana = await person_in(emulator, repos, "Ana", "en", ("climate",), coordinates="climate")
    luis = await person_in(emulator, repos, "Luis", "es", ("climate",))
    mei = await person_in(emulator, repos, "Mei", "zh", ("biodiversity",))
    chat = await linked_chat(emulator, repos, "climate", "Climate chat")
    emulator.add_user("Never", language_code="fr")  # never started: not a recipient

    asked = await emulator.says(ana, "/announce climate")
    assert asked.text == (
        "Announcement to Climate change. Type its text in one message: line breaks are kept, "
        "formatting is not. /cancel stops."
    )
    shown = await preview(emulator, ana, "Meeting on <b>Friday</b> & more\nBring maps.")
    assert shown[0].text == (
        "📣 Announcement — Climate change\n\nMeeting on <b>Friday</b> & more\nBring maps.\n\n— Ana"
    )
    control = shown[-1]
    assert control.text == (
        "☝️ This is how the announcement will look.\nIt would reach 2 people and 1 group chat."
    )
    assert control.button_texts == [
        "✓ Both",
        "Group chats",
        "Private chats",
        "Send",
        "Edit",
        "Cancel",
    ]

    emulator.tap(ana, control, "Send")
    await emulator.wait_until(
        lambda: current(emulator, control)[0] == "Queued for 2 people and 1 group chat."
    )
    in_chat = await received(emulator, chat)
    assert in_chat == [
        "📣 Announcement — Climate change\n\nMeeting on <b>Friday</b> & more\nBring maps.\n\n— Ana"
    ]
    assert "&lt;b&gt;Friday&lt;/b&gt;" in (emulator.sent_to(chat)[0].html or "")
    to_luis = await received(emulator, luis, 2)  # the /start welcome, then the announcement
    assert to_luis[-1].startswith("📣 Anuncio — Cambio climático\n\nMeeting on <b>Friday</b>")
    to_ana = await received(emulator, ana)
    assert to_ana[-1].startswith("📣 Announcement — Climate change")
    await emulator.settle()
    assert not any("📣" in text for text in [e.text or "" for e in emulator.sent_to(mei)])
    rows = list(await repos.outbox.for_chat(chat.id))
    assert [row.kind for row in rows] == ["announcement"]
    assert rows[0].dedupe_key.startswith("announcement:")
    assert rows[0].status == "sent"


@pytest.mark.parametrize(
    ("choice", "chats", "people"),
    [("Groupes de discussion", 1, 0), ("Discussions privées", 0, 2)],
)
async def test_the_audience_is_only_the_chats_or_only_the_people(
    emulator: Emulator, repos: Repositories, choice: str, chats: int, people: int
) -> None:
    ana = await person_in(emulator, repos, "Ana", "fr", ("climate",), coordinates="climate")
    luis = await person_in(emulator, repos, "Luis", "es", ("climate",))
    chat = await linked_chat(emulator, repos, "climate", "Climate chat")
    await emulator.says(ana, "/announce climate")
    control = (await preview(emulator, ana, "Bonjour"))[-1]
    emulator.tap(ana, control, choice)
    await emulator.wait_until(lambda: "✓" not in current(emulator, control)[1][0])
    emulator.tap(ana, control, "Envoyer")
    await emulator.wait_until(
        lambda: current(emulator, control)[0].startswith("En file d’attente pour")
    )
    await emulator.settle(quiet=1.5, timeout=10)
    assert len(emulator.sent_to(chat)) == chats
    got = [t for t in [e.text or "" for e in emulator.sent_to(luis)] if "📣" in t]
    assert len(got) == (1 if people else 0)


async def test_the_secretariat_announces_to_everyone_once_per_person(
    emulator: Emulator, repos: Repositories
) -> None:
    jorge = await person_in(emulator, repos, "Jorge", "zh", user_id=SECRETARIAT_ID)
    ana = await person_in(emulator, repos, "Ana", "en", ("climate", "biodiversity"))
    luis = await person_in(emulator, repos, "Luis", "es", ("socioeconomics",))
    climate = await linked_chat(emulator, repos, "climate", "Climate chat")
    biodiversity = await linked_chat(emulator, repos, "biodiversity", "Bio chat")

    asked = await emulator.says(jorge, "/announce all")
    assert asked.text is not None
    assert "网络中的所有人" in asked.text
    control = (await preview(emulator, jorge, "Roadmap due"))[-1]
    emulator.tap(jorge, control, "发送")
    await emulator.wait_until(
        lambda: current(emulator, control)[0] == "已为2 人和2 个群聊排队发送。 /outbox 可查看进度。"
    )
    assert (await received(emulator, climate)) == [
        "📣 Announcement to the whole network\n\nRoadmap due\n\n— Jorge"
    ]
    assert len(await received(emulator, biodiversity)) == 1
    assert (await received(emulator, luis, 2))[-1].startswith("📣 Anuncio para toda la red")
    await received(emulator, ana, 2)
    await emulator.settle(quiet=1.5, timeout=10)
    assert len([t for t in news(emulator, ana, 0) if "📣" in t]) == 1


async def test_who_may_announce_where(emulator: Emulator, repos: Repositories) -> None:
    marie = await person_in(
        emulator, repos, "Marie", "fr", ("biodiversity",), coordinates="biodiversity"
    )
    ana = await person_in(emulator, repos, "Ana", "en", ("climate",), coordinates="climate")
    luis = await person_in(emulator, repos, "Luis", "es", ("climate",))

    other = await emulator.says(marie, "/announce climate")
    assert other.text == (
        "Seuls les coordinateurs de Changement climatique et le secrétariat peuvent faire cela."
    )
    everyone = await emulator.says(ana, "/announce all")
    assert everyone.text == "Only the network secretariat can do that."
    member = await emulator.says(luis, "/announce climate")
    assert (
        member.text
        == "Solo los coordinadores de un grupo de trabajo y la secretaría pueden hacer eso."
    )
    unknown = await emulator.says(ana, "/announce atlantis")
    assert unknown.text is not None
    assert unknown.text.startswith("There is no working group “atlantis”")
    for user in (marie, ana, luis):
        person = await repos.people.by_telegram_id(user.id)
        assert person is not None
        assert await repos.drafts.get(person.id, "announcement") is None


async def test_a_double_send_queues_once_and_the_stale_button_says_so(
    emulator: Emulator, repos: Repositories
) -> None:
    ana = await person_in(emulator, repos, "Ana", "en", ("climate",), coordinates="climate")
    luis = await person_in(emulator, repos, "Luis", "es", ("climate",))
    chat = await linked_chat(emulator, repos, "climate", "Climate chat")
    await emulator.says(ana, "/announce climate")
    control = (await preview(emulator, ana, "Once only"))[-1]
    send = control.button("Send").data
    assert send is not None
    emulator.tap_data(ana, control, send)
    emulator.tap_data(ana, control, send)
    await emulator.wait_until(lambda: len(emulator.callback_answers) >= 2)
    assert emulator.callback_answers[-1].text == "This button is no longer valid."
    await emulator.settle(quiet=1.5, timeout=10)
    assert len(emulator.sent_to(chat)) == 1
    assert len([t for t in news(emulator, luis, 0) if "📣" in t]) == 1
    summary = await repos.outbox.summary()
    assert summary.count(kind="announcement") == 3  # the chat, Ana and Luis


async def test_a_long_text_goes_in_numbered_parts(emulator: Emulator, repos: Repositories) -> None:
    ana = await person_in(emulator, repos, "Ana", "en", ("climate",), coordinates="climate")
    luis = await person_in(emulator, repos, "Luis", "es", ("climate",))
    text = "a" * 2000 + "\n\n" + "b" * 2050
    await emulator.says(ana, "/announce climate")
    shown = await preview(emulator, ana, text)
    assert [e.text.split("\n")[0] for e in shown[:-1] if e.text] == [
        "📣 Announcement — Climate change (1/2)",
        "📣 Announcement — Climate change (2/2)",
    ]
    emulator.tap(ana, shown[-1], "Send")
    parts = (await received(emulator, luis, 3))[-2:]
    assert parts[0] == "📣 Anuncio — Cambio climático (1/2)\n\n" + "a" * 2000
    assert parts[1] == "📣 Anuncio — Cambio climático (2/2)\n\n" + "b" * 2050 + "\n\n— Ana"


async def test_a_paragraph_too_long_is_refused_and_the_draft_kept(
    emulator: Emulator, repos: Repositories
) -> None:
    ana = await person_in(emulator, repos, "Ana", "es", ("climate",), coordinates="climate")
    await emulator.says(ana, "/announce climate")
    refused = await emulator.says(ana, "x" * 4080)
    assert refused.text is not None
    assert refused.text.startswith("Un párrafo puede tener como máximo 40")
    assert "el tuyo tiene 4080" in refused.text
    assert "Anuncio para Cambio climático. Escribe su texto" in refused.text
    person = await repos.people.by_telegram_id(ana.id)
    assert person is not None
    draft = await repos.drafts.get(person.id, "announcement")
    assert draft is not None
    assert draft.step == "text"
    shown = await emulator.says(ana, "Corto.")
    assert shown.text == "📣 Anuncio — Cambio climático\n\nCorto.\n\n— Ana"


async def test_cancel_in_the_middle_drops_the_draft(
    emulator: Emulator, repos: Repositories
) -> None:
    ana = await person_in(emulator, repos, "Ana", "en", ("climate",), coordinates="climate")
    await emulator.says(ana, "/announce climate")
    control = (await preview(emulator, ana, "Maybe"))[-1]
    stopped = await emulator.says(ana, "/cancel")
    assert stopped.text == "Stopped: writing an announcement. Nothing of it was saved."
    emulator.tap(ana, control, "Send")
    await emulator.wait_until(lambda: len(emulator.callback_answers) >= 1)
    assert emulator.callback_answers[-1].text == "This button is no longer valid."
    assert (await repos.outbox.summary()).count() == 0


async def test_an_announcement_resumes_after_a_restart(
    emulator: Emulator, settings: Settings
) -> None:
    first = build_application(settings, publish_command_menus=False, delivery=FAST_DELIVERY)
    async with running(first, poll_timeout=1):
        repos = first.services.repos
        ana = await person_in(emulator, repos, "Ana", "en", ("climate",), coordinates="climate")
        luis = await person_in(emulator, repos, "Luis", "es", ("climate",))
        await emulator.says(ana, "/announce climate")
        control = (await preview(emulator, ana, "Across a restart"))[-1]

    restarted = build_application(settings, publish_command_menus=False, delivery=FAST_DELIVERY)
    async with running(restarted, poll_timeout=1):
        again = await emulator.says(ana, "/announce")
        assert again.text == (
            "You have an announcement in progress to Climate change. Go on with it, or stop it "
            "with /cancel."
        )
        emulator.tap(ana, control, "Send")
        got = await received(emulator, luis, 2)
        assert got[-1] == "📣 Anuncio — Cambio climático\n\nAcross a restart\n\n— Ana"


async def announce_to_chats(emulator: Emulator, user: SimUser, text: str) -> None:
    """``user`` announces ``text`` to the climate group's chat only."""
    await emulator.says(user, "/announce climate")
    control = (await preview(emulator, user, text))[-1]
    emulator.tap(user, control, "Group chats")
    await emulator.wait_until(lambda: "✓ Group chats" in current(emulator, control)[1])
    emulator.tap(user, control, "Send")
    await emulator.wait_until(lambda: current(emulator, control)[0].startswith("Queued"))


async def test_a_chat_that_refuses_the_bot_is_reported_to_the_secretariat_once(
    emulator: Emulator, repos: Repositories
) -> None:
    jorge = await person_in(emulator, repos, "Jorge", "es", user_id=SECRETARIAT_ID)
    ana = await person_in(emulator, repos, "Ana", "en", ("climate",), coordinates="climate")
    chat = await linked_chat(emulator, repos, "climate", "Climate chat")
    emulator.remove_bot(chat)
    mark = len(emulator.ledger)
    for text in ("First", "Second", "Third"):
        await announce_to_chats(emulator, ana, text)

    async def statuses_are(*expected: str) -> None:
        async def arrived() -> bool:
            rows = await repos.outbox.for_chat(chat.id)
            return tuple(row.status for row in rows) == expected

        await eventually(arrived)

    await statuses_are("unreachable", "unreachable", "unreachable")
    await emulator.settle(quiet=1.5, timeout=10)
    notices = [t for t in news(emulator, jorge, mark) if t.startswith("⚠️")]
    assert notices == [
        "⚠️ Ya no puedo publicar en el chat Climate chat ("
        + str(chat.id)
        + "): Forbidden: bot was kicked from the supergroup chat. Los mensajes para él no se "
        "entregan. Comprueba que el bot sigue siendo miembro (administrador, en un canal). "
        "Solo te avisaré de nuevo cuando haya vuelto a funcionar."
    ]

    emulator.add_bot(chat, admin=True)  # it works again ...
    await announce_to_chats(emulator, ana, "Fourth")
    await statuses_are("unreachable", "unreachable", "unreachable", "sent")
    emulator.remove_bot(chat)  # ... and fails again: a new notice
    await announce_to_chats(emulator, ana, "Fifth")
    await statuses_are("unreachable", "unreachable", "unreachable", "sent", "unreachable")
    await emulator.settle(quiet=1.5, timeout=10)
    assert len([t for t in news(emulator, jorge, mark) if t.startswith("⚠️")]) == 2


async def test_edit_asks_for_a_new_text_and_keeps_the_audience(
    emulator: Emulator, repos: Repositories
) -> None:
    ana = await person_in(emulator, repos, "Ana", "en", ("climate",), coordinates="climate")
    await emulator.says(ana, "/announce climate")
    control = (await preview(emulator, ana, "Frist draft"))[-1]
    emulator.tap(ana, control, "Private chats")
    await emulator.wait_until(lambda: "✓ Private chats" in current(emulator, control)[1])
    nudged = await emulator.says(ana, "oops")
    assert nudged.text == "Please use the buttons under the preview: Send, Edit or Cancel."
    emulator.tap(ana, control, "Edit")
    await emulator.wait_until(
        lambda: current(emulator, control)[0] == "Type the new text of the announcement."
    )
    shown = await preview(emulator, ana, "First draft")
    assert shown[0].text == "📣 Announcement — Climate change\n\nFirst draft\n\n— Ana"
    assert shown[-1].text == ("☝️ This is how the announcement will look.\nIt would reach 1 person.")
    assert "✓ Private chats" in shown[-1].button_texts
