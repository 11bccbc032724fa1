"""What a parsed type expression means: its entity-model type, nullability and constraints.

:func:`interpret` turns a :class:`~registry.formats.yaml_expr.TypeExpr` into the keys of one
field of the entity model (docs/formats/README.md), and refuses what makes no sense
(``integer(max_length=3)``, ``min`` above ``max``, a default outside the bounds) with a message
that says the fix, at the offset of the argument at fault.
"""

from __future__ import annotations

import datetime as dt
import difflib
import uuid
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

import regress

from registry.formats.yaml_expr import Arg, ExprError, Number, Quoted, Range, Raw, TypeExpr, Value, Word
from registry.formats.yaml_hints import HINT_ALIASES, HINTS

SCALARS = (
    "string",
    "integer",
    "number",
    "decimal",
    "boolean",
    "date",
    "time",
    "timestamp",
    "uuid",
    "binary",
    "json",
)
TYPE_NAMES = (*SCALARS, "enum", "array")
# Names people write from other languages, and what this one calls them.
ALIASES = {
    "int": "integer", "long": "integer", "bigint": "integer", "smallint": "integer",
    "str": "string", "text": "string", "varchar": "string", "char": "string",
    "bool": "boolean", "float": "number", "double": "number", "real": "number",
    "numeric": "decimal", "money": "decimal", "datetime": "timestamp", "timestamptz": "timestamp",
    "bytes": "binary", "blob": "binary", "bytea": "binary", "guid": "uuid", "jsonb": "json",
    "list": "array", "object": "a nested mapping of fields", "dict": "a nested mapping of fields",
    "map": "a nested mapping of fields", "ref": "$Entity", "reference": "$Entity",
}  # fmt: skip
BOUNDS = {
    "min": "minimum",
    "max": "maximum",
    "exclusive_min": "exclusive_minimum",
    "exclusive_max": "exclusive_maximum",
}
FLAGS = frozenset({"unique", "primary_key", "unique_items"})
_KEYED = frozenset({"default", "unique", "primary_key", "hint"})
ARGUMENTS: dict[str, frozenset[str]] = {
    "string": _KEYED | {"min_length", "max_length", "pattern"},
    "integer": _KEYED | set(BOUNDS) | {"bits"},
    "number": _KEYED | set(BOUNDS),
    "decimal": _KEYED | set(BOUNDS) | {"precision", "scale"},
    "boolean": frozenset({"default"}),
    "date": _KEYED,
    "time": _KEYED,
    "timestamp": _KEYED,
    "uuid": frozenset({"default", "unique", "primary_key"}),
    "binary": frozenset({"min_length", "max_length", "hint"}),
    "json": frozenset(),
    "enum": frozenset({"default", "unique", "primary_key"}),  # its values say what it is: no hint
    "array": frozenset({"min_items", "max_items", "unique_items"}),
    "reference": frozenset({"unique", "primary_key", "per"}),
}
INTEGER_BITS = (8, 16, 32, 64)
MAX_SUGGESTED_ENTITIES = 200
MAX_DECIMAL_PRECISION = 1000


@dataclass
class Typed:
    """One interpreted expression: the model keys, and what the validator must check later."""

    model: dict[str, Any]
    nullable: bool = False
    primary_key: bool = False
    refs: list[tuple[str, int]] = field(default_factory=list)  # (Entity.path, offset) to resolve
    per: tuple[int, int] | None = None  # records of this entity per referenced record


def interpret(expr: TypeExpr, text: str, entities: Collection[str], *, item: bool = False) -> Typed:
    """The meaning of ``expr``, parsed from ``text``; raises :class:`ExprError`."""
    if expr.head.startswith("$"):
        kind = "reference"
        model: dict[str, Any] = {"type": "reference", "ref": expr.head[1:]}
    elif expr.head in TYPE_NAMES:
        kind = expr.head
        model = {"type": kind}
    else:
        raise ExprError(unknown_type(expr.head, entities), expr.start)
    model["source_type"] = text[expr.start : expr.end]
    typed = Typed(model, nullable=expr.nullable)
    if kind == "reference":
        typed.refs.append((expr.head[1:], expr.start))
    _Arguments(kind, typed, text, entities, item=item).read(expr)
    return typed


