"""The bot's profile per language: set/getMyName, set/getMyDescription,
set/getMyShortDescription.

As Telegram: a name of at most 64 characters, a description of at most 512 and a short
description of at most 120; an empty text removes the one of that language; a language code
is two lower-case letters or absent (the default, shown to users whose language has none).
The getters answer the text of that language, else the default one (the bot's first name
for the name, else an empty text).
"""

from __future__ import annotations

from typing import Any, Final

from ..backend import Backend
from ..errors import bad_request
from ..params import Params
from .commands import language
from .registry import api_method

LIMITS: Final = {"name": 64, "description": 512, "short_description": 120}


def _set(b: Backend, p: Params, field: str) -> Any:
    text = p.string(field) or ""
    code = language(p)
    if len(text) > LIMITS[field]:
        raise bad_request(f"bot {field.replace('_', ' ')} is too long")
    if text:
        b.profile[(field, code)] = text
    else:
        b.profile.pop((field, code), None)
    return True


def _get(b: Backend, p: Params, field: str, fallback: str = "") -> str:
    code = language(p)
    return b.profile.get((field, code)) or b.profile.get((field, ""), fallback)


@api_method("setMyName", name="str", language_code="str")
def set_my_name(b: Backend, p: Params) -> Any:
    return _set(b, p, "name")


@api_method("getMyName", language_code="str")
def get_my_name(b: Backend, p: Params) -> Any:
    return {"name": _get(b, p, "name", b.world.bot.first_name)}


@api_method("setMyDescription", description="str", language_code="str")
def set_my_description(b: Backend, p: Params) -> Any:
    return _set(b, p, "description")


@api_method("getMyDescription", language_code="str")
def get_my_description(b: Backend, p: Params) -> Any:
    return {"description": _get(b, p, "description")}


@api_method("setMyShortDescription", short_description="str", language_code="str")
def set_my_short_description(b: Backend, p: Params) -> Any:
    return _set(b, p, "short_description")


@api_method("getMyShortDescription", language_code="str")
def get_my_short_description(b: Backend, p: Params) -> Any:
    return {"short_description": _get(b, p, "short_description")}
