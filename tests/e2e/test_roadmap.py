"""The roadmap end to end: a coordinator in Madrid adds an action with /action for an owner in
Lima; the owner sees the due date in their zone (notice, /mytasks, /roadmap), gets the 7-day and
1-day nudges at 09:00 Lima time on a manual clock, once each across a restart; /progress.

The clock starts on Wednesday 2026-03-25 12:00 UTC. The action is due Wednesday 15 April 2026
at 17:00 in Madrid (UTC+2): 15:00 UTC, 10:00 in Lima (UTC-5). Lima's 09:00 is 14:00 UTC.
"""

from __future__ import annotations

import asyncio
import csv
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from bot.app import build_application, running
from bot.clock import ManualClock
from bot.context import WnmrcApplication
from bot.roadmap.export import export_roadmap
from bot.roadmap.service import FORM_KIND
from config import Settings
from sandbox.emulator import Emulator, SimUser
from sandbox.emulator.journal import LedgerEntry
from storage import Repositories

from ..conftest import FAST_DELIVERY

NOW = datetime(2026, 3, 25, 12, 0, tzinfo=UTC)
WEEK_NUDGE = datetime(2026, 4, 8, 14, 0, tzinfo=UTC)
DAY_NUDGE = datetime(2026, 4, 14, 14, 0, tzinfo=UTC)
IN_LIMA = "Wednesday, April 15, 2026 10:00 (Lima)"


async def member(
    emulator: Emulator, repos: Repositories, first: str, zone: str, role: str = "member"
) -> SimUser:
    user = emulator.add_user(first, language_code="en", started=True)
    person = await repos.people.upsert_from_telegram(
        telegram_id=user.id,
        first_name=first,
        last_name=None,
        username=None,
        language_code="en",
        private=True,
        now=NOW - timedelta(days=30),
    )
    await repos.people.set_timezone(person.id, zone, NOW)
    climate = await repos.groups.by_slug("climate")
    assert climate is not None
    await repos.groups.add_member(climate.id, person.id, role, NOW - timedelta(days=30))
    return user


async def tap(emulator: Emulator, user: SimUser, entry: LedgerEntry, text: str) -> str:
    """Tap a button, wait until it is answered; the tapped message as it is then."""
    mark = len(emulator.ledger)
    query = emulator.tap(user, entry, text)

    def answered() -> bool:
        answers = any(a.callback_query_id == query for a in emulator.callback_answers)
        return answers and any(e.chat_id == entry.chat_id for e in emulator.ledger[mark:])

    await emulator.wait_until(answered)
    return current(emulator, entry)


def current(emulator: Emulator, entry: LedgerEntry) -> str:
    message = emulator.message(entry.chat_id, entry.message_id)
    assert message is not None
    return message.text or ""


def nudges(emulator: Emulator, user: SimUser, words: str) -> list[LedgerEntry]:
    return [e for e in emulator.sent_to(user) if words in (e.text or "")]


async def create_action(emulator: Emulator, jorge: SimUser) -> None:
    first = await emulator.says(jorge, "/action")
    assert "New action, step 1 of 6" in (first.text or "")
    assert "Which working group is this action for?" in (first.text or "")
    objective = await tap(emulator, jorge, first, "Climate change")
    assert "step 2 of 6" in objective
    title = await emulator.says(jorge, "Roadmap 2023–2025: a methodology for best practices")
    assert "✓ Objective: Roadmap 2023–2025" in (title.text or "")
    too_long = await emulator.says(jorge, "x" * 201)
    assert "at most 200 characters here, and yours has 201" in (too_long.text or "")
    description = await emulator.says(jorge, "Draft the <methodology> note")
    await tap(emulator, jorge, description, "Skip")
    owners = await emulator.says(jorge, "Nobody Known")
    assert "Nobody is called Nobody Known" in (owners.text or "")
    due = await emulator.says(jorge, "Kofi")
    assert "✓ Owners: Kofi" in (due.text or "")
    assert "(Madrid)" in (due.text or "")
    past = await emulator.says(jorge, "2026-03-01")
    assert "is already past" in (past.text or "")
    summary = await emulator.says(jorge, "2026-04-15 17:00")
    text = summary.text or ""
    assert "Wednesday, April 15, 2026 17:00 (Madrid)" in text
    assert "Title: Draft the <methodology> note" in text
    done = await tap(emulator, jorge, summary, "Create")
    assert done == "✅ Action #1 is on the roadmap. /roadmap shows it."


