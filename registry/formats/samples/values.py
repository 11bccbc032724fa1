"""One value of one field of the entity model, drawn from a seeded random source."""

from __future__ import annotations

import base64
import datetime as dt
import math
import random
import string
import uuid
from collections.abc import Callable, Mapping
from typing import Any

import regress

from registry.formats.samples.hints import known_hint, pool

NULL_RATE = 0.1  # share of nulls in a nullable field, and of absent optional JSON Schema properties
DEFAULT_RATE = 0.1  # share of values that are the field's default, where it has one
ARRAY_ITEMS = (1, 3)  # items in an array without bounds of its own
STRING_LENGTH = (4, 12)  # letters in a string without a hint, pattern or bounds of its own
INTEGER_RANGE = (0, 10_000)  # integers without bounds of their own (keys count up from 1)
NUMBER_RANGE = (0.0, 1_000.0)
EPOCH = dt.date(1970, 1, 1)
DATE_SPAN_DAYS = 60 * 365  # dates from 1970 to about 2030

Field = Mapping[str, Any]
# Draws the value of a reference field: (field, random source) -> the referenced value.
ReferenceValue = Callable[[Field, random.Random], Any]


class ValueMaker:
    """Makes values for fields; ``reference`` answers the reference fields (it knows the records)."""

    def __init__(self, reference: ReferenceValue, patterns: Callable[[str, random.Random], str]) -> None:
        self.reference = reference
        self.pattern = patterns

    def value(self, field: Field, rng: random.Random) -> Any:
        default = field.get("default")
        if (
            default is not None
            and not field.get("unique")
            and rng.random() < DEFAULT_RATE
            and fits(field, default)
        ):
            return default
        return self.typed(field, rng)

    def typed(self, field: Field, rng: random.Random) -> Any:
        kind = field.get("type")
        make = _SIMPLE.get(str(kind))
        if make is not None:
            return make(field, rng)
        if kind == "string":
            return self.string(field, rng)
        if kind == "array":
            return self.array(field, rng)
        if kind == "object":
            return self.record(field.get("fields", ()), rng)
        if kind == "reference":
            return self.reference(field, rng)
        return None

    def record(self, fields: Any, rng: random.Random) -> dict[str, Any]:
        """A nested object's value: every field, with nulls and absences at their rates."""
        out: dict[str, Any] = {}
        for field in fields:
            if field.get("required") is False and rng.random() < NULL_RATE:
                continue
            if field.get("nullable") and not field.get("primary_key") and rng.random() < NULL_RATE:
                out[field["name"]] = None
                continue
            out[field["name"]] = self.value(field, rng)
        return out

    def string(self, field: Field, rng: random.Random) -> str:
        low, high = field.get("min_length", 0), field.get("max_length")
        if field.get("pattern"):
            return self.pattern(str(field["pattern"]), rng)
        hint = field.get("hint")
        if isinstance(hint, str) and known_hint(hint):
            values = pool(hint)
            for _ in range(8):
                choice = values[rng.randrange(len(values))]
                if len(choice) >= low and (high is None or len(choice) <= high):
                    return choice
        shortest = max(low, STRING_LENGTH[0] if high is None else min(STRING_LENGTH[0], high))
        longest = max(shortest, STRING_LENGTH[1] if high is None else min(max(STRING_LENGTH[1], low), high))
        length = rng.randint(shortest, longest)
        return "".join(rng.choice(string.ascii_lowercase) for _ in range(length))

    def array(self, field: Field, rng: random.Random) -> list[Any]:
        items = field.get("items") or {"type": "string"}
        low = int(field.get("min_items", ARRAY_ITEMS[0]))
        high = int(field.get("max_items", max(low, ARRAY_ITEMS[1])))
        count = rng.randint(low, max(low, high))
        values: list[Any] = []
        for _ in range(count * 8 if field.get("unique_items") else count):
            value = self.typed(items, rng)
            if value is None and items.get("type") == "reference":
                continue  # no target record (yet): one item fewer, never a null item
            if field.get("unique_items") and value in values:
                continue
            values.append(value)
            if len(values) == count:
                break
        return values


def fits(field: Field, value: Any) -> bool:
    """Whether ``value`` meets the field's own constraints (a schema's default need not)."""
    kind = field.get("type")
    if kind == "enum":
        return value in (field.get("values") or ())
    if kind == "string":
        if not isinstance(value, str):
            return False
        if not field.get("min_length", 0) <= len(value) <= field.get("max_length", len(value)):
            return False
        pattern = field.get("pattern")
        return pattern is None or regress.Regex(str(pattern)).find(value) is not None
    if kind in ("integer", "number", "decimal"):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return False
        return _within(field, value) and (kind != "integer" or float(value).is_integer())
    if kind == "boolean":
        return isinstance(value, bool)
    return kind not in ("array", "object", "reference")  # their defaults are not checked here: skip them


