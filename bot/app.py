"""The composition root: builds the PTB application from settings and wires every feature.

The only module that imports ``handlers``. Everything the bot needs at run time is built here
once: the request layer, the update processor, the rate limiter, the services, the handlers.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from typing import Any, cast

from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import AIORateLimiter, Application, ApplicationBuilder, ContextTypes, Defaults

from bot.claims.work import claim_notices
from bot.clock import Clock, SystemClock
from bot.context import BotContext, Services, WnmrcApplication
from bot.decisions.work import DecisionDeadlines, connect_decisions, stop_decisions
from bot.digests.schedule import digest_schedule
from bot.http import AiohttpRequest
from bot.i18n import I18n
from bot.intake import Intake
from bot.joining.work import join_request_expiry
from bot.logs import redact_bot_loggers
from bot.meetings.wiring import connect_meetings, meeting_reminders
from bot.menus import chat_menus, publish_menus, publish_profile
from bot.opportunities.deadlines import opportunity_deadlines
from bot.opportunities.introductions import monthly_introductions
from bot.outbox import DeliveryConfig, outbox_mailer, outbox_retention, outbox_sender
from bot.roadmap.work import roadmap_nudges
from bot.runtime import DueWork, DueWorkRuntime
from bot.web.server import start_web, stop_web
from config import NetworkConfig, Settings, load_network
from handlers import (
    announcements,
    calendar,
    channels,
    decisions,
    digests,
    errors,
    experiences,
    flood,
    groups,
    joining,
    language,
    meetings,
    opportunities,
    outbox,
    presence,
    privacy,
    profile,
    reviews,
    roadmap,
    roster,
    slots,
    start,
)
from handlers.dispatch import Dispatcher
from storage import Database, Repositories

logger = logging.getLogger(__name__)

FEATURES = (
    presence,
    start,
    language,
    groups,
    joining,
    profile,
    roster,
    privacy,
    outbox,
    announcements,
    digests,
    meetings,
    calendar,
    channels,
    slots,
    experiences,
    reviews,
    decisions,
    opportunities,
    roadmap,
)
"""Handler modules in registration order; ``start.fallbacks()`` are added after them all."""

DUE_WORK: tuple[Callable[[WnmrcApplication], DueWork], ...] = (
    outbox_sender,
    outbox_retention,
    outbox_mailer,  # bot/outbox/mailer.py: the e-mail rows
    digest_schedule,
    meeting_reminders,  # bot/meetings/reminders.py
    DecisionDeadlines,  # bot/decisions/work.py
    claim_notices,  # bot/claims/work.py
    join_request_expiry,  # bot/joining/work.py
    opportunity_deadlines,  # bot/opportunities/deadlines.py
    monthly_introductions,  # bot/opportunities/introductions.py
    chat_menus,  # bot/menus.py
    roadmap_nudges,  # bot/roadmap/work.py
)
"""Everything that comes due, one factory each, registered with the one runtime at start."""


def build_application(
    settings: Settings,
    *,
    token: str | None = None,
    network: NetworkConfig | None = None,
    clock: Clock | None = None,
    publish_command_menus: bool = True,
    delivery: DeliveryConfig | None = None,
) -> WnmrcApplication:
    """The bot as it runs in production; tests and the sandbox use it unchanged."""
    redact_bot_loggers()  # PTB's Bot logs its URL, token included, at DEBUG when it is made
    clock = clock or SystemClock()
    services = Services(
        settings=settings,
        network=network or load_network(settings.network_file),
        i18n=I18n(settings.default_language),
        clock=clock,
        runtime=DueWorkRuntime(clock),
        delivery=delivery or DeliveryConfig(max_in_flight=settings.outbox_in_flight),
    )
    intake = Intake()
    builder: Any = (
        ApplicationBuilder()
        .application_class(WnmrcApplication, kwargs={"services": services})
        .token(token or settings.require_token())
        .base_url(settings.base_url)
        .base_file_url(settings.base_file_url)
        .request(AiohttpRequest())
        .get_updates_request(intake.request)
        .defaults(Defaults(parse_mode=ParseMode.HTML, tzinfo=settings.default_zone))
        .context_types(ContextTypes(context=BotContext))
        .concurrent_updates(intake.processor)
        # Replies: no overall cap (it held every reply to 28/s: bench/throughput.py), 19 per
        # group per minute, 429s retried. The outbox sender paces its own traffic at 28/s.
        .rate_limiter(AIORateLimiter(overall_max_rate=0, group_max_rate=19, max_retries=2))
        .post_init(_start(publish_command_menus, intake))
        .post_stop(_stop_background_work)
        .post_shutdown(_closer(intake))
    )
    application: WnmrcApplication = builder.build()
    application.intake = intake
    intake.processor.on_flood = lambda notice: flood.slow_down(application, notice)
    register_handlers(application)
    return application


def register_handlers(application: WnmrcApplication) -> None:
    """Every feature's handlers in registration order, group 0's behind one dispatcher
    (``handlers/dispatch.py``: it tries only those that can match), then the error handler."""
    routes = [route for feature in FEATURES for route in feature.handlers()]
    declare_conversations(application)
    routes += start.fallbacks()
    features = [handler for handler, group in routes if group == 0]
    for handler, group in routes:
        if group != 0:
            application.add_handler(handler, group)
    application.add_handler(Dispatcher(features), 0)
    application.add_error_handler(errors.on_error)


def declare_conversations(application: WnmrcApplication) -> None:
    """Every feature's conversations (``conversations()`` in its handler module), held by the
    application."""
    conversations = application.services.conversations
    for feature in FEATURES:
        declared = getattr(feature, "conversations", None)
        if declared is not None:
            conversations.declare(declared())


def _services(application: Application[Any, Any, Any, Any, Any, Any]) -> Services:
    return cast(WnmrcApplication, application).services


async def _open_database(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Open and migrate the database, and load the network's working groups into it."""
    services = _services(application)
    db = await Database.open(services.settings.database_path)
    await db.migrate()
    repos = Repositories.from_db(db)
    await repos.groups.seed(services.network.groups, services.clock.now())
    services.attach(repos)


