"""The optional keys of the entity model that a SQL column says (docs/formats/sql.md): lengths,
precision and scale, integer widths, literal defaults, ``UNIQUE`` and simple ``CHECK``s.

Only what a script states plainly is read: a ``CHECK`` made of ``BETWEEN``, comparisons of a
column with a constant, ``col IN ('a', 'b')`` and ``AND`` of those. Anything else (``OR``,
functions, two columns compared) says nothing to the model and is left to the database.
"""

from __future__ import annotations

from typing import Any

from sqlglot import exp

from registry.formats.base import said

T = exp.DataType.Type
# Integer widths in bits; unsigned and odd-sized types (MEDIUMINT, UINT) have none of the model's.
BITS: dict[Any, int] = {
    T.TINYINT: 8,
    T.SMALLINT: 16,
    T.SMALLSERIAL: 16,
    T.INT: 32,
    T.SERIAL: 32,
    T.BIGINT: 64,
    T.BIGSERIAL: 64,
}
_LENGTHS = frozenset({T.CHAR, T.VARCHAR, T.NCHAR, T.NVARCHAR})
_DECIMALS = frozenset({T.DECIMAL, T.BIGDECIMAL, T.UDECIMAL})


def _params(data_type: exp.DataType) -> list[int] | None:
    """The integer parameters of a type (``VARCHAR(20)``: [20]); None when one is not an integer."""
    found = []
    for param in data_type.expressions:
        literal = param.this if isinstance(param, exp.DataTypeParam) else param
        if not isinstance(literal, exp.Literal) or literal.is_string or not literal.this.isdigit():
            return None
        found.append(int(literal.this))
    return found


def type_keys(data_type: exp.DataType | None) -> dict[str, Any]:
    """``max_length``, ``precision``/``scale`` or ``bits`` of a column type."""
    if data_type is None:
        return {}
    if data_type.this in BITS:
        return {"bits": BITS[data_type.this]}
    params = _params(data_type)
    if not params:
        return {}
    if data_type.this in _LENGTHS and len(params) == 1:
        return {"max_length": params[0]}
    if data_type.this in _DECIMALS and len(params) <= 2:
        return {"precision": params[0], "scale": params[1] if len(params) == 2 else 0}
    return {}


def literal(node: exp.Expression | None) -> tuple[bool, Any]:
    """(True, value) for a constant (``'x'``, ``-1.5``, ``TRUE``, ``'x'::text``), else (False, None)."""
    if isinstance(node, (exp.Cast, exp.Paren)):
        return literal(node.this)
    if isinstance(node, exp.Boolean):
        return True, bool(node.this)
    if isinstance(node, exp.Neg):
        found, value = literal(node.this)
        return (True, -value) if found and isinstance(value, (int, float)) else (False, None)
    if isinstance(node, exp.Literal):
        if node.is_string:
            return True, node.this
        try:
            return True, int(node.this)
        except ValueError:
            pass
        try:
            number = float(node.this)
        except ValueError:
            return False, None
        return (True, number) if number == number and abs(number) != float("inf") else (False, None)
    return False, None


def constraint_keys(kind: Any) -> dict[str, Any]:
    """``default`` and ``unique`` of one column constraint (``CHECK``s are read per table)."""
    if isinstance(kind, exp.DefaultColumnConstraint):
        found, value = literal(kind.this)
        return said(default=value) if found else {}  # DEFAULT NULL is every nullable column's default
    if isinstance(kind, exp.UniqueColumnConstraint) and not isinstance(kind.this, exp.Schema):
        return {"unique": True}
    return {}


def unique_column(node: exp.Expression) -> str | None:
    """The one column of a table-level ``UNIQUE (col)``; None for several columns or another node."""
    if isinstance(node, exp.UniqueColumnConstraint) and isinstance(node.this, exp.Schema):
        columns = node.this.expressions
        if len(columns) == 1 and isinstance(columns[0], (exp.Identifier, exp.Column)):
            return str(columns[0].name)
    return None


_FLIPPED: dict[type[exp.Expression], type[exp.Expression]] = {
    exp.GT: exp.LT,
    exp.GTE: exp.LTE,
    exp.LT: exp.GT,
    exp.LTE: exp.GTE,
    exp.EQ: exp.EQ,
}
_BOUND_KEY: dict[type[exp.Expression], str] = {
    exp.GT: "exclusive_minimum",
    exp.GTE: "minimum",
    exp.LT: "exclusive_maximum",
    exp.LTE: "maximum",
}


def check_keys(check: exp.Expression | None) -> list[tuple[str, str, Any]]:
    """(column, key, value) for each plain part of a ``CHECK`` expression: ``minimum``,
    ``maximum``, ``exclusive_minimum``, ``exclusive_maximum`` (numbers) and ``values`` (from IN)."""
    if isinstance(check, exp.Paren):
        return check_keys(check.this)
    if isinstance(check, exp.And):
        return check_keys(check.this) + check_keys(check.expression)
    if isinstance(check, exp.Between) and isinstance(check.this, exp.Column):
        found = []
        for key, side in (("minimum", "low"), ("maximum", "high")):
            ok, value = literal(check.args.get(side))
            if ok and isinstance(value, (int, float)) and not isinstance(value, bool):
                found.append((check.this.name, key, value))
        return found
    if isinstance(check, exp.In) and isinstance(check.this, exp.Column) and not check.args.get("query"):
        values = [literal(v) for v in check.expressions]
        if values and all(ok and isinstance(v, str) for ok, v in values):
            return [(check.this.name, "values", list(dict.fromkeys(v for _, v in values)))]
        return []
    return _comparison(check)


def _comparison(check: exp.Expression | None) -> list[tuple[str, str, Any]]:
    if check is None or type(check) not in _FLIPPED:
        return []
    op: type[exp.Expression] = type(check)
    column, constant = check.this, check.args.get("expression")
    if not isinstance(column, exp.Column):  # `5 >= col` says `col <= 5`
        column, constant, op = constant, column, _FLIPPED[op]
    ok, value = literal(constant)
    if not isinstance(column, exp.Column) or not ok or isinstance(value, bool):
        return []
    if not isinstance(value, (int, float)):
        return []
    if op is exp.EQ:
        return [(column.name, "minimum", value), (column.name, "maximum", value)]
    return [(column.name, _BOUND_KEY[op], value)]


NUMERIC = frozenset({"integer", "number", "decimal"})


def apply_checks(model: dict[str, Any], checks: list[tuple[str, Any]]) -> dict[str, Any]:
    """A column's model with its checks' keys: bounds on numbers (the tighter of two), ``IN`` on a
    string column as an ``enum`` of those values."""
    for key, value in checks:
        if key == "values":
            if model.get("type") == "string":
                model["type"] = "enum"
                model["values"] = value
            continue
        if model.get("type") not in NUMERIC:
            continue
        if key in model:
            tighter = max if key in ("minimum", "exclusive_minimum") else min
            value = tighter(model[key], value)
        model[key] = value
    return model
