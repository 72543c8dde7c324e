"""Imported people meeting the bot, /mydata and /forgetme, as members see them."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from bot.context import WnmrcApplication
from bot.imports import import_people
from config import Settings
from sandbox.emulator import Emulator
from sandbox.emulator.journal import LedgerEntry
from storage import Repositories

from ..conftest import SECRETARIAT_ID

pytestmark = pytest.mark.usefixtures("app")

LIST = (
    "name;telegram;email;country;groups;language;timezone\n"
    "Ana Pérez;@ana_perez;ana@example.org;España;climate|Biodiversidad;es;Europe/Madrid\n"
    "李明;li_ming;;中国;climate;;Asia/Shanghai\n"
)


async def _import(settings: Settings, tmp_path: Path, text: str = LIST) -> str:
    path = tmp_path / "participants.csv"
    path.write_text(text, encoding="utf-8")
    out = io.StringIO()
    assert await import_people(settings, path, out=out, err=io.StringIO()) == 0, out.getvalue()
    return out.getvalue()


async def _confirm_claims(app: WnmrcApplication, emulator: Emulator) -> None:
    """The secretariat confirms every pending claim of an imported row (the taps themselves are
    tested in test_joining.py)."""
    services = app.services
    jorge = await services.repos.people.upsert_from_telegram(
        telegram_id=SECRETARIAT_ID,
        first_name="Jorge",
        last_name=None,
        username=None,
        language_code="en",
        private=False,
        now=services.clock.now(),
    )
    rows = await services.repos.db.fetch_all(
        "SELECT id FROM identity_claims WHERE status = 'pending'"
    )
    told = len(emulator.ledger) + len(rows)
    for row in rows:
        await services.claims.decide(row["id"], True, jorge)
    await emulator.wait_until(lambda: len(emulator.ledger) >= told)  # each was told


def _document(entry: LedgerEntry) -> dict[str, Any]:
    assert entry.document is not None, f"no document but: {entry.text!r}"
    parsed: dict[str, Any] = json.loads(entry.document.content.decode("utf-8"))
    return parsed


# an imported person meets the bot


async def test_an_imported_person_is_recognised_once_the_secretariat_confirms(
    emulator: Emulator,
    repos: Repositories,
    settings: Settings,
    tmp_path: Path,
    app: WnmrcApplication,
) -> None:
    assert "2 added" in await _import(settings, tmp_path)
    ana = emulator.add_user("Ana", last_name="P", username="Ana_Perez", language_code="en")

    await emulator.says(ana, "/start")
    await _confirm_claims(app, emulator)
    profile = await emulator.says(ana, "/me")
    reply = await emulator.says(ana, "/mydata")

    assert await repos.people.count() == 3  # Ana (merged), Li (imported), Jorge
    person = (await repos.people.search("@ana_perez"))[0]
    assert person.telegram_id == ana.id
    assert (person.display_name, person.first_name) == ("Ana Pérez", "Ana")
    for shown in ("Ana Pérez", "España", "Madrid", "Cambio climático", "Biodiversidad"):
        assert shown in profile.text  # the list said Ana reads Spanish
    document = _document(reply)
    assert document["person"]["display_name"] == "Ana Pérez"
    assert document["person"]["country"] == "ES"
    assert document["person"]["timezone"] == "Europe/Madrid"
    assert sorted(m["group_slug"] for m in document["memberships"]) == ["biodiversity", "climate"]
    assert {m["source"] for m in document["memberships"]} == {"import"}
    assert document["person"]["language"] == "es"
    assert "0 added, 0 updated, 2 unchanged" in await _import(settings, tmp_path)


# /mydata


@pytest.mark.parametrize(
    ("language_code", "caption", "about"),
    [
        ("en", "Everything I store about you, as of ", "This file holds everything"),
        ("es", "Todo lo que guardo sobre ti, a fecha de ", "Este archivo contiene todo"),
    ],
)
async def test_mydata_sends_a_json_file_of_everything_stored(
    emulator: Emulator,
    repos: Repositories,
    settings: Settings,
    tmp_path: Path,
    language_code: str,
    caption: str,
    about: str,
    app: WnmrcApplication,
) -> None:
    await _import(settings, tmp_path)
    li = emulator.add_user("Li", username="li_ming", language_code=language_code)
    await emulator.says(li, "/start")
    await _confirm_claims(app, emulator)
    person = (await repos.people.search("@li_ming"))[0]
    now = person.created_at
    await repos.drafts.save(person.id, "profile", "reserve", {"name": "<i>Li</i>"}, li.id, now)

    reply = await emulator.says(li, "/mydata")

    assert reply.method == "sendDocument"
    assert reply.document is not None
    assert reply.document.filename is not None
    assert reply.document.filename.startswith("wnmrc-my-data-20")
    assert reply.document.filename.endswith(".json")
    day = reply.document.filename.removeprefix("wnmrc-my-data-").removesuffix(".json")
    assert reply.text == caption + day + (
        ". Keep this file private: it holds your personal data."
        if language_code == "en"
        else ". Guarda este archivo en privado: contiene tus datos personales."
    )
    document = _document(reply)
    assert document["about"].startswith(about)
    assert len(document["not_stored"]) == 5
    assert document["person"]["id"] == person.id
    assert document["person"]["telegram_id"] == li.id
    assert document["person"]["display_name"] == "李明"
    assert document["person"]["telegram_language"] == language_code
    assert document["person"]["created_at"].endswith("+00:00")
    assert document["private_chat"]["id"] == li.id
    assert [(m["group_slug"], m["role"]) for m in document["memberships"]] == [
        ("climate", "member")
    ]
    assert document["drafts"][0]["data"] == {"name": "<i>Li</i>"}
    assert "ana_perez" not in reply.document.content.decode()


async def test_mydata_is_for_private_chats_only(emulator: Emulator) -> None:
    ana = emulator.add_user("Ana", language_code="en")
    group = emulator.add_group("Climate WG", members=[ana])

    reply = await emulator.says(ana, "/mydata", chat=group)

    assert reply.document is None
    assert reply.text == "Use /mydata in your private chat with me."


# /forgetme


async def test_forgetme_confirmed_deletes_the_person_and_only_them(
    emulator: Emulator,
    repos: Repositories,
    settings: Settings,
    tmp_path: Path,
    app: WnmrcApplication,
) -> None:
    await _import(settings, tmp_path)
    ana = emulator.add_user("Ana", username="ana_perez", language_code="es")
    li = emulator.add_user("Li", username="li_ming", language_code="zh")
    await emulator.says(li, "/start")
    await emulator.says(ana, "/start")
    await _confirm_claims(app, emulator)
    question = await emulator.says(ana, "/forgetme")

    assert question.text.startswith("Esto borra todo lo que guardo sobre ti")
    assert question.text.endswith("¿Borrar tus datos?")
    assert "secretaría" not in question.text
    assert question.button_texts == ["Borrar mis datos", "Conservarlos"]
    assert all(len(b.data.encode()) < 64 for row in question.buttons for b in row if b.data)
    ana_id = (await repos.people.search("@ana_perez"))[0].id

    emulator.tap(ana, question, "Borrar mis datos")
    await emulator.wait_until(
        lambda: emulator.message(ana.id, question.message_id).text.startswith("Hecho")
    )

    edited = emulator.message(ana.id, question.message_id)
    assert edited.text == (
        "Hecho: todo lo que guardaba sobre ti está borrado. Si vuelves a escribirme, solo "
        "conoceré tu nombre de Telegram, como con cualquier persona nueva."
    )
    assert edited.buttons == []
    assert await repos.people.get(ana_id) is None
    assert await repos.chats.get(ana.id) is None
    assert (
        await repos.db.fetch_value(
            "SELECT count(*) FROM group_members WHERE person_id = ?", (ana_id,)
        )
        == 0
    )
    assert await repos.people.count() == 2  # Li and Jorge
    li_data = _document(await emulator.says(li, "/mydata"))
    assert li_data["person"]["display_name"] == "李明"
    assert [m["group_slug"] for m in li_data["memberships"]] == ["climate"]


async def test_after_forgetme_the_bot_knows_only_the_telegram_name(
    emulator: Emulator,
    repos: Repositories,
    settings: Settings,
    tmp_path: Path,
    app: WnmrcApplication,
) -> None:
    await _import(settings, tmp_path)
    li = emulator.add_user("Li", username="li_ming", language_code="en")
    await emulator.says(li, "/start")
    await _confirm_claims(app, emulator)
    question = await emulator.says(li, "/forgetme")
    emulator.tap(li, question, "Delete my data")
    await emulator.wait_until(
        lambda: emulator.message(li.id, question.message_id).text.startswith("Done")
    )

    document = _document(await emulator.says(li, "/mydata"))

    assert document["person"]["first_name"] == "Li"
    assert document["person"]["display_name"] is None
    assert document["person"]["country"] is None
    assert document["memberships"] == []
    emulator.tap_data(li, question, question.buttons[0][0].data or "")
    await emulator.settle()
    assert emulator.callback_answers[-1].text == "This button is no longer valid."
    assert await repos.people.count() == 3  # Li (new), Ana (imported), Jorge


async def test_forgetme_kept_changes_nothing(
    emulator: Emulator,
    repos: Repositories,
    settings: Settings,
    tmp_path: Path,
    app: WnmrcApplication,
) -> None:
    await _import(settings, tmp_path)
    li = emulator.add_user("Li", username="li_ming", language_code="fr")
    await emulator.says(li, "/start")
    await _confirm_claims(app, emulator)
    question = await emulator.says(li, "/forgetme")
    stored = (
        "SELECT p.id, p.telegram_id, p.display_name, p.country, p.imported, m.group_id"
        " FROM people AS p LEFT JOIN group_members AS m ON m.person_id = p.id ORDER BY 1, 6"
    )
    before = await repos.db.fetch_all(stored)

    emulator.tap(li, question, "Les garder")
    await emulator.wait_until(
        lambda: emulator.message(li.id, question.message_id).text.startswith("Rien")
    )

    assert emulator.message(li.id, question.message_id).text == (
        "Rien n’a été effacé. Vos données restent telles quelles."
    )
    after = await repos.db.fetch_all(stored)
    assert [tuple(row) for row in after] == [tuple(row) for row in before]
    assert len(after) == 4  # Li in climate, Ana in two groups, Jorge in none


async def test_keep_it_tapped_twice_on_the_same_question_is_quietly_accepted(
    emulator: Emulator, repos: Repositories
) -> None:
    """Found by the fuzz: the second tap edited the message into the same text, a Telegram 400
    that reached the error handler."""
    li = emulator.add_user("Li", language_code="fr")
    question = await emulator.says(li, "/forgetme")
    keep = question.button("Les garder").data
    assert keep is not None
    emulator.tap(li, question, "Les garder")
    await emulator.settle()

    emulator.tap_data(li, question, keep)
    await emulator.settle()

    assert emulator.message(li.id, question.message_id).text == (
        "Rien n’a été effacé. Vos données restent telles quelles."
    )
    assert emulator.sent_to(li)[-1].message_id == question.message_id  # no apology sent
    assert await repos.people.by_telegram_id(li.id) is not None


@pytest.mark.parametrize("forged", ["fgt:y:{other}", "fgt:y:abc", "fgt:delete", "fgt:y:{me}:1"])
async def test_a_forged_forget_button_is_refused_and_deletes_nothing(
    emulator: Emulator,
    repos: Repositories,
    settings: Settings,
    tmp_path: Path,
    forged: str,
    app: WnmrcApplication,
) -> None:
    await _import(settings, tmp_path)
    ana = emulator.add_user("Ana", username="ana_perez", language_code="es")
    await emulator.says(ana, "/start")
    await _confirm_claims(app, emulator)
    question = await emulator.says(ana, "/forgetme")
    ids = {p.username: p.id for p in await repos.people.search("@li_ming")}
    ana_id = (await repos.people.search("@ana_perez"))[0].id

    tapped = emulator.tap_data(ana, question, forged.format(other=ids["li_ming"], me=ana_id))
    answer = await emulator.answer_to(tapped)
    await emulator.settle()

    assert answer.text == "Este botón ya no es válido."
    assert answer.show_alert
    assert await repos.people.count() == 3
    assert emulator.message(ana.id, question.message_id).text == question.text


async def test_a_secretariat_member_is_warned_that_the_settings_still_name_them(
    emulator: Emulator, repos: Repositories
) -> None:
    jorge = emulator.add_user("Jorge", user_id=SECRETARIAT_ID, language_code="en")

    question = await emulator.says(jorge, "/forgetme")

    assert "You are in the secretariat" in question.text
    emulator.tap(jorge, question, "Delete my data")
    await emulator.wait_until(
        lambda: emulator.message(jorge.id, question.message_id).text.startswith("Done")
    )
    assert await repos.people.by_telegram_id(SECRETARIAT_ID) is None
