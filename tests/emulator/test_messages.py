"""Sending, editing and deleting messages through PTB's real HTTP stack."""

from __future__ import annotations

import pytest
import telegram
from telegram import InlineKeyboardButton as Btn
from telegram import InlineKeyboardMarkup as Inline
from telegram.constants import ParseMode
from telegram.error import BadRequest

from sandbox.emulator import Button, Emulator, SimUser

NOT_MODIFIED = (
    "Message is not modified: specified new message content and reply markup are exactly the "
    "same as a current content and reply markup of the message"
)


def keyboard(*labels: str) -> Inline:
    return Inline([[Btn(label, callback_data=f"pick:{label}") for label in labels]])


async def test_html_text_becomes_plain_text_with_utf16_entities(
    bot: telegram.Bot, emu: Emulator, ana: SimUser
) -> None:
    sent = await bot.send_message(ana.id, "🌍 <b>Hola</b> &amp; <i>adiós</i>", parse_mode="HTML")

    assert sent.text == "🌍 Hola & adiós"
    assert [(e.type, e.offset, e.length) for e in sent.entities] == [
        ("bold", 3, 4),
        ("italic", 10, 5),
    ]
    entry = emu.ledger[-1]
    assert (entry.kind, entry.method, entry.chat_id) == ("send", "sendMessage", ana.id)
    assert entry.text == "🌍 Hola & adiós"
    assert entry.html == "🌍 <b>Hola</b> &amp; <i>adiós</i>"


async def test_parse_mode_is_case_insensitive_and_absent_means_literal(
    bot: telegram.Bot, ana: SimUser
) -> None:
    lower = await bot.send_message(ana.id, "<b>x</b>", parse_mode="html")
    literal = await bot.send_message(ana.id, "<b>x</b> & y")

    assert lower.text == "x"
    assert literal.text == "<b>x</b> & y"


async def test_given_entities_are_kept_without_parse_mode(bot: telegram.Bot, ana: SimUser) -> None:
    entity = telegram.MessageEntity("bold", 0, 2)

    sent = await bot.send_message(ana.id, "hi there", entities=[entity])

    assert sent.entities == (entity,)


async def test_malformed_html_cannot_be_parsed(bot: telegram.Bot, ana: SimUser) -> None:
    with pytest.raises(BadRequest, match="Can't parse entities: unsupported start tag"):
        await bot.send_message(ana.id, "a <br> b", parse_mode=ParseMode.HTML)


async def test_an_unknown_parse_mode_is_refused(bot: telegram.Bot, ana: SimUser) -> None:
    with pytest.raises(BadRequest, match="Unsupported parse_mode"):
        await bot.send_message(ana.id, "*x*", parse_mode="MarkdownV3")


async def test_text_limit_counts_utf16_code_units(bot: telegram.Bot, ana: SimUser) -> None:
    await bot.send_message(ana.id, "x" * 4096)
    await bot.send_message(ana.id, "<b>" + "x" * 4096 + "</b>", parse_mode="HTML")

    with pytest.raises(BadRequest, match="Message is too long"):
        await bot.send_message(ana.id, "x" * 4097)
    with pytest.raises(BadRequest, match="Message is too long"):
        await bot.send_message(ana.id, "🏟" * 2049)


@pytest.mark.parametrize("text", ["   \n ", "<b> </b>", "<b></b>"])
async def test_text_empty_after_parsing_is_refused(
    bot: telegram.Bot, ana: SimUser, text: str
) -> None:
    with pytest.raises(BadRequest, match="Message text is empty"):
        await bot.send_message(ana.id, text, parse_mode="HTML")


async def test_surrounding_whitespace_is_trimmed_like_telegram(
    bot: telegram.Bot, ana: SimUser
) -> None:
    sent = await bot.send_message(ana.id, "\n  <b>hi</b>  \n", parse_mode="HTML")

    assert sent.text == "hi"
    assert [(e.offset, e.length) for e in sent.entities] == [(0, 2)]


async def test_inline_keyboards_are_echoed_and_ledgered(
    bot: telegram.Bot, emu: Emulator, ana: SimUser
) -> None:
    link = Btn("Site", url="https://example.org")

    sent = await bot.send_message(
        ana.id, "Pick", reply_markup=Inline([[Btn("A", callback_data="a")], [link]])
    )

    assert sent.reply_markup is not None
    assert emu.ledger[-1].buttons == [[Button("A", data="a")], [Button("Site", url=link.url)]]
    assert emu.ledger[-1].button_texts == ["A", "Site"]


async def test_callback_data_over_64_bytes_is_invalid(bot: telegram.Bot, ana: SimUser) -> None:
    await bot.send_message(ana.id, "ok", reply_markup=keyboard("é" * 27))  # 64 bytes with "pick:"

    with pytest.raises(BadRequest, match="Button_data_invalid"):
        await bot.send_message(
            ana.id, "x", reply_markup=Inline([[Btn("B", callback_data="x" * 65)]])
        )
    with pytest.raises(BadRequest, match="Button_data_invalid"):
        await bot.send_message(
            ana.id, "x", reply_markup=Inline([[Btn("B", callback_data="é" * 33)]])
        )


@pytest.mark.parametrize("url", ["ftp://example.org", "example.org", "javascript:alert(1)"])
async def test_button_urls_need_http_or_tg(bot: telegram.Bot, ana: SimUser, url: str) -> None:
    with pytest.raises(BadRequest, match="Button_url_invalid"):
        await bot.send_message(ana.id, "x", reply_markup=Inline([[Btn("B", url=url)]]))


