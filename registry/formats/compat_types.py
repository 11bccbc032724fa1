"""How two types of the entity model relate, and how their bounds and constraints changed.

A type or bound is *narrowed* when the new one accepts fewer values (data written before may be
refused: breaks BACKWARD), *loosened* or *widened* when it accepts more (readers on the old schema
may refuse new data: breaks FORWARD), and *changed* when neither holds (both).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Literal

from registry.formats.compat_change import BACKWARD, BOTH, FORWARD, Change, Where, change

Relation = Literal["same", "widened", "narrowed", "changed"]

# (narrower, wider): every value of the first is a value of the second. `json` is wider than
# anything and handled apart.
_WIDER: frozenset[tuple[str, str]] = frozenset(
    {
        ("integer", "number"),
        ("integer", "decimal"),
        ("enum", "string"),
        ("uuid", "string"),
        ("date", "string"),
        ("time", "string"),
        ("timestamp", "string"),
    }
)


def type_relation(old: str, new: str) -> Relation:
    """How type ``new`` relates to type ``old`` (names of the entity model, or unknown ones)."""
    if old == new:
        return "same"
    if new == "json" or (old, new) in _WIDER:
        return "widened"
    if old == "json" or (new, old) in _WIDER:
        return "narrowed"
    return "changed"


def _number(value: Any) -> float | int | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    return None


# A numeric bound as (value, exclusive); None is no bound at all.
Bound = tuple[float | int, bool] | None


def _lower(model: Mapping[str, Any]) -> Bound:
    found = [(v, False) for v in [_number(model.get("minimum"))] if v is not None]
    found += [(v, True) for v in [_number(model.get("exclusive_minimum"))] if v is not None]
    return max(found, default=None)  # the tighter of the two: larger, and exclusive at a tie


def _upper(model: Mapping[str, Any]) -> Bound:
    found = [(v, False) for v in [_number(model.get("maximum"))] if v is not None]
    found += [(v, True) for v in [_number(model.get("exclusive_maximum"))] if v is not None]
    return min(found, key=lambda b: (b[0], not b[1]), default=None)


def _tighter_lower(a: Bound, b: Bound) -> bool:
    """Whether lower bound ``a`` refuses more values than ``b``."""
    if a is None:
        return False
    return b is None or (a[0], a[1]) > (b[0], b[1])


def _tighter_upper(a: Bound, b: Bound) -> bool:
    if a is None:
        return False
    return b is None or (-a[0], a[1]) > (-b[0], b[1])


def _show_bound(bound: Bound, below: bool) -> str:
    if bound is None:
        return "none"
    sign = (">" if bound[1] else ">=") if below else ("<" if bound[1] else "<=")
    return f"{sign} {bound[0]}"


def _bound_json(bound: Bound, below: bool) -> Any:
    if bound is None:
        return None
    side = "minimum" if below else "maximum"
    return {f"exclusive_{side}" if bound[1] else side: bound[0]}


def _message(what: str, path: str, before: str, after: str, kind: str) -> str:
    said = f"{what} of {path} {kind.split('-')[1]} from {before} to {after}"
    if kind == "bound-narrowed":
        return f"{said}: data written before this change may hold values the new schema refuses"
    if kind == "bound-loosened":
        return f"{said}: readers on the old schema refuse values that data written after this change may hold"
    return f"{said}: each schema allows values the other refuses"


_BREAKS = {"bound-narrowed": BACKWARD, "bound-loosened": FORWARD, "bound-changed": BOTH}


def _bound_change(
    what: str, path: str, where: Where, kind: str, shown: tuple[str, str], values: tuple[Any, Any]
) -> Change:
    return change(
        kind,
        path,
        _message(what, path, shown[0], shown[1], kind),
        _BREAKS[kind],
        where,
        before=values[0],
        after=values[1],
    )


def numeric_bounds(old: Mapping[str, Any], new: Mapping[str, Any], path: str, where: Where) -> list[Change]:
    """Changes of ``minimum``/``exclusive_minimum`` and ``maximum``/``exclusive_maximum``."""
    found = []
    sides: tuple[tuple[str, bool, Callable[[Mapping[str, Any]], Bound], Callable[[Bound, Bound], bool]], ...]
    sides = (("lower bound", True, _lower, _tighter_lower), ("upper bound", False, _upper, _tighter_upper))
    for what, below, read, tighter in sides:
        a, b = read(old), read(new)
        if a == b:
            continue
        kind = "bound-narrowed" if tighter(b, a) else "bound-loosened"
        shown = (_show_bound(a, below), _show_bound(b, below))
        found.append(
            _bound_change(what, path, where, kind, shown, (_bound_json(a, below), _bound_json(b, below)))
        )
    return found


# Counted bounds: (key, words, True when a larger value refuses more).
_COUNTED: tuple[tuple[str, str, bool], ...] = (
    ("min_length", "minimum length", True),
    ("max_length", "maximum length", False),
    ("min_items", "minimum number of items", True),
    ("max_items", "maximum number of items", False),
    ("bits", "integer width in bits", False),
)
_FLAGS: tuple[tuple[str, str], ...] = (("unique", "uniqueness"), ("unique_items", "uniqueness of items"))


def counted_bounds(
    old: Mapping[str, Any], new: Mapping[str, Any], path: str, where: Where, *, same_type: bool = True
) -> list[Change]:
    """Changes of lengths, item counts, integer width, ``unique``, ``unique_items`` and ``pattern``.

    An integer's width is compared only between integers: ``integer`` to ``number`` is a widened
    type already, and the width it drops says nothing more."""
    found = []
    for key, what, larger_refuses in _COUNTED:
        if key == "bits" and not same_type:
            continue
        a, b = _number(old.get(key)), _number(new.get(key))
        if (a or 0) == (b or 0) if larger_refuses else a == b:  # no lower bound is a bound of 0
            continue
        kind = "bound-narrowed" if _narrowed(a, b, larger_refuses) else "bound-loosened"
        shown = (str(a) if a is not None else "none", str(b) if b is not None else "none")
        found.append(_bound_change(what, path, where, kind, shown, (a, b)))
    for key, what in _FLAGS:
        a_flag, b_flag = old.get(key) is True, new.get(key) is True
        if a_flag != b_flag:
            kind = "bound-narrowed" if b_flag else "bound-loosened"
            shown = ("required" if a_flag else "none", "required" if b_flag else "none")
            found.append(_bound_change(what, path, where, kind, shown, (a_flag, b_flag)))
    found.extend(_pattern(old, new, path, where))
    return found


def _narrowed(a: float | None, b: float | None, larger_refuses: bool) -> bool:
    """Whether counted bound ``b`` refuses more than ``a``: no lower bound is 0, no upper bound is
    no limit at all."""
    if larger_refuses:
        return (b or 0) > (a or 0)
    return b is not None and (a is None or b < a)


def _pattern(old: Mapping[str, Any], new: Mapping[str, Any], path: str, where: Where) -> list[Change]:
    a, b = old.get("pattern"), new.get("pattern")
    a = a if isinstance(a, str) else None
    b = b if isinstance(b, str) else None
    if a == b:
        return []
    # Two different patterns: which accepts more cannot be told in general, so both directions.
    kind = "bound-narrowed" if a is None else "bound-loosened" if b is None else "bound-changed"
    shown = (repr(a) if a is not None else "none", repr(b) if b is not None else "none")
    return [_bound_change("pattern", path, where, kind, shown, (a, b))]


def _digits(model: Mapping[str, Any]) -> tuple[int | None, int | None]:
    """(digits before the point, digits after it) of a decimal; None is no limit."""
    precision = model.get("precision")
    scale = model.get("scale")
    scale = scale if isinstance(scale, int) and not isinstance(scale, bool) else None
    if not isinstance(precision, int) or isinstance(precision, bool):
        return None, scale
    scale = scale or 0
    return precision - scale, scale


def _at_most(a: int | None, b: int | None) -> bool:
    """Whether limit ``a`` allows no more than limit ``b`` (None: no limit)."""
    return b is None or (a is not None and a <= b)


def decimal_bounds(old: Mapping[str, Any], new: Mapping[str, Any], path: str, where: Where) -> list[Change]:
    """A decimal's ``precision``/``scale``: loosened when it keeps every digit before and after the
    point (more precision at the same scale), narrowed when it keeps no more, else changed."""
    a, b = _digits(old), _digits(new)
    if a == b:
        return []
    wider = all(_at_most(x, y) for x, y in zip(a, b, strict=True))
    narrower = all(_at_most(y, x) for x, y in zip(a, b, strict=True))
    kind = "bound-loosened" if wider else "bound-narrowed" if narrower else "bound-changed"
    values = tuple({k: m.get(k) for k in ("precision", "scale") if k in m} or None for m in (old, new))
    shown = tuple(_show_decimal(m) for m in (old, new))
    return [
        _bound_change("precision and scale", path, where, kind, (shown[0], shown[1]), (values[0], values[1]))
    ]


def as_decimal(model: Mapping[str, Any]) -> Mapping[str, Any]:
    """``model`` as a decimal: an integer has scale 0 and the digits its bounds or width allow
    (none: no limit); a decimal is itself."""
    if model.get("type") != "integer":
        return model
    magnitudes = [abs(v) for v in (_number(model.get(k)) for k in ("minimum", "maximum")) if v is not None]
    bits = model.get("bits")
    if len(magnitudes) < 2 and isinstance(bits, int) and not isinstance(bits, bool):
        magnitudes = [2 ** (bits - 1)]  # a bound on one side only: the width limits the other
    if not magnitudes:
        return {"scale": 0}
    return {"precision": len(str(int(max(magnitudes)))), "scale": 0}


def _show_decimal(model: Mapping[str, Any]) -> str:
    if "precision" not in model:
        return "none" if "scale" not in model else f"(scale {model['scale']})"
    return f"({model['precision']}, {model.get('scale', 0)})"
