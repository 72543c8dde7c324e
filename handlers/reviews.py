"""/review, /rank, /shortlist, /vote, /select, /experiences: from review to publishing.

The rules (statuses, who may move them, scores, the ranking, the card) live in ``bot/reviews.py``
and the files in ``bot/booklet.py``; this module parses commands and buttons, reads and writes
the repositories, and tells the author of every change of status through the outbox.

Buttons: ``rv:<experience>`` opens a review (also on the new-submission notice),
``rq:<experience>:<criterion>:<score>`` scores, ``rk:<experience>`` skips the comment,
``rd:<experience>:<a|c|d|l>`` decides, ``vt:<round>:<experience>`` votes. A review in progress
is a draft of kind ``review`` (it survives a restart).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Final

from telegram import (
    CallbackQuery,
    Chat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Update,
)
from telegram.error import BadRequest, TelegramError
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot import booklet
from bot import reviews as rules
from bot.context import BotContext
from bot.delivery import enqueue
from bot.groups import find_group
from bot.i18n import N_, Translator
from bot.permissions import Role
from bot.rendering import Html, bold, echo
from bot.reviews import Party
from handlers import drafts
from handlers.guard import actor_of, command
from storage import Draft, Person, WorkingGroup
from storage.models import Experience, ExperienceStatus
from storage.outbox import OutboxPayload, OutgoingMessage

KIND: Final = "review"
PREFIXES: Final = (
    rules.REVIEW_OPEN,
    rules.REVIEW_SCORE,
    rules.REVIEW_SKIP_COMMENT,
    rules.REVIEW_DECIDE,
)
STALE: Final = N_("This button is no longer valid.")
NO_EXPERIENCE: Final = N_("There is no experience #{id}.")
ALREADY_DECIDED: Final = N_("Experience #{id} has already been decided: it is {status}.")
NOT_YOURS_TO_REVIEW: Final = N_(
    "Only the coordinators of its working groups and the secretariat review #{id}; "
    "nobody reviews their own experience."
)
PRIVATE_ONLY: Final = N_("Use /{command} in your private chat with me.")
SHOWN_AT_MOST: Final = 30
QUERY_LIMIT: Final = 100


# --- shared --------------------------------------------------------------------------------


def _criteria(context: BotContext) -> list[str]:
    return list(context.services.network.review.criteria) or list(rules.CRITERION_LABELS)


async def _groups(context: BotContext) -> list[WorkingGroup]:
    return await context.repos.groups.list(active_only=False)


async def _parties(context: BotContext, experience: Experience) -> frozenset[Party]:
    actor = await actor_of(context)
    if actor is None:
        return frozenset()
    slugs = {g.slug for g in await _groups(context) if g.id in actor.coordinated}
    return rules.parties(experience, actor.person_id, slugs, actor.secretariat)


async def _tell_author(
    context: BotContext, experience: Experience, status: ExperienceStatus, note: str | None
) -> None:
    """The change of status, in the author's language, to their private chat."""
    author = await context.repos.people.get(experience.author_id or 0)
    if author is None or author.telegram_id is None or author.started_at is None:
        return
    tr = context.services.i18n.for_person(author.language, author.telegram_language)
    changes = len(await context.repos.experiences.history(experience.id))
    await enqueue(
        context.application,
        [
            OutgoingMessage(
                kind="notice",
                chat_id=author.telegram_id,
                person_id=author.id,
                dedupe_key=f"xp:{experience.id}:{changes}:{status}",
                payload=OutboxPayload(text=rules.status_notice(tr, experience, status, note)),
                due_at=context.services.clock.now(),
            )
        ],
    )


async def _move(
    context: BotContext,
    experience: Experience,
    target: ExperienceStatus,
    who: frozenset[Party],
    note: str | None = None,
) -> Experience | None:
    """Change the status if still allowed (compare-and-set), tell the author; None if stale."""
    person = context.person
    moved = await context.repos.experiences.set_status(
        experience.id,
        target,
        context.services.clock.now(),
        changed_by=person.id if person else None,
        note=note,
        only_from=rules.sources(target, who),
    )
    if moved is not None:
        await _tell_author(context, moved, target, note)
    return moved


async def _reply(update: Update, text: str) -> None:
    message = update.effective_message
    if message is None:
        return
    for part in rules.card_parts(Html(text)):
        await message.reply_text(part)


