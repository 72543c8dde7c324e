"""The terminal chat: type as a simulated member, see what the bot answers.

Lines starting with ``/as``, ``/in``, ``/people``, ``/chats``, ``/menu``, ``/photo``, ``/file``,
``/sandbox`` and ``/quit`` steer the sandbox; a bare number taps that inline button of the bot's
latest message in the current chat (or answers its poll); anything else is sent to the bot as
the current person in the current chat. A line ending in ``\\`` continues on the next line, and a
block pasted into a terminal arrives as one message.
"""

from __future__ import annotations

import mimetypes
import re
import shlex
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from sandbox.display import (
    button_rows,
    html_to_terminal,
    indent,
    menu_lines,
    poll_lines,
    save_attachment,
    vote_lines,
)
from sandbox.emulator import (
    Attachment,
    CallbackAnswer,
    Emulator,
    LedgerEntry,
    SimChat,
    SimMessage,
    SimUser,
)

__all__ = ["SANDBOX_HELP", "LineJoiner", "TerminalChat", "html_to_terminal"]

SANDBOX_HELP = """\
Sandbox commands (everything else goes to the bot):
  /as NAME [LANG]   be this person (created if new; LANG en, es, zh, fr, ...)
  /in CHAT          talk in this chat: "private", or a group by number or name
  /in new TITLE     create a group chat with everyone in it, and go there
  /people           the simulated people
  /chats            the chats you can switch to
  /menu             the command menu the bot set for you in this chat
  /photo PATH [CAPTION]   send a picture;  /file PATH [CAPTION]   send a file
  NUMBER            tap that button of the bot's last message here (or answer its poll)
  a line ending in \\  continues the message on the next line
  /quit             stop the sandbox"""

PASTE_START, PASTE_END = "\x1b[200~", "\x1b[201~"
VOTE = re.compile(r"\d+(?:[ ,]+\d+)*")


@dataclass
class LineJoiner:
    """Typed lines into messages: ``\\`` at the end continues, a bracketed paste is one block."""

    parts: list[str] = field(default_factory=list)
    pasting: bool = False

    @property
    def pending(self) -> bool:
        return bool(self.parts) or self.pasting

    def add(self, raw: str) -> str | None:
        """The whole message once ``raw`` completes it, else None (more lines to come)."""
        line = raw.rstrip("\r\n")
        if PASTE_START in line:
            self.pasting, line = True, line.replace(PASTE_START, "")
        if PASTE_END in line:
            self.pasting, line = False, line.replace(PASTE_END, "")
        continued = line.endswith("\\") and not self.pasting
        self.parts.append(line[:-1] if continued else line)
        if self.pasting or continued:
            return None
        message, self.parts = "\n".join(self.parts), []
        return message


@dataclass(frozen=True)
class Numbered:
    """The message whose buttons (or poll options) the numbers stand for."""

    chat_id: int
    message_id: int
    data: tuple[str, ...] = ()
    poll_id: str | None = None
    options: int = 0


