"""The experiences section of a digest: pure rendering, stable keys, escaping, languages."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal
from zoneinfo import ZoneInfo

import pytest

from bot.digests import DigestTarget, TargetKind, experiences_section, render_section
from bot.i18n import I18n
from storage.models import ExperienceNews

I18N = I18n()
MADRID = ZoneInfo("Europe/Madrid")
THEMES = {"climate": "Climate", "biodiversity": "Biodiversity"}


def news(
    eid: int, event: Literal["submitted", "selected"], day: int, title: str, *themes: str
) -> ExperienceNews:
    return ExperienceNews(
        experience_id=eid,
        event=event,
        at=datetime(2026, 3, day, 10, tzinfo=UTC),
        title=title,
        reserve="Cordillera <Alta>",
        country="PE",
        themes=themes,
    )


NEWS = [
    news(2, "selected", 26, "Terraces", "climate"),
    news(1, "submitted", 25, "Seed <b>banks</b>", "biodiversity", "climate"),
    news(3, "submitted", 27, "Bees", "biodiversity"),
]


def target(kind: TargetKind, groups: frozenset[int]) -> DigestTarget:
    return DigestTarget(kind, 5, groups, MADRID, "en", title="Climate")


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "en",
            [
                "<b>Experiences</b>",
                "• New experience: <b>Seed &lt;b&gt;banks&lt;/b&gt;</b> — Cordillera &lt;Alta&gt;"
                " · Peru → Biodiversity, Climate",
                "• Selected experience: <b>Terraces</b> — Cordillera &lt;Alta&gt; · Peru → Climate",
                "• New experience: <b>Bees</b> — Cordillera &lt;Alta&gt; · Peru → Biodiversity",
            ],
        ),
        (
            "fr",
            [
                "<b>Expériences</b>",
                "• Nouvelle expérience\u202f: <b>Seed &lt;b&gt;banks&lt;/b&gt;</b> — Cordillera"
                " &lt;Alta&gt; · Pérou → Biodiversity, Climate",
                "• Expérience sélectionnée\u202f: <b>Terraces</b> — Cordillera &lt;Alta&gt; · Pérou"
                " → Climate",
                "• Nouvelle expérience\u202f: <b>Bees</b> — Cordillera &lt;Alta&gt; · Pérou"
                " → Biodiversity",
            ],
        ),
    ],
)
def test_experiences_oldest_first_with_their_themes_in_the_readers_language(
    language: str, expected: list[str]
) -> None:
    section = experiences_section(
        I18N.translator(language), target(TargetKind.NETWORK, frozenset({1, 2})), NEWS, THEMES
    )
    assert section is not None
    assert render_section(section).split("\n") == expected
    assert [item.key for item in section.items] == [
        "experience:1:submitted",
        "experience:2:selected",
        "experience:3:submitted",
    ]


def test_a_group_digest_leaves_the_theme_out_and_nothing_new_is_no_section() -> None:
    tr = I18N.translator("en")
    section = experiences_section(tr, target(TargetKind.GROUP, frozenset({1})), NEWS[:1], THEMES)
    assert section is not None
    assert section.items[0].line == (
        "• Selected experience: <b>Terraces</b> — Cordillera &lt;Alta&gt; · Peru"
    )
    assert experiences_section(tr, target(TargetKind.GROUP, frozenset({1})), [], THEMES) is None
