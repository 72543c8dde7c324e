"""The steps of the profile form: how each looks (its question and buttons) and what a typed
answer means there. The form's modes (``FLOW``, ``EDIT``) and their typed buttons live here."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Final

from bot import profile as rules
from bot.context import BotContext
from bot.countries import (
    country_name,
    find_zone,
    format_offset,
    normalise,
    utc_offset,
    zones_of,
)
from bot.formats import zone_name
from bot.i18n import LANGUAGE_NAMES, LANGUAGES, N_
from bot.models import Draft
from bot.profile import STEPS, Refusal
from bot.profile.service import EDIT_KIND, FLOW_KIND
from bot.rendering import Html
from handlers.form_parts import (
    Accept,
    Mode,
    Pick,
    Rows,
    Stay,
    accept_or_refuse,
    button,
    match_or_pick,
    modes,
    refusal,
    rows_of,
    tick,
    typed_country,
)

FLOW: Final = Mode(kind=FLOW_KIND, prefix="pf", editing=False)
"""The whole ``/profile`` conversation."""
EDIT: Final = Mode(kind=EDIT_KIND, prefix="pe", editing=True)
"""Editing one field from ``/me``."""
MODES: Final = modes(FLOW, EDIT)

MAX_ZONE_BUTTONS: Final = 48
"""At most this many zone buttons (a country with more lists the first, west to east)."""


# --- typed answers -----------------------------------------------------------------------


async def read_typed(context: BotContext, mode: Mode, draft: Draft, text: str) -> Accept | Stay:
    """What a typed answer means for the draft's step; refusals keep the answers as they were."""
    step, answers = draft.step, dict(draft.data)
    if step == "name":
        return accept_or_refuse(context, answers, rules.read_name(text))
    if step in ("reserve", "organisation"):
        return accept_or_refuse(context, answers, rules.read_text(text, rules.TEXT_LIMIT))
    if step == "email":
        return accept_or_refuse(context, answers, rules.read_email(text))
    if step == "country":
        return typed_country(context, mode, answers, text)
    if step == "timezone":
        return _typed_zone(context, mode, answers, text)
    if step == "role":
        return _typed_role(context, answers, text)
    if step == "languages":
        chosen = rules.read_languages(text, answers.get("languages") or [])
        return _stay_with(context, answers, "languages", chosen)
    themes = rules.theme_names(await context.services.groups.themes())
    chosen = rules.read_tags(text, answers.get("interests") or [], themes)
    return _stay_with(context, answers, "interests", chosen)


def _stay_with(
    context: BotContext, answers: dict[str, Any], step: str, value: list[str] | Refusal
) -> Stay:
    if isinstance(value, Refusal):
        return Stay(answers, refusal(context, value))
    return Stay({**answers, step: value})


def _typed_zone(
    context: BotContext, mode: Mode, answers: dict[str, Any], text: str
) -> Accept | Stay:
    unknown = N_(
        "I know no time zone or city called “{text}”. Type a bigger city nearby, "
        "or a time zone name like America/Lima."
    )
    suggest = N_("No time zone is called “{text}”. Did you mean one of these?")
    now, language = context.services.clock.now(), context.tr.language
    pick = Pick(mode, "timezone", 1, lambda zone: _zone_label(zone, now, language))
    return match_or_pick(context, answers, text, find_zone(text), (unknown, suggest), pick)


def _typed_role(context: BotContext, answers: dict[str, Any], text: str) -> Accept | Stay:
    wanted = normalise(text)
    i18n = context.services.i18n
    for role, label in rules.ROLE_LABELS.items():
        names = {normalise(role), *(normalise(i18n.translator(lang)(label)) for lang in LANGUAGES)}
        if wanted in names:
            return Accept(role)
    return Stay(answers, context.tr("Please choose your role with the buttons."))


# --- one step as the person sees it --------------------------------------------------------


