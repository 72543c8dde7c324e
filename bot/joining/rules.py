"""Joining rules: what a group's join policy lets a person do, the buttons of requests and
invitations, and the texts the approvers and the asker read (docs/coordinators.md, "Join
policies")."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import Enum
from typing import Final
from zoneinfo import ZoneInfo

from bot.digests.rules import format_when
from bot.i18n import N_, Translator
from bot.rendering import Html, bold
from bot.routing import CallbackData, callback_data
from storage.models import JOIN_POLICIES, JoinPolicy, Person

REQUEST_LIFETIME: Final = timedelta(days=14)
"""A request nobody decided within this time expires; the person may ask again."""
INVITE_LIFETIME: Final = timedelta(days=7)
INVITE_USES: Final = 50
"""How many people one invitation link lets in."""
RETRY_CLAIM_NOTICE: Final = timedelta(days=1)
"""When no secretariat member has started the bot yet, the claim's notice is tried again."""

POLICY_LABELS: Final[dict[JoinPolicy, str]] = {
    # Translators: a working group's join policy, shown in /groups and answered by /policy.
    "open": N_("open to everyone"),
    "approval": N_("joined on a coordinator's approval"),
    "invite": N_("by invitation only"),
}


class Admission(Enum):
    """What a person's wish to join comes to under the group's policy."""

    JOIN = "join"
    ASK = "ask"
    INVITE_ONLY = "invite only"


def admission(policy: JoinPolicy, *, admitted_before: bool, secretariat: bool) -> Admission:
    """Open groups, people in the imported list or approved once, and the secretariat join at
    once; under ``approval`` others ask; under ``invite`` only a link (or a coordinator) lets
    them in."""
    if policy == "open" or admitted_before or secretariat:
        return Admission.JOIN
    if policy == "invite":
        return Admission.INVITE_ONLY
    return Admission.ASK


def parse_policy(word: str) -> JoinPolicy | None:
    wanted = word.strip().casefold()
    return next((policy for policy in JOIN_POLICIES if policy == wanted), None)


def invite_token_ok(token: str) -> bool:
    """Whether a deep link's argument can be an invitation token (lowercase hex)."""
    return 8 <= len(token) <= 40 and all(c in "0123456789abcdef" for c in token)


# Buttons


@callback_data("jd")
class RequestDecision(CallbackData):
    """Approve or Decline under a request to join, sent to the group's approvers."""

    request_id: int
    approve: bool


@callback_data("iv")
class RevokeInvite(CallbackData):
    """Revoke under an invitation link."""

    invite_id: int


# Texts


def request_notice(tr: Translator, person: Person, group_name: str, *, chat: bool) -> Html:
    """What an approver reads: who asks to join which group (or its chat)."""
    who = bold(person.name) + (f" @{person.username}" if person.username else "")
    if chat:
        text = tr(
            "🙋 {person} asks to join the Telegram chat of the working group {group}. "
            "Approve to let them into the chat and make them a member.",
            person=Html(who),
            group=bold(group_name),
        )
    else:
        text = tr(
            "🙋 {person} asks to join the working group {group}.",
            person=Html(who),
            group=bold(group_name),
        )
    return text


def decided_line(tr: Translator, approved: bool, by: str) -> Html:
    """The line added under a request once decided (the buttons go)."""
    if approved:
        return tr("✅ Approved by {name}.", name=by)
    return tr("❌ Declined by {name}.", name=by)


def outcome_notice(tr: Translator, approved: bool, group_name: str) -> Html:
    """What the person who asked is told."""
    if approved:
        return tr(
            "Your request to join the working group {group} was approved: you are now a member.",
            group=bold(group_name),
        )
    return tr(
        "Your request to join the working group {group} was declined.", group=bold(group_name)
    )


def expiry_notice(tr: Translator, group_name: str, slug: str) -> Html:
    """What the person who asked is told when nobody decided within ``REQUEST_LIFETIME``."""
    return tr.plural(
        "Your request to join the working group {group} got no answer within {days} day and "
        "has expired. You can ask again with /join {slug}, or write to one of its coordinators.",
        "Your request to join the working group {group} got no answer within {days} days and "
        "has expired. You can ask again with /join {slug}, or write to one of its coordinators.",
        REQUEST_LIFETIME.days,
        group=bold(group_name),
        days=REQUEST_LIFETIME.days,
        slug=slug,
    )


def invite_text(
    tr: Translator, group_name: str, url: str, uses: int, expires: datetime, zone: ZoneInfo
) -> Html:
    """The invitation a coordinator gets from /invite: the link, how often and until when."""
    return tr(
        "Invitation to the working group {group}: whoever opens this link and taps Start "
        "joins the group. It lets in up to {uses} people until {when}.\n{link}",
        group=bold(group_name),
        uses=uses,
        when=format_when(expires, zone, tr.language),
        link=url,
    )
