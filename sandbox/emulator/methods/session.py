"""getMe, getUpdates, webhooks, logOut and close."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from .. import shapes
from ..backend import Backend
from ..errors import bad_request, conflict
from ..params import Params
from .registry import api_method

WEBHOOK_ACTIVE = (
    "can't use getUpdates method while webhook is active; use deleteWebhook to delete the "
    "webhook first"
)
_SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,256}")


@api_method("getMe")
def get_me(b: Backend, p: Params) -> Any:
    return shapes.bot_user(b.world.bot, reads_all_group_messages=not b.privacy_mode)


@api_method("logOut")
def log_out(b: Backend, p: Params) -> Any:
    return True


@api_method("close")
def close(b: Backend, p: Params) -> Any:
    return True


@api_method("getUpdates", offset="int", limit="int", timeout="float", allowed_updates="json")
async def get_updates(b: Backend, p: Params) -> Any:
    if b.webhook.active:
        raise conflict(WEBHOOK_ACTIVE)
    limit = min(max(p.integer("limit") or 100, 1), 100)
    timeout = max(p.number("timeout") or 0.0, 0.0)
    b.updates.set_allowed(p.json("allowed_updates"))
    batch = await b.updates.poll(p.integer("offset"), limit, timeout)
    return [update.to_api() for update in batch]


@api_method(
    "setWebhook",
    url="str",
    certificate="file",
    ip_address="str",
    max_connections="int",
    allowed_updates="json",
    drop_pending_updates="bool",
    secret_token="str",
)
async def set_webhook(b: Backend, p: Params) -> Any:
    url = p.string("url") or ""
    if not url:
        return await delete_webhook.handler(b, p)
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise bad_request("bad webhook: Wrong HTTP URL")
    secret = p.string("secret_token")
    if secret is not None and not _SECRET_TOKEN.fullmatch(secret):
        raise bad_request("secret token contains unallowed characters")
    max_connections = p.integer("max_connections") or 40
    if not 1 <= max_connections <= 100:
        raise bad_request("bad webhook: max_connections must be between 1 and 100")
    b.updates.set_allowed(p.json("allowed_updates"))
    if p.flag("drop_pending_updates"):
        b.updates.drop_pending()
    b.updates.end_poll(conflict("terminated by setWebhook request"))
    await b.webhook.set(url, secret, max_connections)
    return True


@api_method("deleteWebhook", drop_pending_updates="bool")
async def delete_webhook(b: Backend, p: Params) -> Any:
    await b.webhook.delete()
    if p.flag("drop_pending_updates"):
        b.updates.drop_pending()
    return True


@api_method("getWebhookInfo")
def get_webhook_info(b: Backend, p: Params) -> Any:
    return b.webhook.info()
