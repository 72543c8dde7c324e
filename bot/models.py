"""The value types the bot's faces (handlers, the web) work with, re-exported from storage.

Handlers never import ``storage``: they call services and render what they return. The rows
services hand back are these immutable pydantic models; this module is where a face finds them.
"""

from storage import (
    EXPERIENCE_STATUSES,
    PROFILE_ROLES,
    BotStatus,
    Chat,
    ChatType,
    Draft,
    Experience,
    ExperienceChange,
    ExperienceFile,
    ExperienceStatus,
    MemberRole,
    Membership,
    MembershipSource,
    Person,
    ProfileRole,
    RosterMember,
    WorkingGroup,
)
from storage.calendar import CalendarMeeting
from storage.channels import ChannelState
from storage.decisions import Proposal, ProposalAnswer
from storage.digests import DigestSchedule
from storage.meetings import LOCAL_FORMAT, Meeting, NewMeeting, Occurrence, parse_local
from storage.models import OPEN_EXPERIENCE_STATUSES
from storage.outbox import (
    OUTBOX_KINDS,
    OUTBOX_STATUSES,
    OutboxError,
    OutboxKind,
    OutboxPayload,
    OutboxStatus,
    OutboxSummary,
    OutgoingMessage,
)
from storage.roadmap import Action as RoadmapAction
from storage.roadmap import Note as RoadmapNote
from storage.web import FeedOwner

__all__ = [
    "EXPERIENCE_STATUSES",
    "LOCAL_FORMAT",
    "OPEN_EXPERIENCE_STATUSES",
    "OUTBOX_KINDS",
    "OUTBOX_STATUSES",
    "PROFILE_ROLES",
    "BotStatus",
    "CalendarMeeting",
    "ChannelState",
    "Chat",
    "ChatType",
    "DigestSchedule",
    "Draft",
    "Experience",
    "ExperienceChange",
    "ExperienceFile",
    "ExperienceStatus",
    "FeedOwner",
    "Meeting",
    "MemberRole",
    "Membership",
    "MembershipSource",
    "NewMeeting",
    "Occurrence",
    "OutboxError",
    "OutboxKind",
    "OutboxPayload",
    "OutboxStatus",
    "OutboxSummary",
    "OutgoingMessage",
    "Person",
    "ProfileRole",
    "Proposal",
    "ProposalAnswer",
    "RoadmapAction",
    "RoadmapNote",
    "RosterMember",
    "WorkingGroup",
    "parse_local",
]
