"""Chat information, forum topics and join requests: getChat, getChatMember,
getChatAdministrators, createForumTopic, approveChatJoinRequest, declineChatJoinRequest."""

from __future__ import annotations

from typing import Any

from .. import shapes
from ..backend import Backend
from ..errors import bad_request
from ..params import Params
from ..world import ADMIN_RIGHTS, DEFAULT_TOPIC_COLOR, TOPIC_COLORS, SimChat, SimUser
from .registry import api_method

TOPIC_NAME_LIMIT = 128


@api_method("getChat", chat_id="chat")
def get_chat(b: Backend, p: Params) -> Any:
    return shapes.full_chat(b.present_chat(p))


@api_method("getChatMember", chat_id="chat", user_id="int")
def get_chat_member(b: Backend, p: Params) -> Any:
    chat = b.present_chat(p)
    user_id = p.required_integer("user_id", "invalid user_id specified")
    person = b.world.person(user_id)
    if person is None:
        raise bad_request("user not found")
    return member_of(b, chat, person)


def member_of(b: Backend, chat: SimChat, person: SimUser) -> dict[str, Any]:
    """The ChatMember of a person (or the bot) in a chat."""
    if person is b.world.bot:
        status = "member" if chat.is_private else chat.bot_status
        return shapes.member(person, status, chat.bot_rights)
    if chat.is_private:
        return shapes.member(person, "member" if chat.user is person else "left")
    status = chat.members.get(person.id, "left")
    return shapes.member(person, status, ADMIN_RIGHTS)


@api_method("getChatAdministrators", chat_id="chat")
def get_chat_administrators(b: Backend, p: Params) -> Any:
    chat = b.present_chat(p)
    if chat.is_private:
        raise bad_request("there are no administrators in the private chat")
    admins = [
        member_of(b, chat, person)
        for user_id, status in chat.members.items()
        if status in ("creator", "administrator") and (person := b.world.users.get(user_id))
    ]
    if chat.bot_status in ("creator", "administrator"):
        admins.append(member_of(b, chat, b.world.bot))
    return admins


@api_method(
    "createForumTopic", chat_id="chat", name="str", icon_color="int", icon_custom_emoji_id="str"
)
def create_forum_topic(b: Backend, p: Params) -> Any:
    chat = b.writable_chat(p)
    if not chat.is_forum:
        raise bad_request("the chat is not a forum")
    if not chat.bot_can("can_manage_topics"):
        raise bad_request("not enough rights to create a topic")
    name = (p.string("name") or "").strip()
    if not 1 <= len(name) <= TOPIC_NAME_LIMIT:
        raise bad_request("TOPIC_NAME_INVALID")
    color = p.integer("icon_color")
    if color is not None and color not in TOPIC_COLORS:
        raise bad_request("TOPIC_ICON_COLOR_INVALID")
    topic = b.world.open_topic(chat, b.world.bot, name, color or DEFAULT_TOPIC_COLOR)
    topic.icon_custom_emoji_id = p.string("icon_custom_emoji_id") or None
    return shapes.topic(topic)


@api_method("approveChatJoinRequest", chat_id="chat", user_id="int")
def approve_chat_join_request(b: Backend, p: Params) -> Any:
    chat, person = _join_request(b, p)
    if chat.members.get(person.id, "left") not in ("left", "kicked"):
        chat.join_requests.discard(person.id)
        raise bad_request("USER_ALREADY_PARTICIPANT")
    chat.join_requests.discard(person.id)
    chat.members[person.id] = "member"
    return True


@api_method("declineChatJoinRequest", chat_id="chat", user_id="int")
def decline_chat_join_request(b: Backend, p: Params) -> Any:
    chat, person = _join_request(b, p)
    chat.join_requests.discard(person.id)
    return True


def _join_request(b: Backend, p: Params) -> tuple[SimChat, SimUser]:
    """The chat and the person of a pending join request, as Telegram checks them."""
    chat = b.present_chat(p)
    if chat.is_private:
        raise bad_request("method is available for supergroup and channel chats only")
    if chat.bot_status not in ("administrator", "creator") or not chat.bot_can("can_invite_users"):
        raise bad_request("CHAT_ADMIN_REQUIRED")
    user_id = p.required_integer("user_id", "invalid user_id specified")
    person = b.world.person(user_id)
    if person is None:
        raise bad_request("user not found")
    if person.id not in chat.join_requests:
        raise bad_request("HIDE_REQUESTER_MISSING")
    return chat, person