def _in_private(query: CallbackQuery) -> bool:
    """Review and vote buttons live in private chats only (a forged one elsewhere is refused)."""
    message = query.message
    return message is not None and message.chat.type == Chat.PRIVATE


async def _alert(query: CallbackQuery, text: str) -> None:
    await query.answer(text, show_alert=True)


async def _edit(query: CallbackQuery, text: str, markup: InlineKeyboardMarkup | None) -> None:
    try:
        await query.edit_message_text(text, reply_markup=markup)
    except BadRequest as error:
        if "not modified" not in error.message.lower():
            raise


# --- /review: the queue ---------------------------------------------------------------------


@command("review")
async def review_command(update: Update, context: BotContext) -> None:
    _ = context.tr
    groups = await _groups(context)
    queue: list[Experience] = []
    for experience in await context.repos.experiences.list(statuses=sorted(rules.REVIEWABLE)):
        if Party.REVIEWER in await _parties(context, experience):
            queue.append(experience)
    if not queue:
        await _reply(update, _("Nothing is waiting for your review."))
        return
    shown = queue[:SHOWN_AT_MOST]
    lines = [bold(_.plural("{n} experience to review:", "{n} experiences to review:", len(queue)))]
    lines += [rules.render_queue_line(_, e, groups) for e in shown]
    buttons = [
        [
            InlineKeyboardButton(
                _("Review #{id}", id=e.id), callback_data=f"{rules.REVIEW_OPEN}:{e.id}"
            )
        ]
        for e in shown
    ]
    message = update.effective_message
    assert message is not None
    *before, last = rules.card_parts(Html("\n".join(lines)))
    for part in before:
        await message.reply_text(part)
    await message.reply_text(last, reply_markup=InlineKeyboardMarkup(buttons))


# --- the review buttons ---------------------------------------------------------------------


async def on_review_button(update: Update, context: BotContext) -> None:
    query = update.callback_query
    if query is None or context.person is None:
        return
    _ = context.tr
    parsed = rules.parse_callback(query.data or "")
    if parsed is None:
        await _alert(query, _(STALE))
        return
    if not _in_private(query):
        await _alert(query, _(PRIVATE_ONLY, command="review"))
        return
    experience = await context.repos.experiences.get(parsed.numbers[0])
    if experience is None:
        await _alert(query, _(NO_EXPERIENCE, id=parsed.numbers[0]))
        return
    who = await _parties(context, experience)
    if Party.REVIEWER not in who:
        await _alert(query, _(NOT_YOURS_TO_REVIEW, id=experience.id))
        return
    if experience.status not in rules.REVIEWABLE:
        status = rules.status_label(_, experience.status)
        await _alert(query, _(ALREADY_DECIDED, id=experience.id, status=status))
        return
    if parsed.prefix == rules.REVIEW_OPEN:
        await _open_review(query, context, experience)
        return
    draft = await context.repos.drafts.get(context.person.id, KIND)
    if draft is None or draft.data.get("experience") != experience.id:
        await _alert(query, _(STALE))
        return
    if parsed.prefix == rules.REVIEW_SCORE:
        await _score(query, context, experience, draft, parsed.numbers[1], parsed.numbers[2])
    elif parsed.prefix == rules.REVIEW_SKIP_COMMENT and draft.step == "comment":
        await query.answer()
        await _edit(query, _decide_prompt(_, experience), _decide_keyboard(_, experience))
        await _save(context, draft, "decide", {})
    elif parsed.prefix == rules.REVIEW_DECIDE and draft.step in ("comment", "decide"):
        await _decide(query, context, experience, who, draft, parsed.letter or "")
    else:
        await _alert(query, _(STALE))


async def _save(context: BotContext, draft: Draft, step: str, changes: dict[str, Any]) -> None:
    assert context.person is not None
    await context.repos.drafts.save(
        context.person.id,
        KIND,
        step,
        draft.data | changes,
        draft.chat_id,
        context.services.clock.now(),
    )


