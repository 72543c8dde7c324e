"""/submit and /myexperiences against the emulator, as authors and reviewers see them.

The bot runs on a clock stopped at Tuesday 2026-01-13 14:05 UTC.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from bot import experiences as rules
from bot.app import build_application, running
from bot.clock import ManualClock
from bot.context import WnmrcApplication
from bot.outbox import DeliveryConfig
from config import Settings
from sandbox.demo import DemoNetwork
from sandbox.emulator import Emulator, SimUser
from sandbox.emulator.world import SimMessage
from storage import Experience, Person, Repositories

from ..conftest import FAST_DELIVERY, SECRETARIAT_ID

NOW = datetime(2026, 1, 13, 14, 5, tzinfo=UTC)
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00\x00\x00\x00\xc0" + bytes(64)
TWENTY_ONE_MB = 21 * 1024 * 1024


@pytest.fixture
def clock() -> ManualClock:
    """The bot's clock, stopped at NOW."""
    return ManualClock(NOW)


@pytest.fixture
def delivery() -> DeliveryConfig:
    return FAST_DELIVERY


@pytest.fixture
def publish_menus() -> bool:
    return False


# --- a conversation, step by step --------------------------------------------------------------


async def _after(emulator: Emulator, user: SimUser, do: Callable[[], object]) -> SimMessage:
    """Do something as ``user``; the last message the bot sent or edited in their chat, as it
    is now (the bot answered and went quiet)."""
    mark, answered = len(emulator.ledger), len(emulator.callback_answers)
    do()

    def answered_in_chat() -> bool:
        return any(e.chat_id == user.id for e in emulator.ledger[mark:]) or (
            len(emulator.callback_answers) > answered
        )

    await emulator.wait_until(answered_in_chat)
    await emulator.settle()
    entries = [e for e in emulator.ledger[mark:] if e.chat_id == user.id]
    assert entries, f"no message, alert: {emulator.callback_answers[-1].text}"
    shown = emulator.message(user.id, entries[-1].message_id)
    assert shown is not None
    return shown


async def say(emulator: Emulator, user: SimUser, text: str) -> SimMessage:
    return await _after(emulator, user, lambda: emulator.send_text(user, text))


async def tap(emulator: Emulator, user: SimUser, message: SimMessage, label: str) -> SimMessage:
    return await _after(emulator, user, lambda: emulator.tap(user, message, label))


async def photo(emulator: Emulator, user: SimUser) -> SimMessage:
    return await _after(emulator, user, lambda: emulator.send_photo(user, content=PNG))


async def document(
    emulator: Emulator, user: SimUser, name: str = "informe.pdf", size: int = 2048
) -> SimMessage:
    return await _after(
        emulator,
        user,
        lambda: emulator.send_document(
            user, filename=name, content=bytes(size), mime_type="application/pdf"
        ),
    )


async def refused_tap(emulator: Emulator, user: SimUser, message: SimMessage, data: str) -> str:
    """Tap a forged or stale button: the alert, and nothing sent or edited."""
    mark, answered = len(emulator.ledger), len(emulator.callback_answers)
    emulator.tap_data(user, message, data)
    await emulator.wait_until(lambda: len(emulator.callback_answers) > answered)
    await emulator.settle()
    answer = emulator.callback_answers[-1]
    assert answer.show_alert
    assert [e for e in emulator.ledger[mark:] if e.chat_id == user.id] == []
    return answer.text or ""


def labels(message: SimMessage) -> list[str]:
    return [button.text for row in message.buttons for button in row]


def text(message: SimMessage) -> str:
    return message.text or ""


async def member(
    emulator: Emulator,
    repos: Repositories,
    name: str,
    language: str,
    *,
    user_id: int | None = None,
    coordinates: tuple[str, ...] = (),
    **profile: str,
) -> tuple[SimUser, Person]:
    """Someone who started the bot, with a profile and the groups they coordinate."""
    user = emulator.add_user(name, language_code=language, user_id=user_id)
    await emulator.says(user, "/start")
    person = await repos.people.by_telegram_id(user.id)
    assert person is not None
    if profile:
        person = await repos.people.update_profile(person.id, NOW, **profile)
    for slug in coordinates:
        group = await repos.groups.by_slug(slug)
        assert group is not None
        await repos.groups.appoint(group.id, person.id, NOW)
    return user, person


