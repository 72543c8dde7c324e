"""E-mail as a second channel, end to end: a meeting scheduled in the bot (through the
emulator) reaches Mei, who has only e-mail, in Spanish, with an .ics that a second calendar
parser (vobject) reads to the same instant; the reschedule and the cancellation reach her as
an update (higher SEQUENCE) and a CANCEL of the same UID. The SMTP server is a real aiosmtpd on
loopback (``sandbox/mail.py``); its messages are parsed with the ``email`` package.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

import pytest
import vobject

from bot.clock import ManualClock
from bot.context import WnmrcApplication
from bot.outbox import DeliveryConfig
from config import Settings
from sandbox.emulator import Emulator
from sandbox.mail import CaughtMail, MailCatcher
from storage import Repositories
from storage.imports import ImportedPerson, ImportsRepository
from storage.outbox import mail_only_chat

from ..conftest import FAST_DELIVERY, bot_settings
from .test_meetings import NOW, current, network, schedule, tap

MEI = "mei.zhang@example.cn"


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(NOW)


@pytest.fixture
def delivery() -> DeliveryConfig:
    return FAST_DELIVERY


@pytest.fixture
def publish_menus() -> bool:
    return False


@pytest.fixture
def catcher(tmp_path: Path) -> Iterator[MailCatcher]:
    with MailCatcher(tmp_path / "mail") as server:
        yield server


@pytest.fixture
def settings(emulator: Emulator, database_path: Path, catcher: MailCatcher) -> Settings:
    return bot_settings(
        emulator,
        database_path,
        smtp_url=catcher.url,
        mail_from="WNMRC <bot@wnmrc.example.org>",
        mail_rate_per_minute=600,
    )


async def mail_only_member(repos: Repositories) -> int:
    """Mei, imported by the secretariat with an address and no Telegram, in climate."""
    climate = await repos.groups.by_slug("climate")
    assert climate is not None
    person = ImportedPerson(
        row=2,
        username=None,
        email=MEI,
        values={
            "display_name": "Mei Zhang",
            "email": MEI,
            "language": "es",
            "timezone": "America/Lima",
        },
        group_ids=(climate.id,),
    )
    imports = ImportsRepository(repos.db)
    await imports.apply([person], NOW)
    found = await imports.matches([person])
    assert found[0] is not None
    return found[0]


def calendar_of(message: EmailMessage) -> vobject.base.Component:
    part = next(p for p in message.walk() if p.get_content_type() == "text/calendar")
    return vobject.readOne(part.get_content())


def text_of(message: EmailMessage, subtype: str) -> str:
    part = message.get_body(preferencelist=(subtype,))
    assert part is not None
    content: str = part.get_content()
    return content.replace("\r\n", "\n")


async def status_becomes(repos: Repositories, key: str, status: str) -> None:
    for _ in range(100):
        row = await repos.outbox.by_key(key)
        if row is not None and row.status == status:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"{key} is {row.status if row else 'missing'}, not {status}")


async def wait_for_mail(emulator: Emulator, catcher: MailCatcher, count: int) -> list[CaughtMail]:
    await emulator.wait_until(lambda: len(catcher.to(MEI)) >= count, timeout=10)
    return catcher.to(MEI)


async def test_a_meeting_reaches_a_member_with_only_email_in_her_language_with_an_ics(
    app: WnmrcApplication,
    emulator: Emulator,
    repos: Repositories,
    catcher: MailCatcher,
    clock: ManualClock,
) -> None:
    jorge, _, _, _ = await network(emulator, repos)
    mei = await mail_only_member(repos)
    await schedule(emulator, jorge)

    [invitation] = await wait_for_mail(emulator, catcher, 1)
    message = invitation.message
    assert invitation.recipients == (MEI,)
    assert message["To"] == f"Mei Zhang <{MEI}>"
    assert message["From"] == "WNMRC <bot@wnmrc.example.org>"
    assert message["Content-Language"] == "es"
    assert (
        str(message["List-Unsubscribe"])
        .strip()
        .startswith("<mailto:bot@wnmrc.example.org?subject=")
    )
    assert "Nueva reunión" in message["Subject"]
    plain = text_of(message, "plain")
    assert "miércoles, 15 de abril de 2026 08:00 (Lima)" in plain
    assert "Follow-up <b>meeting</b>" in plain  # the title as typed, unescaped in plain text
    assert "Follow-up &lt;b&gt;meeting&lt;/b&gt;" in text_of(message, "html")
    assert "Para responder" in plain  # the buttons became a line: answer in Telegram or on the web
    assert "/notify" in plain  # the footer: why, and how to stop

    event = calendar_of(message)
    assert event.method.value == "REQUEST"
    vevent = event.vevent
    assert vevent.dtstart.value == datetime(2026, 4, 15, 13, 0, tzinfo=UTC)
    assert vevent.summary.value == "Follow-up <b>meeting</b>"
    assert vevent.attendee.value == f"mailto:{MEI}"
    assert vevent.attendee.params["PARTSTAT"] == ["NEEDS-ACTION"]
    assert vevent.organizer.value == "mailto:bot@wnmrc.example.org"
    uid, sequence = vevent.uid.value, int(vevent.sequence.value)
    assert uid.endswith("@wnmrc.example.org")

    # Nothing went to Telegram for her, and the outbox row is sent with its Message-ID.
    key = f"email:meeting:1:announce:{mail_only_chat(mei)}:0"
    await status_becomes(repos, key, "sent")
    rows = await repos.outbox.for_chat(mail_only_chat(mei))
    assert [(r.channel, r.status) for r in rows] == [("email", "sent")]
    assert rows[0].email_message_id == str(message["Message-ID"]).strip()

    # The 7-day reminder reaches her by e-mail too, in her zone.
    clock.set(datetime(2026, 4, 8, 13, 0, tzinfo=UTC))
    assert await app.services.meetings.reminders.serve(clock.now()) == 1
    reminder = (await wait_for_mail(emulator, catcher, 2))[1]
    assert "Recordatorio" in reminder.subject
    assert "miércoles, 15 de abril de 2026 08:00 (Lima)" in text_of(reminder.message, "plain")

    await emulator.wait_until(
        lambda: any("Reminder" in (e.text or "") for e in emulator.sent_to(jorge))
    )

    # The reschedule: an update of the same UID with a higher SEQUENCE.
    ask = await emulator.says(jorge, "/reschedule 1")
    confirm = await emulator.says(jorge, "16 Apr 16:00")
    await tap(emulator, jorge, confirm, "Keep")
    await tap(emulator, jorge, confirm, "Keep")
    await emulator.wait_until(lambda: "answers are reset" in current(emulator, confirm))
    await tap(emulator, jorge, confirm, "Save and tell everyone")
    assert ask.text
    moved = (await wait_for_mail(emulator, catcher, 3))[2]
    update = calendar_of(moved.message)
    assert update.method.value == "REQUEST"
    assert update.vevent.uid.value == uid
    assert int(update.vevent.sequence.value) > sequence
    assert update.vevent.dtstart.value == datetime(2026, 4, 16, 14, 0, tzinfo=UTC)
    assert "se ha movido" in text_of(moved.message, "plain")

    # The cancellation: METHOD:CANCEL, the same UID, a higher SEQUENCE still.
    await emulator.wait_until(
        lambda: any("has moved" in (e.text or "") for e in emulator.sent_to(jorge))
    )
    ask = await emulator.says(jorge, "/cancelmeeting 1")
    await tap(emulator, jorge, ask, "Yes, cancel it")
    cancelled = (await wait_for_mail(emulator, catcher, 4))[3]
    cancel = calendar_of(cancelled.message)
    assert cancel.method.value == "CANCEL"
    assert cancel.vevent.uid.value == uid
    assert cancel.vevent.status.value == "CANCELLED"
    assert int(cancel.vevent.sequence.value) > int(update.vevent.sequence.value)


async def test_notify_confirms_an_address_with_a_code_and_switches_to_email(
    app: WnmrcApplication, emulator: Emulator, repos: Repositories, catcher: MailCatcher
) -> None:
    jorge, ana, _, _ = await network(emulator, repos)
    person = await repos.people.by_telegram_id(ana.id)
    assert person is not None
    await repos.people.update_profile(person.id, NOW, email="ana.quispe@example.pe")

    status = await emulator.says(ana, "/notify")
    assert status.text == (
        "Cómo te contacto: automáticamente (Telegram si ya iniciaste el bot; si no, correo "
        "electrónico).\nTu dirección de correo ana.quispe@example.pe aún no está confirmada.\n"
        "Elige cómo te contacto:"
    )
    # E-mail before the address is confirmed: refused, nothing changes.
    toast = await tap(emulator, ana, status, "Correo")
    assert toast == "Primero confirma tu dirección de correo: toca «Envíame un código»."
    state = await repos.channels.state(person.id)
    assert state is not None
    assert state.choice is None

    mark = len(emulator.ledger)
    emulator.tap(ana, status, "📧 Envíame un código")
    await emulator.wait_until(lambda: len(catcher.to("ana.quispe@example.pe")) == 1)
    await emulator.wait_until(
        lambda: len(emulator.sent_to(ana)) > 0 and mark < len(emulator.ledger)
    )
    sent = [e.text for e in emulator.sent_to(ana)]
    assert (
        "Envié un código a ana.quispe@example.pe. Escríbelo aquí; es válido durante 30 minutos."
        in sent
    )
    [mail] = catcher.to("ana.quispe@example.pe")
    plain = text_of(mail.message, "plain")
    code = next(word for word in plain.split() if word.isdigit() and len(word) == 6)
    assert "Escríbelo en tu chat con el bot" in plain

    wrong = await emulator.says(ana, "000000" if code != "000000" else "111111")
    assert wrong.text == (
        "Ese no es el código que envié. Inténtalo de nuevo, o usa /notify para recibir uno nuevo."
    )
    not_code = await emulator.says(ana, "my code")
    assert not_code.text == "Escribe los seis dígitos del código que envié a tu dirección."
    right = await emulator.says(ana, f"{code[:3]} {code[3:]}")
    assert (right.text or "").startswith(
        "Tu dirección de correo ana.quispe@example.pe está confirmada."
    )
    await tap(emulator, ana, right, "Correo")
    assert current(emulator, right).startswith("Guardado: te contacto por correo electrónico.")

    # From now on what the bot sends her goes by e-mail, not Telegram: a meeting, for one.
    before = len(emulator.sent_to(ana))
    await schedule(emulator, jorge)
    await emulator.wait_until(lambda: len(catcher.to("ana.quispe@example.pe")) == 2)
    invitation = catcher.to("ana.quispe@example.pe")[1]
    assert "Nueva reunión" in invitation.subject
    assert len(emulator.sent_to(ana)) == before
    assert await repos.outbox.by_key(f"meeting:1:announce:{ana.id}:0") is None  # no Telegram row

    card = await emulator.says(ana, "/me")
    assert "<b>Te contacto por:</b> correo electrónico (/notify)" in (card.html or "")

    mydata = await repos.db.fetch_one(
        "SELECT channels, verified_email FROM person_channels WHERE person_id = ?", (person.id,)
    )
    assert mydata is not None
    assert tuple(mydata) == ("email", "ana.quispe@example.pe")