async def _open_review(query: CallbackQuery, context: BotContext, experience: Experience) -> None:
    """The card, then the first criterion with its 1-5 buttons; a draft keeps the scores."""
    person = context.person
    assert person is not None
    _ = context.tr
    await query.answer()
    chat_id = query.message.chat.id if query.message else person.telegram_id
    card = rules.render_card(_, experience, await _groups(context), full=True)
    for part in rules.card_parts(card):
        await context.bot.send_message(chat_id or 0, part)
    earlier = await context.repos.reviews.review_of(experience.id, person.id)
    data = {"experience": experience.id, "scores": {}, "replaces": earlier is not None}
    await context.repos.drafts.save(
        person.id, KIND, "score", data, chat_id, context.services.clock.now()
    )
    text, markup = _score_prompt(context, experience, 0, earlier is not None)
    await context.bot.send_message(chat_id or 0, text, reply_markup=markup)


def _score_prompt(
    context: BotContext, experience: Experience, index: int, replaces: bool
) -> tuple[str, InlineKeyboardMarkup]:
    _ = context.tr
    criteria = _criteria(context)
    lines = [
        _("Review of #{id} {title}", id=experience.id, title=experience.title),
        _(
            "Criterion {number} of {total}: {criterion}",
            number=index + 1,
            total=len(criteria),
            criterion=rules.criterion_label(_, criteria[index]),
        ),
        _("Score from 1 (weak) to 5 (excellent)."),
    ]
    if replaces and index == 0:
        lines.append(_("You reviewed it before: your new scores will replace the earlier ones."))
    row = [
        InlineKeyboardButton(
            str(score),
            callback_data=f"{rules.REVIEW_SCORE}:{experience.id}:{index}:{score}",
        )
        for score in rules.SCORES
    ]
    return "\n".join(lines), InlineKeyboardMarkup([row])


async def _score(
    query: CallbackQuery,
    context: BotContext,
    experience: Experience,
    draft: Draft,
    index: int,
    score: int,
) -> None:
    _ = context.tr
    criteria = _criteria(context)
    scores: dict[str, int] = dict(draft.data.get("scores", {}))
    if draft.step != "score" or index != len(scores) or index >= len(criteria):
        await _alert(query, _(STALE))
        return
    if score not in rules.SCORES:
        await _alert(query, _(STALE))
        return
    scores[criteria[index]] = score
    await query.answer()
    if len(scores) < len(criteria):
        await _save(context, draft, "score", {"scores": scores})
        text, markup = _score_prompt(context, experience, len(scores), False)
        await _edit(query, text, markup)
        return
    await _finish_scores(query, context, experience, draft, scores)


async def _finish_scores(
    query: CallbackQuery,
    context: BotContext,
    experience: Experience,
    draft: Draft,
    scores: dict[str, int],
) -> None:
    person = context.person
    assert person is not None
    _ = context.tr
    now = context.services.clock.now()
    replaced = await context.repos.reviews.save_review(experience.id, person.id, scores, now)
    if experience.status == "submitted":
        await _move(context, experience, "in_review", frozenset({Party.REVIEWER}))
    await _save(context, draft, "comment", {"scores": scores})
    mean = sum(scores.values()) / len(scores)
    lines = [_("Scores saved for #{id}: mean {mean}.", id=experience.id, mean=f"{mean:.1f}")]
    if replaced:
        lines.append(_("They replace your earlier scores."))
    lines.append(_("Type a comment for the other reviewers, or skip it."))
    markup = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    _("Skip"), callback_data=f"{rules.REVIEW_SKIP_COMMENT}:{experience.id}"
                )
            ]
        ]
    )
    await _edit(query, "\n".join(lines), markup)


def _decide_prompt(_: Translator, experience: Experience) -> str:
    return _("What do you decide on #{id} {title}?", id=experience.id, title=experience.title)


def _decide_keyboard(_: Translator, experience: Experience) -> InlineKeyboardMarkup:
    def button(label: str, letter: str) -> InlineKeyboardButton:
        return InlineKeyboardButton(
            label, callback_data=f"{rules.REVIEW_DECIDE}:{experience.id}:{letter}"
        )

    return InlineKeyboardMarkup(
        [
            [button(_("Accept"), "a"), button(_("Request changes"), "c")],
            [button(_("Decline"), "d"), button(_("Decide later"), "l")],
        ]
    )