async def only_experience(repos: Repositories, person: Person) -> Experience:
    [experience] = await repos.experiences.by_author(person.id)
    return experience


async def fill_quickly(emulator: Emulator, user: SimUser, title: str = "Terraces") -> SimMessage:
    """/submit in English with the required answers only; the preview."""
    shown = await say(emulator, user, "/submit")
    shown = await say(emulator, user, title)
    shown = await say(emulator, user, "Sierra Nevada")
    shown = await say(emulator, user, "Spain")
    shown = await tap(emulator, user, shown, "Climate change")
    shown = await tap(emulator, user, shown, "Done")
    shown = await say(emulator, user, "Old terraces hold water again.")
    for _ in range(9):  # challenge ... links
        shown = await tap(emulator, user, shown, "Skip")
    return await tap(emulator, user, shown, "Skip")  # files


# --- the tests ---------------------------------------------------------------------------------


async def test_an_english_submission_with_skips_reaches_the_preview_and_is_sent(
    emulator: Emulator, repos: Repositories
) -> None:
    ana, person = await member(emulator, repos, "Ana", "en")
    preview = await fill_quickly(emulator, ana)
    assert "Preview" in text(preview)
    assert labels(preview) == ["Send", "Edit", "Cancel"]
    done = await tap(emulator, ana, preview, "Send")
    assert "was sent for review" in text(done)
    experience = await only_experience(repos, person)
    assert experience.status == "submitted"
    assert experience.themes == ("climate",)
    assert experience.country == "ES"
    assert await repos.drafts.get(person.id, "experience") is None