def _start(
    publish_command_menus: bool, intake: Intake
) -> Callable[[Application[Any, Any, Any, Any, Any, Any]], Coroutine[Any, Any, None]]:
    """The post_init step: database, lease and inbox, reminders, the due work (the outbox
    sender, digests), then (not awaited) the menus."""

    async def post_init(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
        await _open_database(application)
        await intake.open(cast(WnmrcApplication, application))
        connect_meetings(cast(WnmrcApplication, application))
        connect_decisions(cast(WnmrcApplication, application))
        await _start_due_work(cast(WnmrcApplication, application))
        await start_web(cast(WnmrcApplication, application))  # WNMRC_PUBLIC_URL set: the pages
        if publish_command_menus and application.job_queue is not None:
            application.job_queue.run_once(_publish_menus, when=0, name="publish-command-menus")

    return post_init


async def _start_due_work(application: WnmrcApplication) -> None:
    """Register every kind of due work once, serve what is overdue, start the one clock."""
    runtime = application.services.runtime
    if not runtime.work:
        for make in DUE_WORK:
            runtime.register(make(application))
    await runtime.start()


async def _publish_menus(context: BotContext) -> None:
    """The broad menus and the bot's profile; the secretariat's own chats get theirs from the
    per-chat menus (``chat_menus``)."""
    services = context.services
    await publish_menus(context.bot, services.i18n, frozenset())
    await publish_profile(context.bot, services.i18n)


async def _stop_background_work(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Before the bot's HTTP session closes: the reminder and digest clocks, then the sends
    in flight."""
    await stop_web(cast(WnmrcApplication, application))  # no answer recorded past this point
    await _services(application).runtime.stop()
    await _stop_meetings(application)
    await stop_decisions(cast(WnmrcApplication, application))


def _closer(
    intake: Intake,
) -> Callable[[Application[Any, Any, Any, Any, Any, Any]], Coroutine[Any, Any, None]]:
    """The post_shutdown step: the inbox's last marks and the lease, then the database."""

    async def post_shutdown(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
        try:
            await intake.close()
        finally:
            await _close_database(application)

    return post_shutdown


async def _stop_meetings(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """The live answer counts stop editing (the reminders stopped with the runtime)."""
    meetings = getattr(_services(application), "meetings", None)  # None: never attached
    if meetings is not None:
        await meetings.stop()


async def _close_database(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    await _stop_background_work(application)  # a no-op after post_stop; covers a failed start
    services = _services(application)
    try:
        db = services.db
    except RuntimeError:
        return
    services.attach(None)
    await db.close()


ALLOWED_UPDATES = Update.ALL_TYPES
"""Every update type, chat_member included (the roster learns who joins a linked group)."""


@asynccontextmanager
async def running(application: WnmrcApplication, *, poll_timeout: int = 10) -> AsyncIterator[None]:
    """Run the bot inside another program's event loop (sandbox, tests), as ``run_polling`` does.

    On exit it stops fetching, lets pending updates finish, then closes the database.
    """
    await application.initialize()
    try:
        if application.post_init is not None:
            await application.post_init(application)
        assert application.updater is not None
        await application.updater.start_polling(
            timeout=poll_timeout, allowed_updates=ALLOWED_UPDATES, drop_pending_updates=False
        )
        await application.start()
        try:
            yield
        finally:
            if application.updater.running:
                await application.updater.stop()
            await application.stop()
            if application.post_stop is not None:
                await application.post_stop(application)
    finally:
        await application.shutdown()
        if application.post_shutdown is not None:
            await application.post_shutdown(application)
