"""Simulated people and chats: what they do becomes the updates Telegram would send."""

from __future__ import annotations

import pytest
import telegram
from telegram import InlineKeyboardButton as Btn
from telegram import InlineKeyboardMarkup as Inline
from telegram.error import BadRequest

from sandbox.emulator import Emulator, SimUser


async def updates_of(bot: telegram.Bot) -> list[telegram.Update]:
    """Fetch and confirm everything pending, every update type included."""
    updates = list(await bot.get_updates(allowed_updates=telegram.Update.ALL_TYPES))
    if updates:
        await bot.get_updates(offset=updates[-1].update_id + 1)
    return updates


def test_commands_get_bot_command_entities_with_utf16_offsets(emu: Emulator, ana: SimUser) -> None:
    message = emu.send_text(ana, "🌍 /join@wnmrc_test_bot climate and /help, not a/b")

    assert message.entities == [
        {"type": "bot_command", "offset": 3, "length": 20},
        {"type": "bot_command", "offset": 36, "length": 5},
    ]


async def test_a_private_message_starts_the_bot(bot: telegram.Bot, emu: Emulator) -> None:
    bob = emu.add_user("Bob", language_code="fr")

    emu.send_text(bob, "/start join_climate")
    update = (await updates_of(bot))[0]

    assert bob.started
    assert update.message is not None
    assert update.message.text == "/start join_climate"
    assert update.message.from_user == telegram.User(bob.id, "Bob", False, language_code="fr")
    assert update.message.chat.type == "private"


async def test_privacy_mode_hides_chatter_from_a_bot_that_is_not_admin(
    bot: telegram.Bot, emu: Emulator, ana: SimUser
) -> None:
    group = emu.add_group("WG", members=[ana], bot_is_admin=False)
    own = await bot.send_message(group.id, "Question for you")

    emu.send_text(ana, "just chatting", group)
    emu.send_text(ana, "/digest", group)
    emu.send_reply(ana, group, own.message_id, "an answer to the bot")
    texts = [u.message.text for u in await updates_of(bot) if u.message]

    assert texts == ["/digest", "an answer to the bot"]


async def test_an_admin_bot_sees_everything_and_a_removed_one_nothing(
    bot: telegram.Bot, emu: Emulator, ana: SimUser
) -> None:
    group = emu.add_group("WG", members=[ana])

    emu.send_text(ana, "just chatting", group)
    seen = [u.message.text for u in await updates_of(bot) if u.message]
    emu.remove_bot(group, by=ana)
    emu.send_text(ana, "after the bot left", group)
    after = await updates_of(bot)

    assert seen == ["just chatting"]
    assert [u.my_chat_member.new_chat_member.status for u in after if u.my_chat_member] == [
        "kicked"
    ]
    assert [u for u in after if u.message] == []


async def test_joining_and_leaving_members(bot: telegram.Bot, emu: Emulator, ana: SimUser) -> None:
    bob = emu.add_user("Bob")
    group = emu.add_group("WG", members=[ana], admins=[ana])

    emu.add_member(group, bob, by=ana)
    emu.remove_member(group, bob)
    updates = await updates_of(bot)

    changes = [u.chat_member for u in updates if u.chat_member]
    assert [(c.old_chat_member.status, c.new_chat_member.status) for c in changes] == [
        ("left", "member"),
        ("member", "left"),
    ]
    services = [u.message for u in updates if u.message]
    assert services[0].new_chat_members[0].id == bob.id
    assert services[0].from_user is not None
    assert services[0].from_user.id == ana.id
    assert services[1].left_chat_member is not None


async def test_blocking_and_unblocking_the_bot(
    bot: telegram.Bot, emu: Emulator, ana: SimUser
) -> None:
    emu.block_bot(ana)
    emu.unblock_bot(ana)

    changes = [u.my_chat_member for u in await updates_of(bot) if u.my_chat_member]

    assert [c.new_chat_member.status for c in changes] == ["kicked", "member"]
    assert changes[0].chat.id == ana.id


async def test_adding_the_bot_to_a_group(bot: telegram.Bot, emu: Emulator, ana: SimUser) -> None:
    group = emu.add_group("WG", members=[ana])
    emu.remove_bot(group, by=ana, kicked=False)

    emu.add_bot(group, by=ana, admin=True)
    updates = await updates_of(bot)

    statuses = [u.my_chat_member.new_chat_member.status for u in updates if u.my_chat_member]
    assert statuses == ["left", "administrator"]
    joined = [u.message for u in updates if u.message]
    assert joined[0].new_chat_members[0].id == emu.bot.id


async def test_migration_posts_both_service_messages(
    bot: telegram.Bot, emu: Emulator, ana: SimUser
) -> None:
    group = emu.add_group("WG", members=[ana], kind="group")

    supergroup = emu.migrate_group(group)
    messages = [u.message for u in await updates_of(bot) if u.message]

    assert [(m.chat.id, m.migrate_to_chat_id, m.migrate_from_chat_id) for m in messages] == [
        (group.id, supergroup.id, None),
        (supergroup.id, None, group.id),
    ]
    with pytest.raises(ValueError, match="migrated"):
        emu.send_text(ana, "hello?", group)