async def test_a_full_submission_in_spanish_with_a_photo_and_a_document(
    emulator: Emulator, repos: Repositories
) -> None:
    lucia, author = await member(
        emulator,
        repos,
        "Lucía",
        "es",
        coordinates=("biodiversity",),
        reserve="Sierra Nevada",
        country="ES",
    )
    tom, _ = await member(emulator, repos, "Tom", "en", coordinates=("climate",))
    mei, _ = await member(emulator, repos, "Mei", "zh", coordinates=("socioeconomics",))
    jorge, _ = await member(emulator, repos, "Jorge", "fr", user_id=SECRETARIAT_ID)

    shown = await say(emulator, lucia, "/submit")
    assert "Tu experiencia, paso 1 de 15" in text(shown)
    assert "como máximo 120 caracteres" in text(shown)
    shown = await say(emulator, lucia, "Terrazas <b>vivas</b> & agua")
    assert "paso 2 de 15" in text(shown)
    assert "Ahora: Sierra Nevada" in text(shown)
    shown = await tap(emulator, lucia, shown, "Conservar")
    assert "paso 3 de 15" in text(shown)
    shown = await tap(emulator, lucia, shown, "Conservar España")
    assert "paso 4 de 15" in text(shown)
    shown = await tap(emulator, lucia, shown, "Cambio climático")
    shown = await tap(emulator, lucia, shown, "Biodiversidad")
    assert "✓ Cambio climático" in labels(shown)
    shown = await tap(emulator, lucia, shown, "Listo")
    assert "paso 5 de 15" in text(shown)
    assert "✓ Temas: Cambio climático, Biodiversidad" in text(shown)
    answers = [
        "Las terrazas antiguas retienen el agua.\n\nLos regantes las cuidan.",
        "Sequías más largas.",
        "Limpiamos 12 acequias.",
        "Comunidades de regantes activas.",
        "40 ha regadas; 3 fuentes recuperadas.",
        "Empezar pequeño.",
        "Una comunidad de regantes y un técnico.",
        "Universidad de Granada",
        "Lucía <lucia@example.org>",
    ]
    for number, answer in enumerate(answers, start=5):
        assert f"paso {number} de 15" in text(shown)
        shown = await say(emulator, lucia, answer)
    assert "paso 14 de 15" in text(shown)
    shown = await say(emulator, lucia, "www.sierranevada.es https://example.org/informe")
    assert "paso 15 de 15" in text(shown)
    assert labels(shown) == ["Omitir", "« Atrás"]
    shown = await photo(emulator, lucia)
    assert "✓ Recibido (1 de 5)." in text(shown)
    shown = await document(emulator, lucia)
    assert "✓ Recibido (2 de 5)." in text(shown)
    assert "Ahora: 1 foto y 1 documento" in text(shown)
    preview = await tap(emulator, lucia, shown, "Listo")

    assert "Vista previa: así se publicará tu experiencia." in text(preview)
    assert "Terrazas <b>vivas</b> & agua" in text(preview)  # shown literally
    assert "<b>Terrazas &lt;b&gt;vivas&lt;/b&gt; &amp; agua</b>" in (preview.html or "")
    assert "Sierra Nevada · España" in text(preview)
    assert "Cambio climático, Biodiversidad" in text(preview)
    assert "Resultados e impactos\n40 ha regadas; 3 fuentes recuperadas." in text(preview)
    assert "Lucía <lucia@example.org>" in text(preview)
    assert "https://www.sierranevada.es" in text(preview)
    assert "Fotos y documentos: 1 foto y 1 documento" in text(preview)
    assert labels(preview) == ["Enviar", "Editar", "Cancelar"]

    done = await tap(emulator, lucia, preview, "Enviar")
    assert "¡Gracias! «Terrazas <b>vivas</b> & agua» se envió para evaluación." in text(done)

    experience = await only_experience(repos, author)
    assert experience.status == "submitted"
    assert experience.language == "es"
    assert experience.title == "Terrazas <b>vivas</b> & agua"
    assert (experience.reserve, experience.country) == ("Sierra Nevada", "ES")
    assert experience.themes == ("climate", "biodiversity")
    assert experience.summary == answers[0]
    assert experience.contact == "Lucía <lucia@example.org>"
    assert experience.links == ("https://www.sierranevada.es", "https://example.org/informe")
    assert [(f.position, f.kind) for f in experience.files] == [(1, "photo"), (2, "document")]
    assert experience.files[1].file_name == "informe.pdf"
    assert experience.files[1].file_size == 2048
    assert experience.files[0].file_id.startswith("AgAC")
    [change] = await repos.experiences.history(experience.id)
    assert (change.status, change.changed_by) == ("submitted", author.id)
    assert await repos.drafts.get(author.id, "experience") is None

    # The reviewers are told, each in their language, with a Review button; the author is
    # not (she coordinates Biodiversity), nor the coordinator of another theme.
    await emulator.wait_until(lambda: emulator.sent_to(tom) and emulator.sent_to(jorge))
    [to_tom] = [e for e in emulator.sent_to(tom) if e.buttons]
    assert (to_tom.text or "").startswith("A new experience was submitted for review:")
    assert "Terrazas <b>vivas</b> & agua" in (to_tom.text or "")
    assert "By Lucía." in (to_tom.text or "")
    assert [(b.text, b.data) for b in to_tom.buttons[0]] == [("Review", f"rv:{experience.id}")]
    [to_jorge] = [e for e in emulator.sent_to(jorge) if e.buttons]
    assert (to_jorge.text or "").startswith("Une nouvelle expérience a été soumise pour évaluation")
    assert to_jorge.button_texts == ["Évaluer"]
    await emulator.settle()
    assert not [e for e in emulator.sent_to(lucia) if e.button_texts == ["Revisar"]]
    assert not [e for e in emulator.sent_to(mei) if e.buttons]