async def _decide(
    query: CallbackQuery,
    context: BotContext,
    experience: Experience,
    who: frozenset[Party],
    draft: Draft,
    letter: str,
) -> None:
    person = context.person
    assert person is not None
    _ = context.tr
    target = rules.DECISIONS.get(letter)
    if letter == "l":
        await context.repos.drafts.delete(person.id, KIND)
        await query.answer()
        await _edit(query, _("Saved. Decide later from /review."), None)
        return
    if target is None:
        await _alert(query, _(STALE))
        return
    if target in rules.NOTE_REQUIRED:
        await query.answer()
        await _save(context, draft, "note", {"decision": target})
        ask = (
            _("Type the note for the author: what should change?")
            if target == "changes_requested"
            else _("Type the reason for declining, for the author.")
        )
        await _edit(query, ask, None)
        return
    moved = await _move(context, experience, target, who)
    if moved is None:
        await _alert(query, _(STALE))
        return
    await context.repos.drafts.delete(person.id, KIND)
    await query.answer()
    await _edit(query, _("#{id} is accepted. The author has been told.", id=experience.id), None)


async def on_review_text(update: Update, context: BotContext, draft: Draft) -> None:
    """A typed comment (after the scores) or note to the author (after the decision)."""
    message = update.effective_message
    person = context.person
    if message is None or person is None or not message.text:
        return
    _ = context.tr
    text = message.text.strip()
    experience = await context.repos.experiences.get(int(draft.data.get("experience", 0)))
    if experience is None or experience.status not in rules.REVIEWABLE:
        await context.repos.drafts.delete(person.id, KIND)
        await message.reply_text(_("That experience is no longer waiting for a review."))
        return
    limit = rules.NOTE_LIMIT if draft.step == "note" else rules.COMMENT_LIMIT
    if len(text) > limit:
        await message.reply_text(
            _("That is {n} characters; at most {limit} fit.", n=len(text), limit=limit)
        )
        return
    if draft.step == "comment":
        now = context.services.clock.now()
        await context.repos.reviews.set_comment(experience.id, person.id, text, now)
        await _save(context, draft, "decide", {})
        saved = _("Comment saved.")
        await message.reply_text(
            f"{saved}\n{_decide_prompt(_, experience)}",
            reply_markup=_decide_keyboard(_, experience),
        )
        return
    if draft.step == "note":
        await _note(update, context, draft, experience, text)
        return
    await message.reply_text(_("Use the buttons above, or /cancel."))


async def _note(
    update: Update, context: BotContext, draft: Draft, experience: Experience, note: str
) -> None:
    message = update.effective_message
    assert message is not None
    assert context.person is not None
    _ = context.tr
    target: ExperienceStatus = (
        "declined" if draft.data.get("decision") == "declined" else "changes_requested"
    )
    moved = await _move(context, experience, target, await _parties(context, experience), note)
    await context.repos.drafts.delete(context.person.id, KIND)
    if moved is None:
        await message.reply_text(_("That experience is no longer waiting for a review."))
        return
    done = (
        _("Changes requested on #{id}. The author has been told.", id=experience.id)
        if target == "changes_requested"
        else _("#{id} is declined. The author has been told.", id=experience.id)
    )
    await message.reply_text(done)


# --- /rank and /shortlist -------------------------------------------------------------------


@command("rank")
async def rank_command(update: Update, context: BotContext) -> None:
    _ = context.tr
    groups = await _groups(context)
    query = " ".join(context.args or []).strip()
    theme: WorkingGroup | None = None
    if query:
        theme = find_group(groups, query)
        if theme is None:
            await _reply(update, _unknown_theme(_, query, groups))
            return
    experiences = await context.repos.experiences.list(
        statuses=rules.RANKED_STATUSES, theme=theme.slug if theme else None
    )
    reviews = await context.repos.reviews.reviews_of([e.id for e in experiences])
    ranked = rules.rank(experiences, reviews, await context.repos.reviews.vote_counts())
    title = theme.name(_.language) if theme else _("all themes")
    await _reply(update, rules.render_ranking(_, ranked, title))


def _unknown_theme(_: Translator, query: str, groups: Sequence[WorkingGroup]) -> Html:
    return _(
        "There is no theme “{query}”. The themes are: {themes}.",
        query=echo(query),
        themes=", ".join(g.slug for g in groups if g.active),
    )