def _within(field: Field, value: float) -> bool:
    """``value`` against the bounds the field states (none of the defaults this module assumes)."""
    return (
        value >= field.get("minimum", value)
        and value <= field.get("maximum", value)
        and ("exclusive_minimum" not in field or value > field["exclusive_minimum"])
        and ("exclusive_maximum" not in field or value < field["exclusive_maximum"])
    )


def integer_bounds(field: Field) -> tuple[int, int]:
    """The closed range an integer field's values are drawn from: its width and bounds, and
    where a side is open, :data:`INTEGER_RANGE`'s span from the other side (or from zero)."""
    bits = field.get("bits")
    lows, highs = [], []
    if bits:
        lows.append(-(2 ** (int(bits) - 1)))
        highs.append(2 ** (int(bits) - 1) - 1)
    if "minimum" in field:
        lows.append(math.ceil(field["minimum"]))
    if "exclusive_minimum" in field:
        lows.append(math.floor(field["exclusive_minimum"]) + 1)
    if "maximum" in field:
        highs.append(math.floor(field["maximum"]))
    if "exclusive_maximum" in field:
        highs.append(math.ceil(field["exclusive_maximum"]) - 1)
    span = INTEGER_RANGE[1] - INTEGER_RANGE[0]
    explicit_low = "minimum" in field or "exclusive_minimum" in field
    explicit_high = "maximum" in field or "exclusive_maximum" in field
    low, high = max(lows, default=None), min(highs, default=None)
    if not explicit_low:
        start = INTEGER_RANGE[0] if high is None or high >= INTEGER_RANGE[0] else high - span
        low = start if low is None else max(low, start)
    if not explicit_high:
        assert low is not None
        high = low + span if high is None else min(high, low + span)
    assert low is not None
    assert high is not None
    return low, high


def number_bounds(field: Field) -> tuple[float, float]:
    low = float(field.get("minimum", field.get("exclusive_minimum", NUMBER_RANGE[0])))
    high = float(field.get("maximum", field.get("exclusive_maximum", max(low, 0.0) + NUMBER_RANGE[1])))
    if field.get("type") == "decimal" and field.get("precision") is not None:
        scale = int(field.get("scale") or 0)
        largest = 10 ** (int(field["precision"]) - scale) - 10**-scale
        low, high = max(low, -largest), min(high, largest)
    return low, high


def _integer(field: Field, rng: random.Random) -> int:
    low, high = integer_bounds(field)
    return rng.randint(low, high)


def _number(field: Field, rng: random.Random) -> float:
    low, high = number_bounds(field)
    value = rng.uniform(low, high)
    scale = 0 if field.get("type") == "integer" else int(field.get("scale", 2) or 0)
    rounded = round(value, scale)
    # Rounding may step past an exclusive bound or the range; stay inside.
    if "exclusive_minimum" in field and rounded <= field["exclusive_minimum"]:
        rounded = round(value + 10**-scale, scale)
    if "exclusive_maximum" in field and rounded >= field["exclusive_maximum"]:
        rounded = round(value - 10**-scale, scale)
    return min(max(rounded, low), high) if low <= high else rounded


def _date(field: Field, rng: random.Random) -> str:
    return (EPOCH + dt.timedelta(days=rng.randrange(DATE_SPAN_DAYS))).isoformat()


def _time(field: Field, rng: random.Random) -> str:
    seconds = rng.randrange(86_400)
    return f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


def _timestamp(field: Field, rng: random.Random) -> str:
    return f"{_date(field, rng)}T{_time(field, rng)}Z"


def _uuid(field: Field, rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _binary(field: Field, rng: random.Random) -> str:
    return base64.b64encode(rng.randbytes(rng.randint(4, 16))).decode("ascii")


def _json(field: Field, rng: random.Random) -> dict[str, Any]:
    return {"n": rng.randint(0, 100)}


def _enum(field: Field, rng: random.Random) -> Any:
    values = list(field.get("values") or ())
    return values[rng.randrange(len(values))] if values else None


def _boolean(field: Field, rng: random.Random) -> bool:
    return rng.random() < 0.5


_SIMPLE: dict[str, Callable[[Field, random.Random], Any]] = {
    "integer": _integer,
    "number": _number,
    "decimal": _number,
    "boolean": _boolean,
    "date": _date,
    "time": _time,
    "timestamp": _timestamp,
    "uuid": _uuid,
    "binary": _binary,
    "json": _json,
    "enum": _enum,
}
