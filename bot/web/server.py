"""The web pages' server: aiohttp in the bot's own process, started when WNMRC_PUBLIC_URL is set.

It is separate from the webhook server (``bot/webhook.py``): its own listen address and port
(``WNMRC_WEB_LISTEN``, ``WNMRC_WEB_PORT``), started and stopped with the application in any
mode (polling, webhook, the sandbox), so the pages never depend on how updates arrive. A
reverse proxy in front terminates TLS. Routes are thin: they parse, call
:class:`~bot.web.service.WebService`, render with :class:`~bot.web.pages.Pages`.

- ``GET /answer/...`` shows a signed answer link's page with a confirm button; ``POST`` records
  it (docs/members.md, "Answering from an e-mail");
- ``GET /calendar/<token>.ics`` serves a calendar feed (``ETag``, ``If-None-Match``);
- ``GET /experiences``, ``/experiences/<id>``, ``/booklet`` and ``/photos/<id>/<n>``: the
  published experiences, in the visitor's language.
"""

from __future__ import annotations

import asyncio
import logging
import re
from pathlib import Path
from typing import Any, Final

from aiohttp import web
from aiohttp.typedefs import Handler
from markupsafe import Markup

from bot.context import WnmrcApplication
from bot.experiences.booklet import experience_sections, shown_links
from bot.i18n import N_
from bot.meetings.rules import ANSWER_LABELS
from bot.models import Experience
from bot.web.links import LinkProblem, SignedAnswer, verify_answer
from bot.web.pages import Pages, visitor_language
from bot.web.service import AnswerRefused, WebService, photos_of
from config import SettingsError

logger = logging.getLogger(__name__)

HTML: Final = "text/html"
CALENDAR: Final = "text/calendar"
_SERVICE: Final = web.AppKey("service", WebService)
_PAGES: Final = web.AppKey("pages", Pages)
_APPLICATION: Final = web.AppKey("application", WnmrcApplication)

LINK_INVALID = N_("This link is not valid. Use the link from your invitation as it was sent.")
LINK_EXPIRED = N_("This link has expired. Answer in Telegram or with a newer invitation.")
NOT_FOUND = N_("There is nothing at this address.")
NO_ANSWER = N_("Your answer was not recorded")
PAGE_NOT_FOUND = N_("Page not found")


def web_server(application: WnmrcApplication) -> web.Application:
    """The aiohttp application of the web pages."""
    services = application.services
    server = web.Application(client_max_size=64 * 1024, middlewares=[_every_page])
    server[_APPLICATION] = application
    server[_SERVICE] = services.web
    server[_PAGES] = Pages(services.i18n)
    answer = r"/answer/{occurrence}/{person}/{answer}/{expires}/{signature}"
    server.router.add_get(answer, _answer_page)
    server.router.add_post(answer, _answer_confirmed)
    server.router.add_get(r"/calendar/{token}.ics", _feed)
    server.router.add_get(r"/unsubscribe/{token}", _unsubscribe_page)  # e-mail's footer
    server.router.add_post(r"/unsubscribe/{token}", _unsubscribed)  # RFC 8058 one-click
    server.router.add_get("/", _home)
    server.router.add_get("/experiences", _gallery)
    server.router.add_get(r"/experiences/{id:\d{1,9}}", _experience)
    server.router.add_get("/booklet", _booklet)
    server.router.add_get(r"/photos/{id:\d{1,9}}/{position:\d{1,2}}", _photo)
    return server


def _page(
    request: web.Request, language: str, template: str, status: int = 200, **values: object
) -> web.Response:
    body = request.app[_PAGES].render(language, template, **values)
    return web.Response(text=body, status=status, content_type=HTML, charset="utf-8")


def _visitor(request: web.Request) -> str:
    service = request.app[_SERVICE]
    return visitor_language(
        request.query, request.headers.get("Accept-Language"), service.default_language
    )


def _problem(
    request: web.Request,
    language: str,
    heading: str,
    message: str,
    status: int,
    *,
    navigation: bool = False,
) -> web.Response:
    tr = request.app[_APPLICATION].services.i18n.translator(language)
    return _page(
        request,
        language,
        "problem.html",
        status,
        heading=Markup(tr(heading)),  # the translator escaped every value already
        message=Markup(tr(message)),
        navigation=navigation,
    )


