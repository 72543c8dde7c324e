"""The HTTP face of the emulator: Bot API routes, body decoding, latency, faults, JSON errors."""

from __future__ import annotations

import asyncio
import inspect
import json
import logging
from typing import Any

from aiohttp import web

from .backend import Backend
from .errors import ApiError, bad_request, not_found, unauthorized
from .faults import Fault, FaultScript
from .journal import CLIENT_GONE
from .methods import METHODS, ApiMethod
from .params import Params, Upload, decode_params

DROPPED = 0
_LOGGER = logging.getLogger(__name__)
INTERNAL_ERROR = ApiError(500, "Internal Server Error")
FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})
MEGABYTE = 1024 * 1024


class ApiServer:
    """Answers ``/bot{token}/{method}`` and ``/file/bot{token}/{file_path}`` like Telegram."""

    def __init__(self, backend: Backend, faults: FaultScript, token: str, rtt: float = 0.0) -> None:
        self.backend = backend
        self.faults = faults
        self.token = token
        self.rtt = rtt

    def application(self) -> web.Application:
        app = web.Application(client_max_size=self.backend.limits.upload_bytes + MEGABYTE)
        app.router.add_route("*", "/bot{token}/{method}", self.handle_call)
        app.router.add_get("/file/bot{token}/{path:.+}", self.handle_download)
        return app

    # Bot API calls

    async def handle_call(self, request: web.Request) -> web.StreamResponse:
        name = request.match_info["method"]
        fault = self._fault_for(name)
        if fault is not None and fault.drop:
            self.backend.journal.record_call(name, {}, DROPPED, "connection dropped")
            return _drop(request)
        method = METHODS.get(name.lower())
        params, status, payload = await self._answer(request, method, fault)
        if fault is not None and fault.delay:
            await asyncio.sleep(fault.delay)
        await self._travel()
        gone = request.transport is None or request.transport.is_closing()
        if status == 429 and not gone:
            self.backend.journal.expect_retry(payload.get("parameters", {}).get("retry_after", 1))
        self.backend.journal.record_call(
            method.name if method else name,
            params,
            CLIENT_GONE if gone else status,
            None if status == 200 else payload["description"],
        )
        return _json_response(status, payload)

    async def _answer(
        self, request: web.Request, method: ApiMethod | None, fault: Fault | None
    ) -> tuple[dict[str, Any], int, dict[str, Any]]:
        """Decoded parameters, HTTP status and JSON payload of a call; tracks activity."""
        journal = self.backend.journal
        polling = method is not None and method.name == "getUpdates"
        if not polling:
            journal.call_started()
        params: dict[str, Any] = {}
        try:
            await self._travel()
            known = self._route(request, method)
            params = await self._params(request, known)
            payload = {"ok": True, "result": await self._run(known, params, fault)}
            if polling and payload["result"]:
                journal.note_activity()
            return params, 200, payload
        except ApiError as error:
            return params, error.status, error.payload()
        except Exception:
            _LOGGER.exception("the emulator failed to answer %s", request.match_info["method"])
            return params, 500, INTERNAL_ERROR.payload()
        finally:
            if not polling:
                journal.call_finished()

    def _fault_for(self, name: str) -> Fault | None:
        if self.faults.is_unreachable():
            return Fault("*", drop=True)
        return self.faults.fault_for(name)

    async def _travel(self) -> None:
        """Half a round trip: the request's way in, or the answer's way out."""
        if self.rtt > 0:
            await asyncio.sleep(self.rtt / 2)

    def _route(self, request: web.Request, method: ApiMethod | None) -> ApiMethod:
        if request.match_info["token"] != self.token:
            raise unauthorized()
        if method is None:
            raise not_found()
        return method

    async def _params(self, request: web.Request, method: ApiMethod) -> dict[str, Any]:
        raw, uploads = await read_body(request)
        return decode_params(method.schema, raw, uploads)

    async def _run(self, method: ApiMethod, params: dict[str, Any], fault: Fault | None) -> Any:
        error = fault.error() if fault is not None else None
        if error is not None:
            raise error
        result = method(self.backend, Params(params))
        if inspect.isawaitable(result):
            result = await result
        return result

    # file downloads

    async def handle_download(self, request: web.Request) -> web.StreamResponse:
        if self.faults.is_unreachable():
            return _drop(request)
        await self._travel()
        if request.match_info["token"] != self.token:
            return _json_response(401, unauthorized().payload())
        stored = self.backend.world.file_paths.get(request.match_info["path"])
        if stored is None:
            return _json_response(404, not_found().payload())
        await self._travel()
        content_type = stored.mime_type or "application/octet-stream"
        return web.Response(body=stored.content, content_type=content_type)


async def read_body(request: web.Request) -> tuple[dict[str, Any], dict[str, Upload]]:
    """Parameters from the query string and the body (form, multipart or JSON)."""
    raw: dict[str, Any] = dict(request.query)
    uploads: dict[str, Upload] = {}
    if not request.body_exists:
        return raw, uploads
    if request.content_type == "application/json":
        raw.update(await _json_body(request))
    elif request.content_type in FORM_TYPES:
        try:
            form = await request.post()
        except web.HTTPRequestEntityTooLarge:
            raise ApiError(413, "Request Entity Too Large") from None
        for key, value in form.items():
            if isinstance(value, web.FileField):
                uploads[key] = Upload(value.file.read(), value.filename, value.content_type)
            else:
                raw[key] = value
    return raw, uploads


async def _json_body(request: web.Request) -> dict[str, Any]:
    try:
        body = json.loads(await request.read())
    except ValueError:
        raise bad_request("can't parse JSON encoded request body") from None
    if not isinstance(body, dict):
        raise bad_request("JSON request body must be an object")
    return body


def _json_response(status: int, payload: dict[str, Any]) -> web.Response:
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
    return web.Response(body=body, status=status, content_type="application/json")


def _drop(request: web.Request) -> web.Response:
    """Close the connection without an answer (the client sees a network error)."""
    if request.transport is not None:
        request.transport.close()
    return web.Response(status=204)
