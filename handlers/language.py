"""/language and /timezone: each person picks the language the bot speaks to them and the zone
it shows their times in; used in a linked group chat by its coordinators (or the secretariat),
they choose the chat's own, which announcements, digests and meeting posts there follow."""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import Annotated, Literal

from telegram import Chat, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.ext import CallbackQueryHandler

from bot.chats.service import ChatRight
from bot.commands import LANGUAGE, TIMEZONE
from bot.context import BotContext
from bot.countries import city_name, find_zone, format_offset, is_zone, utc_offset
from bot.i18n import LANGUAGE_NAMES, LANGUAGES, N_
from bot.rendering import echo
from bot.routing import CallbackData, MaxLength, callback_data
from handlers.guard import Route, actor_of, route
from handlers.replies import answer, edit_tapped
from handlers.taps import refuse_stale, tapped

CHAT_REFUSALS = {
    ChatRight.NOT_LINKED: N_(
        "This chat is not linked to a working group: only the secretariat can choose its "
        "language and time zone."
    ),
    ChatRight.NOT_COORDINATOR: N_(
        "Only the coordinators of this chat's working group and the secretariat can choose "
        "its language and time zone. Use /language and /timezone in your private chat with me "
        "for your own."
    ),
}

CHAT_LANGUAGE_SAVED = N_("From now on I will write in {language} in this chat.")


@callback_data("lang")
class LanguageButton(CallbackData):
    """One language of the /language keyboard."""

    code: Literal["en", "es", "zh", "fr"]


@callback_data("tz")
class ZoneButton(CallbackData):
    """One zone /timezone suggests for what was typed."""

    zone: Annotated[str, MaxLength(40)]
    """An IANA zone name (the longest is 32 bytes)."""


@cache
def language_keyboard(current: str | None) -> InlineKeyboardMarkup:
    """One button per catalog, each named in its own language; the current one ticked (five
    keyboards in all, built once: Telegram objects are immutable)."""
    buttons = [
        InlineKeyboardButton(
            ("✓ " if code == current else "") + LANGUAGE_NAMES[code],
            callback_data=LanguageButton(code).pack(),
        )
        for code in LANGUAGES
    ]
    return InlineKeyboardMarkup([buttons[:2], buttons[2:]])


def in_group(message: Message | None) -> bool:
    return message is not None and message.chat.type != Chat.PRIVATE


async def chat_refusal(context: BotContext, chat_id: int) -> str | None:
    """Why the sender may not choose this group chat's settings (None: they may)."""
    actor = await actor_of(context)
    if actor is None:
        return CHAT_REFUSALS[ChatRight.NOT_COORDINATOR]
    right = await context.services.chats.right(actor, chat_id)
    return CHAT_REFUSALS.get(right)


async def ask_language(update: Update, context: BotContext) -> None:
    message = update.effective_message
    if message is None:
        return
    if not in_group(message):
        await answer(
            message,
            context.tr("Which language should I speak to you?"),
            language_keyboard(context.language),
        )
        return
    refused = await chat_refusal(context, message.chat_id)
    if refused is not None:
        await message.reply_text(context.tr(refused))
        return
    settings = await context.services.chats.settings(message.chat_id)
    current = settings.language if settings.chosen_language else None
    await message.reply_text(
        context.tr("Which language should I write in in this chat?"),
        reply_markup=language_keyboard(current),
    )


async def choose_language(update: Update, context: BotContext) -> None:
    pressed = await tapped(update, context, LanguageButton)
    if pressed is None:
        return
    query, tap = pressed.query, pressed.data
    if in_group(pressed.message):
        await _choose_chat_language(update, context, tap.code)
        return
    await context.services.profile.set_language(pressed.person.id, tap.code)
    context.services.menus.changed()
    context.language = tap.code
    _ = context.tr
    await query.answer(_("Language saved."))
    await _edit(
        update,
        _("From now on I will speak to you in {language}.", language=LANGUAGE_NAMES[tap.code]),
    )


async def _choose_chat_language(update: Update, context: BotContext, code: str) -> None:
    query = update.callback_query
    assert query is not None
    assert query.message is not None
    refused = await chat_refusal(context, query.message.chat.id)
    if refused is not None:
        await query.answer(context.tr(refused), show_alert=True)
        return
    await context.services.chats.set_language(query.message.chat.id, code)
    await query.answer(context.tr("Language saved."))
    chat_tr = context.services.i18n.translator(code)
    await _edit(
        update,
        chat_tr(
            "From now on I will write in {language} in this chat.", language=LANGUAGE_NAMES[code]
        ),
    )