SECURITY_HEADERS: Final = {
    # Answer and feed addresses are secrets: never sent on to another site as a referrer.
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
}


@web.middleware
async def _every_page(request: web.Request, handler: Handler) -> web.StreamResponse:
    """An address the site does not have gets a page in the visitor's language, not aiohttp's
    plain text; every answer carries the security headers."""
    try:
        response = await handler(request)
    except web.HTTPNotFound:
        response = _problem(
            request, _visitor(request), PAGE_NOT_FOUND, NOT_FOUND, 404, navigation=True
        )
    response.headers.update(SECURITY_HEADERS)
    return response


# one-click answers


def _signed(request: web.Request) -> SignedAnswer | LinkProblem:
    parts = request.match_info
    service = request.app[_SERVICE]
    return verify_answer(
        service.settings,
        parts["occurrence"],
        parts["person"],
        parts["answer"],
        parts["expires"],
        parts["signature"],
        service.clock.now(),
    )


def _link_problem(request: web.Request, problem: LinkProblem) -> web.Response:
    language = _visitor(request)
    if problem is LinkProblem.EXPIRED:
        return _problem(request, language, NO_ANSWER, LINK_EXPIRED, 410)
    return _problem(request, language, NO_ANSWER, LINK_INVALID, 400)


async def _answer_page(request: web.Request) -> web.Response:
    """GET: what the link would record, with a button to confirm (scanners only GET)."""
    return await _answer(request, record=False)


async def _answer_confirmed(request: web.Request) -> web.Response:
    """POST: record the answer, as a tap on the announcement's button would."""
    return await _answer(request, record=True)


async def _answer(request: web.Request, *, record: bool) -> web.Response:
    signed = _signed(request)
    if isinstance(signed, LinkProblem):
        return _link_problem(request, signed)
    service = request.app[_SERVICE]
    view = await (service.record_answer(signed) if record else service.answer_view(signed))
    if isinstance(view, AnswerRefused):
        tr = request.app[_APPLICATION].services.i18n.translator(view.language)
        message = Markup(tr(view.refusal.message, **view.refusal.values))
        heading = Markup(tr(NO_ANSWER))
        return _page(request, view.language, "problem.html", 409, heading=heading, message=message)
    if record:
        logger.info("web: answer recorded for occurrence %d", signed.occurrence_id)
    return _page(
        request,
        view.language,
        "answer.html",
        view=view,
        label=ANSWER_LABELS[view.answer],
        recorded=record,
        action=request.path,
    )


# unsubscribing from e-mail (bot/channels/service.py)


async def _unsubscribe_page(request: web.Request) -> web.Response:
    """GET: a button to stop the e-mails (mail scanners only GET, so nothing changes yet)."""
    return await _unsubscribe(request, done=False)


async def _unsubscribed(request: web.Request) -> web.Response:
    """POST (the button, or a mail program's one-click unsubscribe): back to Telegram only."""
    return await _unsubscribe(request, done=True)


async def _unsubscribe(request: web.Request, *, done: bool) -> web.Response:
    channels = request.app[_APPLICATION].services.channels
    token = request.match_info["token"]
    language = await (channels.unsubscribe(token) if done else channels.language_of_token(token))
    if language is None:
        return _problem(request, _visitor(request), PAGE_NOT_FOUND, NOT_FOUND, 404)
    return _page(request, language, "unsubscribe.html", done=done, action=request.path)


# calendar feeds


async def _feed(request: web.Request) -> web.Response:
    feed = await request.app[_SERVICE].feed(request.match_info["token"])
    if feed is None:
        return web.Response(status=404, text="no such calendar feed\n")
    headers = {"ETag": feed.etag, "Cache-Control": "private, max-age=300"}
    if feed.etag in request.headers.get("If-None-Match", ""):
        return web.Response(status=304, headers=headers)
    return web.Response(body=feed.content, content_type=CALENDAR, charset="utf-8", headers=headers)


# the published experiences


