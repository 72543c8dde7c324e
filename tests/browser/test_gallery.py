"""The published experiences in a real browser: the gallery by theme and an experience's page,
in Chinese (from the browser's Accept-Language) and in Spanish (with the language switch),
their photos fetched once from Telegram (the emulator) and shown.

Four experiences: two selected and published (with photos), one selected but not yet
published and one only submitted; the pages show the first two only.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import pytest
from playwright.async_api import BrowserContext, Page

from config import Settings
from sandbox.emulator import Emulator
from storage import Repositories
from storage.models import Experience
from storage.timecodec import to_db

from ..factories import experience
from .conftest import needs_chromium, png, screenshot

pytestmark = [needs_chromium, pytest.mark.usefixtures("app")]

PUBLISHED_AT = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def photo(emulator: Emulator, width: int, rgb: tuple[int, int, int]) -> str:
    """A photo as Telegram keeps it (in the emulator): its file_id."""
    stored = emulator.backend.world.store_file(
        png(width, width // 2, rgb), "photo", size=(width, width // 2)
    )
    return stored.file_id


async def published(repos: Repositories, found: Experience) -> None:
    async with repos.db.transaction() as conn:
        await conn.execute(
            "UPDATE experiences SET published_at = ? WHERE id = ?", (to_db(PUBLISHED_AT), found.id)
        )


async def network(emulator: Emulator, repos: Repositories) -> tuple[Experience, Experience]:
    glaciers = await experience(
        repos,
        "Monitoreo de glaciares con comunidades",
        status="selected",
        themes=("climate",),
        photos=(photo(emulator, 640, (40, 110, 170)), photo(emulator, 480, (200, 120, 40))),
        summary="Guardaparques y comunidades miden el retroceso del glaciar cada mes.",
    )
    grassland = await experience(
        repos,
        "社区参与的草原管理",
        status="selected",
        themes=("community",),
        country="CN",
        reserve="珠穆朗玛峰",
        language="zh",
        photos=(photo(emulator, 320, (60, 150, 60)),),
        summary="牧民与保护区共同制定轮牧计划。",
    )
    for found in (glaciers, grassland):
        await published(repos, found)
    await experience(repos, "Selected, not yet published", status="selected")
    await experience(repos, "Only submitted", status="submitted")
    return glaciers, grassland


async def images_loaded(page: Page) -> list[int]:
    """The naturalWidth of every image of the page, once each has loaded (0: broken)."""
    # Polled from here: wait_for_function evaluates its predicate inside the page, where the
    # page's own Content-Security-Policy (no eval) refuses it whenever the first check fails.
    for _ in range(200):
        if await page.evaluate("Array.from(document.images).every(img => img.complete)"):
            break
        await asyncio.sleep(0.05)
    widths: list[int] = await page.eval_on_selector_all(
        "img", "images => images.map(img => img.naturalWidth)"
    )
    return widths


async def test_gallery_and_experience_in_chinese_then_spanish(
    browser: BrowserContext,
    emulator: Emulator,
    repos: Repositories,
    settings: Settings,
    database_path: Path,
) -> None:
    glaciers, grassland = await network(emulator, repos)
    await browser.set_extra_http_headers({"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5"})
    page = await browser.new_page()

    await page.goto(f"{settings.public_url}/")
    assert await page.get_attribute("html", "lang") == "zh"
    assert await page.inner_text("h1") == "入选案例"
    assert await page.locator("h2").all_inner_texts() == ["气候变化", "社区赋权"]
    titles = await page.locator("h3").all_inner_texts()
    assert titles == [glaciers.title, grassland.title]
    body = await page.inner_text("body")
    assert "Selected, not yet published" not in body
    assert "Only submitted" not in body
    assert await images_loaded(page) == [640, 320]
    alts = await page.eval_on_selector_all("img", "images => images.map(img => img.alt)")
    assert alts == [f"{glaciers.title} 的照片", f"{grassland.title} 的照片"]
    await screenshot(page, "gallery-zh")

    await page.click(f"text={glaciers.title}")
    await page.wait_for_url(f"**/experiences/{glaciers.id}?lang=zh")
    assert await page.inner_text("h1") == glaciers.title
    assert await page.get_attribute("article", "lang") == "es"  # written in Spanish
    assert "摘要" in await page.locator("h2").all_inner_texts()
    assert await images_loaded(page) == [640, 480]
    await screenshot(page, "experience-zh")

    await page.click("a[hreflang=es]")  # the language switch
    await page.wait_for_url("**?lang=es")
    assert await page.get_attribute("html", "lang") == "es"
    assert "Resumen" in await page.locator("h2").all_inner_texts()
    assert "Guardaparques y comunidades" in await page.inner_text("article")
    assert await images_loaded(page) == [640, 480]
    await screenshot(page, "experience-es")

    await page.click("text=Todas las experiencias seleccionadas")
    assert await page.inner_text("h1") == "Experiencias seleccionadas"
    assert await page.locator("h2").all_inner_texts() == [
        "Cambio climático",
        "Empoderamiento comunitario",
    ]
    assert await images_loaded(page) == [640, 320]
    await screenshot(page, "gallery-es")

    # Each photo was fetched from Telegram once and kept beside the database.
    kept = sorted(p.name for p in (database_path.parent / "web-photos").iterdir())
    assert len(kept) == 3
    assert len([c for c in emulator.calls if c.method == "getFile"]) == 3


async def test_the_booklet_page_and_what_is_not_published(
    browser: BrowserContext, emulator: Emulator, repos: Repositories, settings: Settings
) -> None:
    glaciers, grassland = await network(emulator, repos)
    await browser.set_extra_http_headers({"Accept-Language": "es-ES,es;q=0.9"})
    page = await browser.new_page()
    await page.goto(f"{settings.public_url}/booklet")
    assert await page.inner_text("h1") == "Cuadernillo de experiencias seleccionadas"
    assert await page.locator("article h3").all_inner_texts() == [glaciers.title, grassland.title]
    assert await images_loaded(page) == [640, 480, 320]
    await screenshot(page, "booklet-es")

    hidden = await experience(repos, "Hidden", status="selected")
    response = await page.goto(f"{settings.public_url}/experiences/{hidden.id}")
    assert response is not None
    assert response.status == 404
    assert await page.inner_text("h1") == "Página no encontrada"
    assert (await page.request.get(f"{settings.public_url}/photos/{hidden.id}/1")).status == 404
