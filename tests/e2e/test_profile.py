"""/profile, /me and editing one field, as members see them, in English and Spanish.

The bot runs on a clock stopped at Tuesday 2026-01-13 14:05 UTC: Lima is at UTC-5 (09:05),
Kathmandu at UTC+5:45 (19:50).
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.app import build_application, running
from bot.clock import ManualClock
from bot.countries import city_name
from config import Settings
from sandbox.emulator import Emulator, LedgerEntry, SimUser
from sandbox.emulator.world import SimMessage
from storage import Person, Repositories

NOW = datetime(2026, 1, 13, 14, 5, tzinfo=UTC)

Shown = LedgerEntry | SimMessage


@pytest.fixture
def clock() -> ManualClock:
    """The bot's clock, stopped at NOW."""
    return ManualClock(NOW)


async def tap(emulator: Emulator, user: SimUser, message: Shown, label: str) -> Shown:
    """Tap a button; what the bot shows next (the tapped message edited, or a new one)."""
    mark, answered = len(emulator.ledger), len(emulator.callback_answers)
    emulator.tap(user, message, label)
    await emulator.wait_until(lambda: len(emulator.callback_answers) > answered)
    await emulator.wait_until(lambda: _changes(emulator, user, mark))
    entry = _changes(emulator, user, mark)[-1]
    current = emulator.message(user.id, entry.message_id)
    assert current is not None
    return current


def _changes(emulator: Emulator, user: SimUser, mark: int) -> list[LedgerEntry]:
    return [entry for entry in emulator.ledger[mark:] if entry.chat_id == user.id]


async def tap_refused(emulator: Emulator, user: SimUser, message: Shown, data: str) -> str:
    """Send callback data the bot must refuse with an alert; the alert's text."""
    mark, answered = len(emulator.ledger), len(emulator.callback_answers)
    emulator.tap_data(user, message, data)
    await emulator.wait_until(lambda: len(emulator.callback_answers) > answered)
    await emulator.settle()
    answer = emulator.callback_answers[-1]
    assert answer.show_alert
    assert _changes(emulator, user, mark) == []
    return answer.text or ""


async def person_of(repos: Repositories, user: SimUser) -> Person:
    person = await repos.people.by_telegram_id(user.id)
    assert person is not None
    return person


def labels(message: Shown) -> list[str]:
    return [button.text for row in message.buttons for button in row]


async def test_the_whole_profile_with_skips_and_back(
    emulator: Emulator, repos: Repositories
) -> None:
    ana = emulator.add_user("Ana", last_name="Quispe", language_code="en")

    step = await emulator.says(ana, "/profile")
    assert step.text.startswith("Your profile, step 1 of 9")
    assert labels(step) == ["Keep “Ana Quispe”"]

    step = await tap(emulator, ana, step, "Keep “Ana Quispe”")
    assert step.text.startswith("✓ Name: Ana Quispe\n\nYour profile, step 2 of 9")
    assert labels(step) == ["« Back", "Skip"]

    step = await tap(emulator, ana, step, "Skip")
    assert "step 3 of 9" in step.text
    step = await emulator.says(ana, "peru")
    assert step.text.startswith("✓ Country: Peru")
    assert "step 4 of 9" in step.text

    step = await tap(emulator, ana, step, "« Back")
    assert "step 3 of 9" in step.text
    step = await tap(emulator, ana, step, "Keep Peru")
    assert "step 4 of 9" in step.text
    step = await emulator.says(ana, "SERNANP")
    assert "step 5 of 9" in step.text
    assert "Researcher" in labels(step)

    step = await tap(emulator, ana, step, "Young researcher")
    assert "step 6 of 9" in step.text
    assert labels(step)[0] == "Lima · UTC−5"

    step = await tap(emulator, ana, step, "Lima · UTC−5")
    assert step.text.startswith("✓ Time zone: Lima (now Tue 09:05)")
    assert "step 7 of 9" in step.text
    assert labels(step)[:4] == ["✓ English", "Español", "中文", "Français"]

    step = await tap(emulator, ana, step, "Español")
    assert labels(step)[:2] == ["✓ English", "✓ Español"]
    step = await emulator.says(ana, "Quechua, pt")
    assert "✓ Quechua" in labels(step)
    assert "✓ Portuguese" in labels(step)
    assert "step 7 of 9" in step.text
    step = await tap(emulator, ana, step, "✓ Portuguese")
    assert "Portuguese" not in " ".join(labels(step))
    step = await tap(emulator, ana, step, "Done")
    assert step.text.startswith("✓ Languages: English, Spanish, Quechua")
    assert "step 8 of 9" in step.text

    step = await tap(emulator, ana, step, "Climate change")
    assert "✓ Climate change" in labels(step)
    step = await emulator.says(ana, "glaciers, water, Biodiversidad")
    assert {"✕ glaciers", "✕ water", "✓ Biodiversity"} <= set(labels(step))
    step = await tap(emulator, ana, step, "✕ water")
    assert "✕ water" not in labels(step)
    step = await tap(emulator, ana, step, "Done")
    assert "step 9 of 9" in step.text

    summary = await tap(emulator, ana, step, "Skip")
    assert summary.text.splitlines()[0] == "Your profile: please check it"
    assert "Biosphere reserve: —" in summary.text
    assert "Country: Peru" in summary.text
    assert "Role: Young researcher" in summary.text
    assert "Interests: Climate change, glaciers, Biodiversity" in summary.text
    assert labels(summary) == ["Save", "Edit", "Cancel"]
    assert (await person_of(repos, ana)).country is None, "nothing is saved before Save"

    saved = await tap(emulator, ana, summary, "Save")

    assert saved.text.startswith("Your profile is saved.")
    person = await person_of(repos, ana)
    assert person.display_name == "Ana Quispe"
    assert person.reserve is None
    assert person.country == "PE"
    assert person.organisation == "SERNANP"
    assert person.role == "young_researcher"
    assert person.timezone == "America/Lima"
    assert person.spoken_languages == ("en", "es", "qu")
    assert person.interests == ("climate", "glaciers", "biodiversity")
    assert person.email is None
    assert await repos.drafts.active(person.id) == []


