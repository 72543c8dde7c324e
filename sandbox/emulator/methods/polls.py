"""Polls: sendPoll and stopPoll."""

from __future__ import annotations

from typing import Any

from .. import shapes
from ..backend import Backend
from ..errors import bad_request
from ..markup import inline_keyboard, validate_reply_markup
from ..params import Params
from ..world import unix_now
from .registry import SEND, api_method

QUESTION_LIMIT = 300
OPTION_LIMIT = 100
MIN_OPTIONS, MAX_OPTIONS = 2, 12


@api_method(
    "sendPoll",
    SEND,
    question="str",
    question_parse_mode="str",
    question_entities="json",
    options="json",
    is_anonymous="bool",
    type="str",
    allows_multiple_answers="bool",
    correct_option_id="int",
    correct_option_ids="json",
    allows_revoting="bool",
    allow_adding_options="bool",
    hide_results_until_closes="bool",
    shuffle_options="bool",
    members_only="bool",
    description="str",
    description_parse_mode="str",
    description_entities="json",
    country_codes="json",
    explanation="str",
    explanation_parse_mode="str",
    explanation_entities="json",
    open_period="int",
    close_date="int",
    is_closed="bool",
)
def send_poll(b: Backend, p: Params) -> Any:
    chat = b.writable_chat(p)
    question = _question(p)
    options = _options(p.json("options"))
    poll_type = p.string("type") or "regular"
    if poll_type not in ("regular", "quiz"):
        raise bad_request("wrong poll type specified")
    is_anonymous = p.flag("is_anonymous", default=True)
    if chat.type == "channel" and not is_anonymous:
        raise bad_request("non-anonymous polls can't be sent to channel chats")
    correct = _correct_options(p, poll_type, len(options))
    poll = b.world.new_poll(
        question=question,
        options=options,
        is_anonymous=is_anonymous,
        type=poll_type,
        allows_multiple_answers=p.flag("allows_multiple_answers") and poll_type == "regular",
        allows_revoting=p.flag("allows_revoting", default=poll_type == "regular"),
        correct_option_ids=correct,
        is_closed=p.flag("is_closed"),
    )
    message = b.send("sendPoll", chat, p, poll=poll)
    return shapes.message(message)


def _question(p: Params) -> str:
    question = (p.string("question") or "").strip()
    if not question:
        raise bad_request("poll question must be non-empty")
    if len(question) > QUESTION_LIMIT:
        raise bad_request(f"poll question length must not exceed {QUESTION_LIMIT}")
    return question


def _options(given: Any) -> list[str]:
    if given is None:
        given = []
    if not isinstance(given, list):
        raise bad_request("can't parse options JSON object")
    texts = [_option_text(option) for option in given]
    if len(texts) < MIN_OPTIONS:
        raise bad_request(f"poll must have at least {MIN_OPTIONS} option")
    if len(texts) > MAX_OPTIONS:
        raise bad_request(f"poll can't have more than {MAX_OPTIONS} options")
    return texts


def _option_text(option: Any) -> str:
    text = option.get("text") if isinstance(option, dict) else option
    if not isinstance(text, str):
        raise bad_request('can\'t parse InputPollOption: Field "text" must be of type String')
    text = text.strip()
    if not text:
        raise bad_request("poll options must be non-empty")
    if len(text) > OPTION_LIMIT:
        raise bad_request(f"poll options length must not exceed {OPTION_LIMIT}")
    return text


def _correct_options(p: Params, poll_type: str, count: int) -> list[int]:
    """A quiz's correct options, from correct_option_ids or the older correct_option_id."""
    if poll_type != "quiz":
        return []
    given = p.json("correct_option_ids")
    if given is None and p.integer("correct_option_id") is not None:
        given = [p.integer("correct_option_id")]
    valid = isinstance(given, list) and given and all(isinstance(i, int) for i in given)
    if not valid or any(not 0 <= i < count for i in given):
        raise bad_request("wrong correct_option_ids specified")
    return sorted(set(given))


@api_method("stopPoll", chat_id="chat", message_id="int", reply_markup="json")
def stop_poll(b: Backend, p: Params) -> Any:
    chat = b.writable_chat(p)
    message = b.bot_message(chat, p, "message with poll to stop not found")
    if message.poll is None:
        raise bad_request("message with poll to stop not found")
    if message.poll.is_closed:
        raise bad_request("poll has already been closed")
    markup = validate_reply_markup(p.json("reply_markup"))
    b.throttle(chat, edit=True)
    message.poll.is_closed = True
    message.reply_markup = inline_keyboard(markup)
    message.edit_date = unix_now()
    b.record("edit", "stopPoll", message)
    b.updates.push("poll", shapes.poll(message.poll))
    return shapes.poll(message.poll)
