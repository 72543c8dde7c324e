"""ExperiencesRepository against a real database."""

from datetime import datetime, timedelta
from typing import Any

import pytest

from storage import Database, Person, Repositories
from storage.models import ExperienceFile

PHOTO = ExperienceFile(
    position=1, kind="photo", file_id="AgAD1", file_unique_id="u1", file_size=120_000
)
PDF = ExperienceFile(
    position=2,
    kind="document",
    file_id="BQAD2",
    file_unique_id="u2",
    file_name="report.pdf",
    mime_type="application/pdf",
    file_size=2_000_000,
)


def _fields(**changes: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "title": "Terraces <b>restored</b>",
        "reserve": "Sierra Nevada",
        "country": "ES",
        "themes": ["climate", "biodiversity"],
        "summary": "Old terraces hold water again.",
        "results": "40 ha",
        "links": ["https://example.org/terraces"],
    }
    fields.update(changes)
    return fields


async def _author(repos: Repositories, now: datetime, telegram_id: int = 1001) -> Person:
    return await repos.people.upsert_from_telegram(
        telegram_id=telegram_id,
        first_name="Ana",
        last_name=None,
        username=None,
        language_code="es",
        private=True,
        now=now,
    )


async def test_create_stores_fields_files_and_a_first_history_row(
    repos: Repositories, now: datetime
) -> None:
    ana = await _author(repos, now)
    experience = await repos.experiences.create(ana.id, "es", _fields(), now, [PHOTO, PDF])
    assert experience.status == "submitted"
    assert experience.author_id == ana.id
    assert experience.title == "Terraces <b>restored</b>"
    assert experience.themes == ("climate", "biodiversity")
    assert experience.links == ("https://example.org/terraces",)
    assert experience.challenge is None
    assert experience.submitted_at == experience.created_at == now
    assert experience.decided_at is None
    assert [f.kind for f in experience.files] == ["photo", "document"]
    assert experience.files[1].file_name == "report.pdf"
    assert experience.is_open
    assert await repos.experiences.get(experience.id) == experience
    [change] = await repos.experiences.history(experience.id)
    assert (change.status, change.changed_by, change.changed_at) == ("submitted", ana.id, now)


async def test_create_refuses_missing_or_unknown_fields(repos: Repositories, now: datetime) -> None:
    fields = _fields()
    del fields["summary"]
    with pytest.raises(ValueError, match="summary"):
        await repos.experiences.create(None, "en", fields, now)
    with pytest.raises(ValueError, match="colour"):
        await repos.experiences.create(None, "en", _fields(colour="red"), now)
    with pytest.raises(ValueError, match="title"):
        await repos.experiences.create(None, "en", _fields(title=""), now)
    assert await repos.experiences.list() == []


async def test_by_author_lists_newest_first_with_files(repos: Repositories, now: datetime) -> None:
    ana = await _author(repos, now)
    other = await _author(repos, now, telegram_id=1002)
    first = await repos.experiences.create(ana.id, "es", _fields(title="One"), now, [PHOTO])
    second = await repos.experiences.create(
        ana.id, "es", _fields(title="Two"), now + timedelta(minutes=1)
    )
    await repos.experiences.create(other.id, "en", _fields(title="Else"), now)
    mine = await repos.experiences.by_author(ana.id)
    assert [e.id for e in mine] == [second.id, first.id]
    assert mine[1].files == (PHOTO,)
    assert mine[0].files == ()


async def test_list_filters_by_status_and_theme(repos: Repositories, now: datetime) -> None:
    a = await repos.experiences.create(None, "en", _fields(themes=["climate"]), now)
    b = await repos.experiences.create(None, "en", _fields(themes=["socioeconomics"]), now)
    await repos.experiences.set_status(b.id, "in_review", now)
    assert [e.id for e in await repos.experiences.list()] == [a.id, b.id]
    assert [e.id for e in await repos.experiences.list(statuses=["in_review"])] == [b.id]
    assert [e.id for e in await repos.experiences.list(theme="climate")] == [a.id]
    assert await repos.experiences.list(statuses=[]) == []
    assert await repos.experiences.count_by_status() == {"in_review": 1, "submitted": 1}