async def test_spanish_typo_country_suggestions_and_a_city_typed_as_time_zone(
    emulator: Emulator, repos: Repositories
) -> None:
    pema = emulator.add_user("Pema", language_code="es")
    step = await emulator.says(pema, "/profile")
    assert step.text.startswith("Tu perfil, paso 1 de 9")
    step = await emulator.says(pema, "Pema Sherpa")
    step = await emulator.says(pema, "Sagarmatha")
    assert "paso 3 de 9" in step.text

    step = await emulator.says(pema, "Nepall")

    assert step.text == "Ningún país se llama «Nepall». ¿Querías decir alguno de estos?"
    assert labels(step) == ["Nepal", "« Atrás"]
    step = await tap(emulator, pema, step, "Nepal")
    assert step.text.startswith("✓ País: Nepal")
    step = await tap(emulator, pema, step, "Omitir")
    step = await tap(emulator, pema, step, "Gestor/a de reserva")
    # The city as the installed CLDR data spells it in Spanish (Kathmandu, later Katmandú).
    kathmandu = city_name("Asia/Kathmandu", "es")
    assert labels(step)[0] == f"{kathmandu} · UTC+5:45"

    step = await emulator.says(pema, "katmanduu")
    assert step.text == "Ninguna zona horaria se llama «katmanduu». ¿Querías decir alguna de estas?"
    assert labels(step) == [f"{kathmandu} · UTC+5:45", "« Atrás"]
    step = await emulator.says(pema, "Kathmandu")

    assert step.text.startswith("✓ Zona horaria: Katmandú (ahora mar, 19:50)")
    assert "paso 7 de 9" in step.text
    draft = await repos.drafts.get((await person_of(repos, pema)).id, "profile")
    assert draft is not None
    assert draft.data["timezone"] == "Asia/Kathmandu"
    assert draft.data["country"] == "NP"


async def test_an_answer_over_the_limit_is_refused_and_the_step_asked_again(
    emulator: Emulator, repos: Repositories
) -> None:
    ana = emulator.add_user("Ana", language_code="en")
    await emulator.says(ana, "/profile")
    await emulator.says(ana, "Ana")

    step = await emulator.says(ana, "R" * 121)

    assert step.text.splitlines()[0] == (
        "That is too long: at most 120 characters here, and yours has 121. "
        "Please type a shorter answer."
    )
    assert "step 2 of 9" in step.text
    draft = await repos.drafts.get((await person_of(repos, ana)).id, "profile")
    assert draft is not None
    assert draft.step == "reserve"
    assert draft.data["name"] == "Ana"
    assert draft.data["reserve"] is None
    step = await emulator.says(ana, "R" * 120)
    assert "step 3 of 9" in step.text


async def test_a_profile_resumes_after_a_restart_where_it_stopped(
    emulator: Emulator, settings: Settings
) -> None:
    ana = emulator.add_user("Ana", language_code="en")
    first = build_application(settings, clock=ManualClock(NOW))
    async with running(first, poll_timeout=1):
        await emulator.says(ana, "/profile")
        await emulator.says(ana, "Ana María")
        await emulator.says(ana, "Huascarán")
        step = await emulator.says(ana, "PE")
        assert "step 4 of 9" in step.text
        await emulator.settle()

    restarted = build_application(settings, clock=ManualClock(NOW))
    async with running(restarted, poll_timeout=1):
        offer = await emulator.says(ana, "/profile")
        assert offer.text.startswith("You have a profile in progress (step 4 of 9).")
        assert labels(offer) == ["Continue", "Start over"]

        step = await tap(emulator, ana, offer, "Continue")

        assert "step 4 of 9" in step.text
        step = await tap(emulator, ana, step, "« Back")
        assert labels(step)[0] == "Keep Peru"
        step = await tap(emulator, ana, step, "« Back")
        assert "Now: Huascarán" in step.text
        step = await tap(emulator, ana, step, "« Back")
        assert labels(step) == ["Keep “Ana María”"]


