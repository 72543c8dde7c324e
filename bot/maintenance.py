"""Operations behind the CLI: migrate, backup, restore, check, health."""

from __future__ import annotations

import os
import re
from datetime import datetime
from pathlib import Path
from typing import Final
from urllib.parse import urlsplit

import aiohttp
from telegram import Bot
from telegram.error import TelegramError

from bot.clock import SystemClock
from bot.http import AiohttpRequest
from bot.logs import BOT_TOKEN
from bot.outputs import OutputRefusedError, is_live_database, prepare_outputs
from config import NetworkConfig, Settings, SettingsError
from storage import Database, Repositories
from storage.offline import (
    DatabaseFileError,
    FileReport,
    LinkedChat,
    copy_database,
    inspect,
    latest_schema,
    read_only,
    require_file,
    require_writable,
)

BACKUP_NAME: Final = re.compile(r"wnmrc-\d{8}T\d{6}Z\.sqlite3")
"""The files ``backup --keep N DIR`` writes, and the only ones it ever removes."""

ADMIN_STATUSES: Final = ("administrator", "creator")


async def migrate(settings: Settings, network: NetworkConfig) -> str:
    """Apply pending migrations and load the network file's working groups."""
    require_writable(settings.database_path)
    db = await Database.open(settings.database_path)
    try:
        applied = await db.migrate()
        report = await Repositories.from_db(db).groups.seed(network.groups, SystemClock().now())
        version = await db.schema_version()
    finally:
        await db.close()
    done = ", ".join(f"{number:04d}" for number in applied) or "none"
    return f"{settings.database_path}: schema version {version} (applied: {done}); groups {report}"


# --- backup and restore -----------------------------------------------------------------------


def backup_name(now: datetime) -> str:
    """``wnmrc-20261203T020000Z.sqlite3``: sorts by time, so pruning keeps the newest."""
    return f"wnmrc-{now:%Y%m%dT%H%M%SZ}.sqlite3"


def backup(
    settings: Settings, destination: Path, *, keep: int | None, force: bool, now: datetime
) -> str:
    """A verified copy of the database, read-only (the bot may keep running).

    With ``keep`` the destination is a folder: a time-stamped copy goes in, and only the newest
    ``keep`` time-stamped copies stay.
    """
    source = settings.database_path
    require_file(source)
    if keep is not None:
        if is_live_database(destination, source) or destination.is_file():
            raise OutputRefusedError(f"{destination} is a file; --keep needs a folder")
        target = destination / backup_name(now)
        if target.exists():
            raise OutputRefusedError(f"{target} already exists")
    else:
        target = destination
        prepare_outputs([target], database=source, force=force)
    report = copy_database(source, target)
    line = (
        f"backup written to {target} ({target.stat().st_size:,} bytes, {report.rows} rows), "
        "integrity_check ok"
    )
    if keep is not None:
        removed = prune_backups(destination, keep)
        line += f"; {len(removed)} older copies removed, the newest {keep} kept"
    return line


def prune_backups(folder: Path, keep: int) -> list[Path]:
    """Remove all but the newest ``keep`` time-stamped backups of ``folder``; returns them."""
    copies = sorted(p for p in folder.iterdir() if BACKUP_NAME.fullmatch(p.name) and p.is_file())
    doomed = copies[:-keep] if keep > 0 else copies
    for path in doomed:
        path.unlink()
    return doomed


def restore(settings: Settings, source: Path, target: Path, *, force: bool) -> str:
    """Restore a backup into ``target``: verified, never over the live database."""
    report = inspect(source)
    if not report.sound:
        raise DatabaseFileError(f"{source} failed integrity_check: {report.integrity}")
    if report.schema_version > latest_schema():
        raise DatabaseFileError(
            f"{source} has schema version {report.schema_version}, newer than this code "
            f"({latest_schema()}): install the version that made it"
        )
    if target.exists():
        if is_live_database(target, settings.database_path):
            raise OutputRefusedError(
                f"{target} is the bot's live database; stop the bot and move it aside first"
            )
        if not force:
            raise OutputRefusedError(f"{target} already exists (add --force to replace it)")
    if Path(f"{target}-wal").exists():
        raise OutputRefusedError(f"{target}-wal exists: a bot has (or had) {target} open")
    copy = copy_database(source, target, replace=force)
    return (
        f"restored {source} into {target}: schema version {copy.schema_version}, "
        f"{copy.rows} rows, integrity_check ok"
    )


# --- check ------------------------------------------------------------------------------------


async def check(settings: Settings) -> tuple[bool, list[str]]:
    """Settings, database, token, linked chats, webhook and operators' chat, one line each;
    False when any fails. Opens nothing for writing; refuses a missing database."""
    require_file(settings.database_path)
    lines = [f"ok   settings (database {settings.database_path}, api {settings.bot_api_url})"]
    chats: tuple[LinkedChat, ...] = ()
    try:
        report = inspect(settings.database_path)
        chats = report.linked_chats
        lines.append(_database_line(settings.database_path, report))
    except DatabaseFileError as error:
        lines.append(f"FAIL database: {error}")
    try:
        lines.extend(await _check_telegram(settings, chats))
    except (SettingsError, TelegramError) as error:
        lines.append(f"FAIL token: {_redact(str(error), settings)}")
    return not any(line.startswith("FAIL") for line in lines), lines


