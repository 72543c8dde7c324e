"""The wire format: routes, body encodings, parameter decoding, Telegram's JSON shapes."""

from __future__ import annotations

import json

import aiohttp

from sandbox.emulator import Emulator, SimUser

from .conftest import RawApi


async def test_a_wrong_token_is_unauthorized(api: RawApi) -> None:
    answer = await api.form("getMe", token="654321:wrong")

    assert answer.status == 401
    assert answer.body == {"ok": False, "error_code": 401, "description": "Unauthorized"}


async def test_an_unknown_method_is_not_found(api: RawApi) -> None:
    answer = await api.form("sendTelepathy")

    assert answer.status == 404
    assert answer.body == {"ok": False, "error_code": 404, "description": "Not Found"}


async def test_method_names_ignore_case_and_an_empty_body_is_fine(api: RawApi) -> None:
    async with api.session.post(api.url("GETME")) as response:
        body = await response.json()

    assert response.status == 200
    assert body["ok"] is True
    assert body["result"]["username"] == "wnmrc_test_bot"
    assert body["result"]["is_bot"] is True


async def test_form_json_and_query_parameters_are_read_alike(api: RawApi, ana: SimUser) -> None:
    by_form = await api.form("sendMessage", chat_id=str(ana.id), text="form")
    by_json = await api.json("sendMessage", chat_id=ana.id, text="json")
    by_query = await api.get("sendMessage", chat_id=str(ana.id), text="query")

    assert [a.result["text"] for a in (by_form, by_json, by_query)] == ["form", "json", "query"]


async def test_json_valued_parameters_arrive_as_json_text_in_forms(
    api: RawApi, ana: SimUser, emu: Emulator
) -> None:
    markup = {"inline_keyboard": [[{"text": "Go", "callback_data": "go"}]]}

    answer = await api.form(
        "sendMessage",
        chat_id=ana.id,
        text="hi",
        reply_markup=json.dumps(markup),
        disable_notification="true",
    )

    assert answer.result["reply_markup"] == markup
    assert emu.calls[-1].params["reply_markup"] == markup
    assert emu.calls[-1].params["disable_notification"] is True
    assert emu.calls[-1].params["chat_id"] == ana.id


async def test_malformed_json_parameters_are_refused_like_telegram(
    api: RawApi, ana: SimUser
) -> None:
    answer = await api.form("sendMessage", chat_id=ana.id, text="hi", reply_markup="{nope")

    assert answer.status == 400
    assert answer.description == "Bad Request: can't parse reply keyboard markup JSON object"


async def test_missing_required_parameters_name_what_is_empty(api: RawApi, ana: SimUser) -> None:
    no_chat = await api.form("sendMessage", text="hi")
    no_text = await api.form("sendMessage", chat_id=ana.id)

    assert (no_chat.status, no_chat.description) == (400, "Bad Request: chat_id is empty")
    assert (no_text.status, no_text.description) == (400, "Bad Request: message text is empty")


async def test_a_non_numeric_integer_parameter_is_refused(api: RawApi, ana: SimUser) -> None:
    answer = await api.form("deleteMessage", chat_id=ana.id, message_id="first")

    assert answer.status == 400
    assert answer.description == "Bad Request: invalid message_id specified"


async def test_optional_fields_are_omitted_not_null(api: RawApi, emu: Emulator) -> None:
    bob = emu.add_user("Bob", started=True)

    message = (await api.form("sendMessage", chat_id=bob.id, text="plain")).result

    assert None not in message.values()
    assert "entities" not in message
    assert "reply_markup" not in message
    assert message["chat"] == {"id": bob.id, "type": "private", "first_name": "Bob"}
    assert message["from"]["id"] == emu.bot.id
    assert isinstance(message["date"], int)


async def test_multipart_uploads_by_name_or_attach_uri(api: RawApi, ana: SimUser) -> None:
    direct = aiohttp.FormData()
    direct.add_field("chat_id", str(ana.id))
    direct.add_field("document", b"%PDF-1.4", filename="a.pdf", content_type="application/pdf")
    attached = aiohttp.FormData()
    attached.add_field("chat_id", str(ana.id))
    attached.add_field("document", "attach://file1")
    attached.add_field("file1", b"second", filename="b.txt", content_type="text/plain")

    first = (await api.multipart("sendDocument", direct)).result["document"]
    second = (await api.multipart("sendDocument", attached)).result["document"]

    assert (first["file_name"], first["mime_type"], first["file_size"]) == (
        "a.pdf",
        "application/pdf",
        8,
    )
    assert (second["file_name"], second["file_size"]) == ("b.txt", 6)


async def test_error_status_equals_error_code_and_parameters_travel(
    api: RawApi, emu: Emulator
) -> None:
    group = emu.add_group("Old group", kind="group")
    supergroup = emu.migrate_group(group)

    answer = await api.form("sendMessage", chat_id=group.id, text="hi")

    assert answer.status == 400
    assert answer.body == {
        "ok": False,
        "error_code": 400,
        "description": "Bad Request: group chat was upgraded to a supergroup chat",
        "parameters": {"migrate_to_chat_id": supergroup.id},
    }


async def test_every_call_is_recorded_with_its_outcome(api: RawApi, emu: Emulator) -> None:
    await api.form("getMe")
    await api.form("sendMessage", text="x")

    assert [(c.method, c.status) for c in emu.calls] == [("getMe", 200), ("sendMessage", 400)]
    assert emu.calls[1].description == "Bad Request: chat_id is empty"
    assert emu.stats.calls["getMe"] == 1
    assert emu.stats.errors[400] == 1