async def test_me_shows_the_profile_in_the_readers_language_with_html_shown_literally(
    emulator: Emulator, repos: Repositories
) -> None:
    ana = emulator.add_user("Ana", language_code="es")
    await emulator.says(ana, "/start")
    person = await person_of(repos, ana)
    await repos.people.update_profile(
        person.id,
        NOW,
        display_name="<b>Ana</b> & *co*",
        reserve="Huascarán",
        country="PE",
        role="reserve_manager",
        timezone="America/Lima",
        spoken_languages=["es", "qu"],
        interests=["climate", "<i>glaciares</i>"],
        email="ana@example.org",
    )
    climate = await repos.groups.by_slug("climate")
    assert climate is not None
    await repos.groups.add_member(climate.id, person.id, "member", NOW)

    card = await emulator.says(ana, "/me")

    assert card.text.splitlines() == [
        "Tu perfil",
        "Nombre: <b>Ana</b> & *co*",
        "Reserva de biosfera: Huascarán",
        "País: Perú",
        "Organización: —",
        "Función: Gestor/a de reserva",
        "Zona horaria: Lima (ahora mar, 09:05)",
        "Idiomas: español, quechua",
        "Intereses: Cambio climático, <i>glaciares</i>",
        "Correo electrónico: ana@example.org",
        "Grupos de trabajo: Cambio climático",
        "Te contacto por: automáticamente (Telegram si ya iniciaste el bot; si no, correo"
        " electrónico) (/notify)",
    ]
    assert "&lt;b&gt;Ana&lt;/b&gt; &amp; *co*" in (card.html or "")
    assert labels(card) == ["Editar"]


async def test_editing_one_field_alone_saves_it_at_once(
    emulator: Emulator, repos: Repositories
) -> None:
    marie = emulator.add_user("Marie", language_code="fr")
    await emulator.says(marie, "/start")
    person = await person_of(repos, marie)
    await repos.people.update_profile(
        person.id, NOW, country="FR", role="researcher", timezone="Europe/Paris", email="m@x.fr"
    )
    card = await emulator.says(marie, "/me")

    menu = await tap(emulator, marie, card, "Modifier")
    assert "Pays" in labels(menu)
    step = await tap(emulator, marie, menu, "Pays")
    assert step.text.startswith("Votre profil\u202f: Pays")
    assert labels(step) == ["Annuler"]

    saved = await emulator.says(marie, "Pérou")

    assert saved.text.startswith("✓ Pays\u202f: Pérou\nEnregistré.")
    assert "Pays\u202f: Pérou" in saved.text
    person = await person_of(repos, marie)
    assert person.country == "PE"
    assert person.role == "researcher"
    assert await repos.drafts.active(person.id) == []

    menu = await tap(emulator, marie, saved, "Modifier")
    step = await tap(emulator, marie, menu, "E-mail")
    assert "Actuellement\u202f: m@x.fr" in step.text
    refused = await emulator.says(marie, "pas une adresse")
    assert refused.text.startswith("Cela ne ressemble pas à une adresse e-mail")
    assert (await person_of(repos, marie)).email == "m@x.fr"
    cleared = await tap(emulator, marie, refused, "Effacer")
    assert cleared.text.startswith("✓ E-mail\u202f: —\nEnregistré.")
    assert (await person_of(repos, marie)).email is None


async def test_cancel_in_the_middle_saves_nothing(emulator: Emulator, repos: Repositories) -> None:
    ana = emulator.add_user("Ana", language_code="en")
    await emulator.says(ana, "/profile")
    await emulator.says(ana, "Someone Else")
    await emulator.says(ana, "Torres del Paine")
    step = await emulator.says(ana, "Chile")
    assert "step 4 of 9" in step.text

    asked = await emulator.says(ana, "/cancel")
    assert asked.text == "Stop filling in your profile? Your 3 answers will be lost."
    stopped = await tap(emulator, ana, asked, "Stop")

    assert stopped.text == "Stopped: filling in your profile. Nothing of it was saved."
    person = await person_of(repos, ana)
    assert (person.display_name, person.reserve, person.country) == (None, None, None)
    assert await repos.drafts.active(person.id) == []
    later = await emulator.says(ana, "CONAF")
    assert later.text == "I did not understand that. /help lists what you can do."
    again = await emulator.says(ana, "/cancel")
    assert again.text == "There is nothing to cancel."
    stale = await tap_refused(emulator, ana, step, "pf:organisation:skip")
    assert stale == "This button is no longer valid."


