"""Telegram's HTML parse mode: markup in, plain text plus entities (UTF-16 offsets) out.

Supported, as documented by the Bot API: b/strong, i/em, u/ins, s/strike/del,
span class="tg-spoiler", tg-spoiler, a href, code, pre (with an inner code
class="language-x"), blockquote (optionally expandable), tg-emoji emoji-id; the
entities &lt; &gt; &amp; &quot; and numeric &#NN; / &#xNN;. Errors carry Telegram's
reasons with byte offsets into the UTF-8 source.

One deliberate strictness beyond Telegram: an ``&`` that does not start one of those
entities is refused ("Character entity expected"), where Telegram would keep it as
text. It catches user strings that were not escaped. ``strict_ampersand=False`` gives
Telegram's leniency.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .text import Entity, utf16_len

SUPPORTED_TAGS = frozenset(
    {"a", "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler"}
    | {"tg-emoji", "code", "pre", "blockquote"}
)
_ENTITY_TYPES = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "span": "spoiler",
    "tg-spoiler": "spoiler",
    "code": "code",
    "pre": "pre",
}
_SPACES = frozenset(" \t\r\n\v\f")
_SPECIAL = re.compile(r"[<&]")
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_CHARACTER_REFERENCE = re.compile(
    r"&(?:(lt|gt|amp|quot)|#([0-9]{1,8})|#[xX]([0-9a-fA-F]{1,8}))(;?)"
)


class ParseError(ValueError):
    """Markup Telegram refuses; ``reason`` is its text after "can't parse entities: "."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Formatted:
    """Plain text and its entities, as Telegram stores a message."""

    text: str
    entities: list[Entity]


def parse_html(source: str, *, strict_ampersand: bool = True) -> Formatted:
    """Parse Telegram HTML; raises :class:`ParseError` with Telegram's reason."""
    return _HtmlParser(source, strict_ampersand).run()


