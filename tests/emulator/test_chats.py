"""Chats: who the bot may write to, migration, chat info, members, pins and forum topics."""

from __future__ import annotations

import pytest
import telegram
from telegram.error import BadRequest, ChatMigrated, Forbidden

from sandbox.emulator import Emulator, SimUser


async def test_an_unknown_chat_is_not_found(bot: telegram.Bot) -> None:
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.send_message(424242, "hello?")
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.send_message("@nobody_here", "hello?")


async def test_public_groups_answer_to_their_username(bot: telegram.Bot, emu: Emulator) -> None:
    group = emu.add_group("Climate WG", username="climate_wg")

    sent = await bot.send_message("@climate_wg", "Hello group")

    assert sent.chat.id == group.id


async def test_a_person_who_never_started_the_bot_cannot_be_messaged(
    bot: telegram.Bot, emu: Emulator
) -> None:
    bob = emu.add_user("Bob")

    with pytest.raises(Forbidden, match="bot can't initiate conversation with a user"):
        await bot.send_message(bob.id, "hi")

    emu.send_text(bob, "hello")
    await bot.send_message(bob.id, "now I may")


async def test_a_person_who_blocked_the_bot_cannot_be_messaged(
    bot: telegram.Bot, emu: Emulator, ana: SimUser
) -> None:
    emu.block_bot(ana)

    emu.send_text(ana, "/help")
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(ana.id, "hi")

    emu.unblock_bot(ana)
    await bot.send_message(ana.id, "welcome back")


@pytest.mark.parametrize("kind", ["group", "supergroup"])
async def test_a_group_the_bot_was_kicked_from_is_forbidden(
    bot: telegram.Bot, emu: Emulator, kind: str
) -> None:
    group = emu.add_group("WG", kind=kind)  # type: ignore[arg-type]
    emu.remove_bot(group)

    with pytest.raises(Forbidden, match=f"bot was kicked from the {kind} chat"):
        await bot.send_message(group.id, "hi")


async def test_a_group_the_bot_left_is_not_a_member(bot: telegram.Bot, emu: Emulator) -> None:
    group = emu.add_group("WG", kind="group")
    emu.remove_bot(group, kicked=False)

    with pytest.raises(Forbidden, match="bot is not a member of the group chat"):
        await bot.get_chat(group.id)


async def test_a_migrated_group_points_to_its_supergroup(
    bot: telegram.Bot, emu: Emulator, ana: SimUser
) -> None:
    group = emu.add_group("WG", members=[ana], kind="group")
    supergroup = emu.migrate_group(group)

    with pytest.raises(ChatMigrated) as migrated:
        await bot.send_message(group.id, "hi")

    assert migrated.value.new_chat_id == supergroup.id
    assert supergroup.id < -1_000_000_000_000
    sent = await bot.send_message(supergroup.id, "hi again")
    assert sent.chat.type == "supergroup"


async def test_get_chat_describes_private_chats_and_groups(
    bot: telegram.Bot, emu: Emulator, ana: SimUser
) -> None:
    forum = emu.add_group("Roadmap", is_forum=True, username="roadmap")

    private = await bot.get_chat(ana.id)
    group = await bot.get_chat(forum.id)

    assert (private.type, private.first_name, private.username) == ("private", "Ana", "ana")
    assert (group.type, group.title, group.is_forum, group.username) == (
        "supergroup",
        "Roadmap",
        True,
        "roadmap",
    )


async def test_chat_members_have_the_shapes_ptb_parses(
    bot: telegram.Bot, emu: Emulator, ana: SimUser
) -> None:
    bob, eve, zoe = emu.add_user("Bob"), emu.add_user("Eve"), emu.add_user("Zoe")
    group = emu.add_group("WG", members=[ana], admins=[bob], creator=eve)
    group.members[zoe.id] = "restricted"

    members = {
        person.first_name: await bot.get_chat_member(group.id, person.id)
        for person in (ana, bob, eve, zoe, emu.add_user("Max"))
    }
    me = await bot.get_chat_member(group.id, emu.bot.id)

    assert isinstance(members["Ana"], telegram.ChatMemberMember)
    assert isinstance(members["Bob"], telegram.ChatMemberAdministrator)
    assert isinstance(members["Eve"], telegram.ChatMemberOwner)
    assert isinstance(members["Zoe"], telegram.ChatMemberRestricted)
    assert isinstance(members["Max"], telegram.ChatMemberLeft)
    assert isinstance(me, telegram.ChatMemberAdministrator)
    assert me.can_pin_messages
    with pytest.raises(BadRequest, match="User not found"):
        await bot.get_chat_member(group.id, 777)


async def test_administrators_include_the_owner_and_an_admin_bot(
    bot: telegram.Bot, emu: Emulator, ana: SimUser
) -> None:
    bob = emu.add_user("Bob")
    group = emu.add_group("WG", members=[ana], admins=[bob], creator=ana)

    admins = await bot.get_chat_administrators(group.id)

    assert {a.user.id: a.status for a in admins} == {
        ana.id: "creator",
        bob.id: "administrator",
        emu.bot.id: "administrator",
    }
    with pytest.raises(BadRequest, match="There are no administrators in the private chat"):
        await bot.get_chat_administrators(ana.id)


