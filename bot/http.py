"""An aiohttp-based request class for python-telegram-bot (docs/developers.md, "The HTTP layer").

PTB's request layer is pluggable. Under concurrency its default httpx transport spends several
times more CPU per call than an aiohttp session, so the bot talks to the Bot API through this
class. Every call is a POST; its parameters go as one JSON object (the Bot API takes
``application/json`` for every method; encoding it is one call into the C encoder, where form
encoding quoted each value in Python), an empty body for calls without parameters, multipart
only for uploads. ``bench/`` compares the transports.

A call made inside :func:`answer_unused` (a reply whose ``Message`` nobody reads) gets back
``true`` for a successful answer: PTB then builds no ``Message`` from it, which is most of the
CPU a reply costs the bot. Errors come back as Telegram sent them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache

import aiohttp
from multidict import CIMultiDict
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

from bot.logs import BOT_TOKEN

_ANSWER_UNUSED: ContextVar[bool] = ContextVar("answer_unused", default=False)
_DONE = b'{"ok":true,"result":true}'
"""What a call inside :func:`answer_unused` receives for a successful answer."""


@contextmanager
def answer_unused() -> Iterator[None]:
    """Bot API calls made inside (in this task) do not read what Telegram answers.

    A successful answer is handed to PTB as ``true``, so a ``send_message`` or ``edit_text``
    returns ``True`` instead of a parsed ``Message``; an error is raised exactly as outside.
    Only for calls whose result is thrown away (``handlers/replies.py``).
    """
    token = _ANSWER_UNUSED.set(True)
    try:
        yield
    finally:
        _ANSWER_UNUSED.reset(token)


class AiohttpRequest(BaseRequest):
    """One pooled aiohttp session; time-outs become ``TimedOut``, transport errors ``NetworkError``.

    aiohttp has no write time-out; the connect time-out covers waiting for a pooled connection.
    """

    __slots__ = ("_connect_timeout", "_pool_size", "_read_timeout", "_ready", "_session")

    def __init__(
        self,
        *,
        pool_size: int = 256,
        read_timeout: float | None = 10.0,
        connect_timeout: float | None = 10.0,
    ) -> None:
        self._pool_size = pool_size
        self._read_timeout = read_timeout
        self._connect_timeout = connect_timeout
        self._session: aiohttp.ClientSession | None = None
        self._ready = False

    @property
    def read_timeout(self) -> float | None:
        return self._read_timeout

    async def initialize(self) -> None:
        """The session opens at the first call, so a start that fails before it leaves none."""
        self._ready = True

    def _open_session(self) -> aiohttp.ClientSession:
        connector = aiohttp.TCPConnector(limit=self._pool_size, ttl_dns_cache=300)
        self._session = aiohttp.ClientSession(
            connector=connector,
            headers={"User-Agent": self.USER_AGENT},
            timeout=aiohttp.ClientTimeout(total=None),
            # The Bot API sets no cookies: a cookie jar only costs a lookup per call.
            cookie_jar=aiohttp.DummyCookieJar(),
        )
        return self._session

    async def shutdown(self) -> None:
        self._ready = False
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if not self._ready:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        session = self._session
        if session is None or session.closed:
            session = self._open_session()
        timeout = _timeout(
            _seconds(pool_timeout, self._connect_timeout),
            _seconds(connect_timeout, self._connect_timeout),
            _seconds(read_timeout, self._read_timeout),
        )
        body = _body(request_data)
        headers = _JSON_HEADERS if isinstance(body, bytes) else None
        try:
            async with session.request(
                method, url, data=body, headers=headers, timeout=timeout
            ) as response:
                body = await response.read()
                if response.status == 200 and _ANSWER_UNUSED.get():
                    return 200, _DONE
                return response.status, body
        except TimeoutError:
            raise TimedOut from None  # aiohttp's time-out texts quote the URL, token included
        except (aiohttp.ClientError, OSError, ValueError) as error:
            raise NetworkError(describe_failure(error)) from None


def describe_failure(error: BaseException) -> str:
    """What went wrong talking to the Bot API, in words that never hold the URL.

    Every Bot API URL holds ``/bot<token>/`` and aiohttp quotes it in many error texts (a
    redirect loop, an invalid address, a time-out), so the text is rebuilt from safe parts;
    the original is not chained (``from None``) either, or a traceback would print it.
    """
    kind = f"aiohttp.{type(error).__name__}"
    if isinstance(error, aiohttp.InvalidURL):
        return f"{kind}: the Bot API address is not a valid URL"
    if isinstance(error, aiohttp.TooManyRedirects):
        return f"{kind}: the Bot API address redirects in a loop"
    if isinstance(error, aiohttp.ClientResponseError):
        return f"{kind}: HTTP status {error.status}"
    if isinstance(error, aiohttp.ClientConnectorCertificateError):
        return f"{kind}: {_address(error)}: TLS certificate not accepted"
    if isinstance(error, aiohttp.ClientSSLError):
        return f"{kind}: {_address(error)}: TLS handshake failed"
    if isinstance(error, aiohttp.ClientConnectorError):
        reason = error.os_error.strerror or type(error.os_error).__name__
        return f"{kind}: cannot connect to {_address(error)}: {reason}"
    return f"{kind}: {scrub(str(error))}"


def _address(error: aiohttp.ClientConnectorError) -> str:
    return f"{error.host}:{error.port}"


_URL = re.compile(r"(?P<origin>[a-z][a-z0-9+.-]*://[^/\s'\"]*)[^\s'\"]*", re.IGNORECASE)


def scrub(text: str) -> str:
    """``text`` with every URL cut to its origin and anything shaped like a bot token removed."""
    return BOT_TOKEN.sub("<redacted>", _URL.sub(r"\g<origin>/...", text))


def _seconds(value: ODVInput[float], default: float | None) -> float | None:
    return default if isinstance(value, DefaultValue) else value


_JSON_HEADERS = CIMultiDict({"Content-Type": "application/json"})


_JSON = json.JSONEncoder(separators=(",", ":"))
"""Compact and ASCII-only, as PTB's own ``json.dumps`` of each parameter is."""


@lru_cache(maxsize=64)
def _timeout(
    pool: float | None, connect: float | None, read: float | None
) -> aiohttp.ClientTimeout:
    """One immutable time-out object per combination, not one per call."""
    return aiohttp.ClientTimeout(total=None, connect=pool, sock_connect=connect, sock_read=read)


def _body(request_data: RequestData | None) -> aiohttp.FormData | bytes | None:
    """The parameters as one JSON object, or multipart when the call uploads files; None when
    there are none."""
    if request_data is None:
        return None
    files = request_data.multipart_data
    if not files:
        parameters = request_data.parameters
        return _JSON.encode(parameters).encode() if parameters else None
    form = aiohttp.FormData()
    for name, value in request_data.json_parameters.items():
        form.add_field(name, value)
    for part_name, (filename, content, mime_type) in files.items():
        form.add_field(part_name, content, filename=filename, content_type=mime_type)
    return form