def escape(text: str) -> str:
    """Escape text for Telegram HTML (what a bot must do with every user string)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


@dataclass
class _OpenTag:
    name: str
    attributes: dict[str, str]
    offset: int
    order: int


@dataclass
class _HtmlParser:
    source: str
    strict_ampersand: bool
    pos: int = 0
    chunks: list[str] = field(default_factory=list)
    offset: int = 0
    stack: list[_OpenTag] = field(default_factory=list)
    entities: list[tuple[int, Entity]] = field(default_factory=list)
    opened: int = 0

    def run(self) -> Formatted:
        source, size = self.source, len(self.source)
        while self.pos < size:
            match = _SPECIAL.search(source, self.pos)
            if match is None:
                self._emit(source[self.pos :])
                break
            if match.start() > self.pos:
                self._emit(source[self.pos : match.start()])
                self.pos = match.start()
            if match[0] == "&":
                self._emit(self._character_reference())
            else:
                self._tag()
        if self.stack:
            name = self.stack[-1].name
            raise ParseError(f'Can\'t find end tag corresponding to start tag "{name}"')
        ordered = sorted(self.entities, key=lambda e: (e[1]["offset"], -e[1]["length"], e[0]))
        entities = [entity for _, entity in ordered]
        for entity in entities:
            if entity["type"] == "code":
                entity.pop("language", None)
        return Formatted("".join(self.chunks), entities)

    # text and character references

    def _emit(self, text: str) -> None:
        self.chunks.append(text)
        self.offset += utf16_len(text)

    def _byte_offset(self, position: int) -> int:
        return len(self.source[:position].encode("utf-8", "surrogatepass"))

    def _character_reference(self) -> str:
        """Decode the reference at ``pos`` and move past it."""
        decoded, end = self._decode_reference(self.pos)
        self.pos = end
        return decoded

    def _decode_reference(self, position: int) -> tuple[str, int]:
        match = _CHARACTER_REFERENCE.match(self.source, position)
        character = _referenced_character(match) if match else None
        if match and character is not None and (match[4] or not self.strict_ampersand):
            return character, match.end()
        if self.strict_ampersand:
            raise ParseError(
                f"Character entity expected at byte offset {self._byte_offset(position)}"
            )
        return "&", position + 1

    def _decode_value(self, start: int, end: int) -> str:
        """An attribute value with its character references decoded."""
        parts, position = [], start
        while position < end:
            amp = self.source.find("&", position, end)
            if amp < 0:
                parts.append(self.source[position:end])
                break
            parts.append(self.source[position:amp])
            decoded, position = self._decode_reference(amp)
            parts.append(decoded)
        return "".join(parts)

    # tags

    def _tag(self) -> None:
        begin = self.pos
        if self.source.startswith("</", begin):
            self._end_tag(begin)
        else:
            self._start_tag(begin)

    def _start_tag(self, begin: int) -> None:
        end = self._scan_name(begin + 1)
        if end == len(self.source):
            raise ParseError(f"Unclosed start tag at byte offset {self._byte_offset(begin)}")
        name = self.source[begin + 1 : end].lower()
        if name not in SUPPORTED_TAGS:
            raise ParseError(
                f'Unsupported start tag "{name}" at byte offset {self._byte_offset(begin)}'
            )
        attributes = self._attributes(name, begin, end)
        if name == "span" and attributes.get("class") != "tg-spoiler":
            raise ParseError(
                f'Tag "span" must have class "tg-spoiler" at byte offset {self._byte_offset(begin)}'
            )
        self.opened += 1
        self.stack.append(_OpenTag(name, attributes, self.offset, self.opened))

    def _scan_name(self, position: int) -> int:
        source, size = self.source, len(self.source)
        while position < size and source[position] not in _SPACES and source[position] != ">":
            position += 1
        return position

    def _skip_spaces(self, position: int) -> int:
        source, size = self.source, len(self.source)
        while position < size and source[position] in _SPACES:
            position += 1
        return position

    def _attributes(self, tag: str, begin: int, position: int) -> dict[str, str]:
        """Read attributes up to the closing ``>``; leaves ``pos`` after it."""
        attributes: dict[str, str] = {}
        size = len(self.source)
        unclosed = f'Unclosed start tag "{tag}" at byte offset {self._byte_offset(begin)}'
        while True:
            position = self._skip_spaces(position)
            if position == size:
                raise ParseError(f"Unclosed start tag at byte offset {self._byte_offset(begin)}")
            if self.source[position] == ">":
                self.pos = position + 1
                return attributes
            name_start = position
            while position < size and self.source[position] not in _SPACES | {"=", ">"}:
                position += 1
            name = self.source[name_start:position].lower()
            if not name:
                raise ParseError(
                    f'Empty attribute name in the tag "{tag}" at byte offset '
                    f"{self._byte_offset(begin)}"
                )
            position = self._skip_spaces(position)
            if position == size:
                raise ParseError(unclosed)
            if self.source[position] != "=":
                if tag == "blockquote" and name == "expandable":
                    attributes[name] = ""
                    continue
                raise ParseError(
                    "Expected equal sign in declaration of an attribute of the tag "
                    f'"{tag}" at byte offset {self._byte_offset(begin)}'
                )
            position = self._skip_spaces(position + 1)
            if position == size:
                raise ParseError(unclosed)
            value, position = self._attribute_value(begin, position)
            attributes.setdefault(name, value)

    def _attribute_value(self, begin: int, position: int) -> tuple[str, int]:
        source = self.source
        quote = source[position]
        if quote in "\"'":
            end = source.find(quote, position + 1)
            if end < 0:
                raise ParseError(f"Unclosed start tag at byte offset {self._byte_offset(begin)}")
            return self._decode_value(position + 1, end), end + 1
        end = position
        while end < len(source) and _is_name_token_char(source[end]):
            end += 1
        if end == len(source) or (source[end] not in _SPACES and source[end] != ">"):
            raise ParseError(
                f"Unexpected end of name token at byte offset {self._byte_offset(position)}"
            )
        return source[position:end], end

    def _end_tag(self, begin: int) -> None:
        if not self.stack:
            raise ParseError(f"Unexpected end tag at byte offset {self._byte_offset(begin)}")
        name_end = self._scan_name(begin + 2)
        name = self.source[begin + 2 : name_end].lower()
        close = self._skip_spaces(name_end)
        if close == len(self.source) or self.source[close] != ">":
            raise ParseError(f"Unclosed end tag at byte offset {self._byte_offset(begin)}")
        expected = self.stack[-1].name
        if name and name != expected:
            raise ParseError(
                f"Unmatched end tag at byte offset {self._byte_offset(begin)}, "
                f'expected "</{expected}>", found "</{name}>"'
            )
        self.pos = close + 1
        self._close(self.stack.pop())

    def _close(self, tag: _OpenTag) -> None:
        length = self.offset - tag.offset
        if length <= 0:
            return
        entity = _entity_for(tag, length)
        if entity is None:
            return
        if tag.name == "pre":
            self._merge_code_language(entity)
        self.entities.append((tag.order, entity))

    def _merge_code_language(self, pre: Entity) -> None:
        """``<pre><code class="language-x">`` spanning the pre: one pre entity with a language."""
        for index, (_, inner) in enumerate(self.entities):
            same_span = inner["offset"] == pre["offset"] and inner["length"] == pre["length"]
            if same_span and inner["type"] == "code" and "language" in inner:
                pre["language"] = inner["language"]
                del self.entities[index]
                return


def _is_name_token_char(character: str) -> bool:
    return (character.isascii() and character.isalnum()) or character in ".-"


def _referenced_character(match: re.Match[str]) -> str | None:
    named, decimal, hexadecimal = match[1], match[2], match[3]
    if named:
        return _NAMED[named]
    code = int(decimal) if decimal else int(hexadecimal, 16)
    if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        return None
    return chr(code)


def _entity_for(tag: _OpenTag, length: int) -> Entity | None:
    entity: Entity = {"offset": tag.offset, "length": length}
    attributes = tag.attributes
    if tag.name == "a":
        href = attributes.get("href", "")
        return {"type": "text_link", **entity, "url": href} if href else None
    if tag.name == "tg-emoji":
        emoji_id = attributes.get("emoji-id", "")
        return {"type": "custom_emoji", **entity, "custom_emoji_id": emoji_id} if emoji_id else None
    if tag.name == "blockquote":
        kind = "expandable_blockquote" if "expandable" in attributes else "blockquote"
        return {"type": kind, **entity}
    result: Entity = {"type": _ENTITY_TYPES[tag.name], **entity}
    language = attributes.get("class", "")
    if tag.name == "code" and language.startswith("language-") and len(language) > 9:
        result["language"] = language.removeprefix("language-")
    return result
