"""SQL as tools write it: framework migration rows, guarded drops, dollar quotes left open."""

from __future__ import annotations

from registry.formats import validate
from tests.formats.conftest import corpus_dir

RAILS = (corpus_dir() / "sql" / "accept" / "rails-structure.sql").read_text(encoding="utf-8")
INSERT_LINE = RAILS.split("\n").index('INSERT INTO "schema_migrations" (version) VALUES') + 1


def test_rails_migration_rows_are_accepted_with_a_warning_naming_the_table() -> None:
    result = validate("sql", RAILS, dialect="postgres")
    assert result.valid, [e.to_json() for e in result.errors]
    inserts = [w for w in result.warnings if w.message.startswith("INSERT")]
    assert [(w.line, w.column) for w in inserts] == [(INSERT_LINE, 1)]
    assert "'schema_migrations'" in inserts[0].message
    assert "schema_migrations" in {e["name"] for e in result.entities}  # still a table of the schema


def test_rows_in_the_schemas_own_tables_are_still_refused() -> None:
    text = RAILS + "INSERT INTO public.authors (id, name, email, created_at, updated_at)\n"
    text += "VALUES (1, 'Ann', 'ann@example.com', now(), now());\n"
    result = validate("sql", text, dialect="postgres")
    assert [(e.line, e.message) for e in result.errors] == [
        (INSERT_LINE + 5, "INSERT changes data; a schema document only defines structure")
    ]


def test_a_migrations_table_that_is_part_of_the_model_is_not_bookkeeping() -> None:
    linked = RAILS.replace(
        "    published_at timestamp(6) without time zone,",
        "    published_at timestamp(6) without time zone,\n"
        "    since character varying REFERENCES public.schema_migrations (version),",
    )
    result = validate("sql", linked, dialect="postgres")
    assert [e.message for e in result.errors] == [
        "INSERT changes data; a schema document only defines structure"
    ]


def test_a_table_named_like_a_log_but_without_a_one_column_key_is_data() -> None:
    text = "CREATE TABLE schema_migrations (version VARCHAR(20) NOT NULL);\n"
    text += "INSERT INTO schema_migrations (version) VALUES ('1');\n"
    assert [(e.line, e.message[:6]) for e in validate("sql", text).errors] == [(2, "INSERT")]
    keyed = text.replace("NOT NULL", "PRIMARY KEY")
    assert validate("sql", keyed).valid
    undefined = "CREATE TABLE t (id INT);\nINSERT INTO schema_migrations (version) VALUES ('1');\n"
    assert not validate("sql", undefined).valid


def test_a_dollar_quote_never_closed_is_refused_at_its_opening() -> None:
    text = (
        "CREATE TABLE t (id INT PRIMARY KEY);\n"
        "CREATE FUNCTION f() RETURNS int LANGUAGE sql\n"
        "    AS $body$ SELECT 1;\n"
        "CREATE TABLE u (id INT PRIMARY KEY);\n"
    )
    for dialect in ("postgres", None):
        result = validate("sql", text, dialect=dialect)
        assert [(e.line, e.column, e.message) for e in result.errors] == [
            (3, 8, "the dollar quote $body$ opened here is never closed")
        ]
    closed = text.replace("SELECT 1;", "SELECT 1 $body$;")
    assert validate("sql", closed, dialect="postgres").valid


def test_a_guarded_drop_must_still_be_of_something_the_script_creates() -> None:
    text = (
        "IF EXISTS (SELECT name FROM sys.databases WHERE name = N'Sales')\n"
        "BEGIN\n"
        "    ALTER DATABASE [Sales] SET SINGLE_USER WITH ROLLBACK IMMEDIATE;\n"
        "    DROP DATABASE [Sales];\n"
        "END\n"
        "GO\n"
        "CREATE TABLE dbo.Orders (OrderID INT NOT NULL PRIMARY KEY);\n"
        "GO\n"
    )
    result = validate("sql", text, dialect="tsql")
    assert [(e.line, e.message) for e in result.errors] == [
        (4, "DROP SCHEMA IF EXISTS Sales must be followed by re-creating the same object")
    ]
    recreated = text.replace("CREATE TABLE", "CREATE DATABASE [Sales]\nGO\nCREATE TABLE")
    assert validate("sql", recreated, dialect="tsql").valid
    after_the_block = recreated.replace("END\nGO\n", "END\nDROP TABLE dbo.Orders\nGO\n")
    assert [e.line for e in validate("sql", after_the_block, dialect="tsql").errors] == [6]


def test_only_the_guards_own_test_makes_a_guard() -> None:
    inside = (
        "CREATE TABLE dbo.Customers (CustomerID INT NOT NULL PRIMARY KEY);\n"
        "GO\n"
        "IF NOT EXISTS (SELECT 1 FROM sys.objects WHERE name IS NOT NULL)\n"
        "    DROP TABLE dbo.Orders\n"
        "GO\n"
        "CREATE TABLE dbo.Orders (OrderID INT NOT NULL PRIMARY KEY);\n"
    )
    assert [(e.line, e.message[:4]) for e in validate("sql", inside, dialect="tsql").errors] == [(4, "DROP")]
    own = inside.replace(
        "IF NOT EXISTS (SELECT 1 FROM sys.objects WHERE name IS NOT NULL)",
        "IF OBJECT_ID(N'dbo.Orders') IS NOT NULL",
    )
    assert validate("sql", own, dialect="tsql").valid
