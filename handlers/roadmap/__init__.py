"""The roadmap in the chat: ``/roadmap [GROUP|all]``, ``/mytasks``, ``/progress ID [note]`` and
``/action`` (the step form in ``handlers/roadmap/form.py``).

Listings put overdue actions first, then the rest by due date, a page at a time (``rp`` buttons);
every due date is shown in the reader's zone. ``/progress ID`` shows the action with its notes
and status buttons (``rg``); ``/progress ID text`` adds a progress note; Blocked asks for the
reason in a small conversation (draft kind ``roadmap_block``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Final
from zoneinfo import ZoneInfo

from telegram import (
    CallbackQuery,
    Chat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    Update,
)
from telegram.ext import CallbackQueryHandler

from bot.commands import ACTION, MYTASKS, PROGRESS, ROADMAP
from bot.context import BotContext
from bot.conversations import Conversation
from bot.groups import find_group, group_of_place
from bot.i18n import N_, Translator
from bot.models import Draft
from bot.models import RoadmapAction as Action
from bot.rendering import Html, echo, split_message
from bot.roadmap import rules
from bot.roadmap.buttons import RoadmapPage, StatusChange
from bot.roadmap.rules import format_due, zone_or_utc
from bot.roadmap.service import (
    BLOCK_KIND,
    NO_PROGRESS_RIGHT,
    NO_SUCH_ACTION,
    Page,
    RoadmapService,
    due_of,
)
from handlers.form_parts import View, reader_zone, reply
from handlers.guard import Route, route
from handlers.roadmap.form import FORM, action_command
from handlers.taps import STALE, refuse_stale, tapped

ASK_ID: Final = N_("Type /progress followed by the action's number, e.g. /progress 12.")


def service(context: BotContext) -> RoadmapService:
    return context.services.roadmap


# --- listings ------------------------------------------------------------------------------


async def roadmap_command(update: Update, context: BotContext) -> None:
    message = update.effective_message
    if message is None or context.person is None:
        return
    scope = await _scope(context, message)
    if scope is None:
        query = " ".join(context.args or [])
        await message.reply_text(
            context.tr("There is no working group “{query}”.", query=echo(query))
        )
        return
    page = await service(context).page(scope, context.person.id, 0)
    await reply(message, View(*await _listing(context, scope, page)))


async def mytasks_command(update: Update, context: BotContext) -> None:
    message = update.effective_message
    if message is None or context.person is None:
        return
    page = await service(context).page("mine", context.person.id, 0)
    await reply(message, View(*await _listing(context, "mine", page)))


async def _scope(context: BotContext, message: Message) -> str | None:
    """``all``, a group's slug, or None when the typed group is unknown."""
    query = " ".join(context.args or []).strip()
    groups = await service(context).groups()
    if query.lower() in ("all", "todo", "todos", "tout", "tous", "全部"):
        return "all"
    if query:
        found = find_group(groups, query)
        return None if found is None else found.slug
    if message.chat.type != Chat.PRIVATE:
        topic = message.message_thread_id if message.is_topic_message else None
        linked = group_of_place(groups, message.chat.id, topic)
        if linked is not None:
            return linked.slug
    return "all"


async def _listing(
    context: BotContext, scope: str, page: Page
) -> tuple[Html, InlineKeyboardMarkup | None]:
    _ = context.tr
    if scope == "mine":
        title = _("<b>Your actions</b>")
    elif scope == "all":
        title = _("<b>The roadmap</b>")
    else:
        group = next((g for g in await service(context).groups() if g.slug == scope), None)
        title = _("<b>The roadmap of {group}</b>", group=group.name(_.language) if group else scope)
    if not page.actions:
        empty = _("No actions yet.") if scope != "mine" else _("You own no actions.")
        return Html(f"{title}\n{empty}"), None
    now = context.services.clock.now()
    zone = zone_or_utc(reader_zone(context))
    lines: list[str] = [title, ""]
    for action in page.actions:
        lines.append(await _line(context, action, zone, now))
    if page.pages > 1:
        lines += ["", _("Page {page} of {pages}", page=page.page + 1, pages=page.pages)]
    return Html("\n".join(lines)), _pager(_, scope, page)


async def _line(context: BotContext, action: Action, zone: ZoneInfo, now: datetime) -> Html:
    _ = context.tr
    mark = "⚠️ " if rules.is_overdue(action.due_at, action.status, now) else ""
    due = format_due(due_of(action), zone, _.language)
    names = ", ".join(await service(context).owner_names(action, _)) or "—"
    status = _(rules.STATUS_LABELS[action.status])
    return _(
        "{mark}#{id} {title}\n    📅 {due} · 👤 {owners} · {status}",
        mark=Html(mark),
        id=action.id,
        title=action.title,
        due=due,
        owners=names,
        status=status,
    )


def _pager(_: Translator, scope: str, page: Page) -> InlineKeyboardMarkup | None:
    row = []
    if page.page > 0:
        row.append(_button(_("« Previous"), RoadmapPage(scope, page.page - 1).pack()))
    if page.page + 1 < page.pages:
        row.append(_button(_("Next »"), RoadmapPage(scope, page.page + 1).pack()))
    return InlineKeyboardMarkup([row]) if row else None


