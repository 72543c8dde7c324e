"""``wnmrc-bot check`` against the emulator (token, admin rights in linked chats, webhook), and
the restore procedure: backup, restore into a new path, check, the bot runs on it."""

from __future__ import annotations

import asyncio
import hashlib
import os
import sqlite3
from pathlib import Path

import pytest
from telegram import Bot

from bot.app import build_application, running
from bot.http import AiohttpRequest
from bot.logs import redact_bot_loggers
from bot.maintenance import webhook_url_problem
from config import load_settings
from sandbox.emulator import Emulator
from sandbox.emulator.world import SimChat
from storage import Database, Repositories

from ..conftest import TOKEN
from .processes import WNMRC_BOT

pytestmark = pytest.mark.slow


def _environment(emulator: Emulator, database: Path, **more: str) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("WNMRC_")}
    return {
        **clean,
        "WNMRC_BOT_TOKEN": TOKEN,
        "WNMRC_BOT_API_URL": emulator.api_root,
        "WNMRC_DATABASE_PATH": str(database),
        **more,
    }


async def _cli(*args: str, env: dict[str, str]) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        WNMRC_BOT, *args, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    out, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


async def _migrated(path: Path) -> None:
    db = await Database.open(path)
    try:
        await db.migrate()
        from bot.clock import SystemClock
        from config import load_network

        await Repositories.from_db(db).groups.seed(load_network(None).groups, SystemClock().now())
    finally:
        await db.close()


def _link(database: Path, slug: str, chat: SimChat) -> None:
    with sqlite3.connect(database) as conn:
        conn.execute(
            "INSERT INTO chats (id, type, title, created_at, updated_at) "
            "VALUES (?, 'supergroup', ?, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')",
            (chat.id, chat.title),
        )
        conn.execute("UPDATE working_groups SET chat_id = ? WHERE slug = ?", (chat.id, slug))
    conn.close()


def _snapshot(folder: Path) -> dict[str, tuple[str, int]]:
    """Every file of a folder: its digest and modification time."""
    return {
        path.name: (hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns)
        for path in sorted(folder.iterdir())
    }


def _table_counts(database: Path) -> dict[str, int]:
    with sqlite3.connect(database) as conn:
        tables = [
            row[0]
            for row in conn.execute(
                "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        counts = {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}
    conn.close()
    return counts


async def test_check_verifies_admin_rights_in_every_linked_chat_and_writes_nothing(
    emulator: Emulator, tmp_path: Path
) -> None:
    database = tmp_path / "data" / "bot.sqlite3"
    await _migrated(database)
    climate = emulator.add_group("Climate change WG")
    community = emulator.add_group("Community WG", bot_is_admin=False)
    gone = emulator.add_group("Biodiversity WG")
    emulator.remove_bot(gone)
    for slug, chat in (("climate", climate), ("community", community), ("biodiversity", gone)):
        _link(database, slug, chat)
    before = _snapshot(database.parent)

    code, out, err = await _cli("check", env=_environment(emulator, database))

    assert code == 1, out + err
    lines = out.splitlines()
    assert lines[1].startswith("ok   database schema version ")
    assert lines[2] == "ok   token: the bot is @wnmrc_test_bot (id 123456789)"
    assert lines[3:6] == [
        f"FAIL chat Biodiversity WG ({gone.id}, group biodiversity): "
        "Forbidden: bot was kicked from the supergroup chat",
        f"ok   chat Climate change WG ({climate.id}, group climate): the bot is an administrator",
        f"FAIL chat Community WG ({community.id}, group community): "
        "the bot is member, not an administrator",
    ]
    assert lines[6].startswith("ok   webhook: none (the bot polls); ")
    assert _snapshot(database.parent) == before, "check wrote to the database's folder"
    asked = [c for c in emulator.calls if c.method == "getChatMember"]
    assert {int(c.params["chat_id"]) for c in asked} == {climate.id, community.id, gone.id}


async def test_check_verifies_the_webhook_registration(emulator: Emulator, tmp_path: Path) -> None:
    database = tmp_path / "bot.sqlite3"
    await _migrated(database)
    ours = "https://bot.example.org/telegram"
    redact_bot_loggers()  # PTB's Bot logs its URL, token included, at DEBUG
    async with Bot(TOKEN, base_url=emulator.base_url, request=AiohttpRequest()) as bot:
        await bot.set_webhook("https://old.example.org/hook", secret_token="x" * 20)

    polling = await _cli("check", env=_environment(emulator, database))
    elsewhere = await _cli("check", env=_environment(emulator, database, WNMRC_WEBHOOK_URL=ours))
    async with Bot(TOKEN, base_url=emulator.base_url, request=AiohttpRequest()) as bot:
        await bot.set_webhook(ours, secret_token="x" * 20)
    registered = await _cli("check", env=_environment(emulator, database, WNMRC_WEBHOOK_URL=ours))

    assert polling[0] == 1
    assert (
        "FAIL webhook: registered at https://old.example.org/hook, but WNMRC_WEBHOOK_URL is not set"
        in polling[1]
    )
    assert elsewhere[0] == 1
    assert (
        f"FAIL webhook: registered at https://old.example.org/hook, WNMRC_WEBHOOK_URL is {ours}"
        in (elsewhere[1])
    )
    assert registered[0] == 0, registered[1]
    assert f"ok   webhook: registered at {ours}; 0 updates waiting" in registered[1]
    assert [c.method for c in emulator.calls].count("getWebhookInfo") == 3


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("http://bot.example.org/hook", "https URLs only"),
        ("https://bot.example.org:9443/hook", "ports 443, 80, 88 and 8443 only"),
    ],
)
def test_a_webhook_url_telegram_would_not_call_is_named(url: str, why: str) -> None:
    assert webhook_url_problem(url) == f"Telegram delivers webhooks to {why}"
    assert webhook_url_problem("https://bot.example.org:8443/hook") is None
    assert webhook_url_problem("https://bot.example.org/hook") is None


