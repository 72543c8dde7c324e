"""Privacy rules as plain functions: the /forgetme buttons and the /mydata document."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest

from bot.privacy import ForgetButton, export_filename, personal_document


def test_forget_buttons_carry_the_answer_and_whose_data_in_a_few_bytes() -> None:
    assert ForgetButton("y", 42).pack() == "fgt:y:42"
    assert ForgetButton("n", 42).pack() == "fgt:n:42"
    assert len(ForgetButton("y", 2**62).pack().encode()) < 64
    assert ForgetButton.unpack("fgt:y:42").confirm
    assert ForgetButton.unpack("fgt:n:7") == ForgetButton("n", 7)
    assert not ForgetButton.unpack("fgt:n:7").confirm


@pytest.mark.parametrize(
    "data",
    ["", "fgt", "fgt:y", "fgt:x:1", "fgt:y:", "fgt:y:1:2", "lang:y:1", "fgt:y:١", "fgt:y:1x"],
)
def test_anything_else_is_not_a_forget_answer(data: str) -> None:
    assert ForgetButton.unpack_or_none(data) is None


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