@command("shortlist")
async def shortlist_command(update: Update, context: BotContext) -> None:
    _ = context.tr
    ids = rules.parse_ids(context.args or [])
    if not ids or len(ids) != 1:
        await _reply(update, _("Write /shortlist ID, e.g. /shortlist 12 (the ids are in /rank)."))
        return
    experience = await context.repos.experiences.get(ids[0])
    if experience is None:
        await _reply(update, _(NO_EXPERIENCE, id=ids[0]))
        return
    who = await _parties(context, experience)
    if Party.REVIEWER not in who:
        await _reply(update, _(NOT_YOURS_TO_REVIEW, id=experience.id))
        return
    if experience.status != "accepted":
        status = rules.status_label(_, experience.status)
        await _reply(
            update,
            _(
                "Only accepted experiences go on the shortlist; #{id} is {status}.",
                id=experience.id,
                status=status,
            ),
        )
        return
    moved = await _move(context, experience, "shortlisted", who)
    if moved is None:
        await _reply(update, _(STALE))
        return
    await _reply(update, _("#{id} {title} is on the shortlist.", id=moved.id, title=moved.title))


# --- /vote ----------------------------------------------------------------------------------


@command("vote")
async def vote_command(update: Update, context: BotContext) -> None:
    _ = context.tr
    groups = await context.repos.groups.list()
    query = " ".join(context.args or []).strip()
    group = find_group(groups, query) if query else None
    if group is None:
        await _reply(
            update,
            _("Write /vote GROUP, e.g. /vote climate."),
        )
        return
    ballot = await _ballot(context, group)
    if not ballot:
        await _reply(
            update,
            _(
                "Nothing is shortlisted in {group} yet: coordinators use /shortlist first.",
                group=group.name(_.language),
            ),
        )
        return
    person = context.person
    now = context.services.clock.now()
    vote_round, created = await context.repos.reviews.open_round(
        group.id, person.id if person else None, now
    )
    members = [m.person for m in await context.repos.roster.members(group.id)]
    messages = [
        _ballot_message(context, vote_round.id, group, ballot, member, set())
        for member in members
        if member.telegram_id is not None and member.started_at is not None
    ]
    added = await enqueue(context.application, messages)
    opened = (
        _("The selection vote of {group} is open.", group=group.name(_.language))
        if created
        else _("The selection vote of {group} was already open.", group=group.name(_.language))
    )
    sent = _.plural("{n} member gets the ballot now.", "{n} members get the ballot now.", added)
    await _reply(update, f"{opened} {sent}")


async def _ballot(context: BotContext, group: WorkingGroup) -> list[Experience]:
    return await context.repos.experiences.list(statuses=["shortlisted"], theme=group.slug)


def _ballot_message(
    context: BotContext,
    round_id: int,
    group: WorkingGroup,
    ballot: Sequence[Experience],
    member: Person,
    voted: set[int],
) -> OutgoingMessage:
    tr = context.services.i18n.for_person(member.language, member.telegram_language)
    text, markup = _ballot_view(tr, round_id, group, ballot, voted)
    return OutgoingMessage(
        kind="announcement",
        chat_id=member.telegram_id or 0,
        person_id=member.id,
        dedupe_key=f"vote:{round_id}:{member.id}",
        payload=OutboxPayload(text=text, reply_markup=markup.to_dict()),
        due_at=context.services.clock.now(),
    )


def _ballot_view(
    _: Translator,
    round_id: int,
    group: WorkingGroup,
    ballot: Sequence[Experience],
    voted: set[int],
) -> tuple[str, InlineKeyboardMarkup]:
    lines = [
        bold(_("Selection vote of {group}", group=group.name(_.language))),
        _(
            "Vote for the experiences the network should share: one vote per experience, "
            "tap again to take it back."
        ),
        "",
    ]
    lines += [
        _("#{id} {title} ({reserve})", id=e.id, title=e.title, reserve=e.reserve) for e in ballot
    ]
    rows = [
        [
            InlineKeyboardButton(
                f"{'✅' if e.id in voted else '☐'} #{e.id} {rules.echo_title(e.title)}",
                callback_data=f"{rules.VOTE}:{round_id}:{e.id}",
            )
        ]
        for e in ballot
    ]
    return "\n".join(lines), InlineKeyboardMarkup(rows)