async def _edit(update: Update, text: str) -> None:
    query = update.callback_query
    assert query is not None
    await edit_tapped(query, text)  # the same choice tapped again on an old keyboard: no error


# --- /timezone ----------------------------------------------------------------------------


def zone_label(zone: str, now: datetime, language: str) -> str:
    """``Lima · UTC−5``: the zone's city in the reader's language and its offset now."""
    return f"{city_name(zone, language)} · {format_offset(utc_offset(zone, now))}"


async def timezone_command(update: Update, context: BotContext) -> None:
    message = update.effective_message
    if message is None or context.person is None:
        return
    if in_group(message):
        refused = await chat_refusal(context, message.chat_id)
        if refused is not None:
            await message.reply_text(context.tr(refused))
            return
    typed = " ".join(context.args or []).strip()
    if not typed:
        await message.reply_text(await _current_zone(context, message))
        return
    found = find_zone(typed)
    if found.match is not None:
        await message.reply_text(await _save_zone(context, message, found.match))
        return
    await _suggest(context, message, typed, found.suggestions)


async def _current_zone(context: BotContext, message: Message) -> str:
    _ = context.tr
    now = context.services.clock.now()
    if in_group(message):
        settings = await context.services.chats.settings(message.chat_id)
        label = zone_label(settings.zone.key, now, _.language)
        return _(
            "This chat reads times in {zone}. To change it, type /timezone and a city or a "
            "time zone, for example /timezone Lima.",
            zone=label,
        )
    person = context.person
    zone = person.timezone if person is not None and person.timezone else None
    if zone is None or not is_zone(zone):
        return _(
            "You have not chosen a time zone. Type /timezone and a city or a time zone, for "
            "example /timezone Lima."
        )
    return _(
        "Your time zone is {zone}. To change it, type /timezone and a city or a time zone, for "
        "example /timezone Lima.",
        zone=zone_label(zone, now, _.language),
    )


async def _save_zone(context: BotContext, message: Message, zone: str) -> str:
    _ = context.tr
    label = zone_label(zone, context.services.clock.now(), _.language)
    if in_group(message):
        await context.services.chats.set_zone(message.chat_id, zone)
        return _("This chat reads times in {zone} from now on.", zone=label)
    assert context.person is not None
    await context.services.profile.set_timezone(context.person.id, zone)
    await context.services.digests.follow_person_zone(context.person.id)
    context.person = context.person.model_copy(update={"timezone": zone})
    return _("I will show you times in {zone} from now on.", zone=label)


async def _suggest(
    context: BotContext, message: Message, typed: str, zones: tuple[str, ...]
) -> None:
    _ = context.tr
    if not zones:
        await message.reply_text(
            _(
                "I know no time zone or city called “{text}”. Type a bigger city nearby, "
                "or a time zone name like America/Lima.",
                text=echo(typed),
            )
        )
        return
    now = context.services.clock.now()
    buttons = [
        [InlineKeyboardButton(zone_label(z, now, _.language), callback_data=ZoneButton(z).pack())]
        for z in zones
    ]
    await message.reply_text(
        _("No time zone is called “{text}”. Did you mean one of these?", text=echo(typed)),
        reply_markup=InlineKeyboardMarkup(buttons),
    )


async def choose_zone(update: Update, context: BotContext) -> None:
    query = update.callback_query
    if query is None:
        return
    tap = ZoneButton.unpack_or_none(query.data)
    message = query.message if isinstance(query.message, Message) else None
    if tap is None or message is None or context.person is None or not is_zone(tap.zone):
        await refuse_stale(query, context)
        return
    if in_group(message):
        refused = await chat_refusal(context, message.chat_id)
        if refused is not None:
            await query.answer(context.tr(refused), show_alert=True)
            return
    text = await _save_zone(context, message, tap.zone)
    await query.answer()
    await _edit(update, text)


def handlers() -> list[Route]:
    return [
        route(LANGUAGE, ask_language),
        route(TIMEZONE, timezone_command),
        (CallbackQueryHandler(choose_language, pattern=LanguageButton.pattern()), 0),
        (CallbackQueryHandler(choose_zone, pattern=ZoneButton.pattern()), 0),
    ]
