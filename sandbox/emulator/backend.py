"""What Bot API methods act on, and the checks most of them share."""

from __future__ import annotations

from typing import Any

from .errors import ApiError, bad_request, chat_migrated, forbidden, too_many_requests
from .html import Formatted, ParseError, parse_html
from .journal import EntryKind, Journal
from .limits import RateLimiter, TelegramLimits
from .markup import validate_reply_markup
from .params import Params
from .text import entities_within, strip_formatted
from .updates import UpdateQueue
from .webhook import WebhookSender
from .world import SimChat, SimMessage, World

CommandKey = tuple[Any, ...]


class Backend:
    """The emulated Telegram server behind the HTTP layer."""

    def __init__(
        self,
        world: World,
        limits: TelegramLimits,
        *,
        privacy_mode: bool = True,
        strict_ampersand: bool = True,
    ) -> None:
        self.world = world
        self.limits = limits
        self.limiter = RateLimiter(limits)
        self.journal = Journal()
        self.updates = UpdateQueue(self.journal.changed.fire)
        self.webhook = WebhookSender(self.updates, self.journal.note_activity)
        self.commands: dict[tuple[CommandKey, str], list[dict[str, str]]] = {}
        self.profile: dict[tuple[str, str], str] = {}
        """The bot's name, description and short description per language ("" the default)."""
        self.privacy_mode = privacy_mode
        self.strict_ampersand = strict_ampersand

    # chats and access

    def chat(self, p: Params) -> SimChat:
        """The chat named by chat_id; refuses unknown and migrated chats."""
        chat_id = p.chat_id()
        if chat_id is None:
            raise bad_request("chat_id is empty")
        chat = self.world.find_chat(chat_id)
        if chat is None:
            raise bad_request("chat not found")
        if chat.migrated_to is not None:
            raise chat_migrated(chat.migrated_to)
        return chat

    def present_chat(self, p: Params) -> SimChat:
        """A chat the bot is in (a private chat always counts)."""
        chat = self.chat(p)
        ensure_bot_present(chat)
        return chat

    def writable_chat(self, p: Params) -> SimChat:
        """A chat the bot may post to right now."""
        chat = self.chat(p)
        ensure_bot_can_write(chat)
        return chat

    def thread(self, chat: SimChat, p: Params) -> int | None:
        thread_id = p.integer("message_thread_id")
        if thread_id is None:
            return None
        if not chat.is_forum or thread_id not in chat.topics:
            raise bad_request("message thread not found")
        return thread_id

    def throttle(self, chat: SimChat, *, edit: bool = False) -> None:
        wait = self.limiter.acquire(chat.id, chat.is_private, edit=edit)
        if wait > 0:
            raise too_many_requests(wait)

    # message content

    def formatted(self, p: Params, field: str, entities_field: str) -> Formatted:
        """Text or caption after parse_mode (or the given entities), trimmed like Telegram."""
        raw = p.string(field) or ""
        mode = p.string("parse_mode")
        if mode:
            parsed = self._parse(raw, mode)
        else:
            given = p.json(entities_field) or []
            if not isinstance(given, list):
                raise bad_request(f"can't parse {entities_field} JSON object")
            parsed = Formatted(raw, entities_within(raw, given))
        text, entities = strip_formatted(parsed.text, parsed.entities)
        return Formatted(text, entities)

    def _parse(self, raw: str, mode: str) -> Formatted:
        if mode.lower() != "html":
            raise bad_request("unsupported parse_mode")
        try:
            return parse_html(raw, strict_ampersand=self.strict_ampersand)
        except ParseError as error:
            raise bad_request(f"can't parse entities: {error.reason}") from None

    def reply_target(self, chat: SimChat, p: Params) -> SimMessage | None:
        """The message replied to, from reply_parameters or reply_to_message_id."""
        reply = p.json("reply_parameters")
        allow_missing = p.flag("allow_sending_without_reply")
        if isinstance(reply, dict):
            message_id = reply.get("message_id")
            allow_missing = bool(reply.get("allow_sending_without_reply", allow_missing))
            if isinstance(reply.get("chat_id"), int | str):
                found = self.world.find_chat(reply["chat_id"])
                chat = found if found is not None else chat
        else:
            message_id = p.integer("reply_to_message_id")
        if message_id is None:
            return None
        target = chat.message(message_id) if isinstance(message_id, int) else None
        if target is None and not allow_missing:
            raise bad_request("message to be replied not found")
        return target

    # acting

    def send(self, method: str, chat: SimChat, p: Params, **content: Any) -> SimMessage:
        """Post a bot message after the checks every send* shares; records it in the ledger."""
        thread_id = self.thread(chat, p)
        reply_to = self.reply_target(chat, p)
        markup = validate_reply_markup(p.json("reply_markup"))
        self.throttle(chat)
        if thread_id is None and reply_to is not None:
            thread_id = reply_to.thread_id
        message = self.world.add_message(
            chat,
            self.world.bot,
            thread_id=thread_id,
            reply_to=reply_to,
            reply_markup=markup,
            **content,
        )
        self.journal.record_message("send", method, message)
        return message

    def bot_message(self, chat: SimChat, p: Params, missing: str) -> SimMessage:
        """A message of the bot's that it may edit; ``missing`` is the error if there is none."""
        if p.string("inline_message_id"):
            raise bad_request("MESSAGE_ID_INVALID")
        message_id = p.integer("message_id")
        if message_id is None:
            raise bad_request("message identifier is not specified")
        message = chat.message(message_id)
        if message is None:
            raise bad_request(missing)
        if message.sender is not self.world.bot:
            raise bad_request("message can't be edited")
        return message

    def record(self, kind: EntryKind, method: str, message: SimMessage) -> None:
        self.journal.record_message(kind, method, message)


def ensure_bot_present(chat: SimChat) -> None:
    if chat.is_private:
        return
    if chat.bot_status == "kicked":
        raise forbidden(f"bot was kicked from the {chat.type} chat")
    if not chat.bot_is_present:
        raise forbidden(f"bot is not a member of the {chat.type} chat")


def ensure_bot_can_write(chat: SimChat) -> None:
    if chat.is_private:
        _ensure_person_reachable(chat)
        return
    ensure_bot_present(chat)
    if chat.type == "channel" and chat.bot_status not in ("administrator", "creator"):
        raise bad_request("need administrator rights in the channel chat")


def _ensure_person_reachable(chat: SimChat) -> None:
    person = chat.user
    if person is None:
        raise ApiError(500, "Internal Server Error")
    if person.blocked:
        raise forbidden("bot was blocked by the user")
    if not person.started:
        raise forbidden("bot can't initiate conversation with a user")