async def test_an_action_for_an_owner_in_another_zone_is_nudged_once_across_a_restart(
    settings: Settings, emulator: Emulator
) -> None:
    clock = ManualClock(NOW)
    first = build_application(
        settings, clock=clock, delivery=FAST_DELIVERY, publish_command_menus=False
    )
    async with running(first, poll_timeout=1):
        repos = first.services.repos
        jorge = await member(emulator, repos, "Jorge", "Europe/Madrid", role="coordinator")
        kofi = await member(emulator, repos, "Kofi", "America/Lima")
        await create_action(emulator, jorge)

        await emulator.wait_until(lambda: nudges(emulator, kofi, "You own a new action"))
        notice = nudges(emulator, kofi, "You own a new action")[0].text or ""
        assert IN_LIMA in notice
        assert "Owners: Kofi" in notice
        mine = await emulator.says(kofi, "/mytasks")
        assert "#1 Draft the <methodology> note" in (mine.text or "")
        assert IN_LIMA in (mine.text or "")
        listing = await emulator.says(jorge, "/roadmap climate")
        assert "Wednesday, April 15, 2026 17:00 (Madrid)" in (listing.text or "")

        await _move(first, clock, WEEK_NUDGE - timedelta(seconds=1))
        assert await first.services.roadmap.next_nudge_at() == WEEK_NUDGE
        await _move(first, clock, WEEK_NUDGE)
        await emulator.wait_until(lambda: nudges(emulator, kofi, "One week left"))
        assert IN_LIMA in (nudges(emulator, kofi, "One week left")[0].text or "")
        await first.services.runtime.stop()

    second = build_application(
        settings, clock=clock, delivery=FAST_DELIVERY, publish_command_menus=False
    )
    async with running(second, poll_timeout=1):
        await _move(second, clock, WEEK_NUDGE + timedelta(hours=1))
        await _move(second, clock, DAY_NUDGE)
        await emulator.wait_until(lambda: nudges(emulator, kofi, "due tomorrow"))
        await _move(second, clock, DAY_NUDGE + timedelta(hours=2))
        rows = await second.services.repos.db.fetch_all(
            "SELECT dedupe_key FROM outbox WHERE dedupe_key LIKE 'roadmap:1:%' ORDER BY id"
        )

    assert len(nudges(emulator, kofi, "One week left")) == 1
    assert len(nudges(emulator, kofi, "due tomorrow")) == 1
    assert [r["dedupe_key"] for r in rows] == [
        "roadmap:1:2:week:2026-04-08T14:00",
        "roadmap:1:2:day:2026-04-14T14:00",
    ]


async def _move(application: WnmrcApplication, clock: ManualClock, to: datetime) -> None:
    """Set the clock, wake the runtime and wait until it has run every nudge that came due."""
    clock.set(to)
    application.services.runtime.wake()
    roadmap = application.services.roadmap
    for _ in range(200):
        upcoming = await roadmap.next_nudge_at()
        if upcoming is None or upcoming > to:
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"the runtime did not run the nudges due at {to}")


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(NOW)


@pytest.fixture
def publish_menus() -> bool:
    return False


