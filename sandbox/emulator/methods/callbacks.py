"""answerCallbackQuery."""

from __future__ import annotations

import time
from typing import Any

from ..backend import Backend
from ..errors import bad_request
from ..journal import CallbackAnswer
from ..params import Params
from .registry import api_method

TOO_OLD = "query is too old and response timeout expired or query ID is invalid"
ANSWER_TEXT_LIMIT = 200


@api_method(
    "answerCallbackQuery",
    callback_query_id="str",
    text="str",
    show_alert="bool",
    url="str",
    cache_time="int",
)
def answer_callback_query(b: Backend, p: Params) -> Any:
    pending = b.world.callbacks.get(p.string("callback_query_id") or "")
    if pending is None or pending.answered:
        raise bad_request(TOO_OLD)
    text = p.string("text")
    if text is not None and len(text) > ANSWER_TEXT_LIMIT:
        raise bad_request("MESSAGE_TOO_LONG")
    pending.answered = True
    answer = CallbackAnswer(
        pending.id, text, p.flag("show_alert"), p.string("url"), time.monotonic()
    )
    b.journal.record_callback_answer(answer)
    return True
