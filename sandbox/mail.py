"""A local SMTP server that catches the bot's e-mail: aiosmtpd on loopback, each message saved
as an .eml file in a folder and reported (subject, recipient, path). The sandbox prints them;
the tests read them and can make the server refuse the next messages (451, 550)."""

from __future__ import annotations

import email
import email.policy
import logging
import socket
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller


@dataclass(frozen=True)
class CaughtMail:
    """One e-mail the catcher accepted."""

    sender: str
    recipients: tuple[str, ...]
    message: EmailMessage
    path: Path

    @property
    def subject(self) -> str:
        return str(self.message["Subject"] or "")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class _Handler:
    def __init__(self, catcher: MailCatcher) -> None:
        self.catcher = catcher

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        return self.catcher.receive(envelope.mail_from, envelope.rcpt_tos, envelope.content)


class MailCatcher:
    """``with MailCatcher(folder) as catcher:`` an SMTP server at ``catcher.url``."""

    def __init__(
        self, folder: Path, *, on_mail: Callable[[CaughtMail], None] | None = None
    ) -> None:
        self.folder = folder
        self.on_mail = on_mail
        self.port = free_port()
        self.mail: list[CaughtMail] = []
        self.refusals: deque[str] = deque()
        """Answers for the next messages instead of accepting them, e.g. "451 4.3.0 later"."""
        self._lock = threading.Lock()
        self._controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port)

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def __enter__(self) -> MailCatcher:
        logging.getLogger("mail.log").setLevel(logging.WARNING)  # it logs every address at INFO
        self.folder.mkdir(parents=True, exist_ok=True)
        self._controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._controller.stop()

    def refuse_next(self, *answers: str) -> None:
        """The next messages are answered with these SMTP replies, in order."""
        with self._lock:
            self.refusals.extend(answers)

    def receive(self, sender: str, recipients: list[str], content: bytes) -> str:
        with self._lock:
            if self.refusals:
                return self.refusals.popleft()
            number = len(self.mail) + 1
            path = self.folder / f"{number:04d}.eml"
            path.write_bytes(content)
            parsed = email.message_from_bytes(content, policy=email.policy.default)
            assert isinstance(parsed, EmailMessage)
            caught = CaughtMail(sender, tuple(recipients), parsed, path)
            self.mail.append(caught)
        if self.on_mail is not None:
            self.on_mail(caught)
        return "250 OK"

    def to(self, address: str) -> list[CaughtMail]:
        with self._lock:
            return [m for m in self.mail if address in m.recipients]
