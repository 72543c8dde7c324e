"""``wnmrc-bot sandbox`` as a newcomer uses it: typed lines in, the bot's answers out."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

WNMRC_BOT = str(Path(sys.executable).parent / "wnmrc-bot")


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

    assert "欢迎你，Mei！" in out
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