async def test_update_fields_validates_and_stamps(repos: Repositories, now: datetime) -> None:
    experience = await repos.experiences.create(None, "en", _fields(), now)
    later = now + timedelta(hours=1)
    updated = await repos.experiences.update_fields(
        experience.id, later, summary="New", themes=["participation"], partners=""
    )
    assert updated is not None
    assert (updated.summary, updated.themes, updated.partners) == ("New", ("participation",), None)
    assert updated.updated_at == later
    with pytest.raises(ValueError, match="status"):
        await repos.experiences.update_fields(experience.id, later, status="selected")
    with pytest.raises(ValueError, match="summary is required"):
        await repos.experiences.update_fields(experience.id, later, summary="")
    assert await repos.experiences.update_fields(999, later, summary="x") is None


async def test_set_status_writes_history_and_notes(repos: Repositories, now: datetime) -> None:
    ana = await _author(repos, now)
    experience = await repos.experiences.create(ana.id, "en", _fields(), now)
    t1, t2, t3 = (now + timedelta(hours=h) for h in (1, 2, 3))
    asked = await repos.experiences.set_status(
        experience.id, "changes_requested", t1, changed_by=ana.id, note="Add numbers"
    )
    assert asked is not None
    assert (asked.status, asked.decision_note, asked.decided_at) == (
        "changes_requested",
        "Add numbers",
        None,
    )
    again = await repos.experiences.set_status(experience.id, "submitted", t2)
    assert again is not None
    assert again.submitted_at == t2
    accepted = await repos.experiences.set_status(experience.id, "accepted", t3)
    assert accepted is not None
    assert accepted.decided_at == t3
    assert not accepted.is_open
    history = await repos.experiences.history(experience.id)
    assert [(h.status, h.note) for h in history] == [
        ("submitted", None),
        ("changes_requested", "Add numbers"),
        ("submitted", None),
        ("accepted", None),
    ]


async def test_set_status_only_from_is_a_compare_and_set(
    repos: Repositories, now: datetime
) -> None:
    experience = await repos.experiences.create(None, "en", _fields(), now)
    await repos.experiences.set_status(experience.id, "declined", now, note="Off topic")
    refused = await repos.experiences.set_status(
        experience.id, "withdrawn", now, only_from=("submitted", "in_review")
    )
    assert refused is None
    current = await repos.experiences.get(experience.id)
    assert current is not None
    assert current.status == "declined"
    assert len(await repos.experiences.history(experience.id)) == 2
    assert await repos.experiences.set_status(999, "withdrawn", now) is None


async def test_replace_files_renumbers(repos: Repositories, now: datetime) -> None:
    experience = await repos.experiences.create(None, "en", _fields(), now, [PHOTO, PDF])
    replaced = await repos.experiences.replace_files(experience.id, [PDF], now)
    assert replaced is not None
    assert [(f.position, f.file_id) for f in replaced.files] == [(1, "BQAD2")]
    with pytest.raises(ValueError, match="at most 5"):
        await repos.experiences.replace_files(experience.id, [PHOTO] * 6, now)
    assert await repos.experiences.files(experience.id) == [replaced.files[0]]


async def test_deleting_the_author_keeps_the_experience(
    repos: Repositories, db: Database, now: datetime
) -> None:
    ana = await _author(repos, now)
    experience = await repos.experiences.create(ana.id, "en", _fields(), now, [PHOTO])
    async with db.transaction() as conn:
        await conn.execute("DELETE FROM people WHERE id = ?", (ana.id,))
    kept = await repos.experiences.get(experience.id)
    assert kept is not None
    assert kept.author_id is None
    assert len(kept.files) == 1
    [change] = await repos.experiences.history(experience.id)
    assert change.changed_by is None


async def test_personal_data_lists_the_experiences_with_their_files(
    repos: Repositories, db: Database, now: datetime
) -> None:
    from storage.privacy import PrivacyRepository, Subject

    ana = await _author(repos, now)
    experience = await repos.experiences.create(ana.id, "es", _fields(), now, [PHOTO, PDF])
    await repos.experiences.set_status(experience.id, "withdrawn", now, changed_by=ana.id)
    data = await PrivacyRepository(db).personal_data(Subject(ana.id, ana.telegram_id))
    [written] = data["experiences_written"]
    assert written["title"] == "Terraces <b>restored</b>"
    assert written["themes"] == ["climate", "biodiversity"]
    assert written["links"] == ["https://example.org/terraces"]
    assert [(f["position"], f["kind"], f["file_name"]) for f in written["files"]] == [
        (1, "photo", None),
        (2, "document", "report.pdf"),
    ]
    assert [row["status"] for row in data["experience_decisions"]] == ["submitted", "withdrawn"]
