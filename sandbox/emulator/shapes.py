"""Bot API JSON objects built from the world. Absent optional fields are omitted, never null."""

from __future__ import annotations

from typing import Any

from .markup import inline_keyboard
from .world import ADMIN_RIGHTS, SimChat, SimMessage, SimPoll, SimUser, StoredFile, Topic

JSON = dict[str, Any]

_RESTRICTED_RIGHTS = (
    "can_send_messages",
    "can_send_audios",
    "can_send_documents",
    "can_send_photos",
    "can_send_videos",
    "can_send_video_notes",
    "can_send_voice_notes",
    "can_send_polls",
    "can_send_other_messages",
    "can_add_web_page_previews",
    "can_change_info",
    "can_invite_users",
    "can_pin_messages",
    "can_manage_topics",
    "can_edit_tag",
    "can_react_to_messages",
)
_NO_GIFTS = {
    "unlimited_gifts": False,
    "limited_gifts": False,
    "unique_gifts": False,
    "premium_subscription": False,
    "gifts_from_channels": False,
}


def _optional(target: JSON, **fields: Any) -> JSON:
    target.update({key: value for key, value in fields.items() if value is not None})
    return target


def user(person: SimUser) -> JSON:
    return _optional(
        {"id": person.id, "is_bot": person.is_bot, "first_name": person.first_name},
        last_name=person.last_name,
        username=person.username,
        language_code=person.language_code,
    )


def bot_user(bot: SimUser, *, reads_all_group_messages: bool) -> JSON:
    """The bot as getMe describes it (no inline mode)."""
    return {
        **user(bot),
        "can_join_groups": True,
        "can_read_all_group_messages": reads_all_group_messages,
        "supports_inline_queries": False,
        "can_connect_to_business": False,
        "has_main_web_app": False,
    }


def chat(sim: SimChat) -> JSON:
    if sim.is_private and sim.user is not None:
        person = sim.user
        return _optional(
            {"id": sim.id, "type": "private", "first_name": person.first_name},
            last_name=person.last_name,
            username=person.username,
        )
    shape = _optional({"id": sim.id, "type": sim.type, "title": sim.title}, username=sim.username)
    if sim.is_forum:
        shape["is_forum"] = True
    return shape


def full_chat(sim: SimChat) -> JSON:
    """ChatFullInfo, as getChat answers."""
    shape = {
        **chat(sim),
        "accent_color_id": 0,
        "max_reaction_count": 11,
        "accepted_gift_types": dict(_NO_GIFTS),
    }
    pinned = next((sim.message(i) for i in reversed(sim.pinned) if sim.message(i)), None)
    if pinned is not None:
        shape["pinned_message"] = message(pinned)
    return shape


def message(sim: SimMessage, *, with_reply: bool = True) -> JSON:
    shape: JSON = {"message_id": sim.message_id}
    if sim.chat.type == "channel":
        shape["sender_chat"] = chat(sim.chat)
    else:
        shape["from"] = user(sim.sender)
    shape.update(chat=chat(sim.chat), date=sim.date)
    if sim.thread_id is not None:
        shape["message_thread_id"] = sim.thread_id
        shape["is_topic_message"] = True
    if with_reply and sim.reply_to is not None:
        shape["reply_to_message"] = message(sim.reply_to, with_reply=False)
    _optional(shape, edit_date=sim.edit_date, text=sim.text, caption=sim.caption)
    if sim.entities:
        shape["entities"] = sim.entities
    if sim.caption_entities:
        shape["caption_entities"] = sim.caption_entities
    _add_attachments(shape, sim)
    shape.update(sim.service)
    keyboard = inline_keyboard(sim.reply_markup)
    if keyboard is not None:
        shape["reply_markup"] = keyboard
    return shape


def _add_attachments(shape: JSON, sim: SimMessage) -> None:
    if sim.document is not None:
        shape["document"] = document(sim.document)
    if sim.photo is not None:
        shape["photo"] = [photo_size(sim.photo)]
    if sim.poll is not None:
        shape["poll"] = poll(sim.poll)


def document(stored: StoredFile) -> JSON:
    return _optional(
        {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": stored.size,
        },
        file_name=stored.file_name,
        mime_type=stored.mime_type,
    )


def photo_size(stored: StoredFile) -> JSON:
    return {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "width": stored.width,
        "height": stored.height,
        "file_size": stored.size,
    }


def file(stored: StoredFile) -> JSON:
    """File, as getFile answers."""
    return _optional(
        {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": stored.size,
        },
        file_path=stored.file_path,
    )


def poll(sim: SimPoll) -> JSON:
    """A Poll (Bot API 10: options carry persistent ids; correct_option_ids is a list)."""
    counts = sim.counts()
    shape: JSON = {
        "id": sim.id,
        "question": sim.question,
        "options": [
            {"text": text, "voter_count": count, "persistent_id": str(index)}
            for index, (text, count) in enumerate(zip(sim.options, counts, strict=True))
        ],
        "total_voter_count": len(sim.votes),
        "is_closed": sim.is_closed,
        "is_anonymous": sim.is_anonymous,
        "type": sim.type,
        "allows_multiple_answers": sim.allows_multiple_answers,
        "allows_revoting": sim.allows_revoting,
        "members_only": False,
    }
    if sim.correct_option_ids:
        shape["correct_option_ids"] = list(sim.correct_option_ids)
    return shape


def poll_answer(sim: SimPoll, voter: SimUser, option_ids: list[int]) -> JSON:
    return {
        "poll_id": sim.id,
        "user": user(voter),
        "option_ids": option_ids,
        "option_persistent_ids": [str(index) for index in option_ids],
    }


def topic(sim: Topic) -> JSON:
    return _optional(
        {"message_thread_id": sim.thread_id, "name": sim.name, "icon_color": sim.icon_color},
        icon_custom_emoji_id=sim.icon_custom_emoji_id,
    )


def callback_query(query_id: str, sender: SimUser, sim: SimMessage, data: str) -> JSON:
    return {
        "id": query_id,
        "from": user(sender),
        "message": message(sim),
        "chat_instance": str(abs(sim.chat.id) * 7919 % 10**19),
        "data": data,
    }


def join_request(sim: SimChat, person: SimUser, date: int, bio: str | None) -> JSON:
    """A ChatJoinRequest: the private chat with the requester is ``user_chat_id``."""
    return _optional(
        {"chat": chat(sim), "from": user(person), "user_chat_id": person.id, "date": date},
        bio=bio,
    )


def member(person: SimUser, status: str, rights: dict[str, bool] | None = None) -> JSON:
    """A ChatMember of the variant ``status`` names."""
    shape: JSON = {"status": status, "user": user(person)}
    if status == "creator":
        shape["is_anonymous"] = False
    elif status == "administrator":
        shape.update(can_be_edited=False, is_anonymous=False, **(rights or ADMIN_RIGHTS))
    elif status == "restricted":
        shape.update(is_member=True, until_date=0, **dict.fromkeys(_RESTRICTED_RIGHTS, False))
    elif status == "kicked":
        shape["until_date"] = 0
    return shape


def member_updated(sim: SimChat, actor: SimUser, date: int, old: JSON, new: JSON) -> JSON:
    return {
        "chat": chat(sim),
        "from": user(actor),
        "date": date,
        "old_chat_member": old,
        "new_chat_member": new,
    }
