"""What every handler gets: a typed context with the services, i18n, clock and settings.

The composition root (``bot/app.py``) builds one :class:`Services` and gives it to the
:class:`WnmrcApplication`; :class:`BotContext` (PTB's ``CallbackContext`` for this bot) reads it
and carries the person and language the presence handler found for the current update.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Any, cast

from telegram.ext import Application, CallbackContext, ExtBot, JobQueue

from bot.access import Actor
from bot.announcements.service import AnnouncementsService
from bot.channels.service import ChannelsService
from bot.chats.service import ChatsService
from bot.claims.service import ClaimsService
from bot.clock import Clock
from bot.conversations import Conversations
from bot.decisions.service import DecisionsService
from bot.digests.service import DigestsService
from bot.drafts import DraftsService
from bot.experiences.service import ExperiencesService
from bot.groups.service import GroupsService
from bot.i18n import I18n, Translator
from bot.joining.service import JoiningService
from bot.meetings.service import MeetingsService
from bot.menus import MenusService
from bot.opportunities.service import OpportunitiesService
from bot.outbox import DeliveryConfig, OutboxService
from bot.outbox.mailer import MailConfig
from bot.presence import PresenceService
from bot.privacy.service import PrivacyService
from bot.processing import ChatOrderedUpdateProcessor
from bot.profile.service import ProfileService
from bot.reviews.selection import SelectionService
from bot.reviews.service import ReviewsService
from bot.roadmap.service import RoadmapService
from bot.roster.service import RosterService
from bot.runtime import DueWorkRuntime
from bot.web.service import WebService
from config import NetworkConfig, Settings
from storage import Database, Person, Repositories

if TYPE_CHECKING:
    from bot.intake import Intake
    from bot.web.server import WebServer


@dataclass
class Services:
    """The bot's long-lived parts; the database is opened in ``post_init``."""

    settings: Settings
    network: NetworkConfig
    i18n: I18n
    clock: Clock
    runtime: DueWorkRuntime
    """The one clock of everything that comes due (reminders, digests, the outbox, ...)."""
    delivery: DeliveryConfig = field(default_factory=DeliveryConfig)
    """How the outbox sender works (tests shorten its time-outs)."""
    mail: MailConfig | None = None
    """How the e-mail sender works (None: from the settings; tests shorten its waits)."""
    conversations: Conversations = field(default_factory=Conversations)
    """Every conversation of the application, collected from the handler modules."""
    _repos: Repositories | None = field(default=None, repr=False)
    experiences: ExperiencesService = field(init=False, repr=False)
    reviews: ReviewsService = field(init=False, repr=False)
    selection: SelectionService = field(init=False, repr=False)
    outbox: OutboxService = field(init=False, repr=False)
    digests: DigestsService = field(init=False, repr=False)
    announcements: AnnouncementsService = field(init=False, repr=False)
    drafts: DraftsService = field(init=False, repr=False)
    groups: GroupsService = field(init=False, repr=False)
    presence: PresenceService = field(init=False, repr=False)
    privacy: PrivacyService = field(init=False, repr=False)
    profile: ProfileService = field(init=False, repr=False)
    roster: RosterService = field(init=False, repr=False)
    meetings: MeetingsService = field(init=False, repr=False)
    channels: ChannelsService = field(init=False, repr=False)
    """How each person is reached and their verified address (/notify)."""
    """Meetings, answers, reminders, calendar and slots (``bot/meetings/service.py``)."""
    web: WebService = field(init=False, repr=False)
    """One-click answers, calendar feeds and the gallery (``bot/web/service.py``)."""
    web_server: WebServer | None = field(default=None, repr=False)
    """The web pages' server while it runs (``bot/web/server.py``; WNMRC_PUBLIC_URL set)."""
    roadmap: RoadmapService = field(init=False, repr=False)
    decisions: DecisionsService = field(init=False, repr=False)
    """Proposals, answers, nudges, results and outcomes (``bot/decisions/service.py``)."""
    joining: JoiningService = field(init=False, repr=False)
    """Join policies, requests, invitations (``bot/joining/service.py``)."""
    claims: ClaimsService = field(init=False, repr=False)
    opportunities: OpportunitiesService = field(init=False, repr=False)
    menus: MenusService = field(init=False, repr=False)
    """Command menus per chat (``bot/menus.py``)."""
    chats: ChatsService = field(init=False, repr=False)
    """A group chat's own language and zone (``bot/chats/service.py``)."""

    @property
    def repos(self) -> Repositories:
        if self._repos is None:
            raise RuntimeError("the database is not open yet (post_init has not run)")
        return self._repos

    @property
    def db(self) -> Database:
        return self.repos.db

    def attach(self, repos: Repositories | None) -> None:
        """Use these repositories (None: the database closed) and build the services on them."""
        self._repos = repos
        if repos is None:
            return
        repos.outbox.email_enabled = self.settings.smtp_url is not None
        self.outbox = OutboxService(
            repos,
            self.clock,
            self.runtime,
            delivery=self.delivery,
            retention=timedelta(days=self.settings.outbox_retention_days),
        )
        self.experiences = ExperiencesService(
            repos, self.clock, self.i18n, self.settings.secretariat_ids, self.wake_outbox
        )
        criteria = self.network.review.criteria
        self.reviews = ReviewsService(repos, self.clock, self.i18n, criteria, self.wake_outbox)
        self.selection = SelectionService(repos, self.clock, self.i18n, criteria, self.wake_outbox)
        self.digests = DigestsService(
            repos, self.clock, self.i18n, self.settings, self.runtime, self.outbox
        )
        self.announcements = AnnouncementsService(
            repos, self.clock, self.i18n, self.settings, self.outbox
        )
        self.drafts = DraftsService(repos, self.clock)
        self.groups = GroupsService(repos, self.clock, self.settings.secretariat_ids)
        self.presence = PresenceService(repos, self.clock)
        self.privacy = PrivacyService(repos, self.outbox)
        self.profile = ProfileService(repos, self.clock)
        self.roster = RosterService(repos)
        self.meetings = MeetingsService(
            repos, self.clock, self.i18n, self.settings, self.runtime, self.wake_outbox
        )
        self.channels = ChannelsService(repos, self.clock, self.i18n, self.outbox)
        self.web = WebService(
            repos, self.clock, self.settings, self.meetings, self.i18n.default_language
        )
        self.roadmap = RoadmapService(repos, self.clock, self.i18n, self.settings, self.outbox)
        self.decisions = DecisionsService(
            repos, self.clock, self.i18n, self.settings, self.runtime, self.wake_outbox
        )
        self.decisions.roadmap = self.roadmap
        secretariat = self.settings.secretariat_ids
        self.joining = JoiningService(repos, self.clock, self.i18n, secretariat, self.outbox)
        self.claims = ClaimsService(repos, self.clock, self.i18n, secretariat, self.outbox)
        repos.people.on_claim = self.runtime.wake
        self.opportunities = OpportunitiesService(
            repos, self.clock, self.i18n, self.settings, self.outbox
        )
        self.menus = MenusService(repos, self.clock, self.runtime, secretariat)
        language = self.i18n.default_language
        self.chats = ChatsService(repos, self.clock, self.digests, language, self.menus.changed)
        self.privacy.before_forget(self.roadmap.tell_orphaned)

    def wake_outbox(self) -> None:
        """A unit of work queued messages: tell the outbox sender (due work of the one runtime)
        to look now."""
        self.outbox.wake()


