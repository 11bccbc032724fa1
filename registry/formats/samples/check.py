"""Constraints no record can meet, found before any record is made, each at its line."""

from __future__ import annotations

import random
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from registry.formats.base import Problem
from registry.formats.samples.values import integer_bounds, number_bounds


class Unsatisfiable(Exception):
    """The schema asks for values that cannot exist; ``problems`` say which and where."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(p.message for p in problems))
        self.problems = problems


def unsatisfiable(entities: Sequence[Mapping[str, Any]], rows: int) -> list[Problem]:
    found: list[Problem] = []
    for entity in entities:
        count = int(entity.get("count") or rows)
        for field in entity.get("fields", ()):
            path = f"{entity['name']}.{field.get('name')}"
            found.extend(_field_problems(field, path, count))
    return found


def _field_problems(field: Mapping[str, Any], path: str, count: int) -> Iterator[Problem]:
    def problem(message: str) -> Problem:
        return Problem(f"{path}: {message}", field.get("line"), field.get("column"), path)

    kind = field.get("type")
    unique = bool(field.get("unique") or field.get("primary_key"))
    if kind == "integer":
        low, high = integer_bounds(field)
        if low > high:
            yield problem(f"no integer lies between {low} and {high}")
        elif unique and high - low + 1 < count:
            yield problem(f"{count} distinct values are asked for, but only {high - low + 1} integers fit")
    elif kind in ("number", "decimal"):
        bottom, top = number_bounds(field)
        if bottom > top or (bottom == top and ("exclusive_minimum" in field or "exclusive_maximum" in field)):
            yield problem(f"no number lies between {bottom} and {top}")
    elif kind == "string":
        if field.get("min_length", 0) > field.get("max_length", float("inf")):
            yield problem(f"min_length {field['min_length']} is above max_length {field['max_length']}")
        if field.get("pattern"):
            yield from _pattern_problems(field, problem)
    elif kind == "boolean" and unique and count > 2:
        yield problem(f"{count} distinct values are asked for, but a boolean has two")
    elif kind == "enum":
        values = field.get("values") or []
        if not values:
            yield problem("the enum has no values")
        elif unique and len(values) < count:
            yield problem(f"{count} distinct values are asked for, but the enum has {len(values)}")
    elif kind == "array":
        if field.get("min_items", 0) > field.get("max_items", float("inf")):
            yield problem(f"min_items {field['min_items']} is above max_items {field['max_items']}")
        if isinstance(field.get("items"), Mapping):
            yield from _field_problems(field["items"], f"{path}[]", 1)
    elif kind == "object":
        for inner in field.get("fields", ()):
            yield from _field_problems(inner, f"{path}.{inner.get('name')}", 1)


def _pattern_problems(field: Mapping[str, Any], problem: Any) -> Iterator[Problem]:
    from registry.formats.samples.generate import _pattern

    try:
        _pattern(str(field["pattern"]), random.Random(0))  # noqa: S311  # a trial, not a secret
    except Unsatisfiable:
        yield problem(f"no string could be made to match the pattern {field['pattern']!r}")
