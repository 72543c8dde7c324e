"""Escaping and splitting of long messages."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.rendering import (
    Html,
    bold,
    echo,
    escape,
    link,
    render,
    split_message,
    visible_length,
)


def test_user_text_is_escaped_but_html_fragments_are_not() -> None:
    assert escape("<b>Tom & Jerry</b>") == "&lt;b&gt;Tom &amp; Jerry&lt;/b&gt;"
    assert escape(Html("<b>ok</b>")) == "<b>ok</b>"
    assert bold("a<b") == "<b>a&lt;b</b>"
    assert render("Hi {name}, {x}", name="<Ana>", x=Html("<i>!</i>")) == "Hi &lt;Ana&gt;, <i>!</i>"
    assert link('https://x.org/?a="1"&b=2', "<x>") == (
        '<a href="https://x.org/?a=&quot;1&quot;&amp;b=2">&lt;x&gt;</a>'
    )


def test_short_text_stays_whole() -> None:
    assert split_message("one\ntwo") == ["one\ntwo"]


def test_long_text_splits_on_line_boundaries() -> None:
    lines = [f"line {i:04d} " + "x" * 80 for i in range(200)]
    chunks = split_message("\n".join(lines), limit=1000)

    assert len(chunks) > 1
    assert all(visible_length(chunk) <= 1000 for chunk in chunks)
    assert [line for chunk in chunks for line in chunk.split("\n")] == lines


def test_emoji_count_as_two_utf16_units() -> None:
    assert visible_length("🏔️") == 3
    chunks = split_message("🏔" * 600, limit=1000)
    assert all(visible_length(chunk) <= 1000 for chunk in chunks)
    assert "".join(chunks) == "🏔" * 600


@given(st.lists(st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=300)))
def test_every_chunk_fits_and_no_word_is_lost(lines: list[str]) -> None:
    text = "\n".join(lines)
    chunks = split_message(text, limit=120)

    assert all(visible_length(chunk) <= 120 for chunk in chunks)
    assert "".join(chunks).replace("\n", "").replace(" ", "") == text.replace("\n", "").replace(
        " ", ""
    )


def test_echo_quotes_short_input_whole_and_cuts_long_input() -> None:
    assert echo("Mars") == "Mars"
    assert echo("x" * 80) == "x" * 80
    assert echo("x" * 5000) == "x" * 79 + "…"
    assert echo("ab   cd", limit=4) == "ab…"
