"""How the terminal chat draws what the bot sent: text, files, polls, toasts and menus."""

from __future__ import annotations

import html
import re
import shutil
import textwrap
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sandbox.emulator import Attachment, Button

TAG = re.compile(r"<(/?)([a-z-]+)([^>]*)>")
HREF = re.compile(r'href="([^"]*)"')
BARE_LINK = re.compile(r'<a href="([^"]*)">\1</a>')
PNG = b"\x89PNG\r\n\x1a\n"
SAFE_NAME = re.compile(r"[^\w.\- ]+")


def html_to_terminal(text: str, *, ansi: bool) -> str:
    """Telegram HTML as terminal text: bold and italic as ANSI styles, links with their URL."""
    styles = {"b": "1", "strong": "1", "i": "3", "em": "3", "u": "4", "code": "2", "pre": "2"}
    links: list[str] = []

    def replace(match: re.Match[str]) -> str:
        closing, tag, attributes = match.groups()
        if tag == "a":
            if closing:
                return f" ({links.pop()})" if links else ""
            href = HREF.search(attributes)
            links.append(href.group(1) if href else "")
            return ""
        if ansi and tag in styles:
            return "\033[0m" if closing else f"\033[{styles[tag]}m"
        return ""

    return html.unescape(TAG.sub(replace, BARE_LINK.sub(r"\1", text)))


def indent(text: str) -> str:
    """Indent the bot's text and wrap long lines to the terminal's width."""
    width = max(40, shutil.get_terminal_size().columns - 4)
    lines = []
    for line in text.splitlines():
        wrapped = textwrap.wrap(line, width, break_long_words=True) if line.strip() else [""]
        lines += [f"    {part}" for part in wrapped]
    return "\n".join(lines)


def button_rows(rows: list[list[Button]]) -> tuple[str, list[str]]:
    """The keyboard as numbered cells, and the callback data of each number (1 first)."""
    data: list[str] = []
    lines = []
    for row in rows:
        cells = []
        for button in row:
            if button.data is not None:
                data.append(button.data)
                cells.append(f"[{len(data)}] {button.text}")
            else:
                cells.append(f"[{button.text}: {button.url}]")
        lines.append("  ".join(cells))
    return "\n".join(lines), data


def poll_lines(
    poll: dict[str, Any], counts: Sequence[int] = (), *, ansi: bool, answerable: bool
) -> str:
    """A native poll: its question, then each option with its number (and votes so far)."""
    kind = "several answers" if poll["allows_multiple_answers"] else "one answer"
    state = "closed" if poll["is_closed"] else kind
    lines = [f"📊 {html_to_terminal(poll['question'], ansi=ansi)}  (poll, {state})"]
    for number, option in enumerate(poll["options"], start=1):
        votes = f"  — {counts[number - 1]} vote(s)" if counts else ""
        lines.append(f"[{number}] {option}{votes}")
    if answerable and not poll["is_closed"]:
        several = ', or several: "1 3"' if poll["allows_multiple_answers"] else ""
        lines.append(f'(answer with the number{several}; "0" takes your vote back)')
    return "\n".join(lines)


def vote_lines(options: Sequence[str], chosen: Sequence[int], counts: Sequence[int]) -> str:
    """What a person sees after voting: their choice, and the votes so far."""
    mine = "; ".join(options[i] for i in sorted(set(chosen))) or "nothing (vote taken back)"
    lines = [f"(you voted for: {mine})", "votes so far:"]
    lines += [f"  {option} — {count}" for option, count in zip(options, counts, strict=True)]
    return "\n".join(lines)


def menu_lines(commands: list[dict[str, str]]) -> str:
    if not commands:
        return "(the bot set no command menu for you here)"
    width = max(len(command["command"]) for command in commands) + 1
    lines = ["menu (what Telegram shows when you type / here):"]
    lines += [f"  /{c['command']:<{width}} {c['description']}" for c in commands]
    return "\n".join(lines)


def save_attachment(folder: Path, attachment: Attachment) -> Path:
    """Write a file the bot sent under ``folder``; the same file twice keeps one copy."""
    folder.mkdir(parents=True, exist_ok=True)
    name = SAFE_NAME.sub("_", attachment.filename or _photo_name(attachment)).strip(". ")
    path = folder / (name or "file")
    stem, suffix, number = path.stem, path.suffix, 1
    while path.exists() and path.read_bytes() != attachment.content:
        number += 1
        path = folder / f"{stem}-{number}{suffix}"
    path.write_bytes(attachment.content)
    return path


def _photo_name(attachment: Attachment) -> str:
    suffix = ".png" if attachment.content.startswith(PNG) else ".jpg"
    return f"photo-{attachment.file_id[-8:]}{suffix}"
