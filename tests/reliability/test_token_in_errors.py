"""No token in any error: every way the Bot API address can fail (a redirect loop, an invalid
address, a refused connection, a TLS error, a time-out) provoked against a local server this
test controls, and every output an operator could see grepped for the token — the exception's
text and traceback, log lines with their tracebacks, ``wnmrc-bot check`` and ``wnmrc-bot run``.

Every Bot API URL holds ``/bot<token>/``; aiohttp quotes the URL in many of its error texts.
"""

from __future__ import annotations

import asyncio
import io
import logging
import signal
import socket
import traceback
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web
from telegram import Bot
from telegram.error import NetworkError, TelegramError, TimedOut

from bot.http import AiohttpRequest
from bot.logs import RedactSecrets, RedactTokens

from ..conftest import TOKEN
from .processes import WNMRC_BOT, bot_environment, start_bot

pytestmark = pytest.mark.slow

SECRET = TOKEN.split(":", 1)[1]
FAULTS = ("redirect-loop", "invalid-url", "refused", "tls", "time-out")
POLL_FAILED = "update None in chat None failed: NetworkError"
"""How the error handler reports a failed getUpdates (PTB hands it no update)."""
SLOW_ANSWER = 15.0
"""How long the server sits on a time-out request: longer than the bot's 10 s read time-out."""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def _redirect_to_itself(request: web.Request) -> web.Response:
    raise web.HTTPFound(location=str(request.rel_url))


async def _sit_on_it(request: web.Request) -> web.Response:
    await asyncio.sleep(SLOW_ANSWER)
    return web.json_response({"ok": True, "result": True})


async def _true(request: web.Request) -> web.Response:
    return web.json_response({"ok": True, "result": True})


async def _get_me(request: web.Request) -> web.Response:
    bot = {"id": 123456789, "is_bot": True, "first_name": "Test", "username": "wnmrc_test_bot"}
    return web.json_response({"ok": True, "result": bot})


class Faulty:
    """A local HTTP server: ``/loop/...`` redirects to itself, ``/slow/...`` never answers in
    time; under ``/half/`` getMe and deleteWebhook work and every other call redirects in a
    loop."""

    def __init__(self) -> None:
        self.port = 0
        self.refused_port = _free_port()

    def api_url(self, fault: str) -> str:
        """The Bot API address (``WNMRC_BOT_API_URL``) that fails in the way named."""
        return {
            "redirect-loop": f"http://127.0.0.1:{self.port}/loop",
            "invalid-url": "http://127.0.0.1:99999",
            "refused": f"http://127.0.0.1:{self.refused_port}",
            "tls": f"https://127.0.0.1:{self.port}",
            "time-out": f"http://127.0.0.1:{self.port}/slow",
            "half": f"http://127.0.0.1:{self.port}/half",
        }[fault]


@pytest.fixture
async def faulty() -> AsyncIterator[Faulty]:
    server = Faulty()
    app = web.Application()
    app.router.add_route("*", r"/half/bot{token}/getMe", _get_me)
    app.router.add_route("*", r"/half/bot{token}/deleteWebhook", _true)
    app.router.add_route("*", r"/half/{tail:.*}", _redirect_to_itself)
    app.router.add_route("*", r"/loop/{tail:.*}", _redirect_to_itself)
    app.router.add_route("*", r"/slow/{tail:.*}", _sit_on_it)
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    server.port = runner.addresses[0][1]
    try:
        yield server
    finally:
        await runner.cleanup()


def _everything_about(error: BaseException) -> str:
    """The error's text, its repr and its whole traceback with every chained exception."""
    return "\n".join([str(error), repr(error), "".join(traceback.format_exception(error))])


@pytest.mark.parametrize("fault", FAULTS)
async def test_the_request_layer_never_puts_the_url_in_an_error(faulty: Faulty, fault: str) -> None:
    request = AiohttpRequest(read_timeout=0.5, connect_timeout=0.5)
    await request.initialize()
    try:
        with pytest.raises(TelegramError) as caught:
            await request.post(url=f"{faulty.api_url(fault)}/bot{TOKEN}/getMe")
    finally:
        await request.shutdown()

    expected = TimedOut if fault == "time-out" else NetworkError
    assert isinstance(caught.value, expected)
    assert SECRET not in _everything_about(caught.value)
    assert "/bot" not in str(caught.value)


