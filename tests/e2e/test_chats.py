"""A linked group chat's own language and zone, chosen with /language and /timezone by its
coordinators: its digest comes at 09:00 its time in its language, and a meeting post shows the
time in its zone. Members who are not coordinators are refused in one line.

The clock starts on Wednesday 2026-03-25 12:00 UTC. The first weekly digests are due on Monday
30 March: 09:00 in Lima is 14:00 UTC, 09:00 in Shanghai is 01:00 UTC.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.clock import ManualClock
from bot.context import WnmrcApplication
from sandbox.emulator import Emulator, SimChat, SimUser
from storage import Repositories, WorkingGroup
from storage.models import Draft

from ..conftest import FAST_DELIVERY, SECRETARIAT_ID

NOW = datetime(2026, 3, 25, 12, 0, tzinfo=UTC)
SHANGHAI_NINE = datetime(2026, 3, 30, 1, 0, tzinfo=UTC)
LIMA_NINE = datetime(2026, 3, 30, 14, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(NOW)


@pytest.fixture
def delivery() -> object:
    return FAST_DELIVERY


@pytest.fixture
def publish_menus() -> bool:
    return False


async def group(repos: Repositories, slug: str) -> WorkingGroup:
    found = await repos.groups.by_slug(slug)
    assert found is not None
    return found


async def person(
    emulator: Emulator,
    repos: Repositories,
    first: str,
    slug: str,
    *,
    role: str = "member",
    joined: datetime = NOW - timedelta(days=30),
) -> SimUser:
    user = emulator.add_user(first, last_name="Test", language_code="en", started=True)
    found = await repos.people.upsert_from_telegram(
        telegram_id=user.id,
        first_name=first,
        last_name="Test",
        username=None,
        language_code="en",
        private=True,
        now=joined,
    )
    await repos.groups.add_member((await group(repos, slug)).id, found.id, role, joined)
    return user


async def linked_chat(
    emulator: Emulator, repos: Repositories, title: str, slug: str, *users: SimUser
) -> SimChat:
    chat = emulator.add_group(title, members=list(users))
    await repos.chats.upsert(
        chat_id=chat.id, type="supergroup", title=title, username=None, is_forum=False, now=NOW
    )
    await repos.groups.link_chat((await group(repos, slug)).id, chat.id, None, NOW)
    return chat


async def two_chats(
    emulator: Emulator, repos: Repositories
) -> tuple[SimUser, SimUser, SimUser, SimChat, SimChat]:
    """Jorge coordinates climate (its chat in French, in Lima), Mei biodiversity (in Chinese,
    in Shanghai); Ana is a member of climate. Sofía and Li join this week."""
    jorge = await person(emulator, repos, "Jorge", "climate", role="coordinator")
    ana = await person(emulator, repos, "Ana", "climate")
    mei = await person(emulator, repos, "Mei", "biodiversity", role="coordinator")
    await person(emulator, repos, "Sofía", "climate", joined=NOW + timedelta(days=1))
    await person(emulator, repos, "Li", "biodiversity", joined=NOW + timedelta(days=1))
    andes = await linked_chat(emulator, repos, "Climate chat", "climate", jorge, ana)
    asia = await linked_chat(emulator, repos, "Biodiversity chat", "biodiversity", mei)
    return jorge, ana, mei, andes, asia


async def choose(emulator: Emulator, user: SimUser, chat: SimChat, language: str) -> str:
    """``user`` sends /language in ``chat`` and taps ``language``; returns the edited text."""
    menu = await emulator.says(user, "/language", chat)
    emulator.tap(user, menu, language)
    await emulator.wait_until(lambda: current(emulator, menu) != (menu.text or ""))
    return current(emulator, menu)


def current(emulator: Emulator, entry: object) -> str:
    message = emulator.message(entry.chat_id, entry.message_id)  # type: ignore[attr-defined]
    assert message is not None
    return message.text or ""


async def test_each_chat_gets_its_digest_at_nine_its_time_in_its_language(
    app: WnmrcApplication, emulator: Emulator, repos: Repositories, clock: ManualClock
) -> None:
    jorge, _, mei, andes, asia = await two_chats(emulator, repos)

    assert await choose(emulator, jorge, andes, "Français") == (
        "Désormais, j’écrirai en Français dans cette discussion."
    )
    assert await choose(emulator, mei, asia, "中文") == "从现在起，我将在此聊天中使用中文。"
    lima = await emulator.says(jorge, "/timezone Lima", andes)
    assert lima.text == "This chat reads times in Lima · UTC−5 from now on."
    shanghai = await emulator.says(mei, "/timezone Shanghai", asia)
    assert shanghai.text == "This chat reads times in Shanghai · UTC+8 from now on."
    assert (await repos.chats.get(andes.id)).timezone == "America/Lima"  # type: ignore[union-attr]
    assert (await repos.chats.get(asia.id)).language == "zh"  # type: ignore[union-attr]

    clock.set(SHANGHAI_NINE - timedelta(minutes=1))
    assert await app.services.digests.run_due() == 0
    clock.set(SHANGHAI_NINE)
    app.services.runtime.wake()
    await emulator.wait_until(lambda: any("简报" in (e.text or "") for e in emulator.sent_to(asia)))
    digest = next(e for e in emulator.sent_to(asia) if "简报" in (e.text or ""))
    assert (digest.text or "").split("\n") == ["生物多样性简报", "", "新成员", "• Li Test"]
    assert not any("Bulletin" in (e.text or "") for e in emulator.sent_to(andes))

    clock.set(LIMA_NINE - timedelta(minutes=1))
    assert await app.services.digests.run_due() == 0
    clock.set(LIMA_NINE)
    app.services.runtime.wake()
    await emulator.wait_until(
        lambda: any("Bulletin" in (e.text or "") for e in emulator.sent_to(andes))
    )
    bulletin = next(e for e in emulator.sent_to(andes) if "Bulletin" in (e.text or ""))
    assert (bulletin.text or "").split("\n") == [
        "Bulletin de Changement climatique",
        "",
        "Nouveaux membres",
        "• Sofía Test",
    ]


async def test_a_meeting_post_shows_each_chats_own_time(
    app: WnmrcApplication, emulator: Emulator, repos: Repositories
) -> None:
    jorge, _, mei, andes, asia = await two_chats(emulator, repos)
    await choose(emulator, jorge, andes, "Español")
    await emulator.says(jorge, "/timezone America/Lima", andes)
    await emulator.says(mei, "/timezone Asia/Shanghai", asia)
    secretariat = await repos.people.upsert_from_telegram(
        telegram_id=SECRETARIAT_ID,
        first_name="Sec",
        last_name=None,
        username=None,
        language_code="en",
        private=True,
        now=NOW,
    )
    climate, biodiversity = await group(repos, "climate"), await group(repos, "biodiversity")
    draft = Draft(
        person_id=secretariat.id,
        kind="meet",
        step="confirm",
        data={
            "title": "Glacier year",
            "groups": [climate.id, biodiversity.id],
            "zone": "Europe/Madrid",
            "local": "2026-04-15T15:00",
            "duration": 60,
            "offsets": [],
        },
        chat_id=None,
        created_at=NOW,
        updated_at=NOW,
    )
    actor = await app.services.groups.actor(secretariat)
    await app.services.meetings.schedule(secretariat.id, draft, actor)

    def posted(chat: SimChat) -> str:
        found = [e.text or "" for e in emulator.sent_to(chat) if "Glacier year" in (e.text or "")]
        return found[0] if found else ""

    await emulator.wait_until(lambda: posted(andes) and posted(asia))
    # 13:00 UTC: 08:00 in Lima, 21:00 in Shanghai; never the organiser's 15:00 in Madrid.
    assert "Nueva reunión" in posted(andes)
    assert "08:00" in posted(andes)
    assert "15:00" not in posted(andes)
    assert "21:00" in posted(asia)
    assert "15:00" not in posted(asia)


async def test_only_coordinators_and_the_secretariat_choose_a_chats_settings(
    app: WnmrcApplication, emulator: Emulator, repos: Repositories
) -> None:
    jorge, ana, _, andes, _ = await two_chats(emulator, repos)
    refusal = (
        "Only the coordinators of this chat's working group and the secretariat can choose "
        "its language and time zone. Use /language and /timezone in your private chat with me "
        "for your own."
    )

    assert (await emulator.says(ana, "/language", andes)).text == refusal
    assert (await emulator.says(ana, "/timezone Tokyo", andes)).text == refusal
    # A keyboard Jorge opened does not let Ana choose.
    menu = await emulator.says(jorge, "/language", andes)
    query = emulator.tap(ana, menu, "Français")
    await emulator.wait_until(
        lambda: any(a.callback_query_id == query for a in emulator.callback_answers)
    )
    answer = next(a for a in emulator.callback_answers if a.callback_query_id == query)
    assert answer.text == refusal
    chat = await repos.chats.get(andes.id)
    assert chat is not None
    assert (chat.language, chat.timezone) == (None, None)

    unknown = await emulator.says(jorge, "/timezone Atlantis", andes)
    assert unknown.text == (
        "I know no time zone or city called “Atlantis”. Type a bigger city nearby, "
        "or a time zone name like America/Lima."
    )
    here = await emulator.says(jorge, "/timezone", andes)
    assert (here.text or "").startswith("This chat reads times in Madrid · UTC+1.")


async def test_timezone_in_private_sets_the_persons_own_zone(
    app: WnmrcApplication, emulator: Emulator, repos: Repositories
) -> None:
    ana = await person(emulator, repos, "Ana", "climate")

    asked = await emulator.says(ana, "/timezone")
    assert (asked.text or "").startswith("You have not chosen a time zone.")
    await emulator.says(ana, "/digest weekly")  # Mondays 09:00 in the default zone, Madrid
    stored = await repos.people.by_telegram_id(ana.id)
    assert stored is not None
    schedule = await app.services.digests.personal_schedule(stored.id)
    assert schedule is not None
    assert schedule.next_due_at == datetime(2026, 3, 30, 7, 0, tzinfo=UTC)

    saved = await emulator.says(ana, "/timezone Lima")
    assert saved.text == "I will show you times in Lima · UTC−5 from now on."
    stored = await repos.people.by_telegram_id(ana.id)
    assert stored is not None
    assert stored.timezone == "America/Lima"
    moved = await app.services.digests.personal_schedule(stored.id)
    assert moved is not None
    assert moved.next_due_at == LIMA_NINE  # her digest follows her to 09:00 in Lima

    suggested = await emulator.says(ana, "/timezone Sao Pablo")
    assert suggested.text == "No time zone is called “Sao Pablo”. Did you mean one of these?"
    first = suggested.button_texts[0]
    emulator.tap(ana, suggested, first)
    await emulator.wait_until(lambda: current(emulator, suggested).startswith("I will show you"))
    assert current(emulator, suggested) == f"I will show you times in {first} from now on."
