"""Webhook delivery: each update POSTed as JSON to the bot's URL, in order, retried on failure."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Callable
from typing import Any

import aiohttp

from .updates import QueuedUpdate, UpdateQueue
from .world import unix_now

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


class WebhookSender:
    """Delivers updates one at a time; a failed delivery is retried after a growing pause."""

    def __init__(
        self,
        queue: UpdateQueue,
        on_delivered: Callable[[], None],
        *,
        first_retry: float = 0.05,
        max_retry: float = 1.0,
    ) -> None:
        self.queue = queue
        self.on_delivered = on_delivered
        self.url = ""
        self.secret_token: str | None = None
        self.max_connections = 40
        self.last_error_date: int | None = None
        self.last_error_message: str | None = None
        self.deliveries = 0
        self._first_retry = first_retry
        self._max_retry = max_retry
        self._task: asyncio.Task[None] | None = None
        self._session: aiohttp.ClientSession | None = None

    @property
    def active(self) -> bool:
        return bool(self.url)

    async def set(self, url: str, secret_token: str | None, max_connections: int) -> None:
        await self.delete()
        self.url, self.secret_token, self.max_connections = url, secret_token, max_connections
        self._task = asyncio.get_running_loop().create_task(self._deliver_forever())

    async def delete(self) -> None:
        self.url, self.secret_token = "", None
        self.last_error_date = self.last_error_message = None
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def close(self) -> None:
        await self.delete()
        if self._session is not None:
            await self._session.close()
            self._session = None

    def info(self) -> dict[str, Any]:
        """WebhookInfo, as getWebhookInfo answers."""
        shape: dict[str, Any] = {
            "url": self.url,
            "has_custom_certificate": False,
            "pending_update_count": self.queue.pending_count,
        }
        if self.url:
            shape["max_connections"] = self.max_connections
            if self.queue.allowed is not None:
                shape["allowed_updates"] = sorted(self.queue.allowed)
        if self.last_error_date is not None:
            shape["last_error_date"] = self.last_error_date
            shape["last_error_message"] = self.last_error_message
        return shape

    async def _deliver_forever(self) -> None:
        pause = self._first_retry
        while True:
            update = await self.queue.next_deliverable()
            if await self._post(update):
                self.queue.remove(update)
                self.deliveries += 1
                self.on_delivered()
                pause = self._first_retry
            else:
                await asyncio.sleep(pause)
                pause = min(pause * 2, self._max_retry)

    async def _post(self, update: QueuedUpdate) -> bool:
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60))
        headers = {"Content-Type": "application/json"}
        if self.secret_token:
            headers[SECRET_HEADER] = self.secret_token
        body = json.dumps(update.to_api(), ensure_ascii=False).encode()
        try:
            async with self._session.post(self.url, data=body, headers=headers) as response:
                await response.read()
                if 200 <= response.status < 300:
                    return True
                self._failed(
                    f"Wrong response from the webhook: {response.status} {response.reason}"
                )
        except (TimeoutError, aiohttp.ClientError, OSError) as error:
            self._failed(f"Connection failed: {error!r}")
        return False

    def _failed(self, message: str) -> None:
        self.last_error_date = unix_now()
        self.last_error_message = message