@pytest.mark.parametrize("fault", FAULTS)
async def test_a_bot_call_that_fails_logs_no_token_even_with_its_traceback(
    faulty: Faulty, fault: str
) -> None:
    bot = Bot(
        TOKEN,
        base_url=f"{faulty.api_url(fault)}/bot",
        request=AiohttpRequest(read_timeout=0.5, connect_timeout=0.5),
    )
    log = io.StringIO()
    handler = logging.StreamHandler(log)
    handler.addFilter(RedactSecrets([TOKEN]))
    logger = logging.getLogger("tests.token")
    logger.addHandler(handler)
    try:
        try:
            await bot.get_me()
        except TelegramError:
            logger.exception("getMe failed")
    finally:
        logger.removeHandler(handler)

    assert "Traceback" in log.getvalue()
    assert SECRET not in log.getvalue()


def test_log_formatting_redacts_tracebacks_and_exception_chains() -> None:
    """Whatever another library puts in an exception, a log line's traceback never shows it."""
    outputs = []
    for guard in (RedactSecrets([TOKEN]), RedactTokens()):
        log = io.StringIO()
        handler = logging.StreamHandler(log)
        handler.addFilter(guard)
        logger = logging.getLogger("tests.chain")
        logger.addHandler(handler)
        try:
            try:
                try:
                    raise ValueError(f"GET https://api.example.org/bot{TOKEN}/getMe failed")
                except ValueError as inner:
                    raise RuntimeError(f"while calling {TOKEN}") from inner
            except RuntimeError:
                logger.exception("failed with %s", TOKEN, stack_info=True)
        finally:
            logger.removeHandler(handler)
        outputs.append(log.getvalue())

    for output in outputs:
        assert "direct cause of the following exception" in output
        assert "ValueError" in output
        assert "RuntimeError" in output
        assert "Stack (most recent call last)" in output
        assert SECRET not in output
        assert output.count("<redacted>") == 3  # the message, the exception, its cause


async def _cli(*args: str, env: dict[str, str], limit: float = 60) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        WNMRC_BOT, *args, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    out, err = await asyncio.wait_for(process.communicate(), limit)
    assert process.returncode is not None
    return process.returncode, out.decode() + err.decode()


@pytest.mark.parametrize("fault", FAULTS)
async def test_check_prints_the_failure_without_the_token(
    faulty: Faulty, fault: str, tmp_path: Path
) -> None:
    env = bot_environment(TOKEN, faulty.api_url(fault), tmp_path / "bot.sqlite3", "DEBUG")
    assert (await _cli("migrate", env=env))[0] == 0  # check refuses a missing database

    code, output = await _cli("check", env=env)

    assert code == 1
    assert "FAIL token:" in output
    assert SECRET not in output
    assert "Traceback" not in output


@pytest.mark.parametrize("fault", FAULTS)
async def test_run_refuses_in_one_line_without_the_token(
    faulty: Faulty, fault: str, tmp_path: Path
) -> None:
    env = bot_environment(TOKEN, faulty.api_url(fault), tmp_path / "bot.sqlite3", "DEBUG")

    code, output = await _cli("run", env=env)

    assert code == 1
    last = output.strip().splitlines()[-1]
    assert last.startswith("wnmrc-bot: Telegram: ")
    assert SECRET not in output
    assert "Traceback" not in output


async def test_run_logs_polling_failures_in_one_line_and_never_the_token(
    faulty: Faulty, tmp_path: Path
) -> None:
    """The bot starts, then every call runs into a redirect loop: the bot keeps running and
    logs each failure in one line (a network error's traceback is PTB's internals), at DEBUG,
    until SIGTERM."""
    env = bot_environment(TOKEN, faulty.api_url("half"), tmp_path / "bot.sqlite3", "DEBUG")
    log = tmp_path / "bot.log"
    process = await start_bot(env, log)
    try:
        for _ in range(600):  # until a failed poll is reported (a loaded machine is slow)
            if POLL_FAILED in log.read_text(errors="replace"):
                break
            await asyncio.sleep(0.1)
    finally:
        process.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(process.wait(), 30)
    output = log.read_text(errors="replace")

    assert f"{POLL_FAILED}('aiohttp.TooManyRedirects: the Bot API address redirects" in output
    assert "Traceback" not in output
    assert SECRET not in output
    assert code == 0, output[-2000:]