async def test_skip_and_back_keep_the_earlier_answers(
    emulator: Emulator, repos: Repositories
) -> None:
    ana, person = await member(emulator, repos, "Ana", "en")
    shown = await say(emulator, ana, "/submit")
    shown = await say(emulator, ana, "Terraces")
    assert "step 2 of 15" in text(shown)
    assert labels(shown) == ["« Back"]  # no reserve in her profile: nothing to keep
    shown = await tap(emulator, ana, shown, "« Back")
    assert "step 1 of 15" in text(shown)
    assert "Now: Terraces" in text(shown)
    shown = await tap(emulator, ana, shown, "Keep")
    shown = await say(emulator, ana, "Huascarán")
    shown = await say(emulator, ana, "Peru")
    shown = await tap(emulator, ana, shown, "Done")
    assert "Please choose at least one theme." in text(shown)
    shown = await say(emulator, ana, "Biodiversity, Climate change")
    assert labels(shown)[:2] == ["✓ Climate change", "✓ Biodiversity"]
    shown = await tap(emulator, ana, shown, "Done")
    shown = await say(emulator, ana, "Water again.")
    assert "step 6 of 15" in text(shown)
    shown = await tap(emulator, ana, shown, "Skip")
    assert "step 7 of 15" in text(shown)
    shown = await tap(emulator, ana, shown, "« Back")
    assert "step 6 of 15" in text(shown)
    assert "Now:" not in text(shown)
    shown = await say(emulator, ana, "Drier summers.")
    shown = await tap(emulator, ana, shown, "« Back")
    assert "Now: Drier summers." in text(shown)
    assert labels(shown) == ["Keep", "« Back", "Clear"]
    shown = await tap(emulator, ana, shown, "Clear")
    assert "step 7 of 15" in text(shown)

    draft = await repos.drafts.get(person.id, "experience")
    assert draft is not None
    assert draft.step == "building_blocks"
    assert draft.data["title"] == "Terraces"
    assert draft.data["reserve"] == "Huascarán"
    assert draft.data["country"] == "PE"
    assert draft.data["themes"] == ["biodiversity", "climate"]
    assert draft.data["summary"] == "Water again."
    assert draft.data["challenge"] is None


async def test_a_restart_in_the_middle_resumes_at_the_same_step(
    emulator: Emulator, settings: Settings
) -> None:
    ana = emulator.add_user("Ana", language_code="es")
    first = build_application(settings, clock=ManualClock(NOW), publish_command_menus=False)
    async with running(first, poll_timeout=1):
        await emulator.says(ana, "/start")
        await say(emulator, ana, "/submit")
        await say(emulator, ana, "Terrazas")
        await say(emulator, ana, "Huascarán")
        shown = await say(emulator, ana, "Perú")
        shown = await tap(emulator, ana, shown, "Biodiversidad")
        shown = await tap(emulator, ana, shown, "Listo")
        shown = await say(emulator, ana, "El agua vuelve.")
        assert "paso 6 de 15" in text(shown)

    restarted = build_application(settings, clock=ManualClock(NOW), publish_command_menus=False)
    async with running(restarted, poll_timeout=1):
        offer = await say(emulator, ana, "/submit")
        assert text(offer).startswith("Tienes una experiencia en curso (paso 6 de 15).")
        assert labels(offer) == ["Seguir", "Empezar de nuevo"]
        shown = await tap(emulator, ana, offer, "Seguir")
        assert "paso 6 de 15" in text(shown)
        shown = await tap(emulator, ana, shown, "« Atrás")
        assert "Ahora: El agua vuelve." in text(shown)
        shown = await tap(emulator, ana, shown, "« Atrás")
        assert "✓ Biodiversidad" in labels(shown)
        shown = await tap(emulator, ana, shown, "« Atrás")
        assert "Conservar Perú" in labels(shown)
        shown = await tap(emulator, ana, shown, "« Atrás")
        assert "Ahora: Huascarán" in text(shown)
        person = await restarted.services.repos.people.by_telegram_id(ana.id)
        assert person is not None
        draft = await restarted.services.repos.drafts.get(person.id, "experience")
        assert draft is not None
        assert draft.step == "reserve"
        assert draft.data["title"] == "Terrazas"


async def test_a_second_submit_offers_to_continue_or_start_over(
    emulator: Emulator, repos: Repositories
) -> None:
    ana, person = await member(emulator, repos, "Ana", "en", reserve="Manu", country="PE")
    await say(emulator, ana, "/submit")
    await say(emulator, ana, "Terraces")
    offer = await say(emulator, ana, "/submit")
    assert text(offer).startswith("You have an experience in progress (step 2 of 15).")
    shown = await tap(emulator, ana, offer, "Start over")
    assert "step 1 of 15" in text(shown)
    assert "Now:" not in text(shown)
    draft = await repos.drafts.get(person.id, "experience")
    assert draft is not None
    assert draft.step == "title"
    assert "title" not in draft.data
    assert draft.data["reserve"] == "Manu"
    # The offer's buttons are stale now.
    alert = await refused_tap(emulator, ana, shown, "xs:reserve:keep")
    assert alert == "This button is no longer valid."


