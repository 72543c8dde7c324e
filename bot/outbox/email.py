"""An outbox row as an e-mail: the Telegram HTML as an HTML part and a plain-text part, its
buttons as links, a footer saying why the person gets it and how to stop, List-Unsubscribe,
and for a meeting an .ics invitation calendars understand (``bot/outbox/ics.py``).

Pure functions of the row, the recipient and their translator; the mailer
(``bot/outbox/mailer.py``) hands the result to the SMTP server.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid, parseaddr
from html.parser import HTMLParser
from typing import Any, Final
from urllib.parse import quote

from jinja2 import Environment, select_autoescape
from markupsafe import Markup

from bot.i18n import N_, Translator
from bot.outbox.ics import invitation
from storage.outbox import OutboxEvent, OutboxMessage

SUBJECT_LENGTH: Final = 120
ANSWER_BY_LINK: Final = (
    ("going", N_("✅ Going")),
    ("maybe", N_("🤔 Maybe")),
    ("no", N_("❌ Can't go")),
)
ANSWER_ELSEWHERE: Final = N_(
    "To answer, use this message's buttons in Telegram, or the links of the web pages."
)
WHY_FOOTER: Final = N_(
    "You get this e-mail from the assistant of the World Network of Mountain Biosphere "
    "Reserves because you are in its working groups and e-mail is one of your channels."
)
HOW_TO_STOP: Final = N_(
    "To stop these e-mails, send /notify to the bot and choose Telegram, or unsubscribe: {link}"
)

AnswerLinks = Callable[[OutboxEvent, int, str], str | None]
"""(the meeting's event, person id, answer) -> a signed one-click answer URL, valid until the
event ends (None: the web pages are off)."""


@dataclass(frozen=True)
class Recipient:
    """Whom an e-mail row goes to, when it goes."""

    person_id: int
    name: str
    address: str
    unsubscribe_token: str


@dataclass(frozen=True)
class MailIdentity:
    """The bot's From address (``Name <bot@example.org>``)."""

    from_header: str

    @property
    def address(self) -> str:
        return parseaddr(self.from_header)[1]

    @property
    def domain(self) -> str:
        return self.address.rpartition("@")[2] or "localhost"


@dataclass(frozen=True)
class Link:
    label: str
    url: str


_TEMPLATE: Final = """<!DOCTYPE html>
<html lang="{{ language }}">
<head><meta charset="utf-8"><title>{{ subject }}</title></head>
<body style="font-family: sans-serif; line-height: 1.4; max-width: 40em">
<div>{{ body }}</div>
{% if links %}<p>{% for link in links %}
<a href="{{ link.url }}">{{ link.label }}</a>{% if not loop.last %} · {% endif %}
{% endfor %}</p>{% endif %}
{% if elsewhere %}<p><em>{{ elsewhere }}</em></p>{% endif %}
<hr>
<p style="color: #555; font-size: small">{{ why }}<br>{{ stop }}</p>
</body>
</html>
"""

_ENVIRONMENT: Final = Environment(autoescape=select_autoescape(default=True))
_PAGE: Final = _ENVIRONMENT.from_string(_TEMPLATE)


class _PlainText(HTMLParser):
    """Telegram HTML as plain text: tags dropped, entities decoded, links spelled out."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._href: list[str | None] = []
        self._label_start: list[int] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self._href.append(dict(attrs).get("href"))
            self._label_start.append(len(self.parts))

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._href:
            href = self._href.pop()
            label = "".join(self.parts[self._label_start.pop() :])
            if href and href != label:
                self.parts.append(f" <{href}>")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def plain_text(telegram_html: str) -> str:
    parser = _PlainText()
    parser.feed(telegram_html)
    parser.close()
    return "".join(parser.parts)


_SPOILER: Final = re.compile(r"<(/?)tg-spoiler>")
_TG_EMOJI: Final = re.compile(r"</?tg-emoji[^>]*>")


def html_body(telegram_html: str) -> Markup:
    """Telegram HTML as HTML for a mail reader (the bot escaped every value it put in)."""
    text = _SPOILER.sub(r"<\1span>", telegram_html)
    text = _TG_EMOJI.sub("", text)
    return Markup(text.replace("\n", "<br>\n"))


def subject_of(telegram_html: str) -> str:
    """The first line that says something, without markup, short."""
    for line in plain_text(telegram_html).splitlines():
        line = " ".join(line.split())
        if line:
            return line if len(line) <= SUBJECT_LENGTH else line[: SUBJECT_LENGTH - 1] + "…"
    return "WNMRC"


def button_links(reply_markup: dict[str, Any] | None) -> tuple[list[Link], bool]:
    """The URL buttons as links, and whether any button (a tap) was left out."""
    links: list[Link] = []
    dropped = False
    for row in (reply_markup or {}).get("inline_keyboard", []):
        for button in row:
            if button.get("url"):
                links.append(Link(str(button["text"]), str(button["url"])))
            else:
                dropped = True
    return links, dropped


def answer_links(
    tr: Translator, event: OutboxEvent | None, person_id: int, build: AnswerLinks | None
) -> list[Link]:
    """Going / Maybe / Can't go as signed links, when the web face builds them."""
    if build is None or event is None or event.method != "REQUEST" or not event.occurrence_id:
        return []
    links = []
    for answer, label in ANSWER_BY_LINK:
        url = build(event, person_id, answer)
        if url is None:
            return []
        links.append(Link(html.unescape(tr(label)), url))
    return links


def unsubscribe_mailto(identity: MailIdentity, token: str) -> str:
    return f"mailto:{identity.address}?subject={quote('unsubscribe ' + token)}"


def compose(
    row: OutboxMessage,
    recipient: Recipient,
    tr: Translator,
    identity: MailIdentity,
    now: datetime,
    *,
    answer_link: AnswerLinks | None = None,
    unsubscribe_link: Callable[[str], str] | None = None,
) -> EmailMessage:
    """The e-mail of an outbox row for its recipient, in their language."""
    payload = row.payload
    subject = subject_of(payload.text)
    links, dropped = button_links(payload.reply_markup)
    answers = answer_links(tr, payload.event, recipient.person_id, answer_link)
    links = answers + links
    elsewhere = html.unescape(tr(ANSWER_ELSEWHERE)) if dropped and not answers else ""
    mailto = unsubscribe_mailto(identity, recipient.unsubscribe_token)
    web = unsubscribe_link(recipient.unsubscribe_token) if unsubscribe_link else None
    unsubscribe = web or mailto
    why = html.unescape(tr(WHY_FOOTER))
    stop = html.unescape(tr(HOW_TO_STOP, link=unsubscribe))
    message = EmailMessage()
    message["From"] = identity.from_header
    message["To"] = formataddr((recipient.name, recipient.address))
    message["Subject"] = subject
    message["Date"] = format_datetime(now)
    message["Message-ID"] = make_msgid(f"outbox{row.id}", domain=identity.domain)
    message["Auto-Submitted"] = "auto-generated"
    message["List-Unsubscribe"] = f"<{web}>, <{mailto}>" if web else f"<{mailto}>"
    if web:
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"  # RFC 8058
    message.set_content(_text_part(payload.text, links, elsewhere, why, stop))
    page = _PAGE.render(
        language=tr.language,
        subject=subject,
        body=html_body(payload.text),
        links=links,
        elsewhere=elsewhere,
        why=why,
        stop=stop,
    )
    message.add_alternative(page, subtype="html")
    if payload.event is not None:
        _attach_invitation(message, payload.event, recipient, identity, now)
    message["Content-Language"] = tr.language  # after the parts: they take Content-* along
    return message


def _text_part(text: str, links: Sequence[Link], elsewhere: str, why: str, stop: str) -> str:
    lines = [plain_text(text), ""]
    lines += [f"{link.label}: {link.url}" for link in links]
    if elsewhere:
        lines.append(elsewhere)
    lines += ["", "-- ", why, stop, ""]
    return "\n".join(lines)


def _attach_invitation(
    message: EmailMessage,
    event: OutboxEvent,
    recipient: Recipient,
    identity: MailIdentity,
    now: datetime,
) -> None:
    ics = invitation(event, identity, recipient.name, recipient.address, now)
    message.add_alternative(ics, subtype="calendar", params={"method": event.method})
    message.add_attachment(
        ics.encode(), maintype="application", subtype="ics", filename="invite.ics"
    )
