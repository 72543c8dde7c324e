"""How the sandbox's terminal shows the bot's HTML."""

from sandbox.terminal import html_to_terminal


def test_a_link_shows_its_address_once_when_its_text_is_the_address() -> None:
    text = '🔗 <a href="https://meet.example.org/x">https://meet.example.org/x</a>'

    assert html_to_terminal(text, ansi=False) == "🔗 https://meet.example.org/x"


def test_a_named_link_shows_its_address_after_the_name() -> None:
    text = 'See <a href="https://example.org/?a=1&amp;b=2">the notes</a>.'

    assert html_to_terminal(text, ansi=False) == "See the notes (https://example.org/?a=1&b=2)."


def test_bold_is_an_ansi_style_only_on_a_terminal() -> None:
    assert html_to_terminal("<b>Hi</b> &lt;you&gt;", ansi=False) == "Hi <you>"
    assert html_to_terminal("<b>Hi</b>", ansi=True) == "\033[1mHi\033[0m"