async def test_an_author_edits_a_field_then_withdraws_the_experience(
    emulator: Emulator, repos: Repositories
) -> None:
    ana, person = await member(emulator, repos, "Ana", "en")
    await tap(emulator, ana, await fill_quickly(emulator, ana), "Send")
    experience = await only_experience(repos, person)

    mine = await say(emulator, ana, "/myexperiences")
    assert "• Terraces: Submitted" in text(mine)
    card = await tap(emulator, ana, mine, "Terraces")
    assert "Status: Submitted" in text(card)
    assert labels(card) == ["Edit", "Withdraw", "« My experiences"]
    menu = await tap(emulator, ana, card, "Edit")
    assert "Which part do you want to change?" in text(menu)
    step = await tap(emulator, ana, menu, "Summary")
    assert "Editing your experience: Summary" in text(step)
    assert labels(step) == ["Cancel"]
    refused = await say(emulator, ana, "x" * 601)
    assert "at most 600 characters here, and yours has 601" in text(refused)
    draft = await repos.drafts.get(person.id, "experience_edit")
    assert draft is not None
    assert draft.step == "summary"
    saved = await say(emulator, ana, "Terraces hold <i>more</i> water.")
    assert "✓ Summary: Terraces hold <i>more</i> water." in text(saved)
    assert "Saved." in text(saved)
    edited = await repos.experiences.get(experience.id)
    assert edited is not None
    assert edited.summary == "Terraces hold <i>more</i> water."
    assert edited.status == "submitted"
    assert await repos.drafts.get(person.id, "experience_edit") is None

    ask = await tap(emulator, ana, saved, "Withdraw")
    assert "Withdraw “Terraces”?" in text(ask)
    assert labels(ask) == ["Yes, withdraw it", "No"]
    done = await tap(emulator, ana, ask, "Yes, withdraw it")
    assert "“Terraces” is withdrawn." in text(done)
    assert "Status: Withdrawn" in text(done)
    assert labels(done) == ["« My experiences"]
    withdrawn = await repos.experiences.get(experience.id)
    assert withdrawn is not None
    assert withdrawn.status == "withdrawn"
    history = await repos.experiences.history(experience.id)
    assert [(h.status, h.changed_by) for h in history][-1] == ("withdrawn", person.id)

    # Decided (withdrawn): the old buttons change nothing.
    alert = await refused_tap(emulator, ana, done, f"xm:wd:{experience.id}")
    assert alert == "This button is no longer valid."
    await refused_tap(emulator, ana, done, f"xm:field:{experience.id}:title")
    assert len(await repos.experiences.history(experience.id)) == len(history)


async def test_changes_requested_then_edited_and_resubmitted(
    emulator: Emulator, repos: Repositories
) -> None:
    ana, person = await member(emulator, repos, "Ana", "es")
    tom, reviewer = await member(emulator, repos, "Tom", "en", coordinates=("climate",))
    await say(emulator, ana, "/submit")
    await say(emulator, ana, "Terrazas")
    await say(emulator, ana, "Manu")
    shown = await say(emulator, ana, "Perú")
    shown = await tap(emulator, ana, shown, "Cambio climático")
    shown = await tap(emulator, ana, shown, "Listo")
    shown = await say(emulator, ana, "Agua.")
    for _ in range(9):
        shown = await tap(emulator, ana, shown, "Omitir")
    shown = await tap(emulator, ana, shown, "Omitir")
    await tap(emulator, ana, shown, "Enviar")
    experience = await only_experience(repos, person)
    await emulator.wait_until(lambda: len([e for e in emulator.sent_to(tom) if e.buttons]) == 1)

    await repos.experiences.set_status(
        experience.id, "changes_requested", NOW, changed_by=reviewer.id, note="Añade <cifras>"
    )
    mine = await say(emulator, ana, "/myexperiences")
    assert "• Terrazas: Cambios solicitados" in text(mine)
    card = await tap(emulator, ana, mine, "Terrazas")
    assert "Nota del evaluador: Añade <cifras>" in text(card)
    assert labels(card) == ["Volver a enviar", "Editar", "Retirar", "« Mis experiencias"]
    menu = await tap(emulator, ana, card, "Editar")
    step = await tap(emulator, ana, menu, "Resultados e impactos")
    saved = await say(emulator, ana, "40 ha")
    assert "Guardado." in text(saved)
    again = await tap(emulator, ana, saved, "Volver a enviar")
    assert "«Terrazas» se volvió a enviar para evaluación." in text(again)
    assert "Estado: Enviada" in text(again)
    stored = await repos.experiences.get(experience.id)
    assert stored is not None
    assert (stored.status, stored.results) == ("submitted", "40 ha")
    statuses = [h.status for h in await repos.experiences.history(experience.id)]
    assert statuses == ["submitted", "changes_requested", "submitted"]

    await emulator.wait_until(lambda: len([e for e in emulator.sent_to(tom) if e.buttons]) == 2)
    notice = [e for e in emulator.sent_to(tom) if e.buttons][-1]
    assert (notice.text or "").startswith("An experience was resubmitted after changes:")
    # Resubmitting twice is refused: it is no longer waiting for changes.
    await refused_tap(emulator, ana, again, f"xm:resubmit:{experience.id}")
    del step


