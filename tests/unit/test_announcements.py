"""The rules of announcements: the text, its parts, how each recipient sees it."""

from __future__ import annotations

from bot.announcements import (
    Refusal,
    body_limit,
    clean_text,
    compose,
    dedupe_key,
    pack,
    paragraphs,
    parse_audience,
    reaches_chats,
    reaches_people,
    read_text,
)
from bot.outbox import lost_chat
from bot.rendering import MESSAGE_LIMIT, visible_length


def test_line_breaks_are_kept_and_outer_space_goes() -> None:
    assert clean_text("  \r\nHello\r\nthere\n\n") == "Hello\nthere"


def test_paragraphs_are_separated_by_blank_lines() -> None:
    text = "One\nstill one\n\n\nTwo\n \nThree"
    assert paragraphs(text) == ["One\nstill one", "Two", "Three"]


def test_an_empty_text_is_refused() -> None:
    refused = read_text(" \n ", 100)
    assert isinstance(refused, Refusal)
    assert refused.message == "The announcement is empty. Type its text."


def test_a_text_that_fits_is_one_part() -> None:
    assert read_text("Hi\n\nall", 100) == ["Hi\n\nall"]


def test_a_long_text_is_split_on_paragraphs_in_order() -> None:
    text = "\n\n".join(["a" * 40, "b" * 40, "c" * 40])
    assert read_text(text, 90) == ["a" * 40 + "\n\n" + "b" * 40, "c" * 40]


def test_a_paragraph_over_the_limit_is_refused_with_the_limit() -> None:
    refused = read_text("short\n\n" + "x" * 120, 100)
    assert isinstance(refused, Refusal)
    assert refused.values == {"limit": 100, "length": 120}


def test_pack_never_exceeds_the_limit() -> None:
    pieces = ["x" * (n * 7 % 50 + 1) for n in range(1, 40)]
    for part in pack(pieces, 80):
        assert visible_length(part) <= 80


def test_every_part_fits_telegram_under_the_longest_header() -> None:
    headers = ["📣 Announcement — Climate change", "📣 Anuncio — Cambio climático"]
    limit = body_limit(headers, "Ana María")
    text = "\n\n".join("p" * 900 for _ in range(9))
    parts = read_text(text, limit)
    assert isinstance(parts, list)
    assert len(parts) == 3
    for header in headers:
        for message in compose(header, parts, "Ana María"):
            plain = message.replace("<b>", "").replace("</b>", "")
            plain = plain.replace("<i>", "").replace("</i>", "")
            assert visible_length(plain) <= MESSAGE_LIMIT


def test_the_text_is_escaped_numbered_when_split_and_signed_at_the_end() -> None:
    one = compose("📣 Announcement — A&B", ["<b>hi</b>\nthere"], "Ana <3")
    assert one == [
        "<b>📣 Announcement — A&amp;B</b>\n\n&lt;b&gt;hi&lt;/b&gt;\nthere\n\n— <i>Ana &lt;3</i>"
    ]
    two = compose("Header", ["first", "second"], "Ana")
    assert two == ["<b>Header (1/2)</b>\n\nfirst", "<b>Header (2/2)</b>\n\nsecond\n\n— <i>Ana</i>"]


def test_dedupe_keys_name_the_announcement_the_place_and_the_part() -> None:
    assert dedupe_key("ab12", -100, None, 1, 1) == "announcement:ab12:-100"
    assert dedupe_key("ab12", -100, 7, 2, 3) == "announcement:ab12:-100/7:2"


def test_audiences() -> None:
    assert parse_audience("chats") == "chats"
    assert parse_audience("everyone") is None
    assert reaches_chats("both")
    assert reaches_people("both")
    assert reaches_chats("chats")
    assert not reaches_people("chats")
    assert reaches_people("people")
    assert not reaches_chats("people")


def test_only_groups_and_channels_that_refuse_the_bot_are_lost_chats() -> None:
    assert lost_chat(-1001, 403, "Forbidden: bot was kicked from the supergroup chat")
    assert lost_chat(-1001, 400, "Bad Request: need administrator rights in the channel chat")
    assert not lost_chat(-1001, 400, "Bad Request: message is too long")
    assert not lost_chat(42, 403, "Forbidden: bot was blocked by the user")
