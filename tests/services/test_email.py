"""The e-mail channel at storage speed: which channels a person's message takes (decided in
the outbox, whatever the feature), and the e-mail sender against a real SMTP server on
loopback (aiosmtpd) that accepts, refuses for now (451) or for good (550)."""

from __future__ import annotations

import email
import email.policy
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from bot.clock import ManualClock
from bot.i18n import I18n
from bot.outbox.email import MailIdentity
from bot.outbox.mailer import NO_ADDRESS, MailConfig, Mailer
from bot.outbox.report import render_report
from config.mail import parse_smtp_url
from handlers.outbox import render_summary
from sandbox.mail import MailCatcher, free_port
from storage import Repositories, to_db
from storage.outbox import OutboxPayload, OutgoingMessage, mail_only_chat
from storage.privacy import PrivacyRepository, Subject

from .conftest import START

ANA_TELEGRAM = 5001
FROM = "WNMRC <bot@wnmrc.example.org>"


@pytest.fixture
def catcher(tmp_path: Path) -> Iterator[MailCatcher]:
    with MailCatcher(tmp_path / "mail") as server:
        yield server


def mailer(repos: Repositories, clock: ManualClock, url: str, rate: int = 6000) -> Mailer:
    config = MailConfig(rate_per_minute=rate, timeout=2.0, backoff_base_seconds=60.0)
    return Mailer(repos, clock, I18n(), parse_smtp_url(url), MailIdentity(FROM), config)


async def round_of(sender: Mailer, clock: ManualClock) -> None:
    await sender.run_due(clock.now())
    await sender.idle()


async def telegram_person(repos: Repositories, email: str | None = None) -> int:
    person = await repos.people.upsert_from_telegram(
        telegram_id=ANA_TELEGRAM,
        first_name="Ana",
        last_name=None,
        username=None,
        language_code="es",
        private=True,
        now=START,
    )
    if email is not None:
        await repos.people.update_profile(person.id, START, email=email)
    return person.id


async def imported_person(repos: Repositories, name: str, email: str, language: str) -> int:
    """Someone the secretariat's import gave an address, who never wrote to the bot."""
    imported = f'{{"email": "{email}"}}'
    async with repos.db.transaction() as conn:
        cursor = await conn.execute(
            "INSERT INTO people (first_name, display_name, email, language, imported,"
            " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
            (name, name, email, language, imported, to_db(START), to_db(START)),
        )
        row = await cursor.fetchone()
    assert row is not None
    return int(row[0])


def note(person_id: int, chat_id: int, key: str = "n1") -> OutgoingMessage:
    return OutgoingMessage(
        kind="notice",
        chat_id=chat_id,
        person_id=person_id,
        dedupe_key=key,
        payload=OutboxPayload(
            text="<b>Roadmap</b>: the report &lt;draft&gt; is due\nSee "
            '<a href="https://example.org/r">the roadmap</a>',
            reply_markup={
                "inline_keyboard": [
                    [{"text": "Open", "url": "https://example.org/open"}],
                    [{"text": "Done", "callback_data": "rm:1:done"}],
                ]
            },
        ),
        due_at=START,
    )


async def channels_of(repos: Repositories, person_id: int) -> list[tuple[str, str]]:
    rows = await repos.db.fetch_all(
        "SELECT channel, dedupe_key FROM outbox WHERE person_id = ? ORDER BY id", (person_id,)
    )
    return [(row[0], row[1]) for row in rows]


async def test_the_channels_of_a_person_decide_the_rows_whatever_the_feature(
    repos: Repositories,
) -> None:
    repos.outbox.email_enabled = True
    ana = await telegram_person(repos, email="ana@example.org")
    mei = await imported_person(repos, "Mei", "mei@example.cn", "zh")

    # Ana has Telegram and an unverified address: Telegram only, even when she asks e-mail.
    await repos.outbox.enqueue([note(ana, ANA_TELEGRAM, "a1")], START)
    await repos.channels.choose(ana, "email", "tok-ana", START)
    await repos.outbox.enqueue([note(ana, ANA_TELEGRAM, "a2")], START)
    assert await channels_of(repos, ana) == [("telegram", "a1"), ("telegram", "a2")]

    # Verified, both: a row per channel; e-mail: the e-mail row only.
    await repos.channels.verify(ana, "ANA@example.org", START)
    await repos.channels.choose(ana, "both", "tok-ana", START)
    await repos.outbox.enqueue([note(ana, ANA_TELEGRAM, "a3")], START)
    await repos.channels.choose(ana, "email", "tok-ana", START)
    await repos.outbox.enqueue([note(ana, ANA_TELEGRAM, "a4")], START)
    assert (await channels_of(repos, ana))[2:] == [
        ("telegram", "a3"),
        ("email", "email:a3"),
        ("email", "email:a4"),
    ]
    # Another address in her profile is not verified: back to Telegram.
    await repos.people.update_profile(ana, START, email="ana@other.org")
    await repos.outbox.enqueue([note(ana, ANA_TELEGRAM, "a5")], START)
    assert (await channels_of(repos, ana))[-1] == ("telegram", "a5")

    # Mei, imported with an address and no Telegram: e-mail, the imported address counts.
    await repos.outbox.enqueue([note(mei, mail_only_chat(mei), "m1")], START)
    assert await channels_of(repos, mei) == [("email", "email:m1")]

    # Without SMTP configured nothing becomes e-mail, and a mail-only chat is dropped.
    repos.outbox.email_enabled = False
    assert await repos.outbox.enqueue([note(mei, mail_only_chat(mei), "m2")], START) == 0