async def test_cancel_asks_before_dropping_a_long_draft_and_keep_going_keeps_it(
    emulator: Emulator, repos: Repositories
) -> None:
    ana = emulator.add_user("Ana", language_code="es")
    await emulator.says(ana, "/profile")
    await emulator.says(ana, "Ana Pérez")
    await emulator.says(ana, "Huascarán")
    await emulator.says(ana, "Perú")

    asked = await emulator.says(ana, "/cancel")
    assert asked.text == "¿Dejar de completar tu perfil? Se perderán tus 3 respuestas."
    kept = await tap(emulator, ana, asked, "Seguir")

    assert kept.text == "Bien: sigue donde lo dejaste; no se ha perdido nada."
    person = await person_of(repos, ana)
    draft = await repos.drafts.get(person.id, "profile")
    assert draft is not None
    assert (draft.step, draft.data["country"]) == ("organisation", "PE")
    next_step = await emulator.says(ana, "CONAF")
    assert "paso 5 de 9" in next_step.text


async def test_cancel_drops_a_short_draft_at_once(emulator: Emulator, repos: Repositories) -> None:
    ana = emulator.add_user("Ana", language_code="en")
    await emulator.says(ana, "/profile")
    await emulator.says(ana, "Ana")

    stopped = await emulator.says(ana, "/cancel")

    assert stopped.text == "Stopped: filling in your profile. Nothing of it was saved."
    assert await repos.drafts.active((await person_of(repos, ana)).id) == []


@pytest.mark.parametrize(
    "data",
    [
        "pf:role:pick:king",
        "pf:role:pick:",
        "pf:name:keep",
        "pf:country:pick:ZZ",
        "pf:role:skip",
        "pf:role:clear",
        "pf:interests:untag:0:deadbeef",
        "pf:summary:save",
        "pe:open:password",
        "pe:role:pick:researcher",
        "pf:resume:launch",
        "pf",
    ],
)
async def test_forged_or_stale_buttons_are_refused_and_change_nothing(
    emulator: Emulator, repos: Repositories, data: str
) -> None:
    ana = emulator.add_user("Ana", language_code="en")
    await emulator.says(ana, "/profile")
    await emulator.says(ana, "Ana")
    await emulator.says(ana, "Manu")
    await emulator.says(ana, "Peru")
    step = await emulator.says(ana, "SERNANP")
    assert "step 5 of 9" in step.text
    person = await person_of(repos, ana)
    before = await repos.drafts.get(person.id, "profile")

    alert = await tap_refused(emulator, ana, step, data)

    assert alert == "This button is no longer valid."
    after = await repos.drafts.get(person.id, "profile")
    assert after is not None
    assert before is not None
    assert (after.step, after.data) == (before.step, before.data)
    assert (await person_of(repos, ana)).role is None


async def test_chinese_summary_edit_returns_to_the_summary(
    emulator: Emulator, repos: Repositories
) -> None:
    li = emulator.add_user("Li", language_code="zh-hans")
    step = await emulator.says(li, "/profile")
    assert step.text.startswith("您的个人资料，第 1 步，共 9 步")
    await emulator.says(li, "李明")
    step = await emulator.says(li, "神农架")
    step = await emulator.says(li, "中国")
    assert step.text.startswith("✓ 国家：中国")
    step = await tap(emulator, li, step, "跳过")
    step = await tap(emulator, li, step, "研究人员")
    assert labels(step)[:2] == ["乌鲁木齐 · UTC+6", "北京 · UTC+8"]
    step = await tap(emulator, li, step, "北京 · UTC+8")
    step = await tap(emulator, li, step, "完成")
    step = await tap(emulator, li, step, "完成")
    summary = await emulator.says(li, "li@example.cn")
    assert "国家：中国" in summary.text

    fields = await tap(emulator, li, summary, "修改")
    step = await tap(emulator, li, fields, "国家")
    assert labels(step) == ["保留中国", "« 返回"]
    summary = await emulator.says(li, "尼泊尔")

    assert summary.text.startswith("✓ 国家：尼泊尔")
    assert summary.text.splitlines()[2] == "您的个人资料：请核对"
    assert "国家：尼泊尔" in summary.text.splitlines()[5]
    saved = await tap(emulator, li, summary, "保存")
    assert saved.text.startswith("您的个人资料已保存。")
    person = await person_of(repos, li)
    assert (person.display_name, person.country, person.timezone) == ("李明", "NP", "Asia/Shanghai")
    assert person.spoken_languages == ("zh",)
