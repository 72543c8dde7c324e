"""HTML rendering helpers: escaping user-supplied text and splitting long messages.

Every message the bot sends uses Telegram's HTML parse mode (docs/developers.md, "HTML and callback
data"). Text that comes from people (names, titles, answers) is escaped; fragments the bot builds
itself are wrapped in :class:`Html` so that they are not escaped twice.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

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
    """Split a long HTML text into chunks of at most ``limit`` UTF-16 units, markup intact.

    A chunk ends at the last paragraph break that leaves it at least half full, else at the
    last line break, then sentence end, then space, then anywhere between two characters —
    never inside a tag or an entity (``&amp;``). Tags open at a cut are closed at the end of
    the chunk and opened again at the start of the next, so every chunk is valid HTML.
    """
    if visible_length(text) <= limit:
        return [text]
    atoms = _atoms(text)
    chunks: list[str] = []
    open_tags: tuple[_Atom, ...] = ()
    start = _skip_blank(atoms, 0)
    while start < len(atoms):
        end, closing = _chunk_end(atoms, start, open_tags, limit)
        body = "".join(atom.text for atom in atoms[start:end]).rstrip(" \n")
        chunk = "".join(tag.text for tag in open_tags) + body + closing
        if _has_content(chunk):
            chunks.append(chunk)
        open_tags = _tags_open_after(atoms[start:end], open_tags)
        start = _skip_blank(atoms, end)
    return chunks


_ATOM = re.compile(
    r"</?[a-zA-Z][a-zA-Z0-9-]*(?:\s[^<>]*)?>"  # a tag
    r"|&(?:#\d+|#x[0-9a-fA-F]+|[a-zA-Z]+);"  # an entity
    r"|.",
    re.DOTALL,
)
_TAG_NAME = re.compile(r"</?([a-zA-Z][a-zA-Z0-9-]*)")
_SENTENCE_ENDS = frozenset(".!?;。！？；")
_WIDE_SENTENCE_ENDS = frozenset("。！？；")
"""Sentence ends that need no space after them (Chinese)."""
PARAGRAPH, LINE, SENTENCE, SPACE, ANYWHERE = range(5)
"""Kinds of cut, best first."""


@dataclass(frozen=True)
class _Atom:
    """An indivisible piece of HTML: a tag, an entity or one character."""

    text: str
    size: int
    tag: str | None = None
    """An opening tag's name, ``/name`` for a closing tag; None for text."""


@dataclass(frozen=True)
class _Cut:
    index: int
    size: int
    closing: str


def _atoms(text: str) -> list[_Atom]:
    atoms = []
    for match in _ATOM.finditer(text):
        piece = match.group()
        name = _TAG_NAME.match(piece) if len(piece) > 1 and piece[0] == "<" else None
        tag = None if name is None else ("/" if piece[1] == "/" else "") + name.group(1).lower()
        atoms.append(_Atom(piece, visible_length(piece), tag))
    return atoms


def _push_or_pop(stack: tuple[_Atom, ...], atom: _Atom) -> tuple[_Atom, ...]:
    """The open tags after ``atom``: an opening tag is pushed, its closing tag pops it."""
    if atom.tag is None:
        return stack
    if not atom.tag.startswith("/"):
        return (*stack, atom)
    for depth in range(len(stack) - 1, -1, -1):
        if stack[depth].tag == atom.tag[1:]:
            return stack[:depth] + stack[depth + 1 :]
    return stack


def _tags_open_after(atoms: list[_Atom], open_tags: tuple[_Atom, ...]) -> tuple[_Atom, ...]:
    stack = open_tags
    for atom in atoms:
        stack = _push_or_pop(stack, atom)
    return stack


def _closing(stack: tuple[_Atom, ...]) -> str:
    return "".join(f"</{atom.tag}>" for atom in reversed(stack))


def _cut_kind(before: str, after: str) -> int:
    """How good a cut between two atoms is (lower is better)."""
    if after == "\n":
        return PARAGRAPH if before == "\n" else LINE
    if before in _WIDE_SENTENCE_ENDS or (before in _SENTENCE_ENDS and after == " "):
        return SENTENCE
    return SPACE if after == " " else ANYWHERE


def _chunk_end(
    atoms: list[_Atom], start: int, open_tags: tuple[_Atom, ...], limit: int
) -> tuple[int, str]:
    """Where the chunk from ``start`` ends, and the closing tags it needs there."""
    size = sum(tag.size for tag in open_tags)
    stack = open_tags
    cuts: dict[int, _Cut] = {}
    for index in range(start, len(atoms)):
        stack = _push_or_pop(stack, atoms[index])
        size += atoms[index].size
        closing = _closing(stack)
        if size + visible_length(closing) > limit and index > start:
            return _best_cut(cuts, limit)
        if index + 1 < len(atoms):
            kind = _cut_kind(atoms[index].text, atoms[index + 1].text)
            cuts[kind] = _Cut(index + 1, size, closing)
    return len(atoms), _closing(stack)


def _best_cut(cuts: dict[int, _Cut], limit: int) -> tuple[int, str]:
    """The best kind of cut that leaves the chunk at least half full (any cut otherwise)."""
    for kind in (PARAGRAPH, LINE, SENTENCE, SPACE):
        cut = cuts.get(kind)
        if cut is not None and cut.size >= limit // 2:
            return cut.index, cut.closing
    cut = cuts.get(ANYWHERE) or max(cuts.values(), key=lambda found: found.index)
    return cut.index, cut.closing


def _skip_blank(atoms: list[_Atom], index: int) -> int:
    """Past the spaces and line breaks where a chunk was cut."""
    while index < len(atoms) and atoms[index].text in (" ", "\n"):
        index += 1
    return index


def _has_content(chunk: str) -> bool:
    return bool(re.sub(r"<[^>]*>", "", chunk).strip(" \n"))
