"""The experiences section of digests: a group's weekly digest and a personal one in Spanish
tell the experiences of the group's theme newly submitted or selected — not withdrawn ones,
not other themes — and the next week tells a later selection without repeating the rest."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.clock import ManualClock
from bot.context import WnmrcApplication
from sandbox.emulator import Emulator
from storage import Experience, Repositories

from .test_digests import MONDAY_MADRID, NOW, climate_chat, member

NEXT_MONDAY = datetime(2026, 4, 6, 7, tzinfo=UTC)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(NOW)


async def experience(
    repos: Repositories, title: str, theme: str, at: datetime, reserve: str = "Cordillera Alta"
) -> Experience:
    fields = {
        "title": title,
        "reserve": reserve,
        "country": "PE",
        "themes": [theme],
        "summary": "What we did.",
    }
    return await repos.experiences.create(None, "en", fields, at)


async def test_new_and_selected_experiences_of_the_groups_theme_told_once_in_two_languages(
    app: WnmrcApplication, emulator: Emulator, repos: Repositories, clock: ManualClock
) -> None:
    earlier = NOW - timedelta(days=20)
    jorge = await member(emulator, repos, "Jorge", "Ruiz", joined=earlier, role="coordinator")
    carmen = await member(emulator, repos, "Carmen", "Soto", joined=earlier, language="es")
    chat = await climate_chat(emulator, repos, jorge)
    await emulator.says(carmen, "/digest weekly")
    await app.services.digests.run_due()  # creates the group's schedule

    old = await experience(repos, "Old <b>seeds</b>", "climate", NOW - timedelta(days=30))
    terraces = await experience(repos, "Terraces", "climate", NOW + timedelta(days=1))
    await experience(repos, "Bees", "biodiversity", NOW + timedelta(days=1))
    gone = await experience(repos, "Gone", "climate", NOW + timedelta(days=1))
    await repos.experiences.set_status(old.id, "selected", NOW + timedelta(days=2))
    await repos.experiences.set_status(gone.id, "withdrawn", NOW + timedelta(days=3))

    clock.set(MONDAY_MADRID)
    await app.services.digests.run_due()
    await emulator.wait_until(
        lambda: len(emulator.sent_to(chat)) == 1 and len(emulator.sent_to(carmen)) == 2
    )
    assert (emulator.sent_to(chat)[0].text or "").split("\n") == [
        "Digest of Climate change",
        "",
        "Experiences",
        "• New experience: Terraces — Cordillera Alta · Peru",
        "• Selected experience: Old <b>seeds</b> — Cordillera Alta · Peru",
    ]
    assert "<b>Old &lt;b&gt;seeds&lt;/b&gt;</b>" in (emulator.sent_to(chat)[0].html or "")
    assert (emulator.sent_to(carmen)[1].text or "").split("\n") == [
        "Tu boletín",
        "",
        "Experiencias",
        "• Nueva experiencia: Terraces — Cordillera Alta · Perú",
        "• Experiencia seleccionada: Old <b>seeds</b> — Cordillera Alta · Perú",
    ]

    # The week after, Terraces is selected: only that is told, nothing is repeated.
    await repos.experiences.set_status(terraces.id, "selected", NOW + timedelta(days=8))
    clock.set(NEXT_MONDAY)
    await app.services.digests.run_due()
    await emulator.wait_until(
        lambda: len(emulator.sent_to(chat)) == 2 and len(emulator.sent_to(carmen)) == 3
    )
    assert (emulator.sent_to(chat)[1].text or "").split("\n")[2:] == [
        "Experiences",
        "• Selected experience: Terraces — Cordillera Alta · Peru",
    ]
    assert (emulator.sent_to(carmen)[2].text or "").split("\n")[2:] == [
        "Experiencias",
        "• Experiencia seleccionada: Terraces — Cordillera Alta · Perú",
    ]

    # Nothing new the week after that: no digest.
    clock.set(NEXT_MONDAY + timedelta(days=7))
    assert await app.services.digests.run_due() == 0