async def test_bad_input_is_refused_in_one_line_and_the_draft_is_kept(
    emulator: Emulator, repos: Repositories
) -> None:
    ana, person = await member(emulator, repos, "Ana", "en", reserve="Manu", country="PE")
    nothing = await photo(emulator, ana)
    assert text(nothing) == (
        "I did not expect a photo or a document here. /help lists what you can do."
    )
    await say(emulator, ana, "/submit")
    shown = await photo(emulator, ana)
    assert text(shown).startswith(
        "Please type your answer as text here; photos and documents come at the end."
    )
    assert "step 1 of 15" in text(shown)
    shown = await say(emulator, ana, "T" * 121)
    assert text(shown).startswith(
        "That is too long: at most 120 characters here, and yours has 121."
    )
    shown = await say(emulator, ana, "<script>alert(1)</script> & co")
    assert "✓ Title: <script>alert(1)</script> & co" in text(shown)
    shown = await tap(emulator, ana, shown, "« Back")
    assert "Now: <script>alert(1)</script> & co" in text(shown)
    shown = await tap(emulator, ana, shown, "Keep")
    shown = await tap(emulator, ana, shown, "Keep")
    shown = await say(emulator, ana, "Qqqqzz")
    assert text(shown).startswith("No country matches “Qqqqzz”.")
    shown = await tap(emulator, ana, await say(emulator, ana, "PE"), "Biodiversity")
    shown = await tap(emulator, ana, shown, "Done")
    shown = await say(emulator, ana, "Summary.")
    for _ in range(8):
        shown = await tap(emulator, ana, shown, "Skip")
    shown = await say(emulator, ana, "not a link")
    assert text(shown).startswith("“not”")
    shown = await say(emulator, ana, "https://a.org b.org c.org d.org e.org f.org")
    assert text(shown) == "At most 5 links, please." or text(shown).startswith(
        "At most 5 links, please."
    )
    shown = await tap(emulator, ana, shown, "Skip")
    assert "step 15 of 15" in text(shown)

    shown = await say(emulator, ana, "here is my photo")
    assert text(shown).startswith("Please send a photo or a document here, or use the buttons.")
    shown = await document(emulator, ana, "huge.zip", TWENTY_ONE_MB)
    assert text(shown).startswith(
        "That file has 21.0 MB: the limit is 20 MB per file. Please send a smaller one."
    )
    for _ in range(5):
        shown = await photo(emulator, ana)
    assert "✓ Received (5 of 5)." in text(shown)
    shown = await document(emulator, ana)
    assert text(shown).startswith("You already have 5 files, the most an experience can have.")
    shown = await tap(emulator, ana, shown, "Remove the last file")
    assert "Now: 4 photos" in text(shown)

    draft = await repos.drafts.get(person.id, "experience")
    assert draft is not None
    assert draft.step == "files"
    assert draft.data["title"] == "<script>alert(1)</script> & co"
    assert len(draft.data["files"]) == 4
    # A button of an earlier step is stale.
    alert = await refused_tap(emulator, ana, shown, "xs:title:keep")
    assert alert == "This button is no longer valid."
    preview = await tap(emulator, ana, shown, "Done")
    assert "<b>&lt;script&gt;alert(1)&lt;/script&gt; &amp; co</b>" in (preview.html or "")
    shown = await say(emulator, ana, "send it")
    assert text(shown).startswith("Please use the buttons: Send, Edit or Cancel.")
    ask = await tap(emulator, ana, shown, "Cancel")
    kept = await tap(emulator, ana, ask, "No, keep it")
    assert "Preview" in text(kept)
    assert await repos.drafts.get(person.id, "experience") is not None


