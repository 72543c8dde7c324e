"""``wnmrc-bot sandbox`` as a newcomer uses it: typed lines in, the bot's answers out."""

from __future__ import annotations

import asyncio
import email
import email.policy
import os
import pty
import re
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

WNMRC_BOT = str(Path(sys.executable).parent / "wnmrc-bot")
PROMPT = re.compile(r"^\[[^\n]* @ [^\n]*\] > ", re.MULTILINE)


async def _sandbox(*args: str, script: str) -> str:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("WNMRC_")}
    process = await asyncio.create_subprocess_exec(
        WNMRC_BOT,
        "sandbox",
        *args,
        env=environment,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    if not script.endswith("/quit\n"):
        script += "/quit\n"
    out, _ = await asyncio.wait_for(process.communicate(script.encode()), 90)
    text = out.decode()
    assert process.returncode == 0, text
    return text


async def test_start_pick_spanish_and_get_help_in_spanish() -> None:
    out = await _sandbox(script="/start\n/language\n2\n/help\n/quit\n")

    assert "Welcome, Alex!" in out
    assert "[1] ✓ English  [2] Español" in out
    assert "A partir de ahora te hablaré en Español." in out
    assert "Lo que puedes hacer aquí" in out
    assert "Traceback" not in out


async def test_as_and_in_switch_person_and_chat() -> None:
    script = "/as Mei zh\n/start\n/in new Climate WG\n/help\n/in private\n/people\n/quit\n"

    out = await _sandbox(script=script)

    assert "欢迎您，Mei！" in out
    assert "[Mei @ Climate WG] >" in out
    group_help = out.split("[Mei @ Climate WG] > /help", 1)[1].split("[Mei @", 1)[0]
    assert "/language" in group_help
    assert "/cancel" not in group_help
    assert "[Mei @ private] >" in out
    assert "Alex" in out.split("/people", 1)[1]


async def test_demo_network_is_loaded_and_marked_fictional(tmp_path: Path) -> None:
    database = tmp_path / "demo.sqlite3"
    script = "/chats\n/as Jorge\n/help\n/quit\n"

    out = await _sandbox("--demo", "--database", str(database), script=script)

    assert "Demo network loaded (fictional people and reserves)" in out
    for title in ("WG Climate change (demo)", "WG Biodiversity (demo)"):
        assert title in out
    assert "[Jorge @ private] > /help" in out
    assert "Lo que puedes hacer aquí" in out
    assert database.exists()


async def test_a_number_that_is_no_button_goes_to_the_bot_as_text() -> None:
    out = await _sandbox(script="/submit\n42\n/quit\n")

    assert "step 1 of 15" in out
    assert "step 2 of 15" in out  # "42" was the title, not a tap
    assert "Traceback" not in out


async def test_switching_person_brings_back_the_buttons_waiting_in_their_chat() -> None:
    script = "/language\n/as Mei zh\n/as Alex\n2\n/quit\n"

    out = await _sandbox(script=script)

    after_return = out.split("[Mei @ private] > /as Alex", 1)[1]
    assert "(the buttons of the latest message here)" in after_return
    assert "A partir de ahora te hablaré en Español." in after_return


# what the bot sends, as a person sees it in the terminal


async def test_a_calendar_file_is_saved_and_its_path_printed(tmp_path: Path) -> None:
    database = tmp_path / "demo.sqlite3"

    out = await _sandbox("--demo", "--database", str(database), script="/as Ana\n/calendar\n")

    saved = re.search(r"\[document meetings\.ics saved to (\S+)\]", out)
    assert saved is not None, out
    path = Path(saved[1])
    assert path.parent == tmp_path / "demo-files"
    content = path.read_text()
    assert content.startswith("BEGIN:VCALENDAR")
    assert "Follow-up meeting of the working groups (demo)" in content


async def test_the_email_only_member_s_mail_is_caught_and_its_path_printed(
    tmp_path: Path,
) -> None:
    database = tmp_path / "demo.sqlite3"

    out = await _sandbox("--demo", "--database", str(database), script="/as Jorge\n/nudge 1\n")

    caught = re.search(r"📧 e-mail to li\.wei@demo\.example: (.+) — saved as (\S+\.eml)", out)
    assert caught is not None, out
    assert "您还没有回复" in caught[1]  # her language
    path = Path(caught[2])
    assert path.parent == tmp_path / "demo-mail"
    message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert message["To"] == "Li Wei <li.wei@demo.example>"


async def test_a_poll_is_drawn_with_its_options_answered_by_number_and_its_toast_shown() -> None:
    script = "/as Ana\n/slots climate\n6\n/in climate\n1 3\n"

    out = await _sandbox("--demo", script=script)

    tap = out.split("[Ana @ private] > 6", 1)[1]
    assert "bot  (in WG Climate change (demo)):" in tap
    assert "📊 Cambio climático: ¿qué horarios te convienen?" in tap
    options = re.findall(r"^    \[(\d)\] (.+ · .+)$", tap, re.MULTILINE)
    assert [number for number, _ in options] == ["1", "2", "3", "4", "5"]
    assert "(toast) Encuesta publicada en el chat de Cambio climático." in tap
    vote = tap.split("[Ana @ WG Climate change (demo)] > 1 3", 1)[1]
    assert f"(you voted for: {options[0][1]}; {options[2][1]})" in vote
    assert f"  {options[0][1]} — 1\n  {options[1][1]} — 0\n  {options[2][1]} — 1" in vote


async def test_an_alert_answers_a_tap_the_bot_refuses() -> None:
    script = "/as Ana\n/in climate\n/slots climate\n/as Emily\n/in climate\n1\n"

    out = await _sandbox("--demo", script=script)

    tap = _after(out, "[Emily @ WG Climate change (demo)] > 1")
    refusal = "Only the coordinators of Climate change and the secretariat can do that."
    assert tap.strip() == f"(alert) {refusal}"  # Emily is a member: the poll is not posted


async def test_menu_shows_the_commands_set_for_this_person_in_this_chat() -> None:
    script = "/menu\n/as Ana\n/in climate\n/menu\n/as Emily\n/in climate\n/menu\n"

    out = await _sandbox("--demo", script=script)

    alex = _after(out, "[Alex @ private] > /menu")
    assert "menu (what Telegram shows when you type / here):" in alex
    assert re.search(r"^  /start +Start here", alex, re.MULTILINE), alex
    assert "/slots" not in alex  # members' private menu
    ana = _after(out, "[Ana @ WG Climate change (demo)] > /menu")
    assert re.search(r"^  /slots +\S", ana, re.MULTILINE), ana  # a coordinator, in Spanish
    assert "Ver los comandos que puedes usar" in ana
    emily = _after(out, "[Emily @ WG Climate change (demo)] > /menu")
    assert "/slots" not in emily  # a member of the group sees the group's menu
    assert re.search(r"^  /help +\S", emily, re.MULTILINE), emily


async def test_a_line_ending_in_a_backslash_continues_the_message() -> None:
    agenda = "1. Roadmap deadlines\\\n2. Experiences to share\n"
    script = f"/as Ana\n/slots climate\n1\nRoadmap review\n1\n{agenda}1\n1\n"

    out = await _sandbox("--demo", script=script)

    assert "... 2. Experiences to share" in out  # the continuation prompt
    review = _after(out, "Revisa la reunión:")
    assert "📋 Orden del día:\n    1. Roadmap deadlines\n    2. Experiences to share\n" in review


async def test_a_pasted_block_arrives_as_one_message() -> None:
    paste = "\x1b[200~1. Roadmap deadlines\n2. Experiences to share\x1b[201~\n"
    script = f"/as Ana\n/slots climate\n1\nRoadmap review\n1\n{paste}1\n1\n"

    out = await _sandbox("--demo", script=script)

    review = _after(out, "Revisa la reunión:")
    assert "📋 Orden del día:\n    1. Roadmap deadlines\n    2. Experiences to share\n" in review


async def test_photo_and_file_send_a_file_from_this_computer(tmp_path: Path) -> None:
    picture = tmp_path / "view.png"
    picture.write_bytes(PNG_1X1)
    (tmp_path / "notes.txt").write_text("notes")
    script = f"/start\n/photo {picture}\n/file {tmp_path / 'notes.txt'}\n/file missing.pdf\n"

    out = await _sandbox(script=script)

    unexpected = "I did not expect a photo or a document here."
    assert unexpected in _after(out, f"/photo {picture}")
    assert unexpected in _after(out, f"/file {tmp_path / 'notes.txt'}")
    assert "(no file at missing.pdf)" in out


async def test_buttons_an_edit_removed_are_no_longer_offered() -> None:
    script = "/language\n2\n1\n"

    out = await _sandbox(script=script)

    after_edit = _after(out, "[Alex @ private] > 2")
    assert "A partir de ahora te hablaré en Español." in after_edit
    assert "[1]" not in after_edit
    # the language message lost its buttons: "1" is no tap on English but a text to the bot
    assert _after(out, "[Alex @ private] > 1").strip() == (
        "bot:\n    No lo he entendido. /help muestra lo que puedes hacer."
    )


async def test_the_chat_history_survives_a_restart_with_database(tmp_path: Path) -> None:
    database = tmp_path / "sandbox.sqlite3"
    first = await _sandbox("--database", str(database), script="/start\n/as Mei zh\n/language\n")

    second = await _sandbox("--database", str(database), script="2\n/as Alex\n")

    assert "您希望我用哪种语言与您交流？" in first
    history = second.split("(earlier in this chat)", 1)[1].split("[Mei @ private] > 2", 1)[0]
    assert "您希望我用哪种语言与您交流？" in history  # Mei, in her chat, as she left it
    assert "[1] English  [2] Español" in history
    # the language buttons sent before the restart are still there and work
    assert "A partir de ahora te hablaré en Español." in _after(second, "[Mei @ private] > 2")
    alex = _after(second, "[Mei @ private] > /as Alex")
    assert "(the buttons of the latest message here)" not in alex


async def test_each_prompt_prints_once_in_a_terminal() -> None:
    prompt = "[Alex @ private] > "
    out = await _sandbox_in_a_terminal(["/start\n", "/help\n", "/quit\n"], prompt)

    assert out.count(prompt) == 3, out
    assert "Welcome, Alex!" in out


def _after(out: str, marker: str) -> str:
    """What the terminal showed after ``marker``, up to the next prompt."""
    assert marker in out, out
    return PROMPT.split(out.split(marker, 1)[1], maxsplit=1)[0]


async def _sandbox_in_a_terminal(lines: list[str], prompt: str) -> str:
    """The sandbox with a terminal for its keyboard: each line typed once its prompt shows,
    and what the sandbox printed in the meantime (a late prompt would show up here too)."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("WNMRC_")}
    keyboard, terminal = pty.openpty()
    process = await asyncio.create_subprocess_exec(
        WNMRC_BOT,
        "sandbox",
        env=environment,
        stdin=terminal,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    os.close(terminal)
    assert process.stdout is not None
    out = b""
    try:
        for typed, line in enumerate(lines, start=1):
            while out.decode(errors="replace").count(prompt) < typed:
                out += await asyncio.wait_for(process.stdout.read(4096), 30)
            await asyncio.sleep(1.0)  # anything late would come now, while the prompt waits
            os.write(keyboard, line.encode())
        out += await asyncio.wait_for(process.stdout.read(), 30)
        assert await asyncio.wait_for(process.wait(), 30) == 0, out.decode()
    finally:
        os.close(keyboard)
        if process.returncode is None:
            process.kill()
            await process.wait()
    return out.decode().replace("\033[?2004h", "").replace("\033[?2004l", "")


PNG_1X1 = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
)
