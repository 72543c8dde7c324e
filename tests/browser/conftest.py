"""The browser tests' fixtures: the bot with its web pages on a free port, and headless Chromium.

Playwright drives Debian's chromium (``/usr/bin/chromium``; ``.ci/run`` installs it) with a
fresh profile per test. Screenshots go to ``artifacts/screenshots/`` at the repository's top,
the folder CI keeps as the run's artifacts.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Final

import pytest
from playwright.async_api import BrowserContext, Page, async_playwright

from config import Settings
from sandbox.emulator import Emulator

from ..conftest import web_settings

CHROMIUM: Final = Path("/usr/bin/chromium")
SCREENSHOTS: Final = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
CHROMIUM_ARGS: Final = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

needs_chromium = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="Debian's chromium is not installed at /usr/bin/chromium "
    "(apt-get install chromium; .ci/run installs it)",
)


@pytest.fixture
def settings(emulator: Emulator, database_path: Path) -> Settings:
    return web_settings(emulator, database_path)


@pytest.fixture
async def browser(tmp_path: Path) -> AsyncIterator[BrowserContext]:
    """Headless Chromium with a fresh profile, on a phone-sized screen."""
    async with async_playwright() as playwright:
        context = await playwright.chromium.launch_persistent_context(
            str(tmp_path / "chromium-profile"),
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 412, "height": 915},
        )
        try:
            yield context
        finally:
            await context.close()


async def screenshot(page: Page, name: str) -> Path:
    """Save the whole page as ``artifacts/screenshots/<name>.png``."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    await page.screenshot(path=str(path), full_page=True)
    return path


def png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """A real PNG image of one colour (browsers decode it: its naturalWidth is ``width``)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    row = b"\x00" + bytes(rgb) * width
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(row * height))
        + chunk(b"IEND", b"")
    )
