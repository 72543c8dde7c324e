"""Small builders of the storage models for tests of pure rules."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime

from sandbox.emulator import Emulator, SimUser
from storage import Repositories, WorkingGroup, to_db
from storage.models import Experience

ZONES: tuple[str, ...] = (
    "Europe/Madrid",
    "Asia/Shanghai",
    "America/Lima",
    "America/Argentina/Buenos_Aires",
    "America/Mexico_City",
    "America/Denver",
    "Africa/Nairobi",
    "Asia/Bishkek",
    "Asia/Kathmandu",
    "Asia/Kolkata",
    "Australia/Sydney",
    "Pacific/Auckland",
)
"""Time zones of the network for property tests: every continent, summer time north and
south, half-hour and 45-minute offsets."""


def working_group(gid: int, slug: str, en: str, es: str) -> WorkingGroup:
    """A working group as the repositories return it, named in English and Spanish."""
    return WorkingGroup(
        id=gid,
        slug=slug,
        theme=slug,
        chat_id=None,
        topic_id=None,
        timezone=None,
        active=True,
        names={"en": en, "es": es},
        descriptions={},
    )


async def experience(
    repos: Repositories,
    title: str,
    *,
    author_id: int | None = None,
    themes: tuple[str, ...] = ("climate",),
    status: str = "submitted",
    country: str = "PE",
    reserve: str = "Huascarán",
    language: str = "es",
    photos: tuple[str, ...] = (),
    now: datetime | None = None,
    **fields: str | None,
) -> Experience:
    """An experience written straight into the database (no /submit conversation)."""
    stamp = to_db(now or datetime(2026, 11, 2, 9, 0, tzinfo=UTC))
    values: dict[str, object] = {
        "summary": f"Summary of {title}.",
        "results": "Results.",
        "replicability": "What another reserve needs.",
        "contact": "contact@example.org",
    } | fields
    columns = ", ".join(values)
    marks = ", ".join("?" for _ in values)
    async with repos.db.transaction() as conn:
        cursor = await conn.execute(
            "INSERT INTO experiences (author_id, status, language, title, reserve, country,"
            f" themes, submitted_at, created_at, updated_at, {columns})"
            f" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, {marks}) RETURNING id",
            (
                author_id,
                status,
                language,
                title,
                reserve,
                country,
                json.dumps(list(themes)),
                stamp,
                stamp,
                stamp,
                *values.values(),
            ),
        )
        row = await cursor.fetchone()
        assert row is not None
        experience_id = int(row[0])
        await conn.execute(
            "INSERT INTO experience_history (experience_id, status, changed_by, changed_at)"
            " VALUES (?, ?, ?, ?)",
            (experience_id, status, author_id, stamp),
        )
        for position, file_id in enumerate(photos, start=1):
            await conn.execute(
                "INSERT INTO experience_files (experience_id, position, kind, file_id,"
                " file_unique_id) VALUES (?, ?, 'photo', ?, ?)",
                (experience_id, position, file_id, f"u{experience_id}-{position}"),
            )
    found = await repos.experiences.get(experience_id)
    assert found is not None
    return found


async def meeting(
    repos: Repositories,
    title: str,
    *,
    zone: str,
    local_start: datetime,
    group_ids: list[int],
    minutes: int = 60,
    rrule: str | None = None,
    starts: list[datetime] | None = None,
    cancelled: tuple[int, ...] = (),
    status: str = "scheduled",
    link: str | None = "https://meet.example.org/wnmrc",
    agenda: str | None = None,
    now: datetime | None = None,
) -> tuple[int, list[int]]:
    """A meeting written with plain SQL (the calendar tests do not depend on the meetings
    feature's code): ``local_start`` is the naive wall time in ``zone``; ``starts`` the UTC
    starts of its occurrences (default: the one start); ``cancelled`` indexes into them.
    Returns the meeting id and its occurrence ids."""
    from datetime import timedelta
    from zoneinfo import ZoneInfo

    first = local_start.replace(tzinfo=ZoneInfo(zone)).astimezone(UTC)
    moment = to_db(now or datetime(2026, 11, 1, tzinfo=UTC))
    occurrence_ids: list[int] = []
    async with repos.db.transaction() as conn:
        cursor = await conn.execute(
            "INSERT INTO meetings (title, timezone, local_start, starts_at, duration_minutes,"
            " link, agenda, rrule, status, created_at, updated_at, cancelled_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                title,
                zone,
                local_start.strftime("%Y-%m-%dT%H:%M"),
                to_db(first),
                minutes,
                link,
                agenda,
                rrule,
                status,
                moment,
                moment,
                moment if status == "cancelled" else None,
            ),
        )
        meeting_id = cursor.lastrowid
        assert meeting_id is not None
        for group_id in group_ids:
            await conn.execute(
                "INSERT INTO meeting_groups (meeting_id, group_id) VALUES (?, ?)",
                (meeting_id, group_id),
            )
        for index, start in enumerate(starts or [first]):
            cursor = await conn.execute(
                "INSERT INTO meeting_occurrences (meeting_id, starts_at, ends_at, status)"
                " VALUES (?, ?, ?, ?)",
                (
                    meeting_id,
                    to_db(start),
                    to_db(start + timedelta(minutes=minutes)),
                    "cancelled" if index in cancelled else "scheduled",
                ),
            )
            assert cursor.lastrowid is not None
            occurrence_ids.append(cursor.lastrowid)
    return meeting_id, occurrence_ids


async def known_person(
    emulator: Emulator,
    repos: Repositories,
    first: str,
    last: str | None = None,
    *,
    now: datetime,
    language: str = "en",
    username: str | None = None,
    user_id: int | None = None,
    started: bool = False,
    groups: Sequence[str] = (),
    coordinates: Sequence[str] = (),
    **profile: str,
) -> SimUser:
    """A person the bot already knows, with ``profile`` fields, a member of ``groups`` and a
    coordinator of those also in ``coordinates``; ``started`` as if they had written to it."""
    user = emulator.add_user(
        first,
        last_name=last,
        username=username,
        language_code=language,
        user_id=user_id,
        started=started,
    )
    person = await repos.people.upsert_from_telegram(
        telegram_id=user.id,
        first_name=first,
        last_name=last,
        username=username,
        language_code=language,
        private=started,
        now=now,
    )
    if profile:
        await repos.people.update_profile(person.id, now, **profile)
    for slug in groups:
        group = await repos.groups.by_slug(slug)
        assert group is not None
        role = "coordinator" if slug in coordinates else "member"
        await repos.groups.add_member(group.id, person.id, role, now)
    return user