async def on_vote_button(update: Update, context: BotContext) -> None:
    query = update.callback_query
    person = context.person
    if query is None or person is None:
        return
    _ = context.tr
    parsed = rules.parse_callback(query.data or "")
    if parsed is None or parsed.prefix != rules.VOTE or not _in_private(query):
        await _alert(query, _(STALE))
        return
    round_id, experience_id = parsed.numbers
    vote_round = await context.repos.reviews.round(round_id)
    if vote_round is None or not vote_round.is_open:
        await _alert(query, _("This vote is closed."))
        return
    group = next((g for g in await _groups(context) if g.id == vote_round.group_id), None)
    if group is None or not await context.repos.roster.is_member(person.id, group.id):
        await _alert(query, _("Only members of the working group vote."))
        return
    ballot = await _ballot(context, group)
    if experience_id not in {e.id for e in ballot}:
        await _alert(query, _(STALE))
        return
    now = context.services.clock.now()
    stands = await context.repos.reviews.toggle_vote(round_id, experience_id, person.id, now)
    await query.answer(
        _("Your vote for #{id} is counted.", id=experience_id)
        if stands
        else _("Your vote for #{id} is taken back.", id=experience_id)
    )
    voted = await context.repos.reviews.votes_of(round_id, person.id)
    text, markup = _ballot_view(_, round_id, group, ballot, voted)
    await _edit(query, text, markup)


# --- /select and publishing -----------------------------------------------------------------

SELECTABLE: Final[frozenset[ExperienceStatus]] = frozenset({"accepted", "shortlisted", "selected"})


@command("select")
async def select_command(update: Update, context: BotContext) -> None:
    _ = context.tr
    ids = rules.parse_ids(context.args or [])
    if not ids:
        await _reply(update, _("Write /select ID [ID...], e.g. /select 12 15 17."))
        return
    chosen: list[Experience] = []
    problems: list[str] = []
    for experience_id in ids:
        experience = await context.repos.experiences.get(experience_id)
        if experience is None:
            problems.append(_(NO_EXPERIENCE, id=experience_id))
        elif experience.status not in SELECTABLE:
            problems.append(
                _(
                    "#{id} is {status}: only accepted or shortlisted experiences are selected.",
                    id=experience_id,
                    status=rules.status_label(_, experience.status),
                )
            )
        else:
            chosen.append(experience)
    if problems:
        await _reply(update, "\n".join([*problems, _("Nothing was selected.")]))
        return
    published: list[str] = []
    for experience in chosen:
        if experience.status != "selected":
            who = await _parties(context, experience)
            moved = await _move(context, experience, "selected", who)
            if moved is None:  # changed meanwhile (withdrawn, declined): not published
                continue
            experience = moved
        places = await _publish(context, experience)
        published.append(
            _.plural(
                "#{id} {title}: posted to {n} chat",
                "#{id} {title}: posted to {n} chats",
                places,
                id=experience.id,
                title=experience.title,
            )
        )
    await context.repos.reviews.close_rounds(context.services.clock.now())
    lines = [bold(_("Selected and published:")), *published]
    if not context.settings.network_channel:
        lines.append(_("No network channel is configured (WNMRC_NETWORK_CHANNEL)."))
    await _reply(update, "\n".join(lines))


async def _channel_id(context: BotContext) -> int | None:
    configured = (context.settings.network_channel or "").strip()
    if not configured:
        return None
    if configured.lstrip("-").isdigit():
        return int(configured)
    try:
        return (await context.bot.get_chat(configured)).id
    except TelegramError:
        return None


async def _publish(context: BotContext, experience: Experience) -> int:
    """Post the card and the album to the channel and to the group chats of its themes."""
    i18n = context.services.i18n
    groups = await _groups(context)
    places: list[tuple[int, int | None, str]] = []
    channel = await _channel_id(context)
    if channel is not None:
        places.append((channel, None, i18n.default_language))
    for group in groups:
        if group.slug in experience.themes and group.chat_id is not None:
            chat = await context.repos.chats.get(group.chat_id)
            language = (chat.language if chat else None) or i18n.default_language
            places.append((group.chat_id, group.topic_id, language))
    now = context.services.clock.now()
    messages: list[OutgoingMessage] = []
    seen: set[int] = set()
    for chat_id, topic_id, language in places:
        if chat_id in seen:
            continue
        seen.add(chat_id)
        tr = i18n.translator(language)
        key = f"pub:{experience.id}:{chat_id}"
        card = rules.render_card(tr, experience, groups)
        for number, part in enumerate(rules.card_parts(card), start=1):
            messages.append(
                _post(chat_id, topic_id, f"{key}:{number}", OutboxPayload(text=part), now)
            )
        photos = rules.album_photos(experience)
        if photos:
            album = OutboxPayload(text=rules.album_caption(experience), album=tuple(photos))
            messages.append(_post(chat_id, topic_id, f"{key}:album", album, now))
        await context.repos.reviews.record_publication(experience.id, chat_id, f"{key}:1", now)
    await enqueue(context.application, messages)
    return len(seen)


