"""The arguments of an entity key: ``Customer(count=100, closed):``.

Parsed with the type-expression parser (the key's name stands in for a type name) and read here
into the entity model's ``count`` and ``closed``.
"""

from __future__ import annotations

import difflib
from typing import Any

from registry.formats.yaml_expr import ExprError, TypeExpr, Word
from registry.formats.yaml_types import count_value, flag_value

ENTITY_ARGUMENTS = ("count", "closed")
MAX_COUNT = 1_000_000_000


def entity_options(expr: TypeExpr) -> dict[str, Any]:
    """The entity-model keys of ``Name(count=100, closed)``; raises :class:`ExprError`."""
    if expr.nullable:
        raise ExprError("an entity cannot be nullable; remove the '?'", expr.end - 1)
    options: dict[str, Any] = {}
    seen: set[str] = set()
    for arg in expr.args or ():
        name = arg.name
        value = arg.value
        if name is None and isinstance(value, Word) and value.text == "closed":
            name, value = "closed", Word("true", arg.start)
        if name not in ENTITY_ARGUMENTS:
            close = difflib.get_close_matches(str(name), ENTITY_ARGUMENTS, n=1, cutoff=0.6)
            fix = f"; did you mean {close[0]!r}?" if close else ""
            what = f"argument {name!r}" if name else "a value without a name"
            raise ExprError(f"an entity takes no {what}{fix} (arguments: count, closed)", arg.start)
        if name in seen:
            raise ExprError(f"argument {name!r} is given twice", arg.start)
        seen.add(name)
        if name == "count":
            count = count_value(value, "count")
            if count > MAX_COUNT:
                raise ExprError(f"count is at most {MAX_COUNT}", arg.start)
            options["count"] = count
        elif flag_value(value, "closed"):
            options["closed"] = True  # the model has `closed` only when true
    return options