async def test_an_email_row_is_sent_in_the_readers_language_with_links_and_a_footer(
    repos: Repositories, clock: ManualClock, catcher: MailCatcher
) -> None:
    repos.outbox.email_enabled = True
    mei = await imported_person(repos, "Mei", "mei@example.cn", "zh")
    await repos.outbox.enqueue([note(mei, mail_only_chat(mei))], START)
    await round_of(mailer(repos, clock, catcher.url), clock)

    [caught] = catcher.mail
    message = caught.message
    assert caught.recipients == ("mei@example.cn",)
    assert message["Subject"] == "Roadmap: the report <draft> is due"
    assert message["Content-Language"] == "zh"
    plain = message.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
    html = message.get_body(preferencelist=("html",)).get_content()  # type: ignore[union-attr]
    assert "Roadmap: the report <draft> is due" in plain
    assert "the roadmap <https://example.org/r>" in plain
    assert "Open: https://example.org/open" in plain
    assert "如需回复，请在 Telegram 中使用此消息的按钮" in plain  # the tap button, dropped
    assert "/notify" in plain
    assert '<html lang="zh">' in html
    assert "<b>Roadmap</b>: the report &lt;draft&gt; is due<br>" in html
    assert '<a href="https://example.org/open">Open</a>' in html
    row = await repos.outbox.by_key("email:n1")
    assert row is not None
    assert row.status == "sent"
    assert row.email_message_id == str(message["Message-ID"]).strip()
    saved = email.message_from_bytes(caught.path.read_bytes(), policy=email.policy.default)
    assert saved["Subject"] == message["Subject"]


async def test_a_temporary_refusal_is_retried_with_backoff_and_a_permanent_one_fails(
    repos: Repositories, clock: ManualClock, catcher: MailCatcher
) -> None:
    repos.outbox.email_enabled = True
    mei = await imported_person(repos, "Mei", "mei@example.cn", "zh")
    li = await imported_person(repos, "Li", "li@example.cn", "zh")
    await repos.outbox.enqueue([note(mei, mail_only_chat(mei), "m")], START)
    sender = mailer(repos, clock, catcher.url)

    catcher.refuse_next("451 4.3.0 Try again later")
    await round_of(sender, clock)
    row = await repos.outbox.by_key("email:m")
    assert row is not None
    assert (row.status, row.attempts, row.last_error) == ("queued", 1, "451: 4.3.0 Try again later")
    assert row.next_attempt_at == START + timedelta(seconds=60)
    await round_of(sender, clock)  # not yet due: nothing is sent
    assert catcher.mail == []

    catcher.refuse_next("452 4.2.2 Mailbox full")
    clock.advance(timedelta(seconds=60))
    await round_of(sender, clock)
    row = await repos.outbox.by_key("email:m")
    assert row is not None
    assert row.next_attempt_at == clock.now() + timedelta(seconds=120)  # doubled

    clock.advance(timedelta(seconds=120))
    await round_of(sender, clock)
    row = await repos.outbox.by_key("email:m")
    assert row is not None
    assert (row.status, row.attempts) == ("sent", 3)
    assert len(catcher.to("mei@example.cn")) == 1

    await repos.outbox.enqueue([note(li, mail_only_chat(li), "l")], clock.now())
    catcher.refuse_next("550 5.1.1 <li@example.cn>: no such user")
    await round_of(sender, clock)
    row = await repos.outbox.by_key("email:l")
    assert row is not None
    assert (row.status, row.last_error) == ("failed", "550: 5.1.1 <<address>>: no such user")
    assert catcher.to("li@example.cn") == []

    # The operator's report and /outbox count them and name the failure by person, not address.
    summary = await repos.outbox.summary()
    assert summary.by_email == {"sent": 1, "failed": 1}
    report = render_report(summary, "bot.sqlite3")
    assert "  by e-mail" in report
    assert f"notice by e-mail to person {li}, failed" in report
    shown = render_summary(summary, I18n().translator("es"), "UTC")
    assert "De ellos, por correo: 1 enviado, 1 fallido" in shown
    assert f"por correo a la persona n.º {li} (fallido)" in shown


