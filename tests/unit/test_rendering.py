"""Escaping and splitting of long messages."""

from __future__ import annotations

import html
import re

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


# Splitting never cuts markup: documents of tags, entities, Chinese, emoji and line breaks.

_WORDS = st.sampled_from(
    [
        "山地",
        "生物圈保护区",
        "冰川监测。",
        "工作组",
        "Glaciares",
        "réserve",
        "🏔",
        " ",
        " ",
        "\n",
        "\n\n",
        "。",
        ". ",
        "&lt;",
        "&amp;",
        "&gt;",
        "&quot;",
        "x" * 30,
        "长" * 40,
    ]
)


@st.composite
def _html(draw: st.DrawFn, depth: int = 0) -> str:
    parts = []
    for _ in range(draw(st.integers(min_value=1, max_value=12))):
        if depth < 3 and draw(st.integers(0, 4)) == 0:
            inner = draw(_html(depth + 1))
            tag = draw(st.sampled_from(["b", "i", "u", "code", "a"]))
            opening = '<a href="https://example.org/?q=1&amp;p=2">' if tag == "a" else f"<{tag}>"
            parts.append(f"{opening}{inner}</{tag}>")
        else:
            parts.append(draw(_WORDS))
    return "".join(parts)


_OPEN_OR_CLOSE = re.compile(r"<(/?)([a-z]+)[^>]*>")


def _balanced(chunk: str) -> bool:
    stack: list[str] = []
    for closing, name in _OPEN_OR_CLOSE.findall(chunk):
        if not closing:
            stack.append(name)
        elif not stack or stack.pop() != name:
            return False
    return not stack


def _text_of(html_text: str) -> str:
    return html.unescape(re.sub(r"<[^>]*>", "", html_text)).replace(" ", "").replace("\n", "")


@given(st.lists(_html(), min_size=1, max_size=30), st.integers(min_value=200, max_value=600))
def test_a_split_never_cuts_a_tag_or_an_entity_and_loses_no_text(
    paragraphs: list[str], limit: int
) -> None:
    text = "\n\n".join(paragraphs)
    chunks = split_message(text, limit=limit)

    for chunk in chunks:
        assert visible_length(chunk) <= limit
        assert _balanced(chunk), chunk
        assert not re.search(r"<[^>]*$|^[^<]*>", chunk), chunk  # no half tag at either end
        assert not re.search(r"&[a-z#0-9]*$", chunk), chunk  # no half entity at the end
    assert "".join(_text_of(chunk) for chunk in chunks) == _text_of(text)


def test_a_long_bold_paragraph_is_closed_and_reopened_across_parts() -> None:
    text = "<b>" + "冰川监测。" * 300 + "</b>"
    chunks = split_message(text, limit=500)

    assert len(chunks) > 1
    assert all(chunk.startswith("<b>") and chunk.endswith("</b>") for chunk in chunks)
    assert all(chunk[3:-4].endswith("。") for chunk in chunks)  # cut at a sentence end
