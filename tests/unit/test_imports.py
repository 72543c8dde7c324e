"""Reading and checking the participant list, as plain functions."""

from __future__ import annotations

import io

import pytest

from bot.imports import (
    ImportFileError,
    Progress,
    RowError,
    Table,
    check_table,
    decode,
    read_table,
    shared_matches,
    sniff_delimiter,
)
from storage.imports import ImportedPerson

from ..factories import working_group

GROUPS = [
    working_group(1, "climate", "Climate change", "Cambio climático"),
    working_group(2, "biodiversity", "Biodiversity", "Biodiversidad"),
    working_group(3, "community", "Community empowerment", "Empoderamiento comunitario"),
]


def _check(text: str) -> tuple[list[ImportedPerson], list[str]]:
    people, errors = check_table(read_table(text), GROUPS)
    return people, [str(error) for error in errors]


# reading the file


def test_a_byte_order_mark_is_dropped_and_other_encodings_refused() -> None:
    assert decode("\ufeffname\nAna\n".encode()) == "name\nAna\n"
    assert decode("name\nAnaïs\n".encode()) == "name\nAnaïs\n"
    with pytest.raises(ImportFileError, match="not UTF-8"):
        decode("name\nAnaïs\n".encode("latin-1"))


def test_the_delimiter_is_whichever_the_header_uses_more() -> None:
    assert sniff_delimiter("name;email;country") == ";"
    assert sniff_delimiter("name,email,country") == ","
    assert sniff_delimiter("name") == ","


def test_headers_in_any_order_and_case_with_rows_numbered_as_in_the_file() -> None:
    text = 'Telegram;NAME;Time zone\n@ana_perez;Ana;Europe/Madrid\n\n;"Li\nMing";\n;Zoe;\n'

    table = read_table(text)

    assert table.columns == ("telegram", "name", "timezone")
    assert [row.number for row in table.rows] == [2, 4, 6]
    assert table.rows[1].cells == ("", "Li\nMing", "")
    assert read_table("Full name,E-mail,Telegram username,TZ\n").columns == (
        "name",
        "email",
        "telegram",
        "timezone",
    )


@pytest.mark.parametrize(
    ("header", "reason"),
    [
        ("name,phone", 'unknown column "phone"'),
        ("name,email,E-mail", 'column "email" appears twice'),
        ("email,country", 'no "name" column'),
        ("", "empty"),
    ],
)
def test_a_wrong_header_refuses_the_whole_file(header: str, reason: str) -> None:
    with pytest.raises(ImportFileError, match=reason):
        read_table(header + "\nAna,ana@example.org\n")


# checking rows


def test_a_good_row_becomes_a_person_with_codes_and_groups() -> None:
    people, errors = _check(
        "name,email,reserve,country,groups,telegram,language,timezone\n"
        "  Ana   Pérez ,ana@example.org,Ordesa,España,climate|Biodiversidad,@Ana_Perez,"
        "es-419,europe/madrid\n"
        "李明,,,中国,community,t.me/li_ming,zh-hans,Asia/Shanghai\n"
        "Chloé,chloe@example.fr,,Suisse,,,Français,\n"
    )

    assert errors == []
    ana, li, chloe = people
    assert ana.row == 2
    assert ana.username == "Ana_Perez"
    assert ana.email == "ana@example.org"
    assert ana.values == {
        "display_name": "Ana Pérez",
        "email": "ana@example.org",
        "reserve": "Ordesa",
        "country": "ES",
        "language": "es",
        "timezone": "Europe/Madrid",
    }
    assert ana.group_ids == (1, 2)
    assert (li.username, li.values["country"], li.values["language"]) == ("li_ming", "CN", "zh")
    assert li.group_ids == (3,)
    assert chloe.username is None
    assert (chloe.values["country"], chloe.values["language"]) == ("CH", "fr")
    assert "timezone" not in chloe.values


