"""Telegram's HTML parse mode: entities with UTF-16 offsets, and Telegram's refusals."""

from __future__ import annotations

import html as stdlib_html

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sandbox.emulator import ParseError, escape, parse_html, utf16_len


@pytest.mark.parametrize(
    ("markup", "text", "entities"),
    [
        ("<b>bold</b> <strong>x</strong>", "bold x", [("bold", 0, 4), ("bold", 5, 1)]),
        ("<i>a</i><em>b</em>", "ab", [("italic", 0, 1), ("italic", 1, 1)]),
        ("<u>a</u><ins>b</ins>", "ab", [("underline", 0, 1), ("underline", 1, 1)]),
        (
            "<s>a</s><strike>b</strike><del>c</del>",
            "abc",
            [("strikethrough", i, 1) for i in range(3)],
        ),
        (
            '<span class="tg-spoiler">a</span><tg-spoiler>b</tg-spoiler>',
            "ab",
            [("spoiler", 0, 1), ("spoiler", 1, 1)],
        ),
        ("<code>x = 1</code>", "x = 1", [("code", 0, 5)]),
        ("<blockquote>q</blockquote>", "q", [("blockquote", 0, 1)]),
        ("<blockquote expandable>q</blockquote>", "q", [("expandable_blockquote", 0, 1)]),
        ("<B>upper</B>", "upper", [("bold", 0, 5)]),
        ("<b>a</>", "a", [("bold", 0, 1)]),
        ("<b></b>empty", "empty", []),
    ],
)
def test_supported_tags_become_entities(
    markup: str, text: str, entities: list[tuple[str, int, int]]
) -> None:
    parsed = parse_html(markup)

    assert parsed.text == text
    assert [(e["type"], e["offset"], e["length"]) for e in parsed.entities] == entities


def test_offsets_count_utf16_code_units() -> None:
    parsed = parse_html("🏟 🏟<i>🏟 &lt;🏟</i> <b>é</b>")

    assert parsed.text == "🏟 🏟🏟 <🏟 é"
    assert parsed.entities == [
        {"type": "italic", "offset": 5, "length": 6},
        {"type": "bold", "offset": 12, "length": 1},
    ]


def test_nested_entities_come_outer_first() -> None:
    parsed = parse_html("<b>bold <i>both</i></b>")

    assert parsed.entities == [
        {"type": "bold", "offset": 0, "length": 9},
        {"type": "italic", "offset": 5, "length": 4},
    ]


def test_links_custom_emoji_and_pre_with_language() -> None:
    parsed = parse_html(
        '<a href="https://x.org/?a=1&amp;b=2">link</a> <tg-emoji emoji-id="5368">👍</tg-emoji> '
        '<pre><code class="language-python">print(1)</code></pre>'
    )

    assert parsed.text == "link 👍 print(1)"
    assert parsed.entities == [
        {"type": "text_link", "offset": 0, "length": 4, "url": "https://x.org/?a=1&b=2"},
        {"type": "custom_emoji", "offset": 5, "length": 2, "custom_emoji_id": "5368"},
        {"type": "pre", "offset": 8, "length": 8, "language": "python"},
    ]


def test_attribute_values_may_be_single_quoted_or_bare() -> None:
    parsed = parse_html("<a href='https://a.b'>x</a><b x = y>z</b>")

    assert [e["type"] for e in parsed.entities] == ["text_link", "bold"]


def test_character_references() -> None:
    parsed = parse_html("&lt;&gt;&amp;&quot;&#65;&#x42;&#X43;")

    assert parsed.text == '<>&"ABC'


@pytest.mark.parametrize(
    ("markup", "reason"),
    [
        ("🏟 🏟&lt;<abacaba", "Unclosed start tag at byte offset 13"),
        ("🏟 🏟&lt;<abac aba>", 'Unsupported start tag "abac" at byte offset 13'),
        ("<br>", 'Unsupported start tag "br" at byte offset 0'),
        ("a < b", 'Unsupported start tag "" at byte offset 2'),
        ("🏟 🏟&lt;<i   =aba>", 'Empty attribute name in the tag "i" at byte offset 13'),
        (
            "🏟 🏟&lt;<i    aba>",
            'Expected equal sign in declaration of an attribute of the tag "i" at byte offset 13',
        ),
        ("🏟 🏟&lt;<i    aba  =  ", 'Unclosed start tag "i" at byte offset 13'),
        ("🏟 🏟&lt;<i    aba  =  190azAz-.,", "Unexpected end of name token at byte offset 27"),
        ('🏟 🏟&lt;<i aba="x>', "Unclosed start tag at byte offset 13"),
        ("🏟 🏟&lt;</", "Unexpected end tag at byte offset 13"),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ("🏟 🏟&lt;<i>a</i   ", "Unclosed end tag at byte offset 17"),
        (
            "🏟 🏟&lt;<i>a</em   >",
            'Unmatched end tag at byte offset 17, expected "</i>", found "</em>"',
        ),
        ("<b>open", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<span>x</span>", 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
        ("Tom & Jerry", "Character entity expected at byte offset 4"),
        ("&nbsp;", "Character entity expected at byte offset 0"),
        ("&lt without semicolon", "Character entity expected at byte offset 0"),
        ("&#0;", "Character entity expected at byte offset 0"),
        ('<a href="?a=1&b=2">x</a>', "Character entity expected at byte offset 13"),
    ],
)
def test_refusals_carry_telegrams_reason(markup: str, reason: str) -> None:
    with pytest.raises(ParseError) as refused:
        parse_html(markup)

    assert refused.value.reason == reason


def test_lenient_ampersand_keeps_a_stray_ampersand_like_telegram() -> None:
    parsed = parse_html("Tom & Jerry &lt &nbsp;", strict_ampersand=False)

    assert parsed.text == "Tom & Jerry < &nbsp;"


@given(st.text())
def test_escaped_text_parses_back_to_itself(text: str) -> None:
    assert parse_html(escape(text)).text == text
    assert parse_html(stdlib_html.escape(text)).text == text


@given(st.text(), st.sampled_from(["b", "i", "u", "s", "code", "tg-spoiler"]))
def test_a_wrapped_text_is_one_entity_over_its_utf16_length(text: str, tag: str) -> None:
    parsed = parse_html(f"x<{tag}>{escape(text)}</{tag}>")

    assert parsed.text == "x" + text
    if text:
        assert len(parsed.entities) == 1
        assert parsed.entities[0]["offset"] == 1
        assert parsed.entities[0]["length"] == utf16_len(text)
    else:
        assert parsed.entities == []


@given(st.text(alphabet=st.characters(blacklist_characters="<&")))
def test_text_without_markup_is_taken_as_is(text: str) -> None:
    assert parse_html(text).text == text


@given(st.text())
def test_utf16_length_matches_an_encoder(text: str) -> None:
    assert utf16_len(text) == len(text.encode("utf-16-le")) // 2
