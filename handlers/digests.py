"""/digest: preview the next digest of this chat, post it now, or choose a personal digest.

In a working group's linked chat: ``/digest`` previews that group's next digest, ``/digest now``
(its coordinators) posts it now, ``/digest daily|weekly|monthly|off`` (its coordinators) sets
how often it comes. In private: ``/digest`` previews the person's own digest (or says how to
switch it on) and ``/digest daily|weekly|monthly|off`` sets it. The rules are in
``bot/digests/rules.py``; the use cases in ``bot/digests/service.py``.
"""

from __future__ import annotations

from typing import Final

from telegram import Chat, Message, Update
from telegram.ext import BaseHandler, CommandHandler

from bot.context import BotContext
from bot.digests import FREQUENCY_LABELS, format_when, parse_frequency
from bot.digests.service import DigestsService
from bot.i18n import N_, Translator
from bot.models import DigestSchedule, Person, WorkingGroup
from bot.permissions import Role
from bot.rendering import MESSAGE_LIMIT, Html, visible_length
from handlers.guard import command, refuse_unless

PERSONAL_OFF: Final = N_(
    "Your personal digest is off. Switch it on with /digest daily, /digest weekly or "
    "/digest monthly."
)
PRIVATE_USAGE: Final = N_("Write /digest daily, /digest weekly, /digest monthly or /digest off.")
GROUP_USAGE: Final = N_(
    "Write /digest to preview the digest, /digest now to post it, or /digest daily, weekly, "
    "monthly or off to change how often it comes."
)


def handlers() -> list[tuple[BaseHandler[Update, BotContext, None], int]]:
    return [(CommandHandler("digest", digest_command), 0)]


@command("digest")
async def digest_command(update: Update, context: BotContext) -> None:
    message = update.effective_message
    person = context.person
    if message is None or person is None:
        return
    argument = " ".join(context.args or []).strip()
    digests = context.services.digests
    if message.chat.type == Chat.PRIVATE:
        await _in_private(message, context, digests, person, argument)
    else:
        await _in_group_chat(update, message, context, digests, argument)


# In private: the personal digest


async def _in_private(
    message: Message, context: BotContext, digests: DigestsService, person: Person, argument: str
) -> None:
    _ = context.tr
    if not argument:
        schedule = await digests.personal_schedule(person.id)
        if schedule is None or schedule.next_due_at is None:
            await message.reply_text(_(PERSONAL_OFF))
        else:
            await _preview(message, _, digests, schedule, None)
        return
    frequency = parse_frequency(argument)
    if frequency is None:
        await message.reply_text(_(PRIVATE_USAGE))
        return
    schedule = await digests.set_personal(person.id, frequency)
    if schedule.next_due_at is None:
        await message.reply_text(_(PERSONAL_OFF))
        return
    when = await _when(digests, schedule, _)
    await message.reply_text(
        # Translators: {frequency} is “daily”, “weekly, on Mondays” or “monthly, on the 1st”;
        # {when} is a date and time in the reader's zone.
        _(
            "Your personal digest is now {frequency}. The next one comes {when}.",
            frequency=_(FREQUENCY_LABELS[frequency]),
            when=when,
        )
    )


# In a group chat: the group's digest


async def _in_group_chat(
    update: Update, message: Message, context: BotContext, digests: DigestsService, argument: str
) -> None:
    _ = context.tr
    thread = message.message_thread_id if message.is_topic_message else None
    group = await digests.linked_group(message.chat.id, thread)
    if group is None:
        await message.reply_text(
            _("This chat is not linked to a working group, so it gets no digest.")
        )
        return
    schedule = await digests.group_schedule(group.id)
    if schedule is None:  # pragma: no cover - created with the defaults
        return
    name = group.name(_.language)
    if not argument:
        await _preview(message, _, digests, schedule, name)
        return
    word = argument.lower()
    frequency = parse_frequency(word)
    if word != "now" and frequency is None:
        await message.reply_text(_(GROUP_USAGE))
        return
    if await refuse_unless(update, context, Role.COORDINATOR, group.id, name):
        return
    if frequency is None:
        await _post_now(message, _, digests, schedule, group)
    else:
        await _set_group_frequency(message, context, digests, schedule, name, frequency)


async def _post_now(
    message: Message,
    _: Translator,
    digests: DigestsService,
    schedule: DigestSchedule,
    group: WorkingGroup,
) -> None:
    if await digests.post_now(schedule) == 0:
        await message.reply_text(
            _(
                "Nothing new for {group} since the last digest: nothing to post.",
                group=group.name(_.language),
            )
        )


async def _set_group_frequency(
    message: Message,
    context: BotContext,
    digests: DigestsService,
    schedule: DigestSchedule,
    name: str,
    frequency: str,
) -> None:
    _ = context.tr
    chosen = parse_frequency(frequency)
    assert chosen is not None
    updated = await digests.set_frequency(schedule, chosen)
    if updated is None or updated.next_due_at is None:
        await message.reply_text(_("The digest of {group} is off.", group=name))
        return
    await message.reply_text(
        # Translators: {frequency} is “daily”, “weekly, on Mondays” or “monthly, on the 1st”;
        # {when} is a date and time in the reader's zone.
        _(
            "The digest of {group} is now {frequency}. The next one comes {when}.",
            group=name,
            frequency=_(FREQUENCY_LABELS[chosen]),
            when=await _when(digests, updated, _),
        )
    )


# Previews


async def _when(digests: DigestsService, schedule: DigestSchedule, _: Translator) -> str:
    """The schedule's next due time in its target's zone, the zone named."""
    assert schedule.next_due_at is not None
    return format_when(schedule.next_due_at, await digests.zone(schedule), _.language)


async def _preview(
    message: Message,
    _: Translator,
    digests: DigestsService,
    schedule: DigestSchedule,
    group: str | None,
) -> None:
    """The next digest as it would be now, nothing marked as sent."""
    digest = await digests.preview(schedule)
    when = await _when(digests, schedule, _) if schedule.next_due_at else ""
    if digest is None or not digest.messages:
        if group is None:
            text = _(
                "Nothing new yet: your next digest, {when}, is sent only if there is news.",
                when=when,
            )
        else:
            # Translators: {when} is a date and time in the reader's zone, with the zone named.
            text = _(
                "Nothing new for {group} yet: the next digest, {when}, is sent only if there "
                "is news.",
                group=group,
                when=when,
            )
        await message.reply_text(text)
        return
    if group is None:
        header = _("Preview — your next digest comes {when}:", when=when)
    else:
        # Translators: {when} is a date and time in the reader's zone, with the zone named.
        header = _("Preview — the next digest of {group} comes {when}:", group=group, when=when)
    await _reply_all(message, header, digest.messages)


async def _reply_all(message: Message, header: Html, parts: list[str]) -> None:
    first = f"{header}\n\n{parts[0]}"
    fits = visible_length(first) <= MESSAGE_LIMIT
    for part in [first, *parts[1:]] if fits else [header, *parts]:
        await message.reply_text(part)
