"""Splitting migration scripts into statements."""

import pytest

from storage.sqlscript import split_statements


def test_splits_on_statement_ends_only() -> None:
    script = """
    -- header; with a semicolon
    CREATE TABLE a (x TEXT DEFAULT ';');
    /* block; comment */ INSERT INTO a VALUES ('1;2');
    CREATE TRIGGER t AFTER INSERT ON a BEGIN SELECT 1; SELECT 2; END;
    -- trailing comment
    """
    statements = split_statements(script)
    assert len(statements) == 3
    assert statements[0].endswith("CREATE TABLE a (x TEXT DEFAULT ';');")
    assert statements[2].endswith("END;")


def test_empty_and_comment_only_scripts() -> None:
    assert split_statements("") == []
    assert split_statements("-- nothing here;\n/* ; */\n") == []


def test_incomplete_statement_is_refused() -> None:
    with pytest.raises(ValueError, match="incomplete"):
        split_statements("CREATE TABLE a (x); CREATE TABLE b (y)")