async def test_the_digest_exports_and_calendar_hold_the_roadmap(
    app: WnmrcApplication,
    emulator: Emulator,
    repos: Repositories,
    clock: ManualClock,
    settings: Settings,
    tmp_path: Path,
) -> None:
    jorge = await member(emulator, repos, "Jorge", "Europe/Madrid", role="coordinator")
    kofi = await member(emulator, repos, "Kofi", "America/Lima")
    chat = emulator.add_group("Climate chat", members=[jorge, kofi])
    await repos.chats.upsert(
        chat_id=chat.id, type="supergroup", title=chat.title, username=None, is_forum=False, now=NOW
    )
    climate = await repos.groups.by_slug("climate")
    assert climate is not None
    await repos.groups.link_chat(climate.id, chat.id, None, NOW)
    roadmap = app.services.roadmap
    people = {p.first_name: p.id for p in await repos.people.search("o", by_id=False)}
    owner = [people["Kofi"]]

    async def action(title: str, day: date, hour: time | None = None) -> int:
        made = await roadmap.create_action(
            people["Jorge"],
            title=title,
            due_date=day,
            due_time=hour,
            owners=owner,
            group_id=climate.id,
        )
        assert made.action_id is not None
        return made.action_id

    await action("Glacier year <events> list", date(2026, 4, 3))
    await action("Five-Year Action contribution", date(2026, 3, 26), time(17, 0))
    finished = await action("October methodology meeting notes", date(2026, 4, 30))
    await action("Far away", date(2026, 6, 30))
    assert (await roadmap.progress(people["Kofi"], finished, status="done")).action is not None

    preview = await emulator.says(jorge, "/digest", chat=chat)
    lines = (preview.text or "").split("\n")
    start = lines.index("🗺 Roadmap")
    assert lines[start : start + 4] == [
        "🗺 Roadmap",
        "📅 Due soon: #2 Five-Year Action contribution (Thursday, March 26, 2026 17:00 (Madrid))",
        "📅 Due soon: #1 Glacier year <events> list (Friday, April 3, 2026)",
        "✅ Done: #3 October methodology meeting notes",
    ]
    assert "Far away" not in (preview.text or "")

    clock.set(datetime(2026, 3, 27, 8, 0, tzinfo=UTC))
    later = await emulator.says(jorge, "/digest", chat=chat)
    assert (
        "⚠️ Overdue: #2 Five-Year Action contribution (due Thursday, March 26, 2026 17:00 (Madrid))"
    ) in (later.text or "").split("\n")

    # /calendar: an all-day event for a date, a timed one for a date and time (after the four
    # "you own a new action" notices, so that the reply is the next message Kofi gets).
    def told_of_every_action() -> bool:
        owned = [e for e in emulator.sent_to(kofi) if "You own a new action" in (e.text or "")]
        return len(owned) == 4

    await emulator.wait_until(told_of_every_action, timeout=15)
    calendar = await emulator.says(kofi, "/calendar")
    assert calendar.document is not None
    events = {
        str(event["uid"]): event
        for event in Calendar.from_ical(calendar.document.content).walk("VEVENT")
    }
    glacier = events["roadmap-action-1@wnmrc-bot"]
    assert glacier["summary"] == "#1 Glacier year <events> list"
    assert glacier.decoded("dtstart") == date(2026, 4, 3)
    assert glacier.decoded("dtend") == date(2026, 4, 4)
    timed = events["roadmap-action-2@wnmrc-bot"].decoded("dtstart")
    assert timed == datetime(2026, 3, 26, 17, 0, tzinfo=ZoneInfo("Europe/Madrid"))
    assert timed.astimezone(UTC) == datetime(2026, 3, 26, 16, 0, tzinfo=UTC)

    # The exports: CSV (the import's columns) and Markdown grouped by objective.
    csv_file, md_file = tmp_path / "roadmap.csv", tmp_path / "roadmap.md"
    assert await export_roadmap(settings, csv_file) == f"{csv_file}: 4 actions (CSV)"
    await export_roadmap(settings, md_file)
    rows = list(csv.DictReader(csv_file.read_text(encoding="utf-8-sig").splitlines()))
    assert [(r["ref"], r["due"], r["zone"], r["status"], r["owners"]) for r in rows] == [
        ("A2", "2026-03-26 17:00", "Europe/Madrid", "planned", "Kofi"),
        ("A1", "2026-04-03", "Europe/Madrid", "planned", "Kofi"),
        ("A3", "2026-04-30", "Europe/Madrid", "done", "Kofi"),
        ("A4", "2026-06-30", "Europe/Madrid", "planned", "Kofi"),
    ]
    markdown = md_file.read_text(encoding="utf-8")
    assert "### A1 — Glacier year \\<events\\> list" in markdown
    assert "- Due: 2026-03-26 17:00 (Europe/Madrid)" in markdown

    # A network-wide action Kofi owns is in his /calendar too (not in the group's).
    network_wide = await repos.roadmap.create_action(
        objective_id=None,
        group_id=None,
        title="Five-Year Action contribution (network)",
        description=None,
        due_date=date(2026, 5, 4),
        due_time=None,
        due_zone="Europe/Madrid",
        due_at=datetime(2026, 5, 4, 22, 0, tzinfo=UTC),
        owners=owner,
        created_by=None,
        now=NOW,
    )
    mine = await emulator.says(kofi, "/calendar")
    assert mine.document is not None
    uids = {str(e["uid"]) for e in Calendar.from_ical(mine.document.content).walk("VEVENT")}
    assert f"roadmap-action-{network_wide}@wnmrc-bot" in uids
    assert "roadmap-action-1@wnmrc-bot" in uids


