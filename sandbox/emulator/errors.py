"""Bot API errors in Telegram's shape: ``{"ok": false, "error_code": N, "description": ...}``."""

from __future__ import annotations

import math
from http import HTTPStatus
from typing import Any


class ApiError(Exception):
    """A refused Bot API call: HTTP status, Telegram's description and optional parameters."""

    def __init__(
        self, status: int, description: str, parameters: dict[str, int] | None = None
    ) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters

    def payload(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.status,
            "description": self.description,
        }
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def bad_request(reason: str) -> ApiError:
    return ApiError(400, f"Bad Request: {reason}")


def forbidden(reason: str) -> ApiError:
    return ApiError(403, f"Forbidden: {reason}")


def conflict(reason: str) -> ApiError:
    return ApiError(409, f"Conflict: {reason}")


def unauthorized() -> ApiError:
    return ApiError(401, "Unauthorized")


def not_found() -> ApiError:
    return ApiError(404, "Not Found")


def too_many_requests(wait_seconds: float) -> ApiError:
    """429 whose ``retry_after`` is the wait rounded up to whole seconds, at least 1."""
    retry_after = max(1, math.ceil(wait_seconds))
    return ApiError(
        429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after}
    )


def chat_migrated(new_chat_id: int) -> ApiError:
    return ApiError(
        400,
        "Bad Request: group chat was upgraded to a supergroup chat",
        {"migrate_to_chat_id": new_chat_id},
    )


def error_for_status(status: int, description: str | None, retry_after: int | None) -> ApiError:
    """The error a scripted fault answers: Telegram's wording unless a description is given."""
    if status == 429:
        error = too_many_requests(retry_after if retry_after is not None else 1)
        if description is not None:
            error.description = description
        return error
    if description is None:
        description = _default_description(status)
    return ApiError(status, description)


def _default_description(status: int) -> str:
    known = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found"}
    if status in known:
        return known[status]
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Internal Server Error"
