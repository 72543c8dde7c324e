"""The participant list's rules: reading the file, checking each row, the report.

Pure functions (no database): the use case is ``bot.imports.service.import_people``.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Final, TextIO

from bot.countries import find_country, find_zone
from bot.groups import find_group
from bot.i18n import LANGUAGE_NAMES, LANGUAGES, negotiate
from bot.profile import EMAIL_LIMIT, NAME_LIMIT, TEXT_LIMIT
from bot.textfold import fold
from storage import WorkingGroup
from storage.imports import ImportedPerson, ImportReport

COLUMNS: Final = (
    "name",
    "email",
    "reserve",
    "country",
    "groups",
    "telegram",
    "language",
    "timezone",
)
RESERVE_LIMIT: Final = TEXT_LIMIT
"""The limits of /profile (``bot/profile.py``), so an imported value could be typed there too."""
LONG_FILE: Final = 100
"""Files with more rows than this show a progress bar on stderr."""

_EMAIL: Final = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")
_USERNAME: Final = re.compile(r"[A-Za-z0-9_]{5,32}")
_GROUP_SEPARATORS: Final = re.compile(r"[;|,]")
_NOT_ZONES: Final = frozenset({"localtime", "Factory", "posixrules"})


class ImportFileError(Exception):
    """The file as a whole cannot be read as a participant list (encoding, header)."""


class CellError(ValueError):
    """A cell's value is not acceptable; the message says why, for the operator."""


@dataclass(frozen=True)
class RowError:
    """One problem of one row."""

    row: int
    reason: str

    def __str__(self) -> str:
        return f"row {self.row}: {self.reason}"


@dataclass(frozen=True)
class Row:
    """One non-empty row: its number in the file (the header is row 1) and its cells."""

    number: int
    cells: tuple[str, ...]


@dataclass(frozen=True)
class Table:
    """The file's columns (normalised names, in the file's order) and non-empty rows."""

    columns: tuple[str, ...]
    rows: tuple[Row, ...]


# Reading the file


def decode(data: bytes) -> str:
    """UTF-8 text, with or without a byte-order mark."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportFileError(
            f"not UTF-8 text (byte {error.start}): save the sheet as CSV UTF-8"
        ) from None


def sniff_delimiter(header_line: str) -> str:
    """Semicolon when the header holds more semicolons than commas, else comma."""
    return ";" if header_line.count(";") > header_line.count(",") else ","


_COLUMN_ALIASES: Final = {
    "fullname": "name",
    "mail": "email",
    "biospherereserve": "reserve",
    "group": "groups",
    "workinggroups": "groups",
    "username": "telegram",
    "telegramusername": "telegram",
    "tz": "timezone",
}


def column_key(header: str) -> str:
    """A header cell as a column name: case, spaces, ``_``, ``-`` and ``@`` ignored."""
    key = re.sub(r"[\s_\-@]", "", header.casefold())
    return _COLUMN_ALIASES.get(key, key)


def _columns(header: Sequence[str]) -> tuple[str, ...]:
    """The header's columns; unknown, repeated or missing required ones are refused."""
    keys = tuple(column_key(cell) for cell in header)
    for cell, key in zip(header, keys, strict=True):
        if key not in COLUMNS:
            raise ImportFileError(
                f'unknown column "{cell.strip()}" in the header; the columns are: '
                + ", ".join(COLUMNS)
            )
    repeated = sorted(key for key, count in Counter(keys).items() if count > 1)
    if repeated:
        raise ImportFileError(f'column "{repeated[0]}" appears twice in the header')
    if "name" not in keys:
        raise ImportFileError('the header has no "name" column (the one column required)')
    return keys


def read_table(text: str) -> Table:
    """The header and the non-empty rows of a CSV text, numbered as in the file."""
    first_line = text.split("\n", 1)[0]
    if not first_line.strip():
        raise ImportFileError("the file is empty or its first line is not a header")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(first_line))
    try:
        columns = _columns(next(reader))
        rows: list[Row] = []
        start = reader.line_num + 1
        for cells in reader:
            if any(cell.strip() for cell in cells):
                rows.append(Row(start, tuple(cells)))
            start = reader.line_num + 1
    except csv.Error as error:
        raise ImportFileError(f"line {reader.line_num}: {error}") from None
    return Table(columns, tuple(rows))


