"""Webhook mode as an operator runs it (``wnmrc-bot run`` with WNMRC_WEBHOOK_URL): settings from
the environment only, loopback by default, forged POSTs refused from their headers, bodies
capped, a health endpoint."""

from __future__ import annotations

import asyncio
import json
import signal
import socket
import sqlite3
import time
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from bot.app import build_application
from bot.webhook import MAX_BODY, SECRET_HEADER, serving
from config import load_settings
from sandbox.emulator import Emulator

from ..conftest import SECRETARIAT_ID, TOKEN
from .processes import WNMRC_BOT, bot_environment, start_bot

pytestmark = pytest.mark.slow

SECRET = "wnmrc-webhook-secret-0123456789abcdef"
FORGER = 424242


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _forged_update(update_id: int) -> bytes:
    """A /newgroup "from" the secretariat: what the review's forged POSTs did."""
    sender = {"id": SECRETARIAT_ID, "is_bot": False, "first_name": "Forged"}
    message = {
        "message_id": 1,
        "date": 1_700_000_000,
        "chat": {"id": FORGER, "type": "private", "first_name": "Forged"},
        "from": sender,
        "text": "/start",
        "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
    }
    return json.dumps({"update_id": update_id, "message": message}).encode()


def _peak_rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise AssertionError("no VmHWM")


def _listening_addresses(port: int) -> set[str]:
    """Local addresses (hex, as /proc/net/tcp writes them) listening on ``port``."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        if not Path(table).exists():
            continue
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            address, hex_port = fields[1].split(":")
            if int(hex_port, 16) == port and fields[3] == "0A":  # LISTEN
                found.add(address)
    return found


async def _status_after_headers(
    port: int, path: str, headers: dict[str, str], body: bytes = b""
) -> int:
    """Send a POST's headers (and ``body``, maybe less than announced); the status line."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        head = f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        head += "".join(f"{name}: {value}\r\n" for name, value in headers.items())
        writer.write(head.encode() + b"\r\n" + body)
        await writer.drain()
        status_line = await asyncio.wait_for(reader.readline(), 10)
        return int(status_line.split()[1])
    finally:
        writer.close()


async def _stream_body(port: int, path: str, headers: dict[str, str], size: int) -> int:
    """POST ``size`` bytes in 1 MB pieces, as fast as the server takes them; bytes sent."""
    _reader, writer = await asyncio.open_connection("127.0.0.1", port)
    sent = 0
    try:
        head = f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: {size}\r\n"
        head += "".join(f"{name}: {value}\r\n" for name, value in headers.items())
        writer.write(head.encode() + b"\r\n")
        piece = b"[" + b" " * (1024 * 1024 - 1)
        while sent < size:
            writer.write(piece)
            await asyncio.wait_for(writer.drain(), 10)
            sent += len(piece)
    except (ConnectionError, TimeoutError):
        pass
    finally:
        writer.close()
    return sent


@pytest.fixture
def webhook_environment(emulator: Emulator, tmp_path: Path) -> tuple[dict[str, str], str, int]:
    port = _free_port()
    url = f"http://127.0.0.1:{port}/telegram/updates"
    environment = {
        **bot_environment(TOKEN, emulator.api_root, tmp_path / "bot.sqlite3"),
        "WNMRC_WEBHOOK_URL": url,
        "WNMRC_WEBHOOK_PORT": str(port),
        "WNMRC_WEBHOOK_SECRET": SECRET,
        "WNMRC_SECRETARIAT_IDS": str(SECRETARIAT_ID),
    }
    return environment, url, port


@pytest.fixture
async def webhook_bot(
    webhook_environment: tuple[dict[str, str], str, int], emulator: Emulator, tmp_path: Path
) -> AsyncIterator[asyncio.subprocess.Process]:
    environment, _, _ = webhook_environment
    with (tmp_path / "bot.log").open("wb") as log:
        process = await asyncio.create_subprocess_exec(
            WNMRC_BOT, "run", env=environment, stdout=log, stderr=asyncio.subprocess.STDOUT
        )
    try:
        await emulator.wait_until(
            lambda: any(c.method == "setWebhook" and c.ok for c in emulator.calls), timeout=30
        )
        yield process
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


