"""Privacy rules as plain functions: the /forgetme buttons and the /mydata document."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest

from bot.privacy import (
    ForgetAnswer,
    export_filename,
    forget_button_data,
    parse_forget_data,
    personal_document,
)


def test_forget_buttons_carry_the_answer_and_whose_data_in_a_few_bytes() -> None:
    assert forget_button_data(True, 42) == "fgt:y:42"
    assert forget_button_data(False, 42) == "fgt:n:42"
    assert len(forget_button_data(True, 2**62).encode()) < 64
    assert parse_forget_data("fgt:y:42") == ForgetAnswer(confirm=True, person_id=42)
    assert parse_forget_data("fgt:n:7") == ForgetAnswer(confirm=False, person_id=7)


@pytest.mark.parametrize(
    "data",
    ["", "fgt", "fgt:y", "fgt:x:1", "fgt:y:", "fgt:y:-1", "fgt:y:1:2", "lang:y:1", "fgt:y:١"],
)
def test_anything_else_is_not_a_forget_answer(data: str) -> None:
    assert parse_forget_data(data) is None


def test_the_file_is_named_after_the_day() -> None:
    assert export_filename(date(2024, 3, 9)) == "wnmrc-my-data-2024-03-09.json"


def test_the_document_is_utf8_json_with_the_note_first() -> None:
    document = personal_document(
        {"person": {"display_name": "李明"}, "memberships": []},
        generated_at=datetime(2024, 5, 17, 9, 30, tzinfo=UTC),
        about="Everything.",
        not_stored=["Your phone number."],
    )

    parsed = json.loads(document.decode("utf-8"))
    assert list(parsed) == ["about", "generated_at", "not_stored", "person", "memberships"]
    assert parsed["generated_at"] == "2024-05-17T09:30:00+00:00"
    assert parsed["person"] == {"display_name": "李明"}
    assert "李明".encode() in document