async def test_progress_notes_status_and_a_blocked_reason_in_spanish(
    app: WnmrcApplication, emulator: Emulator, repos: Repositories
) -> None:
    jorge = await member(emulator, repos, "Jorge", "Europe/Madrid", role="coordinator")
    ana = await member(emulator, repos, "Ana", "America/Lima")
    outsider = await member(emulator, repos, "Eve", "Europe/Paris")
    await repos.people.set_language((await person_of(repos, ana)), "es", NOW)
    climate = await repos.groups.by_slug("climate")
    assert climate is not None
    made = await app.services.roadmap.create_action(
        await person_of(repos, jorge),
        title="Glacier year events",
        due_date=date(2026, 4, 3),
        owners=[await person_of(repos, ana)],
        group_id=climate.id,
    )
    assert made.action_id == 1
    await emulator.wait_until(lambda: emulator.sent_to(ana))
    assert (emulator.sent_to(ana)[0].text or "").startswith(
        "📌 Tienes a tu cargo una nueva acción de la hoja de ruta."
    )

    unreadable = await emulator.says(ana, "/progress abc")
    assert unreadable.text == (
        "Escribe /progress seguido del número de la acción, por ejemplo /progress 12."
    )
    missing = await emulator.says(ana, "/progress 99")
    assert missing.text == "No existe la acción 99. /roadmap las muestra."
    refused = await emulator.says(outsider, "/progress 1 I did it")
    assert refused.text == (
        "Only the action's owners, its group's coordinators and the secretariat can do that."
    )
    noted = await emulator.says(ana, "/progress 1 Lista de eventos enviada <al grupo>")
    assert noted.text == "✓ Nota añadida a #1."

    shown = await emulator.says(ana, "/progress 1")
    text = shown.text or ""
    assert "📅 Fecha límite: viernes, 3 de abril de 2026" in text
    assert "Ana: Lista de eventos enviada <al grupo>" in text
    assert [b.text for row in shown.buttons for b in row] == [
        "en curso",
        "hecha",
        "bloqueada",
        "descartada",
    ]
    after = await tap(emulator, ana, shown, "bloqueada")
    assert "Estado: prevista" in after
    asked = emulator.sent_to(ana)[-1]
    assert asked.text == "¿Qué bloquea #1? Escribe el motivo."
    reason = await emulator.says(ana, "Esperamos los datos")
    assert reason.text == "✓ #1 está bloqueada: Esperamos los datos"
    action = await repos.roadmap.action(1)
    assert action is not None
    assert (action.status, action.blocked_reason) == ("blocked", "Esperamos los datos")
    other = await emulator.says(outsider, "/progress 1")
    query = emulator.tap(outsider, other, "done")
    await emulator.wait_until(
        lambda: any(a.callback_query_id == query for a in emulator.callback_answers)
    )
    alert = next(a for a in emulator.callback_answers if a.callback_query_id == query)
    assert alert.text == (
        "Only the action's owners, its group's coordinators and the secretariat can do that."
    )
    assert (await repos.roadmap.action(1)).status == "blocked"  # type: ignore[union-attr]


