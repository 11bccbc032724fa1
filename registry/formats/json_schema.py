"""JSON Schema documents (drafts 4, 6, 7, 2019-09 and 2020-12).

Checks, each problem located by line and column: JSON syntax; the meta-schema of the dialect named
by ``$schema``; ECMA-262 regular expressions (``pattern``, ``patternProperties``, ``format: regex``)
with the ``regress`` engine rather than Python's ``re``; that every local ``$ref`` resolves. Refs to
other documents are never fetched; they are accepted with a warning. See docs/formats/json_schema.md.
"""

from __future__ import annotations

from functools import cache
from typing import Any
from urllib.parse import urldefrag

import jsonschema  # type: ignore[import-untyped,unused-ignore]
import regress

from registry.formats.base import Problems, ValidationResult
from registry.formats.json_positions import JsonProblem, Positions, parse, pointer
from registry.formats.json_schema_entities import schema_entities
from registry.formats.json_schema_walk import Walk, resolve_pointer
from registry.formats.limits import DEFAULT_LIMITS, Limits

DIALECTS: dict[str, Any] = {
    "json-schema.org/draft-04/schema": jsonschema.Draft4Validator,
    "json-schema.org/draft-06/schema": jsonschema.Draft6Validator,
    "json-schema.org/draft-07/schema": jsonschema.Draft7Validator,
    "json-schema.org/draft/2019-09/schema": jsonschema.Draft201909Validator,
    "json-schema.org/draft/2020-12/schema": jsonschema.Draft202012Validator,
}
DEFAULT_DIALECT = jsonschema.Draft202012Validator


# Draft-4 keywords that are no validators of their own: the boolean bounds minimum/maximum read,
# and "id" (draft 4's $id).
_DRAFT4_MODIFIERS = frozenset({"exclusiveMinimum", "exclusiveMaximum", "id"})


def _dialect_key(uri: str) -> str:
    # http/https and a trailing empty fragment are written both ways in the wild.
    uri = uri.strip().rstrip("#")
    for scheme in ("https://", "http://"):
        if uri.startswith(scheme):
            return uri[len(scheme) :]
    return uri


def _is_ecma_regex(instance: object) -> bool:
    if isinstance(instance, str):
        regress.Regex(instance)
    return True


@cache
def _meta_validator(cls: Any) -> Any:
    # Meta-schema validators are immutable and costly to build; one per dialect serves all calls.
    checker = jsonschema.FormatChecker(formats=())
    checker.checks("regex", raises=regress.RegressError)(_is_ecma_regex)
    return cls(cls.META_SCHEMA, format_checker=checker)


def validate(text: str, *, dialect: str | None = None, limits: Limits = DEFAULT_LIMITS) -> ValidationResult:
    """Validate a JSON Schema document and derive entities from it (see docs/formats/json_schema.md)."""
    problems = Problems(limits)
    try:
        parsed = parse(text, limits)
    except JsonProblem as exc:
        for problem in exc.problems:
            problems.error(problem.message, problem.line, problem.column, problem.path)
        return problems.result()
    doc, positions = parsed.value, parsed.positions
    if isinstance(doc, bool):
        return problems.result()
    if not isinstance(doc, dict):
        problems.error("a JSON Schema must be an object or a boolean", *positions.locate(()))
        return problems.result()
    cls = _dialect(doc, positions, problems)
    if cls is None:
        return problems.result()
    _check_meta_schema(cls, doc, positions, problems)
    draft4 = cls is jsonschema.Draft4Validator
    keywords = frozenset(cls.VALIDATORS) | (_DRAFT4_MODIFIERS if draft4 else frozenset())
    walk = Walk(draft4=draft4, keywords=keywords)
    walk.run(doc)
    _check_patterns(walk, positions, problems)
    _check_refs(walk, positions, problems)
    _warn_unknown(walk, positions, problems)
    if problems.errors:
        return problems.result()
    return problems.result(schema_entities(doc, limits, positions))


def _dialect(doc: dict[str, Any], positions: Positions, problems: Problems) -> Any:
    if "$schema" not in doc:
        return DEFAULT_DIALECT
    uri = doc["$schema"]
    cls = DIALECTS.get(_dialect_key(uri)) if isinstance(uri, str) else None
    if cls is None:
        known = ", ".join(sorted({c.META_SCHEMA["$schema"] for c in DIALECTS.values()}))
        problems.error(
            f"unknown $schema {uri!r}; supported dialects: {known}",
            *positions.locate(("$schema",)),
            "/$schema",
        )
    return cls


def _check_meta_schema(cls: Any, doc: dict[str, Any], positions: Positions, problems: Problems) -> None:
    for error in _meta_validator(cls).iter_errors(doc):
        path = tuple(error.absolute_path)
        message = error.message
        if error.validator == "format" and error.validator_value == "regex":
            message = (
                f"invalid ECMA-262 regular expression {error.instance!r}: {error.cause or 'syntax error'}"
            )
        elif error.context:
            best = jsonschema.exceptions.best_match(error.context)
            message = f"{message} ({best.message})" if best is not None else message
        if error.validator == "propertyNames":  # the offending name is a key, not a value
            problems.error(message, *positions.locate(path), pointer(path))
        else:
            problems.error(message, *positions.locate(path), pointer(path))


def _check_patterns(walk: Walk, positions: Positions, problems: Problems) -> None:
    # Draft 4's meta-schema does not check patternProperties names; the others do.
    for pattern, path in walk.patterns:
        try:
            regress.Regex(pattern)
        except regress.RegressError as exc:
            problems.error(
                f"invalid ECMA-262 regular expression {pattern!r}: {exc}",
                *positions.locate(path, key=True),
                pointer(path),
            )


def _check_refs(walk: Walk, positions: Positions, problems: Problems) -> None:
    for ref in walk.refs:
        uri, fragment = urldefrag(ref.target)
        resource = walk.resources.get(uri)
        if resource is None:
            if _dialect_key(uri) not in DIALECTS:
                problems.warn(
                    f"$ref {ref.written!r} points to another document, which is not fetched or checked",
                    *positions.locate(ref.path),
                    pointer(ref.path),
                )
            continue
        schema, _ = resource
        if fragment.startswith("/"):
            found, missing = resolve_pointer(schema, fragment)
            if not found:
                problems.error(
                    f"$ref {ref.written!r} does not resolve: nothing at {missing!r}",
                    *positions.locate(ref.path),
                    pointer(ref.path),
                )
        elif fragment and (uri, fragment) not in walk.anchors:
            problems.error(
                f"$ref {ref.written!r} does not resolve: no $anchor or $id named {fragment!r}",
                *positions.locate(ref.path),
                pointer(ref.path),
            )


def _warn_unknown(walk: Walk, positions: Positions, problems: Problems) -> None:
    for keyword, path in walk.unknown_keywords.items():
        problems.warn(
            f"unknown keyword {keyword!r} is ignored by validators",
            *positions.locate(path, key=True),
            pointer(path),
        )
    for fmt, path in walk.unknown_formats.items():
        problems.warn(f"unknown format {fmt!r} is not checked", *positions.locate(path), pointer(path))
