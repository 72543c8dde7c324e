"""The emulated Telegram: people, chats, messages, files, polls and pending callback queries."""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, field
from typing import Any, Literal

from .markup import Button, buttons_of
from .text import Entity

ChatType = Literal["private", "group", "supergroup", "channel"]
MemberStatus = Literal["creator", "administrator", "member", "restricted", "left", "kicked"]
FileKind = Literal["document", "photo"]

PRESENT_STATUSES = frozenset({"creator", "administrator", "member", "restricted"})
ADMIN_RIGHTS: dict[str, bool] = {
    "can_manage_chat": True,
    "can_delete_messages": True,
    "can_manage_video_chats": True,
    "can_restrict_members": True,
    "can_promote_members": False,
    "can_change_info": True,
    "can_invite_users": True,
    "can_post_stories": True,
    "can_edit_stories": True,
    "can_delete_stories": True,
    "can_pin_messages": True,
    "can_manage_topics": True,
}
DEFAULT_TOPIC_COLOR = 0x6FB9F0
TOPIC_COLORS = frozenset({0x6FB9F0, 0xFFD67E, 0xCB86DB, 0x8EEE98, 0xFF93B2, 0xFB6F5F})


def unix_now() -> int:
    return int(time.time())


@dataclass(eq=False)
class SimUser:
    """A Telegram account: a simulated person, or the bot itself (``is_bot``)."""

    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = None
    is_bot: bool = False
    started: bool = False
    blocked: bool = False
    private_chat: SimChat = field(init=False, repr=False)

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}" if self.last_name else self.first_name


@dataclass(eq=False)
class Topic:
    thread_id: int
    name: str
    icon_color: int = DEFAULT_TOPIC_COLOR
    icon_custom_emoji_id: str | None = None


@dataclass(eq=False)
class SimChat:
    """A chat the bot may be in; a private chat belongs to one ``user``."""

    id: int
    type: ChatType
    title: str | None = None
    username: str | None = None
    is_forum: bool = False
    user: SimUser | None = None
    members: dict[int, MemberStatus] = field(default_factory=dict)
    bot_status: MemberStatus = "member"
    bot_rights: dict[str, bool] = field(default_factory=lambda: dict(ADMIN_RIGHTS))
    migrated_to: int | None = None
    migrated_from: int | None = None
    topics: dict[int, Topic] = field(default_factory=dict)
    join_requests: set[int] = field(default_factory=set)
    """Ids of people whose request to join waits for an administrator (or the bot)."""
    pinned: list[int] = field(default_factory=list)
    messages: dict[int, SimMessage] = field(default_factory=dict, repr=False)
    last_message_id: int = 0

    @property
    def is_private(self) -> bool:
        return self.type == "private"

    @property
    def bot_is_present(self) -> bool:
        return self.bot_status in PRESENT_STATUSES

    def bot_can(self, right: str) -> bool:
        """Whether the bot holds an administrator right here."""
        if self.bot_status == "creator":
            return True
        return self.bot_status == "administrator" and self.bot_rights.get(right, False)

    def next_message_id(self) -> int:
        self.last_message_id += 1
        return self.last_message_id

    def message(self, message_id: int) -> SimMessage | None:
        """A message that still exists."""
        message = self.messages.get(message_id)
        return None if message is None or message.deleted else message


@dataclass(eq=False)
class StoredFile:
    file_id: str
    file_unique_id: str
    content: bytes = field(repr=False)
    kind: FileKind
    file_name: str | None = None
    mime_type: str | None = None
    width: int = 0
    height: int = 0
    file_path: str | None = None

    @property
    def size(self) -> int:
        return len(self.content)


@dataclass(eq=False)
class SimPoll:
    id: str
    question: str
    options: list[str]
    is_anonymous: bool = True
    type: Literal["regular", "quiz"] = "regular"
    allows_multiple_answers: bool = False
    allows_revoting: bool = True
    correct_option_ids: list[int] = field(default_factory=list)
    is_closed: bool = False
    votes: dict[int, list[int]] = field(default_factory=dict)

    def counts(self) -> list[int]:
        counts = [0] * len(self.options)
        for chosen in self.votes.values():
            for option in chosen:
                counts[option] += 1
        return counts


@dataclass(eq=False)
class SimMessage:
    """A message in a chat, as it is now (after edits)."""

    chat: SimChat
    message_id: int
    sender: SimUser
    date: int
    text: str | None = None
    entities: list[Entity] = field(default_factory=list)
    caption: str | None = None
    caption_entities: list[Entity] = field(default_factory=list)
    html: str | None = None
    reply_markup: dict[str, Any] | None = None
    document: StoredFile | None = None
    photo: StoredFile | None = None
    poll: SimPoll | None = None
    thread_id: int | None = None
    reply_to: SimMessage | None = None
    edit_date: int | None = None
    deleted: bool = False
    service: dict[str, Any] = field(default_factory=dict)

    @property
    def buttons(self) -> list[list[Button]]:
        return buttons_of(self.reply_markup)

    @property
    def plain(self) -> str:
        """The visible text or caption."""
        return self.text if self.text is not None else self.caption or ""


