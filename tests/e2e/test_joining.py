"""Join policies through the real bot and the emulator: a request under `approval` reaches the
coordinators in their language with Approve / Decline, the first decision wins, the person is
told in theirs; invitation links join directly until revoked or expired; an imported participant
joins at once; a linked chat's join request from a non-member reaches the coordinators; /policy
and its refusals; and a new account claiming an imported row sees nothing of it until the
secretariat confirms."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.imports import import_people
from config import Settings
from sandbox.emulator import Emulator, LedgerEntry, SimChat, SimUser
from sandbox.emulator.journal import CallbackAnswer
from storage import Repositories

from ..conftest import SECRETARIAT_ID

pytestmark = pytest.mark.usefixtures("app")

INVITE_LINK = re.compile(r"https://t\.me/wnmrc_test_bot\?start=inv_[0-9a-f]{20}")


async def _secretariat(emulator: Emulator, language: str = "en") -> SimUser:
    jorge = emulator.add_user(
        "Jorge", username="jorge", language_code=language, user_id=SECRETARIAT_ID
    )
    await emulator.says(jorge, "/start")
    return jorge


async def _coordinator(emulator: Emulator, jorge: SimUser, name: str, language: str) -> SimUser:
    person = emulator.add_user(name, username=name.lower(), language_code=language)
    await emulator.says(person, "/start")
    await emulator.says(jorge, f"/coordinator add climate @{name.lower()}")
    return person


async def _tap(emulator: Emulator, user: SimUser, entry: LedgerEntry, text: str) -> CallbackAnswer:
    query_id = emulator.tap(user, entry, text)

    def answered() -> bool:
        return any(a.callback_query_id == query_id for a in emulator.callback_answers)

    await emulator.wait_until(answered)
    await emulator.settle()
    return next(a for a in emulator.callback_answers if a.callback_query_id == query_id)


def _now_text(emulator: Emulator, entry: LedgerEntry) -> tuple[str, list[str]]:
    current = emulator.message(entry.chat_id, entry.message_id)
    assert current is not None
    return current.plain, [button.text for row in current.buttons for button in row]


async def _is_member(repos: Repositories, user: SimUser, slug: str = "climate") -> bool:
    person = await repos.people.by_telegram_id(user.id)
    group = await repos.groups.by_slug(slug)
    assert group is not None
    if person is None:
        return False
    membership = await repos.groups.membership(group.id, person.id)
    return membership is not None and membership.current


async def test_a_request_is_approved_by_a_coordinator_in_another_language(
    emulator: Emulator, repos: Repositories
) -> None:
    jorge = await _secretariat(emulator)
    lucia = await _coordinator(emulator, jorge, "Lucia", "es")
    mei = emulator.add_user("Mei", username="mei", language_code="zh")
    await emulator.says(mei, "/start")
    mark = len(emulator.ledger)

    asked = await emulator.says(mei, "/join climate")
    notice = await emulator.next_message(lucia, after=mark)
    again = await emulator.says(mei, "/join climate")

    assert asked.text == ("您加入工作组 气候变化 的申请已发送给其协调人。我会告诉您他们的答复。")
    assert again.text == "您加入工作组 气候变化 的申请正在等待其协调人处理。"
    assert notice.text == "🙋 Mei @mei pide unirse al grupo de trabajo Cambio climático."
    assert notice.button_texts == ["Aprobar", "Rechazar"]
    assert not await _is_member(repos, mei)
    assert len([e for e in emulator.sent_to(lucia) if e.text.startswith("🙋")]) == 1

    mark = len(emulator.ledger)
    answer = await _tap(emulator, lucia, notice, "Aprobar")
    told = await emulator.next_message(mei, after=mark)

    assert answer.text == "Aprobada."
    assert _now_text(emulator, notice) == (
        "🙋 Mei @mei pide unirse al grupo de trabajo Cambio climático.\n\n✅ Aprobado por Lucia.",
        [],
    )
    assert told.text == "您加入工作组 气候变化 的申请已获批准：您现在是成员了。"
    assert await _is_member(repos, mei)
    roster = await emulator.says(lucia, "/roster climate")
    assert "Mei" in roster.text


async def test_a_decline_and_a_second_coordinators_late_tap(
    emulator: Emulator, repos: Repositories
) -> None:
    jorge = await _secretariat(emulator)
    lucia = await _coordinator(emulator, jorge, "Lucia", "es")
    omar = await _coordinator(emulator, jorge, "Omar", "fr")
    eve = emulator.add_user("Eve", username="eve", language_code="en")
    await emulator.says(eve, "/start")
    mark = len(emulator.ledger)

    await emulator.says(eve, "/join climate")
    to_lucia = await emulator.next_message(lucia, after=mark)
    to_omar = await emulator.next_message(omar, after=mark)
    assert to_omar.text == (
        "🙋 Eve @eve demande à rejoindre le groupe de travail Changement climatique."
    )
    assert to_omar.button_texts == ["Approuver", "Refuser"]

    mark = len(emulator.ledger)
    declined = await _tap(emulator, omar, to_omar, "Refuser")
    told = await emulator.next_message(eve, after=mark)
    late = await _tap(emulator, lucia, to_lucia, "Aprobar")

    assert declined.text == "Refusée."
    assert told.text == "Your request to join the working group Climate change was declined."
    assert (late.text, late.show_alert) == ("Omar ya rechazó esta solicitud.", True)
    assert _now_text(emulator, to_lucia)[0].endswith("❌ Rechazado por Omar.")
    assert not await _is_member(repos, eve)


async def test_a_group_without_coordinators_asks_the_secretariat(
    emulator: Emulator, repos: Repositories
) -> None:
    jorge = await _secretariat(emulator, "fr")
    ana = emulator.add_user("Ana", language_code="es")
    mark = len(emulator.ledger)

    await emulator.says(ana, "/join climate")
    notice = await emulator.next_message(jorge, after=mark)
    await _tap(emulator, jorge, notice, "Approuver")

    assert await _is_member(repos, ana)


async def test_the_join_button_asks_and_says_the_request_is_waiting(
    emulator: Emulator, repos: Repositories
) -> None:
    await _secretariat(emulator)
    ana = emulator.add_user("Ana", language_code="en")
    listing = await emulator.says(ana, "/groups")
    assert "Climate change · 0 members · joined on a coordinator's approval" in listing.text

    first = await _tap(emulator, ana, listing, "Join Climate change")
    second = await _tap(emulator, ana, listing, "Join Climate change")

    assert first.text == "Your request to join Climate change was sent to its coordinators."
    assert second.text == "Your request to join Climate change is waiting for its coordinators."
    shown = _now_text(emulator, listing)[0]
    assert "⏳ Climate change · 0 members" in shown
    assert "⏳ marks your requests waiting for a coordinator." in shown
    assert not await _is_member(repos, ana)
    data = await emulator.says(ana, "/mydata")
    assert data.document is not None
    document = json.loads(data.document.content)
    assert [(r["group_slug"], r["status"]) for r in document["join_requests"]] == [
        ("climate", "pending")
    ]


async def test_an_invitation_link_joins_directly_until_revoked(
    emulator: Emulator, repos: Repositories
) -> None:
    jorge = await _secretariat(emulator)
    amara = await _coordinator(emulator, jorge, "Amara", "en")
    await emulator.says(amara, "/policy climate invite")
    ana = emulator.add_user("Ana", language_code="es")
    bo = emulator.add_user("Bo", language_code="en")

    refused = await emulator.says(ana, "/join climate")
    invitation = await emulator.says(amara, "/invite climate")

    assert refused.text == (
        "Al grupo de trabajo Cambio climático solo se entra por invitación: "
        "pide un enlace de invitación a su coordinación."
    )
    assert invitation.text.startswith(
        "Invitation to the working group Climate change: whoever opens this link and taps "
        "Start joins the group. It lets in up to 50 people until "
    )
    found = INVITE_LINK.search(invitation.text)
    assert found is not None
    link = found.group(0)
    assert invitation.button("Join Climate change").url == link
    token = link.rsplit("=", 1)[1]

    joined = await emulator.says(ana, f"/start {token}")
    assert joined.text.splitlines()[0] == "Te has unido al grupo de trabajo Cambio climático."
    assert await _is_member(repos, ana)

    answer = await _tap(emulator, amara, invitation, "Revoke this link")
    assert answer.text == "Revoked."
    assert _now_text(emulator, invitation)[0].endswith(
        "🚫 This link was revoked: it lets nobody in any more."
    )
    stale = await emulator.says(bo, f"/start {token}")
    assert stale.text.startswith("That link is not valid (any more).")
    assert not await _is_member(repos, bo)


async def test_an_expired_invitation_lets_nobody_in(
    emulator: Emulator, repos: Repositories
) -> None:
    jorge = await _secretariat(emulator)
    invitation = await emulator.says(jorge, "/invite climate")
    found = INVITE_LINK.search(invitation.text)
    assert found is not None
    async with repos.db.transaction() as conn:
        await conn.execute("UPDATE group_invites SET expires_at = '2020-01-01T00:00:00.000000Z'")
    bo = emulator.add_user("Bo", language_code="en")

    stale = await emulator.says(bo, f"/start {found.group(0).rsplit('=', 1)[1]}")

    assert stale.text.startswith("That link is not valid (any more).")
    assert not await _is_member(repos, bo)


async def test_a_linked_chats_join_request_from_a_non_member_is_approved_by_a_coordinator(
    emulator: Emulator, repos: Repositories
) -> None:
    jorge = await _secretariat(emulator)
    lucia = await _coordinator(emulator, jorge, "Lucia", "es")
    chat: SimChat = emulator.add_group("WG climate", members=[jorge])
    await emulator.says(jorge, "/linkchat climate", chat=chat)
    eve = emulator.add_user("Eve", username="eve", language_code="en")
    mark = len(emulator.ledger)

    emulator.ask_to_join(chat, eve)
    notice = await emulator.next_message(lucia, after=mark)

    assert notice.text == (
        "🙋 Eve @eve pide entrar en el chat de Telegram del grupo de trabajo Cambio climático. "
        "Aprueba para dejarle entrar en el chat y hacerle miembro."
    )
    assert chat.join_requests == {eve.id}
    await _tap(emulator, lucia, notice, "Aprobar")
    # The chat's approval follows the answer to the tap: wait for it, not for a quiet moment.
    await emulator.wait_until(lambda: chat.members.get(eve.id) == "member")

    assert chat.members.get(eve.id) == "member"
    assert chat.join_requests == set()
    assert await _is_member(repos, eve)


async def test_a_declined_chat_join_request_is_declined_in_telegram(
    emulator: Emulator, repos: Repositories
) -> None:
    jorge = await _secretariat(emulator, "fr")
    chat: SimChat = emulator.add_group("WG climate", members=[jorge])
    await emulator.says(jorge, "/linkchat climate", chat=chat)
    eve = emulator.add_user("Eve", username="eve", language_code="en")
    mark = len(emulator.ledger)

    emulator.ask_to_join(chat, eve)
    notice = await emulator.next_message(jorge, after=mark)
    await _tap(emulator, jorge, notice, "Refuser")

    assert chat.join_requests == set()
    assert chat.members.get(eve.id, "left") == "left"
    assert not await _is_member(repos, eve)


async def test_someone_an_admin_adds_to_the_chat_joins_only_if_the_admin_coordinates(
    emulator: Emulator, repos: Repositories
) -> None:
    jorge = await _secretariat(emulator)
    await emulator.says(jorge, "/policy climate invite")
    lucia = await _coordinator(emulator, jorge, "Lucia", "es")
    admin = emulator.add_user("Admin", language_code="en")
    chat = emulator.add_group("WG climate", members=[jorge, lucia, admin])
    await emulator.says(jorge, "/linkchat climate", chat=chat)
    eve = emulator.add_user("Eve", language_code="en")
    bo = emulator.add_user("Bo", language_code="en")

    emulator.add_member(chat, eve, by=admin)
    emulator.add_member(chat, bo, by=lucia)
    await emulator.settle()

    assert not await _is_member(repos, eve)
    assert await _is_member(repos, bo)


async def test_policy_shows_changes_and_refuses(emulator: Emulator, repos: Repositories) -> None:
    jorge = await _secretariat(emulator, "fr")
    ana = emulator.add_user("Ana", language_code="es")

    shown = await emulator.says(jorge, "/policy climate")
    wrong = await emulator.says(jorge, "/policy climate sometimes")
    nothing = await emulator.says(jorge, "/policy")
    refused = await emulator.says(ana, "/policy climate open")

    assert shown.text == (
        "Groupe de travail Changement climatique\u202f: sur approbation de la coordination. "
        "Changez-le avec /policy climate open, approval ou invite."
    )
    assert wrong.text == (
        "«\u202fsometimes\u202f» n’est pas un mode d’adhésion\u202f: "
        "écrivez open, approval ou invite."
    )
    assert nothing.text.startswith("Quel groupe de travail\u202f? Écrivez /policy GROUPE")
    assert refused.text.startswith("Solo")
    climate = await repos.groups.by_slug("climate")
    assert climate is not None
    assert climate.join_policy == "approval"


# Claims of an imported row

LIST = (
    "name;telegram;email;country;groups;language;timezone\n"
    "Ana Pérez;@ana_perez;ana@example.org;España;climate;es;Europe/Madrid\n"
)


async def _import(settings: Settings, tmp_path: Path) -> None:
    path = tmp_path / "participants.csv"
    path.write_text(LIST, encoding="utf-8")
    out = io.StringIO()
    assert await import_people(settings, path, out=out, err=io.StringIO()) == 0, out.getvalue()


async def test_a_new_account_sees_no_email_until_the_secretariat_confirms_then_rejoins_at_once(
    emulator: Emulator, repos: Repositories, settings: Settings, tmp_path: Path
) -> None:
    jorge = await _secretariat(emulator, "es")
    await _import(settings, tmp_path)
    ana = emulator.add_user("Ana", last_name="P", username="Ana_Perez", language_code="en")
    mark = len(emulator.ledger)

    await emulator.says(ana, "/start")
    before = await emulator.says(ana, "/me")
    notice = await emulator.next_message(jorge, after=mark, timeout=70)

    assert "ana@example.org" not in before.text
    assert "Cambio climático" not in before.text
    assert not await _is_member(repos, ana)
    assert notice.text.startswith(
        "🪪 Una cuenta nueva tiene el @usuario de alguien de la lista de participantes."
    )
    assert "Ana Pérez, ana@example.org" in notice.text
    assert notice.button_texts == ["Confirmar", "Rechazar"]

    mark = len(emulator.ledger)
    answer = await _tap(emulator, jorge, notice, "Confirmar")
    told = await emulator.next_message(ana, after=mark)
    after = await emulator.says(ana, "/me")

    assert answer.text == "Confirmado."
    # the list says Ana reads Spanish, and she chose no language herself
    assert told.text.startswith("La secretaría confirmó que estás en la lista de participantes")
    assert "ana@example.org" in after.text
    assert await _is_member(repos, ana)
    assert await repos.people.count() == 2  # Ana and Jorge: the imported row merged

    await emulator.says(ana, "/leave climate")
    back = await emulator.says(ana, "/join climate")
    assert back.text.startswith("Te has unido al grupo de trabajo Cambio climático.")


async def test_forgetme_removes_the_persons_requests(
    emulator: Emulator, repos: Repositories
) -> None:
    await _secretariat(emulator)
    ana = emulator.add_user("Ana", language_code="en")
    await emulator.says(ana, "/join climate")
    assert await repos.db.fetch_value("SELECT count(*) FROM join_requests") == 1

    question = await emulator.says(ana, "/forgetme")
    emulator.tap(ana, question, "Delete my data")
    await emulator.wait_until(
        lambda: emulator.message(ana.id, question.message_id).text.startswith("Done")
    )

    assert await repos.db.fetch_value("SELECT count(*) FROM join_requests") == 0


async def _first_after(
    emulator: Emulator, user: SimUser, mark: int, wanted: Callable[[str], bool]
) -> LedgerEntry:
    """The first message to ``user`` after ledger position ``mark`` whose text is ``wanted``."""

    def found() -> LedgerEntry | None:
        sent = (e for e in emulator.ledger[mark:] if e.kind == "send" and e.chat_id == user.id)
        return next((e for e in sent if wanted(e.text or "")), None)

    await emulator.wait_until(lambda: found() is not None)
    entry = found()
    assert entry is not None
    return entry


async def test_claims_lists_the_waiting_matches_with_their_buttons_for_the_secretariat_only(
    emulator: Emulator, repos: Repositories, settings: Settings, tmp_path: Path
) -> None:
    jorge = await _secretariat(emulator, "es")
    none_yet = await emulator.says(jorge, "/claims")
    await _import(settings, tmp_path)
    ana = emulator.add_user("Ana", last_name="P", username="Ana_Perez", language_code="en")
    await emulator.says(ana, "/start")

    refused = await emulator.says(ana, "/claims")
    mark = len(emulator.ledger)
    emulator.send_text(jorge, "/claims")
    summary = await _first_after(emulator, jorge, mark, lambda text: text.endswith("decisión:"))
    # the list follows the summary (the secretariat's notice of the claim may come too: it is
    # the same text with the same buttons)
    listed = await _first_after(emulator, jorge, mark, lambda text: text.startswith("🪪"))

    assert none_yet.text == "Ninguna coincidencia espera una decisión."
    assert refused.text == "Only the network secretariat can do that."
    assert summary.text == "1 coincidencia espera una decisión:"
    assert listed.text.startswith(
        "🪪 Una cuenta nueva tiene el @usuario de alguien de la lista de participantes."
    )
    assert "Ana Pérez, ana@example.org" in listed.text
    assert listed.button_texts == ["Confirmar", "Rechazar"]

    answer = await _tap(emulator, jorge, listed, "Rechazar")
    mark = len(emulator.ledger)
    emulator.send_text(jorge, "/claims")
    after = await _first_after(emulator, jorge, mark, lambda text: not text.startswith("🪪"))

    assert answer.text == "Rechazado."
    assert after.text == "Ninguna coincidencia espera una decisión."
    assert not await _is_member(repos, ana)
    assert await repos.people.count() == 3  # Jorge, Ana's account and the list's row, apart
