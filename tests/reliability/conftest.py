"""The reliability tests run the bot at Telegram's real limits: they check the pacing of a real
``wnmrc-bot run`` process (whose pacing is production's) against the emulator."""

from __future__ import annotations

import pytest


@pytest.fixture
def telegram_speed() -> float:
    """Real time: the emulator enforces Telegram's own limits here."""
    return 1.0