# Checking each cell: a function per column, returning the value to store or raising CellError


def _one_line(text: str) -> str:
    return " ".join(text.split())


def check_name(text: str) -> str:
    name = _one_line(text)
    if len(name) > NAME_LIMIT:
        raise CellError(f"name is {len(name)} characters long; the limit is {NAME_LIMIT}")
    return name


def check_email(text: str) -> str:
    email = text.strip()
    if len(email) > EMAIL_LIMIT or not _EMAIL.fullmatch(email):
        raise CellError(f'email "{email}" is not an email address')
    return email


def check_reserve(text: str) -> str:
    reserve = _one_line(text)
    if len(reserve) > RESERVE_LIMIT:
        raise CellError(f"reserve is {len(reserve)} characters long; the limit is {RESERVE_LIMIT}")
    return reserve


def _did_you_mean(suggestions: Sequence[str]) -> str:
    return f" (did you mean {' or '.join(suggestions[:3])}?)" if suggestions else ""


def check_country(text: str) -> str:
    found = find_country(text)
    if found.match is None:
        hint = _did_you_mean(found.suggestions)
        raise CellError(f'country "{text.strip()}" matches no country{hint}')
    return found.match


def check_telegram(text: str) -> str:
    username = clean_username(text)
    if not _USERNAME.fullmatch(username):
        raise CellError(
            f'telegram "{text.strip()}" is not a Telegram username (5 to 32 letters, digits or _)'
        )
    return username


def check_language(text: str) -> str:
    language = resolve_language(text)
    if language is None:
        raise CellError(f'language "{text.strip()}" is not one of ' + ", ".join(LANGUAGES))
    return language


def check_timezone(text: str) -> str:
    found = find_zone(text)
    if found.match is None or found.match in _NOT_ZONES:
        hint = _did_you_mean(found.suggestions) or " (like Europe/Madrid)"
        raise CellError(f'timezone "{text.strip()}" is not an IANA time zone{hint}')
    return found.match


_FIELDS: Final[Mapping[str, tuple[str, Callable[[str], str]]]] = {
    "name": ("display_name", check_name),
    "email": ("email", check_email),
    "reserve": ("reserve", check_reserve),
    "country": ("country", check_country),
    "language": ("language", check_language),
    "timezone": ("timezone", check_timezone),
    "telegram": ("username", check_telegram),
}
"""File column -> (people column, check); ``groups`` is checked against the database's."""


def resolve_language(text: str) -> str | None:
    """A catalog from a code (``es``, ``es-419``, ``zh-hans``) or a language's own name."""
    cleaned = text.strip()
    by_name = {fold(name): code for code, name in LANGUAGE_NAMES.items()}
    return by_name.get(fold(cleaned)) or negotiate(cleaned)


def clean_username(text: str) -> str:
    """A Telegram username without its ``@`` or ``t.me/`` prefix."""
    cleaned = text.strip()
    for prefix in ("https://t.me/", "http://t.me/", "t.me/", "@"):
        cleaned = cleaned.removeprefix(prefix)
    return cleaned


def resolve_groups(text: str, groups: Sequence[WorkingGroup]) -> tuple[tuple[int, ...], list[str]]:
    """Group ids named in a ``;``, ``|`` or ``,`` separated cell, and the names that match none."""
    found: list[int] = []
    unknown: list[str] = []
    for part in _GROUP_SEPARATORS.split(text):
        if not part.strip():
            continue
        group = find_group(groups, part)
        if group is None:
            unknown.append(part.strip())
        elif group.id not in found:
            found.append(group.id)
    return tuple(found), unknown


# Checking rows and the whole file