def test_every_problem_of_every_row_is_reported_with_its_row_number() -> None:
    people, errors = _check(
        "name;email;country;groups;telegram;language;timezone\n"
        "Ana;ana@example.org;ES;climate;ana_perez;es;Europe/Madrid\n"
        ";not-an-email;Atlantis;mars, climate;ab;de;Mars/Olympus\n"
        f"{'x' * 65};;;;;;\n"
        "Zoe;;;;;;\n"
    )

    assert len(people) == 1
    assert errors == [
        "row 3: name is missing",
        'row 3: email "not-an-email" is not an email address',
        'row 3: country "Atlantis" matches no country',
        'row 3: group "mars" matches no working group',
        'row 3: telegram "ab" is not a Telegram username (5 to 32 letters, digits or _)',
        'row 3: language "de" is not one of en, es, zh, fr',
        'row 3: timezone "Mars/Olympus" is not an IANA time zone (like Europe/Madrid)',
        "row 4: name is 65 characters long; the limit is 64",
        "row 5: needs a telegram username or an email, to recognise the person again",
    ]


def test_a_typo_gets_a_suggestion() -> None:
    _, errors = _check("name,country,timezone,telegram\nAna,Spian,Europe/Madird,ana_perez\n")

    assert errors == [
        'row 2: country "Spian" matches no country (did you mean ES?)',
        'row 2: timezone "Europe/Madird" is not an IANA time zone '
        "(did you mean Europe/Madrid or Europe/Samara?)",
    ]


def test_the_same_username_or_email_twice_in_the_file_is_refused() -> None:
    _, errors = _check(
        "name,email,telegram\n"
        "Ana,ana@example.org,ana_perez\n"
        "Ana again,ANA@example.org,\n"
        "Other,,@ANA_PEREZ\n"
    )

    assert errors == [
        'row 3: email "ANA@example.org" is also on row 2',
        'row 4: telegram "ANA_PEREZ" is also on row 2',
    ]


def test_a_row_with_more_cells_than_the_header_is_refused() -> None:
    _, errors = _check("name,telegram\nAna,ana_perez,extra\nZoe,zoe_smith,\n")

    assert errors == ["row 2: 3 cells, the header has 2"]


def test_html_in_a_name_is_kept_as_typed() -> None:
    people, errors = _check("name,telegram\n<b>Ana</b> & co,ana_perez\n")

    assert errors == []
    assert people[0].values["display_name"] == "<b>Ana</b> & co"


def test_two_rows_that_match_the_same_known_person_are_refused() -> None:
    people = [
        ImportedPerson(row=2, username="ana_perez", email=None, values={"display_name": "A"}),
        ImportedPerson(row=3, username=None, email="ana@example.org", values={"display_name": "B"}),
        ImportedPerson(row=4, username="zoe_smith", email=None, values={"display_name": "Z"}),
    ]

    errors = shared_matches(people, [7, 7, None])

    assert errors == [RowError(3, "is the same known person as row 2 (#7)")]


def test_an_empty_table_checks_fine() -> None:
    assert check_table(Table(("name",), ()), GROUPS) == ([], [])


# progress


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_without_a_terminal_writes_a_line_every_ten_percent() -> None:
    stream = io.StringIO()
    progress = Progress(250, stream)

    for done in range(1, 251):
        progress(done)

    lines = stream.getvalue().splitlines()
    assert lines[0] == "importing: 10% (25/250)"
    assert lines[-1] == "importing: 100% (250/250)"
    assert len(lines) == 10


def test_progress_on_a_terminal_redraws_one_bar_in_place() -> None:
    stream = _Terminal()
    progress = Progress(1000, stream)

    for done in range(1, 1001):
        progress(done)

    text = stream.getvalue()
    assert text.count("\n") == 1
    assert text.count("\r") == 101  # 0% to 100%
    assert text.endswith("\rimporting [" + "#" * 30 + "] 100% 1000/1000\n")