async def test_someone_elses_experience_cannot_be_opened_or_withdrawn(
    emulator: Emulator, repos: Repositories
) -> None:
    ana, person = await member(emulator, repos, "Ana", "en")
    bob, _ = await member(emulator, repos, "Bob", "en")
    await tap(emulator, ana, await fill_quickly(emulator, ana), "Send")
    experience = await only_experience(repos, person)
    mine = await say(emulator, bob, "/myexperiences")
    assert text(mine) == "You have not shared any experience yet. /submit shares one."
    for data in (f"xm:open:{experience.id}", f"xm:wd:{experience.id}", "xm:open:x", "xs:"):
        assert await refused_tap(emulator, bob, mine, data) == "This button is no longer valid."
    stored = await repos.experiences.get(experience.id)
    assert stored is not None
    assert stored.status == "submitted"


async def test_a_long_experience_is_shown_in_several_messages(
    emulator: Emulator, repos: Repositories
) -> None:
    ana, person = await member(emulator, repos, "Ana", "en")
    long_fields = {
        name: ("Ñ & <x> " * 400)[:limit].strip()
        for name, limit in (
            ("summary", 600),
            ("challenge", 1000),
            ("building_blocks", 2000),
            ("enabling_factors", 1000),
            ("results", 1500),
            ("lessons", 1000),
            ("replicability", 1000),
        )
    }
    await repos.experiences.create(
        person.id,
        "en",
        {"title": "Long", "reserve": "Manu", "country": "PE", "themes": ["climate"]} | long_fields,
        NOW,
    )
    mine = await say(emulator, ana, "/myexperiences")
    mark = len(emulator.ledger)
    emulator.tap(ana, mine, "Long")
    await emulator.wait_until(lambda: any(e.buttons for e in emulator.ledger[mark:]), timeout=10)
    parts = [e for e in emulator.ledger[mark:] if e.chat_id == ana.id]
    assert len(parts) >= 3
    assert all(len(e.text or "") <= 4096 for e in parts)
    assert parts[0].kind == "edit"  # the list is replaced by the first part
    assert "Long\nManu · Peru" in (parts[0].text or "")
    assert [e.button_texts for e in parts[:-1]] == [[]] * (len(parts) - 1)
    assert parts[-1].button_texts == ["Edit", "Withdraw", "« My experiences"]


async def test_the_demo_network_has_experiences_at_several_stages(
    emulator: Emulator, app: WnmrcApplication, repos: Repositories
) -> None:
    demo = DemoNetwork.build(emulator)
    await demo.load(repos, app.services.clock)
    await demo.load(repos, app.services.clock)  # loading again adds nothing
    experiences = await repos.experiences.list()
    assert sorted(e.status for e in experiences) == [
        "accepted",
        "changes_requested",
        "in_review",
        "selected",  # two published ones, for the web gallery
        "selected",
        "submitted",
    ]
    emily = next(user for person, user in demo.users.items() if person.first_name == "Emily")
    mine = await say(emulator, emily, "/myexperiences")
    assert "• Trail counters for visitor management (demo): Changes requested" in text(mine)


async def test_sending_again_after_a_crash_does_not_store_the_experience_twice(
    emulator: Emulator, repos: Repositories
) -> None:
    ana, person = await member(emulator, repos, "Ana", "en")
    tom, _ = await member(emulator, repos, "Tom", "en", coordinates=("climate",))
    preview = await fill_quickly(emulator, ana)
    draft = await repos.drafts.get(person.id, "experience")
    assert draft is not None
    # The bot stored it and stopped before it queued the notices and dropped the draft.
    stored = await repos.experiences.create(
        person.id, "en", rules.experience_fields(draft.data), NOW
    )
    data = {**draft.data, "sent_id": stored.id}
    await repos.drafts.save(person.id, "experience", "preview", data, draft.chat_id, NOW)

    done = await tap(emulator, ana, preview, "Send")
    assert "was sent for review" in text(done)
    assert [e.id for e in await repos.experiences.by_author(person.id)] == [stored.id]
    await emulator.wait_until(lambda: any(e.buttons for e in emulator.sent_to(tom)))
    assert await repos.drafts.get(person.id, "experience") is None