def _button(text: str, data: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(text, callback_data=data)


async def on_page(update: Update, context: BotContext) -> None:
    pressed = await tapped(update, context, RoadmapPage, with_message=True)
    if pressed is None or pressed.message is None:
        return
    query, tap, message = pressed.query, pressed.data, pressed.message
    page = await service(context).page(tap.scope, pressed.person.id, tap.page)
    text, keyboard = await _listing(context, tap.scope, page)
    await query.answer()
    await message.edit_text(split_message(text)[0], reply_markup=keyboard)


# --- /progress -----------------------------------------------------------------------------


async def progress_command(update: Update, context: BotContext) -> None:
    message, person = update.effective_message, context.person
    if message is None or person is None:
        return
    _ = context.tr
    args = context.args or []
    if not args or not args[0].lstrip("#").isdigit():
        await message.reply_text(_(ASK_ID))
        return
    action_id = int(args[0].lstrip("#"))
    note = (message.text or "").split(maxsplit=2)[2] if len(args) > 1 else None
    if note:
        result = await service(context).progress(person.id, action_id, note=note)
        if result.refusal is not None:
            await message.reply_text(_(result.refusal, id=action_id))
            return
        await message.reply_text(_("✓ Note added to #{id}.", id=action_id))
        return
    await _show_action(context, message, action_id)


async def _show_action(context: BotContext, message: Message, action_id: int) -> None:
    _ = context.tr
    person = context.person
    action = await service(context).action(action_id)
    if action is None or person is None:
        await message.reply_text(_(NO_SUCH_ACTION, id=action_id))
        return
    text, keyboard = await _action_view(context, action)
    await reply(message, View(text, keyboard))


async def _action_view(context: BotContext, action: Action) -> tuple[Html, InlineKeyboardMarkup]:
    _ = context.tr
    body = await service(context).action_text(_, action, zone_or_utc(reader_zone(context)))
    lines: list[str] = [body]
    notes = await service(context).notes(action.id)
    if notes:
        lines += ["", _("<b>Progress notes</b>")]
    zone = zone_or_utc(reader_zone(context))
    for note in notes[-10:]:
        author = note.author_name or _("a former member")
        when = f"{note.created_at.astimezone(zone):%Y-%m-%d %H:%M}"
        status = f" [{_(rules.STATUS_LABELS[note.status])}]" if note.status else ""
        text = note.text or ""
        lines.append(
            _(
                "• {when} {author}{status}: {text}",
                when=when,
                author=author,
                status=status,
                text=text,
            )
        )
    lines += ["", _("Type /progress {id} followed by a note to add one.", id=action.id)]
    buttons = [
        _button(_(rules.STATUS_LABELS[code]), StatusChange(action.id, code).pack())
        for code in rules.STATUSES
        if code != action.status
    ]
    return Html("\n".join(lines)), InlineKeyboardMarkup([buttons[:2], buttons[2:]])


async def on_status(update: Update, context: BotContext) -> None:
    pressed = await tapped(update, context, StatusChange, with_message=True)
    if pressed is None or pressed.message is None:
        return
    _ = context.tr
    query, tap, person, message = pressed.query, pressed.data, pressed.person, pressed.message
    action = await service(context).action(tap.action_id)
    if action is None:
        await refuse_stale(query, context)
        return
    if tap.status == "blocked":
        await _ask_reason(context, query, person.id, action.id, message.chat_id)
        return
    result = await service(context).progress(person.id, action.id, status=tap.status)
    if result.refusal is not None or result.action is None:
        await query.answer(_(result.refusal or STALE, id=action.id), show_alert=True)
        return
    await query.answer(_("Status changed."))
    text, keyboard = await _action_view(context, result.action)
    await message.edit_text(split_message(text)[0], reply_markup=keyboard)


async def _ask_reason(
    context: BotContext, query: CallbackQuery, person_id: int, action_id: int, chat_id: int
) -> None:
    _ = context.tr
    if not await service(context).may_update(person_id, action_id):
        await query.answer(_(NO_PROGRESS_RIGHT), show_alert=True)
        return
    data = {"action_id": action_id}
    await context.services.drafts.save(person_id, BLOCK_KIND, "reason", data, chat_id)
    await query.answer()
    ask = _("What is blocking #{id}? Type the reason.", id=action_id)
    await context.bot.send_message(chat_id, ask)


async def on_reason(update: Update, context: BotContext, draft: Draft) -> None:
    message, person = update.effective_message, context.person
    if message is None or person is None or not message.text:
        return
    _ = context.tr
    action_id = int(draft.data.get("action_id") or 0)
    reason = " ".join(message.text.split())[: rules.NOTE_LIMIT]
    result = await service(context).progress(person.id, action_id, status="blocked", reason=reason)
    await context.services.drafts.delete(person.id, BLOCK_KIND)
    if result.refusal is not None:
        await message.reply_text(_(result.refusal, id=action_id))
        return
    await message.reply_text(_("✓ #{id} is blocked: {reason}", id=action_id, reason=reason))


def conversations() -> tuple[Conversation, ...]:
    return (
        *FORM.conversations(
            N_("adding an action to the roadmap"),
            N_("editing an action"),
            N_("Stop adding this action?"),
        ),
        Conversation(BLOCK_KIND, on_reason, N_("saying why an action is blocked")),
    )


def handlers() -> list[Route]:
    return [
        route(ROADMAP, roadmap_command),
        route(MYTASKS, mytasks_command),
        route(PROGRESS, progress_command),
        route(ACTION, action_command),
        *FORM.button_handlers(),
        (CallbackQueryHandler(on_page, pattern=RoadmapPage.pattern()), 0),
        (CallbackQueryHandler(on_status, pattern=StatusChange.pattern()), 0),
    ]