class WnmrcApplication(
    Application[
        ExtBot[None],
        "BotContext",
        dict[Any, Any],
        dict[Any, Any],
        dict[Any, Any],
        JobQueue["BotContext"],
    ]
):
    """PTB's Application carrying the bot's :class:`Services`."""

    __slots__ = ("intake", "services")

    def __init__(self, *, services: Services, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.services = services
        self.intake: Intake | None = None
        """How updates come in (set by ``bot.app``): the webhook stores updates in its inbox."""

    async def stop(self) -> None:
        """Stop taking updates in hand first: those still waiting for their chat's turn stay
        in the inbox for the next start, so a stop takes seconds whatever the backlog."""
        processor = self.update_processor
        if isinstance(processor, ChatOrderedUpdateProcessor):
            processor.close()
        await super().stop()


class BotContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """The context of one update: services, plus who is talking and in which language."""

    __slots__ = ("actor", "language", "person")

    def __init__(
        self,
        application: Application[Any, Any, Any, Any, Any, Any],
        chat_id: int | None = None,
        user_id: int | None = None,
    ) -> None:
        super().__init__(application, chat_id=chat_id, user_id=user_id)
        self.person: Person | None = None
        self.language: str | None = None
        self.actor: Actor | None = None
        """The person's roles, once the guard has read them for this update."""

    @property
    def services(self) -> Services:
        return cast(WnmrcApplication, self.application).services

    @property
    def repos(self) -> Repositories:
        return self.services.repos

    @property
    def settings(self) -> Settings:
        return self.services.settings

    @property
    def tr(self) -> Translator:
        """The translator for the person of this update (the default language if unknown)."""
        return self.services.i18n.translator(self.language)