async def test_check_with_a_wrong_token_fails_without_printing_it(
    emulator: Emulator, tmp_path: Path
) -> None:
    database = tmp_path / "bot.sqlite3"
    await _migrated(database)
    wrong = "987654321:AAEhBP0av28L9xLzcI1qsAbCdEfGhIjKlMn"

    code, out, err = await _cli(
        "check", env=_environment(emulator, database, WNMRC_BOT_TOKEN=wrong)
    )

    assert code == 1
    assert "FAIL token:" in out
    assert wrong.split(":")[1] not in out + err


async def test_backup_restore_into_a_new_path_check_and_run(
    emulator: Emulator, tmp_path: Path
) -> None:
    original = tmp_path / "live" / "bot.sqlite3"
    settings = load_settings(bot_token=TOKEN, bot_api_url=emulator.api_root, database_path=original)
    ana = emulator.add_user("Ana", language_code="es")
    bob = emulator.add_user("Bob", language_code="fr")
    application = build_application(settings, publish_command_menus=False)
    async with running(application, poll_timeout=1):
        await emulator.says(ana, "/start")
        await emulator.says(bob, "/start")
        menu = await emulator.says(ana, "/language")
        emulator.tap(ana, menu, "Français")
        await emulator.wait_until(
            lambda: emulator.message(ana.id, menu.message_id).text.startswith("Désormais")
        )
    counts = _table_counts(original)
    assert counts["people"] == 2

    env = _environment(emulator, original)
    backup = await _cli("backup", str(tmp_path / "backups" / "copy.sqlite3"), env=env)
    restored = tmp_path / "restored" / "bot.sqlite3"
    restore = await _cli(
        "restore", str(tmp_path / "backups" / "copy.sqlite3"), str(restored), env=env
    )
    check = await _cli("check", env=_environment(emulator, restored))

    assert backup[0] == 0, backup[2]
    assert restore[0] == 0, restore[2]
    assert restore[1].startswith(
        f"restored {tmp_path / 'backups' / 'copy.sqlite3'} into {restored}"
    )
    assert check[0] == 0, check[1] + check[2]
    assert _table_counts(restored) == counts
    assert restored.stat().st_mode & 0o777 == 0o600

    again = build_application(
        load_settings(bot_token=TOKEN, bot_api_url=emulator.api_root, database_path=restored),
        publish_command_menus=False,
    )
    async with running(again, poll_timeout=1):
        reply = await emulator.says(ana, "/help")
        people = await again.services.db.fetch_value("SELECT count(*) FROM people")
    assert reply.text.startswith("Ce que vous pouvez faire ici"), "Ana's language came back"
    assert people == 2


async def test_restore_refuses_a_damaged_backup_and_an_existing_file(
    emulator: Emulator, tmp_path: Path
) -> None:
    database = tmp_path / "bot.sqlite3"
    await _migrated(database)
    env = _environment(emulator, database)
    damaged = tmp_path / "damaged.sqlite3"
    damaged.write_bytes(b"not a backup" * 100)
    (tmp_path / "taken.sqlite3").write_bytes(b"someone's file")
    assert (await _cli("backup", str(tmp_path / "good.sqlite3"), env=env))[0] == 0

    bad = await _cli("restore", str(damaged), str(tmp_path / "new.sqlite3"), env=env)
    taken = await _cli(
        "restore", str(tmp_path / "good.sqlite3"), str(tmp_path / "taken.sqlite3"), env=env
    )

    assert bad[0] == 1
    assert "is not a usable SQLite database" in bad[2]
    assert not (tmp_path / "new.sqlite3").exists()
    assert taken[0] == 1
    assert "already exists (add --force to replace it)" in taken[2]
    assert (tmp_path / "taken.sqlite3").read_bytes() == b"someone's file"
