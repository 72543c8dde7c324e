"""The terminal chat: type as a simulated member, see what the bot answers.

Lines starting with ``/as``, ``/in``, ``/people``, ``/chats``, ``/sandbox`` and ``/quit`` steer
the sandbox; a bare number taps that inline button of the bot's latest message in the current
chat; anything else is sent to the bot as the current person in the current chat.
"""

from __future__ import annotations

import html
import re
import shutil
import sys
import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TextIO

from sandbox.emulator import Emulator, LedgerEntry, SimChat, SimUser

SANDBOX_HELP = """\
Sandbox commands (everything else goes to the bot):
  /as NAME [LANG]   be this person (created if new; LANG en, es, zh, fr, ...)
  /in CHAT          talk in this chat: "private", or a group by number or name
  /in new TITLE     create a group chat with everyone in it, and go there
  /people           the simulated people
  /chats            the chats you can switch to
  NUMBER            tap that button of the bot's last message here
  /quit             stop the sandbox"""

TAG = re.compile(r"<(/?)([a-z-]+)([^>]*)>")
HREF = re.compile(r'href="([^"]*)"')
BARE_LINK = re.compile(r'<a href="([^"]*)">\1</a>')


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


@dataclass
class TerminalChat:
    """The state of the conversation shown in the terminal, and the line interpreter."""

    emulator: Emulator
    me: SimUser
    out: TextIO = sys.stdout
    ansi: bool = field(default_factory=lambda: sys.stdout.isatty())
    chat: SimChat | None = None
    shown: int = 0
    buttons: dict[int, tuple[LedgerEntry, str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.chat = self.chat or self.me.private_chat

    @property
    def prompt(self) -> str:
        assert self.chat is not None
        where = "private" if self.chat.type == "private" else self.chat.title
        return f"[{self.me.first_name} @ {where}] > "

    def handle(self, line: str) -> bool:
        """Act on one typed line; False when the sandbox should stop."""
        line = line.strip()
        if not line:
            return True
        word, _, rest = line.partition(" ")
        steering: dict[str, Callable[[str], bool]] = {
            "/as": self._switch_person,
            "/in": self._switch_chat,
            "/people": self._list_people,
            "/chats": self._list_chats,
            "/sandbox": self._help,
            "/quit": lambda _: False,
            "/exit": lambda _: False,
        }
        if word in steering:
            return steering[word](rest.strip())
        if line.isdigit() and int(line) in self.buttons:
            self._tap(int(line))
        else:  # a number that is no button is an answer: a duration, a score, an id
            assert self.chat is not None
            self.emulator.send_text(self.me, line, chat=self.chat)
        return True

    def show_new(self) -> None:
        """Print what the bot sent or edited since the last call, in any chat."""
        ledger = self.emulator.ledger
        while self.shown < len(ledger):
            self._show(ledger[self.shown])
            self.shown += 1

    def say(self, text: str) -> None:
        print(text, file=self.out, flush=True)

    def _show(self, entry: LedgerEntry) -> None:
        chat = self.emulator.chat(entry.chat_id)
        where = "" if chat is self.chat else f"  (in {self._chat_label(chat)})"
        if entry.kind == "delete":
            self.say(f"bot deleted message {entry.message_id}{where}")
            return
        head = "bot (edited)" if entry.kind == "edit" else "bot"
        body = html_to_terminal(entry.html or entry.text or "", ansi=self.ansi)
        if entry.document is not None:
            body = f"{body}\n[document {entry.document.filename}]".strip()
        self.say(f"{head}{where}:\n{_indent(body)}")
        if chat is self.chat and entry.buttons:
            self._number_buttons(entry)

    def _number_buttons(self, entry: LedgerEntry) -> None:
        self.buttons.clear()
        rows = []
        for row in entry.buttons:
            cells = []
            for button in row:
                number = len(self.buttons) + 1
                if button.data is not None:
                    self.buttons[number] = (entry, button.data)
                    cells.append(f"[{number}] {button.text}")
                else:
                    cells.append(f"[{button.text}: {button.url}]")
            rows.append("  ".join(cells))
        self.say(_indent("\n".join(rows)))

    def _recall_buttons(self) -> None:
        """Number the buttons of the chat's latest message that has some, as Telegram shows them."""
        self.buttons.clear()
        assert self.chat is not None
        for entry in reversed(self.emulator.ledger):
            if entry.chat_id == self.chat.id and entry.buttons:
                self.say("(the buttons of the latest message here)")
                self._number_buttons(entry)
                return

    def _tap(self, number: int) -> None:
        entry, data = self.buttons[number]
        self.emulator.tap(self.me, entry, data=data)

    def _switch_person(self, argument: str) -> bool:
        if not argument:
            self.say("usage: /as NAME [LANG]")
            return True
        name, _, language = argument.partition(" ")
        person = self.emulator.find_user(name)
        if person is None:
            person = self.emulator.add_user(name, language_code=language.strip() or "en")
            self.say(f"(new person {person.first_name}, language {person.language_code})")
        elif language.strip():
            self.emulator.set_language(person, language.strip())
        self.me = person
        self.chat = person.private_chat
        self._recall_buttons()
        return True

    def _switch_chat(self, argument: str) -> bool:
        if argument.startswith("new "):
            title = argument[4:].strip() or "New group"
            members = [user for user in self.emulator.users if user is not self.me]
            self.chat = self.emulator.add_group(
                title, members=[self.me, *members], admins=[self.me]
            )
            self.buttons.clear()
            return True
        chat = self._find_chat(argument)
        if chat is None:
            self.say("(no such chat; /chats lists them)")
        else:
            self.chat = chat
            self._recall_buttons()
        return True

    def _find_chat(self, argument: str) -> SimChat | None:
        if argument in ("", "private"):
            return self.me.private_chat
        groups = self._groups()
        if argument.isdigit() and 0 < int(argument) <= len(groups):
            return groups[int(argument) - 1]
        wanted = argument.casefold()
        return next((g for g in groups if wanted in (g.title or "").casefold()), None)

    def _groups(self) -> list[SimChat]:
        return [chat for chat in self.emulator.chats if chat.type != "private"]

    def _list_people(self, _: str) -> bool:
        for user in self.emulator.users:
            marker = "*" if user is self.me else " "
            self.say(f"{marker} {user.first_name} {user.last_name or ''} ({user.language_code})")
        return True

    def _list_chats(self, _: str) -> bool:
        self.say("  private (your chat with the bot)")
        for number, group in enumerate(self._groups(), start=1):
            self.say(f"  {number}. {group.title} ({group.type})")
        return True

    def _help(self, _: str) -> bool:
        self.say(SANDBOX_HELP)
        return True

    def _chat_label(self, chat: SimChat | None) -> str:
        if chat is None:
            return "an unknown chat"
        if chat.type == "private":
            user = self.emulator.user(chat.id)
            return f"private chat of {user.first_name}" if user else "a private chat"
        return chat.title or str(chat.id)


def _indent(text: str) -> str:
    """Indent the bot's text and wrap long lines to the terminal's width."""
    width = max(40, shutil.get_terminal_size().columns - 4)
    lines = []
    for line in text.splitlines():
        wrapped = textwrap.wrap(line, width, break_long_words=True) if line.strip() else [""]
        lines += [f"    {part}" for part in wrapped]
    return "\n".join(lines)