def check_row(
    row: Row, columns: Sequence[str], groups: Sequence[WorkingGroup]
) -> ImportedPerson | list[RowError]:
    """One row as a person to import, or every problem it has."""
    if len(row.cells) > len(columns) and any(c.strip() for c in row.cells[len(columns) :]):
        return [RowError(row.number, f"{len(row.cells)} cells, the header has {len(columns)}")]
    cells = dict(zip(columns, row.cells, strict=False))
    problems: list[str] = []
    values: dict[str, str] = {}
    group_ids: tuple[int, ...] = ()
    for column in columns:
        text = cells.get(column, "")
        if column == "groups":
            group_ids, unknown = resolve_groups(text, groups)
            problems += [f'group "{name}" matches no working group' for name in unknown]
        elif not text.strip():
            problems += ["name is missing"] if column == "name" else []
        else:
            field, check = _FIELDS[column]
            try:
                values[field] = check(text)
            except CellError as bad:
                problems.append(str(bad))
    username = values.pop("username", None)
    if not problems and username is None and "email" not in values:
        problems.append("needs a telegram username or an email, to recognise the person again")
    if problems:
        return [RowError(row.number, problem) for problem in problems]
    return ImportedPerson(
        row=row.number,
        username=username,
        email=values.get("email"),
        values=values,
        group_ids=group_ids,
    )


def _duplicates(people: Sequence[ImportedPerson]) -> list[RowError]:
    """A username or email that appears on two rows."""
    errors: list[RowError] = []
    seen: dict[tuple[str, str], int] = {}
    for person in people:
        for kind, value in (("telegram", person.username), ("email", person.email)):
            if value is None:
                continue
            first = seen.setdefault((kind, value.casefold()), person.row)
            if first != person.row:
                errors.append(RowError(person.row, f'{kind} "{value}" is also on row {first}'))
    return errors


def check_table(
    table: Table, groups: Sequence[WorkingGroup]
) -> tuple[list[ImportedPerson], list[RowError]]:
    """Every row checked: the people to import, and every problem found (in row order)."""
    people: list[ImportedPerson] = []
    errors: list[RowError] = []
    for row in table.rows:
        checked = check_row(row, table.columns, groups)
        if isinstance(checked, ImportedPerson):
            people.append(checked)
        else:
            errors += checked
    errors += _duplicates(people)
    return people, sorted(errors, key=lambda error: error.row)


def shared_matches(
    people: Sequence[ImportedPerson], matches: Sequence[int | None]
) -> list[RowError]:
    """Two rows that would both update the same known person (one by username, one by email)."""
    first_row: dict[int, int] = {}
    errors: list[RowError] = []
    for person, person_id in zip(people, matches, strict=True):
        if person_id is None:
            continue
        first = first_row.setdefault(person_id, person.row)
        if first != person.row:
            errors.append(
                RowError(person.row, f"is the same known person as row {first} (#{person_id})")
            )
    return errors


# Progress and the command


class Progress:
    """A text progress bar on a terminal, else a line every 10%."""

    WIDTH: Final = 30

    def __init__(self, total: int, stream: TextIO, label: str = "importing") -> None:
        self.total = max(total, 1)
        self.stream = stream
        self.label = label
        self.tty = stream.isatty()
        self._last_step = -1

    def __call__(self, done: int) -> None:
        share = min(done, self.total) / self.total
        if self.tty:
            if int(share * 100) == self._last_step and done < self.total:
                return
            self._last_step = int(share * 100)
            filled = int(share * self.WIDTH)
            bar = "#" * filled + "." * (self.WIDTH - filled)
            self.stream.write(f"\r{self.label} [{bar}] {share:4.0%} {done}/{self.total}")
            if done >= self.total:
                self.stream.write("\n")
        else:
            tenth = int(share * 10)
            if tenth <= max(self._last_step, 0):
                return
            self._last_step = tenth
            self.stream.write(f"{self.label}: {tenth * 10}% ({done}/{self.total})\n")
        self.stream.flush()


def summary(name: str, report: ImportReport) -> str:
    line = f"{name}: {report.added} added, {report.updated} updated, {report.unchanged} unchanged"
    if report.kept:
        line += f"; {report.kept} fields kept as people set them themselves"
    return line
