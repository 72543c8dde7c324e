"""The bot's command lists per scope and language: set/get/deleteMyCommands.

getMyCommands answers the list stored for exactly (scope, language_code), else the one
stored for (scope, ""), else an empty list. Telegram's clients fall further back through
broader scopes when they show commands; getMyCommands does not.
"""

from __future__ import annotations

import re
from typing import Any

from ..backend import Backend, CommandKey
from ..errors import bad_request
from ..params import Kind, Params
from .registry import api_method

MAX_COMMANDS = 100
DESCRIPTION_LIMIT = 256
BROAD_SCOPES = frozenset(
    {"default", "all_private_chats", "all_group_chats", "all_chat_administrators"}
)
_COMMAND = re.compile(r"[a-z0-9_]{1,32}")
_LANGUAGE = re.compile(r"[a-z]{2}")
SCOPED: dict[str, Kind] = {"scope": "json", "language_code": "str"}


def scope_key(b: Backend, scope: Any) -> CommandKey:
    """A hashable key for a BotCommandScope object (None is the default scope)."""
    if scope is None:
        return ("default",)
    if not isinstance(scope, dict) or not isinstance(scope.get("type"), str):
        raise bad_request("can't parse BotCommandScope JSON object")
    kind = scope["type"]
    if kind in BROAD_SCOPES:
        return (kind,)
    if kind not in ("chat", "chat_administrators", "chat_member"):
        raise bad_request("unsupported bot command scope type")
    chat_id = scope.get("chat_id")
    chat = b.world.find_chat(chat_id) if isinstance(chat_id, int | str) else None
    if chat is None:
        raise bad_request("chat not found")
    if kind != "chat_member":
        return (kind, chat.id)
    user_id = scope.get("user_id")
    if not isinstance(user_id, int) or b.world.person(user_id) is None:
        raise bad_request("user not found")
    return (kind, chat.id, user_id)


def language(p: Params) -> str:
    code = p.string("language_code") or ""
    if code and not _LANGUAGE.fullmatch(code):
        raise bad_request("invalid language code specified")
    return code


def _validated(commands: Any) -> list[dict[str, str]]:
    if not isinstance(commands, list):
        raise bad_request("can't parse commands JSON object")
    if len(commands) > MAX_COMMANDS:
        raise bad_request("BOT_COMMANDS_TOO_MUCH")
    checked = []
    for command in commands:
        if not isinstance(command, dict):
            raise bad_request("can't parse BotCommand JSON object")
        name, description = command.get("command"), command.get("description")
        if not isinstance(name, str) or not _COMMAND.fullmatch(name):
            raise bad_request("BOT_COMMAND_INVALID")
        if not isinstance(description, str) or not 1 <= len(description) <= DESCRIPTION_LIMIT:
            raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        checked.append({"command": name, "description": description})
    return checked


@api_method("setMyCommands", SCOPED, commands="json")
def set_my_commands(b: Backend, p: Params) -> Any:
    commands = _validated(p.json("commands"))
    key = (scope_key(b, p.json("scope")), language(p))
    if commands:
        b.commands[key] = commands
    else:
        b.commands.pop(key, None)
    return True


@api_method("getMyCommands", SCOPED)
def get_my_commands(b: Backend, p: Params) -> Any:
    scope, code = scope_key(b, p.json("scope")), language(p)
    found = b.commands.get((scope, code))
    if found is None:
        found = b.commands.get((scope, ""), [])
    return [dict(command) for command in found]


@api_method("deleteMyCommands", SCOPED)
def delete_my_commands(b: Backend, p: Params) -> Any:
    b.commands.pop((scope_key(b, p.json("scope")), language(p)), None)
    return True


def menu_for(b: Backend, user_id: int, chat_id: int) -> list[dict[str, str]]:
    """The command menu a person's app shows in a chat, resolved as Telegram documents it.

    Scopes from the narrowest (this member in this chat) to the default, each first in the
    person's language and then without one; administrators' scopes count for administrators
    only; the first list that was set wins (an empty list if none).
    """
    chat = b.world.chats.get(chat_id)
    person = b.world.person(user_id)
    if chat is None or person is None:
        return []
    code = (person.language_code or "")[:2].lower()
    for scope in _scopes_in_order(chat.id, user_id, chat.type, chat.members.get(user_id)):
        for language_code in (code, "") if code else ("",):
            found = b.commands.get((scope, language_code))
            if found is not None:
                return [dict(command) for command in found]
    return []


def _scopes_in_order(
    chat_id: int, user_id: int, chat_type: str, status: str | None
) -> list[CommandKey]:
    if chat_type == "private":
        return [("chat", chat_id), ("all_private_chats",), ("default",)]
    admin = status in ("creator", "administrator")
    scopes: list[CommandKey] = [("chat_member", chat_id, user_id)]
    scopes += [("chat_administrators", chat_id)] if admin else []
    scopes += [("chat", chat_id)]
    scopes += [("all_chat_administrators",)] if admin else []
    return [*scopes, ("all_group_chats",), ("default",)]