def _post(
    chat_id: int, topic_id: int | None, key: str, payload: OutboxPayload, now: datetime
) -> OutgoingMessage:
    return OutgoingMessage(
        kind="announcement",
        chat_id=chat_id,
        message_thread_id=topic_id,
        dedupe_key=key,
        payload=payload,
        due_at=now,
    )


# --- /experiences ---------------------------------------------------------------------------

PUBLISHED: Final[frozenset[ExperienceStatus]] = frozenset({"selected"})


@command("experiences")
async def experiences_command(update: Update, context: BotContext) -> None:
    _ = context.tr
    actor = await actor_of(context)
    sees_all = actor is not None and actor.role >= Role.COORDINATOR
    groups = await _groups(context)
    query = " ".join(context.args or []).strip()
    if query.lstrip("#").isdigit() and len(query) < 10:
        await _show_one(update, context, int(query.lstrip("#")), sees_all, groups)
        return
    browse = rules.parse_browse(query, groups, _.language) if len(query) <= QUERY_LIMIT else None
    if browse is None:
        await _reply(
            update,
            _(
                "There is no theme, country or status “{query}”. Try /experiences climate, "
                "/experiences PE or /experiences selected.",
                query=echo(query),
            ),
        )
        return
    found = [
        e
        for e in await context.repos.experiences.list()
        if (sees_all or e.status in PUBLISHED) and rules.matches(e, browse)
    ]
    if not found:
        await _reply(update, _("No experiences to show."))
        return
    lines = [bold(_.plural("{n} experience:", "{n} experiences:", len(found)))]
    lines += [rules.render_queue_line(_, e, groups) for e in found]
    lines.append(_("/experiences ID shows one in full."))
    await _reply(update, "\n".join(lines))


async def _show_one(
    update: Update,
    context: BotContext,
    experience_id: int,
    sees_all: bool,
    groups: Sequence[WorkingGroup],
) -> None:
    _ = context.tr
    experience = await context.repos.experiences.get(experience_id)
    if experience is None or not (sees_all or experience.status in PUBLISHED):
        await _reply(update, _(NO_EXPERIENCE, id=experience_id))
        return
    card = rules.render_card(_, experience, groups, full=sees_all)
    if sees_all:
        status = _("Status: {status}", status=rules.status_label(_, experience.status))
        card = Html(f"{card}\n\n{status}")
    await _reply(update, card)


# --- /export experiences (called by /export in handlers/roster.py) ---------------------------


async def export_experiences(update: Update, context: BotContext) -> None:
    """CSV and JSON of the experiences of the themes the person coordinates (all: secretariat)."""
    message = update.effective_message
    actor = await actor_of(context)
    if message is None or actor is None:
        return
    _ = context.tr
    themes = None
    if actor.role is not Role.SECRETARIAT:
        themes = [g.slug for g in await _groups(context) if g.id in actor.coordinated]
    items = await booklet.load_experiences(context.repos, themes=themes)
    criteria = _criteria(context)
    today = context.services.clock.now().date()
    caption = _.plural("{n} experience, with scores.", "{n} experiences, with scores.", len(items))
    await message.reply_document(
        document=booklet.experiences_csv(items, criteria),
        filename=booklet.export_filename(today, "csv"),
        caption=caption,
    )
    await message.reply_document(
        document=booklet.experiences_json(items, criteria),
        filename=booklet.export_filename(today, "json"),
    )


def handlers() -> list[tuple[BaseHandler[Update, BotContext, None], int]]:
    review_pattern = "^(" + "|".join(PREFIXES) + "):"
    return [
        (CommandHandler("review", review_command), 0),
        (CommandHandler("rank", rank_command), 0),
        (CommandHandler("shortlist", shortlist_command), 0),
        (CommandHandler("vote", vote_command), 0),
        (CommandHandler("select", select_command), 0),
        (CommandHandler("experiences", experiences_command), 0),
        (CallbackQueryHandler(on_review_button, pattern=review_pattern), 0),
        (CallbackQueryHandler(on_vote_button, pattern=f"^{rules.VOTE}:"), 0),
    ]


drafts.register(KIND, on_review_text, N_("reviewing an experience"))
