"""Simulated people: accounts, groups, and what they do (each action queues its updates)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from . import shapes
from .backend import Backend
from .images import image_size
from .journal import LedgerEntry
from .markup import Button
from .text import command_entities
from .world import (
    ADMIN_RIGHTS,
    DEFAULT_TOPIC_COLOR,
    PRESENT_STATUSES,
    ChatType,
    MemberStatus,
    SimChat,
    SimMessage,
    SimUser,
    unix_now,
)

ANONYMOUS_ADMIN = SimUser(1087968824, "Group", username="GroupAnonymousBot", is_bot=True)
ChatRef = SimChat | SimUser | int
MessageRef = LedgerEntry | SimMessage | tuple[int, int]


class People:
    """The people side of the emulator (mixed into :class:`Emulator`)."""

    backend: Backend

    # accounts and chats

    def add_user(
        self,
        first_name: str,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = None,
        user_id: int | None = None,
        *,
        started: bool = False,
    ) -> SimUser:
        """A person; ``started=True`` as if they had already written to the bot."""
        world = self.backend.world
        person = SimUser(
            id=user_id if user_id is not None else world.free_user_id(),
            first_name=first_name,
            last_name=last_name,
            username=username,
            language_code=language_code,
            started=started,
        )
        return world.add_user(person)

    def add_group(
        self,
        title: str,
        members: Iterable[SimUser] = (),
        admins: Iterable[SimUser] = (),
        kind: ChatType = "supergroup",
        is_forum: bool = False,
        bot_is_admin: bool = True,
        *,
        creator: SimUser | None = None,
        username: str | None = None,
        chat_id: int | None = None,
    ) -> SimChat:
        """A group, supergroup or channel the bot is already in (no update is queued)."""
        if kind == "private":
            raise ValueError("private chats come with add_user()")
        if is_forum and kind != "supergroup":
            raise ValueError("only supergroups can be forums")
        world = self.backend.world
        chat = SimChat(
            id=chat_id if chat_id is not None else world.new_chat_id(kind),
            type=kind,
            title=title,
            username=username,
            is_forum=is_forum,
            bot_status="administrator" if bot_is_admin else "member",
        )
        for person in members:
            chat.members[person.id] = "member"
        for person in admins:
            chat.members[person.id] = "administrator"
        if creator is not None:
            chat.members[creator.id] = "creator"
        return world.add_chat(chat)

    def add_topic(self, chat: SimChat, name: str, *, by: SimUser | None = None) -> int:
        """A person opens a forum topic; returns its message_thread_id."""
        if not chat.is_forum:
            raise ValueError(f"{chat.title!r} is not a forum")
        actor = by or self._actor(chat)
        topic = self.backend.world.open_topic(chat, actor, name, DEFAULT_TOPIC_COLOR)
        self._deliver(chat.messages[topic.thread_id])
        return topic.thread_id

    def add_member(self, chat: SimChat, user: SimUser, *, by: SimUser | None = None) -> None:
        """``user`` joins (or ``by`` adds them): chat_member update and a service message."""
        old = self._set_status(chat, user, "member")
        self._member_changed(chat, by or user, user, old, "member")
        self._service(chat, by or user, new_chat_members=[shapes.user(user)])

    def ask_to_join(self, chat: SimChat, user: SimUser, bio: str | None = None) -> None:
        """``user`` asks to join through a request link: a chat_join_request update reaches
        a bot that administers the chat with the right to invite users."""
        if chat.is_private or chat.members.get(user.id, "left") not in ("left", "kicked"):
            raise ValueError(f"{user.first_name} cannot ask to join {chat.title}")
        chat.join_requests.add(user.id)
        if chat.bot_status in ("administrator", "creator") and chat.bot_can("can_invite_users"):
            request = shapes.join_request(chat, user, unix_now(), bio)
            self.backend.updates.push("chat_join_request", request)

    def remove_member(self, chat: SimChat, user: SimUser, *, by: SimUser | None = None) -> None:
        """``user`` leaves (or ``by`` bans them): chat_member update and a service message."""
        new: MemberStatus = "kicked" if by is not None else "left"
        old = self._set_status(chat, user, new)
        self._member_changed(chat, by or user, user, old, new)
        self._service(chat, by or user, left_chat_member=shapes.user(user))

    def add_bot(self, chat: SimChat, *, by: SimUser | None = None, admin: bool = False) -> None:
        """Someone adds the bot to a group: my_chat_member update and a service message."""
        actor = by or self._actor(chat)
        self._bot_changed(chat, actor, "administrator" if admin else "member")
        self._service(chat, actor, new_chat_members=[shapes.user(self.backend.world.bot)])

    def remove_bot(self, chat: SimChat, *, by: SimUser | None = None, kicked: bool = True) -> None:
        """The bot is removed (``kicked``) or leaves; later sends there get 403."""
        self._bot_changed(chat, by or self._actor(chat), "kicked" if kicked else "left")

    def set_bot_admin(
        self, chat: SimChat, admin: bool = True, *, by: SimUser | None = None, **rights: bool
    ) -> None:
        """Promote the bot (with ``rights`` overriding full rights) or demote it to member."""
        chat.bot_rights = {**ADMIN_RIGHTS, **rights}
        self._bot_changed(chat, by or self._actor(chat), "administrator" if admin else "member")

    def block_bot(self, user: SimUser) -> None:
        """``user`` blocks the bot: its sends there get 403 (what ``user`` writes still arrives)."""
        user.blocked = True
        self._bot_changed(user.private_chat, user, "kicked")

    def unblock_bot(self, user: SimUser) -> None:
        user.blocked, user.started = False, True
        self._bot_changed(user.private_chat, user, "member")

    def migrate_group(self, chat: SimChat, *, by: SimUser | None = None) -> SimChat:
        """Upgrade a basic group to a supergroup; the old id then answers 'upgraded'."""
        if chat.type != "group" or chat.migrated_to is not None:
            raise ValueError("only a basic group that was not migrated yet can be migrated")
        world = self.backend.world
        actor = by or self._actor(chat)
        supergroup = world.add_chat(
            SimChat(
                id=world.new_chat_id("supergroup"),
                type="supergroup",
                title=chat.title,
                members=dict(chat.members),
                bot_status=chat.bot_status,
                bot_rights=dict(chat.bot_rights),
                migrated_from=chat.id,
            )
        )
        chat.migrated_to = supergroup.id
        self._service(chat, actor, migrate_to_chat_id=supergroup.id)
        self._service(supergroup, actor, migrate_from_chat_id=chat.id)
        return supergroup

    def set_language(self, user: SimUser, language_code: str | None) -> None:
        user.language_code = language_code

    def mark_started(self, user: SimUser) -> None:
        """As if ``user`` had written to the bot before (no update is queued)."""
        user.started = True

    # messages

    def send_text(
        self,
        user: SimUser,
        text: str,
        chat: ChatRef | None = None,
        *,
        thread_id: int | None = None,
        reply_to: int | None = None,
    ) -> SimMessage:
        """``user`` writes ``text``; commands get their bot_command entities."""
        target = self._chat(user, chat)
        return self._post(
            user,
            target,
            thread_id,
            reply_to,
            text=text,
            entities=command_entities(text),
        )

    def send_reply(
        self, user: SimUser, chat: ChatRef | None, reply_to_message_id: int, text: str
    ) -> SimMessage:
        return self.send_text(user, text, chat, reply_to=reply_to_message_id)

    def send_document(
        self,
        user: SimUser,
        chat: ChatRef | None = None,
        *,
        filename: str,
        content: bytes,
        mime_type: str = "application/octet-stream",
        caption: str | None = None,
        thread_id: int | None = None,
    ) -> SimMessage:
        stored = self.backend.world.store_file(
            content, "document", file_name=filename, mime_type=mime_type
        )
        target = self._chat(user, chat)
        return self._post(user, target, thread_id, None, document=stored, **_caption(caption))

    def send_photo(
        self,
        user: SimUser,
        chat: ChatRef | None = None,
        *,
        content: bytes,
        caption: str | None = None,
        thread_id: int | None = None,
    ) -> SimMessage:
        size = image_size(content) or (100, 100)
        stored = self.backend.world.store_file(content, "photo", size=size)
        target = self._chat(user, chat)
        return self._post(user, target, thread_id, None, photo=stored, **_caption(caption))

    def tap(
        self,
        user: SimUser,
        message: MessageRef,
        text: str | None = None,
        *,
        data: str | None = None,
    ) -> str:
        """Tap an inline button (by its text, or by ``data``); returns the callback query id."""
        current = self._current(message)
        button = _find_button(current.buttons, text, data)
        if button.data is None:
            raise LookupError(f"button {button.text!r} opens {button.url}; it has no callback")
        return self._callback(user, current, button.data)

    def tap_data(self, user: SimUser, message: MessageRef, data: str) -> str:
        """A callback with any ``data``, as from an outdated button the message no longer has."""
        return self._callback(user, self._current(message), data)

    def _callback(self, user: SimUser, message: SimMessage, data: str) -> str:
        pending = self.backend.world.new_callback(user, message, data)
        payload = shapes.callback_query(pending.id, user, message, data)
        self.backend.updates.push("callback_query", payload)
        return pending.id

    def answer_poll(self, user: SimUser, poll_id: str, option_ids: Sequence[int]) -> None:
        """Vote (an empty list retracts the vote)."""
        poll = self.backend.world.polls.get(poll_id)
        if poll is None:
            raise LookupError(f"no poll {poll_id!r}")
        chosen = sorted(set(option_ids))
        if poll.is_closed:
            raise ValueError("the poll is closed")
        if any(not 0 <= i < len(poll.options) for i in chosen):
            raise ValueError(f"options are 0..{len(poll.options) - 1}")
        if len(chosen) > 1 and not poll.allows_multiple_answers:
            raise ValueError("this poll allows one answer")
        if user.id in poll.votes and not poll.allows_revoting:
            raise ValueError("this poll does not allow changing a vote")
        if chosen:
            poll.votes[user.id] = chosen
        else:
            poll.votes.pop(user.id, None)
        if not poll.is_anonymous:
            self.backend.updates.push("poll_answer", shapes.poll_answer(poll, user, chosen))
        self.backend.updates.push("poll", shapes.poll(poll))

    # internals

    def _chat(self, user: SimUser, chat: ChatRef | None) -> SimChat:
        if chat is None:
            return user.private_chat
        if isinstance(chat, SimUser):
            return chat.private_chat
        if isinstance(chat, int):
            found = self.backend.world.chats.get(chat)
            if found is None:
                raise LookupError(f"no chat {chat}")
            return found
        return chat

    def _post(
        self,
        user: SimUser,
        chat: SimChat,
        thread_id: int | None,
        reply_to: int | None,
        **content: Any,
    ) -> SimMessage:
        self._ensure_can_post(user, chat, thread_id)
        replied = chat.message(reply_to) if reply_to is not None else None
        if reply_to is not None and replied is None:
            raise LookupError(f"no message {reply_to} in chat {chat.id}")
        if thread_id is None and replied is not None:
            thread_id = replied.thread_id
        message = self.backend.world.add_message(
            chat, user, thread_id=thread_id, reply_to=replied, **content
        )
        if chat.is_private:
            user.started = True
        if self._bot_sees(message):
            self._deliver(message)
        return message

    def _ensure_can_post(self, user: SimUser, chat: SimChat, thread_id: int | None) -> None:
        if chat.is_private:
            if chat.user is not user:
                raise ValueError(f"{user.full_name} cannot write in {chat.id}, a private chat")
        elif chat.migrated_to is not None:
            raise ValueError(f"chat {chat.id} was migrated to {chat.migrated_to}")
        elif chat.members.get(user.id) not in PRESENT_STATUSES:
            raise ValueError(f"{user.full_name} is not a member of {chat.title!r}")
        if thread_id is not None and thread_id not in chat.topics:
            raise LookupError(f"no topic {thread_id} in {chat.title!r}")

    def _bot_sees(self, message: SimMessage) -> bool:
        """Whether Telegram delivers a person's message to the bot (privacy mode in groups)."""
        chat = message.chat
        if chat.is_private:
            return True
        if not chat.bot_is_present:
            return False
        if not self.backend.privacy_mode or chat.bot_status in ("administrator", "creator"):
            return True
        replied = message.reply_to
        return message.plain.startswith("/") or (
            replied is not None and replied.sender is self.backend.world.bot
        )

    def _deliver(self, message: SimMessage) -> None:
        if message.chat.is_private or message.chat.bot_is_present:
            self.backend.updates.push("message", shapes.message(message))

    def _service(self, chat: SimChat, actor: SimUser, **service: Any) -> None:
        self._deliver(self.backend.world.add_message(chat, actor, service=service))

    def _current(self, reference: MessageRef) -> SimMessage:
        if isinstance(reference, SimMessage):
            chat_id, message_id = reference.chat.id, reference.message_id
        elif isinstance(reference, LedgerEntry):
            chat_id, message_id = reference.chat_id, reference.message_id
        else:
            chat_id, message_id = reference
        chat = self.backend.world.chats.get(chat_id)
        message = chat.message(message_id) if chat is not None else None
        if message is None:
            raise LookupError(f"message {message_id} in chat {chat_id} does not exist (any more)")
        return message

    def _actor(self, chat: SimChat) -> SimUser:
        """Who did it when the caller did not say: the creator, an admin, a member, or
        Telegram's stand-in for an anonymous administrator."""
        users = self.backend.world.users
        for wanted in ("creator", "administrator", "member"):
            for user_id, status in chat.members.items():
                if status == wanted and user_id in users:
                    return users[user_id]
        return chat.user or ANONYMOUS_ADMIN

    def _set_status(self, chat: SimChat, user: SimUser, status: MemberStatus) -> MemberStatus:
        if chat.is_private:
            raise ValueError("private chats have no members to change")
        old = chat.members.get(user.id, "left")
        chat.members[user.id] = status
        return old

    def _member_changed(
        self, chat: SimChat, actor: SimUser, user: SimUser, old: str, new: str
    ) -> None:
        """chat_member updates reach only a bot that administers the chat."""
        if chat.bot_status not in ("administrator", "creator"):
            return
        change = shapes.member_updated(
            chat, actor, unix_now(), shapes.member(user, old), shapes.member(user, new)
        )
        self.backend.updates.push("chat_member", change)

    def _bot_changed(self, chat: SimChat, actor: SimUser, new: MemberStatus) -> None:
        bot = self.backend.world.bot
        old = shapes.member(bot, chat.bot_status, chat.bot_rights)
        chat.bot_status = new
        change = shapes.member_updated(
            chat, actor, unix_now(), old, shapes.member(bot, new, chat.bot_rights)
        )
        self.backend.updates.push("my_chat_member", change)


def _caption(caption: str | None) -> dict[str, Any]:
    if not caption:
        return {}
    return {"caption": caption, "caption_entities": command_entities(caption)}


def _find_button(rows: list[list[Button]], text: str | None, data: str | None) -> Button:
    for row in rows:
        for button in row:
            if (text is not None and button.text == text) or (
                data is not None and button.data == data
            ):
                return button
    wanted = f"data={data!r}" if data is not None else repr(text)
    shown = [button.text for row in rows for button in row]
    raise LookupError(f"no inline button {wanted} on the message; its buttons: {shown}")