async def test_without_a_secret_it_refuses_to_start_in_one_line(
    webhook_environment: tuple[dict[str, str], str, int], emulator: Emulator
) -> None:
    environment, _, port = webhook_environment
    del environment["WNMRC_WEBHOOK_SECRET"]
    process = await asyncio.create_subprocess_exec(
        WNMRC_BOT,
        "run",
        env=environment,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    _out, err = await asyncio.wait_for(process.communicate(), 60)

    assert process.returncode == 2
    assert err.decode().count("\n") == 1
    assert err.decode().startswith("wnmrc-bot: WNMRC_WEBHOOK_SECRET: expected 16 to 256 characters")
    assert not emulator.calls, "nothing may reach Telegram"
    assert not _listening_addresses(port)


async def test_a_weak_secret_is_refused(
    webhook_environment: tuple[dict[str, str], str, int],
) -> None:
    environment, _, _ = webhook_environment
    environment["WNMRC_WEBHOOK_SECRET"] = "short"
    process = await asyncio.create_subprocess_exec(
        WNMRC_BOT,
        "run",
        env=environment,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    _, err = await asyncio.wait_for(process.communicate(), 60)

    assert process.returncode == 2
    assert "WNMRC_WEBHOOK_SECRET" in err.decode()
    assert "short" not in err.decode()


async def test_the_webhook_serves_telegram_and_refuses_forgeries_before_reading_them(
    webhook_environment: tuple[dict[str, str], str, int],
    webhook_bot: asyncio.subprocess.Process,
    emulator: Emulator,
    tmp_path: Path,
) -> None:
    environment, url, port = webhook_environment
    path = "/telegram/updates"
    registered = next(c for c in emulator.calls if c.method == "setWebhook")
    assert registered.params["url"] == url
    assert registered.params["secret_token"] == SECRET
    assert _listening_addresses(port) == {"0100007F"}, "127.0.0.1 only, unless told otherwise"
    assert SECRET.encode() not in Path(f"/proc/{webhook_bot.pid}/cmdline").read_bytes()

    ana = emulator.add_user("Ana", language_code="fr")
    reply = await emulator.says(ana, "/start", timeout=30)
    assert reply.text.startswith("Bienvenue, Ana\u202f!")

    huge = str(95 * 1024 * 1024)
    # Refused from the headers alone: no body was sent, and the answer still came.
    assert await _status_after_headers(port, path, {"Content-Length": huge}) == 403
    wrong = {SECRET_HEADER: "x" * len(SECRET), "Content-Length": huge}
    assert await _status_after_headers(port, path, wrong) == 403
    honest_but_huge = {SECRET_HEADER: SECRET, "Content-Length": huge}
    assert await _status_after_headers(port, path, honest_but_huge) == 413
    just_over = {SECRET_HEADER: SECRET, "Content-Length": str(MAX_BODY + 1)}
    assert await _status_after_headers(port, path, just_over) == 413
    forged = _forged_update(9001)
    no_secret = {"Content-Length": str(len(forged))}
    assert await _status_after_headers(port, path, no_secret, forged) == 403

    before = _peak_rss_kib(webhook_bot.pid)
    sent = await _stream_body(port, path, {}, 95 * 1024 * 1024)
    sent_wrong = await _stream_body(port, path, {SECRET_HEADER: "nope"}, 95 * 1024 * 1024)
    growth_mib = (_peak_rss_kib(webhook_bot.pid) - before) / 1024
    print(  # pytest -s shows the figures
        json.dumps({"peak_rss_growth_mib": round(growth_mib, 1), "bytes_taken": [sent, sent_wrong]})
    )

    assert growth_mib < 20, f"peak RSS grew {growth_mib:.1f} MiB while refusing 95 MB bodies"
    assert sent < 95 * 1024 * 1024, "the server read it all"
    assert sent_wrong < 95 * 1024 * 1024, "the server read it all"
    async with aiohttp.ClientSession() as session:
        async with session.get(f"http://127.0.0.1:{port}/healthz") as health:
            assert (health.status, (await health.text()).strip()) == (200, "ok")
        async with session.post(url, data=forged, headers={SECRET_HEADER: "wrong"}) as answer:
            assert answer.status == 403
    health_check = await asyncio.create_subprocess_exec(
        WNMRC_BOT, "health", env=environment, stdout=asyncio.subprocess.PIPE
    )
    said, _ = await asyncio.wait_for(health_check.communicate(), 30)
    assert health_check.returncode == 0
    assert said.decode() == f"ok: http://127.0.0.1:{port}/healthz: ok\n"
    await asyncio.sleep(0.5)
    assert not [c for c in emulator.calls if c.params.get("chat_id") in (FORGER, str(FORGER))]
    assert webhook_bot.returncode is None, "the bot is still running"

    webhook_bot.send_signal(signal.SIGTERM)
    assert await asyncio.wait_for(webhook_bot.wait(), 30) == 0
    log = (tmp_path / "bot.log").read_text()
    with sqlite3.connect(tmp_path / "bot.sqlite3") as conn:
        known = {row[0] for row in conn.execute("SELECT telegram_id FROM people")}
    conn.close()
    assert known == {ana.id}, "no forged update was handled"
    assert SECRET not in log
    assert TOKEN.split(":")[1] not in log
    assert "Traceback" not in log


async def test_health_says_503_when_the_database_is_gone(
    emulator: Emulator, tmp_path: Path
) -> None:
    port = _free_port()
    settings = load_settings(
        bot_token=TOKEN,
        bot_api_url=emulator.api_root,
        database_path=tmp_path / "bot.sqlite3",
        webhook_url=f"http://127.0.0.1:{port}/hook",
        webhook_port=port,
        webhook_secret=SECRET,
    )
    application = build_application(settings, publish_command_menus=False)
    async with serving(application, settings), aiohttp.ClientSession() as session:
        health = f"http://127.0.0.1:{port}/healthz"
        async with session.get(health) as answer:
            assert answer.status == 200
        repos = application.services.repos
        application.services.attach(None)  # what a database that went away looks like
        try:
            async with session.get(health) as answer:
                assert answer.status == 503
                assert (await answer.text()).startswith("database unreachable")
        finally:
            application.services.attach(repos)


async def test_a_taken_port_or_an_unreachable_api_is_one_line(
    webhook_environment: tuple[dict[str, str], str, int], emulator: Emulator
) -> None:
    environment, _, port = webhook_environment
    environment["WNMRC_LOG_LEVEL"] = "WARNING"

    async def run(env: dict[str, str]) -> tuple[int | None, str]:
        process = await asyncio.create_subprocess_exec(
            WNMRC_BOT,
            "run",
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        out, err = await asyncio.wait_for(process.communicate(), 60)
        return process.returncode, (out + err).decode()

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", port))
        taken.listen()
        busy = await run(environment)
    unreachable = await run({**environment, "WNMRC_BOT_API_URL": "http://127.0.0.1:9"})

    assert busy[0] == 1
    assert busy[1].splitlines()[-1].startswith("wnmrc-bot: OSError: ")
    assert busy[1].splitlines()[-1].endswith("address already in use")
    assert unreachable[0] == 1
    assert unreachable[1].splitlines()[-1].startswith("wnmrc-bot: Telegram: ")
    for _, output in (busy, unreachable):
        assert "Traceback" not in output
        assert "Unclosed" not in output
        assert TOKEN.split(":")[1] not in output


def _command_from(user_id: int, name: str, update_id: int, text: str) -> bytes:
    """An update as Telegram POSTs it: ``text`` typed by a person the emulator knows."""
    sender = {"id": user_id, "is_bot": False, "first_name": name, "language_code": "en"}
    message = {
        "message_id": update_id,
        "date": int(time.time()),
        "chat": {"id": user_id, "type": "private", "first_name": name},
        "from": sender,
        "text": text,
        "entities": [{"type": "bot_command", "offset": 0, "length": len(text)}],
    }
    return json.dumps({"update_id": update_id, "message": message}).encode()


async def _post(session: aiohttp.ClientSession, url: str, body: bytes) -> int:
    headers = {SECRET_HEADER: SECRET, "Content-Type": "application/json"}
    async with session.post(url, data=body, headers=headers) as answer:
        return answer.status


def _inbox_rows(database: Path) -> tuple[int, int]:
    """(stored and not handled, handled) rows of the update inbox."""
    with sqlite3.connect(database) as connection:
        row = connection.execute(
            "SELECT count(*) FILTER (WHERE handled_at IS NULL),"
            " count(*) FILTER (WHERE handled_at IS NOT NULL) FROM update_inbox"
        ).fetchone()
    connection.close()
    return int(row[0]), int(row[1])


@pytest.mark.timeout(120)
async def test_an_update_posted_twice_is_handled_once(
    webhook_environment: tuple[dict[str, str], str, int],
    webhook_bot: asyncio.subprocess.Process,
    emulator: Emulator,
    tmp_path: Path,
) -> None:
    _, url, _ = webhook_environment
    ana = emulator.add_user("Ana", language_code="en")
    await emulator.says(ana, "/start", timeout=30)
    await emulator.settle(quiet=0.5, timeout=30)
    mark = len(emulator.ledger)
    update = _command_from(ana.id, "Ana", 4_001, "/help")

    async with aiohttp.ClientSession() as session:
        first = await _post(session, url, update)
        await emulator.wait_until(lambda: len(emulator.ledger) > mark, timeout=30)
        again = await _post(session, url, update)  # Telegram did not hear the first 200
        both = await asyncio.gather(*(_post(session, url, update) for _ in range(2)))
    await emulator.settle(quiet=1.5, timeout=30)
    answers = [entry for entry in emulator.ledger[mark:] if entry.chat_id == ana.id]

    assert (first, again, both) == (200, 200, [200, 200])
    assert len(answers) == 1, f"{len(answers)} answers to one update delivered four times"
    assert "/start" in (answers[0].text or "")
    assert webhook_bot.returncode is None


@pytest.mark.timeout(120)
async def test_updates_stored_by_webhook_and_killed_before_handling_are_handled_after_restart(
    webhook_environment: tuple[dict[str, str], str, int], emulator: Emulator, tmp_path: Path
) -> None:
    environment, url, _ = webhook_environment
    database, log = tmp_path / "bot.sqlite3", tmp_path / "bot.log"
    ana = emulator.add_user("Ana", language_code="en")
    commands = 10

    async def start() -> asyncio.subprocess.Process:
        calls = len(emulator.calls)
        process = await start_bot(environment, log)
        await emulator.wait_until(
            lambda: any(c.method == "setWebhook" and c.ok for c in emulator.calls[calls:]),
            timeout=30,
        )
        return process

    process = await start()
    try:
        await emulator.says(ana, "/start", timeout=30)
        await emulator.settle(quiet=0.5, timeout=30)
        mark = len(emulator.ledger)
        updates = [_command_from(ana.id, "Ana", 5_000 + n, "/help") for n in range(commands)]
        async with aiohttp.ClientSession() as session:
            # Each 200 says "stored": Telegram forgets the update. The bot answers a private
            # chat once a second, so most wait for their turn when the process dies.
            statuses = [await _post(session, url, update) for update in updates]
    finally:
        process.send_signal(signal.SIGKILL)
        await process.wait()
    answered_before = len(emulator.ledger) - mark
    waiting, _ = _inbox_rows(database)

    assert statuses == [200] * commands
    assert answered_before < commands, "every command answered before the kill: nothing tested"
    assert waiting >= commands - answered_before

    process = await start()
    try:
        await emulator.wait_until(lambda: len(emulator.ledger) - mark >= commands, timeout=60)
        async with aiohttp.ClientSession() as session:  # a late redelivery changes nothing
            assert await _post(session, url, updates[-1]) == 200
        await emulator.settle(quiet=1.5, timeout=30)
    finally:
        process.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(process.wait(), 30)
    answers = emulator.ledger[mark:]

    assert code == 0, log.read_text(errors="replace")[-3000:]
    assert len(answers) == commands, f"{len(answers)} answers to {commands} commands"
    assert all(entry.chat_id == ana.id and "/start" in (entry.text or "") for entry in answers)
    assert _inbox_rows(database) == (0, commands + 1)
