"""Operations behind the CLI: migrate, backup, check."""

from __future__ import annotations

import asyncio
from pathlib import Path

from telegram import Bot
from telegram.error import TelegramError

from bot.clock import SystemClock
from bot.http import AiohttpRequest
from config import NetworkConfig, Settings, SettingsError
from storage import Database, Repositories


async def migrate(settings: Settings, network: NetworkConfig) -> str:
    """Apply pending migrations and load the network file's working groups."""
    db = await Database.open(settings.database_path)
    try:
        applied = await db.migrate()
        report = await Repositories.from_db(db).groups.seed(network.groups, SystemClock().now())
        version = await db.schema_version()
    finally:
        await db.close()
    done = ", ".join(f"{number:04d}" for number in applied) or "none"
    return f"{settings.database_path}: schema version {version} (applied: {done}); groups {report}"


async def backup(settings: Settings, destination: Path) -> str:
    """A verified online copy of the database (the bot may keep running)."""
    db = await Database.open(settings.database_path)
    try:
        await db.backup(destination)
    finally:
        await db.close()
    size = await asyncio.to_thread(lambda: destination.stat().st_size)
    return f"backup written to {destination} ({size:,} bytes), integrity_check ok"


async def check(settings: Settings) -> tuple[bool, list[str]]:
    """Settings, database and token, one line each; False when any of them fails."""
    lines = [f"ok   settings (database {settings.database_path}, api {settings.bot_api_url})"]
    ok = True
    try:
        lines.append(await _check_database(settings))
    except Exception as error:
        ok = False
        lines.append(f"FAIL database: {error}")
    try:
        lines.append(await _check_token(settings))
    except (SettingsError, TelegramError) as error:
        ok = False
        lines.append(f"FAIL token: {error}")
    return ok, lines


async def _check_database(settings: Settings) -> str:
    db = await Database.open(settings.database_path)
    try:
        version = await db.schema_version()
        integrity = await db.integrity_check()
    finally:
        await db.close()
    if integrity != "ok":
        raise RuntimeError(f"integrity_check: {integrity}")
    return f"ok   database schema version {version}, integrity ok"


async def _check_token(settings: Settings) -> str:
    bot = Bot(
        settings.require_token(),
        base_url=settings.base_url,
        base_file_url=settings.base_file_url,
        request=AiohttpRequest(),
    )
    async with bot:
        me = await bot.get_me()
    return f"ok   token: the bot is @{me.username} (id {me.id})"
