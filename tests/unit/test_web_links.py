"""Signed answer links and the visitor's language, as pure functions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.web.links import LinkProblem, SignedAnswer, answer_path, answer_url, verify_answer
from bot.web.pages import visitor_language
from config import Settings, load_settings

TOKEN = "123456789:TEST-emulator-token-abcdefghijklmnopq"
NOW = datetime(2026, 4, 1, 12, 0, tzinfo=UTC)
LATER = NOW + timedelta(days=14)


def settings(**extra: str) -> Settings:
    return load_settings(bot_token=TOKEN, public_url="https://wnmrc.example.org/", **extra)


def parts(url: str) -> list[str]:
    return url.split("/answer/", 1)[1].split("/")


def test_a_link_round_trips_to_what_it_asks() -> None:
    url = answer_url(settings(), 12, 34, "maybe", LATER)
    assert url is not None
    assert url.startswith("https://wnmrc.example.org/answer/12/34/maybe/")
    found = verify_answer(settings(), *parts(url), NOW)
    assert found == SignedAnswer(12, 34, "maybe", LATER)


@pytest.mark.parametrize(
    ("index", "value"),
    [(0, "13"), (1, "35"), (2, "going"), (3, str(int(LATER.timestamp()) + 1)), (4, "x" * 43)],
)
def test_any_changed_part_is_invalid(index: int, value: str) -> None:
    url = answer_url(settings(), 12, 34, "maybe", LATER)
    assert url is not None
    changed = parts(url)
    changed[index] = value
    assert verify_answer(settings(), *changed, NOW) is LinkProblem.INVALID


@pytest.mark.parametrize(
    "bad", [["a", "1", "going", "1", "s"], ["1", "1", "yes", "1", "s"], ["-1", "1", "no", "1", "s"]]
)
def test_malformed_parts_are_invalid(bad: list[str]) -> None:
    assert verify_answer(settings(), *bad, NOW) is LinkProblem.INVALID


def test_an_expired_link_and_another_key() -> None:
    url = answer_url(settings(), 12, 34, "no", NOW)
    assert url is not None
    assert verify_answer(settings(), *parts(url), NOW) is LinkProblem.EXPIRED
    fresh = answer_url(settings(), 12, 34, "no", LATER)
    assert fresh is not None
    other = settings(web_secret="s" * 40)
    assert verify_answer(other, *parts(fresh), NOW) is LinkProblem.INVALID
    signed = answer_path(other, 12, 34, "no", LATER)
    assert isinstance(verify_answer(other, *signed.split("/")[2:], NOW), SignedAnswer)


def test_no_public_address_no_link() -> None:
    assert answer_url(load_settings(bot_token=TOKEN), 1, 1, "going", LATER) is None


@pytest.mark.parametrize(
    ("query", "header", "expected"),
    [
        ({"lang": "fr"}, "zh-CN", "fr"),
        ({"lang": "xx"}, "zh-CN,zh;q=0.9", "zh"),
        ({}, "de-DE, es-419;q=0.8, en;q=0.5", "es"),
        ({}, "en;q=0.2, fr;q=0.9", "fr"),
        ({}, "pt-BR", "es"),
        ({}, "de, *;q=0.1", "en"),
        ({}, "fr;q=abc, zh;q=0", "en"),
        ({}, None, "en"),
    ],
)
def test_the_visitor_language(query: dict[str, str], header: str | None, expected: str) -> None:
    assert visitor_language(query, header, "en") == expected
