"""SQL errors about one column or constraint point at it, not at the start of its CREATE TABLE."""

from __future__ import annotations

from registry.formats import validate

SCRIPT = """CREATE TABLE a (id INT PRIMARY KEY);
CREATE TABLE b (
  id INT,
  x INT,
  y INT REFERENCES nope(id),
  x TEXT,
  FOREIGN KEY (id) REFERENCES zzz(id)
);
"""


def errors_of(text: str) -> list[tuple[int | None, int | None, str, str]]:
    return [(e.line, e.column, e.path, e.message) for e in validate("sql", text).errors]


def test_each_error_points_at_its_column_or_constraint() -> None:
    assert errors_of(SCRIPT) == [
        (5, 3, "b", "foreign key of 'b' references undefined table 'nope'"),
        (6, 3, "b.x", "column 'x' is defined twice in table 'b'"),
        (7, 16, "b", "foreign key of 'b' references undefined table 'zzz'"),
    ]


def test_a_statement_that_starts_mid_line_is_counted_from_there() -> None:
    text = "CREATE TABLE a (id INT); CREATE TABLE b (id INT, id TEXT);\n"
    assert errors_of(text) == [(1, 50, "b.id", "column 'id' is defined twice in table 'b'")]


def test_a_quoted_duplicate_is_found_where_it_is() -> None:
    text = 'CREATE TABLE "t" (\n  "Name" TEXT,\n  "Name" INT\n);\n'
    assert [(line, column, path) for line, column, path, _ in errors_of(text)] == [(3, 3, "t.Name")]


def test_a_column_added_twice_by_alter_table_names_table_and_column() -> None:
    text = "CREATE TABLE t (id INT);\nALTER TABLE t ADD COLUMN id TEXT;\n"
    assert [(line, path) for line, _, path, _ in errors_of(text)] == [(2, "t.id")]


def test_a_parse_error_points_at_the_first_character_of_its_token() -> None:
    text = "CREATE TABLE t (\n  id INT,\n  x BOGUSTYPE((\n);\n"
    assert [(line, column) for line, column, _, _ in errors_of(text)] == [(3, 5)]
