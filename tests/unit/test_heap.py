"""The collector is paused for start-up only (bot/launcher.py): every command turns it back on."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot import cli
from bot.heap import freeze_startup_heap


@pytest.fixture
def paused() -> Iterator[None]:
    """The collector as ``wnmrc-bot`` leaves it for start-up; on again whatever happens."""
    gc.disable()
    try:
        yield
    finally:
        gc.unfreeze()
        gc.enable()


@pytest.mark.usefixtures("paused")
def test_a_one_shot_command_collects_again_once_it_has_its_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("WNMRC_DATABASE_PATH", str(tmp_path / "bot.sqlite3"))
    assert cli.main(["migrate"]) == 0
    assert "schema version" in capsys.readouterr().out
    assert gc.isenabled()


@pytest.mark.usefixtures("paused")
def test_freezing_the_start_up_heap_collects_again_and_freezes_what_is_alive() -> None:
    freeze_startup_heap()
    assert gc.isenabled()
    assert gc.get_freeze_count() > 10_000