async def test_a_server_that_refuses_connections_is_retried_and_no_address_fails(
    repos: Repositories, clock: ManualClock
) -> None:
    repos.outbox.email_enabled = True
    mei = await imported_person(repos, "Mei", "mei@example.cn", "zh")
    await repos.outbox.enqueue([note(mei, mail_only_chat(mei), "m")], START)
    await round_of(mailer(repos, clock, f"smtp://127.0.0.1:{free_port()}"), clock)
    row = await repos.outbox.by_key("email:m")
    assert row is not None
    assert row.status == "queued"
    assert row.last_error is not None
    assert row.last_error.startswith("SMTPConnectError")

    # Her address was removed meanwhile: the row fails, nothing is sent anywhere.
    await repos.people.update_profile(mei, START, email=None)
    clock.advance(timedelta(minutes=5))
    await round_of(mailer(repos, clock, f"smtp://127.0.0.1:{free_port()}"), clock)
    row = await repos.outbox.by_key("email:m")
    assert row is not None
    assert (row.status, row.last_error) == ("failed", NO_ADDRESS)


async def test_the_sender_keeps_the_configured_rate(
    repos: Repositories, clock: ManualClock, catcher: MailCatcher
) -> None:
    repos.outbox.email_enabled = True
    people = [await imported_person(repos, f"P{i}", f"p{i}@example.org", "en") for i in range(6)]
    await repos.outbox.enqueue([note(p, mail_only_chat(p), f"k{p}") for p in people], START)
    began = time.monotonic()
    await round_of(mailer(repos, clock, catcher.url, rate=300), clock)  # one every 0.2 s
    took = time.monotonic() - began
    assert len(catcher.mail) == 6
    assert took >= 5 * 0.2 - 0.05


async def test_forgetting_a_person_removes_their_address_channels_and_queued_emails(
    repos: Repositories,
) -> None:
    repos.outbox.email_enabled = True
    mei = await imported_person(repos, "Mei", "mei@example.cn", "zh")
    await repos.channels.choose(mei, "email", "tok-mei", START)
    await repos.outbox.enqueue([note(mei, mail_only_chat(mei), "m")], START)
    assert await channels_of(repos, mei) == [("email", "email:m")]
    privacy = PrivacyRepository(repos.db)
    data = await privacy.personal_data(Subject(mei, None))
    assert data["channels"]["channels"] == "email"
    assert data["channels"]["email_verified"] == 1
    assert [row["channel"] for row in data["messages_to_you"]] == ["email"]

    assert await privacy.forget(Subject(mei, None))

    assert await channels_of(repos, mei) == []
    assert await repos.channels.state(mei) is None
    remaining = await repos.db.fetch_value(
        "SELECT count(*) FROM person_channels WHERE person_id = ?", (mei,)
    )
    assert remaining == 0


async def test_a_proposal_of_another_feature_reaches_an_email_only_member_by_email(
    repos: Repositories, clock: ManualClock, tmp_path: Path, catcher: MailCatcher
) -> None:
    """Decisions queue their rows as any feature does; the outbox makes Mei's an e-mail."""
    from bot.access import Actor
    from bot.decisions.service import DecisionsService, Proposed
    from bot.runtime import DueWorkRuntime
    from config import load_network, load_settings

    repos.outbox.email_enabled = True
    await repos.groups.seed(load_network().groups, START)
    climate = await repos.groups.by_slug("climate")
    assert climate is not None
    jorge = await telegram_person(repos)
    await repos.groups.add_member(climate.id, jorge, "coordinator", START)
    mei = await imported_person(repos, "Mei", "mei@example.cn", "es")
    await repos.groups.add_member(climate.id, mei, "member", START)
    settings = load_settings(database_path=tmp_path / "unused.sqlite3")
    decisions = DecisionsService(repos, clock, I18n(), settings, DueWorkRuntime(clock))
    actor = Actor(jorge, ANA_TELEGRAM, secretariat=False, coordinated=frozenset({climate.id}))
    data = {
        "scope": climate.id,
        "zone": "Europe/Madrid",
        "title": "Which contribution to the glacier year?",
        "body": "Choose what we prepare first.",
        "kind": "choice",
        "options": ["Photo story", "Webinars"],
        "multiple": False,
        "closes": (START + timedelta(days=3)).isoformat(),
    }
    assert isinstance(await decisions.propose(jorge, data, actor), Proposed)

    rows = await repos.db.fetch_all(
        "SELECT channel, chat_id FROM outbox WHERE person_id = ? ORDER BY id", (mei,)
    )
    assert [(row[0], row[1]) for row in rows] == [("email", mail_only_chat(mei))]
    await round_of(mailer(repos, clock, catcher.url), clock)
    [caught] = catcher.to("mei@example.cn")
    assert "Which contribution to the glacier year?" in caught.subject + str(
        caught.message.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
    )
