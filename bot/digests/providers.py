"""Where each section's items come from: the providers read the repositories for a target.

Add a provider to :func:`section_providers` and every digest carries its section (see
:class:`bot.digests.rules.SectionProvider`).
"""

from __future__ import annotations

from bot.digests.rules import DigestRequest, DigestSection, SectionProvider, TargetKind
from bot.digests.sections import NewMember, experiences_section, new_members_section
from storage import Repositories


class NewMembersProvider:
    """New members of the target's groups (name, reserve, country in the reader's language)."""

    def __init__(self, repos: Repositories) -> None:
        self.repos = repos

    async def section(self, request: DigestRequest) -> DigestSection | None:
        target = request.target
        joined = await self.repos.digests.new_members(
            target.group_ids, request.since, request.until
        )
        if not joined:
            return None
        groups = {group.id: group for group in await self.repos.groups.list()}
        language = request.tr.language
        members = [
            NewMember(m.person, m.group_id, groups[m.group_id].name(language), m.joined_at)
            for m in joined
            if m.group_id in groups
        ]
        return new_members_section(request.tr, target, members)


class ExperiencesProvider:
    """Experiences of the target's groups' themes newly submitted or selected (every theme
    for the network digest); withdrawn and declined ones are not told."""

    def __init__(self, repos: Repositories) -> None:
        self.repos = repos

    async def section(self, request: DigestRequest) -> DigestSection | None:
        target = request.target
        groups = [g for g in await self.repos.groups.list() if g.id in target.group_ids]
        themes = {g.slug: g.name(request.tr.language) for g in groups}
        wanted = None if target.kind is TargetKind.NETWORK else themes.keys()
        news = await self.repos.experiences.news_between(wanted, request.since, request.until)
        return experiences_section(request.tr, target, news, themes)


def section_providers(repos: Repositories) -> list[SectionProvider]:
    """Every section of a digest, in the order they are shown."""
    # The meetings section is the meetings runtime's, which still imports bot.context (which
    # builds this feature's service): imported here, when first used, until it moves.
    from bot.opportunities.digest import OpportunitiesProvider
    from bot.reminders import UpcomingMeetingsProvider
    from bot.roadmap.digest import RoadmapProvider

    return [
        NewMembersProvider(repos),
        UpcomingMeetingsProvider(repos),
        ExperiencesProvider(repos),
        OpportunitiesProvider(repos),
        RoadmapProvider(repos),
    ]