@dataclass
class TerminalChat:
    """The state of the conversation shown in the terminal, and the line interpreter."""

    emulator: Emulator
    me: SimUser
    out: TextIO = sys.stdout
    ansi: bool = field(default_factory=lambda: sys.stdout.isatty())
    chat: SimChat | None = None
    files: Path | None = None
    """Where files the bot sends are saved (not saved when None)."""
    shown: int = 0
    toasts_shown: int = 0
    numbered: Numbered | None = None
    prompt_showing: bool = False
    lines: LineJoiner = field(default_factory=LineJoiner)

    def __post_init__(self) -> None:
        self.chat = self.chat or self.me.private_chat

    @property
    def prompt(self) -> str:
        if self.lines.pending:
            return "... "
        assert self.chat is not None
        where = "private" if self.chat.type == "private" else self.chat.title
        return f"[{self.me.first_name} @ {where}] > "

    def show_prompt(self) -> None:
        """Print the prompt unless it is already the last thing on the screen."""
        if not self.prompt_showing:
            print(self.prompt, end="", file=self.out, flush=True)
            self.prompt_showing = True

    def feed(self, raw: str) -> bool | None:
        """One line as read from the keyboard: None while the message goes on, else handle()."""
        self.prompt_showing = False
        message = self.lines.add(raw)
        return None if message is None else self.handle(message)

    def handle(self, text: str) -> bool:
        """Act on one typed message; False when the sandbox should stop."""
        text = text.strip()
        if not text:
            return True
        word, _, rest = text.partition(" ")
        steering: dict[str, Callable[[str], bool]] = {
            "/as": self._switch_person,
            "/in": self._switch_chat,
            "/people": self._list_people,
            "/chats": self._list_chats,
            "/menu": self._show_menu,
            "/photo": lambda path: self._send_file(path, photo=True),
            "/file": lambda path: self._send_file(path, photo=False),
            "/sandbox": self._help,
            "/quit": lambda _: False,
            "/exit": lambda _: False,
        }
        if word in steering and "\n" not in text:
            return steering[word](rest.strip())
        if not self._choose(text):  # a number that is no choice is an answer: a duration, an id
            assert self.chat is not None
            self.emulator.send_text(self.me, text, chat=self.chat)
        return True

    def show_new(self) -> None:
        """Print what the bot sent, edited or answered to a tap since the last call."""
        ledger, answers = self.emulator.ledger, self.emulator.callback_answers
        if self.shown >= len(ledger) and self.toasts_shown >= len(answers):
            return
        if self.prompt_showing:
            self.say("")
        while self.shown < len(ledger) or self.toasts_shown < len(answers):
            entry = ledger[self.shown] if self.shown < len(ledger) else None
            toast = answers[self.toasts_shown] if self.toasts_shown < len(answers) else None
            if toast is not None and (entry is None or toast.at <= entry.at):
                self.toasts_shown += 1
                self._show_toast(toast)
            elif entry is not None:
                self.shown += 1
                self._show(entry)

    def show_history(self, limit: int = 8) -> None:
        """The latest messages of the current chat (after a restart), then its buttons."""
        assert self.chat is not None
        here = [e for e in self.emulator.ledger if e.chat_id == self.chat.id and e.kind == "send"]
        if here:
            self.say("(earlier in this chat)")
        for entry in here[-limit:]:
            self._show(entry, number=False)
        self.shown = len(self.emulator.ledger)
        self.toasts_shown = len(self.emulator.callback_answers)
        self._recall_buttons()

    def say(self, text: str) -> None:
        print(text, file=self.out, flush=True)
        self.prompt_showing = False

    # what the bot did

    def _show(self, entry: LedgerEntry, *, number: bool = True) -> None:
        chat = self.emulator.chat(entry.chat_id)
        here = chat is self.chat
        where = "" if here else f"  (in {self._chat_label(chat)})"
        if entry.kind == "delete":
            self.say(f"bot deleted message {entry.message_id}{where}")
            self._forget_if_numbered(entry)
            return
        head = "bot (edited)" if entry.kind == "edit" else "bot"
        lines = [html_to_terminal(entry.html or entry.text or "", ansi=self.ansi)]
        if entry.poll is not None:
            lines.append(self._poll_text(entry, numbered=here and number))
        body = [indent("\n".join(line for line in lines if line))]
        body += [f"    {self._file_line(kind, a)}" for kind, a in self._attachments(entry)]
        self.say(f"{head}{where}:\n" + "\n".join(part for part in body if part))
        if here and number and entry.poll is None:
            self._number_buttons(entry)

    def _attachments(self, entry: LedgerEntry) -> list[tuple[str, Attachment]]:
        found = [("document", entry.document), ("photo", entry.photo)]
        return [(kind, attachment) for kind, attachment in found if attachment is not None]

    def _file_line(self, kind: str, attachment: Attachment) -> str:
        """The file's name, and where it was saved (never wrapped: a path to copy)."""
        label = attachment.filename or kind
        if self.files is None:
            return f"[{kind} {label}]"
        return f"[{kind} {label} saved to {save_attachment(self.files, attachment)}]"

    def _poll_text(self, entry: LedgerEntry, *, numbered: bool) -> str:
        assert entry.poll is not None
        poll = self.emulator.world.polls.get(entry.poll["id"])
        counts = poll.counts() if poll is not None and entry.poll["is_closed"] else []
        if numbered and not entry.poll["is_closed"]:
            options = len(entry.poll["options"])
            self.numbered = Numbered(entry.chat_id, entry.message_id, (), entry.poll["id"], options)
        elif numbered:
            self._forget_if_numbered(entry)
        return poll_lines(entry.poll, counts, ansi=self.ansi, answerable=numbered)

    def _number_buttons(self, entry: LedgerEntry) -> None:
        """Number the buttons a message shows now; an edit that removed them forgets them."""
        if not entry.buttons:
            if entry.kind == "edit":
                self._forget_if_numbered(entry)
            return
        text, data = button_rows(entry.buttons)
        self.say(indent(text))
        self.numbered = Numbered(entry.chat_id, entry.message_id, tuple(data))

    def _forget_if_numbered(self, entry: LedgerEntry) -> None:
        numbered = self.numbered
        if numbered and (numbered.chat_id, numbered.message_id) == (
            entry.chat_id,
            entry.message_id,
        ):
            self.numbered = None

    def _show_toast(self, answer: CallbackAnswer) -> None:
        if answer.text:
            kind = "alert" if answer.show_alert else "toast"
            self.say(f"  ({kind}) {html_to_terminal(answer.text, ansi=False)}")

    def _recall_buttons(self) -> None:
        """Number the buttons (or open poll) of the chat's latest message that has some."""
        self.numbered = None
        assert self.chat is not None
        for message in reversed(self.chat.messages.values()):
            if message.deleted or message.sender is not self.emulator.bot:
                continue
            if message.buttons or (message.poll is not None and not message.poll.is_closed):
                self._number_message(message)
                return

    def _number_message(self, message: SimMessage) -> None:
        poll = message.poll
        if poll is not None:
            self.numbered = Numbered(
                message.chat.id, message.message_id, (), poll.id, len(poll.options)
            )
            self.say(f"(the poll of the latest message here: answer 1-{len(poll.options)})")
            return
        text, data = button_rows(message.buttons)
        self.numbered = Numbered(message.chat.id, message.message_id, tuple(data))
        self.say("(the buttons of the latest message here)")
        self.say(indent(text))

    # choosing by number

    def _choose(self, text: str) -> bool:
        """Tap a numbered button or vote in the numbered poll; False if ``text`` is neither."""
        numbered = self.numbered
        if numbered is None or not VOTE.fullmatch(text):
            return False
        numbers = [int(n) for n in re.split(r"[ ,]+", text)]
        if numbered.poll_id is not None:
            if not all(0 <= n <= numbered.options for n in numbers):
                return False
            return self._vote(numbered, [n - 1 for n in numbers if n > 0])
        if len(numbers) != 1 or not 0 < numbers[0] <= len(numbered.data):
            return False
        self._tap(numbered, numbered.data[numbers[0] - 1])
        return True

    def _tap(self, numbered: Numbered, data: str) -> None:
        message = self.emulator.message(numbered.chat_id, numbered.message_id)
        if message is None or data not in [b.data for row in message.buttons for b in row]:
            self.say("(that button is gone)")
            self._recall_buttons()
            return
        self.emulator.tap(self.me, message, data=data)

    def _vote(self, numbered: Numbered, options: list[int]) -> bool:
        assert numbered.poll_id is not None
        try:
            self.emulator.answer_poll(self.me, numbered.poll_id, options)
        except (LookupError, ValueError) as refused:
            self.say(f"(vote refused: {refused})")
            return True
        poll = self.emulator.world.polls[numbered.poll_id]
        self.say(vote_lines(poll.options, options, poll.counts()))
        return True

    # steering

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
            self.numbered = None
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

    def _show_menu(self, _: str) -> bool:
        self.say(menu_lines(self.emulator.menu(self.me, self.chat)))
        return True

    def _send_file(self, argument: str, *, photo: bool) -> bool:
        """``/photo PATH [CAPTION]`` or ``/file PATH [CAPTION]``: send a file from this computer."""
        try:
            words = shlex.split(argument)
        except ValueError:
            words = []
        if not words:
            self.say(f"usage: /{'photo' if photo else 'file'} PATH [CAPTION]")
            return True
        path = Path(words[0]).expanduser()
        if not path.is_file():
            self.say(f"(no file at {path})")
            return True
        caption = " ".join(words[1:]) or None
        content = path.read_bytes()
        if photo:
            self.emulator.send_photo(self.me, self.chat, content=content, caption=caption)
        else:
            mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            self.emulator.send_document(
                self.me,
                self.chat,
                filename=path.name,
                content=content,
                mime_type=mime,
                caption=caption,
            )
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