async def step_lines(
    context: BotContext, mode: Mode, step: str, answers: Mapping[str, Any]
) -> list[str]:
    """The step's heading, question and current answer."""
    _ = context.tr
    lines: list[str] = []
    if mode.editing:
        lines.append(_("<b>Your profile: {field}</b>", field=_(rules.FIELD_LABELS[step])))
    else:
        n, total = rules.step_number(step), len(STEPS)
        lines.append(_("<b>Your profile, step {n} of {total}</b>", n=n, total=total))
    lines.append(_(rules.PROMPTS[step], **rules.PROMPT_VALUES.get(step, {})))
    if step in rules.OPTIONAL_TEXT and answers.get(step):
        lines.append(_("Now: {value}", value=answers[step]))
    return lines


async def choices(context: BotContext, mode: Mode, step: str, answers: Mapping[str, Any]) -> Rows:
    """The buttons that answer the step."""
    _ = context.tr
    value = answers.get(step)
    if step == "name" and value and not mode.editing:
        return [[button(_("Keep “{name}”", name=Html(value)), mode, step, "keep")]]
    if step == "country" and value and not mode.editing:
        label = _("Keep {country}", country=Html(country_name(value, _.language)))
        return [[button(label, mode, step, "keep")]]
    if step == "role":
        roles = [
            button(tick(role == value) + _(label), mode, step, "pick", role)
            for role, label in rules.ROLE_LABELS.items()
        ]
        return rows_of(roles, 2)
    if step == "timezone":
        return _zone_choices(context, mode, answers)
    if step == "languages":
        return _language_choices(context, mode, answers)
    if step == "interests":
        return await _interest_choices(context, mode, answers)
    return []


def _zone_choices(context: BotContext, mode: Mode, answers: Mapping[str, Any]) -> Rows:
    now = context.services.clock.now()
    current = answers.get("timezone")
    country = answers.get("country")
    zones = list(zones_of(country, now)[:MAX_ZONE_BUTTONS]) if country else []
    if current and current not in zones:
        zones.insert(0, current)
    buttons = [
        button(
            tick(zone == current) + _zone_label(zone, now, context.tr.language),
            mode,
            "timezone",
            "pick",
            zone,
        )
        for zone in zones
    ]
    return rows_of(buttons, 2)


def _zone_label(zone: str, now: datetime, language: str) -> str:
    return f"{zone_name(zone, language)} · {format_offset(utc_offset(zone, now))}"


def _language_choices(context: BotContext, mode: Mode, answers: Mapping[str, Any]) -> Rows:
    chosen: list[str] = list(answers.get("languages") or [])
    codes = [*LANGUAGES, *(code for code in chosen if code not in LANGUAGES)]
    buttons = [
        button(
            tick(code in chosen) + _language_label(code, context.tr.language),
            mode,
            "languages",
            "toggle",
            code,
        )
        for code in codes
    ]
    return [*rows_of(buttons, 2), [button(context.tr("Done"), mode, "languages", "done")]]


def _language_label(code: str, language: str) -> str:
    """The four network languages named in themselves, others in the reader's language."""
    return LANGUAGE_NAMES.get(code) or rules.language_name(code, language)


async def _interest_choices(context: BotContext, mode: Mode, answers: Mapping[str, Any]) -> Rows:
    chosen: list[str] = list(answers.get("interests") or [])
    groups = await context.services.groups.themes()
    themes = [
        button(
            tick(group.slug in chosen) + group.name(context.tr.language),
            mode,
            "interests",
            "toggle",
            group.slug,
        )
        for group in groups
    ]
    slugs = {group.slug for group in groups}
    tags = [
        button(f"✕ {tag}", mode, "interests", "untag", f"{index}-{rules.tag_check(tag)}")
        for index, tag in enumerate(chosen)
        if tag not in slugs
    ]
    done = [button(context.tr("Done"), mode, "interests", "done")]
    return [*rows_of(themes, 2), *rows_of(tags, 2), done]
