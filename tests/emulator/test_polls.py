"""Polls: Telegram's checks on sendPoll, votes from people, stopPoll."""

from __future__ import annotations

import pytest
import telegram
from telegram.error import BadRequest

from sandbox.emulator import Emulator, SimUser


async def test_a_poll_collects_votes_and_closes(
    bot: telegram.Bot, emu: Emulator, ana: SimUser
) -> None:
    bob = emu.add_user("Bob")
    group = emu.add_group("WG", members=[ana, bob])
    sent = await bot.send_poll(
        group.id,
        "Which day?",
        ["Monday", telegram.InputPollOption("Tuesday")],
        is_anonymous=False,
    )
    assert sent.poll is not None

    emu.answer_poll(ana, sent.poll.id, [1])
    emu.answer_poll(bob, sent.poll.id, [0])
    updates = await bot.get_updates()
    closed = await bot.stop_poll(group.id, sent.message_id)

    answers = [u.poll_answer for u in updates if u.poll_answer]
    assert [(a.user.id, a.option_ids) for a in answers if a.user] == [
        (ana.id, (1,)),
        (bob.id, (0,)),
    ]
    assert closed.is_closed
    assert [o.voter_count for o in closed.options] == [1, 1]
    assert emu.ledger[0].poll is not None
    assert emu.ledger[0].poll["question"] == "Which day?"
    with pytest.raises(BadRequest, match="Poll has already been closed"):
        await bot.stop_poll(group.id, sent.message_id)
    with pytest.raises(ValueError, match="closed"):
        emu.answer_poll(ana, sent.poll.id, [0])


async def test_anonymous_polls_report_counts_only(
    bot: telegram.Bot, emu: Emulator, ana: SimUser
) -> None:
    sent = await bot.send_poll(ana.id, "Ok?", ["Yes", "No"])
    assert sent.poll is not None

    emu.answer_poll(ana, sent.poll.id, [0])
    updates = await bot.get_updates()

    assert [u.poll_answer for u in updates if u.poll_answer] == []
    polls = [u.poll for u in updates if u.poll]
    assert [o.voter_count for o in polls[-1].options] == [1, 0]


@pytest.mark.parametrize(
    ("question", "options", "reason"),
    [
        ("", ["a", "b"], "Poll question must be non-empty"),
        ("q" * 301, ["a", "b"], "Poll question length must not exceed 300"),
        ("Q", ["a"], "Poll must have at least 2 option"),
        ("Q", [str(i) for i in range(13)], "Poll can't have more than 12 options"),
        ("Q", ["a", ""], "Poll options must be non-empty"),
        ("Q", ["a", "b" * 101], "Poll options length must not exceed 100"),
    ],
)
async def test_poll_checks(
    bot: telegram.Bot, ana: SimUser, question: str, options: list[str], reason: str
) -> None:
    with pytest.raises(BadRequest, match=reason):
        await bot.send_poll(ana.id, question, options)


async def test_people_vote_within_the_poll_rules(
    bot: telegram.Bot, emu: Emulator, ana: SimUser
) -> None:
    sent = await bot.send_poll(ana.id, "One?", ["a", "b"])
    assert sent.poll is not None

    with pytest.raises(ValueError, match="one answer"):
        emu.answer_poll(ana, sent.poll.id, [0, 1])
    with pytest.raises(ValueError, match=r"options are 0\.\.1"):
        emu.answer_poll(ana, sent.poll.id, [2])
    with pytest.raises(LookupError):
        emu.answer_poll(ana, "nope", [0])