def unknown_type(name: str, entities: Collection[str]) -> str:
    """The message for an unknown type name, with the likeliest fix."""
    if name in entities:
        return f"unknown type {name!r}; did you mean '${name}' (a reference to the entity)?"
    if name in HINTS:
        return f"unknown type {name!r}; it is a hint: write string({name})"
    guess = ALIASES.get(name.lower())
    if guess is None:
        # Entity names only while few: a suggestion must not cost a scan of 10,000 names per field.
        names = [f"${e}" for e in entities] if len(entities) <= MAX_SUGGESTED_ENTITIES else []
        close = difflib.get_close_matches(name, [*TYPE_NAMES, *names], n=1, cutoff=0.6)
        guess = close[0] if close else None
    known = ", ".join(TYPE_NAMES)
    if guess is not None:
        return f"unknown type {name!r}; did you mean {guess!r}? (types: {known}, $Entity)"
    return f"unknown type {name!r}; types: {known}, $Entity, [type], a nested mapping"


class _Arguments:
    """Reads the arguments of one expression into its :class:`Typed`."""

    def __init__(self, kind: str, typed: Typed, text: str, entities: Collection[str], *, item: bool) -> None:
        self.kind, self.typed, self.text, self.entities, self.item = kind, typed, text, entities, item
        self.model = typed.model
        self.seen: set[str] = set()
        self.default: Arg | None = None

    def read(self, expr: TypeExpr) -> None:
        args = expr.args or ()
        if self.kind == "enum":
            self._enum_values(expr, [a for a in args if a.name is None])
        elif self.kind == "array":
            self._array_items(expr, [a for a in args if a.name is None and not _is_flag(a)])
        positional_numbers = 0
        for arg in args:
            if arg.name is None and _is_flag(arg):
                assert isinstance(arg.value, Word)
                self._keyword(Arg(arg.value.text, Word("true", arg.start), arg.start))
            elif arg.name is not None:
                self._keyword(arg)
            elif self.kind not in ("enum", "array"):
                positional_numbers += self._positional(arg, positional_numbers)
        self._check_bounds(expr)
        if self.default is not None:
            self._check_default(self.default)

    def _positional(self, arg: Arg, numbers: int) -> int:
        value = arg.value
        if self.kind == "decimal" and isinstance(value, Number):
            if numbers >= 2:
                raise ExprError("decimal takes at most two numbers: decimal(precision, scale)", arg.start)
            self._keyword(Arg(("precision", "scale")[numbers], value, arg.start))
            return 1
        if isinstance(value, (Word, Quoted)) and "hint" in ARGUMENTS[self.kind]:
            self._keyword(Arg("hint", value, arg.start))
            return 0
        allowed = ", ".join(sorted(ARGUMENTS[self.kind])) or "none"
        raise ExprError(
            f"{self._what()} takes no value without a name here; name it (arguments: {allowed})", arg.start
        )

    def _keyword(self, arg: Arg) -> None:
        name = arg.name
        assert name is not None
        allowed = ARGUMENTS[self.kind]
        if name not in allowed:
            raise ExprError(self._unknown_argument(name), arg.start)
        if name in self.seen:
            raise ExprError(f"argument {name!r} is given twice", arg.start)
        if self.item and name in ("primary_key", "per"):
            raise ExprError(f"{name!r} applies to a field, not to the items of an array", arg.start)
        self.seen.add(name)
        value = arg.value
        if name in FLAGS:
            if flag_value(value, name):
                self._set(name, True)
        elif name == "default":
            self.default = arg
        elif name == "hint":
            self._hint(value)
        elif name == "pattern":
            self._pattern(value)
        elif name == "per":
            self._per(value)
        elif name in BOUNDS:
            self.model[BOUNDS[name]] = _number(value, name, integer=self.kind == "integer")
        else:  # lengths, items, bits, precision, scale: counts
            self.model[name] = count_value(value, name)

    def _set(self, name: str, value: Any) -> None:
        if name == "primary_key":
            self.typed.primary_key = True
        else:
            self.model[name] = value

    def _what(self) -> str:
        return "a reference" if self.kind == "reference" else self.kind

    def _unknown_argument(self, name: str) -> str:
        allowed = sorted(ARGUMENTS[self.kind])
        owners = [kind for kind, names in ARGUMENTS.items() if name in names]
        message = f"{self._what()} has no argument {name!r}"
        if owners:
            message += f" (it is for {', '.join(owners)})"
        else:
            close = difflib.get_close_matches(name, [*allowed, *BOUNDS.values()], n=1, cutoff=0.6)
            if close:
                fix = next((short for short, long in BOUNDS.items() if long == close[0]), close[0])
                message += f"; did you mean {fix!r}?"
        return message + f"; arguments: {', '.join(allowed) or 'none'}"

    def _hint(self, value: Value) -> None:
        if not isinstance(value, (Word, Quoted)):
            raise ExprError("a hint is a name, such as email or phone_number", _start(value))
        fits = HINTS.get(value.text)
        if fits is None:
            alias = HINT_ALIASES.get(value.text.lower())
            close = [alias] if alias else difflib.get_close_matches(value.text, list(HINTS), n=1, cutoff=0.6)
            fix = f"; did you mean {close[0]!r}?" if close else ""
            raise ExprError(
                f"unknown hint {value.text!r}{fix} (docs/formats/yaml.md lists the hints)", value.start
            )
        if self.kind not in fits:
            raise ExprError(
                f"hint {value.text!r} is for {' or '.join(fits)} values, not {self.kind}", value.start
            )
        self.model["hint"] = value.text

    def _pattern(self, value: Value) -> None:
        if not isinstance(value, Quoted):
            raise ExprError("a pattern is a quoted regular expression: pattern='^[A-Z]+$'", _start(value))
        try:
            regress.Regex(value.text)
        except regress.RegressError as exc:
            raise ExprError(f"pattern is not an ECMA-262 regular expression: {exc}", value.start) from None
        self.model["pattern"] = value.text

    def _per(self, value: Value) -> None:
        if isinstance(value, Range):
            low, high = count_value(value.low, "per"), count_value(value.high, "per")
        else:
            low = high = count_value(value, "per")
        if low > high:
            raise ExprError(f"per={low}..{high} runs backwards; write per={high}..{low}", _start(value))
        self.typed.per = (low, high)

    def _enum_values(self, expr: TypeExpr, args: list[Arg]) -> None:
        if not args:
            raise ExprError("enum() needs at least one value: enum(a, b)", expr.start)
        values: dict[str, None] = {}  # ordered, and a 5,000-value enum checks repeats in linear time
        for arg in args:
            assert isinstance(arg.value, Raw)
            if not arg.value.text:
                raise ExprError("enum has an empty value", arg.start)
            if arg.value.text in values:
                raise ExprError(f"enum repeats values: {arg.value.text}", arg.start)
            values[arg.value.text] = None
        self.model["values"] = list(values)

    def _array_items(self, expr: TypeExpr, args: list[Arg]) -> None:
        if len(args) != 1:
            where = args[1].start if len(args) > 1 else expr.start
            raise ExprError("array takes one element type: array(string, max_items=3)", where)
        value = args[0].value
        if isinstance(value, Word):
            value = TypeExpr(value.text, value.start, None, False, value.start + len(value.text))
        if not isinstance(value, TypeExpr):
            raise ExprError("expected the element type of the array, such as string", _start(value))
        items = interpret(value, self.text, self.entities, item=True)
        self.typed.refs.extend(items.refs)
        if items.nullable:
            items.model["nullable"] = True
        self.model["items"] = items.model

    def _check_bounds(self, expr: TypeExpr) -> None:
        for low, high in (("minimum", "maximum"), ("min_length", "max_length"), ("min_items", "max_items")):
            if low in self.model and high in self.model and self.model[low] > self.model[high]:
                written = {"minimum": "min", "maximum": "max"}
                below, above = written.get(low, low), written.get(high, high)
                raise ExprError(f"{below}={self.model[low]} is above {above}={self.model[high]}", expr.start)
        if "bits" in self.model:
            bits = self.model["bits"]
            if bits not in INTEGER_BITS:
                raise ExprError(f"bits is one of {', '.join(map(str, INTEGER_BITS))}, not {bits}", expr.start)
            top = 2 ** (bits - 1)
            for short, key in BOUNDS.items():
                if key in self.model and not -top <= self.model[key] < top:
                    raise ExprError(f"{short}={self.model[key]} does not fit in {bits} bits", expr.start)
        if "precision" in self.model:
            precision, scale = self.model["precision"], self.model.get("scale", 0)
            if not 1 <= precision <= MAX_DECIMAL_PRECISION:
                raise ExprError(f"precision is 1 to {MAX_DECIMAL_PRECISION}, not {precision}", expr.start)
            if scale > precision:
                raise ExprError(f"scale {scale} is above precision {precision}", expr.start)
        elif "scale" in self.model:
            raise ExprError("scale needs a precision: decimal(10, 2)", expr.start)
        if self.typed.primary_key and self.typed.nullable:
            raise ExprError("a primary key cannot be nullable: remove the '?'", expr.end - 1)

    def _check_default(self, arg: Arg) -> None:
        value = arg.value
        if isinstance(value, Word) and value.text == "null":
            if not self.typed.nullable:
                raise ExprError("default=null needs a nullable type: add '?' after the type", value.start)
            self.model["default"] = None
            return
        self.model["default"] = self._default_value(value)

    def _default_value(self, value: Value) -> Any:
        kind, start = self.kind, _start(value)
        if kind == "boolean":
            if isinstance(value, Word) and value.text in ("true", "false"):
                return value.text == "true"
            raise ExprError("a boolean's default is true or false", start)
        if kind in ("integer", "number", "decimal"):
            number = _number(value, "default", integer=kind == "integer")
            low, high = self.model.get("minimum"), self.model.get("maximum")
            if (low is not None and number < low) or (high is not None and number > high):
                raise ExprError(f"default {number} is outside min..max", start)
            return number
        if not isinstance(value, (Word, Quoted)) or (
            isinstance(value, Word) and value.text in ("true", "false")
        ):
            raise ExprError(f"the default of {kind} is text; quote it: default='...'", start)
        text = value.text
        problem = _text_default_problem(kind, text, self.model)
        if problem:
            raise ExprError(problem, start)
        return text


