"""Working groups: /groups with Join and Leave buttons, /join, /leave, invitations by deep link,
the linked group chat (who joins, leaves and writes there), and the secretariat's and
coordinators' commands: /newgroup, /linkchat, /coordinator, /remove, /invite."""

from __future__ import annotations

from telegram.ext import (
    CallbackQueryHandler,
    ChatJoinRequestHandler,
    ChatMemberHandler,
    MessageHandler,
    filters,
)

from bot.commands import COORDINATOR, GROUPS, INVITE, JOIN, LEAVE, LINKCHAT, NEWGROUP, REMOVE
from bot.groups import JoinButton, LeaveButton
from handlers.groups.admin import coordinator, link_chat, new_group, remove
from handlers.groups.common import join_by_link
from handlers.groups.membership import (
    chat_join_request,
    chat_membership,
    invite,
    join_command,
    leave_command,
    list_groups,
    record_seen,
    tap_membership,
)
from handlers.guard import Route, route

__all__ = ["handlers", "join_by_link"]

SEEN_GROUP = -9
"""Handler group recording who writes in a linked chat: after presence (-10), before features."""


def handlers() -> list[Route]:
    written_in_groups = (
        filters.ChatType.GROUPS & filters.UpdateType.MESSAGE & ~filters.StatusUpdate.ALL
    )
    return [
        (MessageHandler(written_in_groups, record_seen), SEEN_GROUP),
        (ChatMemberHandler(chat_membership, ChatMemberHandler.CHAT_MEMBER), 0),
        (ChatJoinRequestHandler(chat_join_request), 0),
        (CallbackQueryHandler(tap_membership, pattern=JoinButton.pattern()), 0),
        (CallbackQueryHandler(tap_membership, pattern=LeaveButton.pattern()), 0),
        route(GROUPS, list_groups),
        route(JOIN, join_command),
        route(LEAVE, leave_command),
        route(INVITE, invite),
        route(NEWGROUP, new_group),
        route(LINKCHAT, link_chat),
        route(COORDINATOR, coordinator),
        route(REMOVE, remove),
    ]