async def test_editing_themes_country_and_files_of_a_sent_experience(
    emulator: Emulator, repos: Repositories
) -> None:
    ana, person = await member(emulator, repos, "Ana", "fr")
    await repos.experiences.create(
        person.id,
        "fr",
        {"title": "Terrasses", "reserve": "Manu", "country": "PE", "themes": ["climate"]}
        | {"summary": "Eau."},
        NOW,
    )
    mine = await say(emulator, ana, "/myexperiences")
    card = await tap(emulator, ana, mine, "Terrasses")
    step = await tap(emulator, ana, await tap(emulator, ana, card, "Modifier"), "Thèmes")
    step = await tap(emulator, ana, step, "✓ Changement climatique")
    step = await tap(emulator, ana, step, "Terminé")
    assert "Choisissez au moins un thème." in text(step)
    step = await tap(emulator, ana, step, "Biodiversité")
    saved = await tap(emulator, ana, step, "Terminé")
    assert "✓ Thèmes\u202f: Biodiversité" in text(saved)

    step = await tap(emulator, ana, await tap(emulator, ana, saved, "Modifier"), "Pays")
    saved = await say(emulator, ana, "Bolivie")
    step = await tap(
        emulator, ana, await tap(emulator, ana, saved, "Modifier"), "Photos et documents"
    )
    step = await photo(emulator, ana)
    assert "✓ Reçu (1 sur 5)." in text(step)
    saved = await tap(emulator, ana, step, "Terminé")
    assert "Photos et documents\u202f: 1 photo" in text(saved)

    [experience] = await repos.experiences.by_author(person.id)
    assert experience.themes == ("biodiversity",)
    assert experience.country == "BO"
    assert [f.kind for f in experience.files] == ["photo"]
    assert await repos.drafts.get(person.id, "experience_edit") is None


async def test_an_experience_in_review_is_locked_for_its_author(
    emulator: Emulator, repos: Repositories
) -> None:
    """Issue 12: scored, then edited, then accepted with nobody told. Once a reviewer has
    scored it, the author's edit is refused in one line in their language and nothing changes;
    withdrawing stays open to them."""
    ana, person = await member(emulator, repos, "Ana", "es")
    tom, _ = await member(emulator, repos, "Tom", "en", coordinates=("climate",))
    fields = {"title": "Terraces", "reserve": "Manu", "country": "PE", "themes": ["climate"]}
    experience = await repos.experiences.create(
        person.id, "es", fields | {"summary": "Old terraces hold water again."}, NOW
    )
    card = await tap(emulator, ana, await say(emulator, ana, "/myexperiences"), "Terraces")
    await tap(emulator, ana, await tap(emulator, ana, card, "Editar"), "Resumen")
    assert await repos.drafts.get(person.id, "experience_edit") is not None

    # Tom scores it while Ana's edit waits for her text.
    queue = await say(emulator, tom, "/review")
    prompt = await tap(emulator, tom, queue, f"Review #{experience.id}")
    for _criterion in range(6):
        prompt = await tap(emulator, tom, prompt, "4")
    assert f"Scores saved for #{experience.id}: mean 4.0." in text(prompt)

    refused = await say(emulator, ana, "A spam link: https://spam.example")
    locked = (
        "«Terraces» está en evaluación, así que ahora no se puede cambiar: un evaluador puede "
        "solicitar cambios, o puedes retirarla."
    )
    assert text(refused).startswith(locked)
    assert labels(refused) == ["Retirar", "« Mis experiencias"]
    stale_edit = await _after(
        emulator, ana, lambda: emulator.tap_data(ana, card, f"xm:edit:{experience.id}")
    )
    assert text(stale_edit).startswith(locked)
    await tap(emulator, ana, stale_edit, "« Mis experiencias")
    stale_field = await _after(
        emulator, ana, lambda: emulator.tap_data(ana, card, f"xf:{experience.id}:summary")
    )
    assert text(stale_field).startswith(locked)

    stored = await repos.experiences.get(experience.id)
    assert stored is not None
    assert (stored.status, stored.summary) == ("in_review", experience.summary)
    assert await repos.drafts.get(person.id, "experience_edit") is None
    [review] = await repos.reviews.reviews(experience.id)
    assert set(review.scores.values()) == {4}
