"""Webhook mode: a small aiohttp server of our own in front of the application.

Telegram POSTs each update to ``WNMRC_WEBHOOK_URL`` with the secret registered by setWebhook in
``X-Telegram-Bot-Api-Secret-Token``. The server answers a missing or wrong secret with 403 and an
announced body over 1 MB with 413 from the headers alone, before reading a byte of the body
(and closes the connection instead of draining it); a body that turns out longer than announced
is cut at 1 MB. An update is stored in the inbox (``bot/inbox.py``) before the 200, so a kill
loses none; one delivered again (its ``update_id`` is in the inbox) is answered 200 and left
alone. ``GET /healthz`` says whether the database answers (200) or not (503).
It listens on ``WNMRC_WEBHOOK_LISTEN`` (127.0.0.1 unless told otherwise): TLS is terminated by a
reverse proxy in front of it.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import signal
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from typing import Final

from aiohttp import web
from telegram import Update

from bot.context import WnmrcApplication
from config import Settings

logger = logging.getLogger(__name__)

SECRET_HEADER: Final = "X-Telegram-Bot-Api-Secret-Token"
MAX_BODY: Final = 1024 * 1024
"""Telegram's updates are a few kilobytes; anything near a megabyte is not from Telegram."""
HEALTH_PATH: Final = "/healthz"
HEALTH_TIMEOUT: Final = 2.0

_APPLICATION: Final = web.AppKey("application", WnmrcApplication)
_SECRET: Final = web.AppKey("secret", bytes)


def webhook_server(application: WnmrcApplication, path: str, secret: str) -> web.Application:
    """The aiohttp application: POST ``path`` takes updates, GET /healthz reports."""
    server = web.Application(client_max_size=MAX_BODY)
    server[_APPLICATION] = application
    server[_SECRET] = secret.encode()
    server.router.add_post(path, _receive)
    server.router.add_get(HEALTH_PATH, _health)
    return server


def _refusal(request: web.Request) -> web.Response | None:
    """403 or 413 from the headers alone, or None when the body may be read."""
    given = request.headers.get(SECRET_HEADER, "").encode()
    if not hmac.compare_digest(given, request.app[_SECRET]):
        return web.Response(status=403, text="forbidden")
    if request.content_length is not None and request.content_length > MAX_BODY:
        return web.Response(status=413, text="too large")
    return None


async def _receive(request: web.Request) -> web.Response:
    refusal = _refusal(request)
    if refusal is not None:
        logger.warning("webhook: refused a POST from %s (%d)", request.remote, refusal.status)
        return refusal
    try:
        data = json.loads(await request.read())  # read() stops at client_max_size with a 413
    except (ValueError, UnicodeDecodeError):
        return web.Response(status=400, text="not JSON")
    application = request.app[_APPLICATION]
    update = Update.de_json(data, application.bot) if isinstance(data, dict) else None
    if update is None:
        return web.Response(status=400, text="not an update")
    inbox = application.intake.inbox if application.intake is not None else None
    if inbox is None:
        return web.Response(status=503, text="not ready")  # Telegram delivers it again
    try:
        fresh = await inbox.receive(data)
    except Exception as error:  # not stored: no 200, so Telegram delivers it again
        logger.error("webhook: update %d not stored: %s", update.update_id, type(error).__name__)
        return web.Response(status=503, text="not stored")
    if fresh:
        await application.update_queue.put(update)
    return web.Response(status=200)


async def _health(request: web.Request) -> web.Response:
    application = request.app[_APPLICATION]
    try:
        async with asyncio.timeout(HEALTH_TIMEOUT):
            await application.services.db.fetch_value("SELECT 1")
    except Exception as error:  # any failure is "unhealthy", said in one line
        return web.Response(status=503, text=f"database unreachable: {type(error).__name__}\n")
    if not application.running:
        return web.Response(status=503, text="stopped\n")
    return web.Response(text="ok\n")


@asynccontextmanager
async def serving(application: WnmrcApplication, settings: Settings) -> AsyncIterator[str]:
    """Run the bot by webhook inside the current loop; yields the registered URL.

    Start: the application (database, outbox, clocks), then the server, then setWebhook, so the
    first delivery finds someone listening. Stop: the server first (Telegram keeps what it could
    not deliver and tries again), then the application finishes the updates in hand.
    """
    secret = settings.require_webhook_secret()
    url = settings.webhook_url
    if url is None:
        raise ValueError("serving a webhook needs WNMRC_WEBHOOK_URL")
    try:
        await application.initialize()  # getMe: the token and the Bot API are reachable
    except BaseException:
        await _close_requests(application)
        raise
    try:
        if application.post_init is not None:
            await application.post_init(application)
        await application.start()
        runner = web.AppRunner(
            webhook_server(application, settings.webhook_path, secret),
            access_log=None,
            handle_signals=False,
            lingering_time=0,  # a refused body is never drained: the connection is closed
            shutdown_timeout=1.0,
        )
        await runner.setup()
        try:
            await web.TCPSite(runner, settings.webhook_listen, settings.webhook_port).start()
            await application.bot.set_webhook(
                url, secret_token=secret, allowed_updates=Update.ALL_TYPES
            )
            logger.info(
                "webhook: %s registered; listening on %s:%d",
                url,
                settings.webhook_listen,
                settings.webhook_port,
            )
            yield url
        finally:
            await runner.cleanup()
            await application.stop()
            if application.post_stop is not None:
                await application.post_stop(application)
    finally:
        await application.shutdown()
        if application.post_shutdown is not None:
            await application.post_shutdown(application)


async def _close_requests(application: WnmrcApplication) -> None:
    """After a failed initialize(), which leaves them open and shutdown() would skip."""
    for request in application.bot._request:  # PTB keeps both request objects there
        await request.shutdown()


async def run_webhook(application: WnmrcApplication, settings: Settings) -> None:
    """``wnmrc-bot run`` with WNMRC_WEBHOOK_URL set: serve until SIGTERM or SIGINT."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    try:
        async with serving(application, settings):
            await stop.wait()
    finally:
        for sig in (signal.SIGTERM, signal.SIGINT):
            with suppress(ValueError, RuntimeError):
                loop.remove_signal_handler(sig)
