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


def test_the_words_stay_where_they_are_names_strings_or_inside_checks() -> None:
    valid = [
        ("oracle", "CREATE TABLE enable (id NUMBER)"),
        ("oracle", "CREATE TABLE s.validate (id NUMBER)"),
        ("tsql", "CREATE TABLE rowguidcol (id INT)"),
        ("mysql", "CREATE TABLE srid (id INT)"),
        ("oracle", "CREATE TABLE t (id NUMBER REFERENCES enable(id));\nCREATE TABLE enable (id NUMBER)"),
        ("oracle", "CREATE TABLE t (id NUMBER, enable NUMBER, CHECK (id > 0 AND enable = 1))"),
        ("mysql", "CREATE TABLE t (id INT, srid INT, CHECK (id > srid))"),
        ("tsql", "CREATE TABLE t (c NVARCHAR(20) DEFAULT N'ROWGUIDCOL')"),
        ("oracle", "CREATE TABLE t (c VARCHAR2(20) DEFAULT N'ENABLE', d VARCHAR2(9) DEFAULT q'[ENABLE]')"),
        ("redshift", "CREATE TABLE t (c VARCHAR(20) DEFAULT $$SORTKEY$$)"),
        ("oracle", "CREATE TABLE t (id NUMBER CONSTRAINT enable NOT NULL ENABLE)"),
    ]
    for dialect, text in valid:
        result = validate("sql", text, dialect=dialect)
        assert result.valid, (dialect, text, [e.to_json() for e in result.errors])
    assert validate("sql", "CREATE TABLE t (g GEOMETRY SRID)", dialect="mysql").valid is False  # no number


def test_an_srid_number_on_the_next_line_keeps_later_lines_right() -> None:
    text = "CREATE TABLE t (\n  g GEOMETRY SRID\n  4326,\n  h INT NOT NULL NOT,\n  k INT\n)"
    assert [e.line for e in validate("sql", text, dialect="mysql").errors] == [4]


def test_alter_table_carries_the_same_attributes() -> None:
    text = (
        'CREATE TABLE "HR"."EMP" ("ID" NUMBER(6,0), "BOSS" NUMBER(6,0));\n'
        'ALTER TABLE "HR"."EMP" ADD CONSTRAINT pk PRIMARY KEY ("ID") USING INDEX ENABLE;\n'
        'ALTER TABLE "HR"."EMP" ADD CONSTRAINT fk FOREIGN KEY ("BOSS") REFERENCES "HR"."EMP" ("ID") ENABLE;\n'
    )
    assert fields_of(text, "oracle") == [("ID", False, True), ("BOSS", True, False)]
    mysql = "CREATE TABLE t (id INT);\nALTER TABLE t ADD COLUMN g GEOMETRY SRID 4326;\n"
    assert fields_of(mysql, "mysql") == [("id", True, False), ("g", True, False)]


def test_ownership_and_privileges_of_any_object_pass_without_a_warning() -> None:
    text = (
        "CREATE SCHEMA auth;\nALTER SCHEMA auth OWNER TO postgres;\n"
        "CREATE SEQUENCE public.t_id_seq;\nALTER SEQUENCE public.t_id_seq OWNED BY public.t.id;\n"
        "CREATE TABLE public.t (id integer NOT NULL);\nALTER TABLE public.t OWNER TO postgres;\n"
        "ALTER FUNCTION public.f() OWNER TO postgres;\n"
        "ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA public GRANT ALL ON TABLES TO postgres;\n"
        "ALTER SEQUENCE public.t_id_seq RESTART WITH 5;\n"
    )
    result = validate("sql", text, dialect="postgres")
    assert result.valid
    assert [(w.line, w.message) for w in result.warnings] == [
        (9, "ALTER statement skipped: sqlglot cannot parse it")
    ]
    in_a_string = "CREATE TABLE t (id INT);\nALTER TYPE mood ADD VALUE 'OWNER TO';\n"
    assert [w.line for w in validate("sql", in_a_string, dialect="postgres").warnings] == [2]