def _database_line(path: Path, report: FileReport) -> str:
    latest = latest_schema()
    if not report.sound:
        return f"FAIL database: integrity_check: {report.integrity}"
    if report.schema_version > latest:
        return f"FAIL database: schema version {report.schema_version} is newer than this code"
    for target, what in ((path, "the file"), (path.parent, "its folder")):
        if not os.access(target, os.W_OK):
            return f"FAIL database: {path} is read-only ({what} cannot be written)"
    behind = "" if report.schema_version == latest else f" (run migrates it to {latest})"
    return (
        f"ok   database schema version {report.schema_version}{behind}, integrity ok, "
        f"{report.rows} rows"
    )


async def _check_telegram(settings: Settings, chats: tuple[LinkedChat, ...]) -> list[str]:
    bot = Bot(
        settings.require_token(),
        base_url=settings.base_url,
        base_file_url=settings.base_file_url,
        request=AiohttpRequest(),
    )
    async with bot:
        me = await bot.get_me()
        lines = [f"ok   token: the bot is @{me.username} (id {me.id})"]
        for chat in chats:
            lines.append(_redact(await _check_admin(bot, me.id, chat), settings))
        lines.append(_redact(await _check_webhook(bot, settings), settings))
        if settings.ops_chat_id is not None:
            lines.append(_redact(await _check_ops_chat(bot, settings.ops_chat_id), settings))
    return lines


async def _check_admin(bot: Bot, bot_id: int, chat: LinkedChat) -> str:
    name = f"chat {chat.title or chat.chat_id} ({chat.chat_id}, group {chat.group})"
    try:
        member = await bot.get_chat_member(chat.chat_id, bot_id)
    except TelegramError as error:
        return f"FAIL {name}: {error.message}"
    if member.status not in ADMIN_STATUSES:
        return f"FAIL {name}: the bot is {member.status}, not an administrator"
    return f"ok   {name}: the bot is an administrator"


TELEGRAM_WEBHOOK_PORTS: Final = (443, 80, 88, 8443)
"""The only ports Telegram delivers webhooks to, over HTTPS."""


def webhook_url_problem(url: str) -> str | None:
    """Why Telegram would not deliver to ``url``, or None."""
    parts = urlsplit(url)
    if parts.scheme != "https":
        return "Telegram delivers webhooks to https URLs only"
    if (parts.port or 443) not in TELEGRAM_WEBHOOK_PORTS:
        return "Telegram delivers webhooks to ports 443, 80, 88 and 8443 only"
    return None


async def _check_webhook(bot: Bot, settings: Settings) -> str:
    if settings.webhook_url is not None:
        problem = webhook_url_problem(settings.webhook_url)
        if problem is not None:
            return f"FAIL webhook: WNMRC_WEBHOOK_URL is {settings.webhook_url}: {problem}"
    try:
        info = await bot.get_webhook_info()
    except TelegramError as error:
        return f"FAIL webhook: {error.message}"
    pending = f"{info.pending_update_count} updates waiting"
    wanted = settings.webhook_url
    if wanted is None:
        if info.url:
            return f"FAIL webhook: registered at {info.url}, but WNMRC_WEBHOOK_URL is not set"
        return f"ok   webhook: none (the bot polls); {pending}"
    if not info.url:
        return f"ok   webhook: not registered yet (run registers {wanted}); {pending}"
    if info.url != wanted:
        return f"FAIL webhook: registered at {info.url}, WNMRC_WEBHOOK_URL is {wanted}"
    if info.last_error_date is not None:
        when = info.last_error_date.isoformat(timespec="seconds")
        return f"FAIL webhook: {wanted}: last delivery failed at {when}: {info.last_error_message}"
    return f"ok   webhook: registered at {wanted}; {pending}"


async def _check_ops_chat(bot: Bot, chat_id: int) -> str:
    try:
        chat = await bot.get_chat(chat_id)
    except TelegramError as error:
        return f"FAIL operators' chat {chat_id}: {error.message}"
    return f"ok   operators' chat: {chat.title or chat.full_name or chat_id}"


def _redact(text: str, settings: Settings) -> str:
    token = settings.bot_token.get_secret_value() if settings.bot_token else ""
    text = text.replace(token, "<redacted>") if token else text
    return BOT_TOKEN.sub("<redacted>", text)


# --- health -----------------------------------------------------------------------------------


async def health(settings: Settings) -> str:
    """For a container's HEALTHCHECK: the webhook server's /healthz, or (polling) the database
    readable. Raises DatabaseFileError or OSError when unhealthy."""
    if settings.webhook_url is None:
        with read_only(settings.database_path):
            pass  # opening it reads its schema (storage.offline.read_only): readable
        return f"ok: database {settings.database_path} readable"
    host = "127.0.0.1" if settings.webhook_listen in ("0.0.0.0", "::") else settings.webhook_listen
    if ":" in host:
        host = f"[{host}]"
    url = f"http://{host}:{settings.webhook_port}/healthz"
    timeout = aiohttp.ClientTimeout(total=5)
    try:
        async with (
            aiohttp.ClientSession(timeout=timeout) as session,
            session.get(url) as response,
        ):
            body = (await response.text()).strip()
    except (aiohttp.ClientError, TimeoutError) as error:
        raise OSError(f"{url}: {error}") from error
    if response.status != 200:
        raise OSError(f"{url}: {response.status} {body}")
    return f"ok: {url}: {body}"
