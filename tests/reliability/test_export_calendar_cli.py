"""``wnmrc-bot export calendar GROUP FILE`` as an operator runs it, in a subprocess."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from icalendar import Calendar

from storage import Database, Repositories

from ..factories import meeting
from .test_cli import _environment, _run

pytestmark = pytest.mark.slow


def wall(*fields: int) -> datetime:
    """A naive wall-clock time (a time of day in some zone, not an instant)."""
    return datetime(*fields, tzinfo=UTC).replace(tzinfo=None)


@pytest.fixture
def environment(tmp_path: Path) -> dict[str, str]:
    return _environment(WNMRC_DATABASE_PATH=str(tmp_path / "bot.sqlite3"))


async def _fill(database: Path) -> None:
    """Two meetings of climate (one weekly), one of biodiversity."""
    async with await Database.open(database) as db:
        repos = Repositories.from_db(db)
        groups = {group.slug: group.id for group in await repos.groups.list()}
        await meeting(
            repos,
            "Follow-up meeting",
            zone="Europe/Madrid",
            local_start=wall(2026, 10, 15, 15, 0),
            group_ids=[groups["climate"]],
        )
        await meeting(
            repos,
            "Weekly check-in",
            zone="Asia/Kathmandu",
            local_start=wall(2026, 10, 20, 9, 0),
            group_ids=[groups["climate"]],
            rrule="FREQ=WEEKLY",
        )
        await meeting(
            repos,
            "Biodiversity call",
            zone="America/Lima",
            local_start=wall(2026, 10, 16, 9, 0),
            group_ids=[groups["biodiversity"]],
        )


async def test_export_calendar_of_a_group(environment: dict[str, str], tmp_path: Path) -> None:
    assert (await _run("migrate", env=environment))[0] == 0
    await _fill(tmp_path / "bot.sqlite3")
    target = tmp_path / "climate.ics"

    code, out, err = await _run("export", "calendar", "climate", str(target), env=environment)

    assert code == 0, err
    assert out.strip() == f"{target}: 2 meetings (working group climate)"
    calendar = Calendar.from_ical(target.read_bytes())
    events = {str(event["SUMMARY"]): event for event in calendar.events}
    assert sorted(events) == ["Follow-up meeting", "Weekly check-in"]
    assert events["Follow-up meeting"].start.astimezone(UTC) == datetime(
        2026, 10, 15, 13, 0, tzinfo=UTC
    )
    weekly = events["Weekly check-in"]
    assert weekly["RRULE"].to_ical() == b"FREQ=WEEKLY"
    assert weekly.start.astimezone(UTC) == datetime(2026, 10, 20, 3, 15, tzinfo=UTC)

    code, out, err = await _run(
        "export", "roster", str(tmp_path / "roster.csv"), "--group", "climate", env=environment
    )
    assert code == 0, err
    assert out.strip() == f"{tmp_path / 'roster.csv'}: 0 people (working group climate)"


async def test_export_calendar_names_what_is_wrong_in_one_line(
    environment: dict[str, str], tmp_path: Path
) -> None:
    target = tmp_path / "x.ics"
    code, _, err = await _run("export", "calendar", "climate", str(target), env=environment)
    assert code == 1  # a missing database: the command cannot do its job
    assert "WNMRC_DATABASE_PATH" in err

    assert (await _run("migrate", env=environment))[0] == 0
    code, out, err = await _run("export", "calendar", "nowhere", str(target), env=environment)
    assert code == 2
    assert err.strip() == (
        "wnmrc-bot: GROUP: expected one of climate, biodiversity, community, socioeconomics"
    )
    code, out, err = await _run("export", "calendar", str(target), env=environment)
    assert code == 2
    assert err.strip() == "wnmrc-bot: GROUP: expected export calendar GROUP FILE"
    assert not target.exists()
    assert "Traceback" not in out + err