def _helpers(request: web.Request, language: str) -> dict[str, Any]:
    tr = request.app[_APPLICATION].services.i18n.translator(language)

    def sections(e: Experience) -> list[tuple[str, str]]:
        return experience_sections(tr, e)

    return {
        "sections": sections,
        "links": shown_links,
        "photos": photos_of,
        "paragraphs": lambda text: [p for p in re.split(r"\n\s*\n", text) if p.strip()],
    }


async def _home(request: web.Request) -> web.Response:
    raise web.HTTPFound(
        "/experiences" + (f"?{request.query_string}" if request.query_string else "")
    )


async def _gallery(request: web.Request) -> web.Response:
    language = _visitor(request)
    parts = await request.app[_SERVICE].gallery(language)
    return _page(request, language, "gallery.html", parts=parts, **_helpers(request, language))


async def _experience(request: web.Request) -> web.Response:
    language = _visitor(request)
    found = await request.app[_SERVICE].experience(int(request.match_info["id"]))
    if found is None:
        return _problem(request, language, PAGE_NOT_FOUND, NOT_FOUND, 404, navigation=True)
    return _page(request, language, "experience.html", e=found, **_helpers(request, language))


async def _booklet(request: web.Request) -> web.Response:
    language = _visitor(request)
    parts = await request.app[_SERVICE].gallery(language)
    return _page(request, language, "booklet.html", parts=parts, **_helpers(request, language))


async def _photo(request: web.Request) -> web.StreamResponse:
    bot = request.app[_APPLICATION].bot

    async def fetch(file_id: str) -> bytes:
        telegram_file = await bot.get_file(file_id)
        return bytes(await telegram_file.download_as_bytearray())

    service = request.app[_SERVICE]
    try:
        path = await service.photo(
            int(request.match_info["id"]), int(request.match_info["position"]), fetch
        )
    except Exception as error:  # Telegram unreachable: say so in one line, try next time
        logger.warning("web: a photo could not be fetched: %s", type(error).__name__)
        return web.Response(status=503, text="photo not available now\n")
    if path is None:
        return web.Response(status=404, text="no such photo\n")
    kind = await asyncio.to_thread(_image_type, path)
    return web.FileResponse(
        path, headers={"Content-Type": kind, "Cache-Control": "public, max-age=86400"}
    )


def _image_type(path: Path) -> str:
    """The photo's media type from its first bytes (Telegram's photos are JPEG)."""
    with path.open("rb") as photo:
        head = photo.read(12)
    if head.startswith(b"\x89PNG"):
        return "image/png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return "image/jpeg"


# running it


class WebServer:
    """The web pages' listening socket, started and stopped with the application."""

    def __init__(self, application: WnmrcApplication) -> None:
        self._application = application
        self._runner: web.AppRunner | None = None
        self.address: str | None = None
        """Where it listens (``http://127.0.0.1:8080``), once started."""

    async def start(self) -> None:
        settings = self._application.services.settings
        runner = web.AppRunner(
            web_server(self._application),
            access_log=None,
            handle_signals=False,
            shutdown_timeout=1.0,
        )
        await runner.setup()
        site = web.TCPSite(runner, settings.web_listen, settings.web_port)
        try:
            await site.start()
        except OSError as error:
            await runner.cleanup()
            raise SettingsError(
                "WNMRC_WEB_PORT",
                f"a port free on {settings.web_listen} ({settings.web_port}: {error.strerror})",
            ) from None
        self._runner = runner
        port = runner.addresses[0][1] if runner.addresses else settings.web_port
        self.address = f"http://{settings.web_listen}:{port}"
        logger.info("web pages: listening on %s for %s", self.address, settings.public_url)

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None


async def start_web(application: WnmrcApplication) -> None:
    """Start the web pages when WNMRC_PUBLIC_URL is set (once; a restart keeps the server)."""
    services = application.services
    if services.settings.public_url is None or services.web_server is not None:
        return
    server = WebServer(application)
    await server.start()
    services.web_server = server


async def stop_web(application: WnmrcApplication) -> None:
    services = application.services
    server, services.web_server = services.web_server, None
    if server is not None:
        await server.stop()