async def test_each_inline_button_needs_exactly_one_action(bot: telegram.Bot, ana: SimUser) -> None:
    with pytest.raises(BadRequest, match="text buttons are unallowed in the inline keyboard"):
        await bot.send_message(ana.id, "x", reply_markup=Inline([[Btn("B")]]))
    with pytest.raises(BadRequest, match="exactly one"):
        await bot.send_message(
            ana.id,
            "x",
            reply_markup=Inline([[Btn("B", callback_data="b", url="https://a.org")]]),
        )


async def test_reply_keyboards_removal_and_force_reply_are_accepted(
    bot: telegram.Bot, emu: Emulator, ana: SimUser
) -> None:
    reply_keyboard = telegram.ReplyKeyboardMarkup([["Yes", "No"]], resize_keyboard=True)

    shown = await bot.send_message(ana.id, "Sure?", reply_markup=reply_keyboard)
    await bot.send_message(ana.id, "Removed", reply_markup=telegram.ReplyKeyboardRemove())
    await bot.send_message(ana.id, "Name?", reply_markup=telegram.ForceReply())

    assert shown.reply_markup is None
    assert emu.ledger[0].reply_markup == reply_keyboard.to_dict()
    assert emu.ledger[0].buttons == []


async def test_edits_change_text_and_markup_and_are_ledgered(
    bot: telegram.Bot, emu: Emulator, ana: SimUser
) -> None:
    sent = await bot.send_message(ana.id, "Choose", reply_markup=keyboard("A", "B"))

    edited = await bot.edit_message_text(
        "<b>Chosen</b>", ana.id, sent.message_id, parse_mode="HTML", reply_markup=keyboard("C")
    )

    assert isinstance(edited, telegram.Message)
    assert edited.text == "Chosen"
    assert edited.edit_date is not None
    current = emu.message(ana.id, sent.message_id)
    assert current is not None
    assert (current.text, current.buttons) == ("Chosen", [[Button("C", "pick:C")]])
    assert [(e.kind, e.method) for e in emu.ledger] == [
        ("send", "sendMessage"),
        ("edit", "editMessageText"),
    ]


async def test_editing_text_without_markup_removes_the_keyboard(
    bot: telegram.Bot, emu: Emulator, ana: SimUser
) -> None:
    sent = await bot.send_message(ana.id, "Choose", reply_markup=keyboard("A"))

    await bot.edit_message_text("Done", ana.id, sent.message_id)

    current = emu.message(ana.id, sent.message_id)
    assert current is not None
    assert current.buttons == []


async def test_an_identical_edit_is_not_modified(bot: telegram.Bot, ana: SimUser) -> None:
    sent = await bot.send_message(
        ana.id, "<b>Same</b>", parse_mode="HTML", reply_markup=keyboard("A")
    )

    with pytest.raises(BadRequest) as refused:
        await bot.edit_message_text(
            "<b>Same</b>", ana.id, sent.message_id, parse_mode="HTML", reply_markup=keyboard("A")
        )
    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_reply_markup(ana.id, sent.message_id, reply_markup=keyboard("A"))

    assert refused.value.message == NOT_MODIFIED
    await bot.edit_message_text("Same", ana.id, sent.message_id, reply_markup=keyboard("A"))


async def test_edit_reply_markup_alone(bot: telegram.Bot, emu: Emulator, ana: SimUser) -> None:
    sent = await bot.send_message(ana.id, "Choose", reply_markup=keyboard("A"))

    edited = await bot.edit_message_reply_markup(ana.id, sent.message_id)

    assert isinstance(edited, telegram.Message)
    assert edited.reply_markup is None
    assert emu.ledger[-1].method == "editMessageReplyMarkup"
    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_reply_markup(ana.id, sent.message_id)


async def test_edits_need_an_existing_message_of_the_bot(
    bot: telegram.Bot, emu: Emulator, ana: SimUser
) -> None:
    from_ana = emu.send_text(ana, "my own words")

    with pytest.raises(BadRequest, match="Message to edit not found"):
        await bot.edit_message_text("x", ana.id, 999)
    with pytest.raises(BadRequest, match="Message can't be edited"):
        await bot.edit_message_text("x", ana.id, from_ana.message_id)


async def test_deleted_messages_are_gone(bot: telegram.Bot, emu: Emulator, ana: SimUser) -> None:
    sent = await bot.send_message(ana.id, "Soon gone")

    assert await bot.delete_message(ana.id, sent.message_id) is True

    assert emu.message(ana.id, sent.message_id) is None
    assert emu.ledger[-1].kind == "delete"
    with pytest.raises(BadRequest, match="Message to delete not found"):
        await bot.delete_message(ana.id, sent.message_id)
    with pytest.raises(BadRequest, match="Message to edit not found"):
        await bot.edit_message_text("x", ana.id, sent.message_id)


async def test_replies_quote_the_replied_message(
    bot: telegram.Bot, emu: Emulator, ana: SimUser
) -> None:
    question = emu.send_text(ana, "Where?")

    answer = await bot.send_message(ana.id, "Here", reply_to_message_id=question.message_id)

    assert answer.reply_to_message is not None
    assert answer.reply_to_message.text == "Where?"
    with pytest.raises(BadRequest, match="Message to be replied not found"):
        await bot.send_message(ana.id, "x", reply_to_message_id=999)
    lenient = telegram.ReplyParameters(999, allow_sending_without_reply=True)
    assert (await bot.send_message(ana.id, "x", reply_parameters=lenient)).reply_to_message is None


async def test_chat_actions(bot: telegram.Bot, ana: SimUser) -> None:
    assert await bot.send_chat_action(ana.id, "typing") is True
    with pytest.raises(BadRequest, match="Wrong parameter action in request"):
        await bot.send_chat_action(ana.id, "dancing")
