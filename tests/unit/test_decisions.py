"""The rules of proposals: typed texts and options, closing times, answers, the count and the
result, and how a proposal reads (pure functions)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.decisions import rules, texts
from bot.decisions.buttons import AnswerTap, option_of
from bot.decisions.rules import Ballot, Result
from bot.i18n import I18n
from bot.profile import Refusal

NOW = datetime(2026, 10, 1, 12, 0, tzinfo=UTC)
CONSENT = Ballot("consent")
CHOICE = Ballot("choice", ("Photo story", "Webinars", "Statement"), multiple=True)
SINGLE = Ballot("choice", ("Photo story", "Webinars"), multiple=False)


def test_texts_are_trimmed_and_bounded() -> None:
    assert rules.read_text("  Adopt it \n\n  because  ", 100) == "Adopt it\n\n  because"
    assert isinstance(rules.read_text("   ", 100), Refusal)
    refused = rules.read_text("x" * 11, 10)
    assert isinstance(refused, Refusal)
    assert refused.values == {"length": 11, "limit": 10}


def test_options_one_a_line_two_to_ten_each_once() -> None:
    assert rules.read_options("- Photo story\n\n• Webinars\n") == ["Photo story", "Webinars"]
    assert isinstance(rules.read_options("Only one"), Refusal)
    assert isinstance(rules.read_options("\n".join(str(i) for i in range(11))), Refusal)
    assert isinstance(rules.read_options("Same\nsame"), Refusal)
    assert isinstance(rules.read_options("ok\n" + "x" * 101), Refusal)


def test_closing_at_least_an_hour_and_at_most_ninety_days_ahead() -> None:
    assert rules.check_closing(NOW + timedelta(hours=1), NOW) is None
    assert isinstance(rules.check_closing(NOW + timedelta(minutes=59), NOW), Refusal)
    assert isinstance(rules.check_closing(NOW + timedelta(days=91), NOW), Refusal)


def test_taps_on_options_replace_one_or_toggle_several() -> None:
    assert rules.toggled(None, 1, multiple=False) == "1"
    assert rules.toggled("1", 0, multiple=False) == "0"
    assert rules.toggled("1", 0, multiple=True) == "0,1"
    assert rules.toggled("0,1", 1, multiple=True) == "0"
    assert rules.valid_answer(CHOICE, "0,2")
    assert not rules.valid_answer(SINGLE, "0,1")
    assert not rules.valid_answer(CHOICE, "3")
    assert not rules.valid_answer(CONSENT, "maybe")
    assert option_of("o3") == 3
    assert option_of("agree") is None
    assert AnswerTap.unpack("da:7:o2") == AnswerTap(7, "o2")


def test_who_may_answer() -> None:
    closes = NOW + timedelta(days=1)
    kw = {"closes_at": closes, "now": NOW}
    assert rules.answer_refusal(closed=False, in_audience=True, **kw) is None
    assert rules.answer_refusal(closed=False, in_audience=False, **kw) == rules.NOT_IN_AUDIENCE
    assert rules.answer_refusal(closed=True, in_audience=True, **kw) == rules.CLOSED
    late = {"closes_at": NOW, "now": NOW}
    assert rules.answer_refusal(closed=False, in_audience=False, **late) == rules.CLOSED


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        ([], Result("no_answers")),
        (["agree", "agree", "disagree"], Result("agreed")),
        (["agree", "disagree"], Result("not_agreed")),
        (["agree", "agree", "block"], Result("blocked")),
        (["abstain"], Result("not_agreed")),
    ],
)
def test_consent_passes_without_a_block_when_more_agree(
    answers: list[str], expected: Result
) -> None:
    counts = rules.tally(CONSENT, answers)
    assert sum(counts.values()) == len(answers)
    assert rules.result(CONSENT, counts, len(answers)) == expected


def test_a_choice_is_won_by_the_most_chosen_or_ties() -> None:
    counts = rules.tally(CHOICE, ["0,1", "1", "2"])
    assert counts == {"0": 1, "1": 2, "2": 1}
    assert rules.result(CHOICE, counts, 3) == Result("chosen", ("Webinars",))
    tie = rules.tally(CHOICE, ["0", "2"])
    assert rules.result(CHOICE, tie, 2) == Result("tie", ("Photo story", "Statement"))


def test_the_group_post_reads_in_the_readers_language_and_zone() -> None:
    tr = I18n().translator("fr")
    view = texts.ProposalView(
        id=3,
        title="Adopter <la> méthode",
        body="Parce que.",
        ballot=CONSENT,
        audience="Changement climatique",
        closes_at=datetime(2026, 10, 8, 16, 0, tzinfo=UTC),
        proposer=None,
        answers=(("Ana", "agree"), (None, "block")),
    )
    counts = rules.tally(CONSENT, ["agree", "block"])
    text = texts.post_text(tr, view, ZoneInfo("Europe/Paris"), counts)
    assert "🗳 Proposition n° 3 · Changement climatique" in text
    assert "<b>Adopter &lt;la&gt; méthode</b>" in text
    assert "Proposée par un ancien membre" in text
    assert "jeudi 8 octobre 2026 18:00 (Paris)" in text
    assert "👍 D’accord\u202f: 1 (Ana)" in text
    assert "✋ Bloquer\u202f: 1 (un ancien membre)" in text
    keyboard = texts.keyboard(tr, 3, CONSENT, "agree", private=True)
    assert keyboard is not None
    labels = [b["text"] for row in keyboard["inline_keyboard"] for b in row]
    assert labels[:4] == ["• 👍 D’accord", "🤷 Abstention", "👎 Pas d’accord", "✋ Bloquer"]
    assert labels[4:] == ["✍️ Ajouter une raison"]
