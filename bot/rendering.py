"""HTML rendering helpers: escaping user-supplied text and splitting long messages.

Every message the bot sends uses Telegram's HTML parse mode (DESIGN.md, decision 7). Text that
comes from people (names, titles, answers) is escaped; fragments the bot builds itself are
wrapped in :class:`Html` so that they are not escaped twice.
"""

from __future__ import annotations

import html

MESSAGE_LIMIT = 4096
"""Telegram's limit for a message text, counted after entity parsing."""

SAFE_MESSAGE_LIMIT = 4000
"""Where the bot splits: a margin below the limit for the markup a chunk may carry."""

CALLBACK_DATA_LIMIT = 64
"""Telegram's limit for callback data, in bytes."""


class Html(str):
    """A string that already is valid Telegram HTML and must not be escaped again."""

    __slots__ = ()


def escape(value: object) -> Html:
    """Escape anything for Telegram HTML; an :class:`Html` value passes through unchanged."""
    if isinstance(value, Html):
        return value
    return Html(html.escape(str(value), quote=False))


def bold(value: object) -> Html:
    return Html(f"<b>{escape(value)}</b>")


def italic(value: object) -> Html:
    return Html(f"<i>{escape(value)}</i>")


def code(value: object) -> Html:
    return Html(f"<code>{escape(value)}</code>")


def link(url: str, text: object) -> Html:
    return Html(f'<a href="{html.escape(url, quote=True)}">{escape(text)}</a>')


def render(template: str, /, **values: object) -> Html:
    """Fill ``{name}`` placeholders of a trusted template with escaped values."""
    return Html(template.format(**{key: escape(value) for key, value in values.items()}))


ECHO_LIMIT = 80
"""How much of a person's input a reply quotes back (an unknown group name, a search)."""


def echo(text: str, limit: int = ECHO_LIMIT) -> str:
    """A person's input as a reply quotes it: cut to ``limit`` characters with … when longer,
    so that quoting a 5,000-character argument never makes the reply too long to send."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def visible_length(text: str) -> int:
    """Length Telegram counts for plain text: UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def split_message(text: str, limit: int = SAFE_MESSAGE_LIMIT) -> list[str]:
    """Split a long text into chunks below ``limit`` on line boundaries (blank lines preferred).

    A single line longer than the limit is cut on a space where possible. Chunks never break
    an HTML tag's markup apart as long as each line is balanced, which the bot's renderers keep.
    """
    if visible_length(text) <= limit:
        return [text]
    chunks: list[str] = []
    current: list[str] = []
    size = 0
    for line in _fit_lines(text.split("\n"), limit):
        cost = visible_length(line) + (1 if current else 0)
        if current and size + cost > limit:
            chunks.append("\n".join(current).strip("\n"))
            current, size = [], 0
            cost = visible_length(line)
        current.append(line)
        size += cost
    if current:
        chunks.append("\n".join(current).strip("\n"))
    return [chunk for chunk in chunks if chunk]


def _fit_lines(lines: list[str], limit: int) -> list[str]:
    """Cut lines longer than ``limit`` into pieces that fit, preferring spaces."""
    fitted: list[str] = []
    for line in lines:
        while visible_length(line) > limit:
            cut = _cut_point(line, limit)
            fitted.append(line[:cut].rstrip())
            line = line[cut:].lstrip()
        fitted.append(line)
    return fitted


def _cut_point(line: str, limit: int) -> int:
    """The index where a too-long line is cut: the last space that keeps the head in the limit."""
    end = limit
    while visible_length(line[:end]) > limit:
        end -= 1
    space = line.rfind(" ", 0, end)
    return space if space > limit // 2 else end