@dataclass(eq=False)
class PendingCallback:
    id: str
    user: SimUser
    message: SimMessage
    data: str
    answered: bool = False


class World:
    """Everything Telegram knows, with fresh ids for what is created."""

    def __init__(self, bot: SimUser) -> None:
        self.bot = bot
        self.users: dict[int, SimUser] = {}
        self.chats: dict[int, SimChat] = {}
        self.files: dict[str, StoredFile] = {}
        self.file_paths: dict[str, StoredFile] = {}
        self.polls: dict[str, SimPoll] = {}
        self.callbacks: dict[str, PendingCallback] = {}
        self._user_ids = itertools.count(1001)
        self._group_ids = itertools.count(4_000_000_001)
        self._supergroup_ids = itertools.count(1_001_000_000_001)
        self._file_numbers = itertools.count(1)
        self._poll_numbers = itertools.count(5_000_000_001)
        self._callback_numbers = itertools.count(7_000_000_000_001)

    # people and chats

    def add_user(self, user: SimUser) -> SimUser:
        if user.id in self.users or user.id == self.bot.id or user.id in self.chats:
            raise ValueError(f"user id {user.id} is taken")
        user.private_chat = SimChat(user.id, "private", user=user)
        self.users[user.id] = user
        self.chats[user.id] = user.private_chat
        return user

    def free_user_id(self) -> int:
        return next(i for i in self._user_ids if i not in self.chats and i != self.bot.id)

    def new_chat_id(self, chat_type: ChatType) -> int:
        if chat_type == "group":
            return -next(self._group_ids)
        return -next(self._supergroup_ids)

    def add_chat(self, chat: SimChat) -> SimChat:
        if chat.id in self.chats:
            raise ValueError(f"chat id {chat.id} is taken")
        self.chats[chat.id] = chat
        return chat

    def find_chat(self, chat_id: int | str) -> SimChat | None:
        """A chat by id, or a public group or channel by "@username"."""
        if isinstance(chat_id, int):
            return self.chats.get(chat_id)
        name = chat_id.removeprefix("@").lower()
        if not chat_id.startswith("@") or not name:
            return None
        for chat in self.chats.values():
            if not chat.is_private and chat.username and chat.username.lower() == name:
                return chat
        return None

    def person(self, user_id: int) -> SimUser | None:
        """A user by id, the bot included."""
        return self.bot if user_id == self.bot.id else self.users.get(user_id)

    # content

    def add_message(self, chat: SimChat, sender: SimUser, **fields: Any) -> SimMessage:
        message = SimMessage(chat, chat.next_message_id(), sender, unix_now(), **fields)
        chat.messages[message.message_id] = message
        return message

    def store_file(
        self,
        content: bytes,
        kind: FileKind,
        *,
        file_name: str | None = None,
        mime_type: str | None = None,
        size: tuple[int, int] = (0, 0),
    ) -> StoredFile:
        number = next(self._file_numbers)
        prefix = "BQACAgIAAxkBAAI" if kind == "document" else "AgACAgIAAxkBAAI"
        stored = StoredFile(
            file_id=f"{prefix}{number:08d}",
            file_unique_id=f"AQAD{number:06d}",
            content=content,
            kind=kind,
            file_name=file_name,
            mime_type=mime_type,
            width=size[0],
            height=size[1],
        )
        self.files[stored.file_id] = stored
        return stored

    def publish_file(self, stored: StoredFile) -> str:
        """Give a file its download path (what getFile does)."""
        if stored.file_path is None:
            folder = "documents" if stored.kind == "document" else "photos"
            suffix = _extension(stored.file_name) if stored.kind == "document" else ".jpg"
            stored.file_path = f"{folder}/file_{stored.file_unique_id}{suffix}"
            self.file_paths[stored.file_path] = stored
        return stored.file_path

    def open_topic(self, chat: SimChat, creator: SimUser, name: str, color: int) -> Topic:
        """A new forum topic; its thread id is the id of the service message opening it."""
        opening = self.add_message(
            chat, creator, service={"forum_topic_created": {"name": name, "icon_color": color}}
        )
        opening.thread_id = opening.message_id
        topic = Topic(opening.message_id, name, color)
        chat.topics[topic.thread_id] = topic
        return topic

    def new_poll(self, **fields: Any) -> SimPoll:
        poll = SimPoll(id=str(next(self._poll_numbers)), **fields)
        self.polls[poll.id] = poll
        return poll

    def new_callback(self, user: SimUser, message: SimMessage, data: str) -> PendingCallback:
        pending = PendingCallback(str(next(self._callback_numbers)), user, message, data)
        self.callbacks[pending.id] = pending
        return pending


def _extension(file_name: str | None) -> str:
    if not file_name or "." not in file_name:
        return ""
    return "." + file_name.rsplit(".", 1)[1]
