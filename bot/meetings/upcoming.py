"""The digest section of upcoming meetings: those of the target's groups in the two weeks
after the digest, in the reader's zone."""

from __future__ import annotations

from datetime import timedelta
from typing import Final

from bot.digests import DigestItem, DigestRequest, DigestSection, format_when
from bot.i18n import N_
from bot.meetings.outgoing import stamp
from storage import Repositories

UPCOMING_HEADING: Final = N_("Upcoming meetings")
UPCOMING_WINDOW: Final = timedelta(days=14)


class UpcomingMeetingsProvider:
    """Meetings of the target's groups in the two weeks after the digest, in the reader's zone."""

    def __init__(self, repos: Repositories) -> None:
        self.repos = repos

    async def section(self, request: DigestRequest) -> DigestSection | None:
        target = request.target
        found = await self.repos.meetings.upcoming_in_groups(
            target.group_ids, request.until, request.until + UPCOMING_WINDOW
        )
        items = []
        for occurrence in found:
            meeting = await self.repos.meetings.get(occurrence.meeting_id)
            if meeting is None:
                continue
            when = format_when(occurrence.starts_at, target.zone, request.tr.language)
            line = request.tr("• {title} — {when}", title=meeting.title, when=when)
            key = f"meeting:{occurrence.id}:{stamp(occurrence.starts_at)}"
            items.append(DigestItem(key, meeting.updated_at, line))
        if not items:
            return None
        return DigestSection(request.tr(UPCOMING_HEADING), tuple(items))