async def test_pinning_needs_pin_rights_in_groups(
    bot: telegram.Bot, emu: Emulator, ana: SimUser
) -> None:
    admin_group = emu.add_group("Admins", members=[ana])
    plain_group = emu.add_group("Plain", members=[ana], bot_is_admin=False)
    in_admin = await bot.send_message(admin_group.id, "Agenda")
    in_plain = await bot.send_message(plain_group.id, "Agenda")
    in_private = await bot.send_message(ana.id, "Agenda")

    assert await bot.pin_chat_message(admin_group.id, in_admin.message_id)
    assert await bot.pin_chat_message(ana.id, in_private.message_id)
    with pytest.raises(BadRequest, match="Not enough rights to manage pinned messages"):
        await bot.pin_chat_message(plain_group.id, in_plain.message_id)
    emu.set_bot_admin(plain_group, can_pin_messages=False)
    with pytest.raises(BadRequest, match="Not enough rights to manage pinned messages"):
        await bot.pin_chat_message(plain_group.id, in_plain.message_id)

    assert admin_group.pinned == [in_admin.message_id]
    pinned = (await bot.get_chat(admin_group.id)).pinned_message
    assert pinned is not None
    assert pinned.message_id == in_admin.message_id
    assert await bot.unpin_chat_message(admin_group.id)
    assert admin_group.pinned == []
    with pytest.raises(BadRequest, match="Message to pin not found"):
        await bot.pin_chat_message(admin_group.id, 999)


async def test_forum_topics_and_threads(bot: telegram.Bot, emu: Emulator, ana: SimUser) -> None:
    forum = emu.add_group("Roadmap", members=[ana], is_forum=True)
    plain = emu.add_group("Plain")

    topic = await bot.create_forum_topic(forum.id, "Deadlines")
    sent = await bot.send_message(
        forum.id, "In the topic", message_thread_id=topic.message_thread_id
    )

    assert (topic.name, topic.icon_color) == ("Deadlines", 0x6FB9F0)
    assert sent.message_thread_id == topic.message_thread_id
    assert sent.is_topic_message
    assert emu.ledger[-1].message_thread_id == topic.message_thread_id
    with pytest.raises(BadRequest, match="The chat is not a forum"):
        await bot.create_forum_topic(plain.id, "Nope")
    with pytest.raises(BadRequest, match="Message thread not found"):
        await bot.send_message(forum.id, "x", message_thread_id=topic.message_thread_id + 100)
    with pytest.raises(BadRequest, match="Message thread not found"):
        await bot.send_message(plain.id, "x", message_thread_id=1)


async def test_people_open_topics_and_write_in_them(
    bot: telegram.Bot, emu: Emulator, ana: SimUser
) -> None:
    forum = emu.add_group("Roadmap", members=[ana], is_forum=True)

    thread_id = emu.add_topic(forum, "Questions", by=ana)
    question = emu.send_text(ana, "When?", forum, thread_id=thread_id)
    updates = await bot.get_updates()

    assert [u.message.message_thread_id for u in updates if u.message] == [thread_id, thread_id]
    assert updates[0].message is not None
    assert updates[0].message.forum_topic_created is not None
    assert question.thread_id == thread_id


async def test_join_requests_reach_an_admin_bot_and_are_approved_or_declined_once(
    bot: telegram.Bot, emu: Emulator, ana: SimUser
) -> None:
    bob, eve = emu.add_user("Bob"), emu.add_user("Eve")
    group = emu.add_group("WG", members=[ana], creator=ana)
    emu.set_bot_admin(group)
    await bot.get_updates(offset=-1)

    emu.ask_to_join(group, bob, bio="Reserve manager")
    emu.ask_to_join(group, eve)
    updates = await bot.get_updates(allowed_updates=["chat_join_request"])

    requests = [u.chat_join_request for u in updates if u.chat_join_request is not None]
    assert [(r.from_user.id, r.user_chat_id, r.bio) for r in requests] == [
        (bob.id, bob.id, "Reserve manager"),
        (eve.id, eve.id, None),
    ]
    assert await bot.approve_chat_join_request(group.id, bob.id)
    assert await bot.decline_chat_join_request(group.id, eve.id)
    assert isinstance(await bot.get_chat_member(group.id, bob.id), telegram.ChatMemberMember)
    assert isinstance(await bot.get_chat_member(group.id, eve.id), telegram.ChatMemberLeft)
    for again in (bot.approve_chat_join_request, bot.decline_chat_join_request):
        with pytest.raises(BadRequest, match="Hide_requester_missing"):
            await again(group.id, bob.id)
    with pytest.raises(BadRequest, match="Hide_requester_missing"):
        await bot.approve_chat_join_request(group.id, ana.id)


async def test_only_an_admin_bot_with_invite_rights_handles_join_requests(
    bot: telegram.Bot, emu: Emulator, ana: SimUser
) -> None:
    bob = emu.add_user("Bob")
    group = emu.add_group("WG", members=[ana], creator=ana)
    emu.set_bot_admin(group, can_invite_users=False)
    await bot.get_updates(offset=-1)
    emu.ask_to_join(group, bob)

    assert not any(u.chat_join_request for u in await bot.get_updates(offset=-1, timeout=0))
    with pytest.raises(BadRequest, match="Chat_admin_required"):
        await bot.approve_chat_join_request(group.id, bob.id)
    with pytest.raises(BadRequest, match="Chat_admin_required"):
        await bot.decline_chat_join_request(group.id, bob.id)
    with pytest.raises(BadRequest, match="Method is available for supergroup and channel"):
        await bot.approve_chat_join_request(ana.id, bob.id)
