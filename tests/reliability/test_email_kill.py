"""kill -9 the bot while it sends e-mail, again and again, then let it finish: every person
gets their e-mail, and each kill doubles at most one (the one handed to the SMTP server when
the process died). A real ``wnmrc-bot run`` process, a real SMTP server on loopback."""

from __future__ import annotations

import asyncio
import os
import random
import signal
import sqlite3
from collections import Counter
from pathlib import Path

import pytest

from bot.clock import SystemClock
from sandbox.emulator import Emulator
from sandbox.mail import MailCatcher, free_port
from storage import Database, to_db
from storage.outbox import OutboxPayload, OutboxRepository, OutgoingMessage, mail_only_chat

from ..conftest import TOKEN
from .processes import bot_environment, integrity, start_bot

pytestmark = pytest.mark.slow

RECIPIENTS = 60
KILLS = 3
SEED = int(os.environ.get("WNMRC_KILL_SEED", "20240517"))


async def queue_emails(database: Path, count: int) -> list[str]:
    """``count`` people imported with an address and no Telegram, one e-mail queued to each."""
    now = SystemClock().now()
    db = await Database.open(database)
    addresses = [f"member{i}@example.org" for i in range(count)]
    try:
        await db.migrate()
        messages = []
        async with db.transaction() as conn:
            for address in addresses:
                cursor = await conn.execute(
                    "INSERT INTO people (first_name, email, imported, created_at, updated_at)"
                    " VALUES (?, ?, json_object('email', ?), ?, ?) RETURNING id",
                    (address.split("@")[0], address, address, to_db(now), to_db(now)),
                )
                row = await cursor.fetchone()
                assert row is not None
                messages.append(
                    OutgoingMessage(
                        kind="digest",
                        chat_id=mail_only_chat(int(row[0])),
                        person_id=int(row[0]),
                        dedupe_key=f"digest:kill:{row[0]}",
                        payload=OutboxPayload(text=f"<b>Digest</b> for {address}"),
                        due_at=now,
                    )
                )
        outbox = OutboxRepository(db)
        outbox.email_enabled = True
        assert await outbox.enqueue(messages, now) == count
    finally:
        await db.close()
    return addresses


def email_statuses(database: Path) -> Counter[str]:
    with sqlite3.connect(database) as connection:
        rows = connection.execute(
            "SELECT status, count(*) FROM outbox WHERE channel = 'email' GROUP BY status"
        )
        return Counter(dict(rows.fetchall()))


async def test_killing_the_email_sender_loses_nothing_and_doubles_at_most_one_per_kill(
    emulator: Emulator, tmp_path: Path
) -> None:
    database = tmp_path / "bot.sqlite3"
    log = tmp_path / "bot.log"
    addresses = await queue_emails(database, RECIPIENTS)
    chooser = random.Random(SEED)
    with MailCatcher(tmp_path / "mail") as catcher:
        environment = {
            **bot_environment(TOKEN, emulator.api_root, database),
            "WNMRC_SMTP_URL": catcher.url,
            "WNMRC_MAIL_FROM": "WNMRC <bot@wnmrc.example.org>",
            "WNMRC_MAIL_RATE_PER_MINUTE": "1200",
        }
        for kill in range(KILLS):
            target = len(catcher.mail) + chooser.randint(3, 10)
            process = await start_bot(environment, log)
            try:
                await emulator.wait_until(lambda: len(catcher.mail) >= target, timeout=30)  # noqa: B023
            finally:
                process.send_signal(signal.SIGKILL)
                await process.wait()
            print(
                f"kill {kill + 1}: {len(catcher.mail)} e-mails caught; {email_statuses(database)}"
            )
        assert len(catcher.mail) < RECIPIENTS, "the kills came too late to test anything"

        last = await start_bot(environment, log)
        try:
            await emulator.wait_until(
                lambda: all(catcher.to(address) for address in addresses), timeout=30
            )
            await asyncio.sleep(0.5)
        finally:
            last.send_signal(signal.SIGTERM)
            code = await asyncio.wait_for(last.wait(), 30)
        copies = Counter(recipient for mail in catcher.mail for recipient in mail.recipients)

    output = log.read_text(errors="replace")
    assert code == 0, output
    assert set(copies) == set(addresses)
    doubled = [address for address, n in copies.items() if n > 1]
    delivered = sum(copies.values())
    print(f"{RECIPIENTS} e-mails, {KILLS} kills: {delivered} delivered, {len(doubled)} doubled")
    assert len(doubled) <= KILLS, f"sent twice: {doubled}"
    assert max(copies.values()) <= 2
    assert email_statuses(database) == Counter({"sent": RECIPIENTS})
    assert not any(address in output for address in addresses)
    assert integrity(database) == "ok"


async def test_the_smtp_password_never_reaches_the_log(emulator: Emulator, tmp_path: Path) -> None:
    """A server that refuses connections, at DEBUG: the retries are logged, the password not."""
    database = tmp_path / "bot.sqlite3"
    log = tmp_path / "bot.log"
    [address] = await queue_emails(database, 1)
    password = "Sm7p-Pa55word-never-logged"
    environment = {
        **bot_environment(TOKEN, emulator.api_root, database, log_level="DEBUG"),
        "WNMRC_SMTP_URL": f"smtp+starttls://bot:{password}@127.0.0.1:{free_port()}",
        "WNMRC_MAIL_FROM": "WNMRC <bot@wnmrc.example.org>",
    }
    process = await start_bot(environment, log)
    try:
        deadline = asyncio.get_running_loop().time() + 60  # a slow, shared machine: wait long
        while asyncio.get_running_loop().time() < deadline:
            if "email: row 1 not sent" in log.read_text(errors="replace"):
                break
            await asyncio.sleep(0.05)
    finally:
        process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(process.wait(), 30)
    output = log.read_text(errors="replace")
    assert "email: row 1 not sent (SMTPConnectError" in output, output
    assert password not in output
    assert address not in output