async def test_the_roadmap_is_paged_with_typed_buttons(
    app: WnmrcApplication, emulator: Emulator, repos: Repositories
) -> None:
    jorge = await member(emulator, repos, "Jorge", "Europe/Madrid", role="coordinator")
    climate = await repos.groups.by_slug("climate")
    assert climate is not None
    for day in range(1, 11):
        await app.services.roadmap.create_action(
            await person_of(repos, jorge),
            title=f"Step {day}",
            due_date=date(2026, 4, day),
            group_id=climate.id,
        )
    first = await emulator.says(jorge, "/roadmap climate")
    assert "Page 1 of 2" in (first.text or "")
    assert [b.data for row in first.buttons for b in row] == ["rp:climate:1"]
    second = await tap(emulator, jorge, first, "Next »")
    assert "#9 Step 9" in second
    assert "#1 Step 1" not in second
    unknown = await emulator.says(jorge, "/roadmap atlantis")
    assert unknown.text == "There is no working group “atlantis”."


async def person_of(repos: Repositories, user: SimUser) -> int:
    person = await repos.people.by_telegram_id(user.id)
    assert person is not None
    return person.id


async def test_the_action_summary_changes_one_field_and_cancel_drops_the_draft(
    settings: Settings, emulator: Emulator
) -> None:
    app = build_application(
        settings, clock=ManualClock(NOW), delivery=FAST_DELIVERY, publish_command_menus=False
    )
    async with running(app, poll_timeout=1):
        repos = app.services.repos
        jorge = await member(emulator, repos, "Jorge", "Europe/Madrid", role="coordinator")
        first = await emulator.says(jorge, "/action")
        await tap(emulator, jorge, first, "Climate change")
        await emulator.says(jorge, "Roadmap 2023–2025")
        description = await emulator.says(jorge, "Old title")
        assert "Who owns it?" in await tap(emulator, jorge, description, "Skip")
        assert "✓ Owners: Jorge" in await tap(emulator, jorge, description, "Me")
        summary = await emulator.says(jorge, "2026-04-15 17:00")
        assert "Title: Old title" in (summary.text or "")

        menu = await tap(emulator, jorge, summary, "Edit")
        assert menu == "Which part do you want to change?"
        shown = emulator.message(summary.chat_id, summary.message_id)
        assert shown is not None
        assert [b.text for row in shown.buttons for b in row] == [
            "Working group",
            "Objective",
            "Title",
            "Description or link",
            "Owners",
            "Due",
            "« Back",
        ]
        assert "Title: Old title" in await tap(emulator, jorge, summary, "« Back")
        await tap(emulator, jorge, summary, "Edit")
        assert "What is the action? Type its title." in await tap(emulator, jorge, summary, "Title")
        changed = await emulator.says(jorge, "New title")
        text = changed.text or ""
        assert text.startswith("✓ Title: New title")
        assert "Title: New title" in text.split("The new action", 1)[1]
        assert "Wednesday, April 15, 2026 17:00 (Madrid)" in text

        dropped = await tap(emulator, jorge, changed, "Cancel")
        assert dropped == "Dropped. /action starts a new one."
        person = await repos.people.by_telegram_id(jorge.id)
        assert person is not None
        assert await repos.drafts.get(person.id, FORM_KIND) is None
        assert await repos.roadmap.actions() == []
        await app.services.runtime.stop()