def _text_default_problem(kind: str, text: str, model: dict[str, Any]) -> str | None:
    parsers: dict[str, Any] = {
        "date": dt.date.fromisoformat,
        "time": dt.time.fromisoformat,
        "timestamp": dt.datetime.fromisoformat,
        "uuid": uuid.UUID,
    }
    if kind in parsers:
        try:
            parsers[kind](text)
        except ValueError:
            return (
                f"default {text!r} is not an ISO 8601 {kind}" if kind != "uuid" else f"{text!r} is not a UUID"
            )
    if kind == "enum" and text not in model["values"]:
        return f"default {text!r} is not one of the enum's values"
    if not model.get("min_length", 0) <= len(text) <= model.get("max_length", len(text)):
        return f"default {text!r} is outside min_length..max_length"
    return None


def _is_flag(arg: Arg) -> bool:
    return isinstance(arg.value, Word) and arg.value.text in FLAGS


def flag_value(value: Value, name: str) -> bool:
    """A flag's value: ``true`` or ``false`` (a bare flag arrives here as ``true``)."""
    if isinstance(value, Word) and value.text in ("true", "false"):
        return value.text == "true"
    raise ExprError(f"{name} is true or false (or write {name} alone)", _start(value))


def _number(value: Value, name: str, *, integer: bool) -> int | float:
    if not isinstance(value, Number) or (integer and not isinstance(value.value, int)):
        raise ExprError(f"{name} is {'an integer' if integer else 'a number'}", _start(value))
    return value.value


def count_value(value: Value, name: str) -> int:
    """A whole number, 0 or more."""
    if not isinstance(value, Number) or not isinstance(value.value, int) or value.value < 0:
        raise ExprError(f"{name} is a whole number, 0 or more", _start(value))
    return value.value


def _start(value: Value) -> int:
    return value.start
