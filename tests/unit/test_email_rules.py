"""Pure rules of the e-mail channel: which channels a message takes, Telegram HTML as mail,
and the codes that confirm an address."""

from datetime import UTC, datetime, timedelta

import pytest

from bot.channels import CODE_ATTEMPTS, check_code, code_hash, may_resend, new_code, typed_code
from bot.outbox.email import button_links, html_body, plain_text, subject_of
from storage.outbox import delivery_routes, is_mail_only_chat, mail_only_chat

NOW = datetime(2026, 3, 25, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("choice", "has_chat", "usable", "routes"),
    [
        (None, True, True, (True, False)),  # automatic: Telegram when there is a chat
        (None, False, True, (False, True)),  # else e-mail
        (None, False, False, (False, False)),  # nobody to reach
        ("email", True, True, (False, True)),
        ("email", True, False, (True, False)),  # unverified: keep Telegram
        ("both", True, True, (True, True)),
        ("both", False, True, (False, True)),
        ("telegram", False, True, (False, False)),  # unsubscribed from e-mail: never e-mail
        ("telegram", True, True, (True, False)),
    ],
)
def test_delivery_routes(
    choice: str | None, has_chat: bool, usable: bool, routes: tuple[bool, bool]
) -> None:
    assert delivery_routes(choice, has_chat, usable) == routes  # type: ignore[arg-type]


def test_mail_only_chats_are_below_every_telegram_chat() -> None:
    assert is_mail_only_chat(mail_only_chat(1))
    assert is_mail_only_chat(mail_only_chat(10**9))
    assert not is_mail_only_chat(-1001234567890123)
    assert not is_mail_only_chat(7_000_000_000)


def test_telegram_html_as_plain_text_html_and_subject() -> None:
    text = (
        "📅 <b>New meeting</b> &lt;draft&gt; &amp; more\n"
        '<a href="https://example.org/x">the agenda</a> · <a href="https://e.org">https://e.org</a>'
        "\n<tg-spoiler>secret</tg-spoiler>"
    )
    assert plain_text(text) == (
        "📅 New meeting <draft> & more\nthe agenda <https://example.org/x> · https://e.org\nsecret"
    )
    assert str(html_body(text)).startswith("📅 <b>New meeting</b> &lt;draft&gt; &amp; more<br>\n")
    assert "<span>secret</span>" in html_body(text)
    assert subject_of(text) == "📅 New meeting <draft> & more"
    assert subject_of("\n\n" + "x" * 200).endswith("…")
    assert len(subject_of("x" * 200)) == 120


def test_url_buttons_become_links_and_taps_are_dropped() -> None:
    links, dropped = button_links(
        {
            "inline_keyboard": [
                [{"text": "Open", "url": "https://e.org"}],
                [{"text": "Go", "callback_data": "m:1"}],
            ]
        }
    )
    assert [(link.label, link.url) for link in links] == [("Open", "https://e.org")]
    assert dropped
    assert button_links(None) == ([], False)


def test_a_code_is_six_digits_checked_against_its_hash_until_it_expires_or_is_guessed() -> None:
    code = new_code()
    assert typed_code(code) == code
    assert typed_code(f" {code[:3]} {code[3:]} ") == code
    assert typed_code("12345") is None
    assert typed_code("abcdef") is None
    stored = code_hash(7, code)
    assert code not in stored
    until = NOW + timedelta(minutes=30)
    assert check_code(7, code, stored, until, 0, NOW) == "right"
    assert check_code(8, code, stored, until, 0, NOW) == "wrong"  # another person's code
    other = "000000" if code != "000000" else "111111"
    assert check_code(7, other, stored, until, 0, NOW) == "wrong"
    assert check_code(7, code, stored, until, CODE_ATTEMPTS, NOW) == "expired"
    assert check_code(7, code, stored, NOW, 0, NOW) == "expired"
    assert check_code(7, code, None, None, 0, NOW) == "none"
    assert not may_resend(until, NOW + timedelta(seconds=30))
    assert may_resend(until, NOW + timedelta(minutes=1))
    assert may_resend(None, NOW)
