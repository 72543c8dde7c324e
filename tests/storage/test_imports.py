"""Writing an imported participant list against a real database."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta

import pytest

from config import load_network
from storage import Database, Repositories
from storage.imports import ImportedPerson, ImportReport, ImportsRepository, field_outcome


@pytest.fixture
async def groups(repos: Repositories, now: datetime) -> dict[str, int]:
    await repos.groups.seed(load_network().groups, now)
    return {group.slug: group.id for group in await repos.groups.list()}


@pytest.fixture
def imports(db: Database) -> ImportsRepository:
    return ImportsRepository(db)


def _ana(groups: dict[str, int], **values: str) -> ImportedPerson:
    return ImportedPerson(
        row=2,
        username="ana_perez",
        email="ana@example.org",
        values={"display_name": "Ana Pérez", "email": "ana@example.org", "country": "ES", **values},
        group_ids=(groups["climate"],),
    )


def _li(groups: dict[str, int]) -> ImportedPerson:
    return ImportedPerson(
        row=3,
        username=None,
        email="li@example.cn",
        values={"display_name": "李明", "email": "li@example.cn", "timezone": "Asia/Shanghai"},
        group_ids=(groups["climate"], groups["biodiversity"]),
    )


async def _members(db: Database) -> set[tuple[str, str, str]]:
    rows = await db.fetch_all(
        "SELECT g.slug, p.display_name, m.role FROM group_members AS m"
        " JOIN working_groups AS g ON g.id = m.group_id JOIN people AS p ON p.id = m.person_id"
        " WHERE m.left_at IS NULL"
    )
    return {(row[0], row[1], row[2]) for row in rows}


async def test_new_people_are_added_with_their_memberships(
    repos: Repositories, imports: ImportsRepository, groups: dict[str, int], now: datetime
) -> None:
    report = await imports.apply([_ana(groups), _li(groups)], now)

    assert report == ImportReport(added=2)
    ana = (await repos.people.search("@ana_perez"))[0]
    assert ana.telegram_id is None
    assert ana.started_at is None
    assert (ana.first_name, ana.display_name, ana.country) == ("Ana Pérez", "Ana Pérez", "ES")
    assert ana.created_at == now
    assert await _members(repos.db) == {
        ("climate", "Ana Pérez", "member"),
        ("climate", "李明", "member"),
        ("biodiversity", "李明", "member"),
    }
    assert await repos.db.fetch_value("SELECT DISTINCT source FROM group_members") == "import"


async def test_importing_the_same_rows_again_changes_nothing(
    repos: Repositories, imports: ImportsRepository, groups: dict[str, int], now: datetime
) -> None:
    await imports.apply([_ana(groups), _li(groups)], now)
    before = await repos.db.fetch_all("SELECT * FROM people ORDER BY id")

    report = await imports.apply([_ana(groups), _li(groups)], now + timedelta(days=1))

    assert report == ImportReport(unchanged=2)
    after = await repos.db.fetch_all("SELECT * FROM people ORDER BY id")
    assert [tuple(row) for row in after] == [tuple(row) for row in before]


async def test_a_corrected_list_updates_what_it_set(
    repos: Repositories, imports: ImportsRepository, groups: dict[str, int], now: datetime
) -> None:
    await imports.apply([_ana(groups)], now)

    report = await imports.apply([_ana(groups, country="PE", reserve="Huascarán")], now)

    assert report == ImportReport(updated=1)
    ana = (await repos.people.search("@ana_perez"))[0]
    assert (ana.country, ana.reserve) == ("PE", "Huascarán")


async def test_what_a_person_set_themselves_wins_over_the_list(
    repos: Repositories, imports: ImportsRepository, groups: dict[str, int], now: datetime
) -> None:
    await imports.apply([_ana(groups, timezone="Europe/Madrid")], now)
    ana = (await repos.people.search("@ana_perez"))[0]
    await repos.people.update_profile(ana.id, now, timezone="America/Lima")

    report = await imports.apply([_ana(groups, timezone="Europe/Madrid", country="PE")], now)

    assert report == ImportReport(updated=1, kept=1)
    ana = (await repos.people.search("@ana_perez"))[0]
    assert (ana.timezone, ana.country) == ("America/Lima", "PE")
    again = await imports.apply([_ana(groups, timezone="Europe/Madrid", country="PE")], now)
    assert again == ImportReport(unchanged=1, kept=1)


def test_the_field_rule() -> None:
    assert field_outcome("ES", None, "ES").value == "unchanged"
    assert field_outcome(None, None, "ES").value == "set"
    assert field_outcome("ES", "ES", "PE").value == "set"
    assert field_outcome("CL", "ES", "PE").value == "kept"
    assert field_outcome("CL", None, "PE").value == "kept"


async def test_a_known_telegram_account_is_only_proposed_a_claim_by_username_or_email(
    repos: Repositories, imports: ImportsRepository, groups: dict[str, int], now: datetime
) -> None:
    ana = await repos.people.upsert_from_telegram(
        telegram_id=1001,
        first_name="Ana",
        last_name=None,
        username="Ana_Perez",
        language_code="es",
        private=True,
        now=now,
    )
    li = await repos.people.upsert_from_telegram(
        telegram_id=1002,
        first_name="Li",
        last_name=None,
        username="li_telegram",
        language_code="zh",
        private=True,
        now=now,
    )
    await repos.people.update_profile(li.id, now, email="LI@example.cn")

    assert await imports.matches([_ana(groups), _li(groups)]) == [None, None]
    report = await imports.apply([_ana(groups), _li(groups)], now)

    assert report == ImportReport(added=2)
    assert await repos.people.count() == 4
    li_now = await repos.people.get(li.id)
    assert li_now is not None
    assert (li_now.display_name, li_now.email) == (None, "LI@example.cn")  # nothing of the list
    assert await repos.groups.memberships_of(ana.id) == []
    assert len(await repos.claims.pending_of(ana.id)) == 1
    assert len(await repos.claims.pending_of(li.id)) == 1
    assert await imports.apply([_ana(groups), _li(groups)], now) == ImportReport(unchanged=2)


async def test_memberships_are_added_never_removed_and_leavers_stay_out(
    repos: Repositories, imports: ImportsRepository, groups: dict[str, int], now: datetime
) -> None:
    await imports.apply([_li(groups)], now)
    li = (await repos.people.search("李明"))[0]
    await repos.groups.add_member(groups["community"], li.id, "coordinator", now)
    await repos.groups.add_member(groups["climate"], li.id, "coordinator", now)
    async with repos.db.transaction() as conn:
        await conn.execute(
            "UPDATE group_members SET left_at = ? WHERE group_id = ? AND person_id = ?",
            ("2024-05-18T00:00:00.000000Z", groups["biodiversity"], li.id),
        )
    only_climate = ImportedPerson(
        row=2,
        username=None,
        email="li@example.cn",
        values={"display_name": "李明"},
        group_ids=(groups["climate"], groups["biodiversity"]),
    )

    report = await imports.apply([only_climate], now)

    assert report == ImportReport(unchanged=1)
    assert await _members(repos.db) == {
        ("community", "李明", "coordinator"),
        ("climate", "李明", "coordinator"),
    }


async def test_nothing_is_written_when_one_row_fails(
    repos: Repositories, imports: ImportsRepository, groups: dict[str, int], now: datetime
) -> None:
    broken = ImportedPerson(
        row=4, username="zoe_smith", email=None, values={"display_name": "Zoe"}, group_ids=(999,)
    )

    with pytest.raises(sqlite3.IntegrityError):
        await imports.apply([_ana(groups), _li(groups), broken], now)

    assert await repos.people.count() == 0
    assert await repos.db.fetch_value("SELECT count(*) FROM group_members") == 0


async def test_an_imported_person_is_only_claimed_by_their_telegram_account_when_they_write(
    repos: Repositories, imports: ImportsRepository, groups: dict[str, int], now: datetime
) -> None:
    await imports.apply([_ana(groups)], now)

    person = await repos.people.upsert_from_telegram(
        telegram_id=1001,
        first_name="Ana",
        last_name="P.",
        username="ANA_PEREZ",
        language_code="es",
        private=True,
        now=now,
    )

    assert await repos.people.count() == 2
    assert (person.telegram_id, person.display_name, person.country) == (1001, None, None)
    assert await _members(repos.db) == {("climate", "Ana Pérez", "member")}
    [claim] = await repos.claims.pending_of(person.id)
    assert claim.status == "pending"


def test_emails_differing_only_in_case_are_the_same() -> None:
    assert field_outcome("LI@example.cn", None, "li@example.cn", ignore_case=True).value == (
        "unchanged"
    )
