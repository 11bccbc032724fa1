"""Attributes sqlglot cannot parse and entities do not show are read as blanks (docs/formats/sql.md)."""

from __future__ import annotations

from registry.formats import validate


def fields_of(text: str, dialect: str) -> list[tuple[str, bool, bool]]:
    result = validate("sql", text, dialect=dialect)
    assert result.valid, [e.to_json() for e in result.errors]
    return [(f["name"], f["nullable"], f["primary_key"]) for f in result.entities[0]["fields"]]


def test_oracle_constraint_states_are_ignored_but_a_column_named_like_one_is_kept() -> None:
    text = (
        "CREATE TABLE t (\n"
        "  id NUMBER NOT NULL ENABLE,\n"
        "  enable NUMBER(1),\n"
        "  disable NUMBER(1) NOT NULL DISABLE,\n"
        "  CONSTRAINT pk PRIMARY KEY (id) RELY ENABLE VALIDATE\n"
        ");"
    )
    expected = [("id", False, True), ("enable", True, False), ("disable", False, False)]
    assert fields_of(text, "oracle") == expected


def test_blanked_words_keep_the_positions_of_later_errors() -> None:
    text = "CREATE TABLE t (\n  id NUMBER NOT NULL ENABLE, name VARCHAR2(9),\n  name NUMBER\n);"
    errors = [(e.line, e.column, e.path) for e in validate("sql", text, dialect="oracle").errors]
    assert errors == [(3, 3, "t.name")]


def test_each_word_is_ignored_only_in_its_own_dialect() -> None:
    for text, dialect in (
        ("CREATE TABLE t (id INT NOT NULL ENABLE);", "postgres"),
        ("CREATE TABLE t (id UNIQUEIDENTIFIER ROWGUIDCOL);", "postgres"),
        ("CREATE TABLE t (id INT DISTKEY);", "mysql"),
    ):
        result = validate("sql", text, dialect=dialect)
        assert not result.valid, (text, dialect)
        assert "does not parse" in result.errors[0].message


def test_redshift_keys_and_mysql_srid() -> None:
    redshift = "CREATE TABLE s (id INT NOT NULL DISTKEY, at TIMESTAMP SORTKEY) DISTKEY(id);"
    assert fields_of(redshift, "redshift") == [("id", False, False), ("at", True, False)]
    mysql = "CREATE TABLE p (id INT PRIMARY KEY, g GEOMETRY NOT NULL SRID 4326);"
    assert fields_of(mysql, "mysql") == [("id", False, True), ("g", False, False)]
