"""The sandbox's terminal: the bot's HTML as text, typed lines as messages, files saved."""

from pathlib import Path

from sandbox.display import save_attachment
from sandbox.emulator import Attachment
from sandbox.terminal import LineJoiner, html_to_terminal


def test_a_link_shows_its_address_once_when_its_text_is_the_address() -> None:
    text = '🔗 <a href="https://meet.example.org/x">https://meet.example.org/x</a>'

    assert html_to_terminal(text, ansi=False) == "🔗 https://meet.example.org/x"


def test_a_named_link_shows_its_address_after_the_name() -> None:
    text = 'See <a href="https://example.org/?a=1&amp;b=2">the notes</a>.'

    assert html_to_terminal(text, ansi=False) == "See the notes (https://example.org/?a=1&b=2)."


def test_bold_is_an_ansi_style_only_on_a_terminal() -> None:
    assert html_to_terminal("<b>Hi</b> &lt;you&gt;", ansi=False) == "Hi <you>"
    assert html_to_terminal("<b>Hi</b>", ansi=True) == "\033[1mHi\033[0m"


def test_a_backslash_at_the_end_continues_the_message() -> None:
    lines = LineJoiner()

    assert lines.add("1. Roadmap\\\n") is None
    assert lines.pending
    assert lines.add("2. Experiences\n") == "1. Roadmap\n2. Experiences"
    assert not lines.pending


def test_a_bracketed_paste_is_one_message_even_with_backslashes() -> None:
    lines = LineJoiner()

    assert lines.add("\x1b[200~first line\\\n") is None
    assert lines.add("\n") is None
    assert lines.add("last\x1b[201~ and more\n") == "first line\\\n\nlast and more"


def test_a_file_the_bot_sends_is_saved_once_and_a_different_one_beside_it(
    tmp_path: Path,
) -> None:
    first = Attachment("BQ1", "meetings.ics", "text/calendar", b"BEGIN:VCALENDAR one")
    again = Attachment("BQ2", "meetings.ics", "text/calendar", b"BEGIN:VCALENDAR one")
    other = Attachment("BQ3", "meetings.ics", "text/calendar", b"BEGIN:VCALENDAR two")
    photo = Attachment("AgAC00000042", None, None, bytes.fromhex("89504e470d0a1a0a") + b"...")

    assert save_attachment(tmp_path, first) == tmp_path / "meetings.ics"
    assert save_attachment(tmp_path, again) == tmp_path / "meetings.ics"
    assert save_attachment(tmp_path, other) == tmp_path / "meetings-2.ics"
    assert save_attachment(tmp_path, photo) == tmp_path / "photo-00000042.png"
    assert (tmp_path / "meetings-2.ics").read_bytes() == b"BEGIN:VCALENDAR two"
