"""Tables qualified with a schema: `auth.users` and `public.users` are two tables (docs/formats/sql.md)."""

from __future__ import annotations

from typing import Any

from registry.formats import validate

TWO_USERS = """CREATE TABLE auth.users (id UUID PRIMARY KEY, email TEXT);
CREATE TABLE public.users (id BIGINT PRIMARY KEY, name TEXT);
CREATE TABLE public.orgs (id INT PRIMARY KEY);
"""


def errors_of(text: str, dialect: str | None = "postgres") -> list[tuple[int | None, str, str]]:
    return [(e.line, e.path, e.message) for e in validate("sql", text, dialect=dialect).errors]


def entities_of(text: str, dialect: str | None = "postgres") -> dict[tuple[str | None, str], dict[str, Any]]:
    result = validate("sql", text, dialect=dialect)
    assert result.valid, [e.to_json() for e in result.errors]
    return {(e["namespace"], e["name"]): {f["name"]: f for f in e["fields"]} for e in result.entities}


def test_same_name_in_two_schemas_is_two_entities_and_references_say_which() -> None:
    text = TWO_USERS + (
        "CREATE TABLE public.profiles (\n"
        "  user_id UUID REFERENCES auth.users(id),\n"
        "  owner BIGINT REFERENCES public.users(id),\n"
        "  org INT REFERENCES public.orgs(id)\n"
        ");\n"
    )
    entities = entities_of(text)
    assert list(entities) == [
        ("auth", "users"),
        ("public", "users"),
        ("public", "orgs"),
        ("public", "profiles"),
    ]
    assert entities[("auth", "users")]["id"]["type"] == "uuid"
    assert entities[("public", "users")]["id"]["type"] == "integer"
    profile = entities[("public", "profiles")]
    assert profile["user_id"]["ref"] == "auth.users.id"
    assert profile["owner"]["ref"] == "public.users.id"
    assert profile["org"]["ref"] == "orgs.id"  # a name no other schema uses stays unqualified


def test_an_unqualified_name_is_in_the_default_schema_where_the_dialect_has_one() -> None:
    text = TWO_USERS + "CREATE TABLE auth.sessions (user_id BIGINT REFERENCES users(id));\n"
    assert entities_of(text)[("auth", "sessions")]["user_id"]["ref"] == "public.users.id"  # search_path
    assert errors_of("CREATE TABLE users (id INT);\nCREATE TABLE public.users (id INT);\n") == [
        (2, "public.users", "table 'public.users' is defined twice (first on line 1)")
    ]
    tsql = "CREATE TABLE users (id INT);\nCREATE TABLE dbo.Users (id INT);\n"
    assert errors_of(tsql, "tsql")[0][2] == "table 'dbo.Users' is defined twice (first on line 1)"
    assert entities_of("CREATE TABLE users (id INT);\nCREATE TABLE auth.users (id INT);\n")


def test_without_a_default_schema_an_unqualified_name_means_the_referring_tables_schema() -> None:
    text = TWO_USERS + "CREATE TABLE auth.sessions (user_id UUID REFERENCES users(id));\n"
    assert entities_of(text, None)[("auth", "sessions")]["user_id"]["ref"] == "auth.users.id"


def test_an_unqualified_reference_to_a_name_in_several_schemas_must_be_qualified() -> None:
    text = TWO_USERS + "CREATE TABLE notes (\n  author BIGINT REFERENCES users(id)\n);\n"
    assert errors_of(text, None) == [
        (
            5,
            "notes",
            "foreign key of 'notes' references table 'users', defined in several schemas (auth, public):"
            " qualify it",
        )
    ]


def test_a_qualified_name_finds_only_its_schema_or_an_unqualified_table() -> None:
    unqualified = (
        "CREATE TABLE users (id INT PRIMARY KEY);\nCREATE TABLE t (u INT REFERENCES public.users(id));\n"
    )
    assert entities_of(unqualified)[(None, "t")]["u"]["ref"] == "users.id"
    other_schema = "CREATE TABLE auth.users (id INT);\nCREATE TABLE t (u INT REFERENCES billing.users(id));\n"
    assert errors_of(other_schema) == [
        (2, "t", "foreign key of 't' references undefined table 'billing.users'")
    ]
    # Where unqualified means the default schema, auth.users is not it (a Supabase dump of public).
    outside = "CREATE TABLE users (id INT);\nCREATE TABLE t (u INT REFERENCES auth.users(id));\n"
    assert errors_of(outside) == [(2, "t", "foreign key of 't' references undefined table 'auth.users'")]
    # Where the default is not known, a qualified name may mean a table created unqualified.
    mysql = "CREATE TABLE users (id INT);\nCREATE TABLE t (u INT REFERENCES shop.users(id));\n"
    assert entities_of(mysql, "mysql")[(None, "t")]["u"]["ref"] == "users.id"


def test_a_table_never_derives_from_itself_and_three_part_names_keep_their_database() -> None:
    text = "CREATE TABLE a.t (x INT);\nCREATE TABLE b.t (y INT) INHERITS (t);\nCREATE TABLE b.u (LIKE t);\n"
    entities = entities_of(text)
    assert list(entities[("b", "t")]) == ["x", "y"]
    assert list(entities[("b", "u")]) == ["x", "y"]  # t: no public.t, so the one in its own schema
    three = (
        "CREATE TABLE a.s.t (id INT);\nCREATE TABLE b.s.t (id INT);\n"
        "CREATE TABLE x (r INT REFERENCES b.s.t(id));\n"
    )
    entities = entities_of(three, "tsql")
    assert list(entities)[:2] == [("a.s", "t"), ("b.s", "t")]
    assert entities[(None, "x")]["r"]["ref"] == "b.s.t.id"


def test_a_table_defined_twice_in_one_schema_is_refused_whatever_the_case() -> None:
    text = "CREATE TABLE auth.users (id INT);\nCREATE TABLE AUTH.Users (id INT);\n"
    assert errors_of(text) == [(2, "AUTH.Users", "table 'AUTH.Users' is defined twice (first on line 1)")]
    assert errors_of("CREATE TABLE users (id INT);\nCREATE TABLE users (id INT);\n")[0][1:] == (
        "users",
        "table 'users' is defined twice (first on line 1)",
    )


def test_alter_table_and_inheritance_follow_the_schema() -> None:
    text = (
        "CREATE TABLE auth.users (id INT, secret TEXT);\n"
        "CREATE TABLE public.users (id INT, name TEXT);\n"
        "ALTER TABLE ONLY auth.users ADD CONSTRAINT users_pkey PRIMARY KEY (id);\n"
        "CREATE TABLE auth.admins (level INT) INHERITS (auth.users);\n"
        "CREATE TABLE public.guests (visits INT) INHERITS (users);\n"
    )
    entities = entities_of(text)
    assert entities[("auth", "users")]["id"]["primary_key"] is True
    assert entities[("public", "users")]["id"]["primary_key"] is False
    assert list(entities[("auth", "admins")]) == ["id", "secret", "level"]
    assert list(entities[("public", "guests")]) == ["id", "name", "visits"]
    assert errors_of("CREATE TABLE a.t (id INT);\nALTER TABLE b.t ADD PRIMARY KEY (id);\n") == [
        (2, "", "ALTER TABLE of undefined table 'b.t'")
    ]
