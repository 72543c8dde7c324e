"""The dispatcher picks the handler PTB's own scan would pick, for any update.

Group 0 sits behind ``handlers.dispatch.Dispatcher``, which tries only the handlers that can
match an update. Whatever the update (a command of any case, with the bot's name or another
bot's, arguments, a plain text, a button of every declared kind or a forged one, a group chat),
its choice is the first handler of the group, in registration order, that accepts it.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from telegram import Update
from telegram.ext import CommandHandler

from bot.commands import COMMANDS
from bot.context import WnmrcApplication
from bot.routing import callback_prefixes
from handlers.dispatch import Dispatcher, command_name

BOT_NAME = "wnmrc_test_bot"
_COMMAND = re.compile(r"/[A-Za-z0-9_]+(?:@[A-Za-z0-9_]+)?")


def _dispatcher(app: WnmrcApplication) -> Dispatcher:
    (dispatcher,) = app.handlers[0]
    assert isinstance(dispatcher, Dispatcher)
    return dispatcher


def _first_match(dispatcher: Dispatcher, update: Update) -> Any:
    """What PTB's own scan of the group picks: the first handler whose check passes."""
    for handler in dispatcher.handlers:
        check = handler.check_update(update)
        if check is not None and check is not False:
            return handler
    return None


def _message(text: str, chat_type: str) -> dict[str, Any]:
    chat: dict[str, Any] = {"id": 7 if chat_type == "private" else -100, "type": chat_type}
    if chat_type != "private":
        chat["title"] = "Biodiversity"
    message: dict[str, Any] = {
        "message_id": 1,
        "date": 0,
        "chat": chat,
        "from": {"id": 7, "is_bot": False, "first_name": "Ana"},
        "text": text,
    }
    command = _COMMAND.match(text)
    if command is not None:  # as Telegram marks a command
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": command.end()}]
    return message


def _text_update(text: str, chat_type: str, edited: bool) -> dict[str, Any]:
    return {"update_id": 1, ("edited_message" if edited else "message"): _message(text, chat_type)}


def _tap_update(data: str) -> dict[str, Any]:
    return {
        "update_id": 1,
        "callback_query": {
            "id": "q1",
            "from": {"id": 7, "is_bot": False, "first_name": "Ana"},
            "chat_instance": "c",
            "data": data,
            "message": {
                **_message("✓ Working groups", "private"),
                "from": {"id": 1, "is_bot": True, "first_name": "Bot"},
            },
        },
    }


NAMES = [command.name for command in COMMANDS] + ["unknown", "Start", "GROUPS", "help_me"]
PREFIXES = sorted(callback_prefixes())

texts = st.one_of(
    st.builds(
        lambda name, at, args: f"/{name}{at}{args}",
        st.sampled_from(NAMES),
        st.sampled_from(["", f"@{BOT_NAME}", "@WNMRC_TEST_BOT", "@another_bot"]),
        st.sampled_from(["", " climate", " 3 4", "\nsecond line"]),
    ),
    st.text(max_size=30),
)
button_data = st.one_of(
    st.builds(
        lambda prefix, rest: prefix + rest,
        st.sampled_from(PREFIXES),
        st.sampled_from(["", ":1", ":7:join", ":-", "x", ":", "e:1"]),
    ),
    st.text(max_size=20),
)

QUICK = settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))


@QUICK
@given(
    text=texts,
    chat_type=st.sampled_from(["private", "group", "supergroup"]),
    edited=st.booleans(),
)
def test_a_message_goes_where_the_plain_scan_would_send_it(
    app: WnmrcApplication, text: str, chat_type: str, edited: bool
) -> None:
    dispatcher = _dispatcher(app)
    update = Update.de_json(_text_update(text, chat_type, edited), app.bot)
    chosen = dispatcher.check_update(update)
    expected = _first_match(dispatcher, update)
    assert (chosen[0] if chosen else None) is expected


@QUICK
@given(data=button_data)
def test_a_button_goes_where_the_plain_scan_would_send_it(app: WnmrcApplication, data: str) -> None:
    dispatcher = _dispatcher(app)
    update = Update.de_json(_tap_update(data), app.bot)
    chosen = dispatcher.check_update(update)
    expected = _first_match(dispatcher, update)
    assert (chosen[0] if chosen else None) is expected


@pytest.mark.parametrize("name", [command.name for command in COMMANDS])
def test_each_command_is_tried_against_its_own_handler_and_the_catch_alls_only(
    app: WnmrcApplication, name: str
) -> None:
    dispatcher = _dispatcher(app)
    update = Update.de_json(_text_update(f"/{name}@{BOT_NAME} x", "private", False), app.bot)
    assert command_name(update) == name
    candidates = dispatcher.candidates(update)
    assert len(candidates) < 10 < len(dispatcher.handlers)
    chosen = dispatcher.check_update(update)
    assert chosen is not None
    assert name in getattr(chosen[0], "commands", ())


def test_a_handler_that_would_run_in_the_background_is_refused() -> None:
    async def callback(update: Update, context: object) -> None:
        """Never called."""

    with pytest.raises(ValueError, match="non-blocking"):
        Dispatcher([CommandHandler("groups", callback, block=False)])
