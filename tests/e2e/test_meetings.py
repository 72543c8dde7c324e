"""Meetings end to end: /meet for three members in three zones, the announcement in each
reader's time, answers and live counts, reminders at their offsets, reschedule and cancel.

The bot's clock starts on Wednesday 2026-03-25 12:00 UTC. The follow-up meeting is on
Wednesday 15 April 2026 at 15:00 in Madrid, which is then on summer time (UTC+2): 13:00 UTC,
08:00 in Lima (UTC-5, no DST) and 23:00 in Sydney (back on standard time, UTC+10, since 5 April).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from telegram import Update

from bot.clock import ManualClock
from bot.context import BotContext, WnmrcApplication
from bot.outbox import DeliveryConfig
from handlers.meetings import start_meet_draft
from sandbox.emulator import Emulator, SimChat, SimUser
from sandbox.emulator.journal import LedgerEntry
from storage import Repositories

from ..conftest import FAST_DELIVERY, SECRETARIAT_ID

NOW = datetime(2026, 3, 25, 12, 0, tzinfo=UTC)
START = datetime(2026, 4, 15, 13, 0, tzinfo=UTC)


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
    first: str,
    zone: str,
    *,
    language: str = "en",
    role: str = "member",
) -> SimUser:
    user = emulator.add_user(first, language_code=language, started=True)
    person = await repos.people.upsert_from_telegram(
        telegram_id=user.id,
        first_name=first,
        last_name=None,
        username=None,
        language_code=language,
        private=True,
        now=NOW - timedelta(days=30),
    )
    await repos.people.set_timezone(person.id, zone, NOW)
    climate = await repos.groups.by_slug("climate")
    assert climate is not None
    await repos.groups.add_member(climate.id, person.id, role, NOW - timedelta(days=30))
    return user


async def network(
    emulator: Emulator, repos: Repositories
) -> tuple[SimUser, SimUser, SimUser, SimChat]:
    """Jorge coordinates climate from Madrid; Ana (Spanish) is in Lima, Olivia in Sydney."""
    jorge = await member(emulator, repos, "Jorge", "Europe/Madrid", role="coordinator")
    ana = await member(emulator, repos, "Ana", "America/Lima", language="es")
    olivia = await member(emulator, repos, "Olivia", "Australia/Sydney")
    chat = emulator.add_group("Climate chat", members=[jorge, ana, olivia])
    await repos.chats.upsert(
        chat_id=chat.id, type="supergroup", title=chat.title, username=None, is_forum=False, now=NOW
    )
    climate = await repos.groups.by_slug("climate")
    assert climate is not None
    await repos.groups.link_chat(climate.id, chat.id, None, NOW)
    return jorge, ana, olivia, chat


async def tap(emulator: Emulator, user: SimUser, entry: LedgerEntry, text: str) -> str | None:
    """Tap a button and wait for its answer; returns the toast text."""
    mark = len(emulator.ledger)
    query = emulator.tap(user, entry, text)

    def answered() -> bool:
        answers = [a for a in emulator.callback_answers if a.callback_query_id == query]
        edited = any(e.chat_id == entry.chat_id for e in emulator.ledger[mark:])
        return bool(answers) and (bool(answers[0].text) or edited)

    await emulator.wait_until(answered)
    answer = next(a for a in emulator.callback_answers if a.callback_query_id == query)
    return answer.text


def current(emulator: Emulator, entry: LedgerEntry) -> str:
    message = emulator.message(entry.chat_id, entry.message_id)
    assert message is not None
    return message.text or ""


async def schedule(emulator: Emulator, jorge: SimUser) -> LedgerEntry:
    """Jorge walks through /meet; returns the confirmation message after Schedule."""
    await emulator.says(jorge, "/meet climate")
    await emulator.says(jorge, "Follow-up <b>meeting</b>")
    duration = await emulator.says(jorge, "15 Apr 15:00")
    assert "How long is it?" in (duration.text or "")
    assert "🕒 Read as Wednesday, April 15, 2026 15:00 (Madrid)." in (duration.text or "")
    await tap(emulator, jorge, duration, "1 hour")
    agenda = await emulator.says(jorge, "https://meet.example.org/wnmrc")
    # A tap edits the question into the next one: the same message walks on.
    await tap(emulator, jorge, agenda, "Skip")
    await tap(emulator, jorge, agenda, "Only once")
    await tap(emulator, jorge, agenda, "Keep 7 days, 1 day, 1 hour, and 10 minutes")
    confirm = agenda
    text = current(emulator, confirm)
    assert "Please check the meeting:" in text
    assert "Wednesday, April 15, 2026 15:00 (Madrid)" in text
    assert "Wed, Apr 15 13:00 UTC" in text
    assert "Members: 08:00 in Lima … 23:00 in Sydney; 1 person outside 08:00–21:00." in text
    await tap(emulator, jorge, confirm, "Schedule")
    return confirm


def announcement_of(emulator: Emulator, chat: SimChat | SimUser) -> LedgerEntry:
    return next(
        e
        for e in emulator.sent_to(chat)
        if "New meeting" in (e.text or "") or "Nueva reunión" in (e.text or "")
    )


async def test_schedule_announce_answer_and_count(
    app: WnmrcApplication, emulator: Emulator, repos: Repositories, clock: ManualClock
) -> None:
    jorge, ana, olivia, chat = await network(emulator, repos)
    confirm = await schedule(emulator, jorge)
    assert current(emulator, confirm).startswith("Scheduled: meeting #1")

    def announced() -> bool:
        return all(
            any("#1" in (e.text or "") for e in emulator.sent_to(who))
            for who in (chat, ana, olivia)
        )

    await emulator.wait_until(announced)
    in_chat = announcement_of(emulator, chat)
    for_ana = announcement_of(emulator, ana)
    for_olivia = announcement_of(emulator, olivia)
    assert "Wednesday, April 15, 2026 15:00 (Madrid)" in (in_chat.text or "")
    assert "Going: 0 · Maybe: 0 · Can't go: 0" in (in_chat.text or "")
    assert "miércoles, 15 de abril de 2026 08:00 (Lima)" in (for_ana.text or "")
    assert "⏱ 1 hora" in (for_ana.text or "")
    assert "Wednesday, April 15, 2026 23:00 (Sydney)" in (for_olivia.text or "")
    assert "Wed, Apr 15 13:00 UTC" in (in_chat.text or "")
    assert "mié, 15 abr 13:00 UTC" in (for_ana.text or "")
    for entry in (in_chat, for_ana, for_olivia):
        assert "https://meet.example.org/wnmrc" in (entry.text or "")
    assert "<b>Follow-up &lt;b&gt;meeting&lt;/b&gt;</b>" in (in_chat.html or "")
    assert [b.data for b in in_chat.buttons[1]] == ["cal:1"]

    # Answers from the group chat and from a private chat; the counts follow.
    assert await tap(emulator, ana, in_chat, "✅ Going") is not None
    assert await tap(emulator, olivia, for_olivia, "🤔 Maybe") is not None
    await emulator.wait_until(
        lambda: "Going: 1 · Maybe: 1 · Can't go: 0" in current(emulator, in_chat)
    )
    assert "• 🤔 Maybe" in [
        b.text for b in emulator.message(for_olivia.chat_id, for_olivia.message_id).buttons[0]
    ]  # type: ignore[union-attr]
    occurrence = await repos.meetings.next_occurrence(1, NOW)
    assert occurrence is not None
    assert await repos.meetings.counts(occurrence.id) == {"going": 1, "maybe": 1}

    who = await emulator.says(jorge, "/meeting 1")
    assert "Going: Ana" in (who.text or "").replace("✅ ", "")
    assert "Not answered: Jorge" in (who.text or "")

    # The reminders at their offsets: 7 days, 1 day (with the nudge), 1 hour, 10 minutes.
    reminders = app.services.meetings.reminders
    clock.set(START - timedelta(days=7, seconds=1))
    assert await reminders.serve(clock.now()) == 0
    clock.set(START - timedelta(days=7))
    assert await reminders.serve(clock.now()) == 1
    await emulator.wait_until(
        lambda: any("Reminder" in (e.text or "") for e in emulator.sent_to(olivia))
    )
    reminder = [e for e in emulator.sent_to(olivia) if "Reminder" in (e.text or "")][-1]
    assert "in 7 days" in (reminder.text or "")
    assert "🕒 Wednesday, April 15, 2026 23:00 (Sydney)" in (reminder.text or "")
    assert "Your answer: 🤔 Maybe" in (reminder.text or "")
    clock.set(START - timedelta(days=1))
    assert await reminders.serve(clock.now()) == 1
    await emulator.wait_until(
        lambda: sum("Reminder" in (e.text or "") for e in emulator.sent_to(jorge)) == 2
    )
    nudged = [e for e in emulator.sent_to(jorge) if "Reminder" in (e.text or "")][-1]
    assert "Please let the coordinators know whether you come." in (nudged.text or "")
    for offset in (timedelta(hours=1), timedelta(minutes=10)):
        clock.set(START - offset)
        assert await reminders.serve(clock.now()) == 1
    await emulator.wait_until(
        lambda: (
            sum(
                "Recordatorio" in (e.text or "") or "Reminder" in (e.text or "")
                for e in emulator.sent_to(ana)
            )
            == 4
        )
    )
    statuses = [r.status for r in await repos.meetings.reminders(occurrence.id)]
    assert statuses == ["sent", "sent", "sent", "sent"]
    in_chat = {e.text for e in emulator.sent_to(chat) if "Reminder" in (e.text or "")}
    # (a send timed out on a busy machine may arrive twice: docs/developers.md, "The outbox")
    assert {text.split("\n")[0].split(" in ")[-1] for text in in_chat if text} == {
        "7 days",
        "1 day",
        "1 hour",
        "10 minutes",
    }


async def test_reschedule_resets_answers_and_cancel_tells_everyone(
    app: WnmrcApplication, emulator: Emulator, repos: Repositories, clock: ManualClock
) -> None:
    jorge, ana, olivia, chat = await network(emulator, repos)
    await schedule(emulator, jorge)
    await emulator.wait_until(
        lambda: all(
            any("#1" in (e.text or "") for e in emulator.sent_to(person))
            for person in (ana, olivia)
        )
    )
    for_ana = announcement_of(emulator, ana)
    assert await tap(emulator, ana, for_ana, "✅ Voy") == "Tu respuesta: ✅ Voy"

    # Olivia mutes climate's reminders; /reminders in Spanish and a bad group name.
    muted = await emulator.says(olivia, "/reminders off climate")
    assert muted.text == (
        "Meeting reminders of Climate change are off for you. /reminders on climate brings "
        "them back."
    )
    on = await emulator.says(olivia, "/reminders on", chat=chat)  # the chat's own group
    assert on.text == "Meeting reminders of Climate change are on for you."
    await emulator.says(olivia, "/reminders off", chat=chat)
    status = await emulator.says(olivia, "/reminders")
    assert (status.text or "").startswith("Reminders are muted for: Climate change.")
    unknown = await emulator.says(olivia, "/reminders off nowhere")
    assert (unknown.text or "").startswith("There is no working group “nowhere”.")

    ask = await emulator.says(jorge, "/reschedule 1")
    assert "Rescheduling Follow-up <b>meeting</b>" in (ask.text or "")
    past = await emulator.says(jorge, "2026-03-01 10:00")
    assert "is already past" in (past.text or "")
    gap = await emulator.says(jorge, "2026-03-29 02:30")
    assert "does not exist on Sunday, March 29, 2026 in Madrid" in (gap.text or "")
    assert "the clocks jump forward 1 hour" in (gap.text or "")
    confirm = await emulator.says(jorge, "16 Apr 16:00")
    assert "🕒 Read as Thursday, April 16, 2026 16:00 (Madrid)." in (confirm.text or "")
    await tap(emulator, jorge, confirm, "Keep")
    await tap(emulator, jorge, confirm, "Keep")
    assert "answers are reset" in current(emulator, confirm)
    await tap(emulator, jorge, confirm, "Save and tell everyone")
    await emulator.wait_until(
        lambda: any(
            "has moved" in (e.text or "") or "se ha movido" in (e.text or "")
            for e in emulator.sent_to(olivia)
        )
    )
    moved = [e for e in emulator.sent_to(olivia) if "has moved" in (e.text or "")][-1]
    assert "Friday, April 17, 2026 00:00 (Sydney)" in (moved.text or "")
    assert "Thu, Apr 16 14:00 UTC" in (moved.text or "")
    occurrence = await repos.meetings.next_occurrence(1, NOW)
    assert occurrence is not None
    assert occurrence.starts_at == datetime(2026, 4, 16, 14, tzinfo=UTC)
    assert await repos.meetings.counts(occurrence.id) == {}
    due = [r.due_at for r in await repos.meetings.reminders(occurrence.id)]
    assert due[0] == datetime(2026, 4, 9, 14, tzinfo=UTC)

    # Olivia muted the group: the 7-day reminder reaches Ana and the chat, not her.
    clock.set(datetime(2026, 4, 9, 14, tzinfo=UTC))
    assert await app.services.meetings.reminders.serve(clock.now()) == 1
    await emulator.wait_until(
        lambda: any(
            "Recordatorio" in (e.text or "") or "Reminder" in (e.text or "")
            for e in emulator.sent_to(ana)
        )
    )
    assert not any("⏰ Reminder" in (e.text or "") for e in emulator.sent_to(olivia))

    # The group's digest preview carries the meeting of the next two weeks.
    preview = await emulator.says(ana, "/digest", chat=chat)
    assert "Upcoming meetings" in (preview.text or "")
    assert "• Follow-up <b>meeting</b> — Thursday, April 16, 2026 16:00 (Madrid)" in (
        preview.text or ""
    )

    # Cancel: everyone is told, the stale button says so (tapped as Olivia's phone still shows
    # it, whether or not the bot has taken the buttons off her copy yet).
    olivias = announcement_of(emulator, olivia)
    going = olivias.button("✅ Going").data
    assert going is not None
    ask = await emulator.says(jorge, "/cancelmeeting 1")
    await tap(emulator, jorge, ask, "Yes, cancel it")
    await emulator.wait_until(
        lambda: all(
            any("is cancelled" in (e.text or "") for e in emulator.sent_to(where))
            for where in (chat, olivia)
        )
    )
    query = emulator.tap_data(olivia, olivias, going)
    await emulator.wait_until(
        lambda: any(a.callback_query_id == query for a in emulator.callback_answers)
    )
    toast = next(a.text for a in emulator.callback_answers if a.callback_query_id == query)
    assert toast == "This meeting was cancelled: no answer is needed."
    statuses = {r.status for r in await repos.meetings.reminders(occurrence.id)}
    assert statuses == {"sent", "cancelled"}


async def test_bad_input_keeps_the_draft(
    app: WnmrcApplication, emulator: Emulator, repos: Repositories
) -> None:
    jorge, ana, _, _ = await network(emulator, repos)
    refused = await emulator.says(ana, "/meet")
    assert (
        refused.text
        == "Solo los coordinadores de un grupo de trabajo y la secretaría pueden hacer eso."
    )
    unknown = await emulator.says(jorge, "/meet nowhere")
    assert (unknown.text or "").startswith("There is no working group “nowhere”.")
    await emulator.says(jorge, "/meet")  # Jorge coordinates one group: it is chosen
    await emulator.says(jorge, "Roadmap")
    impossible = await emulator.says(jorge, "2026-02-30 10:00")
    assert (impossible.text or "").startswith("February has no day 30: it has 28 days in 2026.")
    clock_time = await emulator.says(jorge, "tomorrow 25:00")
    assert (clock_time.text or "").startswith("25:00 is not a time of day: hours go from 0 to 23.")
    unread = await emulator.says(jorge, "next blursday 10:00")
    assert (unread.text or "").startswith(
        "I could not read “next blursday 10:00” as a date and time. Try e.g. 2026-04-03 15:00, "
        "tomorrow 9:00 or next Friday 15:00."
    )
    no_time = await emulator.says(jorge, "15 Oct")
    assert (no_time.text or "").startswith("Please type a time too")
    far = await emulator.says(jorge, "2028-05-01 10:00")
    assert "is more than a year away" in (far.text or "")
    duration = await tap(emulator, jorge, far, "Yes, keep it")
    assert duration is None
    long = await emulator.says(jorge, "25h")
    assert (long.text or "").startswith("A meeting lasts at most 24 hours.")
    link = await emulator.says(jorge, "90")
    bad_link = await emulator.says(jorge, "not a link")
    assert (bad_link.text or "").startswith("Please type a link starting with https://")
    assert link.text is not None
    draft = await repos.drafts.get(
        (await repos.people.by_telegram_id(jorge.id)).id,
        "meeting",  # type: ignore[union-attr]
    )
    assert draft is not None
    assert draft.step == "link"
    assert draft.data["local"] == "2028-05-01T10:00"
    assert draft.data["duration"] == 90


async def test_a_weekly_meeting_of_two_groups_by_the_secretariat(
    app: WnmrcApplication, emulator: Emulator, repos: Repositories, clock: ManualClock
) -> None:
    """Each date has its own answers; the bot's own timer (the due-work runtime) sends the
    reminders; a time that happens twice (the clocks go back in Madrid on 25 October) is
    explained."""
    jorge = emulator.add_user("Jorge", language_code="en", user_id=SECRETARIAT_ID)
    await emulator.says(jorge, "/start")
    person = await repos.people.by_telegram_id(jorge.id)
    assert person is not None
    await repos.people.set_timezone(person.id, "Europe/Madrid", NOW)
    ana = await member(emulator, repos, "Ana", "America/Lima", language="es")
    bo = await member(emulator, repos, "Bo", "Asia/Kathmandu")
    biodiversity = await repos.groups.by_slug("biodiversity")
    bo_person = await repos.people.by_telegram_id(bo.id)
    assert biodiversity is not None
    assert bo_person is not None
    await repos.groups.add_member(biodiversity.id, bo_person.id, "member", NOW)

    groups = await emulator.says(jorge, "/meet")
    assert groups.button_texts[-2:] == ["All groups", "Next"]
    await tap(emulator, jorge, groups, "Climate change")
    await tap(emulator, jorge, groups, "✓ Climate change")  # untick
    toast = await tap(emulator, jorge, groups, "Next")
    assert toast == "Please choose at least one group."
    await tap(emulator, jorge, groups, "Climate change")
    await tap(emulator, jorge, groups, "Biodiversity")
    await tap(emulator, jorge, groups, "Next")
    await emulator.says(jorge, "Weekly sync")
    duration = await emulator.says(jorge, "2026-10-25 02:30")
    await tap(emulator, jorge, duration, "30 minutes")
    await tap(emulator, jorge, duration, "Skip")
    await tap(emulator, jorge, duration, "Skip")
    await tap(emulator, jorge, duration, "Every week")
    confirm = await emulator.says(jorge, "1h")
    text = confirm.text or ""
    assert "👥 Climate change and Biodiversity" in text
    assert "🔁 Every week" in text
    assert "Sun, Oct 25 00:30 UTC" in text
    assert (
        "Note: 02:30 happens twice that night in Madrid (the clocks go back); the "
        "meeting is at the first one, 00:30 UTC." in text
    )
    await tap(emulator, jorge, confirm, "Schedule")
    await emulator.wait_until(lambda: any("#1" in (e.text or "") for e in emulator.sent_to(bo)))
    first = announcement_of(emulator, ana)
    assert "sábado, 24 de octubre de 2026 19:30 (Lima)" in (first.text or "")
    assert "👥 Cambio climático y Biodiversidad" in (first.text or "")
    assert "🔁 Cada semana" in (first.text or "")
    assert "Sunday, October 25, 2026 06:15 (Kathmandu)" in (
        announcement_of(emulator, bo).text or ""
    )
    await tap(emulator, ana, first, "✅ Voy")

    def reminders_to(user: SimUser) -> list[str]:
        return [e.text or "" for e in emulator.sent_to(user) if "⏰" in (e.text or "")]

    clock.set(datetime(2026, 10, 24, 23, 30, tzinfo=UTC))  # one hour before the first date
    app.services.runtime.wake()
    await emulator.wait_until(lambda: len(reminders_to(ana)) == 1 and len(reminders_to(bo)) == 1)
    assert "Tu respuesta: ✅ Voy" in reminders_to(ana)[0]

    # The next week Madrid is on winter time: 02:30 there is 01:30 UTC.
    clock.set(datetime(2026, 11, 1, 0, 30, tzinfo=UTC))
    app.services.runtime.wake()
    await emulator.wait_until(lambda: len(reminders_to(ana)) == 2)
    second = reminders_to(ana)[1]
    assert "sábado, 31 de octubre de 2026 20:30 (Lima)" in second
    assert "Aún no has respondido." in second

    upcoming = await emulator.says(ana, "/upcoming")
    assert (upcoming.text or "").split("\n")[:5] == [
        "Tus próximas reuniones",
        "",
        "#1 Weekly sync",
        "🕒 sábado, 31 de octubre de 2026 20:30 (Lima)",
        "Aún no has respondido.",
    ]
    nudged = await emulator.says(jorge, "/nudge 1")
    assert nudged.text == "Nudged 2 people who have not answered."
    await emulator.wait_until(lambda: any("👋" in (e.text or "") for e in emulator.sent_to(bo)))


async def test_a_burst_of_answers_makes_few_edits_of_the_group_announcement(
    app: WnmrcApplication, emulator: Emulator, repos: Repositories
) -> None:
    jorge, ana, olivia, chat = await network(emulator, repos)
    others = [await member(emulator, repos, f"Member{n}", "Europe/Madrid") for n in range(6)]
    for user in others:
        emulator.add_member(chat, user)
    await schedule(emulator, jorge)
    await emulator.wait_until(lambda: any("#1" in (e.text or "") for e in emulator.sent_to(chat)))
    in_chat = announcement_of(emulator, chat)
    mark = len(emulator.ledger)
    for user in [jorge, ana, olivia, *others]:
        emulator.tap(user, in_chat, "✅ Going")
    await emulator.wait_until(
        lambda: "Going: 9 · Maybe: 0 · Can't go: 0" in current(emulator, in_chat), timeout=15
    )
    edits = [
        e
        for e in emulator.ledger[mark:]
        if e.kind == "edit" and (e.chat_id, e.message_id) == (in_chat.chat_id, in_chat.message_id)
    ]
    assert 1 <= len(edits) <= 3


async def test_the_slot_finder_starts_a_meet_draft_at_the_title(
    app: WnmrcApplication, emulator: Emulator, repos: Repositories
) -> None:
    jorge, _, _, chat = await network(emulator, repos)
    person = await repos.people.by_telegram_id(jorge.id)
    climate = await repos.groups.by_slug("climate")
    assert person is not None
    assert climate is not None
    update = Update.de_json(
        {
            "update_id": 1,
            "callback_query": {
                "id": "1",
                "chat_instance": "1",
                "from": {"id": jorge.id, "is_bot": False, "first_name": "Jorge"},
                "data": "slots",
                "message": {
                    "message_id": 1,
                    "date": 0,
                    "chat": {"id": chat.id, "type": "supergroup", "title": "Climate chat"},
                },
            },
        },
        app.bot,
    )
    context = BotContext.from_update(update, app)
    context.person = person
    madrid = ZoneInfo("Europe/Madrid")
    mark = len(emulator.sent_to(jorge))
    await start_meet_draft(
        update, context, [climate.id], datetime(2026, 4, 15, 15, tzinfo=madrid), 90
    )
    await emulator.wait_until(lambda: len(emulator.sent_to(jorge)) > mark)
    assert emulator.sent_to(jorge)[-1].text == "What is the meeting’s title?"
    link = await emulator.says(jorge, "Chosen slot")
    assert link.text == "The video link (https://…), or Skip."
    draft = await repos.drafts.get(person.id, "meeting")
    assert draft is not None
    assert draft.data["local"] == "2026-04-15T15:00"
    assert draft.data["duration"] == 90
    assert draft.data["zone"] == "Europe/Madrid"


async def test_a_relative_spanish_date_with_a_zone_is_said_back_in_the_readers_zone(
    app: WnmrcApplication, emulator: Emulator, repos: Repositories
) -> None:
    """Lucía (Lima, Spanish) types next Tuesday at 10:00 Madrid time: the bot says back what
    it read, and in her own zone; the meeting is at that instant for everyone."""
    jorge, ana, _, _ = await network(emulator, repos)
    lucia = await member(
        emulator, repos, "Lucía", "America/Lima", language="es", role="coordinator"
    )
    await emulator.says(lucia, "/meet climate")
    ask = await emulator.says(lucia, "Intercambio")
    # The examples are computed from the clock (Wednesday 25 March 2026), in Spanish.
    assert (
        "¿Cuándo empieza? Escribe la fecha y la hora en tu zona (Lima), p. ej. 2026-04-03 15:00, "
        "mañana a las 9:00 o el próximo viernes a las 15:00." in (ask.text or "")
    )
    refused = await emulator.says(lucia, "mañana a las 25:00")
    assert (refused.text or "").startswith("25:00 no es una hora del día: las horas van de 0 a 23.")
    said = await emulator.says(lucia, "el próximo martes a las 10:00 hora de Madrid")
    # Madrid is on summer time from 29 March: 10:00 there is 08:00 UTC, 03:00 in Lima.
    assert (said.text or "").startswith(
        "🕒 Entendido: 10:00 (Madrid), es decir, martes, 31 de marzo de 2026 03:00 (Lima) "
        "para ti.\n¿Cuánto dura?"
    )
    await tap(emulator, lucia, said, "1 hora")
    agenda = await emulator.says(lucia, "https://meet.example.org/intercambio")
    await tap(emulator, lucia, agenda, "Omitir")
    await tap(emulator, lucia, agenda, "Solo una vez")
    await tap(emulator, lucia, agenda, "Mantener 7 días, 1 día, 1 hora y 10 minutos")
    assert "martes, 31 de marzo de 2026 03:00 (Lima)" in current(emulator, agenda)
    await tap(emulator, lucia, agenda, "Programar")
    await emulator.wait_until(
        lambda: all(any("#1" in (e.text or "") for e in emulator.sent_to(u)) for u in (jorge, ana))
    )
    assert "Tuesday, March 31, 2026 10:00 (Madrid)" in (announcement_of(emulator, jorge).text or "")
    assert "martes, 31 de marzo de 2026 03:00 (Lima)" in (announcement_of(emulator, ana).text or "")
    occurrence = await repos.meetings.next_occurrence(1, NOW)
    assert occurrence is not None
    assert occurrence.starts_at == datetime(2026, 3, 31, 8, tzinfo=UTC)
