"""Conversations declared once: the registry, how answers are counted, and the step forms'."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from telegram import Update

from bot.context import BotContext
from bot.conversations import Conversation, Conversations, count_answers
from bot.models import Draft
from handlers.profile import FORM


async def _nothing(update: Update, context: BotContext, draft: Draft) -> None:
    return None


def _draft(kind: str, step: str, data: dict[str, Any]) -> Draft:
    stamp = datetime(2026, 11, 24, tzinfo=UTC)
    return Draft(
        person_id=1,
        kind=kind,
        step=step,
        data=data,
        chat_id=1,
        created_at=stamp,
        updated_at=stamp,
    )


def test_a_kind_is_declared_once() -> None:
    conversations = Conversations()
    conversations.declare([Conversation("profile", _nothing, "filling in your profile")])

    with pytest.raises(ValueError, match="declared twice"):
        conversations.declare([Conversation("profile", _nothing, "again")])
    assert [c.kind for c in conversations] == ["profile"]
    assert conversations.get("experience") is None


def test_answers_are_the_values_given_not_the_bookkeeping() -> None:
    draft = _draft("x", "b", {"a": "text", "b": [], "c": None, "d": ["x"], "return_to": "s"})
    assert count_answers(draft) == 2


def test_a_step_form_counts_the_steps_answered_on_the_way() -> None:
    flow, edit = FORM.conversations("filling in your profile", "editing your profile")
    prefilled = {"name": "Ana", "languages": ["es"], "reserve": "Huascarán", "country": "PE"}

    assert flow.answers(_draft("profile", "name", prefilled)) == 0
    assert flow.answers(_draft("profile", "organisation", prefilled)) == 3
    assert flow.answers(_draft("profile", "summary", prefilled)) == 4
    assert edit.answers(_draft("profile_edit", "country", prefilled)) == 0
    assert (flow.kind, edit.kind) == ("profile", "profile_edit")