async def test_a_tap_sends_the_current_message_and_the_answer_is_recorded(
    bot: telegram.Bot, emu: Emulator, ana: SimUser
) -> None:
    menu = await bot.send_message(
        ana.id, "Language?", reply_markup=Inline([[Btn("Español", callback_data="lang:es")]])
    )
    await bot.edit_message_text(
        "Idioma?",
        ana.id,
        menu.message_id,
        reply_markup=Inline([[Btn("English", callback_data="lang:en")]]),
    )

    query_id = emu.tap(ana, emu.ledger[0], "English")
    query = (await updates_of(bot))[0].callback_query
    assert query is not None
    await bot.answer_callback_query(query_id, "Saved", show_alert=True)

    assert (query.id, query.data, query.from_user.id) == (query_id, "lang:en", ana.id)
    assert isinstance(query.message, telegram.Message)
    assert query.message.text == "Idioma?"
    answer = emu.callback_answers[-1]
    assert (answer.callback_query_id, answer.text, answer.show_alert) == (query_id, "Saved", True)
    with pytest.raises(BadRequest, match="Query is too old"):
        await bot.answer_callback_query(query_id)


async def test_callback_answers_are_checked(bot: telegram.Bot, emu: Emulator, ana: SimUser) -> None:
    menu = await bot.send_message(
        ana.id, "Pick", reply_markup=Inline([[Btn("A", callback_data="a")]])
    )
    query_id = emu.tap(ana, (ana.id, menu.message_id), data="a")

    with pytest.raises(BadRequest, match="Message_too_long"):
        await bot.answer_callback_query(query_id, "x" * 201)
    with pytest.raises(BadRequest, match="Query is too old"):
        await bot.answer_callback_query("12345")
    assert await bot.answer_callback_query(query_id, "x" * 200)


async def test_a_tap_needs_a_callback_button_on_the_current_message(
    bot: telegram.Bot, emu: Emulator, ana: SimUser
) -> None:
    menu = await bot.send_message(
        ana.id,
        "Pick",
        reply_markup=Inline([[Btn("A", callback_data="a"), Btn("Web", url="https://a.org")]]),
    )

    with pytest.raises(LookupError, match=r"no inline button 'B' .* \['A', 'Web'\]"):
        emu.tap(ana, emu.ledger[-1], "B")
    with pytest.raises(LookupError, match="has no callback"):
        emu.tap(ana, emu.ledger[-1], "Web")
    stale = emu.tap_data(ana, emu.ledger[-1], "old:data")
    await bot.delete_message(ana.id, menu.message_id)
    with pytest.raises(LookupError, match="does not exist"):
        emu.tap(ana, emu.ledger[0], "A")

    query = (await updates_of(bot))[0].callback_query
    assert query is not None
    assert (query.id, query.data) == (stale, "old:data")


async def test_next_message_follows_a_cursor_per_chat(
    bot: telegram.Bot, emu: Emulator, ana: SimUser
) -> None:
    bob = emu.add_user("Bob", started=True)
    await bot.send_message(ana.id, "one")
    await bot.send_message(bob.id, "for Bob")
    await bot.send_message(ana.id, "two")

    first = await emu.next_message(ana)
    second = await emu.next_message(ana.private_chat)
    to_bob = await emu.next_message(bob.id)

    assert [first.text, second.text, to_bob.text] == ["one", "two", "for Bob"]
    with pytest.raises(TimeoutError, match=r"(?s)nothing \(more\) to chat .*'for Bob'"):
        await emu.next_message(ana, timeout=0.05)


async def test_wait_until_and_settle_fail_clearly(emu: Emulator, ana: SimUser) -> None:
    def bot_replied() -> bool:
        return bool(emu.ledger)

    with pytest.raises(TimeoutError, match=r"bot_replied still false after 0\.05 s"):
        await emu.wait_until(bot_replied, timeout=0.05)
    await emu.settle(quiet=0.01)
    emu.send_text(ana, "nobody reads this")
    with pytest.raises(TimeoutError, match="1 updates pending"):
        await emu.settle(quiet=0.01, timeout=0.1)


def test_people_and_chats_can_be_found(emu: Emulator, ana: SimUser) -> None:
    group = emu.add_group("Climate WG", members=[ana], username="climate")

    assert emu.find_user("ana") is ana
    assert emu.find_user("@ANA") is ana
    assert emu.find_user("Ana Pérez") is ana
    assert emu.find_user("Zoe") is None
    assert emu.user(ana.id) is ana
    assert emu.chat("@climate") is group
    assert emu.chat(ana.id) is ana.private_chat
    assert emu.users == [ana]
    assert emu.chats == [ana.private_chat, group]


def test_people_must_belong_where_they_write(emu: Emulator, ana: SimUser) -> None:
    bob = emu.add_user("Bob")
    group = emu.add_group("WG", members=[bob])

    with pytest.raises(ValueError, match="not a member"):
        emu.send_text(ana, "hi", group)
    with pytest.raises(ValueError, match="private chat"):
        emu.send_text(ana, "hi", bob)
    with pytest.raises(ValueError, match="taken"):
        emu.add_user("Clone", user_id=ana.id)
